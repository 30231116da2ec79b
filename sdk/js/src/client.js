// The entry point: DTTools, one client of one server, with every resource and live documents.

import { Unauthenticated } from './errors.js'
import { openLive } from './live.js'
import { Account, refresh, signIn } from './resources/account.js'
import { ArtifactResource, UserTests } from './resources/artifacts.js'
import { Exports } from './resources/exports.js'
import { Files } from './resources/files.js'
import { Members, Projects } from './resources/projects.js'
import { Webhooks } from './resources/webhooks.js'
import { MIN_VALIDITY_MS, Transport, tokenExpiry } from './transport.js'

/**
 * @typedef {object} ClientOptions
 * @property {string} baseUrl the server, such as `https://dttools.example.com`
 * @property {string} [apiKey] a personal API key (`dtt_...`)
 * @property {string} [token] an access token you obtained yourself (no refresh)
 * @property {typeof fetch} [fetch] a fetch of yours (default: the global one)
 * @property {import('./transport.js').RetryPolicy} [retry]
 * @property {import('./transport.js').Sleep} [sleep] how to wait (ms); injectable for tests
 * @property {() => number} [random] jitter source in [0, 1)
 * @property {Record<string, string>} [headers] sent on every request (`Accept-Language`)
 */

/** A client of one DTTools server: `new DTTools({baseUrl, apiKey})` or `DTTools.signIn(...)`. */
export class DTTools {
  /** @param {ClientOptions} options */
  constructor({ baseUrl, apiKey, token, ...options }) {
    if (apiKey !== undefined && token !== undefined) {
      throw new TypeError('pass apiKey or token, not both')
    }
    /** The transport, for calls the client does not wrap: `client.http.json('GET', path)`. */
    this.http = new Transport({ baseUrl, token: apiKey ?? token ?? null, ...options })
    /** @type {string | null} the refresh token of a signed-in client (it changes on use) */
    this.refreshToken = null
    /** @type {any} the signed-in account, once known */
    this.user = null
    this.projects = new Projects(this.http)
    this.members = new Members(this.http)
    this.account = new Account(this.http)
    this.files = new Files(this.http)
    this.exports = new Exports(this.http)
    this.webhooks = new Webhooks(this.http)
    this.personas = new ArtifactResource(this.http, 'personas')
    this.empathyMaps = new ArtifactResource(this.http, 'empathy-maps')
    this.povStatements = new ArtifactResource(this.http, 'pov-statements')
    this.hmwQuestions = new ArtifactResource(this.http, 'hmw-questions')
    this.ideas = new ArtifactResource(this.http, 'ideas')
    this.prototypes = new ArtifactResource(this.http, 'prototypes')
    this.tests = new UserTests(this.http)
    this.testResults = new ArtifactResource(this.http, 'test-results')
  }

  /**
   * Sign in with e-mail and password. The client keeps the refresh token and trades it for
   * a new access token by itself, once, when a request gets a 401 (and before a live socket
   * reconnects with an expiring token).
   *
   * @param {Omit<ClientOptions, 'apiKey' | 'token'> & {email: string, password: string}} options
   * @returns {Promise<DTTools>}
   * @throws {Unauthenticated} wrong e-mail or password (the server does not say which)
   */
  static async signIn({ email, password, ...options }) {
    const client = new DTTools(options)
    const session = await signIn(client.http, email, password)
    client.http.token = session.access_token
    client.refreshToken = session.refresh_token
    client.user = session.user
    client.http.refresher = () => client.renew()
    return client
  }

  /** The current access token or API key (null without one). */
  get token() {
    return this.http.token
  }

  /**
   * End the session of a signed-in client: its tokens stop working, its sockets close.
   *
   * @returns {Promise<void>}
   */
  async signOut() {
    const json = this.refreshToken === null ? {} : { refresh_token: this.refreshToken }
    await this.http.json('POST', '/v1/auth/logout', { json })
    this.refreshToken = null
  }

  /**
   * A token to connect with: the current one, refreshed first when it expires within 30 s
   * or when `refused` (a token the server just refused) is still the current one.
   *
   * @param {{refused?: string | null}} [options]
   * @returns {Promise<string | null>}
   */
  async freshToken({ refused } = {}) {
    const token = this.http.token
    if (this.http.refresher === null || token === null) return token
    if (refused != null && refused !== token) return token // renewed meanwhile
    const expiry = tokenExpiry(token)
    if (refused == null && (expiry === null || expiry - Date.now() > MIN_VALIDITY_MS)) return token
    return (await this.http.refresh(token)) ? this.http.token : null
  }

  /**
   * Trade the refresh token for a new access token (the transport calls it on a 401).
   *
   * @returns {Promise<string | null>} the new token, or null when the session ended
   */
  async renew() {
    if (this.refreshToken === null) return null
    try {
      const session = await refresh(this.http, this.refreshToken)
      this.refreshToken = session.refresh_token
      return session.access_token
    } catch (error) {
      if (!(error instanceof Unauthenticated)) throw error
      this.refreshToken = null // the session ended (logout, reuse, expiry): sign in again
      return null
    }
  }

  /**
   * Open the project's Yjs document live over y-websocket, with this client's credential;
   * resolves once synced. Pass the packages: `client.live(id, {Y, WebsocketProvider})`
   * (and on Node < 22 `WebSocket` from the `ws` package).
   *
   * @param {string} projectId
   * @param {import('./live.js').LiveOptions} options
   * @returns {Promise<import('./live.js').LiveDocument>}
   * @throws {import('./errors.js').LiveClosed} refused (4401, 4403), or not synced in time
   */
  async live(projectId, options) {
    if (!options?.Y || !options.WebsocketProvider) {
      throw new TypeError("pass {Y, WebsocketProvider} from the 'yjs' and 'y-websocket' packages")
    }
    if (options.userId === undefined && this.user === null) this.user = await this.account.me()
    return openLive(this, projectId, { userId: this.user?.id, ...options })
  }
}
