// Ideate: the idea board, a toolbar for the selected note (colour, cluster, delete), and the
// named clusters (root `clusters`, an additive v1 collection) that group notes.
import { h, newId, announce, colorFor } from '../dom.js'
import { fillOptions } from '../forms.js'
import { Board, NOTE_W, NOTE_H } from '../board.js'
import { cardList } from '../collection.js'
import { boundText } from '../fields.js'
import {
  addArtifact,
  deleteArtifact,
  entries,
  setFields,
  str,
  PALETTE,
  DEFAULT_COLOR,
  LIMITS
} from '../schema.js'
import { onRootChange } from './common.js'
import { brainstormPanel } from '../brainstorm/panel.js'
import { linkBoard } from '../brainstorm/board-link.js'

const COLOR_NAMES = PALETTE.map((c) => [c, c[0].toUpperCase() + c.slice(1)])

function clusterOptions(live) {
  return entries(live.doc, 'clusters').map(([id, c]) => [id, str(c, 'name') || '(unnamed)'])
}

/** Lay the notes out in one column per cluster (oldest first), unclustered notes last. */
function arrangeByCluster(live) {
  const columns = new Map(entries(live.doc, 'clusters').map(([id]) => [id, []]))
  const loose = []
  for (const [, idea] of entries(live.doc, 'ideas')) {
    const column = columns.get(idea.get('clusterId'))
    if (column) column.push(idea)
    else loose.push(idea)
  }
  live.write(() => {
    let x = 0
    for (const column of [...columns.values(), loose]) {
      if (!column.length) continue
      column.forEach((idea, i) => setFields(idea, { x, y: i * (NOTE_H + 16) }))
      x += NOTE_W + 56
    }
  })
}

/**
 * Move every note that overlaps an older one to the first free spot to its right (then below),
 * in one undoable step. Notes written in silence at the same spot are revealed on top of each
 * other (docs/ui.md, Brainstorm).
 */
function spreadOverlapping(live) {
  const GAP = 16
  const overlaps = (a, b) =>
    a.x < b.x + NOTE_W && b.x < a.x + NOTE_W && a.y < b.y + NOTE_H && b.y < a.y + NOTE_H
  const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : 0)
  const placed = []
  const moves = []
  for (const [, idea] of entries(live.doc, 'ideas')) {
    let spot = { x: num(idea.get('x')), y: num(idea.get('y')) }
    if (placed.some((other) => overlaps(other, spot))) {
      const from = spot
      for (let i = 1; i < 2000; i++) {
        const candidate = {
          x: from.x + (i % 8) * (NOTE_W + GAP),
          y: from.y + Math.floor(i / 8) * (NOTE_H + GAP)
        }
        if (!placed.some((other) => overlaps(other, candidate))) {
          spot = candidate
          moves.push([idea, candidate])
          break
        }
      }
    }
    placed.push(spot)
  }
  if (
    moves.length &&
    live.write(() => {
      for (const [idea, at] of moves) setFields(idea, at)
    })
  ) {
    announce(`Moved ${moves.length} ${moves.length === 1 ? 'note' : 'notes'} apart`)
  } else if (!moves.length) {
    announce('No notes overlap')
  }
}

