// The workshop content over REST: one resource per artifact kind, all alike
// (docs/api.md, "Workshop content"). Fields are camelCase, as in docs/document-schema.md.

import { asPage, follow, ifMatchHeader, segment } from '../transport.js'

/** @typedef {import('../transport.js').Transport} Transport */

/** List, read, create, change and delete one kind of artifact. */
export class ArtifactResource {
  /**
   * @param {Transport} http
   * @param {string} pathSegment `ideas`, `empathy-maps`, ...
   */
  constructor(http, pathSegment) {
    this.http = http
    this.segment = pathSegment
  }

  /**
   * One page of this kind's artifacts in the project, oldest first.
   *
   * @param {string} projectId
   * @param {{limit?: number, cursor?: string}} [options]
   */
  async list(projectId, { limit, cursor } = {}) {
    const path = `/v1/projects/${segment(projectId)}/${this.segment}`
    return asPage(await this.http.json('GET', path, { query: { limit, cursor } }))
  }

  /**
   * Every artifact of this kind in the project, oldest first, page by page.
   *
   * @param {string} projectId
   * @param {{pageSize?: number}} [options]
   */
  iter(projectId, { pageSize } = {}) {
    return follow((cursor) => this.list(projectId, { limit: pageSize, cursor }))
  }

  /**
   * One artifact, with its `etag`.
   *
   * @param {string} itemId
   */
  get(itemId) {
    return this.http.json('GET', this.one(itemId))
  }

  /**
   * Create an artifact; the server sets its id, author and dates. It appears at once in
   * every open browser and live document.
   *
   * @param {string} projectId
   * @param {Record<string, unknown>} fields
   * @param {{idempotencyKey?: string}} [options] your own key makes the create safe to
   *   repeat across runs (each call already sends one, reused by its own retries)
   */
  create(projectId, fields, { idempotencyKey } = {}) {
    const path = `/v1/projects/${segment(projectId)}/${this.segment}`
    return this.http.json('POST', path, { json: fields, idempotencyKey })
  }

  /**
   * Change the fields given; the others stay (PreconditionFailed: `ifMatch` is stale).
   *
   * @param {string} itemId
   * @param {Record<string, unknown>} changes
   * @param {{ifMatch?: string}} [options]
   */
  update(itemId, changes, { ifMatch } = {}) {
    return this.http.json('PUT', this.one(itemId), {
      json: changes,
      headers: ifMatchHeader(ifMatch)
    })
  }

  /**
   * Delete an artifact; references to it are cleared (docs/document-schema.md).
   *
   * @param {string} itemId
   * @param {{ifMatch?: string}} [options]
   * @returns {Promise<void>}
   */
  async delete(itemId, { ifMatch } = {}) {
    await this.http.json('DELETE', this.one(itemId), { headers: ifMatchHeader(ifMatch) })
  }

  /** @param {string} itemId */
  one(itemId) {
    return `/v1/${this.segment}/${segment(itemId)}`
  }
}

/** User tests, and the results recorded under each. */
export class UserTests extends ArtifactResource {
  /** @param {Transport} http */
  constructor(http) {
    super(http, 'tests')
  }

  /**
   * One page of the results of one test.
   *
   * @param {string} testId
   * @param {{limit?: number, cursor?: string}} [options]
   */
  async results(testId, { limit, cursor } = {}) {
    return asPage(
      await this.http.json('GET', `${this.one(testId)}/results`, { query: { limit, cursor } })
    )
  }

  /**
   * Every result of one test.
   *
   * @param {string} testId
   * @param {{pageSize?: number}} [options]
   */
  iterResults(testId, { pageSize } = {}) {
    return follow((cursor) => this.results(testId, { limit: pageSize, cursor }))
  }

  /**
   * Record a participant's result under `testId` (the body needs no `testId`).
   *
   * @param {string} testId
   * @param {Record<string, unknown>} fields
   * @param {{idempotencyKey?: string}} [options]
   */
  addResult(testId, fields, { idempotencyKey } = {}) {
    return this.http.json('POST', `${this.one(testId)}/results`, { json: fields, idempotencyKey })
  }
}
