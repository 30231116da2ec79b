// Webhook subscriptions: a project's (owners) with `projectId`, or global ones (admins)
// without; and their delivery logs. To check what a receiver gets, see verifyWebhook().

import { follow, segment } from '../transport.js'

/** @typedef {import('../transport.js').Transport} Transport */
/** @typedef {{projectId?: string}} Scope */

/** Subscribe URLs to events, and inspect and replay what was sent to them. */
export class Webhooks {
  /** @param {Transport} http */
  constructor(http) {
    this.http = http
  }

  /**
   * Subscribe `url` to `events` (`['*']`: all); keep the `secret` of the answer, shown once.
   *
   * @param {string} url
   * @param {string[]} events
   * @param {Scope & {description?: string, enabled?: boolean}} [options]
   */
  create(url, events, { projectId, description = '', enabled = true } = {}) {
    return this.http.json('POST', base(projectId), { json: { url, events, description, enabled } })
  }

  /**
   * One page of subscriptions.
   *
   * @param {Scope & {limit?: number, cursor?: string}} [options]
   */
  list({ projectId, limit, cursor } = {}) {
    return this.http.json('GET', base(projectId), { query: { limit, cursor } })
  }

  /**
   * Every subscription.
   *
   * @param {Scope & {pageSize?: number}} [options]
   */
  iter({ projectId, pageSize } = {}) {
    return follow((cursor) => this.list({ projectId, limit: pageSize, cursor }))
  }

  /**
   * One subscription (without its secret).
   *
   * @param {string} webhookId
   * @param {Scope} [options]
   */
  get(webhookId, { projectId } = {}) {
    return this.http.json('GET', one(projectId, webhookId))
  }

  /**
   * Change what you pass; `rotateSecret` answers with a new `secret` (the old one keeps
   * signing for a while, so receivers can switch).
   *
   * @param {string} webhookId
   * @param {Scope & {url?: string, events?: string[], description?: string, enabled?: boolean,
   *   rotateSecret?: boolean}} changes
   */
  update(webhookId, { projectId, url, events, description, enabled, rotateSecret }) {
    /** @type {Record<string, unknown>} */
    const json = {}
    for (const [key, value] of Object.entries({ url, events, description, enabled })) {
      if (value !== undefined) json[key] = value
    }
    if (rotateSecret) json.rotate_secret = true
    return this.http.json('PATCH', one(projectId, webhookId), { json })
  }

  /**
   * Unsubscribe (the delivery log goes too).
   *
   * @param {string} webhookId
   * @param {Scope} [options]
   * @returns {Promise<void>}
   */
  async delete(webhookId, { projectId } = {}) {
    await this.http.json('DELETE', one(projectId, webhookId))
  }

  /**
   * Queue a `webhook.test` event to this subscription only.
   *
   * @param {string} webhookId
   * @param {Scope} [options]
   */
  sendTest(webhookId, { projectId } = {}) {
    return this.http.json('POST', `${one(projectId, webhookId)}/test`)
  }

  /**
   * One page of the delivery log, newest first; `status: 'failed'` filters.
   *
   * @param {string} webhookId
   * @param {Scope & {status?: string, limit?: number, cursor?: string}} [options]
   */
  deliveries(webhookId, { projectId, status, limit, cursor } = {}) {
    const path = `${one(projectId, webhookId)}/deliveries`
    return this.http.json('GET', path, { query: { status, limit, cursor } })
  }

  /**
   * Every delivery of the log.
   *
   * @param {string} webhookId
   * @param {Scope & {status?: string, pageSize?: number}} [options]
   */
  iterDeliveries(webhookId, { projectId, status, pageSize } = {}) {
    return follow((cursor) =>
      this.deliveries(webhookId, { projectId, status, limit: pageSize, cursor })
    )
  }

  /**
   * Send one delivery again.
   *
   * @param {string} webhookId
   * @param {string} deliveryId
   * @param {Scope} [options]
   */
  replay(webhookId, deliveryId, { projectId } = {}) {
    const path = `${one(projectId, webhookId)}/deliveries/${segment(deliveryId)}/replay`
    return this.http.json('POST', path)
  }

  /**
   * Send every failed delivery again; resolves to how many.
   *
   * @param {string} webhookId
   * @param {Scope} [options]
   * @returns {Promise<number>}
   */
  async replayFailed(webhookId, { projectId } = {}) {
    return (await this.http.json('POST', `${one(projectId, webhookId)}/replay-failed`)).replayed
  }
}

/** @param {string | undefined} projectId */
const base = (projectId) =>
  projectId === undefined ? '/v1/webhooks' : `/v1/projects/${segment(projectId)}/webhooks`

/**
 * @param {string | undefined} projectId
 * @param {string} webhookId
 */
const one = (projectId, webhookId) => `${base(projectId)}/${segment(webhookId)}`
