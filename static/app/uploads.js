// Uploads (docs/ui.md, Files): one multipart POST with progress, the URLs of a stored file, its
// description (cached), and the small progress + error line the upload controls share.
//
// fetch() cannot report upload progress, so uploads use XMLHttpRequest with the same headers
// api.js sends (X-CSRF-Token, Accept-Language: the server's problem texts come back in the
// language shown) and the same session handling (refresh before expiry, once more on 401).
// The server checks everything (type by content, size, quota: 415, 413, 507 problem+json);
// the browser only turns away what it can already tell is not a picture or a PDF.
import { ApiError, csrfToken, ensureFresh, get, refresh } from './api.js'
import { h, newId } from './dom.js'
import { locale, t, formatNumber } from './i18n.js'

/** Pictures the server accepts (it decides by content; this is the browser's first filter). */
export const IMAGE_TYPES = Object.freeze(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])
/** What may be attached to a prototype. */
export const FILE_TYPES = Object.freeze([...IMAGE_TYPES, 'application/pdf'])
/** `accept` of a picture input. */
export const ACCEPT_IMAGES = IMAGE_TYPES.join(',')
/** `accept` of an attachment input. */
export const ACCEPT_FILES = [...FILE_TYPES, '.pdf'].join(',')

/**
 * A stored file as the server describes it (`/v1/files/{id}`).
 * @typedef {{id: string, name: string, media_type: string, size: number,
 *   width?: number | null, height?: number | null, has_thumbnail?: boolean,
 *   content_url?: string, thumbnail_url?: string | null}} FileInfo
 */

const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Is `value` a file id as the document stores it (docs/document-schema.md)? @param {unknown} value */
export const isFileId = (value) => typeof value === 'string' && FILE_ID.test(value)

/** The bytes of a stored file (cookies authenticate the request). @param {string} id */
export const contentUrl = (id) => `/v1/files/${encodeURIComponent(id)}/content`

/** The thumbnail of a stored picture. @param {string} id */
export const thumbnailUrl = (id) => `/v1/files/${encodeURIComponent(id)}/thumbnail`

/** Does `file` look like it may be sent where `types` are accepted? Unknown types go to the server. */
export function acceptable(/** @type {File} */ file, /** @type {readonly string[]} */ types) {
  return !file.type || types.includes(file.type)
}

/** The picture files among `items` (a drop's or a paste's). @param {FileList | File[] | null | undefined} items */
export function imagesOf(items) {
  return Array.from(items || []).filter((f) => !f.type || f.type.startsWith('image/'))
}

/** Does a drag carry files (not text or a note)? @param {DragEvent} event */
export const carriesFiles = (event) =>
  Boolean(event.dataTransfer && Array.from(event.dataTransfer.types).includes('Files'))

/** A size in the units people read: "820 B", "14 kB", "2.4 MB". @param {number} bytes */
export function formatSize(bytes) {
  const units = /** @type {const} */ ([
    ['megabyte', 1e6],
    ['kilobyte', 1e3]
  ])
  for (const [unit, size] of units) {
    if (bytes >= size) {
      const value = bytes / size
      return formatNumber(value, {
        style: 'unit',
        unit,
        unitDisplay: 'short',
        maximumFractionDigits: value < 10 ? 1 : 0
      })
    }
  }
  return formatNumber(bytes, { style: 'unit', unit: 'byte', unitDisplay: 'short' })
}

/** @type {Map<string, Promise<FileInfo | null>>} descriptions asked for so far, by id */
const described = new Map()

/**
 * What the server says about a file (name, type, size), asked once per page; null when it is
 * gone or not readable.
 * @param {string} id
 * @returns {Promise<FileInfo | null>}
 */
export function describeFile(id) {
  let found = described.get(id)
  if (!found) {
    found = get(`/v1/files/${encodeURIComponent(id)}`).catch(() => {
      described.delete(id) // ask again next time: it may have been a network hiccup
      return null
    })
    described.set(id, found)
  }
  return found
}

/**
 * POST `file` as multipart/form-data (part `file`) to `path`, reporting progress.
 * @param {string} path e.g. `/v1/projects/{id}/files`, `/v1/personas/{id}/avatar`
 * @param {File} file
 * @param {{onProgress?: (sent: number, total: number) => void}} [opts]
 * @returns {Promise<FileInfo>} the stored file
 * @throws {ApiError} with the server's problem (415 type, 413 size, 507 quota, ...)
 */
export async function uploadFile(path, file, opts = {}) {
  await ensureFresh()
  const csrf = csrfToken()
  let answer = await send(path, file, opts)
  if (answer.status === 401 && (await refresh(csrf))) answer = await send(path, file, opts)
  if (answer.status === 0) throw new ApiError(0, null)
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, answer.body)
  const info = /** @type {FileInfo} */ (answer.body)
  if (info && info.id) described.set(info.id, Promise.resolve(info))
  return info
}

