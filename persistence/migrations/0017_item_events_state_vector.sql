-- The CRDT state (its state vector) the last look at a project's artifacts saw
-- (rooms/item_events.py). A node whose copy of the document lacks some of it (another node's
-- changes have not reached it yet) does not look: it would take items it has not seen yet
-- for deleted. The project stays marked as changed, so a later look catches up.
ALTER TABLE projects ADD COLUMN item_events_state_vector bytea;
