// DTTools load generator: many y-websocket clients in one Node process.
//
// Server-agnostic: it speaks the y-websocket protocol to `${base}/${room}`, so the same run
// measures our server and the npm reference server. Receivers never apply updates (too costly
// for the generator); they identify each relayed update by the (client, clock) of its first
// struct, read from the Yjs v1 update header, and look up when it was sent.
//
// Progress goes to stdout as JSON lines: {"phase": ...}. The driver (run_bench.py) samples the
// server's CPU and memory between "measure-start" and "measure-end", and reads the final
// {"phase": "result", ...} line. Every scenario is bounded in time and count.
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string' },
    base: { type: 'string' },
    base2: { type: 'string' }, // when set, every other client of a room connects here
    rooms: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    writers: { type: 'string', default: '0' }, // 0 = every client writes
    rate: { type: 'string', default: '1' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    updates: { type: 'string', default: '10000' },
    bytes: { type: 'string', default: '4194304' },
    repeat: { type: 'string', default: '5' },
    prefix: { type: 'string', default: 'bench' },
    ext: { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '120' }
  }
})

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const num = (name) => Number(opt[name])
const deadline = setTimeout(() => { emit({ phase: 'error', error: 'scenario timed out' }); process.exit(2) }, num('timeout-s') * 1000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// --- y-protocols framing -------------------------------------------------------------------
function syncFrame (sub, payload) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, sub)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}
function awarenessFrame (clientID, clock, state) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, 1)
  encoding.writeVarUint(inner, clientID)
  encoding.writeVarUint(inner, clock)
  encoding.writeVarString(inner, JSON.stringify(state))
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  return encoding.toUint8Array(e)
}
// (client, clock) of the first struct of a Yjs v1 update
function updateKey (update) {
  const d = decoding.createDecoder(update)
  if (decoding.readVarUint(d) === 0) return null
  decoding.readVarUint(d) // number of structs of this client
  const client = decoding.readVarUint(d)
  const clock = decoding.readVarUint(d)
  return client * 4294967296 + clock
}

const sentAt = new Map() // update key -> send time (ms)
const latencies = []
let measuring = false
let deliveries = 0
let awarenessIn = 0

// --- one client ----------------------------------------------------------------------------
class Client {
  constructor (room, { observe = true, ext = opt.ext, base = opt.base } = {}) {
    this.room = room
    this.doc = new Y.Doc()
    this.map = this.doc.getMap('m')
    this.counter = 0
    this.pending = null
    this.synced = false
    this.observe = observe
    this.doc.on('update', (u) => { this.pending = u })
    const url = `${base}/${room}` + (ext ? '?ext=1' : '')
    this.startedAt = performance.now()
    this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
    this.ws.binaryType = 'nodebuffer'
    this.syncedPromise = new Promise((resolve, reject) => {
      this.onSynced = resolve
      this.ws.on('error', reject)
    })
    this.ws.on('open', () => {
      this.ws.send(syncFrame(0, Y.encodeStateVector(this.doc)))
    })
    this.ws.on('message', (data) => this.onMessage(data))
    this.ws.on('close', (code, reason) => {
      if (!this.closing) {
        emit({ phase: 'error', error: `server closed ${room}: ${code} ${reason}` })
        process.exit(1)
      }
    })
  }

  onMessage (data) {
    const type = data[0]
    if (type === 0) {
      const d = decoding.createDecoder(data)
      decoding.readVarUint(d)
      const sub = decoding.readVarUint(d)
      const payload = decoding.readVarUint8Array(d)
      if (sub === 0) { // server's step 1: answer with what it lacks
        this.ws.send(syncFrame(1, Y.encodeStateAsUpdate(this.doc, payload)))
      } else if (sub === 1) {
        if (!this.synced) {
          this.synced = true
          this.syncedAt = performance.now()
          this.onSynced(this.syncedAt - this.startedAt)
        }
      } else if (sub === 2 && this.observe && measuring) {
        const key = updateKey(payload)
        if (Math.floor(key / 4294967296) === this.doc.clientID) return // the reference server echoes
        const t = sentAt.get(key)
        if (t !== undefined) {
          latencies.push(performance.now() - t)
          deliveries++
        }
      }
    } else if (type === 1 && measuring) {
      awarenessIn++
    }
  }

