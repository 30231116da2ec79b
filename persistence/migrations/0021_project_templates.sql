-- Templates a person saved from a project (docs/api.md, "Templates"). Built-in templates are
-- code (collab/templates.py); these are rows: the project's typed content without test
-- results or authors, kept by the account that saved it (deleted with that account).
CREATE TABLE project_templates (
    id           uuid        PRIMARY KEY,
    owner_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    language     text        NOT NULL,
    phase        text        NOT NULL,
    document     jsonb       NOT NULL,
    clusters     jsonb       NOT NULL,
    artifacts    integer     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_templates_owner ON project_templates (owner_id, created_at, id);
