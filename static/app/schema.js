// The workshop document contract (docs/document-schema.md): roots, fields, limits, and the
// writes that follow it (ids, dates, Y.Array list fields, reference rules on delete). The
// values shared with the server come from contract.js, generated from the Python declarations.
import { Y } from './yjs.js'
import {
  COLLECTIONS,
  FIELD_LIMITS,
  LIST_FIELDS,
  MAX_LIST_ITEMS,
  PALETTE,
  REFERENCES as SERVER_REFERENCES
} from './contract.js'

/** The browser's additive v1 root of named idea groups (the server neither reads nor checks it). */
export const CLUSTERS = 'clusters'

/** Root Y.Maps of version 1, plus `clusters`. */
export const ROOTS = Object.freeze([...COLLECTIONS, CLUSTERS])

export { PALETTE, LIST_FIELDS }
/** The colour of a note that names none (the schema's default). */
export const DEFAULT_COLOR = PALETTE[0]
export const OUTCOMES = FIELD_LIMITS.testResults.outcome.enum
export const FIDELITIES = FIELD_LIMITS.prototypes.fidelity.enum
/** The rating a test result may have: `{minimum, maximum}`. */
export const RATING = FIELD_LIMITS.testResults.rating
export const MAX_LIST_ENTRIES = MAX_LIST_ITEMS
/** LIST_FIELDS looked up by any root name (a root without list fields has no entry). */
const LISTS_OF = /** @type {Readonly<Record<string, readonly string[] | undefined>>} */ (
  LIST_FIELDS
)

/**
 * Limits in code points by field name (the server counts code points; inputs use `maxlength`):
 * a field name has the same limit in every kind (tests/test_contract.py checks it). `entry` is
 * the limit of a list field's entries, `link` of a link.
 */
/** @type {Readonly<Record<string, number>>} */
export const LIMITS = Object.freeze({
  ...maxLengths(),
  entry: FIELD_LIMITS.personas.goals.maxLength,
  link: FIELD_LIMITS.prototypes.links.maxLength
})

/** Every field's `maxLength` in the contract, by field name. */
function maxLengths() {
  /** @type {Record<string, number>} */
  const limits = {}
  for (const fields of Object.values(FIELD_LIMITS)) {
    for (const [name, { maxLength }] of Object.entries(fields)) {
      if (maxLength !== undefined) limits[name] = maxLength
    }
  }
  return limits
}

/**
 * References: what a delete must clean up (docs/document-schema.md, References), plus the
 * browser's own: an idea's `clusterId` points at `clusters`.
 */
const REFERENCES = [
  ...SERVER_REFERENCES,
  { collection: 'ideas', field: 'clusterId', target: CLUSTERS, onDelete: 'setNull' }
]

export const now = () => new Date().toISOString()

/** Length in code points, as the server counts. @param {string} text */
export const codePoints = (text) => Array.from(text).length

/**
 * A link as the schema allows: absolute http(s) URL or a server path (never //host).
 * @param {unknown} value
 */
export function isLink(value) {
  if (typeof value !== 'string' || !value || codePoints(value) > LIMITS.link) return false
  if (value.startsWith('/')) return !value.startsWith('//') && !/\s/.test(value)
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && Boolean(url.host)
  } catch {
    return false
  }
}