  sendEdit () {
    this.map.set('k', this.counter++)
    const update = this.pending
    sentAt.set(updateKey(update), performance.now())
    this.ws.send(syncFrame(2, update))
  }

  close () { this.closing = true; this.ws.terminate() }
}

const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : null
function summary (values) {
  const s = Float64Array.from(values).sort()
  return { count: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99), max: s.length ? s[s.length - 1] : null }
}

async function connectAll (rooms, perRoom, extra = {}) {
  const clients = []
  for (let r = 0; r < rooms; r++) {
    for (let c = 0; c < perRoom; c++) {
      const base = opt.base2 && c % 2 === 1 ? opt.base2 : opt.base
      clients.push(new Client(`${opt.prefix}-${r}`, { ...extra, base }))
    }
    if (r % 20 === 19) await sleep(5) // spread the handshakes a little
  }
  await Promise.all(clients.map((c) => c.syncedPromise))
  return clients
}

// --- scenarios -----------------------------------------------------------------------------
async function fanout () {
  const rooms = num('rooms')
  const perRoom = num('clients')
  const rate = num('rate')
  const duration = num('duration')
  const clients = await connectAll(rooms, perRoom)
  emit({ phase: 'connected', clients: clients.length })
  const writersPerRoom = num('writers') || perRoom
  const writers = clients.filter((_, i) => (i % perRoom) < writersPerRoom)
  const period = 1000 / rate
  const timers = []
  const startTimers = () => writers.forEach((w) => {
    const t = setTimeout(() => { w.sendEdit(); timers.push(setInterval(() => w.sendEdit(), period)) }, Math.random() * period)
    timers.push(t)
  })
  startTimers()
  await sleep(num('warmup') * 1000)
  latencies.length = 0
  deliveries = 0
  measuring = true
  emit({ phase: 'measure-start' })
  const t0 = performance.now()
  await sleep(duration * 1000)
  measuring = false
  const elapsed = (performance.now() - t0) / 1000
  emit({ phase: 'measure-end' })
  timers.forEach((t) => { clearTimeout(t); clearInterval(t) })
  clients.forEach((c) => c.close())
  return {
    clients: clients.length,
    writers: writers.length,
    deliveries_per_s: deliveries / elapsed,
    expected_deliveries_per_s: writers.length * rate * (perRoom - 1),
    latency_ms: summary(latencies)
  }
}

async function idle () {
  const clients = await connectAll(num('rooms'), num('clients'))
  emit({ phase: 'connected', clients: clients.length })
  emit({ phase: 'measure-start' })
  await sleep(num('duration') * 1000)
  emit({ phase: 'measure-end' })
  clients.forEach((c) => c.close())
  return { clients: clients.length }
}

async function roundTrip (client) { // all earlier messages of this socket were processed
  const ws = client.ws
  return new Promise((resolve) => {
    const onMessage = (data) => {
      if (data[0] === 0 && data[1] === 1) { ws.off('message', onMessage); resolve() }
    }
    ws.on('message', onMessage)
    ws.send(syncFrame(0, Y.encodeStateVector(client.doc)))
  })
}

async function seedHistory () {
  const author = new Client(`${opt.prefix}-history`, { ext: opt.ext })
  await author.syncedPromise
  const arr = author.doc.getArray('items')
  let saved = 0
  author.ws.on('message', (data) => { if (data[0] === 100) saved = decoding.readVarUint(decoding.createDecoder(data.subarray(1))) })
  const total = num('updates')
  for (let i = 0; i < total; i++) {
    arr.push([`item-${i}`])
    author.ws.send(syncFrame(2, author.pending))
    if (i % 500 === 499) await roundTrip(author) // bounded in-flight window
  }
  await roundTrip(author)
  if (opt.ext) while (saved < total) await sleep(20)
  author.close()
  return { seeded: total }
}

