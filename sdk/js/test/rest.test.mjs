// REST against a real server: CRUD, pagination, problem errors, idempotency, files, exports.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  DTTools,
  IdempotencyKeyReused,
  NotFound,
  PreconditionFailed,
  ProblemError,
  ValidationError
} from '../index.js'
import { need, recordingFetch } from './helpers.mjs'

const baseUrl = need('DTTOOLS_URL')
const client = new DTTools({ baseUrl, token: need('DTTOOLS_TOKEN') })
const me = await client.account.me()

// A 1x1 PNG: the server decodes and re-encodes it.
const PNG = Uint8Array.from(
  atob(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
  ),
  (c) => c.charCodeAt(0)
)

test('ideas: create, read, update with If-Match, list, delete', async () => {
  const project = await client.projects.create('JS ideas', { phase: 'ideate' })
  const idea = await client.ideas.create(project.id, {
    text: 'Self-service kiosk',
    color: 'blue',
    x: 10
  })
  assert.equal(idea.text, 'Self-service kiosk')
  assert.equal(idea.color, 'blue')
  assert.equal(idea.authorId, me.id)
  assert.equal(idea.createdBy, me.id)
  const read = await client.ideas.get(idea.id)
  assert.deepEqual(read, idea)
  assert.match(read.etag ?? '', /./)
  assert.equal(JSON.stringify(read).includes('etag'), false, 'the ETag is never sent back')
  const moved = await client.ideas.update(
    idea.id,
    { x: 300, clusterId: 'c1' },
    { ifMatch: read.etag }
  )
  assert.deepEqual(
    [moved.x, moved.y, moved.clusterId, moved.text],
    [300, 0, 'c1', 'Self-service kiosk']
  )
  await assert.rejects(
    client.ideas.update(idea.id, { x: 1 }, { ifMatch: read.etag }),
    PreconditionFailed
  )
  assert.deepEqual(
    (await client.ideas.list(project.id)).items.map((i) => i.id),
    [idea.id]
  )
  const iterated = []
  for await (const each of client.ideas.iter(project.id)) iterated.push(each.id)
  assert.deepEqual(iterated, [idea.id])
  await client.ideas.delete(idea.id)
  await assert.rejects(client.ideas.get(idea.id), NotFound)
})

test('personas: list fields round-trip, a partial update keeps the rest', async () => {
  const project = await client.projects.create('JS personas')
  const ana = await client.personas.create(project.id, { name: 'Ana', goals: ['sleep', 'read'] })
  assert.deepEqual([ana.name, ana.goals, ana.pains, ana.role], ['Ana', ['sleep', 'read'], [], ''])
  const changed = await client.personas.update(ana.id, { role: 'Nurse', pains: ['night shifts'] })
  assert.deepEqual(
    [changed.name, changed.role, changed.goals, changed.pains],
    ['Ana', 'Nurse', ['sleep', 'read'], ['night shifts']]
  )
  const document = await client.projects.document(project.id)
  assert.deepEqual(
    document.personas.map((/** @type {any} */ p) => p.name),
    ['Ana']
  )
  await client.personas.delete(ana.id)
  assert.deepEqual((await client.personas.list(project.id)).items, [])
})

test('projects.iter follows next_cursor: 5 projects in pages of 2', async () => {
  const tag = crypto.randomUUID().slice(0, 8)
  const made = []
  for (let i = 0; i < 5; i++) made.push((await client.projects.create(`paged ${tag} ${i}`)).id)
  const { fetch: recording, requests } = recordingFetch()
  const paging = new DTTools({ baseUrl, token: need('DTTOOLS_TOKEN'), fetch: recording })
  const first = await paging.projects.list({ limit: 2, q: tag })
  assert.equal(first.items.length, 2)
  assert.equal(typeof first.next_cursor, 'string')
  requests.length = 0
  const seen = []
  for await (const project of paging.projects.iter({ pageSize: 2, q: tag })) seen.push(project.id)
  assert.deepEqual([...seen].sort(), [...made].sort())
  assert.equal(new Set(seen).size, 5)
  assert.equal(requests.length, 3, 'pages of 2, 2 and 1')
  assert.ok(requests.every((r) => new URL(r.url).searchParams.get('limit') === '2'))
})

