// Ideate: the idea board, a toolbar for the selected note (colour, cluster, delete), and the
// named clusters (root `clusters`, an additive v1 collection) that group notes.
import { h, newId, announce, colorFor } from '../dom.js'
import { fillOptions } from '../forms.js'
import { Board, NOTE_W, NOTE_H } from '../board.js'
import { cardList } from '../collection.js'
import { boundText } from '../fields.js'
import { addArtifact, deleteArtifact, entries, setFields, str, PALETTE, LIMITS } from '../schema.js'
import { onRootChange } from './common.js'

const COLOR_NAMES = PALETTE.map((c) => [c, c[0].toUpperCase() + c.slice(1)])

function clusterOptions (live) {
  return entries(live.doc, 'clusters').map(([id, c]) => [id, str(c, 'name') || '(unnamed)'])
}

/** Lay the notes out in one column per cluster (oldest first), unclustered notes last. */
function arrangeByCluster (live) {
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

function clustersPanel (live, user) {
  const headingId = newId('clusters')
  const list = h('ul', { class: 'cluster-list', 'aria-labelledby': headingId })
  const cards = cardList(live.doc.getMap('clusters'), list, (id, map) => {
    const name = boundText(live, map, 'name', { label: 'Cluster name', required: true, maxLength: LIMITS.name, hideLabel: true })
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' })
    swatch.style.setProperty('--cluster', colorFor(id))
    const count = h('span', { class: 'count' })
    const countIdeas = () => {
      let n = 0
      live.doc.getMap('ideas').forEach((idea) => { if (idea.get && idea.get('clusterId') === id) n += 1 })
      count.textContent = `${n}`
      count.setAttribute('aria-label', `${n} ideas`)
    }
    countIdeas()
    const remove = h('button', { type: 'button', class: 'icon danger', text: '×', 'aria-label': `Delete cluster ${str(map, 'name')}` })
    remove.addEventListener('click', () => {
      const what = str(map, 'name')
      if (live.write(() => deleteArtifact(live.doc, 'clusters', id))) announce(`Deleted cluster ${what}; its ideas are kept`)
    })
    return {
      el: h('li', { class: 'cluster' }, swatch, name.el, count, remove),
      update (keys) { if (keys.has('name')) { name.refresh(); remove.setAttribute('aria-label', `Delete cluster ${str(map, 'name')}`) } },
      countIdeas
    }
  })
  const stop = onRootChange(live.doc.getMap('ideas'), () => { for (const c of cards.cards.values()) c.countIdeas() })
  const input = h('input', { type: 'text', maxlength: LIMITS.name, 'aria-label': 'New cluster name' })
  const form = h('form', { class: 'add-note' }, input, h('button', { type: 'submit', class: 'small', text: 'Add cluster' }))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const name = input.value.trim()
    if (!name) return
    if (live.write(() => addArtifact(live.doc, 'clusters', { name }, user.id))) input.value = ''
  })
  const el = h('section', { class: 'clusters-panel panel', 'aria-labelledby': headingId },
    h('h2', { id: headingId, text: 'Clusters' }), list, form)
  return { el, destroy () { stop(); cards.destroy() } }
}

/** @param {{live: import('../live.js').LiveProject, user: {id: string}, members: Map<string,string>}} ctx */
export function ideateView (ctx) {
  const { live, user } = ctx
  const colour = h('select', { 'aria-label': 'Colour of the selected idea' }, ...COLOR_NAMES.map(([v, t]) => h('option', { value: v, text: t })))
  const cluster = h('select', { 'aria-label': 'Cluster of the selected idea' })
  const remove = h('button', { type: 'button', class: 'ghost danger', text: 'Delete idea' })
  const selectedLabel = h('span', { class: 'selected-label', text: 'No idea selected' })
  const selection = [colour, cluster, remove]
  let selected = null

  const showSelection = (id) => {
    selected = id
    const idea = id ? live.doc.getMap('ideas').get(id) : null
    for (const control of selection) control.toggleAttribute('disabled', !idea)
    selectedLabel.textContent = idea ? `Selected: ${str(idea, 'text').slice(0, 40)}` : 'No idea selected'
    fillOptions(cluster, [['', '(no cluster)'], ...clusterOptions(live)])
    if (!idea) return
    const c = idea.get('color')
    if (!PALETTE.includes(c) && typeof c === 'string') fillOptions(colour, [...COLOR_NAMES, [c, c]])
    colour.value = typeof c === 'string' ? c : 'yellow'
    cluster.value = typeof idea.get('clusterId') === 'string' ? idea.get('clusterId') : ''
  }
  const board = new Board({ live, members: ctx.members, onSelect: showSelection })
  const selectedIdea = () => (selected ? live.doc.getMap('ideas').get(selected) : null)
  colour.addEventListener('change', () => {
    const idea = selectedIdea()
    if (idea) live.write(() => setFields(idea, { color: colour.value }))
  })
  cluster.addEventListener('change', () => {
    const idea = selectedIdea()
    if (idea) live.write(() => setFields(idea, { clusterId: cluster.value || null }))
  })
  remove.addEventListener('click', () => {
    if (selected && live.write(() => deleteArtifact(live.doc, 'ideas', selected))) announce('Idea deleted. Undo with Ctrl+Z.')
  })
  const stopClusters = onRootChange(live.doc.getMap('clusters'), () => showSelection(selected))

  const text = h('input', { type: 'text', maxlength: LIMITS.text, 'aria-label': 'New idea' })
  const newColour = h('select', { 'aria-label': 'Colour of the new idea' }, ...COLOR_NAMES.map(([v, t]) => h('option', { value: v, text: t })))
  const add = h('form', { class: 'add-idea' }, text, newColour, h('button', { type: 'submit', class: 'primary', text: 'Add idea' }))
  add.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = text.value.trim()
    if (!value) { text.focus(); return }
    if (board.create(value, undefined, false, newColour.value)) {
      text.value = ''
      announce(`Added idea ${value}`)
    }
  })
  const arrange = h('button', { type: 'button', class: 'ghost', text: 'Arrange by cluster' })
  arrange.addEventListener('click', () => arrangeByCluster(live))
  const panel = clustersPanel(live, user)
  showSelection(null)
  const toolbar = h('div', { class: 'board-toolbar' },
    add,
    h('div', { class: 'selection', role: 'group', 'aria-label': 'Selected idea' }, selectedLabel, colour, cluster, remove),
    arrange)
  return {
    el: h('div', { class: 'phase phase-ideate' },
      h('h2', { class: 'visually-hidden', text: 'Idea board' }),
      toolbar,
      h('div', { class: 'ideate-layout' }, board.el, panel.el),
      h('p', { class: 'hint', text: 'Double-click the board to add a note. Drag a note by its bar, or focus its ⠿ handle and use the arrow keys.' })),
    destroy () { stopClusters(); board.destroy(); panel.destroy() },
    board
  }
}