async function loadTime () {
  const times = []
  let items = 0
  for (let i = 0; i < num('repeat'); i++) {
    const client = new Client(`${opt.prefix}-history`, { observe: false })
    // time to the sync step 2 that answers our step 1 (the first step 2 we receive)
    times.push(await client.syncedPromise)
    client.close()
  }
  // verify content once, outside the timing
  const check = new Client(`${opt.prefix}-history`, { observe: false })
  const full = await new Promise((resolve) => {
    const chunks = []
    check.ws.on('message', (data) => {
      if (data[0] === 0 && (data[1] === 1 || data[1] === 2)) {
        const d = decoding.createDecoder(data); decoding.readVarUint(d); decoding.readVarUint(d)
        chunks.push(decoding.readVarUint8Array(d))
        if (data[1] === 1) resolve(chunks)
      }
    })
  })
  const doc = new Y.Doc()
  full.forEach((u) => Y.applyUpdate(doc, u))
  items = doc.getArray('items').length
  check.close()
  return { first_ms: times[0], times_ms: times, median_ms: summary(times).p50, items }
}

async function seedLarge () {
  const target = num('bytes')
  const authors = 8
  const chunk = 64 * 1024
  let written = 0
  for (let a = 0; a < authors; a++) {
    const author = new Client(`${opt.prefix}-large`)
    await author.syncedPromise
    const text = author.doc.getText('t')
    while (written < target * (a + 1) / authors) {
      text.insert(text.length, 'x'.repeat(chunk))
      author.ws.send(syncFrame(2, author.pending))
      written += chunk
    }
    await roundTrip(author)
    author.close()
  }
  return { seeded_bytes: written }
}

async function storm () {
  const n = num('clients')
  emit({ phase: 'measure-start' })
  const clients = []
  for (let i = 0; i < n; i++) clients.push(new Client(`${opt.prefix}-large`, { observe: false }))
  // time from socket creation to the final sync step 2 (after any chunked updates)
  const times = await Promise.all(clients.map((c) => c.syncedPromise))
  emit({ phase: 'measure-end' })
  clients.forEach((c) => c.close())
  return { clients: n, synced_ms: summary(times) }
}

async function presence () {
  const clients = await connectAll(num('rooms'), num('clients'))
  emit({ phase: 'connected', clients: clients.length })
  const timers = []
  clients.forEach((c) => {
    let clock = 0
    const send = () => c.ws.send(awarenessFrame(c.doc.clientID, ++clock, { user: 'u', cursor: { x: Math.random() * 1000, y: Math.random() * 1000 } }))
    timers.push(setTimeout(() => { send(); timers.push(setInterval(send, 1000 / num('rate'))) }, Math.random() * 1000))
  })
  await sleep(num('warmup') * 1000)
  awarenessIn = 0
  measuring = true
  emit({ phase: 'measure-start' })
  const t0 = performance.now()
  await sleep(num('duration') * 1000)
  measuring = false
  emit({ phase: 'measure-end' })
  const elapsed = (performance.now() - t0) / 1000
  timers.forEach((t) => { clearTimeout(t); clearInterval(t) })
  clients.forEach((c) => c.close())
  return { clients: clients.length, awareness_frames_in_per_s: awarenessIn / elapsed }
}

const scenarios = { fanout, idle, 'seed-history': seedHistory, 'load-time': loadTime, 'seed-large': seedLarge, storm, presence }
const run = scenarios[opt.scenario]
if (!run) { emit({ phase: 'error', error: `unknown scenario ${opt.scenario}` }); process.exit(2) }
run().then((result) => {
  clearTimeout(deadline)
  emit({ phase: 'result', scenario: opt.scenario, ...result })
  process.exit(0)
}, (err) => {
  emit({ phase: 'error', error: String(err && err.stack ? err.stack : err) })
  process.exit(1)
})
