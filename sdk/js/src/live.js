// A project's workshop document, live: the npm yjs + y-websocket packages (passed in, so this
// module imports neither) on /collab/{project_id}, with the credential in `?token=` and the
// DTTools SAVED extension (`?ext=1`, docs/protocol.md), so a change can be awaited until the
// server has it in PostgreSQL.
//
// Document schema 2 (`?schema=2`): the free-text fields (TEXT_FIELDS) are Y.Text, so two
// people typing in one merge. A write to a text field that holds a Y.Text changes only the
// span that differs (setText); replacing the Y.Text would drop what others typed meanwhile.
// A server that needs a newer schema closes with 4426, for good.
//
// Tokens: before a socket reconnects with an access token about to expire, and after the
// server closes one with 4401, the client's token is refreshed and written to
// `provider.params`, which y-websocket reads on every connect.

import { randomUUID } from './crypto.js'
import { LiveClosed, ReadOnly } from './errors.js'
import { MIN_VALIDITY_MS, tokenExpiry } from './transport.js'

/**
 * @typedef {object} LiveOptions
 * @property {any} Y the `yjs` module (`import * as Y from 'yjs'`)
 * @property {any} WebsocketProvider from `y-websocket`
 * @property {any} [WebSocket] a WebSocket class (default: the global one; Node < 22: `ws`)
 * @property {number} [syncTimeoutMs] how long to wait for the first sync (30000)
 * @property {string | null} [userId] the author written into live creates (default: yours)
 */

/**
 * @typedef {object} LiveDocument
 * @property {any} doc the Y.Doc
 * @property {any} provider the WebsocketProvider (its `awareness` for presence)
 * @property {boolean} readOnly the server refused one of our changes (a viewer's socket)
 * @property {{code: number, reason: string} | null} closed why the socket closed for good
 * @property {(kind: Kind) => any[]} items every artifact of a kind, oldest first
 * @property {(kind: Kind, id: string) => any} item one artifact, or null
 * @property {(kind: Kind, fields: Record<string, unknown>) => Promise<any>} add create, wait saved
 * @property {(kind: Kind, id: string, changes: Record<string, unknown>) => Promise<void>} update
 * @property {(fields: Record<string, unknown>) => Promise<any>} addIdea
 * @property {(id: string, changes: Record<string, unknown>) => Promise<void>} updateIdea
 * @property {(change: (doc: any) => void) => Promise<void>} transact
 * @property {(predicate: () => boolean, options?: {timeoutMs?: number}) => Promise<void>} waitFor
 * @property {(options?: {timeoutMs?: number}) => Promise<void>} waitSaved
 * @property {() => void} close
 */

/**
 * @typedef {'personas' | 'empathyMaps' | 'povStatements' | 'hmwQuestions' | 'ideas' |
 *   'prototypes' | 'tests' | 'testResults'} Kind the root Y.Map of a kind
 */

/** @type {Kind[]} */
export const KINDS = [
  'personas',
  'empathyMaps',
  'povStatements',
  'hmwQuestions',
  'ideas',
  'prototypes',
  'tests',
  'testResults'
]

/** The document schema this SDK writes (docs/document-schema.md), declared on connect. */
export const DOCUMENT_SCHEMA = '2'

/**
 * The free-text fields of each kind, held as Y.Text (docs/document-schema.md). The same table
 * as the server's (collab.artifacts.TEXT_FIELDS) and the browser's (static/app/contract.js):
 * tests/sdk/test_js_client.py keeps them equal.
 *
 * @type {Readonly<Record<Kind, readonly string[]>>}
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

/**
 * Make a Y.Text read `value` by replacing only what differs: one deletion and one insertion
 * between the common start and the common end. Indices are UTF-16 code units, as in Yjs.
 *
 * @param {any} text a Y.Text (integrated in a document)
 * @param {string} value
 * @returns {boolean} whether it changed
 */
