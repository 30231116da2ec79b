// HTTP for every resource: auth header, retries honouring Retry-After, automatic
// Idempotency-Key on POST (the same on every retry of one call), one token refresh on a 401,
// and problem+json answers thrown as ProblemError subclasses.

import { randomUUID } from './crypto.js'
import { ConnectionFailed, Unauthenticated, problemFromResponse } from './errors.js'

/**
 * @typedef {object} RetryPolicy how a client retries
 * @property {number} [maxAttempts] attempts in all, the first included (1: no retries); 4
 * @property {number} [baseDelayMs] the first back-off without `Retry-After`, doubling; 500
 * @property {number} [maxDelayMs] the longest wait; a longer `Retry-After` is not waited for
 *   (the error is thrown with `retryAfterMs`, so the caller decides); 30000
 * @property {number[]} [statuses] statuses worth another attempt; 429, 502, 503, 504
 */

/**
 * @typedef {object} RequestOptions
 * @property {Record<string, string | number | boolean | null | undefined>} [query]
 * @property {unknown} [json] a JSON body
 * @property {() => BodyInit} [body] builds a body afresh for each attempt (a FormData)
 * @property {Record<string, string>} [headers]
 * @property {string} [idempotencyKey] your own key for a POST (else a random UUID)
 * @property {boolean} [authenticated] send the credential (default true)
 */

/** @typedef {(ms: number) => Promise<void>} Sleep */
/** @typedef {(refused: string) => Promise<string | null>} Refresher */

export const USER_AGENT = 'dttools-sdk-js/0.1.0'

/** How long a token must still be valid for before a socket (re)connects with it. */
export const MIN_VALIDITY_MS = 30000

const SAFE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

/** @type {Sleep} */
export const realSleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

/**
 * Read `Retry-After` (seconds or an HTTP date) as milliseconds from now; null if absent or
 * malformed.
 *
 * @param {string | null} value
 * @param {number} [now] the current time in ms since the epoch
 * @returns {number | null}
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** Sends the requests of one client: one base URL, one credential, one retry policy. */
export class Transport {
  /**
   * @param {object} options
   * @param {string} options.baseUrl
   * @param {string | null} [options.token] an API key or an access token
   * @param {typeof fetch} [options.fetch]
   * @param {RetryPolicy} [options.retry]
   * @param {Sleep} [options.sleep] injectable so tests check waits without waiting
   * @param {() => number} [options.random] jitter source in [0, 1)
   * @param {Record<string, string>} [options.headers] sent on every request
   */
  constructor({
    baseUrl,
    token = null,
    fetch: fetchImpl,
    retry = {},
    sleep = realSleep,
    random = Math.random,
    headers = {}
  }) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.token = token
    /** @type {Refresher | null} */
    this.refresher = null
    this.fetch = fetchImpl ?? globalThis.fetch.bind(globalThis)
    this.retry = {
      maxAttempts: retry.maxAttempts ?? 4,
      baseDelayMs: retry.baseDelayMs ?? 500,
      maxDelayMs: retry.maxDelayMs ?? 30000,
      statuses: retry.statuses ?? [429, 502, 503, 504]
    }
    this.sleep = sleep
    this.random = random
    this.headers = headers
    /** @type {Promise<string | null> | null} */
    this.refreshing = null
  }

  /**
   * Send a request and read the answer: its JSON (null when empty), with the ETag.
   *
   * @param {string} method
   * @param {string} path under the base URL, such as `/v1/projects`
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   * @throws {import('./errors.js').ProblemError} the final answer was an error status
   * @throws {ConnectionFailed} the server could not be reached
   */
  async json(method, path, options = {}) {
    const response = await this.send(method, path, options)
    const text = await response.text()
    const data = text ? JSON.parse(text) : null
    const etag = response.headers.get('ETag')
    if (etag !== null && data !== null && typeof data === 'object' && !Array.isArray(data)) {
      // Not enumerable: sending the object back (JSON.stringify) leaves it out.
      Object.defineProperty(data, 'etag', { value: etag, enumerable: false })
    }
    return data
  }

  /**
   * Send a request, retrying as the policy allows; the successful Response, body unread.
   *
   * @param {string} method
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<Response>}
   */
  async send(
    method,
    path,
    { query, json, body, headers = {}, idempotencyKey, authenticated = true } = {}
  ) {
    method = method.toUpperCase()
    /** @type {Record<string, string>} */
    const sent = { ...this.headers, ...headers }
    if ('process' in globalThis && !('User-Agent' in sent)) sent['User-Agent'] = USER_AGENT
    if (method === 'POST' && body === undefined && !('Idempotency-Key' in sent)) {
      // Uploads take no key (docs/api.md, "Files"): replaying one would need its whole body.
      sent['Idempotency-Key'] = idempotencyKey ?? (await randomUUID())
    }
    const keyed = 'Idempotency-Key' in sent
    // A connection that broke mid-request may have been acted on: repeat only what is safe.
    const safe = SAFE_METHODS.has(method) || keyed
    if (json !== undefined) sent['Content-Type'] = 'application/json'
    const url = this.url(path, query)
    let refreshed = false
    for (let attempt = 1; ; attempt++) {
      const usedToken = authenticated ? this.token : null
      if (usedToken) sent.Authorization = `Bearer ${usedToken}`
      else delete sent.Authorization
      /** @type {Response} */
      let response
      try {
        response = await this.fetch(url, {
          method,
          headers: sent,
          body: body !== undefined ? body() : json !== undefined ? JSON.stringify(json) : undefined
        })
      } catch (error) {
        if (safe && (await this.backoff(attempt, null))) continue
        throw new ConnectionFailed(`${method} ${path}: ${error}`, error)
      }
      if (response.ok || (response.status >= 300 && response.status < 400)) return response
      const problem = problemFromResponse(
        response.status,
        response.statusText,
        await response.text(),
        parseRetryAfter(response.headers.get('Retry-After'))
      )
      if (problem instanceof Unauthenticated && !refreshed && usedToken && this.refresher) {
        refreshed = true
        if (await this.refresh(usedToken)) continue
      }
      // A retry reaching the server while the first attempt still runs gets 409: wait for
      // the first to finish, then get its replay.
      const retryable =
        this.retry.statuses.includes(problem.status) ||
        (problem.status === 409 && keyed && attempt > 1)
      if (!(retryable && (await this.backoff(attempt, problem.retryAfterMs)))) throw problem
    }
  }

  /**
   * Wait before attempt `attempt + 1` as the policy says; false: give up instead.
   *
   * @param {number} attempt attempts made so far
   * @param {number | null} retryAfterMs the server's `Retry-After`: honoured exactly
   * @returns {Promise<boolean>}
   */
  async backoff(attempt, retryAfterMs) {
    if (attempt >= this.retry.maxAttempts) return false
    let delay
    if (retryAfterMs != null) {
      if (retryAfterMs > this.retry.maxDelayMs) return false
      delay = retryAfterMs
    } else {
      const full = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1))
      delay = full * (0.5 + this.random() / 2)
    }
    await this.sleep(delay)
    return true
  }

  /**
   * A new access token after `refused` got a 401; one refresh at a time, since a refresh
   * token works once and presenting it twice revokes the session (docs/api.md).
   *
   * @param {string} refused
   * @returns {Promise<boolean>} whether there is a new token to try
   */
  async refresh(refused) {
    if (this.refreshing === null) {
      if (this.token !== refused) return this.token !== null // another call refreshed it
      const refresher = /** @type {Refresher} */ (this.refresher)
      this.refreshing = refresher(refused).finally(() => {
        this.refreshing = null
      })
    }
    const token = await this.refreshing
    if (token !== null) this.token = token
    return token !== null
  }

  /**
   * The absolute URL of `path` with the query parameters that are set.
   *
   * @param {string} path
   * @param {RequestOptions['query']} [query]
   * @returns {string}
   */
  url(path, query) {
    const url = new URL(/^https?:\/\//.test(path) ? path : this.baseUrl + path)
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value))
    }
    return url.toString()
  }
}

