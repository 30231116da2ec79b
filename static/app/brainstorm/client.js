// A project's brainstorm session as this browser sees it (docs/brainstorm.md): the snapshot
// room `{project}:brainstorm` (server-written, read-only; the current state is the entry with
// the highest number), the session's REST details (am I a facilitator, my private room, the
// results), my dots, the clock skew, and my private room for hidden notes while the session
// is silent. One per open workspace, so that the timer and a summon reach every phase.
import { Y } from '../yjs.js'
import * as api from '../api.js'
import { openRoom } from './rooms.js'
import { t } from '../i18n.js'
import {
  BRAINSTORM_PHASES,
  BRAINSTORM_ROOM_SUFFIX,
  BRAINSTORM_SNAPSHOTS,
  BRAINSTORM_TIME_UP
} from '../contract.js'

/** The phases of a session, in order. */
export const PHASES = BRAINSTORM_PHASES
/** The message of each phase's name (a literal table: the keys are checked to exist and be used). */
export const PHASE_KEYS = Object.freeze({
  silent: 'brainstorm.phase.silent',
  reveal: 'brainstorm.phase.reveal',
  clustering: 'brainstorm.phase.clustering',
  voting: 'brainstorm.phase.voting',
  results: 'brainstorm.phase.results'
})

/** What may happen when the time is up (`on_time_up`), the default first. */
export const TIME_UP_RULES = BRAINSTORM_TIME_UP
/** The message of each time's-up rule (a literal table, as PHASE_KEYS). */
export const RULE_KEYS = Object.freeze({
  nothing: 'brainstorm.rule.nothing',
  lock: 'brainstorm.rule.lock',
  advance: 'brainstorm.rule.advance'
})

/** A time's-up rule in the current language (an unknown one: its id). @param {string} rule */
export function ruleName(rule) {
  const key = /** @type {Record<string, string>} */ (RULE_KEYS)[rule]
  return key ? t(key) : String(rule || '')
}

/** A phase's name in the current language (an unknown phase: its id). @param {string} phase */
export function phaseName(phase) {
  const key = /** @type {Record<string, string>} */ (PHASE_KEYS)[phase]
  return key ? t(key) : String(phase || '')
}

/**
 * A message of the client: a catalogue key and its values (a value that is a function is
 * called when the message is shown, so a phase name follows the language), or a ready text
 * (an error the server or api.js worded).
 * @typedef {{key?: string, values?: Record<string, unknown>, text?: string,
 *   kind: string, at: number}} Message
 */

/** The text of a client message in the current language. @param {Message | null} message */
export function messageText(message) {
  if (!message) return ''
  if (!message.key) return message.text || ''
  /** @type {Record<string, unknown>} */
  const values = {}
  for (const [name, value] of Object.entries(message.values || {})) {
    values[name] = typeof value === 'function' ? value() : value
  }
  return t(message.key, values)
}

/**
 * The current session state of the snapshot map: the entry with the highest number.
 * @param {import('../yjs.js').Y.Map<any>} snapshots
 */
export function currentSnapshot(snapshots) {
  let best = -1
  let state = null
  snapshots.forEach((value, key) => {
    if (/^\d+$/.test(key) && Number(key) > best && value && typeof value === 'object') {
      best = Number(key)
      state = value
    }
  })
  return state
}

/** 75 → "01:15", 3725 → "1:02:05". @param {number} seconds */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  const two = (n) => String(n).padStart(2, '0')
  const hours = Math.floor(s / 3600)
  const rest = `${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`
  return hours ? `${hours}:${rest}` : rest
}

/**
 * Milliseconds left on a snapshot's timer, on the server's clock (`skew` = server - local).
 * Paused or ended: the frozen `remainingS`.
 */
export function remainingMs(snapshot, skew, now = Date.now()) {
  const timer = snapshot && snapshot.timer
  if (!timer) return 0
  const endsAt = timer.endsAt ? Date.parse(timer.endsAt) : NaN
  if (snapshot.ended || !timer.running || !Number.isFinite(endsAt)) {
    return Math.max(0, (Number(timer.remainingS) || 0) * 1000)
  }
  return Math.max(0, endsAt - (now + skew))
}

