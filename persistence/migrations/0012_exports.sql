-- Exports of a project (docs/exports.md): a job row that a node runs, and once done the file
-- in the blob store under the project's prefix (persistence/blobs.py, export_key), so
-- deleting the project deletes its exports too. Finished exports are kept until
-- expires_at; the server deletes the row and the bytes after that.
ALTER TABLE projects ADD COLUMN viewers_can_export boolean NOT NULL DEFAULT true;

CREATE TABLE exports (
    id            uuid        PRIMARY KEY,
    project_id    uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    format        text        NOT NULL
                  CHECK (format IN ('pdf', 'pptx', 'csv', 'json', 'archive')),
    -- {"phases": [...]} or {"session_id": "..."}; {} is the whole project
    scope         jsonb       NOT NULL DEFAULT '{}',
    language      text        NOT NULL,
    status        text        NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'done', 'failed')),
    progress      real        NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    stage         text        NOT NULL DEFAULT 'queued',
    error         text,
    requested_by  uuid        REFERENCES users ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- the node running it proves it is alive by touching this; a stale one is failed
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    expires_at    timestamptz NOT NULL,
    -- the state the export shows (collab/export_report.py, state_hash)
    taken_at      timestamptz,
    state_hash    text,
    file_name     text,
    media_type    text,
    size          bigint      CHECK (size >= 0),
    sha256        text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CHECK (status <> 'done' OR (size IS NOT NULL AND sha256 IS NOT NULL))
);
CREATE INDEX exports_project_listing ON exports (project_id, created_at DESC, id DESC);
CREATE INDEX exports_expiry ON exports (expires_at);
CREATE INDEX exports_unfinished ON exports (heartbeat_at) WHERE status IN ('pending', 'running');
