// GENERATED FILE: do not edit by hand. scripts/gen_contract.py writes it from collab/artifacts.py,
// collab/brainstorm.py, collab/brainstorm_doc.py, collab/messages.py, collab/codec.py and
// collab/close.py. After a change there, run `.venv/bin/python scripts/gen_contract.py`
// (tests/test_contract.py fails while this file is stale). Every value is frozen.

/** The workshop document's schema version (`meta.schemaVersion`). */
export const SCHEMA_VERSION = 2

/** The root Y.Maps of the artifact kinds, in phase order. */
export const COLLECTIONS = Object.freeze([
  'personas',
  'empathyMaps',
  'povStatements',
  'hmwQuestions',
  'ideas',
  'prototypes',
  'tests',
  'testResults'
])

/** Per collection, the fields stored as a Y.Array of strings (so concurrent appends merge). */
export const LIST_FIELDS = Object.freeze({
  personas: Object.freeze(['goals', 'pains', 'gains']),
  empathyMaps: Object.freeze(['says', 'thinks', 'does', 'feels', 'pains', 'gains']),
  povStatements: Object.freeze([]),
  hmwQuestions: Object.freeze([]),
  ideas: Object.freeze([]),
  prototypes: Object.freeze(['linkedIdeaIds', 'links', 'fileIds']),
  tests: Object.freeze([]),
  testResults: Object.freeze([])
})

/**
 * Per collection, the free-text fields stored as a Y.Text (schema 2: concurrent typing
 * merges); REST reads and writes them as strings.
 */
export const TEXT_FIELDS = Object.freeze({
  personas: Object.freeze(['demographics', 'bio', 'quote']),
  empathyMaps: Object.freeze([]),
  povStatements: Object.freeze(['need', 'insight']),
  hmwQuestions: Object.freeze(['question']),
  ideas: Object.freeze(['text']),
  prototypes: Object.freeze(['description']),
  tests: Object.freeze(['script']),
  testResults: Object.freeze(['notes'])
})

/** The most entries any list field may hold. */
export const MAX_LIST_ITEMS = 200

/**
 * Per collection and field, its JSON Schema bounds (of each entry, for a list field);
 * lengths count code points.
 */
export const FIELD_LIMITS = Object.freeze({
  personas: Object.freeze({
    name: Object.freeze({ minLength: 1, maxLength: 200 }),
    role: Object.freeze({ minLength: 0, maxLength: 200 }),
    demographics: Object.freeze({ minLength: 0, maxLength: 1000 }),
    bio: Object.freeze({ minLength: 0, maxLength: 10000 }),
    goals: Object.freeze({ minLength: 0, maxLength: 1000 }),
    pains: Object.freeze({ minLength: 0, maxLength: 1000 }),
    gains: Object.freeze({ minLength: 0, maxLength: 1000 }),
    quote: Object.freeze({ minLength: 0, maxLength: 1000 }),
    avatar: Object.freeze({ maxLength: 2000 })
  }),
  empathyMaps: Object.freeze({
    title: Object.freeze({ minLength: 0, maxLength: 200 }),
    says: Object.freeze({ minLength: 0, maxLength: 1000 }),
    thinks: Object.freeze({ minLength: 0, maxLength: 1000 }),
    does: Object.freeze({ minLength: 0, maxLength: 1000 }),
    feels: Object.freeze({ minLength: 0, maxLength: 1000 }),
    pains: Object.freeze({ minLength: 0, maxLength: 1000 }),
    gains: Object.freeze({ minLength: 0, maxLength: 1000 })
  }),
  povStatements: Object.freeze({
    user: Object.freeze({ minLength: 1, maxLength: 200 }),
    need: Object.freeze({ minLength: 1, maxLength: 1000 }),
    insight: Object.freeze({ minLength: 0, maxLength: 1000 })
  }),
  hmwQuestions: Object.freeze({ question: Object.freeze({ minLength: 1, maxLength: 1000 }) }),
  ideas: Object.freeze({
    text: Object.freeze({ minLength: 1, maxLength: 5000 }),
    x: Object.freeze({ minimum: -1000000, maximum: 1000000 }),
    y: Object.freeze({ minimum: -1000000, maximum: 1000000 })
  }),
  prototypes: Object.freeze({
    title: Object.freeze({ minLength: 1, maxLength: 200 }),
    description: Object.freeze({ minLength: 0, maxLength: 10000 }),
    links: Object.freeze({ maxLength: 2000 }),
    fidelity: Object.freeze({ enum: Object.freeze(['low', 'medium', 'high']) })
  }),
  tests: Object.freeze({
    title: Object.freeze({ minLength: 1, maxLength: 200 }),
    script: Object.freeze({ minLength: 0, maxLength: 10000 })
  }),
  testResults: Object.freeze({
    participant: Object.freeze({ minLength: 0, maxLength: 200 }),
    outcome: Object.freeze({ enum: Object.freeze(['success', 'partial', 'failure']) }),
    notes: Object.freeze({ minLength: 0, maxLength: 10000 }),
    rating: Object.freeze({ minimum: 1, maximum: 5 })
  })
})

