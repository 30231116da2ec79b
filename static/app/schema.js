// The workshop document contract (docs/document-schema.md): roots, fields, limits, and the
// writes that follow it (ids, dates, Y.Array list fields, reference rules on delete).
import { Y } from './yjs.js'

/** Root Y.Maps of version 1, plus `clusters` (named idea groups, an additive v1 root). */
export const ROOTS = ['personas', 'empathyMaps', 'povStatements', 'hmwQuestions', 'ideas',
  'prototypes', 'tests', 'testResults', 'clusters']

/** List fields (Y.Array of strings) per root. */
export const LIST_FIELDS = {
  personas: ['goals', 'pains', 'gains'],
  empathyMaps: ['says', 'thinks', 'does', 'feels', 'pains', 'gains'],
  prototypes: ['linkedIdeaIds', 'links']
}

export const PALETTE = ['yellow', 'orange', 'red', 'pink', 'purple', 'blue', 'green', 'grey']
export const OUTCOMES = ['success', 'partial', 'failure']
export const FIDELITIES = ['low', 'medium', 'high']
export const MAX_LIST_ENTRIES = 200

/** Limits in code points (the server counts code points; inputs use `maxlength`). */
export const LIMITS = {
  name: 200, title: 200, role: 200, user: 200, participant: 200,
  demographics: 1000, quote: 1000, need: 1000, insight: 1000, question: 1000, entry: 1000,
  bio: 10000, description: 10000, script: 10000, notes: 10000,
  text: 5000, link: 2000
}

/** References: what a delete must clean up (docs/document-schema.md, References). */
const REFERENCES = [
  { root: 'empathyMaps', field: 'personaId', target: 'personas', rule: 'null' },
  { root: 'hmwQuestions', field: 'povId', target: 'povStatements', rule: 'null' },
  { root: 'prototypes', field: 'linkedIdeaIds', target: 'ideas', rule: 'remove' },
  { root: 'tests', field: 'prototypeId', target: 'prototypes', rule: 'null' },
  { root: 'testResults', field: 'testId', target: 'tests', rule: 'cascade' },
  // additive: an idea's clusterId points at `clusters`
  { root: 'ideas', field: 'clusterId', target: 'clusters', rule: 'null' }
]

export const now = () => new Date().toISOString()

/** Length in code points, as the server counts. @param {string} text */
export const codePoints = (text) => Array.from(text).length

/** A link as the schema allows: absolute http(s) URL or a server path (never //host). */
export function isLink (value) {
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

/** A string field, read tolerantly (a Y.Text reads as its text). */
export function str (ymap, key) {
  const value = ymap.get(key)
  if (typeof value === 'string') return value
  if (value instanceof Y.Text) return value.toString()
  return ''
}

/** A list field as plain strings (a plain JS array is read too; bad entries skipped). */
export function list (ymap, key) {
  const value = ymap.get(key)
  const items = value instanceof Y.Array ? value.toArray() : Array.isArray(value) ? value : []
  return items.filter((item) => typeof item === 'string')
}

/**
 * The Y.Array of a list field, replacing a missing or broken value by a proper Y.Array (call
 * inside a transaction).
 */
export function listArray (ymap, key) {
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
export function newArtifact (root, fields, userId) {
  const id = crypto.randomUUID()
  const stamp = now()
  const item = new Y.Map()
  item.set('id', id)
  for (const key of LIST_FIELDS[root] || []) {
    const array = new Y.Array()
    const initial = fields[key] || []
    if (initial.length) array.push(initial)
    item.set(key, array)
  }
  for (const [key, value] of Object.entries(fields)) {
    if (!(LIST_FIELDS[root] || []).includes(key)) item.set(key, value)
  }
  item.set('createdBy', userId)
  item.set('createdAt', stamp)
  item.set('updatedAt', stamp)
  return [id, item]
}

/** Add an artifact to its root (call inside a transaction); returns its id. */
export function addArtifact (doc, root, fields, userId) {
  const [id, item] = newArtifact(root, fields, userId)
  doc.getMap(root).set(id, item)
  return id
}

/** Set fields and bump updatedAt (call inside a transaction). */
export function setFields (ymap, fields) {
  for (const [key, value] of Object.entries(fields)) ymap.set(key, value)
  ymap.set('updatedAt', now())
}

/**
 * Delete an artifact and clean up what points at it, as the REST API does: optional
 * references become null, lists drop the id, test results go with their test.
 * Call inside a transaction.
 */
export function deleteArtifact (doc, root, id) {
  const stamp = now()
  doc.getMap(root).delete(id)
  for (const ref of REFERENCES) {
    if (ref.target !== root) continue
    const referrers = doc.getMap(ref.root)
    for (const [otherId, other] of Array.from(referrers.entries())) {
      if (!(other instanceof Y.Map)) continue
      if (ref.rule === 'remove') {
        const array = other.get(ref.field)
        if (!(array instanceof Y.Array)) continue
        const values = array.toArray()
        let changed = false
        for (let i = values.length - 1; i >= 0; i--) {
          if (values[i] === id) { array.delete(i, 1); changed = true }
        }
        if (changed) other.set('updatedAt', stamp)
      } else if (other.get(ref.field) === id) {
        if (ref.rule === 'null') {
          other.set(ref.field, null)
          other.set('updatedAt', stamp)
        } else {
          deleteArtifact(doc, ref.root, otherId)
        }
      }
    }
  }
}

/** The artifacts of a root as [id, map] pairs, oldest first. */
export function entries (doc, root) {
  const result = []
  doc.getMap(root).forEach((value, id) => {
    if (value instanceof Y.Map) result.push([id, value])
  })
  result.sort((a, b) => str(a[1], 'createdAt').localeCompare(str(b[1], 'createdAt')))
  return result
}
