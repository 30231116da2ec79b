"""The revocations table: access that ended, for every node to act on, Redis or not.

Redis pub/sub tells the other nodes in milliseconds, but at most once: a revocation published
while Redis is down is lost, and the sockets it should close on other nodes stay open. So the
change that ends access also writes a row here, in its own transaction (:func:`record`), and
every node reads the rows it has not seen (:func:`read_new`): at once when the commit's NOTIFY
reaches it (:func:`notifications`), and every few seconds in case a notification was missed.

Reading "id greater than the last one seen" would skip rows: an identity value is taken at
insert, so a transaction that inserted first can commit after one that inserted later and was
already read. Each row therefore records its transaction id, and a reader asks for the rows of
every transaction not finished at its previous read (``xid >= xmin`` of that read's snapshot),
then drops the ids it already handled. A long transaction elsewhere holds that horizon back,
which only makes a read return a few rows again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

from persistence.conn import Conn, Executor, PgPool

__all__ = ["CHANNEL", "StoredRevocation", "Read", "record", "read_new", "prune", "notifications"]

#: The NOTIFY channel a commit of :func:`record` signals on.
CHANNEL: Final = "dttools_revocations"
#: How long a listener waits for UNLISTEN before giving its connection up.
_UNLISTEN_TIMEOUT_S: Final = 1.0


@dataclass(frozen=True, slots=True)
class StoredRevocation:
    """One row: which connections lose access (see ``collab.envelope.Revocation``)."""

    id: int
    xid: int
    user_id: str | None
    session_id: str | None
    room: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Read:
    """What :func:`read_new` found, and the horizon to pass to the next call."""

    revocations: list[StoredRevocation]
    horizon: int


async def record(
    db: Executor,
    *,
    reason: str,
    user_id: str | None = None,
    session_id: str | None = None,
    room: str | None = None,
) -> int:
    """Store a revocation in the caller's transaction and return its id.

    Listeners are notified when that transaction commits (NOTIFY is transactional), so no
    node hears of a revocation that is rolled back.

    Raises:
        ValueError: no selector is given (the table's CHECK constraint would refuse it).
    """
    if user_id is None and session_id is None and room is None:
        raise ValueError("a revocation must name a user, a session or a room")
    revocation_id: int = await db.fetchval(
        "WITH stored AS (INSERT INTO revocations (user_id, session_id, room, reason) "
        "VALUES ($1, $2, $3, $4) RETURNING id) "
        "SELECT id FROM stored, pg_notify($5, id::text)",
        user_id,
        session_id,
        room,
        reason,
        CHANNEL,
    )
    return revocation_id


async def read_new(db: Executor, horizon: int | None) -> Read:
    """Rows of every transaction at or after ``horizon`` (None: the oldest one running now).

    The returned horizon is the oldest transaction still running when this read's snapshot
    was taken: everything before it that committed was visible to this read.
    """
    rows = await db.fetch(
        "WITH now AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) "
        "SELECT now.horizon::text AS horizon, r.id, r.xid::text AS xid, r.user_id, "
        "r.session_id, r.room, r.reason "
        "FROM now LEFT JOIN revocations r ON r.xid >= coalesce($1::text::xid8, now.horizon) "
        "ORDER BY r.id",
        None if horizon is None else str(horizon),
    )
    found = [
        StoredRevocation(
            row["id"],
            int(row["xid"]),
            row["user_id"],
            row["session_id"],
            row["room"],
            row["reason"],
        )
        for row in rows
        if row["id"] is not None
    ]
    return Read(found, int(rows[0]["horizon"]))


async def prune(db: Executor, older_than_s: float) -> int:
    """Delete rows older than ``older_than_s`` seconds; return how many.

    Every node has read a row long before this (it polls every few seconds); a node cut off
    from PostgreSQL for longer could miss one, which docs/security.md states.
    """
    status: str = await db.execute(
        "DELETE FROM revocations WHERE created_at < now() - make_interval(secs => $1)",
        older_than_s,
    )
    return int(status.rsplit(" ", 1)[1])


@asynccontextmanager
async def notifications(pool: PgPool, wake: Callable[[], None]) -> AsyncIterator[Any]:
    """Hold a pooled connection that LISTENs on :data:`CHANNEL`; call ``wake()`` per NOTIFY.

    Yields the connection, which the caller may also read with. The pool's release hook
    skips asyncpg's ``UNLISTEN *`` (persistence/db.py), so the listener is removed here.
    """

    def on_notify(*_args: object) -> None:
        wake()

    async with pool.acquire() as conn:
        await conn.add_listener(CHANNEL, on_notify)
        try:
            yield conn
        finally:
            await _stop_listening(conn, on_notify)


async def _stop_listening(conn: Conn, callback: Callable[..., None]) -> None:
    """UNLISTEN before the connection goes back to the pool; drop one that cannot.

    A feed cancelled mid-query (the node shutting down) leaves that query in progress on the
    connection: UNLISTEN then fails with "another operation is in progress", and the
    connection must not go back to the pool like that (the next user of it, a shutdown
    compaction, failed the same way). It is terminated instead.
    """
    try:
        async with asyncio.timeout(_UNLISTEN_TIMEOUT_S):
            await conn.remove_listener(CHANNEL, callback)
    except asyncpg.exceptions.InternalClientError:
        with suppress(asyncpg.InterfaceError):
            conn.terminate()
    except asyncpg.InterfaceError:
        return  # asyncpg already took it back after losing the server
    except (TimeoutError, asyncpg.PostgresError, OSError):
        with suppress(asyncpg.InterfaceError):
            conn.terminate()  # the pool opens a fresh one instead