/** The named sticky-note colours (any `#rrggbb` is accepted too); the first is the default. */
export const PALETTE = Object.freeze([
  'yellow',
  'orange',
  'red',
  'pink',
  'purple',
  'blue',
  'green',
  'grey'
])

/**
 * Fields that hold ids of another collection; `onDelete` says what deleting the target
 * does to the referrer: `setNull`, `remove` (from the list) or `cascade` (delete it too).
 */
export const REFERENCES = Object.freeze([
  Object.freeze({
    collection: 'empathyMaps',
    field: 'personaId',
    target: 'personas',
    onDelete: 'setNull'
  }),
  Object.freeze({
    collection: 'hmwQuestions',
    field: 'povId',
    target: 'povStatements',
    onDelete: 'setNull'
  }),
  Object.freeze({
    collection: 'prototypes',
    field: 'linkedIdeaIds',
    target: 'ideas',
    onDelete: 'remove'
  }),
  Object.freeze({
    collection: 'tests',
    field: 'prototypeId',
    target: 'prototypes',
    onDelete: 'setNull'
  }),
  Object.freeze({
    collection: 'testResults',
    field: 'testId',
    target: 'tests',
    onDelete: 'cascade'
  })
])

/** The five design-thinking phases, in order. */
export const DESIGN_PHASES = Object.freeze(['empathize', 'define', 'ideate', 'prototype', 'test'])

/** The phases of a brainstorm session, in the order a facilitator moves through them. */
export const BRAINSTORM_PHASES = Object.freeze([
  'silent',
  'reveal',
  'clustering',
  'voting',
  'results'
])

/**
 * What may happen when a session's timer reaches zero (`on_time_up`); the first is the
 * default.
 */
export const BRAINSTORM_TIME_UP = Object.freeze(['nothing', 'lock', 'advance'])

/** Appended to a project id, names the server-owned room of its brainstorm session. */
export const BRAINSTORM_ROOM_SUFFIX = ':brainstorm'

/** The root Y.Map of that room: snapshot number (decimal string) -> session state. */
export const BRAINSTORM_SNAPSHOTS = 'brainstorm'

/**
 * The bounds of the fields that start a session (POST .../brainstorm), as the server
 * checks them; `duration_s` is in seconds.
 */
export const BRAINSTORM_START = Object.freeze({
  prompt: Object.freeze({ minLength: 1, maxLength: 1000 }),
  duration_s: Object.freeze({ minimum: 10, maximum: 86400 }),
  votes_per_person: Object.freeze({ minimum: 1, maximum: 100 })
})

/** The first varuint of every y-websocket frame; 100 and up are our extensions (`?ext=1`). */
export const MESSAGE_TYPES = Object.freeze({
  SYNC: 0,
  AWARENESS: 1,
  AUTH: 2,
  QUERY_AWARENESS: 3,
  SAVED: 100,
  NOTICE: 101
})

/** The y-protocols sync sub-types (second varuint of a SYNC frame). */
export const SYNC_TYPES = Object.freeze({ STEP1: 0, STEP2: 1, UPDATE: 2 })

/** The y-protocols auth sub-types (second varuint of an AUTH frame; then the reason). */
export const AUTH_TYPES = Object.freeze({ PERMISSION_DENIED: 0 })

/** The codes of the server's NOTICE messages (`?ext=1`): what a client decides on. */
export const NOTICE_CODES = Object.freeze({ READ_ONLY: 'read-only', NOTE_LOCKED: 'note-locked' })

/** The WebSocket close codes the server sends (docs/protocol.md, Close codes). */
export const CLOSE_CODES = Object.freeze({
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  TRY_AGAIN_LATER: 1013,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  DOCUMENT_TOO_LARGE: 4413,
  NESTING_TOO_DEEP: 4422,
  CLIENT_OUTDATED: 4426,
  RATE_LIMITED: 4429,
  ROOM_CORRUPT: 4500,
  STORAGE_UNAVAILABLE: 4503
})
