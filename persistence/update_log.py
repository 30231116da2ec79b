"""The update log: append batches of room updates, load a room's stored history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from persistence.errors import StorageError

__all__ = ["StoredRoom", "UpdateLog", "warm_up"]


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


_SNAPSHOTS = "SELECT room, snapshot, nesting FROM room_snapshots WHERE room = ANY($1::text[])"
_TAILS = "SELECT room, payload FROM room_updates WHERE room = ANY($1::text[]) ORDER BY room, id"


async def _read(conn: Any, rooms: list[str]) -> tuple[list[Any], list[Any]]:
    return await conn.fetch(_SNAPSHOTS, rooms), await conn.fetch(_TAILS, rooms)


async def warm_up(conn: Any) -> None:
    """Prepare the room-load statements on ``conn`` (persistence.db.warm), reading nothing."""
    await _read(conn, [])


class UpdateLog:
    """Room updates in PostgreSQL; one object per pool, safe to share between rooms."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    async def append(self, rooms: Sequence[str], payloads: Sequence[bytes]) -> None:
        """Write a batch of updates in one statement and one transaction."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO room_updates (room, payload) "
                "SELECT * FROM unnest($1::text[], $2::bytea[])",
                list(rooms),
                list(payloads),
            )

    async def load(self, room: str) -> StoredRoom:
        """Read a room's snapshot and the updates after it, in one consistent transaction."""
        return (await self.load_many([room]))[0]

    async def load_many(self, rooms: list[str]) -> list[StoredRoom]:
        """:meth:`load` for many rooms in one transaction and two statements, in ``rooms`` order.

        Rooms opened together (a connection storm) are read together: one round trip for all
        their snapshots and one for all their log tails, instead of four per room.
        """
        try:
            async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
                snapshots, rows = await _read(conn, rooms)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            what = f"room {rooms[0]!r}" if len(rooms) == 1 else f"{len(rooms)} rooms"
            raise StorageError(f"cannot load {what}: {type(exc).__name__}") from exc
        tails: dict[str, list[bytes]] = {room: [] for room in rooms}
        for row in rows:
            tails[row["room"]].append(row["payload"])
        found = {row["room"]: row for row in snapshots}
        loaded = []
        for room in rooms:
            stored = found.get(room)
            if stored is None:
                loaded.append(StoredRoom(None, tails[room]))
            else:
                loaded.append(StoredRoom(stored["snapshot"], tails[room], stored["nesting"]))
        return loaded

    async def count_updates(self, room: str) -> int:
        """Number of log rows not yet folded into the snapshot."""
        async with self.pool.acquire() as conn:
            count: int = await conn.fetchval(
                "SELECT count(*) FROM room_updates WHERE room = $1", room
            )
        return count
