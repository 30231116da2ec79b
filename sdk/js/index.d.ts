// Types of @dttools/client (hand-written; the modules carry the same as JSDoc).
// Answers have the server's field names: projects, files, exports and webhooks snake_case,
// workshop content (artifacts) camelCase, as in docs/api.md and docs/document-schema.md.

import type * as Y from 'yjs'
import type { WebsocketProvider } from 'y-websocket'

export { verifyWebhook, WebhookEvent } from './webhooks.js'

// --- shared ------------------------------------------------------------------------------

export type Phase = 'empathize' | 'define' | 'ideate' | 'prototype' | 'test'
export type Role = 'admin' | 'owner' | 'member' | 'viewer'
export type TeamRole = 'owner' | 'member' | 'viewer'
export type Language = 'en' | 'pt-BR'
export type ExportFormat = 'pdf' | 'pptx' | 'csv' | 'json' | 'archive'
/** An ISO-8601 date with its timezone. */
export type DateString = string

/** A single resource as read: its `ETag` (not enumerable, so it is never sent back). */
export type Tagged<T> = T & { readonly etag?: string }

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

// --- accounts and projects ---------------------------------------------------------------

export interface User {
  id: string
  email: string
  name: string
  is_admin: boolean
  created_at: DateString
  locale: Language
}

export interface ApiKey {
  id: string
  name: string
  prefix: string
  created_at: DateString
  last_used_at: DateString | null
  revoked_at: DateString | null
}

export interface ApiKeyCreated extends ApiKey {
  /** shown this once */
  key: string
}

export interface Project {
  id: string
  name: string
  description: string
  phase: Phase
  created_by: string | null
  created_at: DateString
  updated_at: DateString
  version: number
  archived: boolean
  language: Language
  viewers_can_export: boolean
  role: Role
  membership: TeamRole | null
}

export interface Member {
  user_id: string
  email: string
  name: string
  role: TeamRole
  added_at: DateString
}

/** An address without an account invited to a team: it joins when it signs up. */
export interface Invitation {
  id: string
  email: string
  role: TeamRole
  invited_by: string | null
  created_at: DateString
  expires_at: DateString
}

export interface BulkOutcome {
  email: string
  outcome: 'added' | 'invited' | 'already_member'
  member: Member | null
  invitation: Invitation | null
}

export interface ProjectStats {
  project_id: string
  members_by_role: Record<string, number>
  member_count: number
  contributors: { user_id: string; name: string; role: TeamRole }[]
  artifacts_per_phase: Record<string, number>
  activity: { day: string; updates: number }[]
  updates_stored: number
  updates_compacted: number
  compacted_at: DateString | null
  last_update_at: DateString | null
}

export interface Violation {
  path: string
  message: string
}

// --- workshop content (camelCase, docs/document-schema.md) ---------------------------------

export interface ArtifactBase {
  id: string
  createdBy: string | null
  createdAt: DateString
  updatedAt: DateString
}

export interface PersonaFields {
  name: string
  role?: string
  demographics?: string
  bio?: string
  goals?: string[]
  pains?: string[]
  gains?: string[]
  quote?: string
  avatar?: string | null
  avatarFileId?: string | null
}
export interface EmpathyMapFields {
  personaId?: string | null
  title?: string
  says?: string[]
  thinks?: string[]
  does?: string[]
  feels?: string[]
  pains?: string[]
  gains?: string[]
}
export interface PovStatementFields {
  user: string
  need: string
  insight?: string
}
export interface HmwQuestionFields {
  question: string
  povId?: string | null
}
export interface IdeaFields {
  text: string
  /** a palette name (`yellow`, `orange`, `red`, `pink`, `purple`, `blue`, `green`, `grey`) or `#rrggbb` */
  color?: string
  x?: number
  y?: number
  clusterId?: string | null
  imageFileId?: string | null
}
export interface PrototypeFields {
  title: string
  description?: string
  linkedIdeaIds?: string[]
  links?: string[]
  fidelity?: 'low' | 'medium' | 'high' | null
  fileIds?: string[]
}
export interface UserTestFields {
  title: string
  script?: string
  prototypeId?: string | null
}
export interface UserTestResultInput {
  participant?: string
  outcome: 'success' | 'partial' | 'failure'
  notes?: string
  rating?: number | null
}
export interface UserTestResultFields extends UserTestResultInput {
  testId: string
}

