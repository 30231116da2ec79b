// The errors the client throws: RFC 9457 problems as ProblemError subclasses, and the failures
// of transport, exports, live documents and webhook verification.
//
// Programs decide on the class (or `status` and `slug`), never on `title` or `detail`: the
// server writes those for people, in the request's language (docs/api.md, "Errors").

const TYPE_PREFIX = 'https://dttools.dev/problems/'

/** Base of every error this client throws on purpose. */
export class DTToolsError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message)
    this.name = new.target.name
  }
}

/** The server could not be reached (after the retries the policy allows). */
export class ConnectionFailed extends DTToolsError {
  /**
   * @param {string} message
   * @param {unknown} [cause] the error `fetch` threw
   */
  constructor(message, cause) {
    super(message)
    this.cause = cause
  }
}

/**
 * @typedef {object} FieldError one invalid field of a 422
 * @property {string} location `body`, `query`, ...
 * @property {string} field
 * @property {string} message for people
 */

/** An `application/problem+json` answer (or any other error status, read as one). */
export class ProblemError extends DTToolsError {
  /**
   * @param {object} problem
   * @param {number} problem.status the HTTP status
   * @param {string} problem.type the problem type URI
   * @param {string} problem.title a short summary, for people
   * @param {string | null} [problem.detail] what went wrong this time, for people
   * @param {FieldError[]} [problem.errors] one entry per invalid field (422)
   * @param {string | null} [problem.correlationId] the id a 500 is logged under
   * @param {number | null} [problem.retryAfterMs] the `Retry-After` header, in milliseconds
   * @param {Record<string, unknown>} [problem.body] the whole decoded problem
   */
  constructor({
    status,
    type,
    title,
    detail = null,
    errors = [],
    correlationId = null,
    retryAfterMs = null,
    body = {}
  }) {
    super(
      `${status} ${type.startsWith(TYPE_PREFIX) ? type.slice(TYPE_PREFIX.length) : type}: ${detail ?? title}`
    )
    this.status = status
    this.type = type
    this.title = title
    this.detail = detail
    this.errors = errors
    this.correlationId = correlationId
    this.retryAfterMs = retryAfterMs
    this.body = body
  }

  /** The last part of `type` (`not-found`): the stable name to compare against. */
  get slug() {
    return this.type.startsWith(TYPE_PREFIX) ? this.type.slice(TYPE_PREFIX.length) : this.type
  }
}

/** 400: malformed JSON, a bad header or query parameter. */
export class BadRequest extends ProblemError {}
/** 401: no credentials, or expired, forged or revoked ones. */
export class Unauthenticated extends ProblemError {}
/** 403: your role does not allow this. */
export class Forbidden extends ProblemError {}
/** 404: no such resource, or a project you are not a member of (the server says the same). */
export class NotFound extends ProblemError {}
/** 409: a duplicate member, the last owner, a session still running, ... */
export class Conflict extends ProblemError {}
/** 409 `project-limit-reached`: you own as many projects as the server allows. */
export class ProjectLimitReached extends Conflict {}
/** 412: `If-Match` no longer matches; someone changed the resource since you read it. */
export class PreconditionFailed extends ProblemError {}
/** 413: the body, the document or an uploaded file is over a limit. */
export class PayloadTooLarge extends ProblemError {}
/** 415: not JSON, or an upload that is not an accepted file type. */
export class UnsupportedMediaType extends ProblemError {}
/** 422: the body or query failed validation; `errors` names each field. */
export class ValidationError extends ProblemError {}
/** 422 `idempotency-key-reused`: the key was used for a different request. */
export class IdempotencyKeyReused extends ValidationError {}
/** 422 `invalid-archive`: an import archive is damaged or hostile. */
export class InvalidArchive extends ValidationError {}
/** 428: this write must be conditional (send `ifMatch`). */
export class PreconditionRequired extends ProblemError {}
/** 429: too many requests; `retryAfterMs` says how long to wait. */
export class RateLimited extends ProblemError {}
/** 5xx other than 503: a server bug (quote `correlationId` when reporting it). */
export class ServerError extends ProblemError {}
/** 503: storage unavailable or the node is full; retried by the client where it may. */
export class ServiceUnavailable extends ServerError {}
/** 507: the upload would take the project past its file quota. */
export class QuotaExceeded extends ProblemError {}

/** An export job ended in `failed`; `code` is the server's `error` (`render_failed`, ...). */
export class ExportFailed extends DTToolsError {
  /**
   * @param {string} exportId
   * @param {string | null} code
   * @param {string | null} detail
   */
  constructor(exportId, code, detail) {
    super(`export ${exportId} failed: ${code} (${detail})`)
    this.exportId = exportId
    this.code = code
    this.detail = detail
  }
}

/**
 * The live document's socket closed for good; `code` is the close code (docs/protocol.md):
 * 4401 sign in again, 4403 no access (or revoked), 4413 document too large, ...
 */
export class LiveClosed extends DTToolsError {
  /**
   * @param {number | null} code
   * @param {string} reason
   */
  constructor(code, reason) {
    super(`live document closed with code ${code}: ${reason || 'no reason given'}`)
    this.code = code
    this.reason = reason
  }
}

/** The server refused a live change: this socket is read-only (a viewer's). */
export class ReadOnly extends DTToolsError {}

/** A webhook's signature, timestamp or headers did not verify: do not trust its body. */
export class WebhookVerificationError extends DTToolsError {}

/** @type {Record<string, typeof ProblemError>} */
const BY_SLUG = {
  'project-limit-reached': ProjectLimitReached,
  'idempotency-key-reused': IdempotencyKeyReused,
  'invalid-archive': InvalidArchive
}

/** @type {Record<number, typeof ProblemError>} */
const BY_STATUS = {
  400: BadRequest,
  401: Unauthenticated,
  403: Forbidden,
  404: NotFound,
  409: Conflict,
  412: PreconditionFailed,
  413: PayloadTooLarge,
  415: UnsupportedMediaType,
  422: ValidationError,
  428: PreconditionRequired,
  429: RateLimited,
  503: ServiceUnavailable,
  507: QuotaExceeded
}

/**
 * Build the matching ProblemError subclass from an error answer. A body that is not a problem
 * (an HTML page from a proxy, say) still gives an error of the status's class.
 *
 * @param {number} status
 * @param {string} statusText the HTTP reason phrase (the title when the body has none)
 * @param {string} text the body
 * @param {number | null} [retryAfterMs]
 * @returns {ProblemError}
 */
export function problemFromResponse(status, statusText, text, retryAfterMs = null) {
  /** @type {any} */
  let data
  try {
    data = text ? JSON.parse(text) : {}
  } catch {
    data = {}
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) data = {}
  const type = String(data.type || 'about:blank')
  const slug = type.startsWith(TYPE_PREFIX) ? type.slice(TYPE_PREFIX.length) : type
  const Class = BY_SLUG[slug] ?? BY_STATUS[status] ?? (status >= 500 ? ServerError : ProblemError)
  const errors = Array.isArray(data.errors)
    ? data.errors
        .filter((/** @type {unknown} */ e) => e !== null && typeof e === 'object')
        .map((/** @type {any} */ e) => ({
          location: String(e.location ?? ''),
          field: String(e.field ?? ''),
          message: String(e.message ?? '')
        }))
    : []
  return new Class({
    status,
    type,
    title: String(data.title || statusText || `HTTP ${status}`),
    detail: data.detail == null ? null : String(data.detail),
    errors,
    correlationId: data.correlation_id == null ? null : String(data.correlation_id),
    retryAfterMs,
    body: data
  })
}