export class BrainstormClient extends EventTarget {
  /**
   * @param {{projectId: string, user: {id: string, name: string},
   *   live: import('../live.js').LiveProject, role: () => string}} opts
   *   role: the caller's current project role (`owner`, `admin`, `member`, `viewer`)
   */
  constructor({ projectId, user, live, role }) {
    super()
    this.projectId = projectId.toLowerCase()
    this.user = user
    this.live = live
    this.role = role
    this.base = `/v1/projects/${this.projectId}/brainstorm`
    this.doc = new Y.Doc()
    this.snapshots = this.doc.getMap(BRAINSTORM_SNAPSHOTS)
    /** The current snapshot (plain object, docs/brainstorm.md), null before any session. */
    this.snapshot = null
    /** Whether the snapshot room synced once (before that we do not know if there is one). */
    this.loaded = false
    /** SessionOut of the snapshot's session (GET .../{session_id}). */
    this.details = null
    /** VotesOut: my dots. */
    this.votes = null
    this.restSkew = null
    this.snapshotSkew = 0
    /** @type {null | {doc: any, ideas: any, room: any, sessionId: string, synced: boolean, write: (fn: () => void) => boolean}} */
    this.private = null
    /** A summon not yet applied to a board (set until the idea board takes it). */
    this.pendingSummon = null
    /**
     * Why the snapshot room ended (a server close), or null while it is open.
     * @type {{code: number, reason: string} | null}
     */
    this.roomEnd = null
    /** What the panel shows last (see say). @type {Message | null} */
    this.message = null
    this.closing = 0
    /** Whether this tab follows the facilitator's view of the board. */
    this.following = false
    this.queue = Promise.resolve()
    this.onSnapshots = () => this.readSnapshot()
    this.snapshots.observe(this.onSnapshots)
    this.room = openRoom(`${this.projectId}${BRAINSTORM_ROOM_SUFFIX}`, this.doc, {
      // every member may read it: project access is access to it
      checkAccess: live.checkAccess,
      onEnd: (code, reason) => {
        this.roomEnd = { code, reason }
        this.emit('change')
      }
    })
    this.room.provider.on('sync', (synced) => {
      if (synced && !this.loaded) {
        this.loaded = true
        this.readSnapshot()
        this.emit('change')
      }
    })
    this.onRole = () => {
      this.syncLock()
      this.refresh()
      this.syncPrivate()
    }
    live.addEventListener('role', this.onRole)
  }

  /** Server clock minus local clock, in ms: from the last REST answer, else the snapshot's. */
  get skew() {
    return this.restSkew ?? this.snapshotSkew
  }

  /** Seconds left (whole, rounded up like a countdown). */
  remainingSeconds() {
    return Math.ceil(remainingMs(this.snapshot, this.skew) / 1000)
  }

  /** Is a session running (started and not ended)? */
  running() {
    return Boolean(this.snapshot && !this.snapshot.ended)
  }

  /** May I steer the current session (owner, admin, named facilitator)? */
  facilitates() {
    return Boolean(
      this.details &&
      this.snapshot &&
      this.details.id === this.snapshot.sessionId &&
      this.details.you_facilitate &&
      !this.live.readOnly
    )
  }

  /** May I start a session (owners and admins)? */
  canStart() {
    return ['owner', 'admin'].includes(this.role()) && !this.live.readOnly
  }

  /** May I vote and write notes (owners, members, admins)? */
  contributes() {
    return !this.live.readOnly
  }

  /** Are new notes hidden now (silent phase, my private room open)? */
  silent() {
    return Boolean(
      this.private &&
      this.snapshot &&
      this.snapshot.phase === 'silent' &&
      !this.snapshot.ended &&
      this.private.sessionId === this.snapshot.sessionId
    )
  }

