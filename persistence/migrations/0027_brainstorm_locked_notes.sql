-- A facilitator's lock of selected notes (idea ids of the board): while the session runs,
-- only facilitators, owners and admins change them (docs/brainstorm.md, "Locking").
ALTER TABLE brainstorm_sessions ADD COLUMN locked_notes text[] NOT NULL DEFAULT '{}';
