// An <input> or <textarea> bound to a free-text field of the workshop document, a Y.Text
// since schema 2 (docs/ui.md, "Collaborative text"), so that two people typing in the same
// field merge character by character:
//
// * a local edit writes only the difference between the document's text and the control's
//   (text-diff.js), through the caller's `write` (the live project's: undoable, counted for
//   SAVED); a field still holding a plain string becomes a Y.Text in that same transaction;
// * a remote edit updates the control and keeps the local selection on the characters it was
//   on: the selection is held as Yjs relative positions, which follow the text they point at;
// * while the control has the focus, its selection is published in awareness
//   (`caret: {root, id, field, anchor, head}`, relative positions as JSON, a few hundred
//   bytes), and the carets others publish for the same field are drawn over it
//   (text-carets.js).
import { Y } from './yjs.js'
import { colorFor, batched } from './dom.js'
import { str, writeText } from './schema.js'
import { CaretOverlay } from './text-carets.js'

/**
 * Publishing a moved selection waits at least this long after the last one: awareness allows
 * 20 updates a second (DTTOOLS_AWARENESS_PER_S), the board's pointer uses up to 10.
 */
const CARET_MS = 120

/**
 * Where one person's selection is (the awareness field `caret`).
 * @typedef {{root: string, id: string, field: string, anchor: any, head: any}} CaretState
 */

/**
 * @typedef {object} Binding
 * @property {(value: string) => boolean} write write the control's text (false: refused)
 * @property {() => void} refresh follow the document (a field replaced, a plain string turned
 *   into a Y.Text) and show its text unless `keep()` says otherwise
 * @property {() => void} destroy stop observing and publishing
 */

/**
 * The carets of the people in one live project, by field (`root/id/field`), read from
 * awareness once per change for every bound control of the project.
 */
class CaretRegistry {
  /** @param {import('./live.js').LiveProject} live */
  constructor(live) {
    this.live = live
    /** @type {Map<string, Set<{draw: () => void, gone: () => boolean}>>} */
    this.fields = new Map()
    /** @type {Map<string, Array<{user: string, name: string, color: string, caret: CaretState}>>} */
    this.carets = new Map()
    this.onChange = batched(() => this.read())
    live.awareness.on('change', this.onChange)
  }

  read() {
    const before = new Set(this.carets.keys())
    this.carets = new Map()
    for (const person of this.live.people()) {
      const caret = /** @type {any} */ (person).caret
      if (person.self || !caret || typeof caret !== 'object') continue
      const key = fieldKey(caret.root, caret.id, caret.field)
      const list = this.carets.get(key) || []
      list.push({
        user: String(person.user.id),
        name: String(person.user.name || '?'),
        color: person.user.color || colorFor(person.user.id),
        caret
      })
      this.carets.set(key, list)
    }
    for (const key of new Set([...before, ...this.carets.keys()])) {
      for (const field of Array.from(this.fields.get(key) || [])) {
        if (field.gone()) this.remove(key, field)
        else field.draw()
      }
    }
  }

  /** @param {string} key @param {{draw: () => void, gone: () => boolean}} field */
  add(key, field) {
    const set = this.fields.get(key) || new Set()
    set.add(field)
    this.fields.set(key, set)
  }

  /** @param {string} key @param {{draw: () => void, gone: () => boolean}} field */
  remove(key, field) {
    const set = this.fields.get(key)
    if (!set) return
    set.delete(field)
    if (!set.size) this.fields.delete(key)
  }
}

/** @type {WeakMap<object, CaretRegistry>} */
const registries = new WeakMap()

/** @param {import('./live.js').LiveProject} live */
function registryOf(live) {
  let registry = registries.get(live)
  if (!registry) registries.set(live, (registry = new CaretRegistry(live)))
  return registry
}

/**
 * What tracks the selection of each bound control: one listener of the document's
 * `selectionchange` (caret moves by keyboard or pointer) serves them all.
 * @type {WeakMap<Element, () => void>}
 */
