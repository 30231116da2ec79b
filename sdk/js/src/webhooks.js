// Check that a webhook came from your DTTools server: Standard Webhooks signatures
// (docs/webhooks.md) with WebCrypto, in browsers, Node 18+, Deno and workers alike.

import { webcrypto } from './crypto.js'
import { WebhookVerificationError } from './errors.js'

/** Signatures older or newer than this are refused as replays. */
const TOLERANCE_S = 5 * 60

/**
 * @param {Headers | Record<string, string | string[] | undefined>} headers
 * @param {string} name lower case
 * @returns {string | null}
 */
function header(headers, name) {
  if (typeof (/** @type {any} */ (headers).get) === 'function') {
    return /** @type {Headers} */ (headers).get(name)
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : (value ?? null)
  }
  return null
}

/**
 * @param {string} text base64
 * @returns {Uint8Array}
 */
function fromBase64(text) {
  const binary = atob(text)
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/**
 * Verify a webhook and return its event (`{id, type, project_id, created_at, data, ...}`).
 *
 * @param {string | ArrayBuffer | Uint8Array} payload the body exactly as received:
 *   re-serialised JSON does not verify
 * @param {Headers | Record<string, string | string[] | undefined>} headers the request's;
 *   `webhook-id`, `webhook-timestamp` and `webhook-signature` are read, in any case
 * @param {string | Uint8Array} secret the endpoint's secret (`whsec_...`, or its raw bytes)
 * @param {{now?: number}} [options] the current time in ms (for tests)
 * @returns {Promise<Record<string, any>>}
 * @throws {WebhookVerificationError} a header is missing, the timestamp is more than five
 *   minutes from now, no signature matches, or the body is not a JSON object. Deduplicate on
 *   the event's `id` as well: delivery is at least once.
 */
export async function verifyWebhook(payload, headers, secret, { now = Date.now() } = {}) {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing required headers')
  }
  const seconds = Number(timestamp)
  if (!/^\d+$/.test(timestamp.trim())) {
    throw new WebhookVerificationError('invalid signature headers')
  }
  if (now / 1000 - seconds > TOLERANCE_S) {
    throw new WebhookVerificationError('message timestamp too old')
  }
  if (seconds - now / 1000 > TOLERANCE_S) {
    throw new WebhookVerificationError('message timestamp too new')
  }

  let keyBytes
  try {
    keyBytes = typeof secret === 'string' ? fromBase64(secret.replace(/^whsec_/, '')) : secret
  } catch {
    throw new WebhookVerificationError('the secret is not base64')
  }
  const encoder = new TextEncoder()
  const bytes =
    typeof payload === 'string'
      ? encoder.encode(payload)
      : payload instanceof ArrayBuffer
        ? new Uint8Array(payload)
        : payload
  const { subtle } = await webcrypto()
  const key = await subtle.importKey(
    'raw',
    /** @type {BufferSource} */ (keyBytes),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify']
  )
  const prefix = encoder.encode(`${id}.${seconds}.`)
  const signed = new Uint8Array(prefix.length + bytes.length)
  signed.set(prefix)
  signed.set(bytes, prefix.length)
  let matched = false
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2)
    if (version !== 'v1' || !value) continue
    let given
    try {
      given = fromBase64(value)
    } catch {
      continue
    }
    // subtle.verify compares in constant time
    if (await subtle.verify('HMAC', key, /** @type {BufferSource} */ (given), signed)) {
      matched = true
    }
  }
  if (!matched) throw new WebhookVerificationError('no matching signature found')
  let event
  try {
    event = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new WebhookVerificationError('the body is not JSON')
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new WebhookVerificationError('the body is not a JSON object')
  }
  return event
}
