// verifyWebhook against signatures made by the Python standardwebhooks library
// (DTTOOLS_WEBHOOK_VECTORS, written by tests/sdk/test_js_client.py).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebhookVerificationError, verifyWebhook } from '../index.js'
import { verifyWebhook as fromSubpath } from '../src/webhooks.js'
import { need } from './helpers.mjs'

const vectors = JSON.parse(need('DTTOOLS_WEBHOOK_VECTORS'))
const { secret, valid } = vectors

test('a signature of standardwebhooks verifies; the event comes back', async () => {
  const event = await verifyWebhook(valid.body, valid.headers, secret)
  assert.deepEqual(event, JSON.parse(valid.body))
  const bytes = new TextEncoder().encode(valid.body)
  const titled = new Headers(valid.headers) // any header case
  assert.deepEqual(await verifyWebhook(bytes, titled, secret), event)
  assert.deepEqual(await fromSubpath(bytes.buffer, valid.headers, secret), event)
})

test('one of several signatures (a rotation) is enough', async () => {
  const { body, headers } = vectors.rotated
  assert.equal((await verifyWebhook(body, headers, secret)).id, JSON.parse(body).id)
})

/**
 * @param {Promise<unknown>} promise
 * @param {RegExp} message
 */
const refused = (promise, message) =>
  assert.rejects(promise, (/** @type {any} */ error) => {
    assert.ok(error instanceof WebhookVerificationError, String(error))
    assert.match(error.message, message)
    return true
  })

test('a tampered body is refused', async () => {
  await refused(
    verifyWebhook(valid.body.replace('Kiosk', 'Kiosq'), valid.headers, secret),
    /signature/
  )
})

test('another secret is refused', async () => {
  await refused(verifyWebhook(valid.body, valid.headers, vectors.other_secret), /signature/)
})

test('a tampered signature is refused', async () => {
  const headers = { ...valid.headers, 'webhook-signature': vectors.tampered_signature }
  await refused(verifyWebhook(valid.body, headers, secret), /signature/)
})

test('a timestamp ten minutes old is a replay', async () => {
  await refused(verifyWebhook(vectors.old.body, vectors.old.headers, secret), /too old/)
  // ... which verified back then
  const then = Number(vectors.old.headers['webhook-timestamp']) * 1000
  assert.ok(await verifyWebhook(vectors.old.body, vectors.old.headers, secret, { now: then }))
})

test('missing headers are refused', async () => {
  const { 'webhook-signature': _dropped, ...headers } = valid.headers
  await refused(verifyWebhook(valid.body, headers, secret), /headers/)
})

test('a signed body that is not a JSON object is refused', async () => {
  await refused(verifyWebhook(vectors.array.body, vectors.array.headers, secret), /object/)
})