  /**
   * Is writing stopped because the time is up under the `lock` rule? Only `silent` (hidden
   * notes) and `voting` (dots) stop; more time from a facilitator opens them again.
   */
  writingLocked() {
    const state = this.snapshot
    return Boolean(
      state &&
      !state.ended &&
      state.writingLocked &&
      (state.phase === 'silent' || state.phase === 'voting')
    )
  }

  /**
   * Does a facilitator's lock hold the board read-only for me? Not for owners, admins or the
   * session's named facilitators (the server's rule; the snapshot names them, so this does
   * not wait for the REST details).
   */
  boardLocked() {
    const state = this.snapshot
    if (!state || state.ended || !state.boardLocked) return false
    return !this.exempt()
  }

  /**
   * Do a facilitator's locks leave me free (owner, admin, or one of the session's named
   * facilitators)? The server's rule for the board and the notes alike, read from the
   * snapshot.
   */
  exempt() {
    const state = this.snapshot
    const named = Boolean(
      state && Array.isArray(state.facilitators) && state.facilitators.includes(this.user.id)
    )
    return named || ['owner', 'admin'].includes(this.role())
  }

  /** The ideas a facilitator locked (none once the session ended). @returns {Set<string>} */
  lockedNotes() {
    const state = this.snapshot
    if (!state || state.ended || !Array.isArray(state.lockedNotes)) return new Set()
    return new Set(state.lockedNotes.filter((id) => typeof id === 'string'))
  }

  /** May I lock and unlock notes now (a running session, exempt, not a viewer)? */
  locksNotes() {
    return this.running() && this.exempt() && !this.live.readOnly
  }

  /** Stop (or resume) writing to the project's document as the board and note locks say. */
  syncLock() {
    this.live.setLocked(this.boardLocked())
    this.live.setHeldNotes(this.exempt() ? [] : this.lockedNotes())
  }

  readSnapshot() {
    const state = currentSnapshot(this.snapshots)
    if (!state) return
    const before = this.snapshot
    if (before && before.seq === state.seq) return
    this.snapshot = state
    // A snapshot that arrives live was written just now; one from the first sync may be old.
    if (this.loaded && state.serverTime) {
      this.snapshotSkew = Date.parse(state.serverTime) - Date.now()
    }
    const newSession = !before || before.sessionId !== state.sessionId
    if (newSession) {
      this.details = null
      this.votes = null
      this.closePrivate()
    }
    if (newSession || before.version !== state.version) this.refresh()
    this.checkSummon(state)
    this.syncLock()
    this.syncPrivate()
    if (newSession || before.phase !== state.phase || before.ended !== state.ended) {
      this.emit('phase', state)
    }
    this.emit('change')
  }

  /** Ask the server for the session (and my dots); repeated if asked again meanwhile. */
  refresh() {
    if (this.refreshing) {
      this.refreshAgain = true
      return this.refreshing
    }
    const run = async () => {
      do {
        this.refreshAgain = false
        const state = this.snapshot
        if (!state) return
        try {
          const sent = Date.now()
          const details = await api.get(`${this.base}/${state.sessionId}`)
          this.restSkew = Date.parse(details.server_time) - (sent + Date.now()) / 2
          if (!this.snapshot || details.id !== this.snapshot.sessionId) {
            this.refreshAgain = true
            continue
          }
          this.details = details
          if (this.contributes()) this.votes = await api.get(`${this.base}/${details.id}/votes`)
          else this.votes = null
        } catch (error) {
          this.say({ key: 'brainstorm.load_failed', values: { error: error.message } }, 'error')
        }
        this.syncPrivate()
        this.emit('change')
      } while (this.refreshAgain)
    }
    this.refreshing = run().finally(() => {
      this.refreshing = null
    })
    return this.refreshing
  }

