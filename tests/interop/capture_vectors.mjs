// Capture golden y-websocket frames from the real npm yjs / y-protocols encoders.
// Run from tests/: `node interop/capture_vectors.mjs` (rewrites collab/vectors/yjs_vectors.json;
// with --stdout it prints the JSON instead). Deterministic: fixed client ids, fixed content,
// so a re-run with the pinned packages gives the same bytes.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const hex = (bytes) => Buffer.from(bytes).toString('hex')
const vectors = []

function syncFrame (write) { // as y-websocket.js does: messageSync, then the sync message
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function innerPayload (frame) {
  const decoder = decoding.createDecoder(frame)
  decoding.readVarUint(decoder) // message type
  if (frame[0] === 0) decoding.readVarUint(decoder) // sync sub-type
  return decoding.readVarUint8Array(decoder)
}

function addSync (name, sub, write) {
  const frame = syncFrame(write)
  vectors.push({ name, hex: hex(frame), type: 0, sub, payload_hex: hex(innerPayload(frame)) })
}

const empty = new Y.Doc()
empty.clientID = 1
addSync('sync step 1, empty doc', 0, (e) => syncProtocol.writeSyncStep1(e, empty))

const doc = new Y.Doc()
doc.clientID = 42
doc.getText('text').insert(0, 'hello world')
doc.getArray('items').push(['a', 1, true])
addSync('sync step 1, doc with content', 0, (e) => syncProtocol.writeSyncStep1(e, doc))
addSync('sync step 2, everything for an empty peer', 1, (e) => syncProtocol.writeSyncStep2(e, doc, Y.encodeStateVector(empty)))

const unicode = new Y.Doc()
unicode.clientID = 7
let lastUpdate = null
unicode.on('update', (u) => { lastUpdate = u })
unicode.getText('text').insert(0, 'Olá, ideação 💡 — 设计')
addSync('update with unicode text', 2, (e) => syncProtocol.writeUpdate(e, lastUpdate))

const large = new Y.Doc()
large.clientID = 99
large.on('update', (u) => { lastUpdate = u })
large.getText('text').insert(0, 'x'.repeat(20000))
addSync('large update (multi-byte varuint length)', 2, (e) => syncProtocol.writeUpdate(e, lastUpdate))

// Awareness: two clients, one with a state, one removed (null).
const adoc = new Y.Doc()
adoc.clientID = 1001
const awareness = new awarenessProtocol.Awareness(adoc)
awareness.setLocalState({ user: { name: 'Ana', color: '#ff0' }, cursor: { x: 10, y: 20 } })
const other = new Y.Doc()
other.clientID = 2002
const otherAwareness = new awarenessProtocol.Awareness(other)
otherAwareness.setLocalState({ user: { name: 'Bia' } })
otherAwareness.setLocalState(null)
awarenessProtocol.applyAwarenessUpdate(awareness, awarenessProtocol.encodeAwarenessUpdate(otherAwareness, [2002]), 'test')
const awarenessPayload = awarenessProtocol.encodeAwarenessUpdate(awareness, [1001, 2002], new Map([
  [1001, awareness.getLocalState()],
  [2002, null]
]))
{
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1)
  encoding.writeVarUint8Array(encoder, awarenessPayload)
  const frame = encoding.toUint8Array(encoder)
  const decoder = decoding.createDecoder(awarenessPayload)
  const entries = []
  const count = decoding.readVarUint(decoder)
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const state = decoding.readVarString(decoder)
    entries.push({ client, clock, state })
  }
  vectors.push({ name: 'awareness update, one state and one removal', hex: hex(frame), type: 1, sub: null, payload_hex: hex(awarenessPayload), awareness: entries })
}

{
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 3)
  vectors.push({ name: 'query awareness', hex: hex(encoding.toUint8Array(encoder)), type: 3, sub: null, payload_hex: '' })
}

awareness.destroy()
otherAwareness.destroy()
// Self-checks: the lengths in the large frame need a multi-byte varuint, and every sync
// payload is accepted by the real yjs decoders.
const largeFrame = vectors.find((v) => v.name.startsWith('large update'))
if (largeFrame.payload_hex.length / 2 <= 16 * 1024) throw new Error('large update is not > 16 KiB')
for (const v of vectors.filter((v) => v.type === 0)) {
  const payload = Buffer.from(v.payload_hex, 'hex')
  if (v.sub === 0) Y.decodeStateVector(payload)
  else Y.applyUpdate(new Y.Doc(), payload)
}

const json = JSON.stringify(vectors, null, 2) + '\n'
if (process.argv.includes('--stdout')) {
  process.stdout.write(json)
} else {
  const out = fileURLToPath(new URL('../collab/vectors/yjs_vectors.json', import.meta.url))
  writeFileSync(out, json)
  process.stderr.write(`wrote ${vectors.length} vectors to ${out}\n`)
}
