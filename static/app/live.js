// One project's live document: Y.Doc + WebsocketProvider, presence, connection/saved status,
// and per-user undo. Every local edit goes through `write()` with this client's origin.
import { Y, WebsocketProvider, decoding } from './yjs.js'
import { ensureFresh } from './api.js'
import { ROOTS } from './schema.js'
import { colorFor } from './dom.js'
import { AUTH_TYPES, MESSAGE_TYPES, NOTICE_CODES, SCHEMA_VERSION, SYNC_TYPES } from './contract.js'
import { handleCloses, sharedAccessCheck } from './closes.js'
import { t } from './i18n.js'

/** @type {LiveProject | null} */
let current = null
/** The open project (for tests and the console). */
export const currentLive = () => current

/**
 * Is this outgoing frame one the server counts in SAVED: an update or a sync step 2 whose
 * update is not the empty one (docs/protocol.md)?
 * @param {ArrayBuffer|Uint8Array} data
 */
function countsForSaved(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
  const decoder = decoding.createDecoder(bytes)
  if (decoding.readVarUint(decoder) !== MESSAGE_TYPES.SYNC) return false
  const sub = decoding.readVarUint(decoder)
  if (sub !== SYNC_TYPES.STEP2 && sub !== SYNC_TYPES.UPDATE) return false
  const update = decoding.readVarUint8Array(decoder)
  return !(update.length === 2 && update[0] === 0 && update[1] === 0)
}

/**
 * @typedef {'connecting'|'live'|'saved'|'offline'|'revoked'|'error'} Status
 * @typedef {{user: {id: string, name: string, color: string}, phase: string,
 *   cursor: {x: number, y: number} | null,
 *   caret?: import('./text-binding.js').CaretState | null}} Presence
 *   caret: the selection in the text field that has the focus (text-binding.js)
 * @typedef {WebSocket & {sentUpdates: number, durable: number}} CountingWebSocket the provider's
 *   socket (createProvider's CountingSocket): updates sent, and how many the server saved
 */

/**
 * The idea (its key in the root `ideas`) a Yjs struct belongs to, or null: an item's parent
 * chain leads to the root's entry (the note's map) or elsewhere.
 * @param {any} struct
 * @param {any} ideas the root map `ideas`
 * @returns {string | null}
 */
function ideaOf(struct, ideas) {
  let item = struct instanceof Y.Item ? struct : null
  while (item) {
    const parent = item.parent
    if (parent === ideas) return typeof item.parentSub === 'string' ? item.parentSub : null
    item = parent instanceof Y.AbstractType ? parent._item : null
  }
  return null
}

export class LiveProject extends EventTarget {
  /**
   * @param {{projectId: string, user: {id: string, name: string}, readOnly: boolean,
   *   checkAccess: () => Promise<'viewer'|'writer'|null>}} opts
   *   checkAccess: asked after a FORBIDDEN close; null means access is gone.
   */
  constructor({ projectId, user, readOnly, checkAccess }) {
    super()
    this.projectId = projectId
    this.user = user
    this.readOnly = readOnly
    /**
     * Held read-only by a facilitator's lock of the board (brainstorm, docs/brainstorm.md):
     * the server refuses this socket's writes, and a refused write would stay in this document
     * only (out of step with everyone's), so nothing is written while it holds.
     */
    this.locked = false
    /**
     * Ideas (ids) a facilitator locked that this user may not change (brainstorm, "Locking
     * selected notes"): the server refuses a change to them as it does a locked board's, so
     * `write()` refuses one that names them, and undo one that would touch them.
     * @type {Set<string>}
     */
    this.heldNotes = new Set()
    /**
     * Does this user still have access to the project (after a FORBIDDEN close)? One answer
     * serves every socket of the project that the same revocation closed (closes.js).
     * @type {() => Promise<import('./closes.js').Access>}
     */
    this.checkAccess = sharedAccessCheck(checkAccess)
    this.destroyed = false
    /** The origin of this client's own transactions (the only one undo tracks). */
    this.origin = { client: 'dttools-ui', user: user.id }
    this.doc = new Y.Doc()
    this.roots = Object.fromEntries(ROOTS.map((name) => [name, this.doc.getMap(name)]))
    /** @type {Status} */
    this.status = 'connecting'
    this.statusDetail = ''
    this.everSynced = false
    this.unsentOffline = false
    this.undoManager = new Y.UndoManager(Object.values(this.roots), {
      trackedOrigins: new Set([this.origin]),
      captureTimeout: 500
    })
    /** @type {Array<'stack-item-added' | 'stack-item-popped' | 'stack-cleared'>} */
    const undoEvents = ['stack-item-added', 'stack-item-popped', 'stack-cleared']
    for (const event of undoEvents) {
      this.undoManager.on(event, () => this.emit('undo'))
    }
    this.doc.on('update', (_update, origin) => {
      if (origin === this.origin || origin === this.undoManager) {
        if (!this.provider.wsconnected) this.unsentOffline = true
        this.updateStatus()
      }
    })
    this.provider = this.createProvider()
    this.awareness = this.provider.awareness
    this.awareness.setLocalState({
      user: { id: user.id, name: user.name, color: colorFor(user.id) },
      phase: 'empathize',
      cursor: null,
      caret: null
    })
    this.onOnline = async () => {
      await ensureFresh()
      this.provider.connect()
    }
    this.onOffline = () => {
      this.provider.disconnect()
      this.updateStatus()
    }
    window.addEventListener('online', this.onOnline)
    window.addEventListener('offline', this.onOffline)
    current = this
  }