/**
 * @param {string} path @param {File} file
 * @param {{onProgress?: (sent: number, total: number) => void}} opts
 * @returns {Promise<{status: number, body: any}>}
 */
function send(path, file, opts) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Accept-Language', locale())
    xhr.setRequestHeader('X-CSRF-Token', csrfToken())
    xhr.upload.onprogress = (event) => {
      if (opts.onProgress) opts.onProgress(event.loaded, event.lengthComputable ? event.total : 0)
    }
    xhr.onload = () => {
      let body
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      resolve({ status: xhr.status, body })
    }
    xhr.onerror = () => resolve({ status: 0, body: null })
    xhr.onabort = () => resolve({ status: 0, body: null })
    const form = new FormData()
    form.append('file', file, file.name)
    xhr.send(form)
  })
}

/**
 * A picture file as a data: URL, for a preview while it uploads (the page's CSP allows data:
 * images, not blob:).
 * @param {File} file
 * @returns {Promise<string>}
 */
export function previewOf(file) {
  return new Promise((resolve) => {
    const reader = new FileReader()
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '')
    reader.onerror = () => resolve('')
    reader.readAsDataURL(file)
  })
}

/**
 * Why an upload failed, in the current language: the server's own words when it sent any
 * (they come in the language asked for), else a generic line.
 * @param {unknown} error
 */
export function uploadError(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('upload.connection_lost')
    return error.message
  }
  return t('upload.unexpected')
}

/**
 * The line under an upload control: a progress bar with "Uploading x… 40 %" while it runs, and
 * the error (role=alert) when it fails. Nothing shows when idle.
 */
export function uploadStatus() {
  const labelId = newId('upload')
  const text = h('span', { id: labelId, class: 'upload-text' })
  const bar = h('progress', { max: '1', 'aria-labelledby': labelId })
  const running = h('div', { class: 'upload-progress', role: 'status' }, text, bar)
  const error = h('p', { class: 'upload-error', role: 'alert' })
  const el = h('div', { class: 'upload-status' }, running, error)
  running.hidden = true
  error.hidden = true
  let shown = ''
  return {
    el,
    /** @param {string} name */
    start(name) {
      shown = name
      error.hidden = true
      error.textContent = ''
      running.hidden = false
      bar.removeAttribute('value')
      text.textContent = t('upload.starting', { name })
    },
    /** @param {number} sent @param {number} total */
    progress(sent, total) {
      if (!total) return
      const fraction = Math.min(1, sent / total)
      bar.value = fraction
      text.textContent = t('upload.progress', {
        name: shown,
        percent: formatNumber(fraction, { style: 'percent', maximumFractionDigits: 0 })
      })
    },
    done() {
      running.hidden = true
    },
    /** @param {string} message */
    fail(message) {
      running.hidden = true
      error.textContent = message
      error.hidden = false
    },
    clear() {
      running.hidden = true
      error.hidden = true
    }
  }
}

/**
 * A button that opens a hidden file picker (keyboard: the button; tests: the input), and the
 * picker. The input is labelled too, and disabled with the button by a viewer's fieldset.
 * @param {{label: string, accept: string, multiple?: boolean, onFiles: (files: File[]) => void,
 *   className?: string}} opts
 */
export function filePicker(opts) {
  const input = h('input', {
    type: 'file',
    accept: opts.accept,
    multiple: opts.multiple || false,
    class: 'file-input',
    'aria-label': opts.label,
    tabindex: '-1'
  })
  const button = h('button', {
    type: 'button',
    class: opts.className || 'small',
    text: opts.label
  })
  button.addEventListener('click', () => input.click())
  input.addEventListener('change', () => {
    const files = Array.from(input.files || [])
    input.value = ''
    if (files.length) opts.onFiles(files)
  })
  return { button, input, el: h('span', { class: 'file-picker' }, button, input) }
}

/**
 * Make `target` take dropped files: highlighted while files are dragged over it (never for
 * text or notes being dragged).
 * @param {HTMLElement} target
 * @param {(files: File[], event: DragEvent) => void} onFiles
 * @param {() => boolean} [allowed] checked at each drag (a viewer may not drop)
 */
export function dropZone(target, onFiles, allowed = () => true) {
  let depth = 0
  const over = (/** @type {boolean} */ on) => target.classList.toggle('drop-target', on)
  target.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event) || !allowed()) return
    depth += 1
    over(true)
  })
  target.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return
    depth = Math.max(0, depth - 1)
    if (!depth) over(false)
  })
  target.addEventListener('dragover', (event) => {
    if (!carriesFiles(event) || !allowed()) return
    event.preventDefault()
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy'
  })
  target.addEventListener('drop', (event) => {
    depth = 0
    over(false)
    const files = Array.from(event.dataTransfer?.files || [])
    if (!files.length || !allowed()) return
    event.preventDefault()
    event.stopPropagation()
    onFiles(files, event)
  })
}
