// Exports (PDF, PPTX, CSV, JSON, archive): start, wait with progress, download; and import.

import { ExportFailed } from '../errors.js'
import { follow, segment } from '../transport.js'
import { download, fileForm } from './files.js'

/** @typedef {import('../transport.js').Transport} Transport */

/** A project's exports, and recreating a project from an archive (docs/exports.md). */
export class Exports {
  /** @param {Transport} http */
  constructor(http) {
    this.http = http
  }

  /**
   * Start an export: finished already for a small project, else a job to `wait()` for.
   * RateLimited when the project has too many under way (after the client's retries).
   *
   * @param {string} projectId
   * @param {'pdf' | 'pptx' | 'csv' | 'json' | 'archive'} format
   * @param {{phases?: string[], sessionId?: string, language?: string, idempotencyKey?: string}} [options]
   */
  start(projectId, format, { phases, sessionId, language, idempotencyKey } = {}) {
    /** @type {Record<string, unknown>} */
    const json = { format }
    if (phases !== undefined) json.phases = phases
    if (sessionId !== undefined) json.session_id = sessionId
    if (language !== undefined) json.language = language
    return this.http.json('POST', `/v1/projects/${segment(projectId)}/export`, {
      json,
      idempotencyKey
    })
  }

  /**
   * An export's status, progress and, once done, its `download_url`.
   *
   * @param {string} projectId
   * @param {string} exportId
   */
  get(projectId, exportId) {
    return this.http.json('GET', `/v1/projects/${segment(projectId)}/exports/${segment(exportId)}`)
  }

  /**
   * One page of the project's recent exports, newest first.
   *
   * @param {string} projectId
   * @param {{limit?: number, cursor?: string}} [options]
   */
  list(projectId, { limit, cursor } = {}) {
    return this.http.json('GET', `/v1/projects/${segment(projectId)}/exports`, {
      query: { limit, cursor }
    })
  }

  /**
   * Every recent export of the project.
   *
   * @param {string} projectId
   * @param {{pageSize?: number}} [options]
   */
  iter(projectId, { pageSize } = {}) {
    return follow((cursor) => this.list(projectId, { limit: pageSize, cursor }))
  }

  /**
   * Poll until the export is done, calling `onProgress` with the job after each poll
   * (`progress` 0-1, `stage`). ExportFailed if it fails; an Error after `timeoutMs`.
   *
   * @param {any} job what `start()` answered
   * @param {{onProgress?: (job: any) => void, pollIntervalMs?: number, timeoutMs?: number}} [options]
   */
  async wait(job, { onProgress, pollIntervalMs = 500, timeoutMs = 600000 } = {}) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      onProgress?.(job)
      if (job.status === 'failed') throw new ExportFailed(job.id, job.error, job.error_detail)
      if (job.status === 'done') return job
      if (Date.now() >= deadline) throw new Error(`export ${job.id} not done after ${timeoutMs} ms`)
      await this.http.sleep(pollIntervalMs)
      job = await this.get(job.project_id, job.id)
    }
  }

  /**
   * The finished export's file: a Blob (default), an ArrayBuffer, or the Response to stream.
   *
   * @param {any} job a finished export (`wait()` for it first)
   * @param {{as?: import('./files.js').ReadAs}} [options]
   */
  download(job, { as = 'blob' } = {}) {
    if (!job.download_url) {
      return Promise.reject(new Error(`export ${job.id} is ${job.status}, not done: wait for it`))
    }
    return download(this.http, job.download_url, as)
  }

  /**
   * Recreate a project from an `archive` export; you own the new one. InvalidArchive when
   * the archive is damaged or hostile (nothing is created then).
   *
   * @param {import('./files.js').FileData} data
   * @param {string} [filename]
   */
  importArchive(data, filename = 'project.zip') {
    return this.http.json('POST', '/v1/projects/import', {
      body: () => fileForm(data, filename, 'application/zip')
    })
  }
}
