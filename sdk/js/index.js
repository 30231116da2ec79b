// @dttools/client: a small client of a DTTools server for browsers and Node 18+ (plain ES
// modules, no build). REST resources, live Yjs documents and webhook verification.

export { DTTools } from './src/client.js'
export {
  BadRequest,
  Conflict,
  ConnectionFailed,
  DTToolsError,
  ExportFailed,
  Forbidden,
  IdempotencyKeyReused,
  InvalidArchive,
  LiveClosed,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  PreconditionRequired,
  ProblemError,
  ProjectLimitReached,
  QuotaExceeded,
  RateLimited,
  ReadOnly,
  ServerError,
  ServiceUnavailable,
  Unauthenticated,
  UnsupportedMediaType,
  ValidationError,
  WebhookVerificationError,
  problemFromResponse
} from './src/errors.js'
export { DOCUMENT_SCHEMA, KINDS, TEXT_FIELDS, setText } from './src/live.js'
export { parseRetryAfter } from './src/transport.js'
export { verifyWebhook } from './src/webhooks.js'
