// Small DOM helpers: build elements, announce to screen readers, show toasts.

/** @typedef {Node | string | null | undefined | false} Leaf */
/** What h() and append() take as children: nodes, strings, nothing, or arrays of those. */
/** @typedef {Leaf | Leaf[]} Child */

/**
 * Build an element. `attrs` keys: `class`, `text`, `on{Event}` handlers, `dataset`, booleans
 * (set as properties), anything else as an attribute. Children may be strings, nodes or null.
 * @template {string} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {...Child} children
 * @returns {K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  /** @type {any} the element type named by `tag` (see the return type) */
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'class') {
      el.className = value
    } else if (key === 'text') {
      el.textContent = value
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value)
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value)
    } else if (value === true) {
      el.setAttribute(key, '')
    } else {
      el.setAttribute(key, String(value))
    }
  }
  append(el, children)
  return el
}

/**
 * @template {ParentNode} P
 * @param {P} parent
 * @param {Child[]} children
 * @returns {P}
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child)
  }
  return parent
}

/** Remove every child of `el`. @param {Element} el */
export function clear(el) {
  el.replaceChildren()
  return el
}

let uid = 0
/** A document-unique id for label/aria wiring. @param {string} prefix */
export function newId(prefix = 'f') {
  uid += 1
  return `${prefix}-${uid}`
}

/**
 * A labelled form control: `<div class="field"><label for>…</label>control</div>`.
 * @param {string} label
 * @param {HTMLElement} control
 * @param {{hint?: string, className?: string}} [opts]
 */
export function field(label, control, opts = {}) {
  if (!control.id) control.id = newId('in')
  const hint = opts.hint ? h('small', { class: 'hint', id: newId('hint'), text: opts.hint }) : null
  if (hint) control.setAttribute('aria-describedby', hint.id)
  return h(
    'div',
    { class: `field ${opts.className || ''}` },
    h('label', { for: control.id, text: label }),
    control,
    hint
  )
}

const liveRegion = () => document.getElementById('announcer')

/** Tell screen readers something (polite). @param {string} text */
export function announce(text) {
  const region = liveRegion()
  if (!region) return
  region.textContent = ''
  // a separate task so that repeating the same text is announced again
  setTimeout(() => {
    region.textContent = text
  }, 20)
}

/**
 * A short message in the corner (role=status, or role=alert for errors), with an optional
 * button (an "Undo" after a delete), which keeps it up longer.
 * @param {string} text
 * @param {'info'|'error'} [kind]
 * @param {{label: string, run: () => void} | null} [action]
 */
export function toast(text, kind = 'info', action = null) {
  const box = document.getElementById('toasts')
  if (!box) return
  const item = h('div', {
    class: `toast toast-${kind}`,
    role: kind === 'error' ? 'alert' : 'status'
  })
  item.append(h('span', { text }))
  if (action) {
    const button = h('button', { type: 'button', class: 'toast-action', text: action.label })
    button.addEventListener('click', () => {
      item.remove()
      action.run()
    })
    item.append(button)
  }
  box.append(item)
  setTimeout(() => item.remove(), kind === 'error' || action ? 8000 : 4000)
}

/** Initials of a name, for avatars. @param {string} name */
export function initials(name) {
  const words = String(name || '?')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words
  return letters.map((w) => Array.from(w)[0].toUpperCase()).join('') || '?'
}

const COLORS = [
  '#d1495b',
  '#edae49',
  '#00798c',
  '#30638e',
  '#6a4c93',
  '#2a9d8f',
  '#e76f51',
  '#8d6a9f'
]
/** A stable colour for a user or cluster id. @param {string} key */
export function colorFor(key) {
  let hash = 0
  for (const ch of String(key)) {
    // a string iterates by code point: `ch` is never empty
    hash = (hash * 31 + /** @type {number} */ (ch.codePointAt(0))) >>> 0
  }
  return COLORS[hash % COLORS.length]
}

/**
 * Run `fn` once after the current task, however often this is called in it (Yjs fires one
 * event per transaction; a sync or a burst of updates is many).
 * @param {() => void} fn
 */
export function batched(fn) {
  let queued = false
  return () => {
    if (queued) return
    queued = true
    queueMicrotask(() => {
      queued = false
      fn()
    })
  }
}

/**
 * Call `fn` at most every `ms`, always with the latest arguments, and once at the end.
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function throttle(fn, ms) {
  let last = 0
  let timer = 0
  /** @type {A} the arguments of the latest call (set before any use) */
  let lastArgs
  return (...args) => {
    lastArgs = args
    const wait = last + ms - Date.now()
    if (wait <= 0) {
      clearTimeout(timer)
      timer = 0
      last = Date.now()
      fn(...lastArgs)
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = 0
        last = Date.now()
        fn(...lastArgs)
      }, wait)
    }
  }
}
