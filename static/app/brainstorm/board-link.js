// What a brainstorm does to the idea board (docs/ui.md, Brainstorm):
// * silent phase: the participant's private room is a second source of notes, shown marked
//   "hidden until reveal", and new notes go there;
// * voting: each note gets its vote controls, my dots and (once shown) the tally;
// * a summon moves the view once; "Follow facilitator" keeps it on the facilitator's view;
// * a facilitator's view is published in awareness (`brainstorm.viewport`);
// * a facilitator's lock of the board: a banner over it (the client stops the writes, the
//   board its controls); the time up under the `lock` rule: hidden notes stop changing;
// * locked notes: a padlock on each for everyone, a Lock / Unlock toggle in each note's bar
//   for facilitators (the client holds the locked notes for the others: live.heldNotes).
// The vote controls follow a change of language by themselves (onLocaleChange, dropped in
// destroy).
import { h, announce, batched } from '../dom.js'
import { str } from '../schema.js'
import { truncate } from '../views/common.js'
import { t, onLocaleChange } from '../i18n.js'

const HIDDEN = 'hidden'

/**
 * @param {{client: import('./client.js').BrainstormClient, board: import('../board.js').Board,
 *   live: import('../live.js').LiveProject}} opts
 */
export function linkBoard({ client, board, live }) {
  // --- hidden notes: the private room as a source of the board ---
  const syncSource = () => {
    const mine = client.private
    const shown = board.sources.get(HIDDEN)
    if (mine && (!shown || shown.doc !== mine.doc)) {
      board.addSource({
        name: HIDDEN,
        doc: mine.doc,
        ideas: mine.ideas,
        hidden: true,
        write: mine.write
      })
    } else if (!mine && shown) {
      board.removeSource(HIDDEN)
    }
    board.setTarget(client.silent() ? HIDDEN : 'board')
    board.el.classList.toggle('silent', client.silent())
    // notes written on the board while a session runs are that session's (its results)
    const state = client.snapshot
    board.sessionId = client.running() && state ? state.sessionId : null
  }

  // --- locks: the board (a banner; live.js and the board stop editing), hidden notes ---
  const banner = h('p', { class: 'banner board-lock', role: 'status', hidden: true })
  const syncLocks = () => {
    const state = client.snapshot
    const locked = Boolean(state && !state.ended && state.boardLocked)
    const held = client.boardLocked()
    const text = !locked
      ? ''
      : held
        ? t('brainstorm.board_locked_banner')
        : t('brainstorm.board_locked_facilitator')
    banner.hidden = !locked
    banner.dataset.held = held ? 'true' : 'false'
    // a live region: written only when it changes, so it is read out once
    if (banner.textContent !== text) banner.textContent = text
    board.setFrozen(HIDDEN, client.writingLocked())
  }

  // --- dots ---
  const label = (note) => truncate(str(note.map, 'text') || t('brainstorm.this_idea'), 60)
  const renderVotes = (note) => {
    const parts = note.vote
    if (!parts) return
    const state = client.snapshot
    const open = Boolean(state && !state.ended && state.phase === 'voting')
    // Once a session ended its dots and tallies leave the board: the results say the rest.
    const running = Boolean(state && !state.ended)
    const tallies = running && state.talliesVisible && state.tallies ? state.tallies : null
    const votes = client.votes
    const mine = client.myDots(note.id)
    parts.bar.hidden = !open && !tallies
    parts.vote.hidden = !open
    parts.unvote.hidden = !open
    const text = label(note)
    parts.vote.textContent = t('brainstorm.vote_button')
    parts.vote.setAttribute('aria-label', t('brainstorm.vote_for', { idea: text }))
    parts.unvote.setAttribute('aria-label', t('brainstorm.unvote_for', { idea: text }))
    parts.bar.setAttribute('aria-label', t('brainstorm.votes'))
    // A vote the rules refuse stays clickable: the click says why (the panel's alert).
    const refused = !votes
      ? ''
      : votes.remaining <= 0
        ? t('brainstorm.refused_no_votes')
        : !votes.allow_stacking && mine > 0
          ? t('brainstorm.refused_one_per_idea')
          : ''
    // the time is up under the `lock` rule: no dot goes on or off until more time
    const stopped = client.writingLocked()
    parts.vote.classList.toggle('refused', Boolean(refused))
    parts.vote.title = stopped ? t('brainstorm.writing_locked') : refused
    parts.vote.disabled = !client.contributes() || stopped
    parts.unvote.disabled = !client.contributes() || mine === 0 || stopped
    parts.dots.textContent = '●'.repeat(Math.min(mine, 20))
    parts.dots.setAttribute('aria-label', t('brainstorm.your_votes', { count: mine }))
    parts.dots.hidden = mine === 0 || !running
    parts.bar.dataset.mine = String(mine)
    const count = tallies ? Number(tallies[note.id]) || 0 : null
    parts.tally.hidden = count === null
    parts.tally.textContent = count === null ? '' : t('brainstorm.vote_count', { count })
    parts.tally.setAttribute(
      'aria-label',
      count === null ? '' : t('brainstorm.tally_total', { count })
    )
    parts.bar.dataset.tally = count === null ? '' : String(count)
  }
  const removeDots = board.addExtension({
    add(note) {
      if (note.source.hidden) return
      const vote = h('button', { type: 'button', class: 'vote-add' })
      const unvote = h('button', { type: 'button', class: 'vote-remove', text: '−' })
      const dots = h('span', { class: 'dots', role: 'img' })
      const tally = h('span', { class: 'tally' })
      const bar = h('div', { class: 'vote-bar no-drag', role: 'group' }, vote, dots, unvote, tally)
      vote.addEventListener('click', () => client.vote(note.id, label(note)))
      unvote.addEventListener('click', () => client.unvote(note.id, label(note)))
      note.el.append(bar)
      note.vote = { bar, vote, unvote, dots, tally }
      renderVotes(note)
    },
    update(note, keys) {
      if (keys === null || keys.has('text')) renderVotes(note)
    },
    remove(note) {
      if (note.vote) note.vote.bar.remove()
      note.vote = null
    }
  })
  const renderAllVotes = () => {
    for (const note of board.notes.values()) renderVotes(note)
  }

  // --- locked notes: the padlock, and the facilitators' toggle ---
  let locked = client.lockedNotes()
  const renderLock = (note) => {
    const parts = note.lock
    if (!parts) return
    const on = locked.has(note.id)
    const text = label(note)
    parts.badge.hidden = !on
    parts.badge.title = t('brainstorm.note_locked_badge')
    parts.badge.setAttribute('aria-label', t('brainstorm.note_locked_badge'))
    parts.toggle.hidden = !client.locksNotes()
    parts.toggle.textContent = on
      ? t('brainstorm.unlock_note_short')
      : t('brainstorm.lock_note_short')
    const name = on
      ? t('brainstorm.unlock_note', { idea: text })
      : t('brainstorm.lock_note', { idea: text })
    parts.toggle.setAttribute('aria-label', name)
    parts.toggle.title = name
    note.el.classList.toggle('note-locked', on)
  }
  const removeLocks = board.addExtension({
    add(note) {
      if (note.source.hidden) return
      const badge = h('span', { class: 'note-lock-badge', role: 'img', hidden: true })
      const toggle = h('button', { type: 'button', class: 'note-lock-toggle no-drag' })
      toggle.addEventListener('click', async () => {
        const ids = [note.id]
        toggle.disabled = true
        if (locked.has(note.id)) await client.unlockNotes(ids, label(note))
        else await client.lockNotes(ids, label(note))
        toggle.disabled = false
      })
      const bar = note.el.querySelector('.sticky-bar')
      if (bar) bar.append(badge, toggle)
      note.lock = { badge, toggle }
      renderLock(note)
    },
    update(note, keys) {
      if (keys === null || keys.has('text')) renderLock(note)
    },
    remove(note) {
      if (!note.lock) return
      note.lock.badge.remove()
      note.lock.toggle.remove()
      note.el.classList.remove('note-locked')
      note.lock = null
    }
  })
  const renderAllLocks = () => {
    locked = client.lockedNotes()
    for (const note of board.notes.values()) renderLock(note)
  }

  // --- summon and follow ---
  const applySummon = () => {
    const summon = client.pendingSummon
    if (!summon || !board.el.isConnected) return
    client.pendingSummon = null
    board.setView(summon)
    announce(t('brainstorm.summoned_you'))
  }
  let followed = ''
  const follow = () => {
    if (!client.following || !board.el.isConnected) {
      followed = ''
      return
    }
    const leader = client.leader()
    if (!leader) return
    const key = JSON.stringify(leader.viewport)
    if (key === followed) return
    followed = key
    board.setView(leader.viewport)
  }
  const onAwareness = batched(follow)
  live.awareness.on('change', onAwareness)

  // --- a facilitator's view, for the followers ---
  let published = ''
  const publish = () => {
    const state = client.snapshot
    const local = live.awareness.getLocalState()
    if (!local) return
    if (client.facilitates() && client.running() && board.el.isConnected) {
      const value = { sessionId: state.sessionId, role: 'facilitator', viewport: board.view() }
      const key = JSON.stringify(value)
      if (key === published) return
      published = key
      live.awareness.setLocalStateField('brainstorm', value)
    } else if (local.brainstorm) {
      published = ''
      live.awareness.setLocalStateField('brainstorm', null)
    }
  }
  const stopView = board.onView(publish)

  const onChange = batched(() => {
    syncSource()
    syncLocks()
    renderAllVotes()
    renderAllLocks()
    publish()
    follow()
  })
  const onPrivate = () => syncSource()
  const onSummon = () => applySummon()
  const onFollow = () => {
    followed = ''
    follow()
  }
  client.addEventListener('change', onChange)
  client.addEventListener('private', onPrivate)
  client.addEventListener('summon', onSummon)
  client.addEventListener('follow', onFollow)
  const stopLocale = onLocaleChange(() => {
    renderAllVotes()
    renderAllLocks()
    syncLocks()
  })
  syncSource()
  syncLocks()
  // The board is put in the page after the view is built: look at it once it is there.
  const frame = requestAnimationFrame(() => {
    applySummon()
    publish()
    follow()
  })

  return {
    /** The lock banner, for the view to put over the board. */
    banner,
    destroy() {
      cancelAnimationFrame(frame)
      stopLocale()
      client.removeEventListener('change', onChange)
      client.removeEventListener('private', onPrivate)
      client.removeEventListener('summon', onSummon)
      client.removeEventListener('follow', onFollow)
      live.awareness.off('change', onAwareness)
      stopView()
      removeDots()
      removeLocks()
      board.removeSource(HIDDEN)
      if (live.awareness.getLocalState()?.brainstorm) {
        live.awareness.setLocalStateField('brainstorm', null)
      }
    }
  }
}