  /** Each summon moves this tab once (not the facilitator who sent it). */
  checkSummon(state) {
    const summon = state.summon
    if (!summon || !summon.at || state.ended || summon.at === this.lastSummonAt) return
    this.lastSummonAt = summon.at
    const key = `dttools-summon:${state.sessionId}`
    try {
      if (sessionStorage.getItem(key) === summon.at) return
      sessionStorage.setItem(key, summon.at)
    } catch {
      /* storage disabled: once per page load then */
    }
    if (summon.by === this.user.id) return
    this.pendingSummon = summon
    this.emit('summon', summon)
  }

  // --- following -----------------------------------------------------------------------------

  /** Follow the facilitator's view of the board (a choice of this tab). @param {boolean} on */
  setFollowing(on) {
    this.following = on
    this.emit('follow', on)
  }

  /**
   * The facilitator to follow: the awareness state on the board's room of the session's lead,
   * else of a named facilitator, that publishes a viewport for this session.
   * @returns {{id: string, name: string, viewport: {x: number, y: number, zoom: number}} | null}
   */
  leader() {
    const state = this.snapshot
    if (!state || state.ended) return null
    const leaders = [state.lead, ...(state.facilitators || [])].filter(Boolean)
    let best = null
    let bestRank = Infinity
    for (const person of this.live.people()) {
      const published = /** @type {any} */ (person).brainstorm
      if (person.self || !published || published.sessionId !== state.sessionId) continue
      const view = published.viewport
      if (!view || !Number.isFinite(view.x) || !Number.isFinite(view.y)) continue
      const rank = leaders.indexOf(person.user.id)
      if (rank < 0 || rank >= bestRank) continue
      bestRank = rank
      best = { id: person.user.id, name: String(person.user.name || ''), viewport: view }
    }
    return best
  }

  // --- hidden notes ---------------------------------------------------------------------------

  /** Open my private room while the session is silent; close it once it is empty after. */
  syncPrivate() {
    const state = this.snapshot
    const details = this.details
    if (this.private && (!state || this.private.sessionId !== state.sessionId)) this.closePrivate()
    const want = this.wantPrivate()
    if (want && !this.private) {
      this.openPrivate(details.private_room, state.sessionId)
    } else if (!want && this.private && !this.closing) {
      // After the reveal the server moves the notes to the board and empties this room. It is
      // closed from a task of its own: never inside the provider's own event handlers (the
      // socket is still in use there), and never while it connects.
      this.closing = setTimeout(() => {
        this.closing = 0
        const mine = this.private
        if (!mine || this.wantPrivate()) return
        const provider = mine.room.provider
        const settled = provider.synced || !provider.shouldConnect
        const board = this.live.doc.getMap('ideas')
        const left = Array.from(mine.ideas.keys()).filter((id) => !board.has(id))
        if (this.live.readOnly || (settled && !provider.wsconnecting && left.length === 0)) {
          this.closePrivate()
        }
      }, 0)
    }
  }

  wantPrivate() {
    const state = this.snapshot
    const details = this.details
    return Boolean(
      state &&
      details &&
      details.id === state.sessionId &&
      details.private_room &&
      state.phase === 'silent' &&
      !state.ended &&
      this.contributes()
    )
  }

  openPrivate(room, sessionId) {
    const doc = new Y.Doc()
    const ideas = doc.getMap('ideas')
    const origin = { client: 'dttools-ui', user: this.user.id, room: 'private' }
    const handle = openRoom(room, doc, {
      // only a participant who may write opens it (viewers are refused), read-only after the reveal
      checkAccess: async () => ((await this.live.checkAccess()) === 'writer' ? 'writer' : null),
      onEnd: () => {
        if (this.private) this.private.synced = true
        this.syncPrivate()
      }
    })
    const mine = {
      doc,
      ideas,
      room: handle,
      sessionId,
      synced: false,
      origin,
      /** Write to my private room (only while silent: it is read-only after). */
      write: (fn) => {
        if (this.live.readOnly) return this.live.write(fn) // says "read only"
        if (!this.silent()) {
          this.say({ key: 'brainstorm.private_revealed' }, 'error')
          return false
        }
        // the room is read-only on the server now: a note written here would wait in this
        // document and slip onto the board after the facilitator gives more time
        if (this.writingLocked()) {
          this.say({ key: 'brainstorm.writing_locked' }, 'error')
          return false
        }
        doc.transact(fn, origin)
        return true
      }
    }
    this.private = mine
    handle.provider.on('sync', (synced) => {
      if (synced) {
        mine.synced = true
        this.syncPrivate()
      }
    })
    ideas.observe(() => this.syncPrivate())
    this.emit('private')
  }

