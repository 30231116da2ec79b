-- Events of artifacts (rooms/item_events.py): the digest of every event-bearing item as the
-- server last looked at it, per project. A look compares the live document with these rows
-- and writes the difference as outbox events and the new digests, in one transaction.
-- item_events_since: when the project's first look was taken. Projects older than this
-- migration start without one, and their first look only records the digests (no events for
-- content that predates events); new projects have one from the start.
ALTER TABLE projects ADD COLUMN item_events_since timestamptz;
ALTER TABLE projects ALTER COLUMN item_events_since SET DEFAULT now();

CREATE TABLE item_states (
    project_id  uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
    collection  text NOT NULL,
    item_id     text NOT NULL,
    digest      text NOT NULL,
    PRIMARY KEY (project_id, collection, item_id)
);
