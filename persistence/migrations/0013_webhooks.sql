-- Webhook subscriptions and their deliveries (docs/webhooks.md). Events are written to the
-- outbox with their change; a dispatcher turns each event into one delivery per matching
-- enabled subscription (in one transaction, so an event is dispatched once), and senders on
-- any node claim due deliveries with SKIP LOCKED, so no two nodes send the same attempt.
-- The outbox's delivered_at marks an event as dispatched (its deliveries exist).
CREATE TABLE webhooks (
    id               uuid        PRIMARY KEY,
    -- NULL: a global subscription (admins), every project's events
    project_id       uuid        REFERENCES projects ON DELETE CASCADE,
    url              text        NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events           text[]      NOT NULL CHECK (cardinality(events) >= 1),
    description      text        NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- signing secrets, newest first ("whsec_" + base64); several during a rotation
    secrets          text[]      NOT NULL CHECK (cardinality(secrets) BETWEEN 1 AND 3),
    enabled          boolean     NOT NULL DEFAULT true,
    -- why it was turned off by the server: gone (410) or failing (all retries spent)
    disabled_reason  text,
    created_by       uuid        REFERENCES users ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_project ON webhooks (project_id, created_at);

CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    webhook_id       uuid        NOT NULL REFERENCES webhooks ON DELETE CASCADE,
    -- the outbox event's stable id: the webhook-id header, for receivers to deduplicate
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    payload          jsonb       NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text,
    last_duration_ms integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_listing ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

-- Every attempt of a delivery: when, the answer's status code or the error, how long.
CREATE TABLE webhook_attempts (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      uuid        NOT NULL REFERENCES webhook_deliveries ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL DEFAULT now(),
    status_code      integer,
    error            text,
    duration_ms      integer     NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
