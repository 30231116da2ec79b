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
//
// The scenarios with thousands of clients (swarm, restart) fork --workers child processes
// (one process cannot hold 20,000 sockets: RLIMIT_NOFILE); see "many clients" below.
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'

const { values: opt } = parseArgs({
  options: {
    scenario: { type: 'string' },
    base: { type: 'string' },
    base2: { type: 'string' }, // when set, every other client of a room connects here
    rooms: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    writers: { type: 'string', default: '0' }, // 0 = every client writes
    rate: { type: 'string', default: '1' },
    // fanout: every client also moves its cursor (an awareness update) this often, per second
    'cursor-rate': { type: 'string', default: '0' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    settle: { type: 'string', default: '2' },
    updates: { type: 'string', default: '10000' },
    bytes: { type: 'string', default: '4194304' },
    repeat: { type: 'string', default: '5' },
    prefix: { type: 'string', default: 'bench' },
    ext: { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '180' },
    // swarm and restart (many clients, forked workers)
    workers: { type: 'string', default: '1' },
    'worker-index': { type: 'string' }, // set by the parent on its workers only
    tokens: { type: 'string' }, // JSON {"rooms": [project id], "tokens": [[token per client]]}
    bases: { type: 'string' }, // comma-separated; each room goes to one, by a hash of its name
    'spread-addresses': { type: 'string', default: '0' }, // bind clients to 127.0.0.2..N+1
    'client-timeout-s': { type: 'string', default: '60' }, // not synced by then: a failure
    after: { type: 'string', default: 'storm' }, // swarm: storm | idle | leave
    'resync-timeout-s': { type: 'string', default: '120' }
  }
})

const isWorker = opt['worker-index'] !== undefined
// Only the parent writes JSON lines to stdout; a worker's lines go to the parent over IPC.
const emit = isWorker
  ? (obj) => process.send({ emit: obj })
  : (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const num = (name) => Number(opt[name])
const workerProcs = [] // the parent's forked workers (ended with it)
const deadline = setTimeout(() => {
  emit({ phase: 'error', error: `scenario ${opt.scenario} timed out after ${opt['timeout-s']} s` })
  workerProcs.forEach((w) => w.kill())
  process.exit(2)
}, num('timeout-s') * 1000 + (isWorker ? 5000 : 0)) // a worker's parent times out first
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Unique, small client IDs: a random base per generator process plus a counter. Kept below
// 2^21 so that `client * 2^32 + clock` is an exact JavaScript number (a safe integer).
const CLIENT_SPACE = 2 ** 21
const CLIENTS_PER_PROCESS = 2 ** 14
const CLIENT_BLOCKS = CLIENT_SPACE / CLIENTS_PER_PROCESS - 1
// Workers of one generator take consecutive blocks, so their IDs never collide.
let nextClientID = 1 + ((Math.floor(Math.random() * CLIENT_BLOCKS) + (isWorker ? num('worker-index') : 0)) % CLIENT_BLOCKS) * CLIENTS_PER_PROCESS
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

// Why a socket failed, as a short key to count failures by (an HTTP refusal of the upgrade
// reaches `ws` as an error "Unexpected server response: 503").
function errorReason (err) {
  const message = String((err && err.message) || err)
  const http = /Unexpected server response: (\d+)/.exec(message)
  if (http) return `http ${http[1]}`
  return `error ${(err && err.code) || message.slice(0, 80)}`
}

// --- one client ----------------------------------------------------------------------------
class Client {
  // `record` (swarm clients): a socket closed or errored before synced resolves syncedPromise
  // with {failed: reason} instead of ending the process, and a socket the server closes after
  // synced is counted in record.droppedAfterSync.
  constructor (room, { observe = true, ext = opt.ext, base = opt.base, token = null, localAddress, record = null } = {}) {
    this.room = room
    this.doc = new Y.Doc()
    this.doc.clientID = nextClientID++
    this.map = this.doc.getMap('m')
    this.counter = 0
    this.pending = null
    this.synced = false
    this.failed = null
    this.syncBytes = 0 // sync payload bytes received before synced
    this.observe = observe
    this.doc.on('update', (u) => { this.pending = u })
    const query = [ext ? 'ext=1&schema=2' : null, token ? `token=${encodeURIComponent(token)}` : null].filter(Boolean)
    const url = `${base}/${room}` + (query.length ? '?' + query.join('&') : '')
    const options = { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 }
    if (localAddress) options.localAddress = localAddress
    this.createdAt = performance.now()
    this.ws = new WebSocket(url, options)
    this.ws.binaryType = 'nodebuffer'
    if (record) {
      this.syncedPromise = new Promise((resolve) => {
        this.onSynced = resolve
        this.fail = (reason) => {
          if (this.synced || this.failed) return
          this.failed = reason
          this.ws.terminate()
          resolve({ failed: reason, at: performance.now() })
        }
      })
      this.ws.on('error', (err) => this.fail(errorReason(err)))
      this.ws.on('close', (code, reason) => {
        if (!this.synced) {
          const text = reason.length ? ' ' + reason.toString().slice(0, 80) : ''
          this.fail(`close ${code}${text}`)
        } else if (!this.closing) {
          record.droppedAfterSync++
        }
      })
    } else {
      this.syncedPromise = new Promise((resolve, reject) => {
        this.onSynced = resolve
        this.ws.on('error', reject)
      })
      this.ws.on('close', (code, reason) => {
        if (!this.closing) {
          emit({ phase: 'error', error: `server closed a socket of ${room}: ${code} ${reason}` })
          process.exit(1)
        }
      })
    }
    this.ws.on('open', () => {
      this.openedAt = performance.now()
      this.ws.send(syncFrame(0, Y.encodeStateVector(this.doc)))
    })
    this.ws.on('message', (data) => this.onMessage(data))
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
        if (!this.synced && !this.failed) {
          this.synced = true
          const now = performance.now()
          this.onSynced({ fromCreate: now - this.createdAt, fromOpen: now - this.openedAt, bytes: this.syncBytes, at: now })
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
  return { count: s.length, p50: pct(s, 0.5), p90: pct(s, 0.9), p95: pct(s, 0.95), p99: pct(s, 0.99), p999: pct(s, 0.999), max: s.length ? s[s.length - 1] : null }
}

async function connectAll (rooms, perRoom, extra = {}) {
  // With --tokens, the rooms are its project ids and client c of room r signs in with its token.
  const file = opt.tokens ? JSON.parse(readFileSync(opt.tokens, 'utf8')) : null
  const clients = []
  for (let r = 0; r < rooms; r++) {
    for (let c = 0; c < perRoom; c++) {
      const base = opt.base2 && c % 2 === 1 ? opt.base2 : opt.base
      const room = file ? file.rooms[r] : `${opt.prefix}-${r}`
      clients.push(new Client(room, { ...extra, base, token: file ? file.tokens[r][c] : null }))
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
  const cursorRate = num('cursor-rate')
  if (cursorRate > 0) { // everyone's cursor moves too, each at a random phase
    const cursorPeriod = 1000 / cursorRate
    clients.forEach((c) => {
      let clock = 0
      const move = () => c.ws.send(awarenessFrame(c.doc.clientID, ++clock, { user: `u${c.doc.clientID}`, cursor: { x: Math.round(Math.random() * 1000), y: Math.round(Math.random() * 1000) } }))
      timers.push(setTimeout(() => { move(); timers.push(setInterval(move, cursorPeriod)) }, Math.random() * cursorPeriod))
    })
  }
  await sleep(num('warmup') * 1000)
  latencies.length = 0
  deliveries = 0
  unmatched = 0
  awarenessFrames = 0
  awarenessEntries = 0
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
    latency_ms: summary(latencies),
    cursor_rate: cursorRate,
    // cursor traffic each client receives: frames (what costs a browser a message event each)
    // and the cursor positions they carry
    awareness_frames_in_per_client_s: awarenessFrames / elapsed / clients.length,
    awareness_entries_in_per_client_s: awarenessEntries / elapsed / clients.length,
    expected_awareness_entries_per_client_s: cursorRate * (perRoom - 1)
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

// --- many clients: connection storms, idle memory, restarts ---------------------------------
// One process cannot hold 20,000 sockets (RLIMIT_NOFILE), so `swarm` and `restart` fork
// --workers copies of this script (node:child_process, with IPC); room r goes to worker
// r % workers, with all its clients. Every worker opens its sockets on one shared schedule:
// client i (numbered room by room, so a room's clients arrive one after another) at
// t0 + i / rate, checked by a 5 ms timer, so the whole generator opens --rate sockets a second,
// evenly. Workers send raw per-client times to the parent at barriers; the parent merges them,
// computes percentiles, and alone talks to the driver (JSON lines on stdout; for restart, one
// JSON line on stdin). Rooms are `${prefix}-${r}`, or the project ids of --tokens (then client
// c of room r connects with ?token=tokens[r][c]). With --bases, each room's clients all go to
// one base chosen by a stable hash of the room name, as a room-affinity load balancer would.

// FNV-1a, 32 bits: the node of a room.
function roomHash (name) {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

function loadPlan () {
  let names
  let tokens = null
  if (opt.tokens) {
    const file = JSON.parse(readFileSync(opt.tokens, 'utf8'))
    names = file.rooms
    tokens = file.tokens
  } else {
    names = Array.from({ length: num('rooms') }, (_, r) => `${opt.prefix}-${r}`)
  }
  const bases = opt.bases ? opt.bases.split(',') : [opt.base]
  const spread = num('spread-addresses') // spread client sockets over 127.0.0.2.. (ports)
  const clients = []
  names.forEach((name, r) => {
    const base = bases[roomHash(name) % bases.length]
    const perRoom = tokens ? tokens[r].length : num('clients')
    for (let c = 0; c < perRoom; c++) {
      const index = clients.length
      const localAddress = spread > 0 ? `127.0.0.${2 + (index % spread)}` : undefined
      clients.push({ index, room: r, name, base, token: tokens ? tokens[r][c] : null, localAddress })
    }
  })
  return { names, bases, clients }
}

// -- the parent's side: workers and barriers
function startWorkers (count) {
  const script = fileURLToPath(import.meta.url)
  const arrivals = new Map() // barrier -> messages by worker
  const waiting = new Map() // barrier -> resolve
  let done = false
  const exits = []
  const check = (name) => {
    const list = arrivals.get(name)
    const resolve = waiting.get(name)
    if (resolve && list && list.filter(Boolean).length === count) {
      waiting.delete(name)
      arrivals.delete(name)
      resolve(list)
    }
  }
  for (let w = 0; w < count; w++) {
    // a worker's stdout goes to our stderr: stdout carries the driver's JSON lines only
    const child = fork(script, [...process.argv.slice(2), '--worker-index', String(w)], { stdio: ['ignore', 2, 'inherit', 'ipc'] })
    workerProcs.push(child)
    child.on('message', (m) => {
      if (m.emit) { // only errors
        emit(m.emit)
        workerProcs.forEach((x) => x.kill())
        process.exit(1)
      }
      if (m.barrier) {
        if (!arrivals.has(m.barrier)) arrivals.set(m.barrier, [])
        arrivals.get(m.barrier)[w] = m
        check(m.barrier)
      }
    })
    exits.push(new Promise((resolve) => child.on('exit', (code, signal) => {
      if (!done && code !== 0) {
        emit({ phase: 'error', error: `worker ${w} exited with ${code ?? signal}` })
        workerProcs.forEach((x) => x.kill())
        process.exit(1)
      }
      resolve(code)
    })))
  }
  return {
    gather (name) { return new Promise((resolve) => { waiting.set(name, resolve); check(name) }) },
    release (name, data = {}) { workerProcs.forEach((child) => child.send({ release: name, ...data })) },
    async finish (name) { // release the last barrier; each worker then closes its sockets and exits
      done = true
      this.release(name)
      await Promise.all(exits)
    }
  }
}

// -- a worker's side
const released = new Map() // barrier -> resolve
if (isWorker) {
  process.on('message', (m) => {
    const resolve = released.get(m.release)
    if (resolve) { released.delete(m.release); resolve(m) }
  })
  process.on('disconnect', () => process.exit(3)) // the parent is gone
}
function barrier (name, data = {}) {
  return new Promise((resolve) => { released.set(name, resolve); process.send({ barrier: name, ...data }) })
}
function mySlice (plan) {
  const workers = num('workers')
  const w = num('worker-index')
  return plan.clients.filter((c) => c.room % workers === w)
}
async function waitUntil (test, withinMs, stepMs = 50) {
  const end = performance.now() + withinMs
  while (!test() && performance.now() < end) await sleep(stepMs)
  return test()
}

// Open one client per entry at its slot of the shared schedule (t0: Date.now() time of slot 0).
async function openPaced (slice, t0, open) {
  const rate = num('rate')
  const start = performance.now() + (t0 - Date.now())
  let maxSlip = 0
  let next = 0
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now()
      while (next < slice.length) {
        const due = start + slice[next].index * 1000 / rate
        if (due > now) break
        maxSlip = Math.max(maxSlip, now - due)
        open(slice[next++])
      }
      if (next >= slice.length) { clearInterval(timer); resolve() }
    }, 5)
  })
  return { maxSlip, lastOpenAt: Date.now() }
}

async function closeGracefully (clients, withinMs = 10000) {
  await Promise.all(clients.map((c) => new Promise((resolve) => {
    c.closing = true
    if (c.ws.readyState === WebSocket.CLOSED) { resolve(); return }
    const timer = setTimeout(resolve, withinMs)
    c.ws.once('close', () => { clearTimeout(timer); resolve() })
    c.ws.close(1000)
  })))
}

function tally (into, from) {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] || 0) + v
  return into
}
const sum = (values) => values.reduce((a, b) => a + b, 0)

// swarm: --after storm (measure the storm itself: connect, time to synced, refusals),
// idle (then hold every socket for --settle + --duration s, measured), or leave (then close
// every socket and measure the server --settle s later, with its rooms empty).
async function swarmWorker () {
  const slice = mySlice(loadPlan())
  const timeoutMs = num('client-timeout-s') * 1000
  const record = { droppedAfterSync: 0 }
  const clients = []
  const outcomes = []
  let lastSettledAt = 0
  const { t0 } = await barrier('ready')
  const cpu0 = process.cpuUsage()
  const sweep = setInterval(() => { // a client not synced within the timeout has failed
    const now = performance.now()
    for (const c of clients) {
      if (!c.synced && !c.failed && now - c.createdAt > timeoutMs) c.fail(`timeout: not synced within ${timeoutMs / 1000} s`)
    }
  }, 250)
  const { maxSlip, lastOpenAt } = await openPaced(slice, t0, (entry) => {
    const c = new Client(entry.name, { observe: false, ext: false, base: entry.base, token: entry.token, localAddress: entry.localAddress, record })
    clients.push(c)
    outcomes.push(c.syncedPromise.then((o) => { lastSettledAt = Date.now(); return o }))
  })
  const results = await Promise.all(outcomes)
  clearInterval(sweep)
  const cpu = process.cpuUsage(cpu0)
  const synced = results.filter((r) => !r.failed)
  const refused = {}
  for (const r of results) if (r.failed) refused[r.failed] = (refused[r.failed] || 0) + 1
  const { action } = await barrier('settled', {
    clients: slice.length,
    fromCreate: synced.map((r) => r.fromCreate),
    fromOpen: synced.map((r) => r.fromOpen),
    refused,
    lastSettledAt,
    lastOpenAt,
    maxSlip,
    cpuSeconds: (cpu.user + cpu.system) / 1e6
  })
  if (action === 'leave') await closeGracefully(clients.filter((c) => c.synced))
  await barrier('finish', { droppedAfterSync: record.droppedAfterSync })
  clients.forEach((c) => c.close())
}

async function swarm () {
  const plan = loadPlan()
  const pool = startWorkers(num('workers'))
  const after = opt.after
  await pool.gather('ready')
  if (after === 'storm') emit({ phase: 'measure-start' })
  const t0 = Date.now() + 200
  pool.release('ready', { t0 })
  const settled = await pool.gather('settled')
  const synced = sum(settled.map((s) => s.fromCreate.length))
  // LOADGEN_DUMP=FILE: every client's times (from creation, from open; ms), per worker in
  // creation order, to tell a stall of the generator (both servers' clients late before
  // open) from one of the server (late after open). docs/benchmarks.md uses it.
  if (process.env.LOADGEN_DUMP) {
    const fs = await import('node:fs')
    fs.writeFileSync(process.env.LOADGEN_DUMP, JSON.stringify(settled.map((s) => [s.fromCreate, s.fromOpen])))
  }
  if (after === 'storm') {
    emit({ phase: 'measure-end' })
    await sleep(300) // the driver reads /proc while every socket is still open
  } else {
    emit({ phase: 'connected', clients: synced })
  }
  if (after === 'idle') {
    await sleep(num('settle') * 1000)
    emit({ phase: 'measure-start' })
    await sleep(num('duration') * 1000)
    emit({ phase: 'measure-end' })
    await sleep(300)
  }
  pool.release('settled', { action: after === 'leave' ? 'leave' : 'hold' })
  const finished = await pool.gather('finish') // after 'leave': every socket closed
  if (after === 'leave') {
    await sleep(num('settle') * 1000)
    emit({ phase: 'measure-start' })
    await sleep(num('duration') * 1000)
    emit({ phase: 'measure-end' })
  }
  await pool.finish('finish')
  const lastSettledAt = Math.max(t0, ...settled.map((s) => s.lastSettledAt))
  const stormWall = (lastSettledAt - t0) / 1000
  const refused = {}
  settled.forEach((s) => tally(refused, s.refused))
  const perBase = {}
  plan.clients.forEach((c) => { perBase[c.base] = (perBase[c.base] || 0) + 1 })
  return {
    clients: plan.clients.length,
    rooms: plan.names.length,
    rate_per_s: num('rate'),
    workers: num('workers'),
    synced,
    refused_total: sum(Object.values(refused)),
    refused,
    dropped_after_sync: sum(finished.map((f) => f.droppedAfterSync)),
    synced_ms: summary(settled.flatMap((s) => s.fromCreate)),
    synced_from_open_ms: summary(settled.flatMap((s) => s.fromOpen)),
    storm_wall_s: stormWall,
    open_wall_s: (Math.max(t0, ...settled.map((s) => s.lastOpenAt)) - t0) / 1000,
    max_pacing_slip_ms: Math.max(0, ...settled.map((s) => s.maxSlip)),
    loadgen_cpu_pct: stormWall > 0 ? 100 * sum(settled.map((s) => s.cpuSeconds)) / stormWall : null,
    clients_per_base: perBase
  }
}

// restart: stock y-websocket clients (WebsocketProvider over `ws`, default reconnect back-off)
// connect and sync, each writes one edit, then the driver restarts the server (SIGTERM, wait
// for the exit, start a new one on the same port) and sends {"sigterm_at_ms", "exited_at_ms",
// "ready_at_ms"} (Date.now() clock) on stdin. Per client: when it lost its socket, when its
// provider was synced again, how many reconnect attempts failed (a socket closed before the
// provider synced), and how many bytes it had to push back to the server (its answer to the
// new server's sync step 1 carried structs: the server had lost some of the room).
function pushedBytes (data) { // a client's sync step 2: payload size if it carries anything
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
  if (bytes[0] !== 0 || bytes[1] !== 1) return 0
  const d = decoding.createDecoder(bytes)
  decoding.readVarUint(d)
  decoding.readVarUint(d)
  const payload = decoding.readVarUint8Array(d)
  return payload.length > 2 ? payload.length : 0 // [0, 0] is the empty update
}

async function serverCopyHolds (entry, ids) { // a fresh client reads the server's copy
  const c = new Client(entry.name, { observe: false, ext: false, base: entry.base, token: entry.token, localAddress: entry.localAddress, record: { droppedAfterSync: 0 } })
  const chunks = []
  c.ws.on('message', (data) => {
    if (data[0] === 0 && (data[1] === 1 || data[1] === 2)) {
      const d = decoding.createDecoder(data); decoding.readVarUint(d); decoding.readVarUint(d)
      chunks.push(decoding.readVarUint8Array(d))
    }
  })
  const outcome = await Promise.race([c.syncedPromise, sleep(30000).then(() => ({ failed: 'timeout' }))])
  c.close()
  if (outcome.failed) return false
  const doc = new Y.Doc()
  chunks.forEach((u) => Y.applyUpdate(doc, u))
  const edits = doc.getMap('edits')
  return ids.every((id) => edits.has(id))
}

async function restartWorker () {
  process.setMaxListeners(0) // y-websocket adds an 'exit' listener per provider
  const slice = mySlice(loadPlan())
  const states = []
  let watching = false
  const { t0 } = await barrier('ready')
  const cpu0 = process.cpuUsage()
  let initialFailedAttempts = 0
  await openPaced(slice, t0, (entry) => {
    const doc = new Y.Doc()
    doc.clientID = nextClientID++
    const s = { entry, doc, createdAt: performance.now(), syncedAt: null, lost: false, lostAt: null, resynced: false, resyncedAt: null, failedAttempts: 0, failCodes: {}, pushedBytes: 0 }
    const provider = new WebsocketProvider(entry.base, entry.name, doc, {
      WebSocketPolyfill: WebSocket,
      disableBc: true,
      params: entry.token ? { token: entry.token } : {}
    })
    s.provider = provider
    const watchSocket = () => { // observe what the provider sends on each new socket
      const ws = provider.ws
      if (!ws) return
      const send = ws.send.bind(ws)
      ws.send = (data, ...rest) => {
        if (watching && s.lost && !s.resynced) s.pushedBytes += pushedBytes(data)
        return send(data, ...rest)
      }
    }
    watchSocket() // the constructor opened the first one
    provider.on('status', ({ status }) => { if (status === 'connecting') watchSocket() })
    provider.on('connection-close', (event) => {
      const code = event ? String(event.code) : 'local'
      if (!watching) {
        initialFailedAttempts++
      } else if (!s.lost) {
        s.lost = true
        s.lostAt = Date.now()
      } else if (!s.resynced) {
        s.failedAttempts++
        s.failCodes[code] = (s.failCodes[code] || 0) + 1
      }
    })
    provider.on('sync', (isSynced) => {
      if (!isSynced) return
      if (s.syncedAt === null) s.syncedAt = performance.now()
      else if (watching && s.lost && !s.resynced) { s.resynced = true; s.resyncedAt = Date.now() }
    })
    states.push(s)
  })
  await waitUntil(() => states.every((s) => s.syncedAt !== null), num('client-timeout-s') * 1000)
  const syncMs = states.filter((s) => s.syncedAt !== null).map((s) => s.syncedAt - s.createdAt)
  await barrier('synced', { clients: states.length, syncMs, initialFailedAttempts })
  states.forEach((s) => s.doc.getMap('edits').set(String(s.doc.clientID), s.entry.index))
  const rooms = new Map()
  states.forEach((s) => { if (!rooms.has(s.entry.room)) rooms.set(s.entry.room, []); rooms.get(s.entry.room).push(s) })
  const checks = [...rooms.values()].map((list) => ({ first: list[0], ids: list.map((s) => String(s.doc.clientID)) }))
  const holds = (c) => { const edits = c.first.doc.getMap('edits'); return c.ids.every((id) => edits.has(id)) }
  await waitUntil(() => checks.every(holds), 30000)
  await barrier('edited', { rooms: checks.length, roomsEdited: checks.filter(holds).length })
  watching = true
  await barrier('watching') // released once the new server is up
  await waitUntil(() => states.every((s) => s.resynced), num('resync-timeout-s') * 1000)
  await sleep(500) // what the providers pushed back has reached the server
  const roomsIntact = checks.filter(holds).length // read from one provider's doc per room
  let roomsIntactServer = 0
  for (let i = 0; i < checks.length; i += 25) { // and from the server's copy, 25 at a time
    const batch = await Promise.all(checks.slice(i, i + 25).map((c) => serverCopyHolds(c.first.entry, c.ids)))
    roomsIntactServer += batch.filter(Boolean).length
  }
  const cpu = process.cpuUsage(cpu0)
  await barrier('resynced', {
    lostAt: states.map((s) => s.lostAt),
    resyncedAt: states.map((s) => s.resyncedAt),
    failedAttempts: states.map((s) => s.failedAttempts),
    failCodes: states.reduce((acc, s) => tally(acc, s.failCodes), {}),
    pushedBytes: states.map((s) => s.pushedBytes),
    roomsIntact,
    roomsIntactServer,
    cpuSeconds: (cpu.user + cpu.system) / 1e6
  })
  states.forEach((s) => s.provider.destroy())
}

function stdinLine () {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin })
    rl.once('line', (line) => { rl.close(); resolve(JSON.parse(line)) })
  })
}