  createProvider() {
    const live = this
    // Count what this socket sent that the server will acknowledge with SAVED.
    class CountingSocket extends WebSocket {
      /** @param {string | URL} url @param {string | string[]} [protocols] */
      constructor(url, protocols) {
        super(url, protocols)
        this.sentUpdates = 0
        this.durable = 0
      }

      /**
       * @override
       * @param {Parameters<WebSocket['send']>[0]} data
       */
      send(data) {
        // y-websocket sends binary frames only
        if (countsForSaved(/** @type {Uint8Array} */ (data))) this.sentUpdates += 1
        super.send(data)
      }
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const provider = new WebsocketProvider(
      `${scheme}://${location.host}/collab`,
      this.projectId,
      this.doc,
      {
        params: { ext: '1', schema: String(SCHEMA_VERSION) }, // a page from before is refused
        WebSocketPolyfill: CountingSocket,
        disableBc: true, // each tab talks to the server itself: one origin, one SAVED count
        connect: navigator.onLine !== false
      }
    )
    provider.messageHandlers[MESSAGE_TYPES.SAVED] = (_encoder, decoder, prov) => {
      const count = decoding.readVarUint(decoder)
      if (prov.ws) /** @type {CountingWebSocket} */ (prov.ws).durable = count
      live.updateStatus()
    }
    provider.messageHandlers[MESSAGE_TYPES.NOTICE] = (_encoder, decoder) => {
      const code = decoding.readVarString(decoder)
      const text = decoding.readVarString(decoder)
      live.emit('notice', { code, text })
    }
    provider.messageHandlers[MESSAGE_TYPES.AUTH] = (_encoder, decoder) => {
      if (decoding.readVarUint(decoder) === AUTH_TYPES.PERMISSION_DENIED) {
        live.emit('notice', { code: 'permission-denied', text: decoding.readVarString(decoder) })
      }
    }
    provider.on('status', ({ status }) => {
      // When a connection ends, the server tells the others that our presence went away, with
      // our last clock + 1 (docs/protocol.md), possibly only later (a lost network sends no
      // close). Awareness ignores states whose clock is not higher, so we step our clock by 2
      // now, while nothing is sent: the reconnect then announces a state that wins.
      if (status === 'disconnected') this.renewPresence(2)
      this.updateStatus()
    })
    provider.on('sync', (synced) => {
      if (synced) {
        this.everSynced = true
        this.unsentOffline = false // the sync step 2 answering the server carried them
        this.emit('synced')
      }
      this.updateStatus()
    })
    handleCloses(provider, {
      checkAccess: this.checkAccess,
      onAccess: (access) => this.setReadOnly(access === 'viewer'),
      onEnd: (end) => this.onEnd(end),
      active: () => !this.destroyed
    })
    return provider
  }

  /**
   * The room closed for good (closes.js): say why.
   * @param {import('./closes.js').End} end
   */
  onEnd({ code, reason, cause }) {
    if (cause === 'signed-out') {
      this.setTerminal('revoked', () => t('live.end.signed_out'))
    } else if (cause === 'revoked') {
      this.setTerminal('revoked', () => t('live.end.revoked'))
    } else if (cause === 'outdated') {
      // the server's reason is for SDK users; people get ours, in their language
      this.setTerminal('error', () => t('live.end.outdated'), cause)
    } else {
      this.setTerminal('error', () => reason || t('live.end.closed', { code: String(code) }))
    }
  }

  /**
   * @param {Status} status
   * @param {() => string} detail the why, in the language shown when asked (updateStatus)
   * @param {import('./closes.js').EndCause} [cause] why the room ended (`outdated`: the page
   *   must be reloaded)
   */
  setTerminal(status, detail, cause) {
    this.terminal = { status, detail, cause }
    this.updateStatus()
  }

  /** @param {boolean} readOnly */
  setReadOnly(readOnly) {
    if (this.readOnly === readOnly) return
    this.readOnly = readOnly
    this.emit('role', { readOnly })
  }

  /**
   * Held by a board lock, or free again (emits `lock`, and `undo`: undo is off meanwhile).
   * @param {boolean} locked
   */
  setLocked(locked) {
    if (this.locked === locked) return
    this.locked = locked
    this.emit('lock', { locked })
    this.emit('undo')
  }

  /**
   * The notes a facilitator's lock holds for this user now (emits `lock` and `undo` when they
   * change: the board freezes them, undo may be off).
   * @param {Iterable<string>} ids
   */
  setHeldNotes(ids) {
    const next = new Set(ids)
    const same =
      next.size === this.heldNotes.size && [...next].every((id) => this.heldNotes.has(id))
    if (same) return
    this.heldNotes = next
    this.emit('lock', { locked: this.locked, notes: next })
    this.emit('undo')
  }

  /**
   * Work out the connection status and its detail (in the current language: call it again after
   * the language changes); emits `status` when either changed.
   */
  updateStatus() {
    /** @type {Status} */
    let status
    let detail = ''
    const provider = this.provider
    if (!provider) return
    const ws = /** @type {CountingWebSocket | null} */ (provider.ws)
    if (this.terminal) {
      status = this.terminal.status
      detail = this.terminal.detail()
    } else if (provider.wsconnected && provider.synced) {
      const pending = ws ? ws.sentUpdates - ws.durable : 0
      status = pending <= 0 && !this.readOnly ? 'saved' : 'live'
      if (this.readOnly) detail = t('live.detail.read_only')
    } else if (this.everSynced || navigator.onLine === false) {
      status = 'offline'
      detail = this.unsentOffline ? t('live.detail.unsent') : ''
    } else {
      status = 'connecting'
    }
    if (status !== this.status || detail !== this.statusDetail) {
      this.status = status
      this.statusDetail = detail
      this.emit('status', { status, detail })
    }
  }

  /**
   * Make a local edit in one transaction with this client's origin (so it can be undone).
   * @param {() => void} fn
   * @param {Iterable<string>} [notes] the ideas (ids) it changes: refused if a lock holds one
   * @returns {boolean} false for a viewer, while a board lock holds, or for a held note
   *   (nothing changed)
   */
  write(fn, notes = []) {
    if (this.readOnly) {
      this.emit('notice', {
        code: NOTICE_CODES.READ_ONLY,
        text: t('live.read_only_write')
      })
      return false
    }
    if (this.locked) {
      this.emit('notice', { code: 'board-locked', text: t('live.locked_write') })
      return false
    }
    for (const id of notes) {
      if (this.heldNotes.has(id)) {
        this.emit('notice', { code: NOTICE_CODES.NOTE_LOCKED, text: t('live.note_locked_write') })
        return false
      }
    }
    this.doc.transact(fn, this.origin)
    return true
  }

  /**
   * `write`, as an undo step of its own: a delete made right after an edit must not be
   * undone together with it (the undo manager merges changes less than 500 ms apart).
   * @param {() => void} fn
   * @param {Iterable<string>} [notes] see write
   */
  writeStep(fn, notes = []) {
    this.undoManager.stopCapturing()
    return this.write(fn, notes)
  }

  undo() {
    if (this.stepHeld(this.undoManager.undoStack)) this.sayNoteLocked()
    else if (this.canUndo()) this.undoManager.undo()
  }
  redo() {
    if (this.stepHeld(this.undoManager.redoStack)) this.sayNoteLocked()
    else if (this.canRedo()) this.undoManager.redo()
  }
  canUndo() {
    const stack = this.undoManager.undoStack
    return !this.readOnly && !this.locked && stack.length > 0 && !this.stepHeld(stack)
  }
  canRedo() {
    const stack = this.undoManager.redoStack
    return !this.readOnly && !this.locked && stack.length > 0 && !this.stepHeld(stack)
  }

  sayNoteLocked() {
    this.emit('notice', { code: NOTICE_CODES.NOTE_LOCKED, text: t('live.note_locked_write') })
  }

  /**
   * Would the next step of an undo (or redo) stack change a note the lock holds? The step's
   * inserted and deleted items are traced up to the entry of the root `ideas` they belong
   * to, as the server traces an update (docs/brainstorm.md, "Locking selected notes").
   * @param {any[]} stack the undo manager's undoStack or redoStack
   */
  stepHeld(stack) {
    if (!this.heldNotes.size || !stack.length) return false
    const step = stack[stack.length - 1]
    const ideas = this.roots.ideas
    const clients = this.doc.store.clients
    let held = false
    /** @param {any} set a Yjs DeleteSet: client -> [{clock, len}] */
    const visit = (set) =>
      set.clients.forEach((/** @type {any[]} */ ranges, /** @type {number} */ client) => {
        const structs = clients.get(client)
        if (!structs || held) return
        for (const { clock, len } of ranges) {
          let i
          try {
            i = Y.findIndexSS(structs, clock)
          } catch {
            continue // not in this document (any more): nothing of a note to change
          }
          for (; i < structs.length && structs[i].id.clock < clock + len; i++) {
            const id = ideaOf(structs[i], ideas)
            if (id !== null && this.heldNotes.has(id)) {
              held = true
              return
            }
          }
        }
      })
    visit(step.insertions)
    visit(step.deletions)
    return held
  }

  /** Re-set our awareness state `times` times (each one bumps its clock). @param {number} times */
  renewPresence(times) {
    const state = this.awareness.getLocalState()
    if (!state) return
    for (let i = 0; i < times; i++) this.awareness.setLocalState({ ...state })
  }

  /** @param {string} phase */
  setPhase(phase) {
    const state = this.awareness.getLocalState()
    // the view of the phase left is gone, and its fields with it: a caret published there
    // would stay (a removed control may never get its blur)
    if (state) this.awareness.setLocalState({ ...state, phase, caret: null })
  }

  /** @param {{x: number, y: number} | null} cursor a position on the idea board */
  setCursor(cursor) {
    this.awareness.setLocalStateField('cursor', cursor)
  }

  /**
   * @param {import('./text-binding.js').CaretState | null} caret the selection in the text
   *   field that has the focus (null: none)
   */
  setCaret(caret) {
    this.awareness.setLocalStateField('caret', caret)
  }

  /** Everyone here (this tab included), one entry per awareness client. */
  people() {
    /** @type {Array<Presence & {clientId: number, self: boolean}>} */
    const result = []
    this.awareness.getStates().forEach((state, clientId) => {
      if (state && state.user) {
        const presence = /** @type {Presence} */ (state)
        result.push({ ...presence, clientId, self: clientId === this.doc.clientID })
      }
    })
    return result
  }

  /** @param {string} type @param {any} [detail] */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  destroy() {
    this.destroyed = true
    window.removeEventListener('online', this.onOnline)
    window.removeEventListener('offline', this.onOffline)
    this.undoManager.destroy()
    this.provider.destroy()
    this.doc.destroy()
    if (current === this) current = null
  }
}
