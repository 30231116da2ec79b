"""Record where artifacts created live are, as they enter a room, so lookups never load rooms.

Item routes (``/v1/ideas/{id}``) carry no project id: the artifact index says which project
holds an id. REST creates record their artifacts themselves; a browser's live edit reaches
only the room. Looking for an unknown id through every project of the caller would load each
of them into memory, so instead every open project room is watched here: the room hands over
each applied update that puts something directly in a root type (which its nesting check
already knows, at no cost to the relay), and the update's new root-map keys in a collection
(a new artifact, never an edit inside one) are queued as ``(project, kind, id)``. No pycrdt
observer is kept per room: eight of them (one per collection) cost 12 KiB per open room.
One background task writes the queue in one statement, and
keeps what it could not write for the next try. Until written, :meth:`ArtifactWatch.recent`
answers from memory, so a lookup on this node finds an artifact the moment it exists.

When a room loads, every artifact already in it is queued too: that covers live edits whose
node died before writing them (compaction, which also reindexes, may not have run yet).
Entries are only ever added; a stale one (an artifact deleted live) costs a lookup one read of
a room the caller may see, never a wrong answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any
from uuid import UUID

import structlog

from collab.artifacts import KINDS
from collab.nesting import MAX_ALLOWED_DEPTH
from collab.schema import artifact_ids
from collab.update_scan import root_entries
from persistence import artifact_index
from persistence.conn import PgPool
from persistence.errors import StorageError
from rooms.room import Room, RoomState

__all__ = ["ArtifactWatch", "project_of"]

_log = structlog.get_logger(__name__)
# After a failed write, wait this long before the next try (PostgreSQL is away).
_RETRY_S = 1.0

# Rooms watched before closed ones are looked for (then twice as many as remain).
_MIN_PRUNE_AT = 64

Entry = tuple[UUID, str, str]  # (project, collection, item id)
Spawn = Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]


def project_of(room: str) -> UUID | None:
    """The project a room is the document of, or None (brainstorm and free-form rooms)."""
    try:
        return UUID(room)
    except ValueError:
        return None


class ArtifactWatch:
    """Watches the project rooms open on this node and writes new artifact ids to the index."""

    def __init__(self, pool: PgPool, spawn: Spawn) -> None:
        self._pool = pool
        self._spawn = spawn
        self._queued: set[Entry] = set()
        self._writing: set[Entry] = set()
        self._watched: dict[str, Room] = {}
        self._writer: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._prune_at = _MIN_PRUNE_AT

    def watch(self, room: Room) -> None:
        """Queue the artifacts of a room just loaded and those added to it from now on."""
        project = project_of(room.name)
        if project is None or room.state is not RoomState.OPEN:
            return
        if len(self._watched) >= self._prune_at:
            # Amortized: a scan when the map has doubled, not one per room opened (a storm
            # opening 2,000 rooms would scan 2 million entries).
            self._forget_closed()
            self._prune_at = max(_MIN_PRUNE_AT, 2 * len(self._watched))
        self._queued.update((project, kind, item) for kind, item in artifact_ids(room.doc))
        room.on_root_change = self._reader(project)
        self._watched[room.name] = room
        self._start_writer()

    def watching(self, name: str) -> bool:
        """Whether room ``name`` is watched."""
        return name in self._watched

    def forget(self, name: str) -> None:
        """Stop watching room ``name`` (closed: its document can go)."""
        room = self._watched.pop(name, None)
        if room is not None:
            room.on_root_change = None

    def recent(self, collection: str, item_id: str) -> list[UUID]:
        """Projects seen to hold ``item_id`` that the index may not list yet."""
        return [
            project
            for project, kind, item in (*self._queued, *self._writing)
            if item == item_id and kind == collection
        ]

    async def written(self) -> None:
        """Wait until everything queued so far is in the index (tests, shutdown)."""
        await self._idle.wait()

    def _reader(self, project: UUID) -> Callable[[bytes], None]:
        def added(update: bytes) -> None:
            # Runs in the relay path, after the update was applied and relayed: a bug here
            # must not escape into the room.
            try:
                new = [
                    (project, root, key)
                    for root, key in root_entries(update, MAX_ALLOWED_DEPTH)
                    if root in KINDS
                ]
                if new:
                    self._queued.update(new)
                    self._start_writer()
            except Exception:
                _log.exception("artifact_watch_failed", project=str(project))

        return added

    def _forget_closed(self) -> None:
        """Drop the observers of rooms this node closed (their documents can go)."""
        for name, room in list(self._watched.items()):
            if room.state is RoomState.CLOSED:
                del self._watched[name]

    def _start_writer(self) -> None:
        if self._queued and (self._writer is None or self._writer.done()):
            self._idle.clear()
            self._writer = self._spawn(self._write())

    async def _write(self) -> None:
        try:
            while self._queued:
                self._writing, self._queued = self._queued, set()
                try:
                    await artifact_index.remember_many(self._pool, self._writing)
                except StorageError as exc:
                    _log.warning("artifact_index_write_failed", error=str(exc))
                    self._queued |= self._writing
                    self._writing = set()
                    await asyncio.sleep(_RETRY_S)
                self._writing = set()
        finally:
            self._queued |= self._writing
            self._writing = set()
            if not self._queued:
                self._idle.set()
