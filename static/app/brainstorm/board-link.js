// What a brainstorm does to the idea board (docs/ui.md, Brainstorm):
// * silent phase: the participant's private room is a second source of notes, shown marked
//   "hidden until reveal", and new notes go there;
// * voting: each note gets its vote controls, my dots and (once shown) the tally;
// * a summon moves the view once; "Follow facilitator" keeps it on the facilitator's view;
// * a facilitator's view is published in awareness (`brainstorm.viewport`).
import { h, announce, batched } from '../dom.js'
import { str } from '../schema.js'
import { truncate } from '../views/common.js'

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
  }

  // --- dots ---
  const label = (note) => truncate(str(note.map, 'text') || 'this idea', 60)
  const renderVotes = (note) => {
    const parts = note.vote
    if (!parts) return
    const state = client.snapshot
    const open = Boolean(state && !state.ended && state.phase === 'voting')
    const tallies = state && state.talliesVisible && state.tallies ? state.tallies : null
    const votes = client.votes
    const mine = client.myDots(note.id)
    parts.bar.hidden = !open && !tallies
    parts.vote.hidden = !open
    parts.unvote.hidden = !open
    const text = label(note)
    parts.vote.setAttribute('aria-label', `Vote for ${text}`)
    parts.unvote.setAttribute('aria-label', `Remove vote from ${text}`)
    // A vote the rules refuse stays clickable: the click says why (the panel's alert).
    const refused = !votes
      ? ''
      : votes.remaining <= 0
        ? 'No votes left'
        : !votes.allow_stacking && mine > 0
          ? 'One vote per idea'
          : ''
    parts.vote.classList.toggle('refused', Boolean(refused))
    parts.vote.title = refused
    parts.vote.disabled = !client.contributes()
    parts.unvote.disabled = !client.contributes() || mine === 0
    parts.dots.textContent = '●'.repeat(Math.min(mine, 20))
    parts.dots.setAttribute('aria-label', `Your votes: ${mine}`)
    parts.dots.hidden = mine === 0
    parts.bar.dataset.mine = String(mine)
    const count = tallies ? Number(tallies[note.id]) || 0 : null
    parts.tally.hidden = count === null
    parts.tally.textContent = count === null ? '' : `${count} ${count === 1 ? 'vote' : 'votes'}`
    parts.tally.setAttribute(
      'aria-label',
      count === null ? '' : `Total: ${count} ${count === 1 ? 'vote' : 'votes'}`
    )
    parts.bar.dataset.tally = count === null ? '' : String(count)
  }
  const removeDots = board.addExtension({
    add(note) {
      if (note.source.hidden) return
      const vote = h('button', { type: 'button', class: 'vote-add', text: '+ Vote' })
      const unvote = h('button', { type: 'button', class: 'vote-remove', text: '−' })
      const dots = h('span', { class: 'dots', role: 'img' })
      const tally = h('span', { class: 'tally' })
      const bar = h(
        'div',
        { class: 'vote-bar no-drag', role: 'group', 'aria-label': 'Votes' },
        vote,
        dots,
        unvote,
        tally
      )
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

  // --- summon and follow ---
  const applySummon = () => {
    const summon = client.pendingSummon
    if (!summon || !board.el.isConnected) return
    client.pendingSummon = null
    board.setView(summon)
    announce('The facilitator brought everyone to their view of the board.')
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
    renderAllVotes()
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
  syncSource()
  // The board is put in the page after the view is built: look at it once it is there.
  const frame = requestAnimationFrame(() => {
    applySummon()
    publish()
    follow()
  })

  return {
    destroy() {
      cancelAnimationFrame(frame)
      client.removeEventListener('change', onChange)
      client.removeEventListener('private', onPrivate)
      client.removeEventListener('summon', onSummon)
      client.removeEventListener('follow', onFollow)
      live.awareness.off('change', onAwareness)
      stopView()
      removeDots()
      board.removeSource(HIDDEN)
      if (live.awareness.getLocalState()?.brainstorm) {
        live.awareness.setLocalStateField('brainstorm', null)
      }
    }
  }
}
