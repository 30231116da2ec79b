"""Compaction: fold a room's update log into its snapshot, built from the stored rows only.

DESIGN.md invariant 2: the snapshot is built by loading the rows we read into a fresh Doc, not
from a node's memory, and exactly those rows are deleted, in the same transaction. A row that
commits concurrently (not read) survives and is applied on top of the snapshot at load.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog

from collab.errors import InvalidUpdate
from collab.schema import artifact_ids
from collab.ydoc import build_doc
from persistence.artifact_index import reindex_project
from persistence.errors import CorruptHistory
from persistence.metrics import COMPACTIONS

__all__ = ["CompactionResult", "compact"]

_log = structlog.get_logger(__name__)
_LOCK_CLASS = 0x44545432  # "DTT2": one compactor per room across every node


@dataclass(frozen=True, slots=True)
class CompactionResult:
    """What one compaction did."""

    room: str
    compacted: int
    snapshot_bytes: int


def _encode(snapshot: bytes | None, payloads: list[bytes]) -> tuple[bytes, list[tuple[str, str]]]:
    updates = ([snapshot] if snapshot is not None else []) + payloads
    doc = build_doc(updates)
    return doc.get_update(), artifact_ids(doc)


def _project_id(room: str) -> UUID | None:
    try:
        return UUID(room)
    except ValueError:
        return None


async def compact(pool: Any, room: str, min_updates: int = 1) -> CompactionResult | None:
    """Compact ``room`` if it has at least ``min_updates`` log rows.

    Returns None when another node holds the room's compaction lock or there is little to do.

    Raises:
        CorruptHistory: a stored row cannot be decoded; nothing is changed.
    """
    async with pool.acquire() as conn, conn.transaction():
        locked = await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, room
        )
        if not locked:
            COMPACTIONS.labels("skipped").inc()
            return None
        snapshot = await conn.fetchval(
            "SELECT snapshot FROM room_snapshots WHERE room = $1 FOR UPDATE", room
        )
        rows = await conn.fetch(
            "SELECT id, payload FROM room_updates WHERE room = $1 ORDER BY id", room
        )
        if len(rows) < max(1, min_updates):
            return None
        payloads = [row["payload"] for row in rows]
        try:
            # Decoding 20k updates takes tens of ms: keep it off the event loop.
            encoded, artifacts = await asyncio.to_thread(_encode, snapshot, payloads)
        except InvalidUpdate as exc:
            COMPACTIONS.labels("corrupt").inc()
            raise CorruptHistory(room, str(exc)) from None
        await conn.execute(
            "INSERT INTO room_snapshots (room, snapshot, updates_compacted, compacted_at) "
            "VALUES ($1, $2, $3, now()) ON CONFLICT (room) DO UPDATE SET "
            "snapshot = EXCLUDED.snapshot, compacted_at = now(), "
            "updates_compacted = room_snapshots.updates_compacted + EXCLUDED.updates_compacted",
            room,
            encoded,
            len(rows),
        )
        await conn.execute(
            "DELETE FROM room_updates WHERE id = ANY($1::bigint[])", [row["id"] for row in rows]
        )
        project_id = _project_id(room)
        if project_id is not None:
            # Artifacts created live become reachable by their item routes (/v1/ideas/{id}).
            await reindex_project(conn, project_id, artifacts)
    COMPACTIONS.labels("done").inc()
    _log.info("room_compacted", room=room, updates=len(rows), snapshot_bytes=len(encoded))
    return CompactionResult(room, len(rows), len(encoded))
