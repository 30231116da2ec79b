-- A project whose document changed since its artifacts were last looked at for events
-- (rooms/item_events.py). Set in the statement that stores the change (persistence/
-- update_log.py, append), cleared by the look; a project left dirty for minutes (the node
-- that made the change stopped before looking) is looked at by any node's sweep, so no
-- change goes without its event.
ALTER TABLE projects ADD COLUMN item_events_dirty_at timestamptz;
CREATE INDEX projects_item_events_dirty ON projects (item_events_dirty_at)
    WHERE item_events_dirty_at IS NOT NULL;