test('a 404 and a 422 are thrown as ProblemError subclasses', async () => {
  const missing = client.ideas.get(crypto.randomUUID())
  await assert.rejects(missing, (/** @type {any} */ error) => {
    assert.ok(error instanceof NotFound)
    assert.ok(error instanceof ProblemError)
    assert.equal(error.status, 404)
    assert.equal(error.type, 'https://dttools.dev/problems/not-found')
    assert.equal(error.slug, 'not-found')
    assert.equal(error.name, 'NotFound')
    return true
  })
  const project = await client.projects.create('JS errors')
  const invalid = client.ideas.create(project.id, { text: 'x', color: 'chartreuse' })
  await assert.rejects(invalid, (/** @type {any} */ error) => {
    assert.ok(error instanceof ValidationError)
    assert.equal(error.status, 422)
    assert.equal(error.slug, 'validation-error')
    assert.equal(typeof error.title, 'string')
    assert.deepEqual(
      error.errors.map((/** @type {any} */ e) => [e.location, e.field]),
      [['body', 'color']]
    )
    return true
  })
})

test('one Idempotency-Key sent twice gives the same object; with another body it is refused', async () => {
  const project = await client.projects.create('JS idempotency')
  const key = `import-${crypto.randomUUID()}`
  const first = await client.ideas.create(project.id, { text: 'Once' }, { idempotencyKey: key })
  const again = await client.ideas.create(project.id, { text: 'Once' }, { idempotencyKey: key })
  assert.equal(again.id, first.id)
  assert.equal((await client.ideas.list(project.id)).items.length, 1)
  await assert.rejects(
    client.ideas.create(project.id, { text: 'Other' }, { idempotencyKey: key }),
    IdempotencyKeyReused
  )
  // without a key of yours, each call gets its own: two calls, two ideas
  await client.ideas.create(project.id, { text: 'Twice' })
  await client.ideas.create(project.id, { text: 'Twice' })
  assert.equal((await client.ideas.list(project.id)).items.length, 3)
})

test('files: upload with FormData, describe, download', async () => {
  const project = await client.projects.create('JS files')
  const file = await client.files.upload(project.id, PNG, 'dot.png')
  assert.equal(file.media_type, 'image/png')
  assert.deepEqual([file.width, file.height], [1, 1])
  const blob = await client.files.download(file.id)
  assert.ok(blob instanceof Blob)
  assert.equal(blob.size, file.size)
  const listed = []
  for await (const each of client.files.iter(project.id)) listed.push(each.id)
  assert.deepEqual(listed, [file.id])
})

test('exports: start, wait with progress, download; an archive imports', async () => {
  const project = await client.projects.create('JS export')
  await client.ideas.create(project.id, { text: 'Exported note' })
  const job = await client.exports.start(project.id, 'json')
  /** @type {number[]} */
  const progress = []
  const done = await client.exports.wait(job, {
    onProgress: (each) => progress.push(each.progress),
    pollIntervalMs: 50
  })
  assert.equal(done.status, 'done')
  assert.equal(progress.at(-1), 1)
  const body = JSON.parse(
    new TextDecoder().decode(await client.exports.download(done, { as: 'arrayBuffer' }))
  )
  assert.deepEqual(
    body.document.ideas.map((/** @type {any} */ i) => i.text),
    ['Exported note']
  )
  const archive = await client.exports.wait(await client.exports.start(project.id, 'archive'), {
    pollIntervalMs: 50
  })
  const imported = await client.exports.importArchive(await client.exports.download(archive))
  assert.notEqual(imported.project.id, project.id)
  assert.deepEqual(
    (await client.ideas.list(imported.project.id)).items.map((i) => i.text),
    ['Exported note']
  )
})

test('members: an address without an account is invited; addMany reports each address', async () => {
  const project = await client.projects.create('JS team')
  const stamp = Date.now().toString(36)
  const invited = await client.members.add(project.id, `js-new-${stamp}@example.com`, 'viewer')
  assert.equal(invited.role, 'viewer')
  assert.equal('user_id' in invited, false)
  assert.match(invited.expires_at, /^\d{4}-/)
  const bulk = await client.members.addMany(project.id, [
    `js-a-${stamp}@example.com`,
    `JS-A-${stamp}@example.com`,
    me.email
  ])
  assert.deepEqual(
    bulk.results.map((r) => r.outcome),
    ['invited', 'already_member']
  )
})
