-- A person's own data export (LGPD art. 18, docs/privacy.md): one job per request, the zip in
-- the blob store (persistence/blobs.py, personal_export_key) until expires_at; the server
-- deletes the row and the bytes after that, and with the account.
CREATE TABLE personal_exports (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    status       text        NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'done', 'failed')),
    progress     real        NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    expires_at   timestamptz NOT NULL,
    size         bigint      CHECK (size >= 0),
    sha256       text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CHECK (status <> 'done' OR (size IS NOT NULL AND sha256 IS NOT NULL))
);
CREATE INDEX personal_exports_user ON personal_exports (user_id, created_at DESC);
CREATE INDEX personal_exports_expiry ON personal_exports (expires_at);