export type Persona = ArtifactBase & Required<PersonaFields>
export type EmpathyMap = ArtifactBase & Required<EmpathyMapFields>
export type PovStatement = ArtifactBase & Required<PovStatementFields>
export type HmwQuestion = ArtifactBase & Required<HmwQuestionFields>
export type Idea = ArtifactBase & Required<IdeaFields> & { authorId: string | null }
export type Prototype = ArtifactBase & Required<PrototypeFields>
export type UserTest = ArtifactBase & Required<UserTestFields>
export type UserTestResult = ArtifactBase & Required<UserTestResultFields>

export interface WorkshopDocument {
  schemaVersion: number
  personas: Persona[]
  empathyMaps: EmpathyMap[]
  povStatements: PovStatement[]
  hmwQuestions: HmwQuestion[]
  ideas: Idea[]
  prototypes: Prototype[]
  tests: UserTest[]
  testResults: UserTestResult[]
}

// --- files, exports, webhooks --------------------------------------------------------------

export interface FileInfo {
  id: string
  project_id: string
  name: string
  media_type: string
  size: number
  sha256: string
  width: number | null
  height: number | null
  has_thumbnail: boolean
  created_by: string | null
  created_at: DateString
  content_url: string
  thumbnail_url: string | null
}

export interface Export {
  id: string
  project_id: string
  format: ExportFormat
  scope: { phases: Phase[] | null; session_id: string | null }
  language: string
  status: 'pending' | 'running' | 'done' | 'failed'
  /** 0 to 1, never going back */
  progress: number
  /** `queued`, `snapshot`, `rendering`, `storing`, `done` */
  stage: string
  error: string | null
  error_detail: string | null
  requested_by: string | null
  created_at: DateString
  finished_at: DateString | null
  expires_at: DateString
  taken_at: DateString | null
  state_hash: string | null
  file_name: string | null
  media_type: string | null
  size: number | null
  sha256: string | null
  download_url: string | null
}

export interface ImportResult {
  project: Project
  artifacts: number
  files: number
}

export interface WebhookSubscription {
  id: string
  project_id: string | null
  url: string
  events: string[]
  description: string
  enabled: boolean
  disabled_reason: 'gone' | 'failing' | null
  created_by: string | null
  created_at: DateString
  updated_at: DateString
  /** in the answer that creates (or rotates) a subscription only */
  secret?: string | null
}

export interface Delivery {
  id: string
  webhook_id: string
  event_id: string
  event_type: string
  status: string
  attempts: number
  next_attempt_at: DateString | null
  last_status_code: number | null
  last_error: string | null
  last_duration_ms: number | null
  created_at: DateString
  finished_at: DateString | null
  payload: Record<string, unknown>
  attempt_log: Record<string, unknown>[]
}

// --- errors ------------------------------------------------------------------------------

export class DTToolsError extends Error {}
export class ConnectionFailed extends DTToolsError {
  constructor(message: string, cause?: unknown)
}

export interface FieldError {
  location: string
  field: string
  message: string
}

export class ProblemError extends DTToolsError {
  constructor(problem: {
    status: number
    type: string
    title: string
    detail?: string | null
    errors?: FieldError[]
    correlationId?: string | null
    retryAfterMs?: number | null
    body?: Record<string, unknown>
  })
  readonly status: number
  /** the problem type URI (`https://dttools.dev/problems/not-found`) */
  readonly type: string
  /** for people, in the request's language: never decide on it */
  readonly title: string
  readonly detail: string | null
  readonly errors: FieldError[]
  readonly correlationId: string | null
  readonly retryAfterMs: number | null
  readonly body: Record<string, unknown>
  /** the last part of `type` (`not-found`) */
  get slug(): string
}
export class BadRequest extends ProblemError {}
export class Unauthenticated extends ProblemError {}
export class Forbidden extends ProblemError {}
export class NotFound extends ProblemError {}
export class Conflict extends ProblemError {}
export class ProjectLimitReached extends Conflict {}
export class PreconditionFailed extends ProblemError {}
export class PayloadTooLarge extends ProblemError {}
export class UnsupportedMediaType extends ProblemError {}
export class ValidationError extends ProblemError {}
export class IdempotencyKeyReused extends ValidationError {}
export class InvalidArchive extends ValidationError {}
export class PreconditionRequired extends ProblemError {}
export class RateLimited extends ProblemError {}
export class ServerError extends ProblemError {}
export class ServiceUnavailable extends ServerError {}
export class QuotaExceeded extends ProblemError {}
export class ExportFailed extends DTToolsError {
  constructor(exportId: string, code: string | null, detail: string | null)
  readonly exportId: string
  readonly code: string | null
  readonly detail: string | null
}
export class LiveClosed extends DTToolsError {
  constructor(code: number | null, reason: string)
  readonly code: number | null
  readonly reason: string
}
export class ReadOnly extends DTToolsError {}
export class WebhookVerificationError extends DTToolsError {}

