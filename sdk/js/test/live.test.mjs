// Live documents with the real npm yjs + y-websocket: both ways with REST, and a token
// refreshed before the socket reconnects after a 4401. Waits are on Y events, never sleeps.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DTTools, LiveClosed } from '../index.js'
import { importPackage, need } from './helpers.mjs'

const Y = await importPackage('yjs')
const { WebsocketProvider } = await importPackage('y-websocket')
const { default: WebSocket } = await importPackage('ws')
const packages = { Y, WebsocketProvider, WebSocket }

const baseUrl = need('DTTOOLS_URL')
const client = new DTTools({ baseUrl, token: need('DTTOOLS_TOKEN') })

test('an idea added live is saved when addIdea resolves: REST reads it at once', async () => {
  const project = await client.projects.create('JS live write')
  const live = await client.live(project.id, packages)
  try {
    assert.deepEqual(live.ideas(), [])
    const idea = await live.addIdea({ text: 'Live kiosk', color: '#12abef', x: 5, y: 6 })
    assert.deepEqual(live.ideas(), [idea])
    const read = await client.ideas.get(idea.id)
    assert.deepEqual([read.text, read.color, read.x, read.y], ['Live kiosk', '#12abef', 5, 6])
    const me = await client.account.me()
    assert.deepEqual([read.authorId, read.createdBy], [me.id, me.id])
    await live.updateIdea(idea.id, { color: 'green' })
    assert.equal((await client.ideas.get(idea.id)).color, 'green')
    const persona = await live.add('personas', {
      name: 'Bea',
      goals: ['rest'],
      pains: [],
      gains: []
    })
    assert.deepEqual((await client.personas.get(persona.id)).goals, ['rest'])
    assert.deepEqual((await client.projects.violations(project.id)).items, [])
  } finally {
    live.close()
  }
})

test('a REST create arrives in the open document', async () => {
  const project = await client.projects.create('JS live read')
  await client.personas.create(project.id, { name: 'Ana', goals: ['sleep'] })
  const live = await client.live(project.id, packages)
  try {
    assert.deepEqual(
      live.personas().map((p) => [p.name, p.goals]),
      [['Ana', ['sleep']]]
    )
    const created = await client.ideas.create(project.id, { text: 'From REST' })
    await live.waitFor(() => live.item('ideas', created.id) !== null)
    assert.equal(live.item('ideas', created.id)?.text, 'From REST')
  } finally {
    live.close()
  }
})

test('after a 4401 the token is refreshed and the socket reconnects with it', async () => {
  const signedIn = await DTTools.signIn({
    baseUrl,
    email: need('DTTOOLS_EMAIL'),
    password: need('DTTOOLS_PASSWORD')
  })
  const project = await signedIn.projects.create('JS live refresh')
  const live = await signedIn.live(project.id, packages)
  try {
    /** @type {(number | undefined)[]} */
    const codes = []
    live.provider.on('connection-close', (/** @type {any} */ event) => codes.push(event?.code))
    // The access token expires (forged here), then the connection drops: y-websocket
    // reconnects with the stale token, the server closes with 4401, the client refreshes.
    signedIn.http.token = 'forged'
    live.provider.params = { ...live.provider.params, token: 'forged' }
    live.provider.ws.close()
    await live.waitFor(() => codes.includes(4401) && live.provider.synced, { timeoutMs: 20000 })
    assert.notEqual(live.provider.params.token, 'forged')
    assert.equal(live.provider.params.token, signedIn.token)
    assert.equal(live.closed, null)
    const created = await signedIn.ideas.create(project.id, { text: 'After the refresh' })
    await live.waitFor(() => live.item('ideas', created.id) !== null)
    const idea = await live.addIdea({ text: 'Written after the refresh' })
    assert.equal((await signedIn.ideas.get(idea.id)).text, 'Written after the refresh')
  } finally {
    live.close()
  }
})

test('a token the server refuses, with nothing to refresh it, closes with 4401', async () => {
  const project = await client.projects.create('JS live refused')
  const forged = new DTTools({ baseUrl, token: 'forged' })
  await assert.rejects(
    forged.live(project.id, { ...packages, userId: null }),
    (/** @type {any} */ error) => {
      assert.ok(error instanceof LiveClosed)
      assert.equal(error.code, 4401)
      return true
    }
  )
})