/**
 * `value` as one path segment (an id never contains `/`, but nothing trusts that).
 *
 * @param {string} value
 * @returns {string}
 */
export const segment = (value) => encodeURIComponent(value)

/**
 * Every item of a paginated list: fetch pages, passing `next_cursor` back, until it is null.
 *
 * @template T
 * @param {(cursor: string | undefined) => Promise<{items: T[], next_cursor: string | null}>} fetchPage
 * @returns {AsyncGenerator<T, void, undefined>}
 */
export async function* follow(fetchPage) {
  /** @type {string | undefined} */
  let cursor
  for (;;) {
    const page = await fetchPage(cursor)
    yield* page.items
    if (page.next_cursor == null) return
    cursor = page.next_cursor
  }
}

/**
 * A list answer as a page: servers that answer a plain array (older ones, for artifacts and
 * members) are read as a single last page.
 *
 * @template T
 * @param {T[] | {items: T[], next_cursor: string | null}} data
 * @returns {{items: T[], next_cursor: string | null}}
 */
export const asPage = (data) => (Array.isArray(data) ? { items: data, next_cursor: null } : data)

/**
 * The `If-Match` header for a conditional write, or none.
 *
 * @param {string | undefined} ifMatch
 * @returns {Record<string, string>}
 */
export const ifMatchHeader = (ifMatch) => (ifMatch ? { 'If-Match': ifMatch } : {})

/**
 * When a JWT expires (ms since the epoch), or null for a token that is no JWT (an API key).
 *
 * @param {string | null} token
 * @returns {number | null}
 */
export function tokenExpiry(token) {
  const payload = token?.split('.')[1]
  if (!payload) return null
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'))
    const exp = JSON.parse(json).exp
    return typeof exp === 'number' ? exp * 1000 : null
  } catch {
    return null
  }
}
