-- The update log of every room, and compacted snapshots.
-- Rows are appended by group commit; compaction replaces the rows it read by one snapshot,
-- in one transaction, and never deletes a row it did not read (DESIGN.md invariant 2).
CREATE TABLE room_updates (
    id          bigserial   PRIMARY KEY,
    room        text        NOT NULL,
    payload     bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_updates_room_id ON room_updates (room, id);

CREATE TABLE room_snapshots (
    room               text        PRIMARY KEY,
    snapshot           bytea       NOT NULL,
    updates_compacted  bigint      NOT NULL DEFAULT 0,
    compacted_at       timestamptz NOT NULL DEFAULT now()
);
