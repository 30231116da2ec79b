-- Brainstorm sessions (collab/brainstorm.py) and the event outbox (DESIGN.md invariant 7).
-- What clients must not forge lives here: phase, timer, facilitators, votes. The server mirrors
-- it into the read-only room "{project}:brainstorm"; hidden notes live in per-participant rooms
-- "{project}:private:{session}:{user}" until the reveal copies them to the board.

CREATE TABLE brainstorm_sessions (
    id                uuid             PRIMARY KEY,
    project_id        uuid             NOT NULL REFERENCES projects ON DELETE CASCADE,
    prompt            text             NOT NULL,
    phase             text             NOT NULL
        CHECK (phase IN ('silent', 'reveal', 'clustering', 'voting', 'results')),
    -- The timer as stored instants (the database's clock): every node derives the same countdown.
    timer_duration_s  integer          NOT NULL CHECK (timer_duration_s >= 0),
    timer_started_at  timestamptz      NOT NULL,
    timer_paused_at   timestamptz,
    timer_paused_s    double precision NOT NULL DEFAULT 0,
    votes_per_person  integer          NOT NULL CHECK (votes_per_person BETWEEN 1 AND 100),
    allow_stacking    boolean          NOT NULL,
    anonymous         boolean          NOT NULL,
    tallies_visible   boolean          NOT NULL DEFAULT false,
    summon            jsonb,
    results           jsonb,
    created_by        uuid             REFERENCES users ON DELETE SET NULL,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    ended_at          timestamptz,
    version           integer          NOT NULL DEFAULT 1
);
-- One running session per project.
CREATE UNIQUE INDEX brainstorm_sessions_running ON brainstorm_sessions (project_id)
    WHERE ended_at IS NULL;
CREATE INDEX brainstorm_sessions_project ON brainstorm_sessions (project_id, created_at DESC);

-- Members the owner made facilitators of a session (owners and admins facilitate anyway).
CREATE TABLE brainstorm_facilitators (
    session_id  uuid        NOT NULL REFERENCES brainstorm_sessions ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);

-- Who opened a private room for writing: whose notes the reveal collects.
CREATE TABLE brainstorm_participants (
    session_id  uuid        NOT NULL REFERENCES brainstorm_sessions ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    joined_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);

-- Notes a session put on the board, so that a repeated reveal never copies one twice.
-- author_id is null in anonymous sessions: the server does not keep who wrote what either.
CREATE TABLE brainstorm_ideas (
    session_id   uuid        NOT NULL REFERENCES brainstorm_sessions ON DELETE CASCADE,
    note_id      text        NOT NULL,
    idea_id      text        NOT NULL,
    author_id    uuid        REFERENCES users ON DELETE SET NULL,
    revealed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, note_id)
);

-- One row per dot. Written only by the server, on the voter's own request.
CREATE TABLE brainstorm_votes (
    id          bigserial   PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES brainstorm_sessions ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    idea_id     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX brainstorm_votes_voter ON brainstorm_votes (session_id, user_id);
CREATE INDEX brainstorm_votes_idea ON brainstorm_votes (session_id, idea_id);

-- Numbers of the snapshots written to "{project}:brainstorm": later writes get larger numbers.
CREATE SEQUENCE brainstorm_snapshot_seq;

-- Events for webhooks, written in the same transaction as the change they report. event_id is
-- derived from what happened (a retry writes the same id once); delivery marks delivered_at.
-- No foreign key: an event outlives the project it reports on until it is delivered.
CREATE TABLE outbox (
    id            bigserial   PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    type          text        NOT NULL,
    project_id    uuid,
    payload       jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz
);
CREATE INDEX outbox_undelivered ON outbox (id) WHERE delivered_at IS NULL;

-- Deleting a project erases its brainstorm rooms too (the board's room is purged by the
-- application). BEFORE DELETE: the participants, who name the private rooms, still exist.
CREATE FUNCTION brainstorm_purge_rooms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM room_updates WHERE room IN (
        SELECT OLD.id::text || ':brainstorm'
        UNION ALL
        SELECT OLD.id::text || ':private:' || p.session_id::text || ':' || p.user_id::text
        FROM brainstorm_participants p JOIN brainstorm_sessions s ON s.id = p.session_id
        WHERE s.project_id = OLD.id);
    DELETE FROM room_snapshots WHERE room IN (
        SELECT OLD.id::text || ':brainstorm'
        UNION ALL
        SELECT OLD.id::text || ':private:' || p.session_id::text || ':' || p.user_id::text
        FROM brainstorm_participants p JOIN brainstorm_sessions s ON s.id = p.session_id
        WHERE s.project_id = OLD.id);
    RETURN OLD;
END;
$$;
CREATE TRIGGER projects_purge_brainstorm_rooms BEFORE DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION brainstorm_purge_rooms();
