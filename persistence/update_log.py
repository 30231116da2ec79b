"""The update log: append batches of room updates, load a room's stored history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from persistence.errors import StorageError

__all__ = ["StoredRoom", "UpdateLog"]


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
        try:
            async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
                stored = await conn.fetchrow(
                    "SELECT snapshot, nesting FROM room_snapshots WHERE room = $1", room
                )
                rows = await conn.fetch(
                    "SELECT payload FROM room_updates WHERE room = $1 ORDER BY id", room
                )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StorageError(f"cannot load room {room!r}: {type(exc).__name__}") from exc
        payloads = [row["payload"] for row in rows]
        if stored is None:
            return StoredRoom(None, payloads)
        return StoredRoom(stored["snapshot"], payloads, stored["nesting"])

    async def count_updates(self, room: str) -> int:
        """Number of log rows not yet folded into the snapshot."""
        async with self.pool.acquire() as conn:
            count: int = await conn.fetchval(
                "SELECT count(*) FROM room_updates WHERE room = $1", room
            )
        return count
