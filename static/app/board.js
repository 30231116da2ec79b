// The idea board: sticky notes placed at their x/y, dragged with the pointer or the arrow
// keys, cluster frames around grouped notes, and other people's cursors. Each note's DOM is
// built once and only the notes that Yjs events touched are updated.
//
// Notes come from sources: the board's own `ideas` and, during a silent brainstorm, the
// participant's private room (hidden notes, same schema). Extensions (the brainstorm's vote
// controls) add to each note. The view (scroll position and zoom) can be read and set in board
// coordinates, for follow-me and summon.
//
// Its words follow a change of language by themselves (onLocaleChange, dropped in destroy):
// the notes are relabelled in place, not rebuilt.
import { h, colorFor, batched, throttle } from './dom.js'
import { watchCollection } from './collection.js'
import { t, onLocaleChange, removedParticipant } from './i18n.js'
import { contentUrl, isFileId, thumbnailUrl } from './uploads.js'
import { layoutClusters, clusterColors, frameAt, readClusters } from './cluster-layout.js'
import { bindText } from './text-binding.js'
import {
  addArtifact,
  deleteArtifact,
  str,
  setFields,
  isColor,
  PALETTE,
  DEFAULT_COLOR,
  LIMITS
} from './schema.js'

export const NOTE_W = 176
export const NOTE_H = 136
const PAD = 48
const DRAG_WRITE_MS = 60
const CURSOR_MS = 100
const LIMIT = 1_000_000
const STACK_SHIFT = 26
export const ZOOMS = [0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2]
const MIN_ZOOM = 0.1
const MAX_ZOOM = 4
const VIEW_MS = 200 // awareness: the server allows 20 updates a second, cursors use up to 10

const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : 0)
const clamp = (value) => Math.max(-LIMIT, Math.min(LIMIT, Math.round(value)))

/**
 * Where notes live: the board's `ideas`, or a private room's.
 * @typedef {{name: string, doc: any, ideas: any, hidden: boolean,
 *   write: (fn: () => void, notes?: string[]) => boolean,
 *   writeStep?: (fn: () => void, notes?: string[]) => boolean,
 *   stop?: () => void}} Source
 *   `notes`: the ideas a write changes (the board's source refuses one a lock holds)
 * Something that adds to every note (called with the note object).
 * @typedef {{add?: (note: any) => void, update?: (note: any, keys: Set<string>|null) => void,
 *   remove?: (note: any) => void}} Extension
 */

/** Where a screen remembers that it hides the others' cursors. */
const CURSORS_KEY = 'dttools.board.cursors'

/** Put a frame's element at its box (board units). */
function box(el, { x0, y0, x1, y1 }) {
  el.style.transform = `translate(${x0}px, ${y0}px)`
  el.style.width = `${x1 - x0}px`
  el.style.height = `${y1 - y0}px`
}

