// A real npm `yjs` + `y-websocket` browser-style client of one project's workshop document.
//
// It joins <url>/<project>?token=TOKEN with the stock WebsocketProvider, optionally creates an
// idea exactly as docs/document-schema.md shows (--create-idea TEXT), waits (on document
// events, never on timers) until a persona named --expect-persona exists, then prints one JSON
// line: {"ideaId", "personas": [names], "ideas": [texts], "warnings": [...]} and exits 0.
// On timeout it prints {"error", ...partial state} and exits 1.
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    room: { type: 'string' },
    token: { type: 'string' },
    user: { type: 'string', default: '' },
    'create-idea': { type: 'string' },
    'expect-persona': { type: 'string' },
    'timeout-ms': { type: 'string', default: '20000' }
  }
})

const warnings = []
for (const level of ['error', 'warn']) {
  const original = console[level]
  console[level] = (...args) => { warnings.push(args.map(String).join(' ')); original(...args) }
}

const doc = new Y.Doc()
const provider = new WebsocketProvider(opts.url, opts.room, doc, {
  WebSocketPolyfill: WebSocket,
  params: { token: opts.token },
  disableBc: true
})
const personas = doc.getMap('personas')
const ideas = doc.getMap('ideas')
let ideaId = null

const state = () => ({
  ideaId,
  personas: [...personas.values()].map((p) => p.get('name')).sort(),
  ideas: [...ideas.values()].map((i) => String(i.get('text'))).sort(),
  warnings
})

let done = false
const finish = (line, code) => {
  if (done) return
  done = true
  process.stdout.write(JSON.stringify(line) + '\n')
  provider.destroy()
  process.exit(code)
}

const check = () => {
  if (!provider.synced) return
  const wanted = opts['expect-persona']
  if (wanted === undefined || state().personas.includes(wanted)) finish(state(), 0)
}

provider.on('sync', (synced) => {
  if (!synced) return
  if (opts['create-idea'] !== undefined && ideaId === null) {
    ideaId = crypto.randomUUID()
    const now = new Date().toISOString()
    const idea = new Y.Map()
    idea.set('id', ideaId)
    idea.set('text', new Y.Text(opts['create-idea'])) // schema 2: free text is a Y.Text
    idea.set('color', 'yellow')
    idea.set('x', 120)
    idea.set('y', 80)
    idea.set('clusterId', null)
    idea.set('authorId', opts.user || null)
    idea.set('createdBy', opts.user || null)
    idea.set('createdAt', now)
    idea.set('updatedAt', now)
    doc.transact(() => ideas.set(ideaId, idea))
  }
  // Tell pytest we are live (it then writes through REST), then wait for what it writes.
  process.stderr.write('SYNCED\n')
  check()
})
doc.on('update', check)
provider.on('connection-close', (event) => {
  if (event && event.code >= 4000) finish({ error: `closed ${event.code} ${event.reason}`, ...state() }, 1)
})
setTimeout(() => finish({ error: 'timeout', ...state() }, 1), Number(opts['timeout-ms']))
