// A real npm `yjs` + `y-websocket` client (the stock WebsocketProvider), driven by pytest.
//
// It joins <url>/<room>?ext=1, makes --edits random edits to the Y.Array 'items' and the
// Y.Text 'text', waits (on document, awareness and SAVED events, never on timers) until the
// array holds --expect items and every --expect-peers name has been seen in awareness, then
// prints one JSON line with its view of the document and exits 0. On timeout it prints a
// JSON line with "error" and the partial state and exits 1. The full contract (options,
// output, exit codes) is in tests/interop/README.md.
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as decoding from 'lib0/decoding'

const MESSAGE_SAVED = 100

const USAGE = 'usage: node yjs_client.mjs --url ws://HOST:PORT/collab --room ROOM --name NAME ' +
  '[--edits N] [--expect M] [--expect-peers a,b] [--timeout-ms MS] [--seed S] ' +
  '[--wait-saved] [--no-ext] [--hold] [--print-awareness-removals]'

function usage (message) {
  process.stdout.write(JSON.stringify({ error: `${message}; ${USAGE}` }) + '\n')
  process.exit(2)
}

let opts
try {
  opts = parseArgs({
    options: {
      url: { type: 'string' },
      room: { type: 'string' },
      name: { type: 'string' },
      edits: { type: 'string', default: '0' },
      expect: { type: 'string' },
      'expect-peers': { type: 'string', default: '' },
      'timeout-ms': { type: 'string', default: '20000' },
      seed: { type: 'string', default: '1' },
      'wait-saved': { type: 'boolean', default: false },
      ext: { type: 'boolean', default: false }, // older spelling of --wait-saved
      'no-ext': { type: 'boolean', default: false },
      hold: { type: 'boolean', default: false },
      'print-awareness-removals': { type: 'boolean', default: false }
    }
  }).values
} catch (err) {
  usage(err.message)
}

function count (option, fallback) {
  const raw = opts[option] ?? fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 0) usage(`--${option} must be a non-negative integer, got ${raw}`)
  return value
}

for (const required of ['url', 'room', 'name']) {
  if (!opts[required]) usage(`--${required} is required`)
}
const name = opts.name
const edits = count('edits')
const expect = count('expect', String(edits))
const timeoutMs = count('timeout-ms')
const expectPeers = opts['expect-peers'].split(',').map((p) => p.trim()).filter((p) => p !== '')
const useExt = !opts['no-ext']
const waitSaved = (opts['wait-saved'] || opts.ext) && useExt
const printRemovals = opts['print-awareness-removals']

// mulberry32: the same --seed gives the same sequence of indexes and delays
let seed = count('seed') >>> 0
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const randomInt = (maxInclusive) => Math.floor(random() * (maxInclusive + 1))

// Whatever the provider logs (e.g. 'Unable to compute message' for an unhandled message type,
// or a permission-denied warning) is reported in "errors" as well as on stderr.
const errors = []
for (const level of ['error', 'warn']) {
  const original = console[level]
  console[level] = (...args) => {
    errors.push(args.map(String).join(' '))
    original(...args)
  }
}

const doc = new Y.Doc()
const items = doc.getArray('items')
const text = doc.getText('text')
const provider = new WebsocketProvider(opts.url, opts.room, doc, {
  WebSocketPolyfill: WebSocket,
  params: useExt ? { ext: '1', schema: '2' } : {},
  disableBc: true
})

// SAVED (type 100): one varuint, the number of this connection's updates that are durable.
let saved = 0
let savedMessages = 0
provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => {
  saved = decoding.readVarUint(decoder)
  savedMessages++
  check()
}

// Every local update is sent by the provider as one sync-update message (type 0, sub 2);
// remote updates (sync step 2 and relayed updates) are applied with origin === provider.
let sent = 0
doc.on('update', (_update, origin) => {
  if (origin !== provider) sent++
  check()
})

let status = 'connecting'
let connectionErrors = 0
provider.on('status', (event) => { status = event.status })
provider.on('connection-error', () => { connectionErrors++ })

// Names ever seen in awareness (a peer that finished first may already have left), and the
// name of each client id, to name the clients in removal reports.
const everSeen = new Set()
const namesById = new Map()
const notePeers = () => {
  provider.awareness.getStates().forEach((state, clientID) => {
    const peer = state?.user?.name
    if (clientID === doc.clientID || typeof peer !== 'string') return
    everSeen.add(peer)
    namesById.set(clientID, peer)
  })
}
const peers = () => [...everSeen].sort()

let closing = false // set before our own teardown: its local removals are not reported
provider.awareness.on('change', ({ removed }, origin) => {
  notePeers()
  if (printRemovals && !closing && removed.length > 0) {
    const line = {
      removed,
      names: removed.map((id) => namesById.get(id) ?? null),
      origin: origin === 'timeout' ? 'timeout' : 'remote'
    }
    process.stdout.write(JSON.stringify(line) + '\n')
  }
  check()
})

let synced = false
let editsDone = 0
const report = (extra) => JSON.stringify({
  name,
  items: items.toArray(),
  text: text.toString(),
  peers: peers(),
  saved,
  sent,
  errors,
  ...extra
})

let finished = false
function check () {
  if (finished || !synced || editsDone < edits) return
  if (items.length < expect) return
  const seen = new Set(peers())
  if (!expectPeers.every((p) => seen.has(p))) return
  if (waitSaved && saved < sent) return
  finished = true
  clearTimeout(timer)
  process.stdout.write(report({}) + '\n', () => {
    if (!opts.hold) return shutdown(0)
    // --hold: stay in the room (peers still see us in awareness) until stdin closes.
    process.stdin.on('end', () => shutdown(0))
    process.stdin.on('error', () => shutdown(0))
    process.stdin.resume()
  })
}

function shutdown (code) {
  closing = true
  provider.destroy()
  process.exit(code)
}

const timer = setTimeout(() => {
  finished = true
  const partial = {
    error: `timeout after ${timeoutMs} ms`,
    status,
    synced,
    connection_errors: connectionErrors,
    edits_done: editsDone,
    expect,
    expect_peers: expectPeers
  }
  process.stdout.write(report(partial) + '\n', () => shutdown(1))
}, timeoutMs)

provider.awareness.setLocalStateField('user', { name })

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function edit () {
  for (let i = 0; i < edits; i++) {
    if (finished) return
    // one transaction, hence one update message, per edit
    doc.transact(() => {
      items.insert(randomInt(items.length), [`${name}-${i}`])
      text.insert(randomInt(text.length), `${name}${i};`)
    })
    editsDone++
    await sleep(randomInt(20)) // 0-20 ms, so that concurrent clients interleave
  }
  check()
}

provider.on('sync', (isSynced) => {
  // 'sync' fires again (false, then true) after a reconnect: edit only once
  if (!isSynced || synced) return
  synced = true
  notePeers()
  edit().catch((err) => {
    errors.push(String(err?.stack ?? err))
    finished = true
    clearTimeout(timer)
    process.stdout.write(report({ error: `edit failed: ${err}` }) + '\n', () => shutdown(1))
  })
})
