-- Invite links and guests (docs/api.md, "Invite links and guests").
--
-- An invite link lets whoever holds it join one project with the role it names. The link's
-- token is stored hashed (SHA-256), like refresh tokens and API keys: the database never
-- holds a usable link. `uses` counts redemptions; `max_uses` NULL means no limit.
CREATE TABLE project_invites (
    id          uuid        PRIMARY KEY,
    project_id  uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    token_hash  bytea       NOT NULL UNIQUE,
    role        text        NOT NULL CHECK (role IN ('member', 'viewer')),
    created_by  uuid        REFERENCES users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    max_uses    integer     CHECK (max_uses IS NULL OR max_uses > 0),
    uses        integer     NOT NULL DEFAULT 0,
    revoked_at  timestamptz
);
CREATE INDEX project_invites_project ON project_invites (project_id, created_at, id);

-- A guest is a person who joined through a link with a name only: a users row with no
-- e-mail address and no usable password, tied to the one project it joined (and the link
-- it came through). It can never sign in again; its login session ends when the link's
-- guest lifetime does, and the retention sweep then erases it like a deleted account.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users
    ADD COLUMN guest_project uuid REFERENCES projects ON DELETE CASCADE,
    ADD COLUMN guest_invite  uuid REFERENCES project_invites ON DELETE SET NULL,
    ADD CONSTRAINT users_guest_or_email CHECK ((guest_project IS NULL) = (email IS NOT NULL));
CREATE INDEX users_guest_invite ON users (guest_invite) WHERE guest_invite IS NOT NULL;