function clustersPanel(live, user) {
  const headingId = newId('clusters')
  const list = h('ul', { class: 'cluster-list', 'aria-labelledby': headingId })
  const cards = cardList(live.doc.getMap('clusters'), list, (id, map) => {
    const name = boundText(live, map, 'name', {
      label: 'Cluster name',
      required: true,
      maxLength: LIMITS.name,
      hideLabel: true
    })
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' })
    swatch.style.setProperty('--cluster', colorFor(id))
    const count = h('span', { class: 'count' })
    const countIdeas = () => {
      let n = 0
      live.doc.getMap('ideas').forEach((idea) => {
        if (idea.get && idea.get('clusterId') === id) n += 1
      })
      count.textContent = `${n}`
      count.setAttribute('aria-label', `${n} ideas`)
    }
    countIdeas()
    const remove = h('button', {
      type: 'button',
      class: 'icon danger',
      text: '×',
      'aria-label': `Delete cluster ${str(map, 'name')}`
    })
    remove.addEventListener('click', () => {
      const what = str(map, 'name')
      if (live.write(() => deleteArtifact(live.doc, 'clusters', id))) {
        announce(`Deleted cluster ${what}; its ideas are kept`)
      }
    })
    return {
      el: h('li', { class: 'cluster' }, swatch, name.el, count, remove),
      update(keys) {
        if (keys.has('name')) {
          name.refresh()
          remove.setAttribute('aria-label', `Delete cluster ${str(map, 'name')}`)
        }
      },
      countIdeas
    }
  })
  const stop = onRootChange(live.doc.getMap('ideas'), () => {
    for (const c of cards.cards.values()) c.countIdeas()
  })
  const input = h('input', {
    type: 'text',
    maxlength: LIMITS.name,
    'aria-label': 'New cluster name'
  })
  const form = h(
    'form',
    { class: 'add-note' },
    input,
    h('button', { type: 'submit', class: 'small', text: 'Add cluster' })
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const name = input.value.trim()
    if (!name) return
    if (live.write(() => addArtifact(live.doc, 'clusters', { name }, user.id))) input.value = ''
  })
  const el = h(
    'section',
    { class: 'clusters-panel panel', 'aria-labelledby': headingId },
    h('h2', { id: headingId, text: 'Clusters' }),
    list,
    form
  )
  return {
    el,
    destroy() {
      stop()
      cards.destroy()
    }
  }
}

/** Zoom out / level / in / reset for the board (works for viewers too: it changes nothing). */
function zoomControls(board) {
  const level = h('output', { class: 'zoom-level', 'aria-label': 'Zoom level', text: '100%' })
  const show = () => {
    level.textContent = `${Math.round(board.zoom * 100)}%`
  }
  // role=button spans, not <button>s: a viewer's disabled fieldset must not disable them
  const control = (text, label, fn) => {
    const el = h('span', {
      class: 'zoom-button',
      role: 'button',
      tabindex: '0',
      'aria-label': label,
      text
    })
    const run = () => {
      fn()
      show()
    }
    el.addEventListener('click', run)
    el.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault()
        run()
      }
    })
    return el
  }
  board.onView(show) // the board drops its listeners when it is destroyed
  const el = h(
    'div',
    { class: 'zoom', role: 'group', 'aria-label': 'Zoom' },
    control('−', 'Zoom out', () => board.stepZoom(-1)),
    level,
    control('+', 'Zoom in', () => board.stepZoom(1)),
    control('1:1', 'Reset zoom', () => board.setZoom(1))
  )
  return el
}

/**
 * @param {{live: import('../live.js').LiveProject, user: {id: string}, members: Map<string,string>,
 *   team?: Array<{user_id: string, name: string, role: string}>,
 *   brainstorm?: import('../brainstorm/client.js').BrainstormClient | null}} ctx
 */
