"""Account deletion in the database: the erasure record, and every row that names the person.

The steps, their order and why are in http_api/account_erasure.py; this module owns the SQL.
A person is found in three shapes: their account id (uuid columns, and inside text and JSON:
private room names hold it), their e-mail (rate-limit keys, audit details, pending sign-ups)
and their name (brainstorm results, event payloads). Rows that exist only for them go; rows
that record something the team did keep the event with the pseudonym in place of the person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from collab.errors import Conflict, NotFound
from collab.i18n import msg
from collab.pseudonyms import Identity, pseudonym_name, pseudonym_ref, scrub
from persistence.conn import Conn, Executor

__all__ = [
    "Erasure",
    "start",
    "unfinished",
    "private_rooms",
    "pseudonymise_rows",
    "delete_account",
    "finish",
]

#: JSON columns that may name a person, by table: (key columns, JSON column).
_JSON_COLUMNS: Final = (
    ("audit_log", "id", "details"),
    ("outbox", "id", "payload"),
    ("webhook_deliveries", "id", "payload"),
    ("brainstorm_sessions", "id", "results"),
    ("brainstorm_sessions", "id", "summon"),
)


@dataclass(frozen=True, slots=True)
class Erasure:
    """One account's erasure under way."""

    user_id: UUID
    email: str
    name: str
    number: int
    #: every project the person may appear in: member now, member once, creator
    projects: tuple[UUID, ...]

    @property
    def identity(self) -> Identity:
        return Identity(
            user_id=str(self.user_id),
            email=self.email,
            name=self.name,
            ref=pseudonym_ref(self.number),
            display_name=str(pseudonym_name(self.number)),
        )


async def start(conn: Conn, user_id: UUID) -> tuple[Erasure, list[UUID]]:
    """Record an erasure and end the account's sessions and keys, in the caller's transaction.

    Returns the erasure and the ids of the sessions and API keys that ended (sockets opened
    with them must close: a revocation per id, which names no person).

    Raises:
        NotFound: there is no such account.
        Conflict: the person is the only owner of projects (named in the message): they
            hand them over or delete them first; or their deletion is under way already.
    """
    user = await conn.fetchrow("SELECT email, name FROM users WHERE id = $1 FOR UPDATE", user_id)
    if user is None:
        raise NotFound(msg("account not found"))
    if await conn.fetchval("SELECT 1 FROM account_erasures WHERE user_id = $1", user_id):
        raise Conflict(msg("this account is being deleted already"))
    sole = await conn.fetch(
        "SELECT p.name FROM project_members m JOIN projects p ON p.id = m.project_id "
        "WHERE m.user_id = $1 AND m.role = 'owner' AND NOT EXISTS (SELECT 1 FROM "
        "project_members o WHERE o.project_id = m.project_id AND o.role = 'owner' "
        "AND o.user_id <> $1) ORDER BY p.name LIMIT 20",
        user_id,
    )
    if sole:
        names = ", ".join(repr(row["name"]) for row in sole)
        raise Conflict(
            msg(
                "you are the only owner of {projects}: make someone else an owner or delete "
                "them first",
                projects=names,
            )
        )
    projects = await conn.fetchval(
        "SELECT coalesce(array_agg(DISTINCT id), '{}') FROM ("
        " SELECT project_id AS id FROM project_members WHERE user_id = $1"
        " UNION SELECT id FROM projects WHERE created_by = $1"
        " UNION SELECT project_id FROM audit_log WHERE project_id IS NOT NULL"
        "  AND (actor_id = $1 OR target = $1::text)"
        ") found WHERE EXISTS (SELECT 1 FROM projects p WHERE p.id = found.id)",
        user_id,
    )
    number = await conn.fetchval("INSERT INTO removed_participants DEFAULT VALUES RETURNING number")
    # A guest has no e-mail address: its id stands in (it is scrubbed everywhere anyway), so
    # no search for "an address" ever runs with an empty one, which every value contains.
    email = user["email"] or str(user_id)
    await conn.execute(
        "INSERT INTO account_erasures (user_id, email, name, number, projects) "
        "VALUES ($1, $2, $3, $4, $5)",
        user_id, email, user["name"], number, projects,
    )  # fmt: skip
    ended = await conn.fetch("DELETE FROM auth_sessions WHERE user_id = $1 RETURNING id", user_id)
    keys = await conn.fetch("DELETE FROM api_keys WHERE user_id = $1 RETURNING id", user_id)
    erasure = Erasure(user_id, email, user["name"], number, tuple(projects))
    return erasure, [row["id"] for row in (*ended, *keys)]


async def unfinished(db: Executor) -> list[Erasure]:
    """Claim the erasures a node started and did not finish (it stopped half-way): those
    whose claim ran out. Claimed for ten minutes more, so two nodes do not run one together."""
    rows = await db.fetch(
        "UPDATE account_erasures SET claimed_until = now() + interval '10 minutes' "
        "WHERE claimed_until < now() RETURNING user_id, email, name, number, projects"
    )
    return [
        Erasure(row["user_id"], row["email"], row["name"], row["number"], tuple(row["projects"]))
        for row in rows
    ]


