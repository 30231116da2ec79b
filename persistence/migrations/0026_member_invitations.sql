-- Invitations by e-mail to people who have no account yet. The address is the one piece of
-- personal data kept about someone who never signed up: the row goes when they join (their
-- account is created with that address), when an owner cancels it, when it expires (the hourly
-- retention sweep) or with the project.
CREATE TABLE member_invitations (
    id          uuid        PRIMARY KEY,
    project_id  uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    email       text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    invited_by  uuid        REFERENCES users ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    mailed_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX member_invitations_project_email ON member_invitations (project_id, lower(email));
CREATE INDEX member_invitations_email ON member_invitations (lower(email));
