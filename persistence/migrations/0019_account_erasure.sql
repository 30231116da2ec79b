-- Account deletion (docs/privacy.md): a deleted person's identity is replaced by a pseudonym,
-- "removed-participant-{number}", in every copy the server keeps. The number is all that is
-- kept: nothing links it back to the person.
CREATE TABLE removed_participants (
    number      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    removed_at  timestamptz NOT NULL DEFAULT now()
);

-- An erasure under way: written when it starts (with what it must find and replace), deleted
-- when every copy is done. A node that stopped half-way leaves the row, and the next erasure
-- pass of any node finishes the work once the claim of the node that started it has run out
-- (http_api/account_erasure.py).
CREATE TABLE account_erasures (
    user_id     uuid        PRIMARY KEY,
    email       text        NOT NULL,
    name        text        NOT NULL,
    number      bigint      NOT NULL REFERENCES removed_participants,
    projects    uuid[]      NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz NOT NULL DEFAULT now() + interval '10 minutes'
);