export function problemFromResponse(
  status: number,
  statusText: string,
  text: string,
  retryAfterMs?: number | null
): ProblemError

/** `Retry-After` (seconds or an HTTP date) as milliseconds from `now`; null if unreadable. */
export function parseRetryAfter(value: string | null, now?: number): number | null

// --- the client --------------------------------------------------------------------------

export interface RetryPolicy {
  /** attempts in all, the first included (1: no retries); default 4 */
  maxAttempts?: number
  /** the first back-off without `Retry-After`, doubling per attempt; default 500 */
  baseDelayMs?: number
  /** the longest wait; a longer `Retry-After` is thrown (`retryAfterMs`) instead; default 30000 */
  maxDelayMs?: number
  /** default [429, 502, 503, 504] */
  statuses?: number[]
}

export interface ClientOptions {
  baseUrl: string
  apiKey?: string
  token?: string
  fetch?: typeof fetch
  retry?: RetryPolicy
  /** how to wait, in milliseconds (tests pass a fake) */
  sleep?: (ms: number) => Promise<void>
  /** jitter source in [0, 1) */
  random?: () => number
  /** sent on every request, such as `Accept-Language` */
  headers?: Record<string, string>
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>
  json?: unknown
  body?: () => BodyInit
  headers?: Record<string, string>
  idempotencyKey?: string
  authenticated?: boolean
}

export interface Transport {
  readonly baseUrl: string
  token: string | null
  /** a call the client does not wrap: its JSON answer */
  json<T = any>(method: string, path: string, options?: RequestOptions): Promise<T>
  /** the same, answering the Response with its body unread */
  send(method: string, path: string, options?: RequestOptions): Promise<Response>
  sleep(ms: number): Promise<void>
}

export interface Keyed {
  idempotencyKey?: string
}
export interface Conditional {
  ifMatch?: string
}
export interface Paged {
  limit?: number
  cursor?: string
}

export interface ProjectFilters {
  q?: string
  role?: TeamRole
  phase?: Phase
  createdAfter?: string | Date
  createdBefore?: string | Date
  archived?: 'false' | 'true' | 'any'
}

export interface Projects {
  list(options?: ProjectFilters & Paged): Promise<Page<Project>>
  iter(options?: ProjectFilters & { pageSize?: number }): AsyncGenerator<Project, void, undefined>
  get(projectId: string): Promise<Tagged<Project>>
  create(
    name: string,
    options?: { description?: string; phase?: Phase; language?: Language } & Keyed
  ): Promise<Tagged<Project>>
  update(
    projectId: string,
    changes: {
      name?: string
      description?: string
      phase?: Phase
      archived?: boolean
      language?: Language
      viewersCanExport?: boolean
    } & Conditional
  ): Promise<Tagged<Project>>
  delete(projectId: string): Promise<void>
  stats(projectId: string, options?: { days?: number }): Promise<ProjectStats>
  document(projectId: string): Promise<WorkshopDocument>
  violations(projectId: string, options?: Paged): Promise<Page<Violation>>
}

export interface Members {
  list(projectId: string, options?: Paged): Promise<Page<Member>>
  iter(projectId: string, options?: { pageSize?: number }): AsyncGenerator<Member, void, undefined>
  add(
    projectId: string,
    email: string,
    role?: TeamRole,
    options?: Keyed
  ): Promise<Member | Invitation>
  addMany(
    projectId: string,
    emails: string[],
    role?: TeamRole,
    options?: Keyed
  ): Promise<{ results: BulkOutcome[] }>
  changeRole(projectId: string, userId: string, role: TeamRole): Promise<Member>
  remove(projectId: string, userId: string): Promise<void>
}

export interface Artifacts<Item, Create, Patch = Partial<Create>> {
  list(projectId: string, options?: Paged): Promise<Page<Item>>
  iter(projectId: string, options?: { pageSize?: number }): AsyncGenerator<Item, void, undefined>
  get(itemId: string): Promise<Tagged<Item>>
  create(projectId: string, fields: Create, options?: Keyed): Promise<Tagged<Item>>
  update(itemId: string, changes: Patch, options?: Conditional): Promise<Tagged<Item>>
  delete(itemId: string, options?: Conditional): Promise<void>
}

