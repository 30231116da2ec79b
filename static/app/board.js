// The idea board: sticky notes placed at their x/y, dragged with the pointer or the arrow
// keys, cluster frames around grouped notes, and other people's cursors. Each note's DOM is
// built once and only the notes that Yjs events touched are updated.
import { h, colorFor, batched, throttle } from './dom.js'
import { watchCollection } from './collection.js'
import { addArtifact, str, setFields, isColor, PALETTE, LIMITS } from './schema.js'

export const NOTE_W = 176
export const NOTE_H = 136
const PAD = 48
const DRAG_WRITE_MS = 60
const CURSOR_MS = 100
const LIMIT = 1_000_000
const STACK_SHIFT = 26

const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : 0)
const clamp = (value) => Math.max(-LIMIT, Math.min(LIMIT, Math.round(value)))

export class Board {
  /**
   * @param {{live: import('./live.js').LiveProject, members: Map<string, string>,
   *   onSelect: (id: string|null) => void}} opts
   */
  constructor ({ live, members, onSelect }) {
    this.live = live
    this.members = members
    this.onSelect = onSelect
    this.ideas = live.doc.getMap('ideas')
    this.clusters = live.doc.getMap('clusters')
    /** @type {Map<string, {el: HTMLElement, text: HTMLTextAreaElement, tag: HTMLElement, by: HTMLElement, map: any, x: number, y: number}>} */
    this.notes = new Map()
    this.origin = { x: PAD, y: PAD }
    this.selected = null
    this.dragging = null
    this.frames = h('div', { class: 'frames', 'aria-hidden': 'true' })
    this.layer = h('div', { class: 'notes-layer' })
    this.cursors = h('div', { class: 'cursors', 'aria-hidden': 'true' })
    this.canvas = h('div', { class: 'canvas' }, this.frames, this.layer, this.cursors)
    this.el = h('div', {
      class: 'board', role: 'region', 'aria-label': 'Idea board', tabindex: '-1'
    }, this.canvas)
    this.relayout = batched(() => this.layout())
    this.stop = watchCollection(this.ideas, {
      added: (id, map) => { this.removeNote(id); this.addNote(id, map); this.relayout() },
      changed: (id, map, keys) => { this.updateNote(id, keys); this.relayout() },
      removed: (id) => { this.removeNote(id); this.relayout() }
    })
    this.onClusters = batched(() => { for (const id of this.notes.keys()) this.updateNote(id, new Set(['clusterId'])); this.layout() })
    this.clusters.observeDeep(this.onClusters)
    this.onAwareness = batched(() => this.renderCursors())
    live.awareness.on('change', this.onAwareness)
    this.sendCursor = throttle((cursor) => live.setCursor(cursor), CURSOR_MS)
    this.el.addEventListener('pointermove', (event) => this.sendCursor(this.toBoard(event)))
    this.el.addEventListener('pointerleave', () => this.sendCursor(null))
    this.el.addEventListener('dblclick', (event) => {
      if (event.target === this.el || event.target === this.canvas || event.target === this.layer) {
        const at = this.toBoard(event)
        this.create('New idea', { x: at.x - NOTE_W / 2, y: at.y - 20 }, true)
      }
    })
    this.layout()
    this.renderCursors()
  }

  /** Board coordinates of a pointer event. */
  toBoard (event) {
    const rect = this.canvas.getBoundingClientRect()
    return { x: Math.round(event.clientX - rect.left - this.origin.x), y: Math.round(event.clientY - rect.top - this.origin.y) }
  }

  /** Where a new note goes: the first free cell of a grid over the visible part of the board. */
  freeSpot () {
    const cellW = NOTE_W + 16
    const cellH = NOTE_H + 16
    const left = this.el.scrollLeft - this.origin.x + PAD
    const top = this.el.scrollTop - this.origin.y + PAD
    const columns = Math.max(1, Math.floor((this.el.clientWidth - PAD) / cellW))
    const taken = Array.from(this.notes.values())
    for (let i = 0; i < columns * 40; i++) {
      const x = left + (i % columns) * cellW
      const y = top + Math.floor(i / columns) * cellH
      const free = taken.every((n) => n.x >= x + NOTE_W || n.x + NOTE_W <= x || n.y >= y + NOTE_H || n.y + NOTE_H <= y)
      if (free) return { x, y }
    }
    return { x: left + (this.notes.size % 12) * 22, y: top + (this.notes.size % 12) * 22 }
  }

  /**
   * Create a note (text, colour) at `at`; focus it when `edit`.
   * @returns {string|null} its id
   */
  create (text, at = this.freeSpot(), edit = false, color = 'yellow') {
    let id = null
    const ok = this.live.write(() => {
      id = addArtifact(this.live.doc, 'ideas', {
        text, color, x: clamp(at.x), y: clamp(at.y), clusterId: null, authorId: this.live.user.id
      }, this.live.user.id)
    })
    if (!ok) return null
    const note = this.notes.get(id)
    if (note && edit) {
      note.text.focus()
      note.text.select()
    }
    return id
  }

