// Other people's carets and selections drawn over an <input> or <textarea> (docs/ui.md,
// "Collaborative text"): a thin bar in the person's colour with their name on a small label,
// and a translucent highlight where they selected text.
//
// Where a character index sits on screen is measured with a mirror: an invisible div styled
// like the control (font, padding, width, wrapping) holding the text up to that index, followed
// by a span; the span's offset is the caret's place. The overlay is a sibling of the control,
// absolutely placed over its inner box, so it scales and moves with it (the idea board's zoom).
// It is styled through the CSSOM: the page's policy allows no inline style sheets.

/**
 * @typedef {{user: string, name: string, color: string, anchor: number, head: number}} Caret
 *   someone's selection in the control's text (anchor === head: a caret)
 */

/** The computed styles a mirror copies so that it lays text out as the control does. */
const COPIED = /** @type {const} */ ([
  'fontFamily',
  'fontSize',
  'fontWeight',
  'fontStyle',
  'fontVariant',
  'fontStretch',
  'lineHeight',
  'letterSpacing',
  'wordSpacing',
  'textTransform',
  'textIndent',
  'tabSize',
  'textAlign',
  'direction',
  'wordBreak',
  'paddingTop',
  'paddingRight',
  'paddingBottom',
  'paddingLeft'
])

/** The highlight of a selection over the text: the person's colour, mostly see-through. */
const SELECTION_OPACITY = '0.25'

/**
 * Measure where character indices of `input`'s text sit, in pixels from the top-left corner
 * of its inner box (inside the border), before scrolling.
 */
class Mirror {
  /** @param {HTMLInputElement | HTMLTextAreaElement} input */
  constructor(input) {
    const style = getComputedStyle(input)
    const div = document.createElement('div')
    for (const name of COPIED) div.style[name] = style[name]
    Object.assign(div.style, {
      position: 'absolute',
      visibility: 'hidden',
      top: '0',
      left: '-9999px',
      border: '0',
      boxSizing: 'content-box',
      overflow: 'hidden'
    })
    const multiline = input instanceof HTMLTextAreaElement
    if (multiline) {
      div.style.whiteSpace = 'pre-wrap'
      div.style.overflowWrap = 'break-word'
      const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight)
      div.style.width = `${Math.max(0, input.clientWidth - padding)}px`
    } else {
      div.style.whiteSpace = 'pre'
    }
    const fontSize = parseFloat(style.fontSize) || 16
    /** the height of one line (a caret's height) */
    this.lineHeight = parseFloat(style.lineHeight) || Math.round(fontSize * 1.2)
    this.multiline = multiline
    this.div = div
    document.body.append(div)
  }

  /**
   * The top-left corner of the character at `index` of `text`.
   * @param {string} text
   * @param {number} index
   */
  at(text, index) {
    this.div.textContent = text.slice(0, index)
    const rest = document.createElement('span')
    // the rest of the text, so the caret wraps with the word it is in; never empty
    rest.textContent = text.slice(index) || '.'
    this.div.append(rest)
    return { x: rest.offsetLeft, y: rest.offsetTop }
  }

  remove() {
    this.div.remove()
  }
}

/**
 * The rectangles a selection from `start` to `end` covers: one per line, from the start to
 * the right edge, full lines between, then from the left edge to the end.
 * @param {{x: number, y: number}} start
 * @param {{x: number, y: number}} end
 * @param {number} lineHeight
 * @param {{left: number, right: number}} edges where a line's text starts and may end
 */
function selectionRects(start, end, lineHeight, edges) {
  if (Math.abs(start.y - end.y) < lineHeight / 2) {
    return [{ x: start.x, y: start.y, w: end.x - start.x, h: lineHeight }]
  }
  const rects = [{ x: start.x, y: start.y, w: edges.right - start.x, h: lineHeight }]
  const middle = end.y - start.y - lineHeight
  if (middle > 0) {
    rects.push({ x: edges.left, y: start.y + lineHeight, w: edges.right - edges.left, h: middle })
  }
  rects.push({ x: edges.left, y: end.y, w: end.x - edges.left, h: lineHeight })
  return rects
}

/**
 * The overlay of one control; `draw(carets)` replaces what it shows (an empty list removes it
 * from the page).
 */
export class CaretOverlay {
  /** @param {HTMLInputElement | HTMLTextAreaElement} input */
  constructor(input) {
    this.input = input
    this.el = document.createElement('div')
    this.el.className = 'text-carets'
    this.el.setAttribute('aria-hidden', 'true')
    Object.assign(this.el.style, {
      position: 'absolute',
      pointerEvents: 'none',
      zIndex: '3',
      overflow: 'visible'
    })
    /** @type {Caret[]} */
    this.carets = []
  }