async function restart () {
  const plan = loadPlan()
  const pool = startWorkers(num('workers'))
  await pool.gather('ready')
  const t0 = Date.now() + 200
  pool.release('ready', { t0 })
  const synced = await pool.gather('synced')
  const syncMs = synced.flatMap((s) => s.syncMs)
  emit({ phase: 'connected', clients: syncMs.length })
  pool.release('synced')
  const edited = await pool.gather('edited')
  pool.release('edited')
  await pool.gather('watching')
  const line = stdinLine()
  emit({ phase: 'restart-ready' })
  const info = await line
  pool.release('watching', info)
  const done = await pool.gather('resynced')
  await pool.finish('resynced')
  const at = info.sigterm_at_ms
  const resyncedAt = done.flatMap((d) => d.resyncedAt)
  const lostAt = done.flatMap((d) => d.lostAt)
  const failed = done.flatMap((d) => d.failedAttempts)
  const pushed = done.flatMap((d) => d.pushedBytes)
  const resync = resyncedAt.filter((t) => t !== null).map((t) => t - at)
  return {
    clients: plan.clients.length,
    rooms: plan.names.length,
    rate_per_s: num('rate'),
    workers: num('workers'),
    synced_before: syncMs.length,
    initial_sync_ms: summary(syncMs),
    initial_failed_attempts: sum(synced.map((s) => s.initialFailedAttempts)),
    rooms_edited_before: sum(edited.map((e) => e.roomsEdited)),
    sigterm_to_exit_s: (info.exited_at_ms - at) / 1000,
    sigterm_to_ready_s: (info.ready_at_ms - at) / 1000,
    resynced: resync.length,
    unresynced: plan.clients.length - resync.length,
    resync_ms: summary(resync), // from SIGTERM; max: when the last client was synced again
    drop_ms: summary(lostAt.filter((t) => t !== null).map((t) => t - at)),
    failed_attempts: sum(failed),
    failed_attempts_max: Math.max(0, ...failed),
    failed_attempt_codes: done.reduce((acc, d) => tally(acc, d.failCodes), {}),
    rooms_intact: sum(done.map((d) => d.roomsIntact)),
    rooms_intact_server: sum(done.map((d) => d.roomsIntactServer)),
    clients_pushed_back: pushed.filter((b) => b > 0).length,
    pushed_back_bytes: sum(pushed),
    loadgen_cpu_seconds: sum(done.map((d) => d.cpuSeconds))
  }
}

const scenarios = { fanout, idle, 'seed-history': seedHistory, 'load-time': loadTime, 'seed-large': seedLarge, storm, presence, swarm, restart }
const workerScenarios = { swarm: swarmWorker, restart: restartWorker }
const run = (isWorker ? workerScenarios : scenarios)[opt.scenario]
if (!run) { emit({ phase: 'error', error: `unknown scenario ${opt.scenario}` }); process.exit(2) }
run().then((result) => {
  if (isWorker) process.exit(0) // after the parent released its last barrier
  clearTimeout(deadline)
  emit({ phase: 'result', scenario: opt.scenario, ...result })
  process.exit(0)
}, (err) => {
  const error = { phase: 'error', error: String(err && err.stack ? err.stack : err) }
  if (isWorker) process.send({ emit: error }, () => process.exit(1))
  else { emit(error); workerProcs.forEach((w) => w.kill()); process.exit(1) }
})
