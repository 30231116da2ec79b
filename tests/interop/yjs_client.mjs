// A real npm `yjs` + `y-websocket` client for the interop tests (driven by pytest).
//
// It connects with the stock WebsocketProvider, makes --edits random edits to the Y.Array
// 'items' and the Y.Text 'text', waits (on document events, never on timers) until the array
// holds --expect items and, optionally, until it has seen the --expect-peers names in
// awareness, then prints one JSON line with its view of the document and exits 0.
// On timeout it prints a JSON line with "error" and exits 1. With --hold it stays connected
// after printing until its stdin closes, so slower peers still see it in awareness.
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as decoding from 'lib0/decoding'

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    room: { type: 'string' },
    name: { type: 'string' },
    edits: { type: 'string', default: '10' },
    expect: { type: 'string', default: '0' },
    'expect-peers': { type: 'string', default: '' },
    'timeout-ms': { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    ext: { type: 'boolean', default: false },
    hold: { type: 'boolean', default: false }
  }
})

const MESSAGE_SAVED = 100
const edits = Number(opts.edits)
const expect = Number(opts.expect)
const expectPeers = opts['expect-peers'] ? opts['expect-peers'].split(',') : []
let seed = Number(opts.seed) >>> 0
const random = () => { // mulberry32: reproducible edits
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const doc = new Y.Doc()
const items = doc.getArray('items')
const text = doc.getText('text')
const params = opts.ext ? { ext: '1' } : {}
const provider = new WebsocketProvider(opts.url, opts.room, doc, {
  WebSocketPolyfill: WebSocket,
  params,
  disableBc: true
})
let saved = 0
let sent = 0
const errors = []
provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => {
  saved = decoding.readVarUint(decoder)
  check()
}
doc.on('update', (_update, origin) => { if (origin !== provider) sent++ })
const originalError = console.error
console.error = (...args) => { errors.push(args.map(String).join(' ')); originalError(...args) }

// Names ever seen in awareness: a peer that finished first may already have left.
const everSeen = new Set()
const peersSeen = () => {
  provider.awareness.getStates().forEach((state, clientID) => {
    if (clientID !== doc.clientID && state.user) everSeen.add(state.user.name)
  })
  return [...everSeen].sort()
}

const report = (extra) => JSON.stringify({
  name: opts.name,
  items: items.toArray(),
  text: text.toString(),
  peers: peersSeen(),
  saved,
  sent,
  errors,
  ...extra
})

let editsDone = false
let finished = false
function check () {
  if (finished || !editsDone) return
  if (items.length < expect) return
  const seen = peersSeen()
  if (!expectPeers.every((p) => seen.includes(p))) return
  if (opts.ext && saved < sent) return
  finished = true
  clearTimeout(timer)
  process.stdout.write(report({}) + '\n')
  if (!opts.hold) {
    provider.destroy()
    process.exit(0)
  }
  // --hold: stay in the room (so peers can still see us) until the test closes stdin.
  process.stdin.on('end', () => { provider.destroy(); process.exit(0) })
  process.stdin.resume()
}

const timer = setTimeout(() => {
  process.stdout.write(report({ error: 'timeout' }) + '\n')
  process.exit(1)
}, Number(opts['timeout-ms']))

provider.awareness.setLocalStateField('user', { name: opts.name })
provider.awareness.on('change', () => { peersSeen(); check() })
items.observe(check)

provider.once('sync', async () => {
  for (let i = 0; i < edits; i++) {
    doc.transact(() => {
      items.insert(Math.floor(random() * (items.length + 1)), [`${opts.name}-${i}`])
      text.insert(Math.floor(random() * (text.length + 1)), `${opts.name}${i};`)
    })
    // yield to the event loop between edits so clients interleave
    await new Promise((resolve) => setImmediate(resolve))
  }
  editsDone = true
  check()
})
