"""The update log: append batches of room updates, load a room's stored history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from persistence.conn import Conn, Executor, PgPool
from persistence.errors import StorageError

__all__ = [
    "LogActivity",
    "StoredRoom",
    "TailRow",
    "UpdateLog",
    "delete_updates",
    "log_activity",
    "purge_room",
    "read_for_compaction",
    "store_snapshot",
    "store_update",
    "warm_up",
]


@dataclass(frozen=True, slots=True)
class StoredRoom:
    """A room's durable history: the latest snapshot (if any) and the updates after it."""

    snapshot: bytes | None
    updates: list[bytes]
    #: the snapshot's nesting index (collab/nesting.py), None for snapshots stored before it
    nesting: bytes | None = None

    @property
    def size_bytes(self) -> int:
        """Stored bytes, an upper bound of the encoded document size."""
        return len(self.snapshot or b"") + sum(len(u) for u in self.updates)

    def all_updates(self) -> list[bytes]:
        """Snapshot first, then the tail: applying them in any order gives the same doc."""
        return ([self.snapshot] if self.snapshot is not None else []) + self.updates


# One statement, so one snapshot of the database for both tables: a compaction (a snapshot
# written and the rows it folds deleted, in one transaction) is seen whole or not at all,
# without a transaction of our own (BEGIN and COMMIT were two of four round trips per load).
_LOAD = """
SELECT r.room, s.snapshot, s.nesting,
       ARRAY(SELECT u.payload FROM room_updates u WHERE u.room = r.room ORDER BY u.id) AS tail
FROM unnest($1::text[]) AS r(room)
LEFT JOIN room_snapshots s ON s.room = r.room
"""


async def _read(db: Executor, rooms: list[str]) -> list[Any]:
    return await db.fetch(_LOAD, rooms)


async def warm_up(conn: Conn) -> None:
    """Prepare the room-load statement on ``conn`` (persistence.db.warm), reading nothing."""
    await _read(conn, [])


def _project_ids(rooms: Sequence[str]) -> list[UUID]:
    """The projects among ``rooms``: a project's room is named by its id (other rooms,
    brainstorm and free-form ones, are not)."""
    found = []
    for room in set(rooms):
        if len(room) == 36:
            try:
                found.append(UUID(room))
            except ValueError:
                continue
    return found


class UpdateLog:
    """Room updates in PostgreSQL; one object per pool, safe to share between rooms."""

    def __init__(self, pool: PgPool) -> None:
        self.pool = pool

    async def append(self, rooms: Sequence[str], payloads: Sequence[bytes]) -> None:
        """Write a batch of updates in one statement and one transaction.

        The same statement marks the projects among the rooms as changed for artifact events
        (``item_events_dirty_at``, migration 0015), so the mark is durable with the change.
        """
        projects = _project_ids(rooms)
        async with self.pool.acquire() as conn:
            await conn.execute(
                "WITH stored AS (INSERT INTO room_updates (room, payload) "
                "SELECT * FROM unnest($1::text[], $2::bytea[])) "
                "UPDATE projects SET item_events_dirty_at = now() "
                "WHERE id = ANY($3::uuid[]) AND item_events_dirty_at IS NULL",
                list(rooms),
                list(payloads),
                projects,
            )

    async def load(self, room: str) -> StoredRoom:
        """Read a room's snapshot and the updates after it, in one consistent transaction."""
        return (await self.load_many([room]))[0]

    async def load_many(self, rooms: list[str]) -> list[StoredRoom]:
        """:meth:`load` for many rooms in one statement, in ``rooms`` order.

        Rooms opened together (a connection storm) are read together: one round trip for all
        their snapshots and log tails, consistent with each other (a single statement sees one
        state of the database).
        """
        try:
            rows = await _read(self.pool, rooms)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            what = f"room {rooms[0]!r}" if len(rooms) == 1 else f"{len(rooms)} rooms"
            raise StorageError(f"cannot load {what}: {type(exc).__name__}") from exc
        found = {row["room"]: row for row in rows}
        loaded = []
        for room in rooms:
            row = found[room]
            if row["snapshot"] is None:
                loaded.append(StoredRoom(None, list(row["tail"])))
            else:
                loaded.append(StoredRoom(row["snapshot"], list(row["tail"]), row["nesting"]))
        return loaded

    async def count_updates(self, room: str) -> int:
        """Number of log rows not yet folded into the snapshot."""
        async with self.pool.acquire() as conn:
            count: int = await conn.fetchval(
                "SELECT count(*) FROM room_updates WHERE room = $1", room
            )
        return count