  addNote (id, map) {
    const text = h('textarea', { class: 'sticky-text', maxlength: LIMITS.text, 'aria-label': 'Idea text' })
    const handle = h('button', { type: 'button', class: 'handle', 'aria-label': 'Move idea (arrow keys)', text: '⠿' })
    const tag = h('span', { class: 'cluster-tag' })
    const by = h('span', { class: 'by' })
    const el = h('div', { class: 'sticky', role: 'group', dataset: { id } },
      h('div', { class: 'sticky-bar' }, handle, tag), text, by)
    const note = { id, el, text, tag, by, map, x: 0, y: 0, shift: 0 }
    this.notes.set(id, note)
    text.addEventListener('input', () => {
      const value = text.value
      text.setAttribute('aria-invalid', value.trim() ? 'false' : 'true')
      if (value.trim()) this.live.write(() => setFields(map, { text: value }))
    })
    text.addEventListener('change', () => { if (!text.value.trim()) { text.value = str(map, 'text'); text.setAttribute('aria-invalid', 'false') } })
    el.addEventListener('focusin', () => this.select(id))
    el.addEventListener('pointerdown', (event) => this.startDrag(event, id))
    handle.addEventListener('keydown', (event) => this.keyMove(event, id))
    this.updateNote(id, null)
    this.layer.append(el)
  }

  /** @param {string} id @param {Set<string>|null} keys null: everything */
  updateNote (id, keys) {
    const note = this.notes.get(id)
    if (!note) return
    const { map, el, text } = note
    const all = keys === null
    if (all || keys.has('text')) {
      const value = str(map, 'text')
      if (text.value !== value && !(document.activeElement === text && text.getAttribute('aria-invalid') === 'true')) {
        if (document.activeElement === text) {
          const { selectionStart, selectionEnd } = text
          text.value = value
          text.setSelectionRange(selectionStart, selectionEnd)
        } else {
          text.value = value
        }
      }
      el.setAttribute('aria-label', `Idea: ${value.slice(0, 60)}`)
    }
    if (all || keys.has('color')) {
      const color = map.get('color')
      const named = PALETTE.includes(color) ? color : isColor(color) ? 'custom' : 'yellow'
      el.dataset.color = named
      if (named === 'custom') el.style.setProperty('--note', color)
      else el.style.removeProperty('--note')
    }
    if ((all || keys.has('x') || keys.has('y')) && this.dragging?.id !== id) {
      note.x = num(map.get('x'))
      note.y = num(map.get('y'))
      this.place(note)
    }
    if (all || keys.has('clusterId')) {
      const clusterId = map.get('clusterId')
      const cluster = typeof clusterId === 'string' ? this.clusters.get(clusterId) : null
      const name = cluster && typeof cluster.get === 'function' ? str(cluster, 'name') : ''
      note.tag.textContent = name
      note.tag.hidden = !name
      el.classList.toggle('clustered', Boolean(name))
      if (name) el.style.setProperty('--cluster', colorFor(clusterId))
    }
    if (all || keys.has('authorId')) {
      const author = map.get('authorId')
      note.by.textContent = this.members.get(author) || ''
    }
    if (this.selected === id) this.onSelect(id)
  }

  removeNote (id) {
    const note = this.notes.get(id)
    if (!note) return
    note.el.remove()
    this.notes.delete(id)
    if (this.selected === id) this.select(null)
  }

  select (id) {
    if (this.selected === id) return
    const before = this.selected && this.notes.get(this.selected)
    if (before) before.el.classList.remove('selected')
    this.selected = id
    const now = id && this.notes.get(id)
    if (now) now.el.classList.add('selected')
    this.onSelect(id)
  }

  /** Move a note (in one undoable step per gesture: the undo manager groups quick writes). */
  moveTo (id, x, y) {
    const note = this.notes.get(id)
    if (!note) return
    note.x = clamp(x)
    note.y = clamp(y)
    note.shift = 0
    this.place(note)
    this.live.write(() => setFields(note.map, { x: note.x, y: note.y }))
  }

  startDrag (event, id) {
    if (this.live.readOnly || event.button !== 0) return
    const target = /** @type {HTMLElement} */ (event.target)
    if (target.closest('textarea')) return
    const note = this.notes.get(id)
    if (!note) return
    event.preventDefault()
    this.select(id)
    // start from where the note shows (a stacked note shows shifted)
    const start = { px: event.clientX, py: event.clientY, x: note.x + note.shift, y: note.y + note.shift }
    const write = throttle((x, y) => { if (this.notes.has(id)) this.moveTo(id, x, y) }, DRAG_WRITE_MS)
    this.dragging = { id }
    note.el.classList.add('dragging')
    note.el.setPointerCapture(event.pointerId)
    const move = (e) => {
      const x = start.x + e.clientX - start.px
      const y = start.y + e.clientY - start.py
      note.el.style.transform = `translate(${x}px, ${y}px)`
      write(x, y)
      this.sendCursor(this.toBoard(e))
    }
    const end = (e) => {
      note.el.removeEventListener('pointermove', move)
      note.el.removeEventListener('pointerup', end)
      note.el.removeEventListener('pointercancel', end)
      note.el.classList.remove('dragging')
      const x = start.x + e.clientX - start.px
      const y = start.y + e.clientY - start.py
      if (x !== start.x || y !== start.y) this.moveTo(id, x, y)
      this.dragging = null
      this.relayout()
    }
    note.el.addEventListener('pointermove', move)
    note.el.addEventListener('pointerup', end)
    note.el.addEventListener('pointercancel', end)
  }

