// The smallest single change that turns one string into another: what a text field writes to
// its Y.Text when its control changes (fields.js, text-binding.js). Pure, so it runs under
// Node too (tests/test_text_binding.py).
//
// Indices are UTF-16 code units, which is what JavaScript string indices, `selectionStart`
// and Yjs's Y.Text indices all count. The change never starts or ends inside a surrogate pair:
// Yjs replaces half a pair with U+FFFD, so an emoji swapped for another sharing its first code
// unit is replaced whole.

/**
 * @typedef {{index: number, remove: number, insert: string}} TextChange delete `remove` code
 *   units at `index`, then insert `insert` there
 */

/** @param {string} text @param {number} i is the code unit at i a high (leading) surrogate? */
const high = (text, i) => {
  const code = text.charCodeAt(i)
  return code >= 0xd800 && code <= 0xdbff
}

/** @param {string} text @param {number} i is the code unit at i a low (trailing) surrogate? */
const low = (text, i) => {
  const code = text.charCodeAt(i)
  return code >= 0xdc00 && code <= 0xdfff
}

/**
 * The change from `before` to `after` between their common start and common end (the common
 * end never overlaps the common start), or null when they are equal.
 * @param {string} before
 * @param {string} after
 * @returns {TextChange | null}
 */
export function textChange(before, after) {
  if (before === after) return null
  const shortest = Math.min(before.length, after.length)
  let start = 0
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) start += 1
  // the common start must not end between the two halves of a pair
  if (start > 0 && high(before, start - 1)) start -= 1
  let end = 0
  while (
    end < shortest - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end += 1
  }
  // nor the common end begin between them
  if (end > 0 && low(before, before.length - end)) end -= 1
  return {
    index: start,
    remove: before.length - end - start,
    insert: after.slice(start, after.length - end)
  }
}
