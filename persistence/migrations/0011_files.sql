-- Files and images of a project (docs/api.md, "Files"). The bytes live in a blob store (a
-- folder or an S3 bucket), content-addressed per project: key = project id + sha256, so two
-- rows of one project with the same content share one blob, and nothing is ever shared
-- across projects (deleting a project can never take another project's bytes).
--
-- A row is inserted only once its blob is stored (persistence/files.py, insert_file), so a
-- row always has bytes to serve.
CREATE TABLE files (
    id              uuid        PRIMARY KEY,
    project_id      uuid        NOT NULL REFERENCES projects ON DELETE CASCADE,
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    media_type      text        NOT NULL,
    size            bigint      NOT NULL CHECK (size >= 0),
    sha256          text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width           integer     CHECK (width > 0),
    height          integer     CHECK (height > 0),
    -- bytes of the thumbnail blob (same key with the thumbnail suffix), NULL when none
    thumbnail_size  bigint      CHECK (thumbnail_size >= 0),
    thumbnail_type  text,
    created_by      uuid        REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- first time the project's document was seen referring to the file: only linked files
    -- are deleted by the sweeper once nothing refers to them any more
    linked_at       timestamptz,
    -- first sweep that found a linked file unreferenced (cleared when a reference returns)
    unreferenced_since timestamptz
);
CREATE INDEX files_project_listing ON files (project_id, created_at DESC, id DESC);
CREATE INDEX files_project_blob ON files (project_id, sha256);

-- Blobs that may have lost their last row. The trigger below writes one in the transaction
-- that deletes a row (by hand, by the sweeper, or by a project's cascade), so a deletion can
-- never forget its blob; a background task deletes the blob once no row of the project has
-- the same sha256 (the check is made when draining, under the project's lock, because an
-- upload may have brought the same bytes back meanwhile).
CREATE TABLE blob_deletions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  uuid        NOT NULL,
    sha256      text        NOT NULL,
    queued_at   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION files_queue_blob_deletion() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO blob_deletions (project_id, sha256) VALUES (OLD.project_id, OLD.sha256);
    RETURN OLD;
END;
$$;

CREATE TRIGGER files_blob_deletion AFTER DELETE ON files
    FOR EACH ROW EXECUTE FUNCTION files_queue_blob_deletion();