export class Board {
  /**
   * @param {{live: import('./live.js').LiveProject, members: Map<string, string>,
   *   onSelect: (id: string|null) => void}} opts
   */
  constructor({ live, members, onSelect }) {
    this.live = live
    this.members = members
    this.onSelect = onSelect
    this.ideas = live.doc.getMap('ideas')
    this.clusters = live.doc.getMap('clusters')
    /** Brainstorm sessions' areas (root `frames`, written by the server's reveal). */
    this.areas = live.doc.getMap('frames')
    /** The running brainstorm session: notes created on the board are its own (board-link). */
    this.sessionId = null
    /** Cluster frames as last laid out (cluster-layout.js), for dropping notes on them. */
    this.clusterFrames = []
    /** Cluster colours by id. @type {Map<string, string>} */
    this.colors = new Map()
    /**
     * Notes by key: the idea id for the board's notes, `hidden:<id>` for hidden ones.
     * @type {Map<string, {key: string, id: string, source: Source, el: HTMLElement, text: HTMLTextAreaElement, image: HTMLImageElement, handle: HTMLElement, badge: HTMLElement | null, tag: HTMLElement, by: HTMLElement, map: any, x: number, y: number, shift: number, slot: {x: number, y: number} | null, binding: import('./text-binding.js').Binding | null}>}
     */
    this.notes = new Map()
    /** @type {Map<string, Source>} */
    this.sources = new Map()
    /** @type {Extension[]} */
    this.extensions = []
    this.origin = { x: PAD, y: PAD }
    this.zoom = 1
    /** A point the view was sent to: the canvas reaches it even where there are no notes. */
    this.anchor = null
    this.selected = null
    this.dragging = null
    /** Sources whose notes may not change now (the board's: see frozen()). */
    this.frozenSources = new Set()
    /** @type {Set<() => void>} told when what may be edited changes (see onEditable) */
    this.editListeners = new Set()
    this.frames = h('div', { class: 'frames', 'aria-hidden': 'true' })
    this.layer = h('div', { class: 'notes-layer' })
    this.cursors = h('div', { class: 'cursors', 'aria-hidden': 'true' })
    this.canvas = h('div', { class: 'canvas' }, this.frames, this.layer, this.cursors)
    this.sizer = h('div', { class: 'zoom-box' }, this.canvas)
    this.el = h(
      'div',
      {
        class: 'board',
        role: 'region',
        'aria-label': t('board.label'),
        tabindex: '-1'
      },
      this.sizer
    )
    this.relayout = batched(() => this.layout())
    /** @type {Set<(view: {x: number, y: number, zoom: number}) => void>} */
    this.viewListeners = new Set()
    /** @type {Set<() => void>} */
    this.layoutListeners = new Set()
    const board = {
      name: 'board',
      doc: live.doc,
      ideas: this.ideas,
      hidden: false,
      write: (fn, notes) => live.write(fn, notes),
      writeStep: (fn, notes) => live.writeStep(fn, notes)
    }
    /** Where new notes go. @type {Source} */
    this.target = board
    this.addSource(board)
    this.el.addEventListener(
      'scroll',
      throttle(() => this.viewChanged(), VIEW_MS),
      { passive: true }
    )
    this.onClusters = batched(() => {
      this.colors = clusterColors(this.clusterInfos())
      for (const id of this.notes.keys()) this.updateNote(id, new Set(['clusterId']))
      this.layout()
    })
    this.colors = clusterColors(this.clusterInfos())
    this.clusters.observeDeep(this.onClusters)
    this.areas.observeDeep(this.relayout)
    this.onAwareness = batched(() => {
      this.renderCursors()
      this.learnNames()
    })
    live.awareness.on('change', this.onAwareness)
    // a facilitator's lock of the board or of some notes holds (or frees) this user: see
    // frozen() and noteFrozen()
    this.onLock = () => this.applyFrozen()
    live.addEventListener('lock', this.onLock)
    /** @param {{x: number, y: number} | null} cursor */
    const setCursor = (cursor) => live.setCursor(cursor)
    this.sendCursor = throttle(setCursor, CURSOR_MS)
    this.el.addEventListener('pointermove', (event) => this.sendCursor(this.toBoard(event)))
    this.el.addEventListener('pointerleave', () => this.sendCursor(null))
    this.el.addEventListener('dblclick', (event) => {
      if (
        [this.el, this.sizer, this.canvas, this.layer].includes(/** @type {any} */ (event.target))
      ) {
        const at = this.toBoard(event)
        this.create(t('board.new_note'), { x: at.x - NOTE_W / 2, y: at.y - 20 }, true)
      }
    })
    this.stopLocale = onLocaleChange(() => this.relabel())
    /** whether this screen hides the others' cursors (see setCursorsHidden) */
    this.cursorsHidden = localStorage.getItem(CURSORS_KEY) === 'hidden'
    this.layout()
    this.renderCursors()
  }

  /** Show the board's own words in the current language (the notes keep their text). */
  relabel() {
    this.el.setAttribute('aria-label', t('board.label'))
    for (const note of this.notes.values()) this.labelNote(note)
  }

  /** The words of a note: its labels, the hidden badge, "only you see it". */
  labelNote(note) {
    const hidden = note.source.hidden
    note.text.setAttribute(
      'aria-label',
      hidden ? t('board.hidden_note_text') : t('board.note_text')
    )
    note.handle.setAttribute('aria-label', t('board.move_note'))
    if (note.badge) note.badge.textContent = t('board.hidden_badge')
    const text = str(note.map, 'text').slice(0, 60)
    note.el.setAttribute(
      'aria-label',
      hidden
        ? t('board.hidden_note_label', { text })
        : isFileId(note.map.get('imageFileId'))
          ? t('board.image_note_label', { text })
          : t('board.note_label', { text })
    )
    // an image note's picture is described by the note's text (the file name at first)
    note.image.alt = str(note.map, 'text') || t('board.image_note')
    if (hidden) note.by.textContent = t('board.only_you')
  }

  /**
   * Show the notes of `source` too (keys `<name>:<id>` unless it is the board).
   * @param {Source} source
   */
  addSource(source) {
    this.removeSource(source.name)
    const key = (id) => (source.name === 'board' ? id : `${source.name}:${id}`)
    source.stop = watchCollection(source.ideas, {
      added: (id, map) => {
        this.removeNote(key(id))
        this.addNote(key(id), id, map, source)
        this.relayout()
      },
      changed: (id, map, keys) => {
        this.updateNote(key(id), keys)
        this.relayout()
      },
      removed: (id) => {
        this.removeNote(key(id))
        this.relayout()
      }
    })
    this.sources.set(source.name, source)
  }