# --- writes outside the node's group commit ---------------------------------------------------


async def store_update(conn: Conn, room: str, payload: bytes) -> None:
    """Append one Yjs update to a room's log in the caller's transaction.

    Only for updates that depend on nothing else in the room (collab/brainstorm_doc.py, the
    reveal): every other update goes through the node's group commit, which keeps each
    room's updates in order.
    """
    await conn.execute("INSERT INTO room_updates (room, payload) VALUES ($1, $2)", room, payload)


async def purge_room(db: Executor, room: str) -> None:
    """Delete every stored row of a room: its log and its snapshot."""
    await db.execute("DELETE FROM room_updates WHERE room = $1", room)
    await db.execute("DELETE FROM room_snapshots WHERE room = $1", room)


# --- compaction (persistence/compaction.py decides; these read and write) ---------------------


@dataclass(frozen=True, slots=True)
class TailRow:
    """One log row after the snapshot, with the id that deletes it once compacted."""

    id: int
    payload: bytes


async def read_for_compaction(
    conn: Conn, room: str
) -> tuple[bytes | None, bytes | None, list[TailRow]]:
    """The room's snapshot (locked until the transaction ends), its nesting index, its tail."""
    stored = await conn.fetchrow(
        "SELECT snapshot, nesting FROM room_snapshots WHERE room = $1 FOR UPDATE", room
    )
    snapshot, nesting = (None, None) if stored is None else (stored[0], stored[1])
    rows = await conn.fetch(
        "SELECT id, payload FROM room_updates WHERE room = $1 ORDER BY id", room
    )
    return snapshot, nesting, [TailRow(row["id"], row["payload"]) for row in rows]


async def store_snapshot(
    conn: Conn, room: str, snapshot: bytes, nesting: bytes, compacted: int
) -> None:
    """Replace the room's snapshot; ``compacted`` more log rows are now folded into it."""
    await conn.execute(
        "INSERT INTO room_snapshots (room, snapshot, nesting, updates_compacted, compacted_at)"
        " VALUES ($1, $2, $4, $3, now()) ON CONFLICT (room) DO UPDATE SET "
        "snapshot = EXCLUDED.snapshot, nesting = EXCLUDED.nesting, compacted_at = now(), "
        "updates_compacted = room_snapshots.updates_compacted + EXCLUDED.updates_compacted",
        room,
        snapshot,
        compacted,
        nesting,
    )


async def delete_updates(conn: Conn, ids: list[int]) -> None:
    """Delete log rows by id (those a new snapshot holds)."""
    await conn.execute("DELETE FROM room_updates WHERE id = ANY($1::bigint[])", ids)


# --- reporting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogActivity:
    """What a room's log says about its activity (see :func:`log_activity`)."""

    #: updates stored per UTC day since the day asked for (days with none are absent)
    per_day: list[tuple[date, int]]
    #: rows in the log now (not yet folded into the snapshot)
    updates_stored: int
    last_update_at: datetime | None
    #: rows folded into the snapshot by compactions so far
    updates_compacted: int
    compacted_at: datetime | None


async def log_activity(conn: Conn, room: str, since: datetime) -> LogActivity:
    """Activity of a room's log; read in the caller's transaction for one consistent view.

    The log records when each update was stored but not who made it, and compaction deletes
    the rows it folds into the snapshot, so their days are lost: they are counted in
    ``updates_compacted`` instead.
    """
    days = await conn.fetch(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n "
        "FROM room_updates WHERE room = $1 AND created_at >= $2 GROUP BY day ORDER BY day",
        room,
        since,
    )
    stored = await conn.fetchrow(
        "SELECT count(*) AS n, max(created_at) AS last FROM room_updates WHERE room = $1", room
    )
    snapshot = await conn.fetchrow(
        "SELECT updates_compacted, compacted_at FROM room_snapshots WHERE room = $1", room
    )
    assert stored is not None  # an aggregate always has its one row
    return LogActivity(
        per_day=[(row["day"], row["n"]) for row in days],
        updates_stored=stored["n"],
        last_update_at=stored["last"],
        updates_compacted=0 if snapshot is None else snapshot["updates_compacted"],
        compacted_at=None if snapshot is None else snapshot["compacted_at"],
    )
