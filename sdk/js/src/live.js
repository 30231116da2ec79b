// A project's workshop document, live: the npm yjs + y-websocket packages (passed in, so this
// module imports neither) on /collab/{project_id}, with the credential in `?token=` and the
// DTTools SAVED extension (`?ext=1`, docs/protocol.md), so a change can be awaited until the
// server has it in PostgreSQL.
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
    params: token === null ? { ext: '1' } : { ext: '1', token },
    WebSocketPolyfill: countingSocket(WS),
    disableBc: true,
    shouldReconnect: (/** @type {{code: number}} */ event) => {
      if (event.code === 4401) return renewing // reconnects once the token is renewed
      if (event.code === 4429) return true // rate limited: wait, then reconnect
      return !(event.code >= 4400 && event.code < 4500) // 4403, 4413, 4422: for good
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
  /** @param {unknown} value */
  const toY = (value) => (Array.isArray(value) ? Y.Array.from(value) : value)

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
      for (const [key, value] of Object.entries(values)) entry.set(key, toY(value))
      await live.transact(() => doc.getMap(kind).set(id, entry))
      return item(kind, id)
    },
    async update(kind, id, changes) {
      const entry = doc.getMap(kind).get(id)
      if (!(entry instanceof Y.Map)) throw new RangeError(`no ${kind} entry ${id}`)
      const values = { ...changes, updatedAt: new Date().toISOString() }
      await live.transact(() => {
        for (const [key, value] of Object.entries(values)) entry.set(key, toY(value))
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