  /** Stop showing a source's notes (new notes go to the board again). @param {string} name */
  removeSource(name) {
    const source = this.sources.get(name)
    if (!source) return
    source.stop()
    this.sources.delete(name)
    for (const note of Array.from(this.notes.values())) {
      if (note.source === source) this.removeNote(note.key)
    }
    if (this.target === source) this.target = this.sources.get('board')
    this.relayout()
  }

  /** New notes go to this source (the board, or the private room while silent). @param {string} name */
  setTarget(name) {
    const before = this.target
    this.target = this.sources.get(name) || this.sources.get('board')
    if (this.target !== before) this.editableChanged()
  }

  /**
   * May the notes of `source` not be changed now? The board's while a facilitator's lock
   * holds this user (live.locked: the server refuses the writes), a private room's while
   * setFrozen says so (the time is up under the `lock` rule).
   * @param {Source | undefined} source
   */
  frozen(source) {
    if (!source) return false
    return source.name === 'board' ? this.live.locked : this.frozenSources.has(source.name)
  }

  /**
   * May this note not be changed now? Its source is frozen, or it is a board note a
   * facilitator locked that this user may not change (live.heldNotes).
   * @param {{id: string, source: Source} | undefined | null} note
   */
  noteFrozen(note) {
    if (!note) return false
    if (this.frozen(note.source)) return true
    return note.source.name === 'board' && this.live.heldNotes.has(note.id)
  }

  /**
   * Write to a note's own document, naming it (a held note is refused, with a message).
   * @param {{id: string, source: Source}} note
   * @param {() => void} fn
   * @param {boolean} [step] an undo step of its own (the board's; hidden notes have no undo)
   */
  writeNote(note, fn, step = false) {
    const { source } = note
    const write = (step && source.writeStep) || source.write
    return write(fn, source.name === 'board' ? [note.id] : [])
  }

  /** Stop (or allow again) changes to the notes of a source. @param {string} name @param {boolean} on */
  setFrozen(name, on) {
    if (this.frozenSources.has(name) === on) return
    if (on) this.frozenSources.add(name)
    else this.frozenSources.delete(name)
    this.applyFrozen()
  }

  /** Show every note as changeable or not, and tell the listeners (the view's controls). */
  applyFrozen() {
    this.el.classList.toggle('locked', this.live.locked)
    for (const note of this.notes.values()) this.freezeNote(note)
    this.editableChanged()
  }

  /** A frozen note: its text read-only, its move handle disabled, not draggable (startDrag). */
  freezeNote(note) {
    const on = this.noteFrozen(note)
    note.text.readOnly = on
    note.handle.disabled = on
    note.el.classList.toggle('frozen', on)
  }

  /** @param {() => void} fn called when what may be edited changes @returns {() => void} stop */
  onEditable(fn) {
    this.editListeners.add(fn)
    return () => this.editListeners.delete(fn)
  }

  editableChanged() {
    for (const fn of this.editListeners) fn()
  }

  /** @param {Extension} extension @returns {() => void} remove it */
  addExtension(extension) {
    this.extensions.push(extension)
    if (extension.add) for (const note of this.notes.values()) extension.add(note)
    return () => {
      this.extensions = this.extensions.filter((e) => e !== extension)
      if (extension.remove) for (const note of this.notes.values()) extension.remove(note)
    }
  }

  /** The note shown under `key` (see `notes`). */
  note(key) {
    return key ? this.notes.get(key) || null : null
  }

  /** Set fields of a note, in its own document. */
  setNoteFields(key, fields) {
    const note = this.notes.get(key)
    if (!note || this.frozen(note.source)) return false
    // a note a lock holds: refused by the write, with a message
    return this.writeNote(note, () => setFields(note.map, fields))
  }

  /** Delete a note from its document (board notes: with the reference rules). */
  deleteNote(key) {
    const note = this.notes.get(key)
    if (!note || this.frozen(note.source)) return false
    const { source, id } = note
    // a delete is an undo step of its own; a held note's is refused (with a message)
    return this.writeNote(
      note,
      () => {
        if (source.name === 'board') deleteArtifact(source.doc, 'ideas', id)
        else source.ideas.delete(id)
      },
      true
    )
  }

  /** Board coordinates of a pointer event. */
  toBoard(event) {
    const rect = this.canvas.getBoundingClientRect()
    return {
      x: Math.round((event.clientX - rect.left) / this.zoom - this.origin.x),
      y: Math.round((event.clientY - rect.top) / this.zoom - this.origin.y)
    }
  }

