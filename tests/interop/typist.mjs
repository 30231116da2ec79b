// A person typing into one text field of a workshop document, with npm `yjs` + `y-websocket`.
//
// It joins <url>/<project>?token=TOKEN as a stock client, prints SYNCED on stderr, waits for a
// line "GO" on stdin (so two typists start at the same moment), then types --word one
// character per transaction (as a browser does, one update per key) into the Y.Text at
// <root>/<id>/<field>, at its start or its end (--at start|end). It then waits, on document
// events, until the text holds every --expect word, and prints one JSON line
// {"text", "isText", "updates"} (exit 0), or {"error", "text"} on timeout (exit 1).
import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    room: { type: 'string' },
    token: { type: 'string' },
    root: { type: 'string' },
    id: { type: 'string' },
    field: { type: 'string' },
    word: { type: 'string' },
    at: { type: 'string', default: 'end' },
    expect: { type: 'string', multiple: true, default: [] },
    'timeout-ms': { type: 'string', default: '20000' }
  }
})

const doc = new Y.Doc()
const provider = new WebsocketProvider(opts.url, opts.room, doc, {
  WebSocketPolyfill: WebSocket,
  params: { token: opts.token },
  disableBc: true
})
const field = () => doc.getMap(opts.root).get(opts.id)?.get(opts.field)
let updates = 0
let typed = false
let done = false

const finish = (line, code) => {
  if (done) return
  done = true
  process.stdout.write(JSON.stringify(line) + '\n')
  provider.destroy()
  process.exit(code)
}
const check = () => {
  const text = field()
  if (!typed || !(text instanceof Y.Text)) return
  const value = text.toString()
  if (opts.expect.every((word) => value.includes(word))) {
    finish({ text: value, isText: true, updates }, 0)
  }
}

doc.on('update', (_update, origin) => {
  if (origin === 'typist') updates += 1
  check()
})
provider.on('sync', (synced) => {
  if (!synced || typed) return
  process.stderr.write('SYNCED\n')
  createInterface({ input: process.stdin }).once('line', () => {
    const text = field()
    if (!(text instanceof Y.Text)) {
      finish({ error: `not a Y.Text: ${typeof text}`, text: String(text) }, 1)
      return
    }
    let position = opts.at === 'start' ? 0 : text.length
    for (const letter of opts.word) {
      doc.transact(() => text.insert(position, letter), 'typist')
      position += letter.length
    }
    typed = true
    check()
  })
})
provider.on('connection-close', (event) => {
  if (event && event.code >= 4000) finish({ error: `closed ${event.code} ${event.reason}` }, 1)
})
setTimeout(
  () => finish({ error: 'timeout', text: String(field() ?? '') }, 1),
  Number(opts['timeout-ms'])
)