const trackers = new WeakMap()
document.addEventListener('selectionchange', () => {
  const active = document.activeElement
  const track = active && trackers.get(active)
  if (track) track()
})

/** @param {string} root @param {string} id @param {string} field */
const fieldKey = (root, id, field) => `${root}/${id}/${field}`

/**
 * Bind `input` to the text field `key` of `map`.
 * @param {HTMLInputElement | HTMLTextAreaElement} input
 * @param {{map: any, key: string, write: (fn: () => void) => boolean, origin: any,
 *   keep?: () => boolean,
 *   presence?: {live: import('./live.js').LiveProject, root: string, id: string} | null}} opts
 *   write: runs a change in a transaction of this client (false: refused, nothing written);
 *   origin: that transaction's origin (its echo is not shown again); keep: whether the control
 *   holds a refused value to leave on screen; presence: where carets are published and read
 *   (none for a document nobody else sees, such as a private brainstorm room)
 * @returns {Binding}
 */
export function bindText(input, opts) {
  const { map, key, origin } = opts
  const keep = opts.keep || (() => false)
  const presence = opts.presence || null
  /** @type {any} the Y.Text observed, when the field holds one */
  let observed = null
  /** The local selection as relative positions (they follow remote edits). */
  /** @type {{anchor: any, head: any} | null} */
  let selection = null
  let seen = false
  const overlay = presence ? new CaretOverlay(input) : null
  const registry = presence ? registryOf(presence.live) : null
  const where = presence ? fieldKey(presence.root, presence.id, key) : ''

  const focused = () => document.activeElement === input
  const textNow = () => {
    const value = map.get(key)
    return value instanceof Y.Text ? value : null
  }

  /** Remember the local selection as relative positions (when the control shows the text). */
  const track = () => {
    const ytext = textNow()
    if (!ytext || !focused() || input.value !== ytext.toString()) return
    const start = input.selectionStart ?? 0
    const end = input.selectionEnd ?? start
    const backward = input.selectionDirection === 'backward'
    selection = {
      anchor: Y.createRelativePositionFromTypeIndex(ytext, backward ? end : start),
      head: Y.createRelativePositionFromTypeIndex(ytext, backward ? start : end)
    }
    publish()
  }

  let timer = 0
  let last = 0
  const send = () => {
    timer = 0
    last = Date.now()
    if (!presence || !selection || !focused()) return
    /** @type {CaretState} */
    const caret = {
      root: presence.root,
      id: presence.id,
      field: key,
      anchor: Y.relativePositionToJSON(selection.anchor),
      head: Y.relativePositionToJSON(selection.head)
    }
    // a caret that only moved with the text it points at has nothing new to say
    if (JSON.stringify(ownCaret()) === JSON.stringify(caret)) return
    presence.live.setCaret(caret)
  }
  const publish = () => {
    if (!presence || timer) return
    timer = window.setTimeout(send, Math.max(0, last + CARET_MS - Date.now()))
  }
  /** What this tab publishes as its caret now, if it is in this field. */
  const ownCaret = () => {
    const state = presence && presence.live.awareness.getLocalState()
    const caret = state && state.caret
    const here = caret && presence && caret.root === presence.root && caret.id === presence.id
    return here && caret.field === key ? caret : null
  }
  const unpublish = () => {
    clearTimeout(timer)
    timer = 0
    selection = null
    if (presence && ownCaret()) presence.live.setCaret(null)
  }

  /** The carets of others on this field, as indices of the text shown. */
  const draw = () => {
    if (!overlay || !registry) return
    const ytext = textNow()
    const doc = ytext && ytext.doc
    const people = (ytext && doc && registry.carets.get(where)) || []
    const carets = []
    for (const person of people) {
      const anchor = absolute(person.caret.anchor, ytext, doc)
      const head = absolute(person.caret.head, ytext, doc)
      if (anchor === null || head === null) continue
      carets.push({ user: person.user, name: person.name, color: person.color, anchor, head })
    }
    overlay.draw(carets)
  }
  const redraw = () => overlay && overlay.redraw()

  /** Show the document's text, keeping the local selection on its characters. */
  const show = () => {
    if (keep()) return
    const ytext = textNow()
    const value = str(map, key)
    if (input.value !== value) {
      const { scrollTop, scrollLeft } = input
      if (focused()) {
        const doc = ytext && ytext.doc
        const anchor = selection && doc ? absolute(selection.anchor, ytext, doc) : null
        const head = selection && doc ? absolute(selection.head, ytext, doc) : null
        const start = input.selectionStart ?? 0
        const end = input.selectionEnd ?? start
        input.value = value
        if (anchor !== null && head !== null) {
          const backward = anchor > head
          input.setSelectionRange(
            Math.min(anchor, head),
            Math.max(anchor, head),
            backward ? 'backward' : 'forward'
          )
        } else {
          input.setSelectionRange(Math.min(start, value.length), Math.min(end, value.length))
        }
      } else {
        input.value = value
      }
      input.scrollTop = scrollTop
      input.scrollLeft = scrollLeft
    }
    draw()
  }

  /** @param {any} _event @param {any} transaction */
  const observer = (_event, transaction) => {
    if (!input.isConnected) {
      if (seen) destroy() // its card or note is gone
      return
    }
    seen = true
    if (transaction.origin === origin && transaction.local && input.value === str(map, key)) {
      draw() // our own keystroke: the control shows it already; others' carets moved
      return
    }
    show()
  }

  /** Observe the Y.Text the field holds now (it is replaced when a plain string is turned). */
  const attach = () => {
    const ytext = textNow()
    if (ytext === observed) return
    if (observed) observed.unobserve(observer)
    observed = ytext
    if (ytext) ytext.observe(observer)
  }

  const gone = () => seen && !input.isConnected
  const field = { draw, gone }
  if (registry) registry.add(where, field)

  const onFocus = () => {
    seen = true
    track()
  }
  const onBlur = () => unpublish()
  input.addEventListener('focus', onFocus)
  input.addEventListener('blur', onBlur)
  for (const type of ['select', 'keyup', 'mouseup', 'selectionchange']) {
    input.addEventListener(type, track)
  }
  trackers.set(input, track)
  input.addEventListener('scroll', redraw, { passive: true })
  const resized = overlay ? new ResizeObserver(() => redraw()) : null
  if (resized) resized.observe(input)

  function destroy() {
    if (observed) observed.unobserve(observer)
    observed = null
    unpublish()
    trackers.delete(input)
    if (resized) resized.disconnect()
    if (registry) registry.remove(where, field)
    if (overlay) overlay.remove()
  }

  attach()
  return {
    write(value) {
      const ytext = textNow()
      if (ytext && ytext.toString() === value) return true
      const ok = opts.write(() => writeText(map, key, value))
      attach() // a plain string is a Y.Text now
      if (!ok) show() // refused (a viewer, a lock): the text stays the document's
      track()
      draw()
      return ok
    },
    refresh() {
      attach()
      show()
    },
    destroy
  }
}

/**
 * The index in `ytext` a relative position (as JSON) points at, or null when it points
 * elsewhere (another field, or a text this document does not have).
 * @param {any} json
 * @param {any} ytext
 * @param {any} doc
 * @returns {number | null}
 */
function absolute(json, ytext, doc) {
  if (!json || !ytext) return null
  try {
    const rel = json instanceof Y.RelativePosition ? json : Y.createRelativePositionFromJSON(json)
    const abs = Y.createAbsolutePositionFromRelativePosition(rel, doc)
    return abs && abs.type === ytext ? abs.index : null
  } catch {
    return null // a malformed position from another client: no caret
  }
}
