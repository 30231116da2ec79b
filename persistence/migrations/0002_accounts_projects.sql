-- Accounts, login sessions, API keys, projects and their members, audit log, idempotency.
-- Workshop content is NOT here: it lives in each project's Yjs document (room_updates /
-- room_snapshots, room name = project id). These tables hold who may see it.

-- Secrets the server generates once and every node shares (e.g. the JWT signing key when
-- DTTOOLS_JWT_SECRET is not set), so a multi-node deployment needs no extra configuration.
CREATE TABLE server_secrets (
    name        text        PRIMARY KEY,
    value       bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    email          text        NOT NULL,
    name           text        NOT NULL,
    password_hash  text        NOT NULL,
    is_admin       boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);
-- e-mail addresses are compared case-insensitively
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- One login session = one refresh-token family. Revoking it ends every token of the family.
CREATE TABLE auth_sessions (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    user_agent      text,
    ip              text
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

-- Refresh tokens are stored hashed (SHA-256); a token may be used once. Using a used token
-- again is reuse: the whole session (family) is revoked.
CREATE TABLE refresh_tokens (
    token_hash  bytea       PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES auth_sessions ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE password_resets (
    token_hash  bytea       PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

-- Personal API keys for integrators (Authorization: Bearer dtt_...), stored hashed.
CREATE TABLE api_keys (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    name          text        NOT NULL,
    prefix        text        NOT NULL,
    key_hash      bytea       NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Fixed-window counters shared by every node (login and reset rate limits).
CREATE TABLE rate_limits (
    key           text        NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer     NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE projects (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    phase        text        NOT NULL DEFAULT 'empathize',
    created_by   uuid        REFERENCES users ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer     NOT NULL DEFAULT 1
);
CREATE INDEX projects_created ON projects (created_at DESC, id DESC);

CREATE TABLE project_members (
    project_id  uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    role        text        NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid,
    action      text        NOT NULL,
    project_id  uuid,
    target      text,
    ip          text,
    user_agent  text,
    details     jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_project ON audit_log (project_id, at DESC);

-- Responses to POSTs with an Idempotency-Key, replayed for 24 h.
CREATE TABLE idempotency_keys (
    user_id       uuid        NOT NULL,
    key           text        NOT NULL,
    method        text        NOT NULL,
    path          text        NOT NULL,
    request_hash  bytea       NOT NULL,
    status        integer,
    headers       jsonb,
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Where an artifact lives: item routes (/v1/personas/{id}) carry no project id. Artifact ids
-- are chosen by clients (unique in practice, not guaranteed across projects), hence the pair.
-- Written by REST creates and on first lookup of an artifact created live.
CREATE TABLE artifact_index (
    item_id     text        NOT NULL,
    project_id  uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    kind        text        NOT NULL,
    PRIMARY KEY (item_id, project_id)
);