  /** What is shown: the board point at the centre of the visible area, and the zoom. */
  view() {
    const z = this.zoom
    return {
      x: Math.round((this.el.scrollLeft + this.el.clientWidth / 2) / z - this.origin.x),
      y: Math.round((this.el.scrollTop + this.el.clientHeight / 2) / z - this.origin.y),
      zoom: z
    }
  }

  /**
   * Show the board point (x, y) at the centre, at `zoom` (kept within 0.1-4).
   * @param {{x: number, y: number, zoom?: number}} view
   */
  setView({ x, y, zoom }) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return
    if (Number.isFinite(zoom) && zoom > 0) this.zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom))
    this.anchor = { x, y }
    this.layout()
    const z = this.zoom
    this.el.scrollTo({
      left: Math.max(0, (x + this.origin.x) * z - this.el.clientWidth / 2),
      top: Math.max(0, (y + this.origin.y) * z - this.el.clientHeight / 2),
      behavior: 'instant'
    })
    this.viewChanged()
  }

  /** Zoom keeping the centre of the view where it is. @param {number} zoom */
  setZoom(zoom) {
    const { x, y } = this.view()
    this.setView({ x, y, zoom })
  }

  /** The next zoom step in or out (`direction` 1 or -1). */
  stepZoom(direction) {
    const z = this.zoom
    const next =
      direction > 0
        ? ZOOMS.find((level) => level > z + 1e-6)
        : [...ZOOMS].reverse().find((level) => level < z - 1e-6)
    if (next) this.setZoom(next)
  }

  /** Call `fn` after every layout (notes added, removed or moved). @returns {() => void} */
  onLayout(/** @type {() => void} */ fn) {
    this.layoutListeners.add(fn)
    return () => this.layoutListeners.delete(fn)
  }

  /** @param {(view: {x: number, y: number, zoom: number}) => void} fn @returns {() => void} */
  onView(fn) {
    this.viewListeners.add(fn)
    return () => this.viewListeners.delete(fn)
  }

  viewChanged() {
    if (!this.viewListeners.size || !this.el.isConnected) return
    const view = this.view()
    for (const fn of this.viewListeners) fn(view)
  }

  /** Where a new note goes: the first free cell of a grid over the visible part of the board. */
  freeSpot() {
    const cellW = NOTE_W + 16
    const cellH = NOTE_H + 16
    const z = this.zoom
    const left = Math.round(this.el.scrollLeft / z - this.origin.x + PAD)
    const top = Math.round(this.el.scrollTop / z - this.origin.y + PAD)
    const columns = Math.max(1, Math.floor((this.el.clientWidth / z - PAD) / cellW))
    const taken = Array.from(this.notes.values()).filter((n) => !n.el.hidden)
    for (let i = 0; i < columns * 40; i++) {
      const x = left + (i % columns) * cellW
      const y = top + Math.floor(i / columns) * cellH
      const free = taken.every(
        (n) => n.x >= x + NOTE_W || n.x + NOTE_W <= x || n.y >= y + NOTE_H || n.y + NOTE_H <= y
      )
      if (free) return { x, y }
    }
    return { x: left + (this.notes.size % 12) * 22, y: top + (this.notes.size % 12) * 22 }
  }

  /**
   * Create a note (text, colour) at `at` in the target source; focus it when `edit`.
   * @param {string} text
   * @param {{x: number, y: number}} [at]
   * @param {boolean} [edit]
   * @param {string} [color]
   * @param {{imageFileId?: string, source?: Source}} [extra] an image note's file; a source
   *   other than the target
   * @returns {string|null} its key
   */
  create(text, at = this.freeSpot(), edit = false, color = DEFAULT_COLOR, extra = {}) {
    let id = null
    const source = extra.source || this.target
    if (this.frozen(source)) return null // locked: the view's controls say so
    const image = extra.imageFileId ? { imageFileId: extra.imageFileId } : {}
    const ok = source.write(() => {
      id = addArtifact(
        source.doc,
        'ideas',
        {
          text,
          color,
          x: clamp(at.x),
          y: clamp(at.y),
          clusterId: null,
          authorId: this.live.user.id,
          ...image,
          ...(source.name === 'board' && this.sessionId ? { sessionId: this.sessionId } : {})
        },
        this.live.user.id
      )
    })
    if (!ok) return null
    const key = source.name === 'board' ? id : `${source.name}:${id}`
    const note = this.notes.get(key)
    if (note && edit) {
      note.text.focus()
      note.text.select()
    }
    return key
  }

  /** @param {string} key @param {string} id @param {any} map @param {Source} source */
  addNote(key, id, map, source) {
    const hidden = source.hidden
    const text = h('textarea', { class: 'sticky-text', maxlength: LIMITS.text })
    const handle = h('button', { type: 'button', class: 'handle', text: '⠿' })
    const tag = h('span', { class: 'cluster-tag' })
    const by = h('span', { class: 'by' })
    const badge = hidden ? h('span', { class: 'hidden-badge' }) : null
    const image = h('img', { class: 'sticky-image', alt: '', draggable: 'false', hidden: true })
    image.addEventListener('error', () => {
      const fileId = map.get('imageFileId')
      // no thumbnail (yet): the picture itself; then give up and show the text only
      if (isFileId(fileId) && image.getAttribute('src') !== contentUrl(fileId)) {
        image.src = contentUrl(fileId)
      } else {
        el.classList.add('image-missing')
      }
    })
    const el = h(
      'div',
      { class: hidden ? 'sticky hidden-note' : 'sticky', role: 'group', dataset: { id } },
      h('div', { class: 'sticky-bar' }, handle, tag, badge),
      image,
      text,
      by
    )
    const note = {
      key,
      id,
      source,
      el,
      text,
      image,
      handle,
      badge,
      tag,
      by,
      map,
      x: 0,
      y: 0,
      shift: 0,
      /** @type {{x: number, y: number} | null} its place in its cluster's frame */
      slot: null,
      /** @type {import('./text-binding.js').Binding | null} its text (set below) */
      binding: null
    }
    this.notes.set(key, note)
    // the note's Y.Text, merged with whoever else types in it (text-binding.js); a refused
    // write (a lock) leaves the document's text in the note
    note.binding = bindText(text, {
      map,
      key: 'text',
      origin: source.name === 'board' ? this.live.origin : null,
      write: (fn) => this.writeNote(note, fn),
      // an emptied note keeps showing empty while it has the focus (see 'change')
      keep: () => document.activeElement === text && text.getAttribute('aria-invalid') === 'true',
      // hidden notes live in a private room: nobody else sees them, no caret to share
      presence: source.name === 'board' ? { live: this.live, root: 'ideas', id } : null
    })
    text.addEventListener('input', () => {
      const value = text.value
      text.setAttribute('aria-invalid', value.trim() ? 'false' : 'true')
      if (value.trim()) note.binding.write(value)
    })
    text.addEventListener('change', () => {
      if (!text.value.trim()) {
        text.setAttribute('aria-invalid', 'false')
        note.binding.refresh()
      }
    })
    el.addEventListener('focusin', () => this.select(key))
    el.addEventListener('pointerdown', (event) => this.startDrag(event, key))
    handle.addEventListener('keydown', (event) => this.keyMove(event, key))
    for (const extension of this.extensions) if (extension.add) extension.add(note)
    this.updateNote(key, null)
    this.freezeNote(note)
    this.layer.append(el)
  }

  /** @param {string} key @param {Set<string>|null} keys null: everything */
  updateNote(key, keys) {
    const id = key
    const note = this.notes.get(key)
    if (!note) return
    const { map, el } = note
    const all = keys === null
    if (all || keys.has('text')) {
      note.binding.refresh() // a new Y.Text (a plain string turned) or its text
      this.labelNote(note)
    }
    if (all || keys.has('imageFileId')) {
      const fileId = note.map.get('imageFileId')
      const picture = isFileId(fileId)
      el.classList.toggle('image-note', picture)
      el.classList.remove('image-missing')
      note.image.hidden = !picture
      if (picture) note.image.src = thumbnailUrl(fileId)
      else note.image.removeAttribute('src')
      this.labelNote(note)
    }
    if (all || keys.has('color')) {
      const color = map.get('color')
      const named = PALETTE.includes(color) ? color : isColor(color) ? 'custom' : DEFAULT_COLOR
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
      note.tag.title = name
      note.tag.hidden = !name
      el.classList.toggle('clustered', Boolean(name))
      if (name) el.style.setProperty('--cluster', this.colors.get(clusterId) || colorFor(clusterId))
    }
    if (all || keys.has('authorId')) {
      const author = map.get('authorId')
      note.by.textContent = note.source.hidden
        ? t('board.only_you')
        : this.members.get(author) || removedParticipant(author) || ''
    }
    for (const extension of this.extensions) if (extension.update) extension.update(note, keys)
    if (this.selected === id) this.onSelect(id)
  }

  removeNote(key) {
    const note = this.notes.get(key)
    if (!note) return
    for (const extension of this.extensions) if (extension.remove) extension.remove(note)
    note.binding.destroy()
    note.el.remove()
    this.notes.delete(key)
    if (this.selected === key) this.select(null)
  }

  select(id) {
    if (this.selected === id) return
    const before = this.selected && this.notes.get(this.selected)
    if (before) before.el.classList.remove('selected')
    this.selected = id
    const now = id && this.notes.get(id)
    if (now) now.el.classList.add('selected')
    this.onSelect(id)
  }

  /** Move a note (in one undoable step per gesture: the undo manager groups quick writes). */
  moveTo(id, x, y) {
    const note = this.notes.get(id)
    if (!note) return
    const before = { x: note.x, y: note.y, shift: note.shift }
    note.x = clamp(x)
    note.y = clamp(y)
    note.shift = 0
    this.place(note)
    if (!this.writeNote(note, () => setFields(note.map, { x: note.x, y: note.y }))) {
      Object.assign(note, before) // refused (locked meanwhile): back where it was
      this.place(note)
    }
  }

  startDrag(event, id) {
    if (this.live.readOnly || event.button !== 0) return
    if (this.noteFrozen(this.notes.get(id))) return
    const target = /** @type {HTMLElement} */ (event.target)
    if (target.closest('textarea, .no-drag')) return
    const note = this.notes.get(id)
    if (!note) return
    event.preventDefault()
    this.select(id)
    // start from where the note shows (a stacked note shows shifted, a clustered one in
    // its cluster's frame)
    const shown = this.shownAt(note)
    const start = { px: event.clientX, py: event.clientY, x: shown.x, y: shown.y }
    let over = null
    /** The cluster frame under the note's centre (clusters are for the board's notes). */
    const frameUnder = (x, y) =>
      note.source.hidden ? null : frameAt(this.clusterFrames, x + NOTE_W / 2, y + NOTE_H / 2)
    const mark = (frame) => {
      if (over === (frame && frame.id)) return
      over = frame && frame.id
      for (const el of this.frames.querySelectorAll('.frame')) {
        el.classList.toggle('drop-target', el.getAttribute('data-cluster') === over)
      }
    }
    const z = this.zoom
    // A clustered note's place is its cluster's: its own x/y only count once it leaves.
    const write = throttle((x, y) => {
      if (this.notes.has(id) && !note.slot) this.moveTo(id, x, y)
    }, DRAG_WRITE_MS)
    this.dragging = { id }
    note.el.classList.add('dragging')
    note.el.setPointerCapture(event.pointerId)
    const move = (e) => {
      const x = start.x + (e.clientX - start.px) / z
      const y = start.y + (e.clientY - start.py) / z
      note.el.style.transform = `translate(${x}px, ${y}px)`
      write(x, y)
      mark(frameUnder(x, y))
      this.sendCursor(this.toBoard(e))
    }
    const end = (e) => {
      note.el.removeEventListener('pointermove', move)
      note.el.removeEventListener('pointerup', end)
      note.el.removeEventListener('pointercancel', end)
      note.el.classList.remove('dragging')
      const x = start.x + (e.clientX - start.px) / z
      const y = start.y + (e.clientY - start.py) / z
      mark(null)
      this.dragging = null
      if (x !== start.x || y !== start.y) this.drop(id, x, y, frameUnder(x, y))
      this.relayout()
    }
    note.el.addEventListener('pointermove', move)
    note.el.addEventListener('pointerup', end)
    note.el.addEventListener('pointercancel', end)
  }

  /**
   * A note let go at (x, y): on a cluster's frame it joins that cluster, anywhere else it
   * leaves its cluster (one write: position and cluster together).
   */
  drop(id, x, y, frame) {
    const note = this.notes.get(id)
    if (!note) return
    const had = note.map.get('clusterId')
    const current = typeof had === 'string' && this.clusters.get(had) ? had : null
    const clusterId = note.source.hidden ? current : frame ? frame.id : null
    if (clusterId === current) {
      // moved within its own frame: it keeps its slot; unclustered: it goes where let go
      if (clusterId) this.place(note)
      else this.moveTo(id, x, y)
      return
    }
    const before = { x: note.x, y: note.y, shift: note.shift }
    note.x = clamp(x)
    note.y = clamp(y)
    note.shift = 0
    if (!this.writeNote(note, () => setFields(note.map, { x: note.x, y: note.y, clusterId }))) {
      Object.assign(note, before) // refused (locked meanwhile): where it was
      this.place(note)
    }
  }

  /** Where a note shows: its cluster's slot, or its place plus its fan-out shift. */
  shownAt(note) {
    return note.slot || { x: note.x + note.shift, y: note.y + note.shift }
  }

  keyMove(event, id) {
    const step = event.shiftKey ? 50 : 10
    const delta = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step]
    }[event.key]
    if (!delta) return
    event.preventDefault()
    const note = this.notes.get(id)
    if (!note || this.noteFrozen(note)) return
    const at = this.shownAt(note)
    const x = at.x + delta[0]
    const y = at.y + delta[1]
    // the keyboard's way out of (or into) a cluster: move the note off (or onto) its frame
    if (note.slot) this.drop(id, x, y, frameAt(this.clusterFrames, x + NOTE_W / 2, y + NOTE_H / 2))
    else this.moveTo(id, x, y)
  }

  /** Show a note where the document puts it (plus its fan-out shift, or its cluster's slot). */
  place(note) {
    const { x, y } = this.shownAt(note)
    note.el.style.transform = `translate(${x}px, ${y}px)`
  }

  /** The clusters of the `clusters` root, as cluster-layout.js reads them. */
  clusterInfos() {
    return readClusters(this.clusters)
  }

  /**
   * Size the canvas to the notes, shift it so negative positions show, draw the sessions'
   * areas and the cluster frames (behind the notes), and put clustered notes in their frames.
   */
  layout() {
    let minX = 0
    let minY = 0
    let maxX = 0
    let maxY = 0
    const grow = (x0, y0, x1, y1) => {
      minX = Math.min(minX, x0)
      minY = Math.min(minY, y0)
      maxX = Math.max(maxX, x1)
      maxY = Math.max(maxY, y1)
    }
    const clusters = this.clusterInfos()
    const known = new Set(clusters.map((c) => c.id))
    const members = []
    // Notes at exactly the same spot (REST creates them at 0,0) are shown fanned out, so that
    // each one can be seen and grabbed; the document keeps their coordinates.
    const stacked = new Map()
    for (const note of this.notes.values()) {
      // A hidden note already on the board (revealed, the private copy not yet removed).
      note.el.hidden = note.source.hidden && this.notes.has(note.id)
      const clusterId = note.map.get('clusterId')
      if (!note.el.hidden && !note.source.hidden && known.has(clusterId)) {
        members.push({
          key: note.key,
          clusterId,
          x: note.x,
          y: note.y,
          createdAt: note.map.get('createdAt')
        })
        continue
      }
      const left = Boolean(note.slot) // it just left its cluster: back to its own place
      note.slot = null
      if (note.el.hidden) continue
      const spot = `${note.x},${note.y}`
      const below = stacked.get(spot) || 0
      stacked.set(spot, below + 1)
      const shift = below * STACK_SHIFT
      if ((shift !== note.shift || left) && this.dragging?.id !== note.id) {
        note.shift = shift
        this.place(note)
      }
      grow(note.x, note.y, note.x + note.shift + NOTE_W, note.y + note.shift + NOTE_H)
    }
    const laid = layoutClusters(clusters, members, { w: NOTE_W, h: NOTE_H })
    this.clusterFrames = laid
    for (const frame of laid) {
      grow(frame.x0, frame.y0, frame.x1, frame.y1)
      for (const [key, slot] of frame.slots) {
        const note = this.notes.get(key)
        if (!note) continue
        const moved = !note.slot || note.slot.x !== slot.x || note.slot.y !== slot.y
        note.slot = slot
        note.shift = 0
        if (moved && this.dragging?.id !== note.id) this.place(note)
      }
    }
    const areas = this.sessionAreas()
    for (const area of areas) grow(area.x0, area.y0, area.x1, area.y1)
    if (this.anchor) {
      // keep the point the view was sent to reachable, centred in a window of any size
      const halfW = Math.max(this.el.clientWidth, 1280) / 2 / this.zoom
      const halfH = Math.max(this.el.clientHeight, 800) / 2 / this.zoom
      grow(
        this.anchor.x - halfW,
        this.anchor.y - halfH,
        this.anchor.x + halfW,
        this.anchor.y + halfH
      )
    }
    this.origin = { x: Math.round(PAD - minX), y: Math.round(PAD + 24 - minY) }
    const shift = `translate(${this.origin.x}px, ${this.origin.y}px)`
    for (const layer of [this.frames, this.layer, this.cursors]) layer.style.transform = shift
    const width = Math.round(maxX - minX + 2 * PAD + NOTE_W * 2)
    const height = Math.round(maxY - minY + 2 * PAD + NOTE_H * 2)
    const z = this.zoom
    this.canvas.style.width = `${width}px`
    this.canvas.style.height = `${height}px`
    this.canvas.style.transform = z === 1 ? '' : `scale(${z})`
    this.sizer.style.width = `${Math.round(width * z)}px`
    this.sizer.style.height = `${Math.round(height * z)}px`
    this.el.dataset.zoom = String(z)
    const drawn = []
    for (const area of areas) {
      const el = h(
        'div',
        { class: 'session-area', dataset: { session: area.sessionId } },
        h('span', { class: 'session-area-title', text: area.title, title: area.title })
      )
      box(el, area)
      drawn.push(el)
    }
    for (const frame of laid) {
      const label = `${frame.name} (${frame.n})`
      const el = h(
        'div',
        { class: 'frame', dataset: { cluster: frame.id } },
        h('span', { class: 'frame-name', text: label, title: frame.name })
      )
      el.style.setProperty('--cluster', frame.color)
      el.style.setProperty('--title-h', `${frame.titleH}px`)
      box(el, frame)
      drawn.push(el)
    }
    this.frames.replaceChildren(...drawn)
    for (const fn of this.layoutListeners) fn()
  }

  /**
   * The brainstorm sessions' areas: one rectangle per session around its entries of the
   * `frames` root (a second reveal of a session adds an entry below the first), titled with
   * its prompt. Read tolerantly: an entry without finite numbers is skipped.
   * @returns {{sessionId: string, title: string, x0: number, y0: number, x1: number, y1: number}[]}
   */
  sessionAreas() {
    /** @type {Map<string, any>} */
    const areas = new Map()
    this.areas.forEach((entry, key) => {
      if (!entry || typeof entry.get !== 'function') return
      const [x, y, w, hgt] = ['x', 'y', 'width', 'height'].map((k) => entry.get(k))
      if (![x, y, w, hgt].every((v) => typeof v === 'number' && Number.isFinite(v))) return
      const id = typeof entry.get('sessionId') === 'string' ? entry.get('sessionId') : key
      const area = areas.get(id)
      if (area) {
        area.x0 = Math.min(area.x0, x)
        area.y0 = Math.min(area.y0, y)
        area.x1 = Math.max(area.x1, x + w)
        area.y1 = Math.max(area.y1, y + hgt)
        if (y < area.top) {
          area.top = y
          area.title = str(entry, 'title')
        }
      } else {
        const title = str(entry, 'title')
        areas.set(id, { sessionId: id, title, top: y, x0: x, y0: y, x1: x + w, y1: y + hgt })
      }
    })
    return Array.from(areas.values()).sort((a, b) => a.y0 - b.y0)
  }

  /**
   * Show or hide the others' cursors on this screen (with 50 people moving, they are noise);
   * remembered for the next visit. Only this screen changes: the others still see this one's.
   * @param {boolean} hidden
   */
  setCursorsHidden(hidden) {
    this.cursorsHidden = hidden
    localStorage.setItem(CURSORS_KEY, hidden ? 'hidden' : 'shown')
    this.renderCursors()
  }

  renderCursors() {
    this.cursors.hidden = this.cursorsHidden
    if (this.cursorsHidden) {
      this.cursors.replaceChildren()
      return
    }
    const items = []
    for (const person of this.live.people()) {
      if (person.self || person.phase !== 'ideate' || !person.cursor) continue
      const { x, y } = person.cursor
      if (typeof x !== 'number' || typeof y !== 'number') continue
      const cursor = h(
        'div',
        { class: 'cursor' },
        h('span', { class: 'cursor-name', text: person.user.name })
      )
      cursor.style.setProperty('--who', person.user.color || colorFor(person.user.id))
      cursor.style.transform = `translate(${x}px, ${y}px)`
      cursor.dataset.user = person.user.id
      items.push(cursor)
    }
    this.cursors.replaceChildren(...items)
  }

  /**
   * Names of people the team list did not have when the page opened (someone added since, a
   * guest who just joined): their presence says who they are, so their notes get their name
   * at once instead of after a reload.
   */
  learnNames() {
    let learned = false
    for (const person of this.live.people()) {
      const id = person.user && person.user.id
      if (id && person.user.name && !this.members.has(id)) {
        this.members.set(id, String(person.user.name))
        learned = true
      }
    }
    if (!learned) return
    for (const [key, note] of this.notes) {
      if (!note.by.textContent) this.updateNote(key, new Set(['authorId']))
    }
  }

  destroy() {
    this.stopLocale()
    for (const name of Array.from(this.sources.keys())) this.removeSource(name)
    this.viewListeners.clear()
    this.layoutListeners.clear()
    this.clusters.unobserveDeep(this.onClusters)
    this.areas.unobserveDeep(this.relayout)
    this.live.awareness.off('change', this.onAwareness)
    this.live.removeEventListener('lock', this.onLock)
    this.editListeners.clear()
    this.live.setCursor(null)
  }
}
