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

test('text fields are Y.Text: add writes one, reads and REST see the string', async () => {
  const project = await client.projects.create('JS live text')
  const live = await client.live(project.id, packages)
  try {
    const idea = await live.addIdea({ text: 'Kiosk ☕ café' })
    assert.ok(live.doc.getMap('ideas').get(idea.id).get('text') instanceof Y.Text)
    assert.equal(idea.text, 'Kiosk ☕ café')
    const persona = await live.add('personas', { name: 'Bea', bio: 'Nurse 👩‍⚕️', goals: [] })
    assert.ok(live.doc.getMap('personas').get(persona.id).get('bio') instanceof Y.Text)
    assert.ok(live.doc.getMap('personas').get(persona.id).get('name') === 'Bea')
    assert.equal((await client.personas.get(persona.id)).bio, 'Nurse 👩‍⚕️')
    assert.deepEqual((await client.projects.violations(project.id)).items, [])
  } finally {
    live.close()
  }
})

/**
 * Wait until every document reads `text` for the idea.
 *
 * @param {any[]} lives
 * @param {string} id
 * @param {string} text
 */
const allRead = (lives, id, text) =>
  Promise.all(lives.map((live) => live.waitFor(() => live.item('ideas', id)?.text === text)))

test('two clients change different parts of one text at once: both keep both', async () => {
  const project = await client.projects.create('JS live merge')
  const one = await client.live(project.id, packages)
  const two = await client.live(project.id, packages)
  try {
    const idea = await one.addIdea({ text: 'The kiosk sells coffee ☕' })
    await two.waitFor(() => two.item('ideas', idea.id) !== null)
    // Both changes are made in this synchronous turn, before either socket delivers the other:
    // had one client seen the other's change, its difference would undo it.
    await Promise.all([
      one.updateIdea(idea.id, { text: 'Our kiosk sells coffee ☕' }),
      two.updateIdea(idea.id, { text: 'The kiosk sells tea 🍵' })
    ])
    const merged = 'Our kiosk sells tea 🍵'
    await allRead([one, two], idea.id, merged)
    assert.equal((await client.ideas.get(idea.id)).text, merged)
  } finally {
    one.close()
    two.close()
  }
})

test('a text written over REST is changed by difference, merging with live edits', async () => {
  const project = await client.projects.create('JS live REST text')
  const created = await client.ideas.create(project.id, { text: 'Kiosk at the station' })
  await client.ideas.update(created.id, { text: 'A kiosk at the station' })
  const one = await client.live(project.id, packages)
  const two = await client.live(project.id, packages)
  try {
    const text = one.doc.getMap('ideas').get(created.id).get('text')
    assert.ok(text instanceof Y.Text)
    await Promise.all([
      one.update('ideas', created.id, { text: 'A small kiosk at the station' }),
      two.update('ideas', created.id, { text: 'A kiosk at the main station' })
    ])
    const merged = 'A small kiosk at the main station'
    await allRead([one, two], created.id, merged)
    assert.equal(one.doc.getMap('ideas').get(created.id).get('text'), text) // the same Y.Text
    assert.equal((await client.ideas.get(created.id)).text, merged)
  } finally {
    one.close()
    two.close()
  }
})

test('a socket without schema=2 is closed with 4426, for good', async () => {
  const project = await client.projects.create('JS live outdated')
  const live = await client.live(project.id, packages)
  try {
    // an SDK from before schema 2: the same socket parameters without `schema`
    const { schema, ...older } = live.provider.params
    assert.equal(schema, '2')
    live.provider.params = older
    live.provider.ws.close()
    await assert.rejects(
      live.waitFor(() => false),
      (/** @type {any} */ error) => {
        assert.ok(error instanceof LiveClosed)
        assert.equal(error.code, 4426)
        assert.match(error.reason, /schema/)
        return true
      }
    )
    assert.deepEqual(live.closed?.code, 4426)
    assert.equal(live.provider.shouldConnect, false) // no reconnect loop
  } finally {
    live.close()
  }
})
