-- The nesting index of a snapshot (collab/nesting.py), written by compaction beside it, so
-- loading a room need not read the whole snapshot again to learn how deep its types sit.
-- NULL for snapshots written before: those are read (and checked) at load.
ALTER TABLE room_snapshots ADD COLUMN nesting bytea;