export function setText(text, value) {
  const current = text.toString()
  if (current === value) return false
  const shortest = Math.min(current.length, value.length)
  let start = 0
  while (start < shortest && current[start] === value[start]) start++
  let end = 0 // the length of the common end, not overlapping the common start
  while (
    end < shortest - start &&
    current[current.length - 1 - end] === value[value.length - 1 - end]
  ) {
    end++
  }
  const removed = current.length - end - start
  if (removed > 0) text.delete(start, removed)
  const inserted = value.slice(start, value.length - end)
  if (inserted) text.insert(start, inserted)
  return true
}

/**
 * Whether the server closed a socket for good: 4400-4499 (4403 no access, 4413, 4422, 4426
 * outdated schema) except 4401 (renew the token) and 4429 (rate limited: later).
 *
 * @param {number | undefined} code
 */
const isFinal = (code) =>
  code !== undefined && code >= 4400 && code < 4500 && code !== 4401 && code !== 4429
const MESSAGE_AUTH = 2
const MESSAGE_SAVED = 100
const MESSAGE_NOTICE = 101

/**
 * @param {{arr: Uint8Array, pos: number}} decoder a lib0 decoder (or alike)
 * @returns {number}
 */
function readVarUint(decoder) {
  let value = 0
  for (let shift = 1; decoder.pos < decoder.arr.length; shift *= 128) {
    const byte = decoder.arr[decoder.pos++]
    value += (byte & 127) * shift
    if (byte < 128) return value
  }
  throw new RangeError('truncated varuint')
}

/**
 * @param {{arr: Uint8Array, pos: number}} decoder
 * @returns {string}
 */
function readVarString(decoder) {
  const length = readVarUint(decoder)
  const bytes = decoder.arr.subarray(decoder.pos, decoder.pos + length)
  decoder.pos += length
  return new TextDecoder().decode(bytes)
}

/**
 * Whether an outgoing frame is one the server counts in SAVED: a sync update or step 2
 * holding a non-empty update.
 *
 * @param {unknown} data
 * @returns {boolean}
 */
function countsAsUpdate(data) {
  const bytes =
    data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null
  if (bytes === null || bytes[0] !== 0 || (bytes[1] !== 1 && bytes[1] !== 2)) return false
  const decoder = { arr: bytes, pos: 2 }
  const length = readVarUint(decoder)
  return length > 0 && !(length === 2 && bytes[decoder.pos] === 0 && bytes[decoder.pos + 1] === 0)
}

/**
 * `WS` that counts the updates it sends (`socket.dttools.sent`), for SAVED.
 *
 * @param {any} WS
 * @returns {any}
 */
function countingSocket(WS) {
  return class CountingWebSocket extends WS {
    /**
     * @param {string} url
     * @param {string | string[]} [protocols]
     */
    constructor(url, protocols) {
      super(url, protocols)
      this.dttools = { sent: 0, saved: 0 }
    }

    /** @param {any} data */
    send(data) {
      if (countsAsUpdate(data)) this.dttools.sent++
      super.send(data)
    }
  }
}

/**
 * @param {{createdAt?: unknown, id: string}} a
 * @param {{createdAt?: unknown, id: string}} b
 */
const byCreation = (a, b) =>
  String(a.createdAt ?? '\uffff').localeCompare(String(b.createdAt ?? '\uffff')) ||
  a.id.localeCompare(b.id)

/**
 * Connect, wait for the first sync, and return the live document (see DTTools#live).
 *
 * @param {import('./client.js').DTTools} client
 * @param {string} projectId
 * @param {LiveOptions} options
 * @returns {Promise<LiveDocument>}
 */
