-- Revocations travel through PostgreSQL as well as Redis (docs/security.md, "Revocation
-- without Redis"). A row is written in the transaction of the change that ends access; every
-- node reads the rows it has not seen yet, woken by NOTIFY and polling as a backstop.
--
-- xid is the writing transaction: identity values are taken at insert, not at commit, so a
-- reader cannot rely on "id > last seen"; it reads from the oldest transaction still running
-- at its previous read instead (persistence/revocations.py).
CREATE TABLE revocations (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    user_id     text,
    session_id  text,
    room        text,
    reason      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (user_id IS NOT NULL OR session_id IS NOT NULL OR room IS NOT NULL)
);
CREATE INDEX revocations_xid ON revocations (xid);
CREATE INDEX revocations_created_at ON revocations (created_at);
