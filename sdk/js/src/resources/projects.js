// Projects and their teams.

import { asPage, follow, ifMatchHeader, segment } from '../transport.js'

/** @typedef {import('../transport.js').Transport} Transport */

/**
 * @typedef {object} ProjectFilters
 * @property {string} [q] the name contains this
 * @property {'owner' | 'member' | 'viewer'} [role]
 * @property {string} [phase]
 * @property {string | Date} [createdAfter]
 * @property {string | Date} [createdBefore]
 * @property {'false' | 'true' | 'any'} [archived] `false` (the default) hides archived ones
 */

/**
 * @param {ProjectFilters} filters
 * @returns {Record<string, string | undefined>}
 */
const filterQuery = ({ q, role, phase, createdAfter, createdBefore, archived }) => ({
  q,
  role,
  phase,
  created_after: createdAfter instanceof Date ? createdAfter.toISOString() : createdAfter,
  created_before: createdBefore instanceof Date ? createdBefore.toISOString() : createdBefore,
  archived
})

/** Your projects (all of them, for an admin). */
export class Projects {
  /** @param {Transport} http */
  constructor(http) {
    this.http = http
  }

  /**
   * One page of projects.
   *
   * @param {ProjectFilters & {limit?: number, cursor?: string}} [options]
   */
  list({ limit, cursor, ...filters } = {}) {
    return this.http.json('GET', '/v1/projects', {
      query: { limit, cursor, ...filterQuery(filters) }
    })
  }

  /**
   * Every matching project, fetching pages of `pageSize` as the loop goes:
   * `for await (const project of client.projects.iter({pageSize: 50}))`.
   *
   * @param {ProjectFilters & {pageSize?: number}} [options]
   */
  iter({ pageSize, ...filters } = {}) {
    return follow((cursor) => this.list({ limit: pageSize, cursor, ...filters }))
  }

  /**
   * One project, with its `etag` (the row version).
   *
   * @param {string} projectId
   */
  get(projectId) {
    return this.http.json('GET', one(projectId))
  }

  /**
   * Create a project; you become its owner.
   *
   * @param {string} name
   * @param {{description?: string, phase?: string, language?: string, idempotencyKey?: string}} [options]
   */
  create(name, { description = '', phase = 'empathize', language, idempotencyKey } = {}) {
    /** @type {Record<string, string>} */
    const json = { name, description, phase }
    if (language !== undefined) json.language = language
    return this.http.json('POST', '/v1/projects', { json, idempotencyKey })
  }

  /**
   * Change a project; what you leave out stays. The API's PUT replaces name, description and
   * phase together, so when one is left out the project is read first and written back with
   * `If-Match`: a change made in between is never overwritten silently (412 instead).
   *
   * @param {string} projectId
   * @param {{name?: string, description?: string, phase?: string, archived?: boolean,
   *   language?: string, viewersCanExport?: boolean, ifMatch?: string}} changes
   */
  async update(
    projectId,
    { name, description, phase, archived, language, viewersCanExport, ifMatch }
  ) {
    if (name === undefined || description === undefined || phase === undefined) {
      const current = await this.get(projectId)
      name ??= current.name
      description ??= current.description
      phase ??= current.phase
      ifMatch ??= current.etag
    }
    /** @type {Record<string, unknown>} */
    const json = { name, description, phase }
    if (archived !== undefined) json.archived = archived
    if (language !== undefined) json.language = language
    if (viewersCanExport !== undefined) json.viewers_can_export = viewersCanExport
    return this.http.json('PUT', one(projectId), { json, headers: ifMatchHeader(ifMatch) })
  }

  /**
   * Delete a project, its document and its files (owners and admins).
   *
   * @param {string} projectId
   * @returns {Promise<void>}
   */
  async delete(projectId) {
    await this.http.json('DELETE', one(projectId))
  }

  /**
   * Artifacts per phase, members by role, contributors and updates per day.
   *
   * @param {string} projectId
   * @param {{days?: number}} [options]
   */
  stats(projectId, { days } = {}) {
    return this.http.json('GET', `${one(projectId)}/stats`, { query: { days } })
  }

  /**
   * The whole workshop document as JSON (a snapshot; see `client.live()` for changes).
   *
   * @param {string} projectId
   */
  document(projectId) {
    return this.http.json('GET', `${one(projectId)}/document`)
  }

  /**
   * One page of what live clients wrote against the schema (JSON Pointers and messages).
   *
   * @param {string} projectId
   * @param {{limit?: number, cursor?: string}} [options]
   */
  async violations(projectId, { limit, cursor } = {}) {
    const path = `${one(projectId)}/document/violations`
    return asPage(await this.http.json('GET', path, { query: { limit, cursor } }))
  }
}

/** A project's team: who is on it, with which role. */
export class Members {
  /** @param {Transport} http */
  constructor(http) {
    this.http = http
  }

  /**
   * One page of the team (any role may read it).
   *
   * @param {string} projectId
   * @param {{limit?: number, cursor?: string}} [options]
   */
  async list(projectId, { limit, cursor } = {}) {
    return asPage(
      await this.http.json('GET', `${one(projectId)}/members`, { query: { limit, cursor } })
    )
  }

  /**
   * The whole team, page by page.
   *
   * @param {string} projectId
   * @param {{pageSize?: number}} [options]
   */
  iter(projectId, { pageSize } = {}) {
    return follow((cursor) => this.list(projectId, { limit: pageSize, cursor }))
  }

  /**
   * Put the account with `email` on the team, or invite the address by e-mail if no account
   * has it (the answer is then the invitation: it has `expires_at`, no `user_id`).
   * Conflict: already on the team.
   *
   * @param {string} projectId
   * @param {string} email
   * @param {'owner' | 'member' | 'viewer'} [role]
   * @param {{idempotencyKey?: string}} [options]
   */
  add(projectId, email, role = 'member', { idempotencyKey } = {}) {
    return this.http.json('POST', `${one(projectId)}/members`, {
      json: { email, role },
      idempotencyKey
    })
  }

  /**
   * Add up to 100 addresses at once, all or nothing: accounts join, other addresses are
   * invited, members already on the team stay as they are. `{results: [{email, outcome}]}`.
   *
   * @param {string} projectId
   * @param {string[]} emails
   * @param {'owner' | 'member' | 'viewer'} [role]
   * @param {{idempotencyKey?: string}} [options]
   */
  addMany(projectId, emails, role = 'member', { idempotencyKey } = {}) {
    return this.http.json('POST', `${one(projectId)}/members/bulk`, {
      json: { emails, role },
      idempotencyKey
    })
  }

  /**
   * Give a member another role (their live sockets reconnect with it).
   *
   * @param {string} projectId
   * @param {string} userId
   * @param {'owner' | 'member' | 'viewer'} role
   */
  changeRole(projectId, userId, role) {
    return this.http.json('PUT', `${one(projectId)}/members/${segment(userId)}`, { json: { role } })
  }

  /**
   * Take someone off the team (anyone may remove themself; Conflict: the last owner).
   *
   * @param {string} projectId
   * @param {string} userId
   * @returns {Promise<void>}
   */
  async remove(projectId, userId) {
    await this.http.json('DELETE', `${one(projectId)}/members/${segment(userId)}`)
  }
}

/** @param {string} projectId */
const one = (projectId) => `/v1/projects/${segment(projectId)}`