  closePrivate() {
    if (!this.private) return
    const mine = this.private
    this.private = null
    mine.room.destroy()
    mine.doc.destroy()
    this.emit('private')
  }

  // --- facilitating ---------------------------------------------------------------------------

  /** Start a session (owners, admins). @param {Record<string, any>} body SessionStart */
  async start(body) {
    try {
      const sent = Date.now()
      const details = await api.post(this.base, body)
      this.restSkew = Date.parse(details.server_time) - (sent + Date.now()) / 2
      this.say({ key: 'brainstorm.started' })
      return details
    } catch (error) {
      this.say(error.message, 'error')
      return null
    }
  }

  /**
   * POST a facilitator action on the current session; the snapshot brings the change.
   * @param {string} path
   * @param {Record<string, any>} [body]
   * @param {{key: string, values?: Record<string, unknown>} | null} [done] said on success
   */
  async act(path, body = {}, done = null) {
    const state = this.snapshot
    if (!state) return null
    try {
      const sent = Date.now()
      const details = await api.post(`${this.base}/${state.sessionId}${path}`, body)
      this.restSkew = Date.parse(details.server_time) - (sent + Date.now()) / 2
      if (this.snapshot && details.id === this.snapshot.sessionId) this.details = details
      if (done) this.say(done)
      this.emit('change')
      return details
    } catch (error) {
      this.say(error.message, 'error')
      return null
    }
  }

  pause() {
    return this.act('/pause', {}, { key: 'brainstorm.timer_paused' })
  }
  resume() {
    return this.act('/resume', {}, { key: 'brainstorm.timer_resumed' })
  }
  extend(seconds) {
    const minutes = Math.round(seconds / 60)
    return this.act(
      '/extend',
      { seconds },
      { key: 'brainstorm.timer_extended', values: { minutes } }
    )
  }
  /** @param {string} phase @param {number|null} durationS restart the timer, or keep it */
  advance(phase, durationS) {
    const body = durationS ? { phase, duration_s: durationS } : { phase }
    return this.act('/phase', body, {
      key: 'brainstorm.moved_to',
      values: { phase: () => phaseName(phase) }
    })
  }

  revealTallies() {
    return this.act('/reveal-tallies', {}, { key: 'brainstorm.tallies_revealed' })
  }
  /** @param {{x: number, y: number, zoom: number}} view */
  summon(view) {
    return this.act('/summon', view, { key: 'brainstorm.summoned' })
  }
  end() {
    return this.act('/end', {}, { key: 'brainstorm.ended' })
  }
  /** What happens when the time is up. @param {string} rule one of TIME_UP_RULES */
  setRule(rule) {
    return this.act(
      '/rules',
      { on_time_up: rule },
      { key: 'brainstorm.rule_now', values: { rule: () => ruleName(rule) } }
    )
  }
  lockBoard() {
    return this.act('/lock', {}, { key: 'brainstorm.board_locked' })
  }
  unlockBoard() {
    return this.act('/unlock', {}, { key: 'brainstorm.board_unlocked' })
  }
  /** Only facilitators change these notes from now on. @param {string[]} ids @param {string} text */
  lockNotes(ids, text) {
    return this.act(
      '/notes/lock',
      { idea_ids: ids },
      { key: 'brainstorm.note_locked', values: { idea: text } }
    )
  }
  /** Everyone may change these notes again. @param {string[]} ids @param {string} text */
  unlockNotes(ids, text) {
    return this.act(
      '/notes/unlock',
      { idea_ids: ids },
      { key: 'brainstorm.note_unlocked', values: { idea: text } }
    )
  }

