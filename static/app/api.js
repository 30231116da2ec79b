// REST client for /v1: cookies + CSRF header, one refresh and retry on 401. Every request says
// the language shown (Accept-Language), so the server's problem texts come back in it.
import { locale, t } from './i18n.js'

const CSRF_COOKIE = 'dttools_csrf'

/** An error answer of the API (RFC 9457 problem+json when the server sent one). */
export class ApiError extends Error {
  /** @param {number} status @param {any} problem */
  constructor(status, problem) {
    super(describe(status, problem))
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }
}

/** @param {number} status @param {any} problem */
function describe(status, problem) {
  if (problem && Array.isArray(problem.errors) && problem.errors.length) {
    /** @type {Array<{field?: string, message: string}>} */
    const errors = problem.errors
    return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')
  }
  if (problem && (problem.detail || problem.title)) return problem.detail || problem.title
  if (status === 0) return t('api.unreachable')
  return t('api.failed', { status: String(status) })
}

/** The readable CSRF cookie, echoed in X-CSRF-Token on unsafe requests. */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='))
  }
  return ''
}

/** @type {Promise<boolean> | null} the refresh under way, shared by its concurrent callers */
let refreshing = null
/** @type {Set<() => void>} */
const expiredListeners = new Set()
const EXPIRES_KEY = 'dttools-access-expires'
const EARLY_MS = 30_000

/** Is there a browser session (the readable CSRF cookie lives as long as the refresh cookie)? */
export const hasSession = () => csrfToken() !== ''

/**
 * Remember when the access token of a session answer expires (refresh before, not after).
 * @param {{access_expires_at?: string} | null} body
 */
export function noteSession(body) {
  try {
    if (body && body.access_expires_at) localStorage.setItem(EXPIRES_KEY, body.access_expires_at)
    else localStorage.removeItem(EXPIRES_KEY)
  } catch {
    /* storage may be disabled: we then refresh on 401 only */
  }
}

/** Has the access token (nearly) expired? Unknown counts as fresh. */
function accessExpired() {
  let stamp
  try {
    stamp = localStorage.getItem(EXPIRES_KEY)
  } catch {
    return false
  }
  const at = stamp ? Date.parse(stamp) : NaN
  return Number.isFinite(at) && Date.now() > at - EARLY_MS
}

/** Refresh first if the access token is about to expire: a 401 is logged by the browser. */
export async function ensureFresh() {
  if (hasSession() && accessExpired()) await refresh()
}

/**
 * Be told when the session cannot be refreshed any more (signed out elsewhere, expired).
 * @param {() => void} fn
 */
export function onSessionExpired(fn) {
  expiredListeners.add(fn)
  return () => expiredListeners.delete(fn)
}

/**
 * Trade the refresh cookie for a new access token. Concurrent callers share one request, and
 * tabs take turns (a Web Lock): two tabs refreshing with the same cookie would look like token
 * theft to the server and end the session.
 * @param {string} [staleCsrf] the CSRF value of the request that failed
 * @returns {Promise<boolean>} whether the session is usable again
 */
export function refresh(staleCsrf = csrfToken()) {
  if (!refreshing) {
    const run = async () => {
      // Another tab refreshed while we waited: its new cookies are ours too.
      if (csrfToken() && csrfToken() !== staleCsrf) return true
      if (!csrfToken()) return false
      const response = await send('POST', '/v1/auth/refresh', { client: 'browser' })
      if (response.ok) noteSession(await response.json().catch(() => null))
      return response.ok
    }
    const locked = navigator.locks ? navigator.locks.request('dttools-refresh', run) : run()
    refreshing = locked
      .catch(() => false)
      .finally(() => {
        refreshing = null
      })
  }
  return refreshing
}

/**
 * @param {string} method @param {string} path @param {any} [body]
 * @param {Record<string, string>} [extra] more headers (e.g. Idempotency-Key)
 */
async function send(method, path, body, extra = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...extra, Accept: 'application/json', 'Accept-Language': locale() }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken()
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store'
    })
  } catch {
    return new Response(null, { status: 599 })
  }
}

const NO_REFRESH = new Set([
  '/v1/auth/login',
  '/v1/auth/register',
  '/v1/auth/refresh',
  '/v1/auth/forgot-password',
  '/v1/auth/reset-password',
  '/v1/auth/verify-email'
])

/**
 * Call the API; JSON in, JSON out. On 401 refresh once and retry.
 * @param {string} method
 * @param {string} path
 * @param {any} [body]
 * @param {Record<string, string>} [headers] extra headers, sent again on the retry
 * @returns {Promise<any>} the parsed body (null for 202/204)
 */
export async function request(method, path, body, headers = {}) {
  if (!NO_REFRESH.has(path)) await ensureFresh()
  const csrf = csrfToken()
  let response = await send(method, path, body, headers)
  if (response.status === 401 && !NO_REFRESH.has(path)) {
    if (await refresh(csrf)) {
      response = await send(method, path, body, headers)
    }
    if (response.status === 401) for (const fn of expiredListeners) fn()
  }
  if (response.status === 599) throw new ApiError(0, null)
  const text = await response.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

/** @param {string} path */
export const get = (path) => request('GET', path)
/** @param {string} path @param {any} [body] */
export const post = (path, body = {}) => request('POST', path, body)
/** @param {string} path @param {any} body */
export const put = (path, body) => request('PUT', path, body)
/** @param {string} path @param {any} body */
export const patch = (path, body) => request('PATCH', path, body)
/** @param {string} path */
export const del = (path) => request('DELETE', path)

/** The most items the server puts in one page of a list (docs/api.md, "Pagination"). */
export const MAX_PAGE_SIZE = 100

/**
 * Every item of a paginated list (`{items, next_cursor}`): fetch the pages one after the
 * other, passing `next_cursor` back as `cursor`, until it is null. For lists shown whole
 * (a team); long lists load a page at a time instead.
 * @param {string} path a list route, without a query string
 * @returns {Promise<any[]>}
 */
export async function getAll(path) {
  /** @type {any[]} */
  const items = []
  /** @type {string | null} */
  let cursor = null
  do {
    const page = await get(`${path}${query({ limit: MAX_PAGE_SIZE, cursor })}`)
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  return items
}

/**
 * Build a query string from the defined values of `params`.
 * @param {Record<string, unknown>} params
 */
export function query(params) {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
