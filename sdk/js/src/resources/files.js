// Uploaded files and images: upload (multipart FormData), list, describe, download, delete.

import { follow, segment } from '../transport.js'

/** @typedef {import('../transport.js').Transport} Transport */
/** @typedef {Blob | ArrayBuffer | Uint8Array} FileData */
/** @typedef {'blob' | 'arrayBuffer' | 'response'} ReadAs */

/**
 * A form with the file in a part named `file`, as every upload route expects. The server
 * decides the type by content (docs/api.md), so `contentType` and the name are only hints.
 *
 * @param {FileData} data
 * @param {string} filename
 * @param {string} [contentType]
 * @returns {FormData}
 */
export function fileForm(data, filename, contentType) {
  const blob =
    data instanceof Blob
      ? data
      : new Blob([/** @type {BlobPart} */ (data)], {
          type: contentType ?? 'application/octet-stream'
        })
  const form = new FormData()
  form.append('file', blob, filename)
  return form
}

/**
 * GET `path` and read the body as asked.
 *
 * @param {Transport} http
 * @param {string} path
 * @param {ReadAs} as
 * @returns {Promise<Blob | ArrayBuffer | Response>}
 */
export async function download(http, path, as) {
  const response = await http.send('GET', path)
  if (as === 'response') return response
  return as === 'arrayBuffer' ? response.arrayBuffer() : response.blob()
}

/** A project's files (pictures and PDFs, referred to by id from the document). */
export class Files {
  /** @param {Transport} http */
  constructor(http) {
    this.http = http
  }

  /**
   * Upload a JPEG, PNG, GIF, WebP or PDF (images are re-encoded by the server).
   * UnsupportedMediaType, PayloadTooLarge or QuotaExceeded when refused.
   *
   * @param {string} projectId
   * @param {FileData} data
   * @param {string} filename
   * @param {{contentType?: string}} [options]
   */
  upload(projectId, data, filename, { contentType } = {}) {
    return this.uploadTo(`/v1/projects/${segment(projectId)}/files`, data, filename, contentType)
  }

  /**
   * Upload a picture and make it the persona's `avatarFileId`, live.
   *
   * @param {string} personaId
   * @param {FileData} data
   * @param {string} filename
   * @param {{contentType?: string}} [options]
   */
  uploadAvatar(personaId, data, filename, { contentType } = {}) {
    return this.uploadTo(`/v1/personas/${segment(personaId)}/avatar`, data, filename, contentType)
  }

  /**
   * Upload a file and append it to the prototype's `fileIds`, live.
   *
   * @param {string} prototypeId
   * @param {FileData} data
   * @param {string} filename
   * @param {{contentType?: string}} [options]
   */
  attachToPrototype(prototypeId, data, filename, { contentType } = {}) {
    const path = `/v1/prototypes/${segment(prototypeId)}/files`
    return this.uploadTo(path, data, filename, contentType)
  }

  /**
   * One page of the project's files, newest first.
   *
   * @param {string} projectId
   * @param {{limit?: number, cursor?: string}} [options]
   */
  list(projectId, { limit, cursor } = {}) {
    return this.http.json('GET', `/v1/projects/${segment(projectId)}/files`, {
      query: { limit, cursor }
    })
  }

  /**
   * Every file of the project, newest first.
   *
   * @param {string} projectId
   * @param {{pageSize?: number}} [options]
   */
  iter(projectId, { pageSize } = {}) {
    return follow((cursor) => this.list(projectId, { limit: pageSize, cursor }))
  }

  /**
   * Describe one file.
   *
   * @param {string} fileId
   */
  get(fileId) {
    return this.http.json('GET', `/v1/files/${segment(fileId)}`)
  }

  /**
   * The file's bytes: a Blob (default), an ArrayBuffer, or the Response to stream.
   *
   * @param {string} fileId
   * @param {{as?: ReadAs}} [options]
   */
  download(fileId, { as = 'blob' } = {}) {
    return download(this.http, `/v1/files/${segment(fileId)}/content`, as)
  }

  /**
   * An image's thumbnail (WebP); NotFound for a PDF.
   *
   * @param {string} fileId
   * @param {{as?: ReadAs}} [options]
   */
  thumbnail(fileId, { as = 'blob' } = {}) {
    return download(this.http, `/v1/files/${segment(fileId)}/thumbnail`, as)
  }

  /**
   * Delete a file (rarely needed: files nothing refers to are swept by the server).
   *
   * @param {string} fileId
   * @returns {Promise<void>}
   */
  async delete(fileId) {
    await this.http.json('DELETE', `/v1/files/${segment(fileId)}`)
  }

  /**
   * @param {string} path
   * @param {FileData} data
   * @param {string} filename
   * @param {string | undefined} contentType
   */
  uploadTo(path, data, filename, contentType) {
    return this.http.json('POST', path, { body: () => fileForm(data, filename, contentType) })
  }
}
