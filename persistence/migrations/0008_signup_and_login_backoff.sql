-- Sign-up by e-mail: an account is created only when its address has proved it reads its mail.
-- Until then the request waits here (token stored hashed, like every other secret). Several
-- requests for one address may wait at once: the first link opened wins, the rest are spent,
-- so nobody can reserve someone else's address.
CREATE TABLE pending_signups (
    token_hash     bytea       PRIMARY KEY,
    email          text        NOT NULL,
    name           text        NOT NULL,
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX pending_signups_email ON pending_signups (lower(email));
CREATE INDEX pending_signups_expires ON pending_signups (expires_at);

-- Back-off needs the time of the last counted attempt, not only how many there were.
ALTER TABLE rate_limits ADD COLUMN last_hit_at timestamptz NOT NULL DEFAULT now();