export interface UserTests extends Artifacts<UserTest, UserTestFields> {
  results(testId: string, options?: Paged): Promise<Page<UserTestResult>>
  iterResults(
    testId: string,
    options?: { pageSize?: number }
  ): AsyncGenerator<UserTestResult, void, undefined>
  addResult(
    testId: string,
    fields: UserTestResultInput,
    options?: Keyed
  ): Promise<Tagged<UserTestResult>>
}

export type FileData = Blob | ArrayBuffer | Uint8Array

export interface Downloads {
  (target: string, options?: { as?: 'blob' }): Promise<Blob>
  (target: string, options: { as: 'arrayBuffer' }): Promise<ArrayBuffer>
  (target: string, options: { as: 'response' }): Promise<Response>
}

export interface Files {
  upload(
    projectId: string,
    data: FileData,
    filename: string,
    options?: { contentType?: string }
  ): Promise<FileInfo>
  uploadAvatar(
    personaId: string,
    data: FileData,
    filename: string,
    options?: { contentType?: string }
  ): Promise<FileInfo>
  attachToPrototype(
    prototypeId: string,
    data: FileData,
    filename: string,
    options?: { contentType?: string }
  ): Promise<FileInfo>
  list(projectId: string, options?: Paged): Promise<Page<FileInfo>>
  iter(
    projectId: string,
    options?: { pageSize?: number }
  ): AsyncGenerator<FileInfo, void, undefined>
  get(fileId: string): Promise<Tagged<FileInfo>>
  download: Downloads
  thumbnail: Downloads
  delete(fileId: string): Promise<void>
}

export interface Exports {
  start(
    projectId: string,
    format: ExportFormat,
    options?: { phases?: Phase[]; sessionId?: string; language?: Language } & Keyed
  ): Promise<Export>
  get(projectId: string, exportId: string): Promise<Export>
  list(projectId: string, options?: Paged): Promise<Page<Export>>
  iter(projectId: string, options?: { pageSize?: number }): AsyncGenerator<Export, void, undefined>
  /** poll until done; ExportFailed if it failed */
  wait(
    job: Export,
    options?: { onProgress?: (job: Export) => void; pollIntervalMs?: number; timeoutMs?: number }
  ): Promise<Export>
  download(job: Export, options?: { as?: 'blob' }): Promise<Blob>
  download(job: Export, options: { as: 'arrayBuffer' }): Promise<ArrayBuffer>
  download(job: Export, options: { as: 'response' }): Promise<Response>
  importArchive(data: FileData, filename?: string): Promise<ImportResult>
}

export interface WebhookScope {
  /** a project's subscriptions; left out: the global ones (admins) */
  projectId?: string
}

export interface Webhooks {
  create(
    url: string,
    events: string[],
    options?: WebhookScope & { description?: string; enabled?: boolean }
  ): Promise<WebhookSubscription>
  list(options?: WebhookScope & Paged): Promise<Page<WebhookSubscription>>
  iter(
    options?: WebhookScope & { pageSize?: number }
  ): AsyncGenerator<WebhookSubscription, void, undefined>
  get(webhookId: string, options?: WebhookScope): Promise<WebhookSubscription>
  update(
    webhookId: string,
    changes: WebhookScope & {
      url?: string
      events?: string[]
      description?: string
      enabled?: boolean
      rotateSecret?: boolean
    }
  ): Promise<WebhookSubscription>
  delete(webhookId: string, options?: WebhookScope): Promise<void>
  sendTest(webhookId: string, options?: WebhookScope): Promise<Delivery>
  deliveries(
    webhookId: string,
    options?: WebhookScope & { status?: string } & Paged
  ): Promise<Page<Delivery>>
  iterDeliveries(
    webhookId: string,
    options?: WebhookScope & { status?: string; pageSize?: number }
  ): AsyncGenerator<Delivery, void, undefined>
  replay(webhookId: string, deliveryId: string, options?: WebhookScope): Promise<Delivery>
  replayFailed(webhookId: string, options?: WebhookScope): Promise<number>
}

export interface Account {
  me(): Promise<User>
  update(changes: { name?: string; locale?: Language }): Promise<User>
  createApiKey(name: string): Promise<ApiKeyCreated>
  apiKeys(options?: Paged): Promise<Page<ApiKey>>
  revokeApiKey(keyId: string): Promise<void>
}

// --- live documents ----------------------------------------------------------------------

