-- Restore points of a project's document (docs/history.md): the whole state as it was,
-- garbage-collected (deleted content is not in it) and compressed, with when, why, who was
-- there and what changed since the previous point. Automatic points are kept for
-- DTTOOLS_RESTORE_POINT_RETENTION_DAYS; named ones until the project goes.
CREATE TABLE restore_points (
    id          uuid        PRIMARY KEY,
    project_id  uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- 'named', 'phase', 'reveal', 'activity', 'restore' (taken just before a restore)
    kind        text        NOT NULL,
    name        text,
    created_by  uuid        REFERENCES users ON DELETE SET NULL,
    -- who had the project open when it was taken
    present     uuid[]      NOT NULL DEFAULT '{}',
    -- what changed since the previous point: {"ideas": {"added": 12, ...}, ...}
    summary     jsonb       NOT NULL DEFAULT '{}',
    state       bytea       NOT NULL,
    state_sha256 bytea      NOT NULL,
    size        integer     NOT NULL
);
CREATE INDEX restore_points_project ON restore_points (project_id, created_at DESC, id DESC);