export async function openLive(client, projectId, options) {
  const {
    Y,
    WebsocketProvider,
    WebSocket: WS = globalThis.WebSocket,
    syncTimeoutMs = 30000
  } = options
  const userId = options.userId ?? null
  if (!Y || !WebsocketProvider) {
    throw new TypeError("pass {Y, WebsocketProvider} from the 'yjs' and 'y-websocket' packages")
  }
  if (!WS) throw new TypeError("no global WebSocket here: pass {WebSocket} (from the 'ws' package)")
  const token = await client.freshToken()
  const doc = new Y.Doc()
  const serverUrl = client.http.baseUrl.replace(/^http/, 'ws') + '/collab'
  /** @type {Set<() => void>} */
  const listeners = new Set()
  const notify = () => {
    for (const listener of [...listeners]) listener()
  }
  let readOnly = false
  let renewing = false
  let closing = false
  let refusedSinceSync = 0
  /** @type {{code: number, reason: string} | null} */
  let closed = null

  const provider = new WebsocketProvider(serverUrl, projectId, doc, {
    connect: false,
    params:
      token === null
        ? { ext: '1', schema: DOCUMENT_SCHEMA }
        : { ext: '1', schema: DOCUMENT_SCHEMA, token },
    WebSocketPolyfill: countingSocket(WS),
    disableBc: true,
    shouldReconnect: (/** @type {{code: number}} */ event) => {
      if (event.code === 4401) return renewing // reconnects once the token is renewed
      return !isFinal(event.code) // 4429 (rate limited) and 1xxx: later, with back-off
    }
  })
  provider.messageHandlers[MESSAGE_SAVED] = (
    /** @type {any} */ _encoder,
    /** @type {any} */ decoder
  ) => {
    const saved = readVarUint(decoder)
    if (provider.ws?.dttools) provider.ws.dttools.saved = saved
    notify()
  }
  provider.messageHandlers[MESSAGE_NOTICE] = (
    /** @type {any} */ _encoder,
    /** @type {any} */ decoder
  ) => {
    if (readVarString(decoder) === 'read-only') readOnly = true
    readVarString(decoder)
    notify()
  }
  // y-protocols' permission denied (a viewer's refused change): noted instead of logged.
  provider.messageHandlers[MESSAGE_AUTH] = (
    /** @type {any} */ _encoder,
    /** @type {any} */ decoder
  ) => {
    if (readVarUint(decoder) === 0) readOnly = true
    readVarString(decoder)
    notify()
  }
  provider.on('connection-close', (/** @type {{code: number} | null} */ event) => {
    notify()
    if (closing || !provider.shouldConnect) return // closed by us, not by the server
    if (isFinal(event?.code)) return // for good: no token renewal brings it back
    if (client.http.refresher === null) return // an API key or a token of yours: as it is
    const stale = provider.params.token ?? null
    const refused = event?.code === 4401
    if (refused) {
      if (refusedSinceSync++ > 0) return // refused again with a fresh token: for good
    } else {
      const expiry = tokenExpiry(stale)
      // Not expiring: y-websocket reconnects by itself, with its back-off.
      if (expiry === null || expiry - Date.now() > MIN_VALIDITY_MS) return
    }
    renewing = true
    provider.shouldConnect = false // held until the token is fresh, then connect() below
    client
      .freshToken({ refused: refused ? stale : null })
      .then(
        (fresh) => {
          if (fresh !== null) provider.params = { ...provider.params, token: fresh }
        },
        () => {} // unreachable server: reconnect with what we have, y-websocket backs off
      )
      .finally(() => {
        renewing = false
        if (!closing) provider.connect()
      })
  })
  provider.on('sync', (/** @type {boolean} */ synced) => {
    if (synced) refusedSinceSync = 0
    notify()
  })
  provider.on('status', notify)
  provider.on('closed', (/** @type {{code: number, reason: string}} */ event) => {
    closed = { code: event.code, reason: event.reason }
    notify()
  })
  doc.on('update', notify)

  /**
   * @param {() => boolean} predicate
   * @param {{timeoutMs?: number}} [waitOptions]
   * @returns {Promise<void>}
   */
  const waitFor = (predicate, { timeoutMs = 10000 } = {}) =>
    new Promise((resolve, reject) => {
      /** @param {unknown} [error] */
      const finish = (error) => {
        clearTimeout(timer)
        listeners.delete(check)
        if (error === undefined) resolve()
        else reject(error)
      }
      const check = () => {
        try {
          if (predicate()) finish()
          else if (closed !== null) finish(new LiveClosed(closed.code, closed.reason))
        } catch (error) {
          finish(error)
        }
      }
      const timer = setTimeout(() => finish(new Error(`not so within ${timeoutMs} ms`)), timeoutMs)
      listeners.add(check)
      check()
    })

  /**
   * @param {Kind} kind
   * @param {string} id
   */
  const item = (kind, id) => {
    const value = doc.getMap(kind).get(id)
    return value instanceof Y.Map ? { ...value.toJSON(), id } : null
  }
  /** @param {Kind} kind */
  const items = (kind) => {
    /** @type {any[]} */
    const found = []
    // an entry that is not a Y.Map is no artifact: the server's lists skip it too
    doc.getMap(kind).forEach((/** @type {any} */ value, /** @type {string} */ id) => {
      if (value instanceof Y.Map) found.push({ ...value.toJSON(), id })
    })
    return found.sort(byCreation)
  }
  /**
   * The value to put in an entry of `kind`: a Y.Array for a list, a Y.Text for a string in a
   * text field.
   *
   * @param {Kind} kind
   * @param {string} key
   * @param {unknown} value
   */
  const toY = (kind, key, value) =>
    Array.isArray(value)
      ? Y.Array.from(value)
      : typeof value === 'string' && TEXT_FIELDS[kind]?.includes(key)
        ? new Y.Text(value)
        : value

  /** @type {LiveDocument} */
  const live = {
    doc,
    provider,
    get readOnly() {
      return readOnly
    },
    get closed() {
      return closed
    },
    items,
    item,
    waitFor,
    waitSaved: (waitOptions) =>
      waitFor(() => {
        if (readOnly) throw new ReadOnly('the server refused a change: this socket is read-only')
        const socket = provider.ws
        return (
          provider.synced &&
          socket?.dttools !== undefined &&
          socket.dttools.saved >= socket.dttools.sent
        )
      }, waitOptions),
    async transact(change) {
      doc.transact(() => change(doc))
      await live.waitSaved()
    },
    async add(kind, fields) {
      const id = await randomUUID()
      const now = new Date().toISOString()
      const entry = new Y.Map()
      const values = { ...fields, id, createdBy: userId, createdAt: now, updatedAt: now }
      for (const [key, value] of Object.entries(values)) entry.set(key, toY(kind, key, value))
      await live.transact(() => doc.getMap(kind).set(id, entry))
      return item(kind, id)
    },
    async update(kind, id, changes) {
      const entry = doc.getMap(kind).get(id)
      if (!(entry instanceof Y.Map)) throw new RangeError(`no ${kind} entry ${id}`)
      const values = { ...changes, updatedAt: new Date().toISOString() }
      await live.transact(() => {
        for (const [key, value] of Object.entries(values)) {
          const current = entry.get(key)
          // an existing Y.Text changes by difference: others' concurrent typing survives
          if (typeof value === 'string' && current instanceof Y.Text) setText(current, value)
          else entry.set(key, toY(kind, key, value))
        }
      })
    },
    addIdea: (fields) =>
      live.add('ideas', {
        color: 'yellow',
        x: 0,
        y: 0,
        clusterId: null,
        ...fields,
        authorId: userId
      }),
    updateIdea: (id, changes) => live.update('ideas', id, changes),
    close() {
      closing = true
      provider.destroy()
      provider.awareness.destroy() // its own timer: the provider leaves it running
      closed ??= { code: 1000, reason: 'closed by the client' }
      notify()
    }
  }
  for (const kind of KINDS) /** @type {any} */ (live)[kind] = () => items(kind)

  provider.connect()
  try {
    await waitFor(() => provider.synced, { timeoutMs: syncTimeoutMs })
  } catch (error) {
    live.close()
    throw error
  }
  return live
}
