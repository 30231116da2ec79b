// What changed between a restore point's content and the live document (docs/history.md, the
// history panel in docs/ui.md). Pure: plain values in, plain values out, so the preview can be
// worked out again on every live edit without asking the server. The server's own summary of a
// point compares it with the point before; this compares it with now, which is what a person
// about to restore needs to see.
import { COLLECTIONS } from './contract.js'

/**
 * Fields that say nothing a person wrote: who made an entry and when, and its last edit time
 * (which every write bumps). Positions are compared apart: a note moved is not a note changed.
 */
const BOOKKEEPING = new Set(['id', 'createdBy', 'createdAt', 'updatedAt'])
const POSITION = new Set(['x', 'y'])

/**
 * What one entry of a collection has become since the point:
 * `removed` (in the point, gone now: "deleted since"), `added` (new since), `changed` (a field
 * people read differs: `fields` names them), `moved` (only its position differs), `same`.
 * @typedef {'removed' | 'added' | 'changed' | 'moved' | 'same'} Change
 * @typedef {{id: string, change: Change, then: Record<string, any> | null,
 *   now: Record<string, any> | null, fields: string[]}} EntryChange
 * @typedef {{collection: string, then: number, now: number, entries: EntryChange[]}}
 *   CollectionChange
 */

/**
 * A collection as a map of id -> entry, from the export's array (GET .../document) or the live
 * document's map (`{id: entry}`); entries that are not objects are skipped.
 * @param {unknown} value
 * @returns {Map<string, Record<string, any>>}
 */
function byId(value) {
  /** @type {Map<string, Record<string, any>>} */
  const out = new Map()
  const items = Array.isArray(value)
    ? value.map((item) => [item && item.id, item])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : []
  for (const [id, item] of items) {
    if (typeof id === 'string' && item && typeof item === 'object' && !Array.isArray(item)) {
      out.set(id, item)
    }
  }
  return out
}

/** Two plain values equal as JSON would say (arrays in order, objects by key). */
function same(/** @type {any} */ a, /** @type {any} */ b) {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // a field missing on one side and null or empty on the other reads the same
    return (a ?? '') === (b ?? '')
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) if (!same(a[key], b[key])) return false
  return true
}

/**
 * The fields of `then` and `now` that differ, bookkeeping left out.
 * @param {Record<string, any>} then
 * @param {Record<string, any>} now
 */
function changedFields(then, now) {
  const keys = new Set([...Object.keys(then), ...Object.keys(now)])
  return [...keys].filter((key) => !BOOKKEEPING.has(key) && !same(then[key], now[key]))
}

/** Oldest first, as the workspace lists entries (then by id, for a stable order). */
function byCreation(/** @type {EntryChange} */ a, /** @type {EntryChange} */ b) {
  const at = (/** @type {EntryChange} */ e) => String((e.then || e.now || {}).createdAt || '')
  return at(a).localeCompare(at(b)) || a.id.localeCompare(b.id)
}

/**
 * Compare a point's content with the live one, per collection, in the phases' order.
 * @param {Record<string, unknown>} then the point's `document` (collection -> array of entries)
 * @param {Record<string, unknown>} now the live content (collection -> array or map of entries)
 * @returns {CollectionChange[]}
 */
export function compareContent(then, now) {
  return COLLECTIONS.map((collection) => {
    const old = byId(then[collection])
    const current = byId(now[collection])
    /** @type {EntryChange[]} */
    const entries = []
    for (const [id, entry] of old) {
      const fresh = current.get(id)
      if (!fresh) {
        entries.push({ id, change: 'removed', then: entry, now: null, fields: [] })
        continue
      }
      const fields = changedFields(entry, fresh)
      const read = fields.filter((field) => !POSITION.has(field))
      const change = read.length ? 'changed' : fields.length ? 'moved' : 'same'
      entries.push({ id, change, then: entry, now: fresh, fields: read })
    }
    for (const [id, entry] of current) {
      if (!old.has(id)) entries.push({ id, change: 'added', then: null, now: entry, fields: [] })
    }
    entries.sort(byCreation)
    return { collection, then: old.size, now: current.size, entries }
  })
}

/**
 * How many entries changed in each way, over every collection (the preview's headline).
 * @param {CollectionChange[]} changes
 * @returns {Record<Change, number>}
 */
export function countChanges(changes) {
  /** @type {Record<Change, number>} */
  const counts = { removed: 0, added: 0, changed: 0, moved: 0, same: 0 }
  for (const { entries } of changes) for (const { change } of entries) counts[change] += 1
  return counts
}
