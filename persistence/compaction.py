"""Compaction: fold a room's update log into its snapshot, built from the stored rows only.

invariant 2: the snapshot is built by loading the rows we read into a fresh Doc, not
from a node's memory, and exactly those rows are deleted, in the same transaction. A row that
commits concurrently (not read) survives and is applied on top of the snapshot at load.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog

from collab.errors import InvalidUpdate
from collab.nesting import DEFAULT_MAX_DEPTH
from collab.schema import artifact_ids
from collab.stored import restore_doc
from persistence import update_log
from persistence.artifact_index import reindex_project
from persistence.conn import PgPool
from persistence.errors import CorruptHistory
from persistence.metrics import COMPACTIONS

__all__ = ["CompactionResult", "compact", "OFFLOAD_BYTES"]

_log = structlog.get_logger(__name__)
_LOCK_CLASS = 0x44545432  # "DTT2": one compactor per room across every node
#: A history at least this large (snapshot and rows) is folded in the node's worker process
#: when one is given: about 13 ms of work here, more than a room should wait for the
#: interpreter lock (rooms/worker_process.py). Smaller ones are not worth the copy.
OFFLOAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class CompactionResult:
    """What one compaction did."""

    room: str
    compacted: int
    snapshot_bytes: int


@dataclass(frozen=True, slots=True)
class _Compacted:
    snapshot: bytes
    nesting: bytes
    artifacts: list[tuple[str, str]]
    #: positions of rows set aside by restore_doc (too deep, or waiting): not in the snapshot
    kept: set[int]


def _encode(
    snapshot: bytes | None, nesting: bytes | None, payloads: list[bytes], max_depth: int
) -> _Compacted:
    # Every row is admitted by the nesting index again: a row stored by an older node, or
    # under a higher limit, cannot bring content that would crash the CRDT core here.
    restored = restore_doc(snapshot, nesting, payloads, max_depth)
    doc = restored.doc
    kept = set(restored.set_aside)
    return _Compacted(doc.get_update(), restored.nesting.to_bytes(), artifact_ids(doc), kept)


def _project_id(room: str) -> UUID | None:
    try:
        return UUID(room)
    except ValueError:
        return None


async def compact(
    pool: PgPool,
    room: str,
    min_updates: int = 1,
    max_depth: int = DEFAULT_MAX_DEPTH,
    *,
    wait: bool = False,
    offload: Callable[..., Awaitable[Any]] | None = None,
) -> CompactionResult | None:
    """Compact ``room`` if it has at least ``min_updates`` log rows.

    ``max_depth`` is the nesting limit (collab/nesting.py) the rows are checked against.
    ``wait``: wait for a compaction running elsewhere instead of leaving the room to it (an
    erasure must know that the history it rewrote is compacted, not that someone is at it).
    ``offload``: runs ``fn(*args)`` elsewhere (the node's worker process,
    ``rooms.worker_process.WorkerProcess.run``), for histories of :data:`OFFLOAD_BYTES` or
    more; without it, or for a small history, a thread does the work.

    Returns None when another node holds the room's compaction lock (without ``wait``) or
    there is little to do.

    Raises:
        CorruptHistory: a stored row cannot be decoded; nothing is changed.
    """
    async with pool.acquire() as conn, conn.transaction():
        if wait:
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, room)
        elif not await conn.fetchval(
            "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, room
        ):
            COMPACTIONS.labels("skipped").inc()
            return None
        snapshot, nesting, rows = await update_log.read_for_compaction(conn, room)
        if len(rows) < max(1, min_updates):
            return None
        payloads = [row.payload for row in rows]
        history_bytes = len(snapshot or b"") + sum(map(len, payloads))
        compacted: _Compacted
        try:
            # Decoding 20k updates takes tens of ms: off the event loop, and for a large
            # history off this process's interpreter lock too.
            if offload is not None and history_bytes >= OFFLOAD_BYTES:
                compacted = await offload(_encode, snapshot, nesting, payloads, max_depth)
            else:
                compacted = await asyncio.to_thread(_encode, snapshot, nesting, payloads, max_depth)
        except InvalidUpdate as exc:
            COMPACTIONS.labels("corrupt").inc()
            raise CorruptHistory(room, str(exc)) from None
        compacted_count = len(rows) - len(compacted.kept)
        await update_log.store_snapshot(
            conn, room, compacted.snapshot, compacted.nesting, compacted_count
        )
        # Rows set aside (too deep, or waiting for a dependency) are not in the snapshot: they
        # stay, and are read again at the next load.
        done = [row.id for i, row in enumerate(rows) if i not in compacted.kept]
        await update_log.delete_updates(conn, done)
        project_id = _project_id(room)
        if project_id is not None:
            # Artifacts created live become reachable by their item routes (/v1/ideas/{id}).
            await reindex_project(conn, project_id, compacted.artifacts)
    COMPACTIONS.labels("done").inc()
    size = len(compacted.snapshot)
    _log.info("room_compacted", room=room, updates=len(done), snapshot_bytes=size)
    return CompactionResult(room, len(done), size)