  // --- dots -----------------------------------------------------------------------------------

  /** My dots on an idea. @param {string} ideaId */
  myDots(ideaId) {
    return this.votes ? this.votes.votes.filter((id) => id === ideaId).length : 0
  }

  /** Run vote requests one after the other, so each sees the previous answer. */
  serial(fn) {
    const next = this.queue.then(fn, fn)
    this.queue = next.catch(() => {})
    return next
  }

  /** Put one of my dots on an idea (refused here when the rules say no; the server checks too). */
  vote(ideaId, text = t('brainstorm.this_idea')) {
    return this.serial(async () => {
      const votes = this.votes
      const state = this.snapshot
      if (!votes || !state || state.phase !== 'voting' || state.ended) {
        this.say({ key: 'brainstorm.voting_closed' }, 'error')
        return false
      }
      if (this.writingLocked()) {
        this.say({ key: 'brainstorm.writing_locked' }, 'error')
        return false
      }
      if (votes.remaining <= 0) {
        this.say(
          { key: 'brainstorm.no_votes_left', values: { total: votes.votes_per_person } },
          'error'
        )
        return false
      }
      if (!votes.allow_stacking && votes.votes.includes(ideaId)) {
        this.say({ key: 'brainstorm.already_voted' }, 'error')
        return false
      }
      try {
        this.votes = await api.request(
          'POST',
          `${this.base}/${state.sessionId}/votes`,
          { idea_id: ideaId },
          { 'Idempotency-Key': crypto.randomUUID() }
        )
        this.say({ key: 'brainstorm.voted', values: { idea: text, ...this.votesLeftValues() } })
        this.emit('change')
        return true
      } catch (error) {
        this.say(error.message, 'error')
        return false
      }
    })
  }

  /** Take back one of my dots from an idea (until voting closes). */
  unvote(ideaId, text = t('brainstorm.this_idea')) {
    return this.serial(async () => {
      const state = this.snapshot
      if (!state || !this.votes || !this.votes.votes.includes(ideaId)) return false
      if (this.writingLocked()) {
        this.say({ key: 'brainstorm.writing_locked' }, 'error')
        return false
      }
      try {
        this.votes = await api.del(
          `${this.base}/${state.sessionId}/votes/${encodeURIComponent(ideaId)}`
        )
        this.say({ key: 'brainstorm.unvoted', values: { idea: text, ...this.votesLeftValues() } })
        this.emit('change')
        return true
      } catch (error) {
        this.say(error.message, 'error')
        return false
      }
    })
  }

  /** "1 of 2 votes left", in the current language ('' before my dots are known). */
  votesLeftText() {
    return this.votes ? t('brainstorm.votes_left', this.votesLeftValues()) : ''
  }

  votesLeftValues() {
    const votes = this.votes
    return { remaining: votes ? votes.remaining : 0, total: votes ? votes.votes_per_person : 0 }
  }

  // --- plumbing -------------------------------------------------------------------------------

  /**
   * A message for the panel (kind `error`: shown as an alert): a catalogue key with its values,
   * or a text worded elsewhere (an error's message). See messageText.
   * @param {string | {key: string, values?: Record<string, unknown>}} message
   * @param {string} [kind]
   */
  say(message, kind = 'info') {
    this.message =
      typeof message === 'string'
        ? { text: message, kind, at: Date.now() }
        : { key: message.key, values: message.values, kind, at: Date.now() }
    this.emit('message', this.message)
  }

  /** @param {string} type @param {any} [detail] */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  destroy() {
    this.live.removeEventListener('role', this.onRole)
    this.live.setLocked(false)
    this.live.setHeldNotes([])
    clearTimeout(this.closing)
    this.snapshots.unobserve(this.onSnapshots)
    this.closePrivate()
    this.room.destroy()
    this.doc.destroy()
  }
}