async def private_rooms(db: Executor, erasure: Erasure) -> list[str]:
    """The person's private brainstorm rooms (``{project}:private:{session}:{user}``), stored."""
    rows = await db.fetch(
        "SELECT room FROM room_snapshots WHERE room LIKE $1 "
        "UNION SELECT DISTINCT room FROM room_updates WHERE room LIKE $1",
        f"%:private:%:{erasure.user_id}",
    )
    return [row["room"] for row in rows]


def _patterns(identity: Identity) -> list[str]:
    """LIKE patterns (lower case) for the id and the e-mail anywhere in a value."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    found = [f"%{escape(identity.user_id)}%"]
    if identity.email:
        found.append(f"%{escape(identity.email.lower())}%")
    return found


#: Any string in a JSON value that is exactly the name (a name is replaced only whole).
_HAS_NAME: Final = (
    "jsonb_path_exists({column}, 'strict $.** ? (@ == $n)', jsonb_build_object('n', $2::text))"
)


async def pseudonymise_rows(conn: Conn, erasure: Erasure) -> dict[str, int]:
    """Replace or delete every row that names the person; counts per table, for the log.

    Runs in the caller's transaction, before the account row goes (the rows that reference it
    with ON DELETE CASCADE go with it: sessions, keys, memberships, votes, their own exports).
    """
    identity = erasure.identity
    ref = identity.ref
    counts: dict[str, int] = {}
    patterns = _patterns(identity)
    for table, key, column in _JSON_COLUMNS:
        rows = await conn.fetch(
            f"SELECT {key} AS key, {column} AS value FROM {table} "  # noqa: S608 - names above
            f"WHERE lower({column}::text) LIKE ANY($1) OR " + _HAS_NAME.format(column=column),
            patterns,
            identity.name,
        )
        changed = 0
        for row in rows:
            before = json.loads(row["value"])
            after = scrub(before, identity)
            if after != before:
                await conn.execute(
                    f"UPDATE {table} SET {column} = $2::jsonb WHERE {key} = $1",  # noqa: S608
                    row["key"], json.dumps(after),
                )  # fmt: skip
                changed += 1
        counts[f"{table}.{column}"] = changed
    # The audit trail keeps each event; the person becomes the pseudonym, and where they
    # acted from (address, browser) goes.
    status = await conn.execute(
        "UPDATE audit_log SET actor_id = NULL, ip = NULL, user_agent = NULL, "
        "details = details || jsonb_build_object('actor', $2::text) WHERE actor_id = $1",
        erasure.user_id, ref,
    )  # fmt: skip
    counts["audit_log.actor"] = _count(status)
    status = await conn.execute(
        "UPDATE audit_log SET target = $3 WHERE target = $1 OR lower(target) = $2",
        str(erasure.user_id), erasure.email.lower(), ref,
    )  # fmt: skip
    counts["audit_log.target"] = _count(status)
    status = await conn.execute(
        "DELETE FROM idempotency_keys WHERE user_id = $1 OR position($2 in body) > 0 "
        "OR position($3 in body) > 0",
        erasure.user_id, str(erasure.user_id).encode(), erasure.email.encode(),
    )  # fmt: skip
    counts["idempotency_keys"] = _count(status)
    status = await conn.execute(
        "DELETE FROM rate_limits WHERE position($1 in lower(key)) > 0", erasure.email.lower()
    )
    counts["rate_limits"] = _count(status)
    status = await conn.execute(
        "DELETE FROM pending_signups WHERE lower(email) = $1", erasure.email.lower()
    )
    counts["pending_signups"] = _count(status)
    status = await conn.execute(
        "DELETE FROM revocations WHERE user_id = $1 OR position($1 in coalesce(room, '')) > 0",
        str(erasure.user_id),
    )
    counts["revocations"] = _count(status)
    return counts


async def project_exports(conn: Conn, erasure: Erasure) -> list[tuple[UUID, UUID]]:
    """Delete the stored exports of the person's projects (they print names); (project, export)
    pairs whose files the caller deletes after commit. Anyone may export again."""
    rows = await conn.fetch(
        "DELETE FROM exports WHERE project_id = ANY($1) RETURNING project_id, id",
        list(erasure.projects),
    )
    return [(row["project_id"], row["id"]) for row in rows]


async def delete_account(conn: Conn, erasure: Erasure) -> None:
    """The account row goes, and what exists only for it with it (ON DELETE CASCADE)."""
    await conn.execute("DELETE FROM users WHERE id = $1", erasure.user_id)


async def finish(db: Executor, erasure: Erasure) -> None:
    """Every copy is done: the record of who it was goes too."""
    await db.execute("DELETE FROM account_erasures WHERE user_id = $1", erasure.user_id)


def _count(status: Any) -> int:
    return int(str(status).rsplit(" ", 1)[1])
