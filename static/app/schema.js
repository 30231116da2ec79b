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
  REFERENCES as SERVER_REFERENCES,
  TEXT_FIELDS
} from './contract.js'
import { textChange } from './text-diff.js'
import { t } from './i18n.js'

/** The browser's additive v1 root of named idea groups (the server neither reads nor checks it). */
export const CLUSTERS = 'clusters'

/** Root Y.Maps of version 1, plus `clusters`. */
export const ROOTS = Object.freeze([...COLLECTIONS, CLUSTERS])

export { PALETTE, LIST_FIELDS, TEXT_FIELDS }
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
/** TEXT_FIELDS looked up by any root name. */
const TEXTS_OF = /** @type {Readonly<Record<string, readonly string[] | undefined>>} */ (
  TEXT_FIELDS
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
 * The catalogue keys of the fields' labels, by kind and field. Literal on purpose: a key named
 * nowhere in the code counts as unused (tests/test_i18n.py), so none is built at run time.
 * @type {Readonly<Record<string, Readonly<Record<string, string>>>>}
 */
const FIELD_LABEL_KEYS = Object.freeze({
  personas: Object.freeze({
    name: 'field.personas.name',
    role: 'field.personas.role',
    demographics: 'field.personas.demographics',
    quote: 'field.personas.quote',
    bio: 'field.personas.bio',
    avatar: 'field.personas.avatar',
    goals: 'field.personas.goals',
    pains: 'field.personas.pains',
    gains: 'field.personas.gains'
  }),
  empathyMaps: Object.freeze({
    title: 'field.empathyMaps.title',
    personaId: 'field.empathyMaps.personaId',
    says: 'field.empathyMaps.says',
    thinks: 'field.empathyMaps.thinks',
    does: 'field.empathyMaps.does',
    feels: 'field.empathyMaps.feels',
    pains: 'field.empathyMaps.pains',
    gains: 'field.empathyMaps.gains'
  }),
  povStatements: Object.freeze({
    user: 'field.povStatements.user',
    need: 'field.povStatements.need',
    insight: 'field.povStatements.insight'
  }),
  hmwQuestions: Object.freeze({
    question: 'field.hmwQuestions.question',
    povId: 'field.hmwQuestions.povId'
  }),
  prototypes: Object.freeze({
    title: 'field.prototypes.title',
    fidelity: 'field.prototypes.fidelity',
    description: 'field.prototypes.description',
    links: 'field.prototypes.links',
    fileIds: 'field.prototypes.fileIds',
    linkedIdeaIds: 'field.prototypes.linkedIdeaIds'
  }),
  tests: Object.freeze({
    title: 'field.tests.title',
    prototypeId: 'field.tests.prototypeId',
    script: 'field.tests.script'
  }),
  testResults: Object.freeze({
    participant: 'field.testResults.participant',
    outcome: 'field.testResults.outcome',
    rating: 'field.testResults.rating',
    notes: 'field.testResults.notes'
  })
})

/**
 * What one entry of a list field is called ("Goal" of goals), by field name.
 * @type {Readonly<Record<string, string>>}
 */
const ENTRY_LABEL_KEYS = Object.freeze({
  goals: 'field.entry.goal',
  pains: 'field.entry.pain',
  gains: 'field.entry.gain',
  says: 'field.entry.says',
  thinks: 'field.entry.thinks',
  does: 'field.entry.does',
  feels: 'field.entry.feels',
  links: 'field.entry.link'
})

/**
 * The names of the values of enumerated fields (fidelity, outcome), by field and value.
 * @type {Readonly<Record<string, Readonly<Record<string, string>>>>}
 */
const VALUE_LABEL_KEYS = Object.freeze({
  fidelity: Object.freeze({
    low: 'field.fidelity.low',
    medium: 'field.fidelity.medium',
    high: 'field.fidelity.high'
  }),
  outcome: Object.freeze({
    success: 'field.outcome.success',
    partial: 'field.outcome.partial',
    failure: 'field.outcome.failure'
  })
})

/**
 * A field's label in the current language ("Name" of a persona).
 * @param {string} kind a root (personas, empathyMaps...)
 * @param {string} name the field
 */
export function fieldLabel(kind, name) {
  const key = FIELD_LABEL_KEYS[kind]?.[name]
  return key ? t(key) : name
}

/** What one entry of the list field `name` is called ("Goal"). @param {string} name */
export function entryLabel(name) {
  const key = ENTRY_LABEL_KEYS[name]
  return key ? t(key) : name
}

/**
 * The name of a value of an enumerated field ("Low" fidelity), or the value itself.
 * @param {string} name the field (fidelity, outcome)
 * @param {string} value
 */
export function valueLabel(name, value) {
  const key = VALUE_LABEL_KEYS[name]?.[value]
  return key ? t(key) : value
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
 * A link as typed, completed: `www.example.com/x` or `figma.com/proto/abc` (a host with a dot,
 * no scheme) becomes `https://...`; anything else is returned trimmed, as it was.
 * @param {string} text
 */
export function withScheme(text) {
  const value = text.trim()
  if (!value || isLink(value) || !/^[^\s/:]+\.[^\s/:.]+(?:[/?#]\S*)?$/.test(value)) return value
  const completed = `https://${value}`
  return isLink(completed) ? completed : value
}

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
 * The root (collection) an artifact's map is an entry of, or null (not in a document yet, or
 * not an entry of a root).
 * @param {Y.Map<any>} ymap
 * @returns {string | null}
 */
export function rootOf(ymap) {
  const parent = ymap.parent
  const doc = ymap.doc
  if (!doc || !parent) return null
  for (const [name, type] of doc.share) if (type === parent) return name
  return null
}

/**
 * Is `key` a free-text field (a Y.Text since schema 2) of the artifacts of `root`?
 * @param {string | null} root
 * @param {string} key
 */
export function isTextField(root, key) {
  return root !== null && (TEXTS_OF[root] || []).includes(key)
}

/**
 * The Y.Text of a text field, turning a plain string (a document from before schema 2, or a
 * client that wrote one) or a missing value into a Y.Text with the same characters. Call
 * inside a transaction.
 * @param {Y.Map<any>} ymap
 * @param {string} key
 * @returns {Y.Text}
 */
export function textOf(ymap, key) {
  const value = ymap.get(key)
  if (value instanceof Y.Text) return value
  const fresh = new Y.Text(typeof value === 'string' ? value : '')
  ymap.set(key, fresh)
  return fresh
}

/**
 * Make a text field read `value` by writing only what differs (text-diff.js), and bump
 * updatedAt when something changed. Call inside a transaction.
 * @param {Y.Map<any>} ymap
 * @param {string} key
 * @param {string} value
 * @returns {boolean} whether the text changed
 */
export function writeText(ymap, key, value) {
  const text = textOf(ymap, key)
  const change = textChange(text.toString(), value)
  if (!change) return false
  if (change.remove) text.delete(change.index, change.remove)
  if (change.insert) text.insert(change.index, change.insert)
  ymap.set('updatedAt', now())
  return true
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
  const texts = TEXTS_OF[root] || []
  for (const [key, value] of Object.entries(fields)) {
    if ((LISTS_OF[root] || []).includes(key)) continue
    // schema 2: free text is a Y.Text, so people typing in it at once merge
    item.set(key, texts.includes(key) && typeof value === 'string' ? new Y.Text(value) : value)
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