export function ideateView(ctx) {
  const { live, user } = ctx
  const colour = h(
    'select',
    { 'aria-label': 'Colour of the selected idea' },
    ...COLOR_NAMES.map(([v, t]) => h('option', { value: v, text: t }))
  )
  const cluster = h('select', { 'aria-label': 'Cluster of the selected idea' })
  const remove = h('button', { type: 'button', class: 'ghost danger', text: 'Delete idea' })
  const selectedLabel = h('span', { class: 'selected-label', text: 'No idea selected' })
  const selection = [colour, cluster, remove]
  let selected = null

  // `selected` is a board key: an idea id, or `hidden:<id>` for a hidden brainstorm note
  const showSelection = (id) => {
    selected = id
    const note = id ? board.note(id) : null
    const idea = note ? note.map : null
    for (const control of selection) control.toggleAttribute('disabled', !idea)
    // a hidden note has no cluster yet: clusters are for the board's notes
    if (note && note.source.hidden) cluster.disabled = true
    selectedLabel.textContent = idea
      ? `Selected: ${str(idea, 'text').slice(0, 40)}`
      : 'No idea selected'
    fillOptions(cluster, [['', '(no cluster)'], ...clusterOptions(live)])
    if (!idea) return
    const c = idea.get('color')
    if (!PALETTE.includes(c) && typeof c === 'string') fillOptions(colour, [...COLOR_NAMES, [c, c]])
    colour.value = typeof c === 'string' ? c : DEFAULT_COLOR
    cluster.value = typeof idea.get('clusterId') === 'string' ? idea.get('clusterId') : ''
  }
  const board = new Board({ live, members: ctx.members, onSelect: showSelection })
  colour.addEventListener('change', () => {
    board.setNoteFields(selected, { color: colour.value })
  })
  cluster.addEventListener('change', () => {
    board.setNoteFields(selected, { clusterId: cluster.value || null })
  })
  remove.addEventListener('click', () => {
    const hidden = board.note(selected)?.source.hidden
    if (selected && board.deleteNote(selected)) {
      announce(hidden ? 'Hidden idea deleted.' : 'Idea deleted. Undo with Ctrl+Z.')
    }
  })
  const stopClusters = onRootChange(live.doc.getMap('clusters'), () => showSelection(selected))

  const text = h('input', { type: 'text', maxlength: LIMITS.text, 'aria-label': 'New idea' })
  const newColour = h(
    'select',
    { 'aria-label': 'Colour of the new idea' },
    ...COLOR_NAMES.map(([v, t]) => h('option', { value: v, text: t }))
  )
  const add = h(
    'form',
    { class: 'add-idea' },
    text,
    newColour,
    h('button', { type: 'submit', class: 'primary', text: 'Add idea' })
  )
  add.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = text.value.trim()
    if (!value) {
      text.focus()
      return
    }
    if (board.create(value, undefined, false, newColour.value)) {
      text.value = ''
      announce(`Added idea ${value}`)
    }
  })
  const arrange = h('button', { type: 'button', class: 'ghost', text: 'Arrange by cluster' })
  arrange.addEventListener('click', () => arrangeByCluster(live))
  const spread = h('button', {
    type: 'button',
    class: 'ghost',
    text: 'Spread out',
    'aria-label': 'Spread out overlapping notes'
  })
  spread.addEventListener('click', () => spreadOverlapping(live))
  const panel = clustersPanel(live, user)
  showSelection(null)
  const toolbar = h(
    'div',
    { class: 'board-toolbar' },
    add,
    h(
      'div',
      { class: 'selection', role: 'group', 'aria-label': 'Selected idea' },
      selectedLabel,
      colour,
      cluster,
      remove
    ),
    arrange,
    spread,
    zoomControls(board)
  )
  // The brainstorm: the panel, and what it does to the board (hidden notes, dots, follow, summon).
  const brainstorm = ctx.brainstorm
    ? brainstormPanel({ client: ctx.brainstorm, board, members: ctx.members, team: ctx.team || [] })
    : null
  const link = ctx.brainstorm ? linkBoard({ client: ctx.brainstorm, board, live }) : null
  return {
    el: h(
      'div',
      { class: 'phase phase-ideate' },
      brainstorm ? brainstorm.el : null,
      h('h2', { class: 'visually-hidden', text: 'Idea board' }),
      toolbar,
      h('div', { class: 'ideate-layout' }, board.el, panel.el),
      h('p', {
        class: 'hint',
        text: 'Double-click the board to add a note. Drag a note by its bar, or focus its ⠿ handle and use the arrow keys.'
      })
    ),
    destroy() {
      stopClusters()
      if (link) link.destroy()
      if (brainstorm) brainstorm.destroy()
      board.destroy()
      panel.destroy()
    },
    board
  }
}