  /** @param {Caret[]} carets */
  draw(carets) {
    this.carets = carets
    const input = this.input
    const parent = input.parentElement
    if (!carets.length || !parent || !input.isConnected || input.offsetParent === null) {
      this.el.remove()
      this.el.replaceChildren()
      return
    }
    // the overlay is placed in the control's offsetParent: its parent, made positioned
    if (getComputedStyle(parent).position === 'static') parent.style.position = 'relative'
    if (this.el.parentElement !== parent) input.after(this.el)
    const width = input.clientWidth
    const height = input.clientHeight
    Object.assign(this.el.style, {
      left: `${input.offsetLeft + input.clientLeft}px`,
      top: `${input.offsetTop + input.clientTop}px`,
      width: `${width}px`,
      height: `${height}px`
    })
    const mirror = new Mirror(input)
    const text = input.value
    const style = getComputedStyle(input)
    const edges = {
      left: parseFloat(style.paddingLeft) || 0,
      right: width - (parseFloat(style.paddingRight) || 0)
    }
    const line = mirror.lineHeight
    // a single-line input centres its line in its box; a textarea starts at the top
    const offsetY = mirror.multiline ? -input.scrollTop : (height - line) / 2 - mirror.at('', 0).y
    const offsetX = -input.scrollLeft
    /** @type {HTMLElement[]} */
    const items = []
    for (const caret of carets) {
      const anchor = Math.min(caret.anchor, text.length)
      const head = Math.min(caret.head, text.length)
      const place = (/** @type {number} */ index) => {
        const at = mirror.at(text, index)
        return { x: at.x + offsetX, y: at.y + offsetY }
      }
      const headAt = place(head)
      if (anchor !== head) {
        const from = place(Math.min(anchor, head))
        const to = anchor < head ? headAt : place(Math.max(anchor, head))
        for (const rect of selectionRects(from, to, line, edges)) {
          const box = clip(rect, width, height)
          if (box) items.push(block('text-selection', caret, box, SELECTION_OPACITY))
        }
      }
      if (headAt.x < 0 || headAt.x > width) continue
      // a line scrolled half out of view shows the part of the caret that is in it
      const shown = clip({ x: headAt.x - 1, y: headAt.y, w: 2, h: line }, width, height)
      if (!shown) continue
      const bar = block('text-caret', caret, { ...shown, w: 2 }, '1')
      const label = document.createElement('span')
      label.className = 'text-caret-name'
      label.textContent = caret.name
      Object.assign(label.style, {
        position: 'absolute',
        left: '0',
        bottom: '100%',
        background: caret.color,
        color: '#fff',
        font: '600 11px/1.35 system-ui, sans-serif',
        padding: '0 4px',
        borderRadius: '3px 3px 3px 0',
        whiteSpace: 'nowrap'
      })
      bar.append(label)
      items.push(bar)
    }
    mirror.remove()
    this.el.replaceChildren(...items)
    // a name that would stick out on the right (a caret at the end of a line, a narrow note)
    // hangs to the left of its caret instead
    for (const label of /** @type {NodeListOf<HTMLElement>} */ (
      this.el.querySelectorAll('.text-caret-name')
    )) {
      const bar = /** @type {HTMLElement} */ (label.parentElement)
      if (bar.offsetLeft + label.offsetWidth > width) {
        Object.assign(label.style, { left: 'auto', right: '0', borderRadius: '3px 3px 0 3px' })
      }
    }
  }

  /** Draw the same carets again (the text, its scrolling or the control's size changed). */
  redraw() {
    if (this.carets.length) this.draw(this.carets)
  }

  remove() {
    this.el.remove()
  }
}

/**
 * A rectangle cut to the control's inner box, or null when nothing of it is inside.
 * @param {{x: number, y: number, w: number, h: number}} rect
 * @param {number} width
 * @param {number} height
 */
function clip(rect, width, height) {
  const x0 = Math.max(0, rect.x)
  const y0 = Math.max(0, rect.y)
  const x1 = Math.min(width, rect.x + Math.max(rect.w, 4)) // an empty line still shows a bit
  const y1 = Math.min(height, rect.y + rect.h)
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null
}

/**
 * An absolutely placed box in someone's colour.
 * @param {string} className
 * @param {Caret} caret
 * @param {{x: number, y: number, w: number, h: number}} box
 * @param {string} opacity
 */
function block(className, caret, box, opacity) {
  const el = document.createElement('div')
  el.className = className
  el.dataset.user = caret.user
  Object.assign(el.style, {
    position: 'absolute',
    left: `${box.x}px`,
    top: `${box.y}px`,
    width: `${box.w}px`,
    height: `${box.h}px`,
    background: caret.color,
    opacity
  })
  return el
}
