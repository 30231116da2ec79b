"""Restore points of projects: taking them (named, or at the moments a team may want back) and
restoring one as a forward change. collab/restore.py holds the rules; docs/history.md the why.

A point is taken from the live room: its state is read on the event loop (one Rust call),
then compressed and compared with the previous point in a worker process, so a point taken
while a workshop types holds the rooms of the node for no longer than that read.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Final
from uuid import UUID

import structlog
from aiohttp import web

from collab.restore import doc_of_point, prepare_point, present_ids, restore_into
from http_api.keys import DB, ROOMS, SETTINGS
from http_api.periodic import in_background, repeat
from persistence import restore_points
from persistence.restore_points import RestorePoint
from rooms.worker_process import WorkerProcess

__all__ = [
    "take_point",
    "point_on",
    "restore",
    "Restored",
    "running",
    "EVERY_CHECK_S",
    "ActivityPoints",
    "ACTIVITY",
    "BulkDeletePoints",
    "BULK_DELETES",
    "WORKER",
]

_log = structlog.get_logger(__name__)
#: How often the activity loop looks at the open rooms.
EVERY_CHECK_S: Final = 60.0


#: The node's worker process (rooms/worker_process.py; http_api/app.py installs it): the slow
#: part of taking a point (``prepare_point``) runs there, as large compactions do.
WORKER = web.AppKey("worker_process", WorkerProcess)


async def take_point(
    app: web.Application,
    project_id: UUID,
    kind: str,
    *,
    name: str | None = None,
    by: UUID | None = None,
    always: bool = False,
    state: bytes | None = None,
) -> RestorePoint | None:
    """Store a restore point of the project's document as it is now (or as ``state``, a
    full state the room kept from a moment ago).

    An automatic point identical to the newest one is not stored (None); ``always`` stores it
    anyway (a named point, or the one taken just before a restore).
    """
    rooms, db, settings = app[ROOMS], app[DB], app[SETTINGS]
    room_name = str(project_id)
    if state is None:
        state = await rooms.read(room_name, lambda doc: doc.get_update())
    room = rooms.rooms.get(room_name)
    present = present_ids(c.user_id for c in (room.connections if room is not None else ()))
    latest = await restore_points.latest(db, project_id)
    previous, previous_digest = latest if latest is not None else (None, None)
    prepared: tuple[bytes, bytes, dict[str, dict[str, int]]] = await app[WORKER].run(
        prepare_point, state, previous, settings.max_nesting_depth
    )
    stored, digest, summary = prepared
    if not always and digest == previous_digest:
        return None
    point = await restore_points.add(
        db, uuid.uuid4(), project_id, kind, name, by, [UUID(user) for user in present],
        summary, stored, digest,
    )  # fmt: skip
    await restore_points.prune(db, project_id, settings.restore_points_kept)
    _log.info("restore_point_taken", project=room_name, kind=kind, bytes=len(stored))
    return point


async def point_on(
    app: web.Application,
    project_id: UUID,
    kind: str,
    *,
    name: str | None = None,
    by: UUID | None = None,
    state: bytes | None = None,
) -> None:
    """An automatic point at a moment worth coming back to (a phase change, a reveal); a
    failure is logged, never passed on: the change it marks has happened already."""
    try:
        await take_point(app, project_id, kind, name=name, by=by, state=state)
    except Exception:  # a missed point must not fail a facilitator's move
        _log.exception("restore_point_failed", project=str(project_id), kind=kind)


@dataclass(frozen=True, slots=True)
class Restored:
    """What a restore did."""

    point: RestorePoint
    #: the point taken just before: restoring it undoes this restore
    before: RestorePoint
    changes: dict[str, dict[str, int]]


async def restore(
    app: web.Application, project_id: UUID, point: RestorePoint, by: UUID
) -> Restored:
    """Make the live document's content the point's, as one ordinary update.

    Raises:
        InvalidUpdate: the stored point is damaged (nothing changes then).
    """
    db, rooms = app[DB], app[ROOMS]
    stored = await restore_points.state_of(db, project_id, point.id)
    assert stored is not None  # the caller found the point
    depth = app[SETTINGS].max_nesting_depth
    target = doc_of_point(stored, depth)  # checked before anything changes
    before = await take_point(app, project_id, "restore", by=by, always=True)
    assert before is not None
    changes: dict[str, dict[str, int]] = await rooms.transact(
        str(project_id), lambda doc: restore_into(doc, target)
    )
    return Restored(point, before, changes)


class ActivityPoints:
    """Takes an ``activity`` point of each open project whose room changed, once it has been
    ``DTTOOLS_RESTORE_POINT_EVERY_S`` since the last one (or since the room opened)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        #: room -> (its change count at the last point, monotonic time of that point)
        self._seen: dict[str, tuple[int, float]] = {}

    async def check(self, now: float) -> int:
        """One look at the open rooms at monotonic time ``now``; how many points it took."""
        every = self._app[SETTINGS].restore_point_every_s
        rooms = self._app[ROOMS].rooms
        taken = 0
        for name, room in list(rooms.items()):
            project = _project_of(name)
            if project is None:
                continue
            last = self._seen.get(name)
            if last is None:
                self._seen[name] = (room.changes, now)
                continue
            if room.changes == last[0] or now - last[1] < every:
                continue
            changes = room.changes
            await point_on(self._app, project, "activity")
            self._seen[name] = (changes, now)
            taken += 1
        for name in [n for n in self._seen if n not in rooms]:
            del self._seen[name]
        return taken


#: The node's activity points (for tests to look now rather than in a minute).
ACTIVITY = web.AppKey("restore_activity", ActivityPoints)


class BulkDeletePoints:
    """Stores, as a ``bulk-delete`` point, the state a room kept from just before a client
    deleted many entries at once (rooms/room.py, ``on_bulk_delete``)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._tasks: set[asyncio.Task[None]] = set()

    def deleted(self, room: str, state: bytes) -> None:
        """The rooms' callback: store the point in the background (the relay goes on)."""
        project = _project_of(room)
        if project is None:
            return
        task = asyncio.get_running_loop().create_task(
            point_on(self._app, project, "bulk-delete", state=state)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for the points being stored (shutdown, and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


BULK_DELETES = web.AppKey("restore_bulk_deletes", BulkDeletePoints)


@contextlib.asynccontextmanager
async def running(app: web.Application) -> AsyncIterator[None]:
    """Look at the open rooms every :data:`EVERY_CHECK_S` for activity points; keep what a
    bulk delete removed (rooms tell, with the state from just before it)."""
    activity, bulk = app[ACTIVITY], app[BULK_DELETES]
    app[ROOMS].on_bulk_delete = bulk.deleted
    try:
        async with _activity_loop(app, activity):
            yield
    finally:
        app[ROOMS].on_bulk_delete = None
        await bulk.settle()
        await asyncio.to_thread(app[WORKER].close)


@contextlib.asynccontextmanager
async def _activity_loop(app: web.Application, activity: ActivityPoints) -> AsyncIterator[None]:
    if app[SETTINGS].restore_point_every_s <= 0:
        yield
        return
    loop_task = repeat(
        lambda: activity.check(asyncio.get_running_loop().time()),
        first_s=EVERY_CHECK_S, every_s=EVERY_CHECK_S, failed="restore_points_failed",
    )  # fmt: skip
    async with in_background(loop_task, "restore-points"):
        yield


def _project_of(room: str) -> UUID | None:
    try:
        return UUID(room)
    except ValueError:
        return None  # a brainstorm or private room: not a project's content
