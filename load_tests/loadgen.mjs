// DTTools load generator: many y-websocket clients in one Node process.
//
// Server-agnostic: it speaks the y-websocket protocol to `${base}/${room}`, so the same run
// measures our server and the npm reference server. Receivers never apply updates (too costly
// for the generator); they identify each relayed update by the (client, clock) of its first
// struct, read from the Yjs v1 update header, and look up when it was sent.
//
// Progress goes to stdout as JSON lines: {"phase": ...}. The driver (run_bench.py) samples the
// server's CPU and memory between "measure-start" and "measure-end", and reads the final
// {"phase": "result", ...} line. Every scenario is bounded in time and count: a global deadline
// (--timeout-s) ends the process with an error, and every loop has a fixed number of steps.
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
    settle: { type: 'string', default: '2' },
    updates: { type: 'string', default: '10000' },
    bytes: { type: 'string', default: '4194304' },
    repeat: { type: 'string', default: '5' },
    prefix: { type: 'string', default: 'bench' },
    ext: { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '180' }
  }
})

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const num = (name) => Number(opt[name])
const deadline = setTimeout(() => {
  emit({ phase: 'error', error: `scenario ${opt.scenario} timed out after ${opt['timeout-s']} s` })
  process.exit(2)
}, num('timeout-s') * 1000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Unique, small client IDs: a random base per generator process plus a counter. Kept below
// 2^21 so that `client * 2^32 + clock` is an exact JavaScript number (a safe integer).
const CLIENT_SPACE = 2 ** 21
const CLIENTS_PER_PROCESS = 2 ** 14
let nextClientID = 1 + Math.floor(Math.random() * (CLIENT_SPACE / CLIENTS_PER_PROCESS - 1)) * CLIENTS_PER_PROCESS
const TWO32 = 4294967296

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
// (client, clock) of the first struct of a Yjs v1 update, as one safe integer; null if empty
function updateKey (update) {
  const d = decoding.createDecoder(update)
  if (decoding.readVarUint(d) === 0) return null // number of clients with structs
  decoding.readVarUint(d) // number of structs of this client
  const client = decoding.readVarUint(d)
  const clock = decoding.readVarUint(d)
  return client * TWO32 + clock
}

const sentAt = new Map() // update key -> send time (ms, performance.now)
const latencies = []
let measuring = false
let deliveries = 0 // relayed updates from other clients matched to a send, in the window
let unmatched = 0 // relayed updates whose first struct matches no send of this process
let awarenessFrames = 0 // awareness frames received in the window
let awarenessEntries = 0 // awareness entries about other clients received in the window

// --- one client ----------------------------------------------------------------------------
class Client {
  constructor (room, { observe = true, ext = opt.ext, base = opt.base } = {}) {
    this.room = room
    this.doc = new Y.Doc()
    this.doc.clientID = nextClientID++
    this.map = this.doc.getMap('m')
    this.counter = 0
    this.pending = null
    this.synced = false
    this.syncBytes = 0 // sync payload bytes received before synced
    this.observe = observe
    this.doc.on('update', (u) => { this.pending = u })
    const url = `${base}/${room}` + (ext ? '?ext=1' : '')
    this.createdAt = performance.now()
    this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
    this.ws.binaryType = 'nodebuffer'
    this.syncedPromise = new Promise((resolve, reject) => {
      this.onSynced = resolve
      this.ws.on('error', reject)
    })
    this.ws.on('open', () => {
      this.openedAt = performance.now()
      this.ws.send(syncFrame(0, Y.encodeStateVector(this.doc)))
    })
    this.ws.on('message', (data) => this.onMessage(data))
    this.ws.on('close', (code, reason) => {
      if (!this.closing) {
        emit({ phase: 'error', error: `server closed a socket of ${room}: ${code} ${reason}` })
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
      if (!this.synced) this.syncBytes += payload.length
      if (sub === 0) { // the server's step 1: answer with what it lacks
        this.ws.send(syncFrame(1, Y.encodeStateAsUpdate(this.doc, payload)))
      } else if (sub === 1) { // step 2 in reply to our step 1: synced
        if (!this.synced) {
          this.synced = true
          const now = performance.now()
          this.onSynced({ fromCreate: now - this.createdAt, fromOpen: now - this.openedAt, bytes: this.syncBytes })
        }
      } else if (sub === 2 && this.observe && measuring) {
        const key = updateKey(payload)
        if (key === null) return
        if (Math.floor(key / TWO32) === this.doc.clientID) return // the reference server echoes
        const t = sentAt.get(key)
        if (t !== undefined) {
          latencies.push(performance.now() - t)
          deliveries++
        } else {
          unmatched++
        }
      }
    } else if (type === 1 && this.observe && measuring) {
      awarenessFrames++
      const d = decoding.createDecoder(data)
      decoding.readVarUint(d)
      const inner = decoding.createDecoder(decoding.readVarUint8Array(d))
      const count = decoding.readVarUint(inner)
      for (let i = 0; i < count; i++) {
        const client = decoding.readVarUint(inner)
        decoding.readVarUint(inner) // clock
        decoding.readVarString(inner) // JSON state
        if (client !== this.doc.clientID) awarenessEntries++
      }
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
  return { count: s.length, p50: pct(s, 0.5), p90: pct(s, 0.9), p99: pct(s, 0.99), p999: pct(s, 0.999), max: s.length ? s[s.length - 1] : null }
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

// The generator's own CPU over the measured window (to see when the generator is the limit).
function cpuWindow () {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  return () => {
    const c = process.cpuUsage(c0)
    const elapsed = (performance.now() - t0) / 1000
    return { elapsed, loadgen_cpu_pct: 100 * (c.user + c.system) / 1e6 / elapsed }
  }
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
  writers.forEach((w) => { // each writer starts at a random phase of the period
    timers.push(setTimeout(() => { w.sendEdit(); timers.push(setInterval(() => w.sendEdit(), period)) }, Math.random() * period))
  })
  await sleep(num('warmup') * 1000)
  latencies.length = 0
  deliveries = 0
  unmatched = 0
  measuring = true
  emit({ phase: 'measure-start' })
  const window = cpuWindow()
  await sleep(duration * 1000)
  measuring = false
  const { elapsed, loadgen_cpu_pct } = window()
  emit({ phase: 'measure-end' })
  timers.forEach((t) => { clearTimeout(t); clearInterval(t) })
  clients.forEach((c) => c.close())
  return {
    clients: clients.length,
    writers: writers.length,
    rate_per_writer: rate,
    window_s: elapsed,
    deliveries_per_s: deliveries / elapsed,
    expected_deliveries_per_s: writers.length * rate * (perRoom - 1),
    unmatched,
    loadgen_cpu_pct,
    latency_ms: summary(latencies)
  }
}

async function idle () {
  const clients = await connectAll(num('rooms'), num('clients'))
  emit({ phase: 'connected', clients: clients.length })
  await sleep(num('settle') * 1000)
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
  const author = new Client(`${opt.prefix}-history`, { ext: opt.ext, observe: false })
  await author.syncedPromise
  const arr = author.doc.getArray('items')
  let saved = 0
  author.ws.on('message', (data) => { if (data[0] === 100) saved = decoding.readVarUint(decoding.createDecoder(data.subarray(1))) })
  const total = num('updates')
  const t0 = performance.now()
  for (let i = 0; i < total; i++) {
    arr.push([`item-${i}`])
    author.ws.send(syncFrame(2, author.pending))
    if (i % 500 === 499) await roundTrip(author) // bounded in-flight window
  }
  await roundTrip(author) // the server has applied all of them
  if (opt.ext) while (saved < total) await sleep(20) // ours: and committed them to PostgreSQL
  const seconds = (performance.now() - t0) / 1000
  author.close()
  return { seeded_updates: total, seed_s: seconds, durable_confirmed: opt.ext }
}

// Open a client to the seeded room, wait for the whole document, and count its items.
async function fullDocument (room, arrayName) {
  const check = new Client(room, { observe: false })
  const chunks = []
  check.ws.on('message', (data) => {
    if (data[0] === 0 && (data[1] === 1 || data[1] === 2)) {
      const d = decoding.createDecoder(data); decoding.readVarUint(d); decoding.readVarUint(d)
      chunks.push(decoding.readVarUint8Array(d))
    }
  })
  await check.syncedPromise
  const doc = new Y.Doc()
  chunks.forEach((u) => Y.applyUpdate(doc, u))
  check.close()
  return doc.getArray(arrayName).length
}

async function loadTime () {
  const fromOpen = []
  const fromCreate = []
  for (let i = 0; i < num('repeat'); i++) { // one joiner at a time
    const client = new Client(`${opt.prefix}-history`, { observe: false })
    const t = await client.syncedPromise
    fromOpen.push(t.fromOpen)
    fromCreate.push(t.fromCreate)
    client.close()
    await sleep(50)
  }
  const items = await fullDocument(`${opt.prefix}-history`, 'items') // outside the timing
  return { from_open_ms: fromOpen, from_create_ms: fromCreate, items }
}

async function seedLarge () {
  const target = num('bytes')
  const authors = 8
  const chunk = 64 * 1024
  let written = 0
  for (let a = 0; a < authors; a++) {
    const author = new Client(`${opt.prefix}-large`, { observe: false })
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
  const window = cpuWindow()
  const clients = []
  for (let i = 0; i < n; i++) clients.push(new Client(`${opt.prefix}-large`, { observe: false }))
  // time to the sync step 2 that answers our step 1 (a chunked reply ends with it)
  const times = await Promise.all(clients.map((c) => c.syncedPromise))
  const { elapsed, loadgen_cpu_pct } = window()
  emit({ phase: 'measure-end' })
  clients.forEach((c) => c.close())
  const bytes = times.map((t) => t.bytes)
  return {
    clients: n,
    window_s: elapsed,
    loadgen_cpu_pct,
    synced_ms: summary(times.map((t) => t.fromCreate)),
    synced_from_open_ms: summary(times.map((t) => t.fromOpen)),
    sync_bytes_min: Math.min(...bytes),
    sync_bytes_max: Math.max(...bytes)
  }
}

async function presence () {
  const rooms = num('rooms')
  const perRoom = num('clients')
  const rate = num('rate')
  const clients = await connectAll(rooms, perRoom)
  emit({ phase: 'connected', clients: clients.length })
  const timers = []
  const period = 1000 / rate
  clients.forEach((c) => {
    let clock = 0
    const send = () => c.ws.send(awarenessFrame(c.doc.clientID, ++clock, { user: `u${c.doc.clientID}`, cursor: { x: Math.round(Math.random() * 1000), y: Math.round(Math.random() * 1000) } }))
    timers.push(setTimeout(() => { send(); timers.push(setInterval(send, period)) }, Math.random() * period))
  })
  await sleep(num('warmup') * 1000)
  awarenessFrames = 0
  awarenessEntries = 0
  measuring = true
  emit({ phase: 'measure-start' })
  const window = cpuWindow()
  await sleep(num('duration') * 1000)
  measuring = false
  const { elapsed, loadgen_cpu_pct } = window()
  emit({ phase: 'measure-end' })
  timers.forEach((t) => { clearTimeout(t); clearInterval(t) })
  clients.forEach((c) => c.close())
  return {
    clients: clients.length,
    window_s: elapsed,
    loadgen_cpu_pct,
    awareness_frames_in_per_s: awarenessFrames / elapsed,
    awareness_entries_in_per_s: awarenessEntries / elapsed,
    expected_awareness_entries_per_s: clients.length * rate * (perRoom - 1)
  }
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
