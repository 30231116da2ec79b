// Retries against a tiny node:http server: Retry-After honoured (and capped), back-off without
// it, one Idempotency-Key per call reused by its retries. A fake sleep records the waits.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, test } from 'node:test'
import { DTTools, RateLimited, ServiceUnavailable, parseRetryAfter } from '../index.js'

/** @type {{method: string, url: string, key: string | undefined}[]} */
let hits = []
/** @type {{status: number, headers?: Record<string, string>}[]} */
let script = []
const server = createServer((request, response) => {
  hits.push({
    method: request.method ?? '',
    url: request.url ?? '',
    key: request.headers['idempotency-key']?.toString()
  })
  request.resume()
  const { status, headers = {} } = script.shift() ?? { status: 200 }
  const problem = { type: 'https://dttools.dev/problems/x', title: 'Refused', status }
  const body = status >= 400 ? problem : { id: 'p1', name: 'ok', hit: hits.length }
  const type = status >= 400 ? 'application/problem+json' : 'application/json'
  response.writeHead(status, { 'Content-Type': type, ...headers })
  response.end(JSON.stringify(body))
})
await new Promise((resolve) => {
  server.listen(0, '127.0.0.1', () => resolve(undefined))
})
after(() => server.close())
const address = /** @type {import('node:net').AddressInfo} */ (server.address())
const baseUrl = `http://127.0.0.1:${address.port}`

/**
 * A client whose waits are recorded instead of waited.
 *
 * @param {import('../index.js').RetryPolicy} [retry]
 */
function fakeClient(retry) {
  /** @type {number[]} */
  const waits = []
  const client = new DTTools({
    baseUrl,
    apiKey: 'dtt_test',
    retry,
    random: () => 0,
    sleep: async (ms) => {
      waits.push(ms)
    }
  })
  return { client, waits }
}

/** @param {{status: number, headers?: Record<string, string>}[]} answers */
function answer(answers) {
  hits = []
  script = [...answers]
}

test('429 with Retry-After: waits exactly that long, then retries with the same key', async () => {
  answer([{ status: 429, headers: { 'Retry-After': '7' } }, { status: 201 }])
  const { client, waits } = fakeClient()
  const project = await client.projects.create('Retried')
  assert.equal(project.hit, 2)
  assert.deepEqual(waits, [7000])
  assert.equal(hits.length, 2)
  assert.match(
    hits[0].key ?? '',
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  )
  assert.equal(hits[1].key, hits[0].key, 'one call, one key, on every attempt')
})

test('each call gets its own key', async () => {
  answer([{ status: 201 }, { status: 201 }])
  const { client } = fakeClient()
  await client.projects.create('one')
  await client.projects.create('two')
  assert.notEqual(hits[0].key, hits[1].key)
})

test('a Retry-After past the cap is not waited: RateLimited says how long', async () => {
  answer([{ status: 429, headers: { 'Retry-After': '120' } }])
  const { client, waits } = fakeClient()
  await assert.rejects(client.projects.get('p1'), (/** @type {any} */ error) => {
    assert.ok(error instanceof RateLimited)
    assert.equal(error.retryAfterMs, 120000)
    return true
  })
  assert.deepEqual(waits, [])
  assert.equal(hits.length, 1)
  assert.equal(hits[0].key, undefined, 'a GET carries no Idempotency-Key')
})

test('503 without Retry-After backs off, doubling; gives up after maxAttempts', async () => {
  answer([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }])
  const { client, waits } = fakeClient()
  await assert.rejects(client.projects.get('p1'), ServiceUnavailable)
  assert.equal(hits.length, 4)
  assert.deepEqual(waits, [250, 500, 1000], 'half of 500, 1000, 2000 with zero jitter')
})

test('a Retry-After HTTP date is read as the time left', () => {
  const now = Date.parse('2026-12-06T10:00:00Z')
  assert.equal(parseRetryAfter('Sun, 06 Dec 2026 10:00:05 GMT', now), 5000)
  assert.equal(parseRetryAfter('3', now), 3000)
  assert.equal(parseRetryAfter('soon', now), null)
})

test('maxAttempts: 1 turns retries off', async () => {
  answer([{ status: 429, headers: { 'Retry-After': '1' } }])
  const { client, waits } = fakeClient({ maxAttempts: 1 })
  await assert.rejects(client.projects.create('x'), RateLimited)
  assert.deepEqual(waits, [])
})
