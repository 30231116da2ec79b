-- Every change of an item gets the next number (rooms/item_events.py): an event's id names
-- the change, not only the state it reached, so an item deleted and brought back (undo), or
-- a field set back and forth, is an event each time. A deleted item stays as a row without
-- a digest, keeping its number.
ALTER TABLE item_states ADD COLUMN seq integer NOT NULL DEFAULT 0;
ALTER TABLE item_states ALTER COLUMN digest DROP NOT NULL;