  keyMove (event, id) {
    const step = event.shiftKey ? 50 : 10
    const delta = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key]
    if (!delta) return
    event.preventDefault()
    const note = this.notes.get(id)
    if (note) this.moveTo(id, note.x + note.shift + delta[0], note.y + note.shift + delta[1])
  }

  /** Show a note where the document puts it (plus its fan-out shift). */
  place (note) {
    note.el.style.transform = `translate(${note.x + note.shift}px, ${note.y + note.shift}px)`
  }

  /** Size the canvas to the notes, shift it so negative positions show, draw cluster frames. */
  layout () {
    let minX = 0
    let minY = 0
    let maxX = 0
    let maxY = 0
    /** @type {Map<string, {x0: number, y0: number, x1: number, y1: number, n: number}>} */
    const groups = new Map()
    // Notes at exactly the same spot (REST creates them at 0,0) are shown fanned out, so that
    // each one can be seen and grabbed; the document keeps their coordinates.
    const stacked = new Map()
    for (const note of this.notes.values()) {
      const spot = `${note.x},${note.y}`
      const below = stacked.get(spot) || 0
      stacked.set(spot, below + 1)
      const shift = below * STACK_SHIFT
      if (shift !== note.shift && this.dragging?.id !== note.id) {
        note.shift = shift
        this.place(note)
      }
      minX = Math.min(minX, note.x)
      minY = Math.min(minY, note.y)
      maxX = Math.max(maxX, note.x + note.shift + NOTE_W)
      maxY = Math.max(maxY, note.y + note.shift + NOTE_H)
      const clusterId = note.map.get('clusterId')
      if (typeof clusterId !== 'string' || !(this.clusters.get(clusterId))) continue
      const g = groups.get(clusterId)
      if (g) {
        g.x0 = Math.min(g.x0, note.x); g.y0 = Math.min(g.y0, note.y)
        g.x1 = Math.max(g.x1, note.x + NOTE_W); g.y1 = Math.max(g.y1, note.y + NOTE_H)
        g.n += 1
      } else {
        groups.set(clusterId, { x0: note.x, y0: note.y, x1: note.x + NOTE_W, y1: note.y + NOTE_H, n: 1 })
      }
    }
    this.origin = { x: PAD - minX, y: PAD + 24 - minY }
    const shift = `translate(${this.origin.x}px, ${this.origin.y}px)`
    for (const layer of [this.frames, this.layer, this.cursors]) layer.style.transform = shift
    this.canvas.style.width = `${maxX - minX + 2 * PAD + NOTE_W * 2}px`
    this.canvas.style.height = `${maxY - minY + 2 * PAD + NOTE_H * 2}px`
    const frames = []
    groups.forEach((g, clusterId) => {
      const cluster = this.clusters.get(clusterId)
      const frame = h('div', { class: 'frame' }, h('span', { class: 'frame-name', text: `${str(cluster, 'name')} (${g.n})` }))
      frame.style.setProperty('--cluster', colorFor(clusterId))
      frame.style.transform = `translate(${g.x0 - 12}px, ${g.y0 - 30}px)`
      frame.style.width = `${g.x1 - g.x0 + 24}px`
      frame.style.height = `${g.y1 - g.y0 + 42}px`
      frames.push(frame)
    })
    this.frames.replaceChildren(...frames)
  }

  renderCursors () {
    const items = []
    for (const person of this.live.people()) {
      if (person.self || person.phase !== 'ideate' || !person.cursor) continue
      const { x, y } = person.cursor
      if (typeof x !== 'number' || typeof y !== 'number') continue
      const cursor = h('div', { class: 'cursor' }, h('span', { class: 'cursor-name', text: person.user.name }))
      cursor.style.setProperty('--who', person.user.color || colorFor(person.user.id))
      cursor.style.transform = `translate(${x}px, ${y}px)`
      cursor.dataset.user = person.user.id
      items.push(cursor)
    }
    this.cursors.replaceChildren(...items)
  }

  destroy () {
    this.stop()
    this.clusters.unobserveDeep(this.onClusters)
    this.live.awareness.off('change', this.onAwareness)
    this.live.setCursor(null)
  }
}
