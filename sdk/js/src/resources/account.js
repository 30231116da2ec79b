// Your account (whoever the API key or token belongs to), and token sign-in.

import { asPage, segment } from '../transport.js'

/** @typedef {import('../transport.js').Transport} Transport */
/** @typedef {{user: any, access_token: string, refresh_token: string}} Session */

/**
 * Sign in with e-mail and password for Bearer tokens (a new login session).
 * Unauthenticated for a wrong e-mail or password; RateLimited after too many failures.
 *
 * @param {Transport} http
 * @param {string} email
 * @param {string} password
 * @returns {Promise<Session>}
 */
export function signIn(http, email, password) {
  const json = { email, password, client: 'token' }
  return http.json('POST', '/v1/auth/login', { json, authenticated: false })
}

/**
 * Trade a refresh token (it works once) for new access and refresh tokens.
 *
 * @param {Transport} http
 * @param {string} refreshToken
 * @returns {Promise<Session>}
 */
export function refresh(http, refreshToken) {
  const json = { refresh_token: refreshToken, client: 'token' }
  return http.json('POST', '/v1/auth/refresh', { json, authenticated: false })
}

/** The signed-in account: who you are, your language, your API keys. */
export class Account {
  /** @param {Transport} http */
  constructor(http) {
    this.http = http
  }

  /** Your account. */
  me() {
    return this.http.json('GET', '/v1/auth/me')
  }

  /**
   * Change your name and/or the language of your e-mails and errors.
   *
   * @param {{name?: string, locale?: 'en' | 'pt-BR'}} changes
   */
  update({ name, locale }) {
    return this.http.json('PATCH', '/v1/auth/me', { json: { name, locale } })
  }

  /**
   * A new personal API key; its `key` is shown this once (needs a token sign-in).
   *
   * @param {string} name
   */
  createApiKey(name) {
    return this.http.json('POST', '/v1/auth/api-keys', { json: { name } })
  }

  /**
   * One page of your API keys (prefixes only), newest first.
   *
   * @param {{limit?: number, cursor?: string}} [options]
   */
  async apiKeys({ limit, cursor } = {}) {
    return asPage(await this.http.json('GET', '/v1/auth/api-keys', { query: { limit, cursor } }))
  }

  /**
   * Revoke an API key: its requests fail and its live sockets close at once.
   *
   * @param {string} keyId
   * @returns {Promise<void>}
   */
  async revokeApiKey(keyId) {
    await this.http.json('DELETE', `/v1/auth/api-keys/${segment(keyId)}`)
  }
}
