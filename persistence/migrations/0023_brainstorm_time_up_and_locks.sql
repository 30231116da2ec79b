-- Workshops at 50 people (docs/brainstorm.md): what happens when the timer reaches zero, the
-- facilitator's lock of the board, and who wrote a note (for "31 of 42 wrote notes").

ALTER TABLE brainstorm_sessions
    -- 'nothing' (the timer is advisory), 'lock' (writing stops at zero) or 'advance' (the
    -- session moves to the next phase at zero).
    ADD COLUMN on_time_up text NOT NULL DEFAULT 'nothing'
        CHECK (on_time_up IN ('nothing', 'lock', 'advance')),
    -- The countdown whose end was acted on (collab/brainstorm_time_up.py, run_key): a second
    -- node, or a second look, finds it and does nothing.
    ADD COLUMN time_up_handled text,
    -- The time is up and the rule is 'lock': hidden notes and dots are refused until a
    -- facilitator gives more time or moves on.
    ADD COLUMN writing_locked boolean NOT NULL DEFAULT false,
    -- A facilitator locked the board: only facilitators edit it while the session runs.
    ADD COLUMN board_locked boolean NOT NULL DEFAULT false;

-- The sessions a node's time-up scheduler looks at when it starts and every sweep.
CREATE INDEX brainstorm_sessions_timed ON brainstorm_sessions (project_id)
    WHERE ended_at IS NULL AND on_time_up <> 'nothing';

-- Whether the participant's private room holds a note with text (counts only are shown).
ALTER TABLE brainstorm_participants ADD COLUMN wrote boolean NOT NULL DEFAULT false;