/** The root Y.Map of each kind (docs/document-schema.md, "Roots"). */
export interface Kinds {
  personas: Persona
  empathyMaps: EmpathyMap
  povStatements: PovStatement
  hmwQuestions: HmwQuestion
  ideas: Idea
  prototypes: Prototype
  tests: UserTest
  testResults: UserTestResult
}
export type Kind = keyof Kinds
export const KINDS: Kind[]
/** the document schema the live client writes, sent as `?schema=` (older: closed with 4426) */
export const DOCUMENT_SCHEMA: string
/** the free-text fields of each kind, held as Y.Text (schema 2) */
export const TEXT_FIELDS: Readonly<Record<Kind, readonly string[]>>
/** make a Y.Text read `value`, changing only the span that differs; whether it changed */
export function setText(text: Y.Text, value: string): boolean

export interface LiveOptions {
  /** the `yjs` module: `import * as Y from 'yjs'` */
  Y: typeof Y
  /** `import { WebsocketProvider } from 'y-websocket'` */
  WebsocketProvider: typeof WebsocketProvider
  /** a WebSocket class; default: the global one (Node < 22: `import WebSocket from 'ws'`) */
  WebSocket?: unknown
  /** how long to wait for the first sync; default 30000 */
  syncTimeoutMs?: number
  /** the author of live creates; default: the signed-in account */
  userId?: string | null
}

export interface LiveDocument {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  /** the server refused one of our changes (a viewer's socket) */
  readonly readOnly: boolean
  /** why the socket closed for good (4403, 4426, 4401 after a failed refresh, ...), or null */
  readonly closed: { code: number; reason: string } | null
  items<K extends Kind>(kind: K): Kinds[K][]
  item<K extends Kind>(kind: K, id: string): Kinds[K] | null
  personas(): Persona[]
  empathyMaps(): EmpathyMap[]
  povStatements(): PovStatement[]
  hmwQuestions(): HmwQuestion[]
  ideas(): Idea[]
  prototypes(): Prototype[]
  tests(): UserTest[]
  testResults(): UserTestResult[]
  /**
   * create as a browser does (lists become Y.Arrays, text fields Y.Texts); resolves once the
   * server saved it
   */
  add<K extends Kind>(
    kind: K,
    fields: Partial<Omit<Kinds[K], keyof ArtifactBase>>
  ): Promise<Kinds[K]>
  /** change fields; a text field's Y.Text changes by difference, so concurrent typing merges */
  update<K extends Kind>(
    kind: K,
    id: string,
    changes: Partial<Omit<Kinds[K], keyof ArtifactBase>>
  ): Promise<void>
  addIdea(fields: IdeaFields): Promise<Idea>
  updateIdea(id: string, changes: Partial<IdeaFields>): Promise<void>
  /** run `change` in one transaction and wait until the server saved it (ReadOnly if refused) */
  transact(change: (doc: Y.Doc) => void): Promise<void>
  /** resolve once `predicate()` holds, checked after every change; LiveClosed if closed first */
  waitFor(predicate: () => boolean, options?: { timeoutMs?: number }): Promise<void>
  waitSaved(options?: { timeoutMs?: number }): Promise<void>
  close(): void
}

export class DTTools {
  constructor(options: ClientOptions)
  /** sign in; the refresh token is kept and used once on a 401, and before live reconnects */
  static signIn(
    options: Omit<ClientOptions, 'apiKey' | 'token'> & { email: string; password: string }
  ): Promise<DTTools>
  readonly http: Transport
  readonly token: string | null
  refreshToken: string | null
  user: User | null
  readonly projects: Projects
  readonly members: Members
  readonly account: Account
  readonly files: Files
  readonly exports: Exports
  readonly webhooks: Webhooks
  readonly personas: Artifacts<Persona, PersonaFields>
  readonly empathyMaps: Artifacts<EmpathyMap, EmpathyMapFields>
  readonly povStatements: Artifacts<PovStatement, PovStatementFields>
  readonly hmwQuestions: Artifacts<HmwQuestion, HmwQuestionFields>
  readonly ideas: Artifacts<Idea, IdeaFields>
  readonly prototypes: Artifacts<Prototype, PrototypeFields>
  readonly tests: UserTests
  readonly testResults: Artifacts<UserTestResult, UserTestResultFields>
  signOut(): Promise<void>
  /** a token to connect with, refreshed first if it expires within 30 s or was `refused` */
  freshToken(options?: { refused?: string | null }): Promise<string | null>
  /** open the project's document live; resolves once synced */
  live(projectId: string, options: LiveOptions): Promise<LiveDocument>
}