/** A colour the schema accepts. @param {any} value */
export const isColor = (value) =>
  typeof value === 'string' && (PALETTE.includes(value) || /^#[0-9a-fA-F]{6}$/.test(value))

/**
 * A string field, read tolerantly (a Y.Text reads as its text).
 * @param {Y.Map<any>} ymap
 * @param {string} key
 */
export function str(ymap, key) {
  const value = ymap.get(key)
  if (typeof value === 'string') return value
  if (value instanceof Y.Text) return value.toString()
  return ''
}

/**
 * A list field as plain strings (a plain JS array is read too; bad entries skipped).
 * @param {Y.Map<any>} ymap
 * @param {string} key
 * @returns {string[]}
 */
export function list(ymap, key) {
  const value = ymap.get(key)
  const items = value instanceof Y.Array ? value.toArray() : Array.isArray(value) ? value : []
  return items.filter((item) => typeof item === 'string')
}

/**
 * The Y.Array of a list field, replacing a missing or broken value by a proper Y.Array (call
 * inside a transaction).
 * @param {Y.Map<any>} ymap
 * @param {string} key
 * @returns {Y.Array<string>}
 */
export function listArray(ymap, key) {
  const value = ymap.get(key)
  if (value instanceof Y.Array) return value
  const fresh = new Y.Array()
  fresh.push(Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [])
  ymap.set(key, fresh)
  return fresh
}

/**
 * A new artifact map with the common fields, every list field as a Y.Array, and `fields`.
 * @param {string} root
 * @param {Record<string, any>} fields
 * @param {string} userId
 * @returns {[string, Y.Map<any>]}
 */
export function newArtifact(root, fields, userId) {
  const id = crypto.randomUUID()
  const stamp = now()
  const item = new Y.Map()
  item.set('id', id)
  for (const key of LISTS_OF[root] || []) {
    const array = new Y.Array()
    const initial = fields[key] || []
    if (initial.length) array.push(initial)
    item.set(key, array)
  }
  for (const [key, value] of Object.entries(fields)) {
    if (!(LISTS_OF[root] || []).includes(key)) item.set(key, value)
  }
  item.set('createdBy', userId)
  item.set('createdAt', stamp)
  item.set('updatedAt', stamp)
  return [id, item]
}

/**
 * Add an artifact to its root (call inside a transaction); returns its id.
 * @param {Y.Doc} doc
 * @param {string} root
 * @param {Record<string, any>} fields
 * @param {string} userId
 */
export function addArtifact(doc, root, fields, userId) {
  const [id, item] = newArtifact(root, fields, userId)
  doc.getMap(root).set(id, item)
  return id
}

/**
 * Set fields and bump updatedAt (call inside a transaction).
 * @param {Y.Map<any>} ymap
 * @param {Record<string, any>} fields
 */
export function setFields(ymap, fields) {
  for (const [key, value] of Object.entries(fields)) ymap.set(key, value)
  ymap.set('updatedAt', now())
}

/**
 * Delete an artifact and clean up what points at it, as the REST API does: optional
 * references become null, lists drop the id, test results go with their test.
 * Call inside a transaction.
 * @param {Y.Doc} doc
 * @param {string} root
 * @param {string} id
 */
export function deleteArtifact(doc, root, id) {
  const stamp = now()
  doc.getMap(root).delete(id)
  for (const ref of REFERENCES) {
    if (ref.target !== root) continue
    const referrers = doc.getMap(ref.collection)
    for (const [otherId, other] of Array.from(referrers.entries())) {
      if (!(other instanceof Y.Map)) continue
      if (ref.onDelete === 'remove') {
        const array = other.get(ref.field)
        if (!(array instanceof Y.Array)) continue
        const values = array.toArray()
        let changed = false
        for (let i = values.length - 1; i >= 0; i--) {
          if (values[i] === id) {
            array.delete(i, 1)
            changed = true
          }
        }
        if (changed) other.set('updatedAt', stamp)
      } else if (other.get(ref.field) === id) {
        if (ref.onDelete === 'setNull') {
          other.set(ref.field, null)
          other.set('updatedAt', stamp)
        } else {
          deleteArtifact(doc, ref.collection, otherId)
        }
      }
    }
  }
}

/**
 * The artifacts of a root as [id, map] pairs, oldest first.
 * @param {Y.Doc} doc
 * @param {string} root
 */
export function entries(doc, root) {
  /** @type {Array<[string, Y.Map<any>]>} */
  const result = []
  doc.getMap(root).forEach((value, id) => {
    if (value instanceof Y.Map) result.push([id, value])
  })
  result.sort((a, b) => str(a[1], 'createdAt').localeCompare(str(b[1], 'createdAt')))
  return result
}
