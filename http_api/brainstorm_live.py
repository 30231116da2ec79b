"""What a brainstorm does by itself, on every node: act when the time is up, keep the
facilitator's progress counts live, and carry locks to the sockets they concern.

* **Time's up.** Every node wakes at the end time of each running session that has a time-up
  rule (:meth:`BrainstormLive.schedule`, called after every change this node makes, and by a
  sweep when the node starts and every :data:`SWEEP_S` seconds for changes made elsewhere).
  The action runs under the session's row lock (:meth:`BrainstormLive.fire`): the first node
  changes the row and marks that countdown handled; the others find it so and do nothing.
* **Progress.** A participant's private room is looked at after each of their changes; when
  "has written" flips, the flag is stored and a snapshot follows, at most one per project
  per :data:`PROGRESS_EVERY_S` on this node (:meth:`BrainstormLive.progress_soon`).
* **Locks.** :func:`after_change` closes the private rooms' writable sockets when the time-up
  lock begins (they reconnect read-only) and their read-only ones when it ends, and sends a
  board lock to every node (rooms/manager.py, ``lock_board``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Coroutine
from datetime import datetime
from typing import Any
from uuid import UUID

import structlog
from aiohttp import web

from collab.board_lock import BoardLock
from collab.brainstorm import Phase, RoomKind, RoomRef, Session, TimeUp, parse_room
from collab.brainstorm import private_rooms_prefix as prefix
from collab.brainstorm_progress import has_note
from collab.brainstorm_time_up import run_key, time_up
from collab.errors import NotFound
from http_api.keys import DB, ROOMS
from http_api.periodic import in_background, repeat
from http_api.revocation import end_sockets
from http_api.versions import point_on
from persistence import brainstorm as store
from persistence.conn import PgPool
from persistence.errors import StorageError
from rooms.brainstorm import publish_snapshot, reveal_notes
from rooms.room import Room

__all__ = [
    "BRAINSTORM_LIVE",
    "BrainstormLive",
    "running",
    "progress_soon",
    "after_change",
    "lock_of",
    "REVEALED",
    "TIME_UP",
    "WRITING_OPEN",
    "SWEEP_S",
    "PROGRESS_EVERY_S",
]

_log = structlog.get_logger(__name__)

#: Close reasons of a private room's sockets (code 4403; docs/brainstorm.md).
REVEALED = "the notes are revealed: reconnect"
TIME_UP = "the time is up: reconnect"
WRITING_OPEN = "writing is open again: reconnect"
#: How often a node looks for sessions to wake for (started or changed on other nodes).
SWEEP_S = 15.0
#: At most one progress snapshot per project this often, from this node.
PROGRESS_EVERY_S = 1.0
#: Wake this long after the end time: the loop's clock and the database's may differ a little
#: (waking early only reschedules).
_LATE_S = 0.05


class _Written:
    """What a private room's watcher last stored, and what the room holds now."""

    __slots__ = ("ref", "now", "sent", "busy")

    def __init__(self, ref: RoomRef) -> None:
        self.ref = ref
        self.now = False
        self.sent: bool | None = None
        self.busy = False


class BrainstormLive:
    """This node's time-up timers and progress publisher (one per application)."""

    def __init__(self, app: web.Application, *, progress_every_s: float = PROGRESS_EVERY_S):
        self._app = app
        self._every_s = progress_every_s
        self._timers: dict[UUID, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pending: set[UUID] = set()
        self._last: dict[UUID, float] = {}

    # --- time's up -----------------------------------------------------------------------

    def schedule(self, session: Session, now: datetime) -> None:
        """Wake at ``session``'s end time (``now``: the database's clock) if its rule has
        something to do then; forget it otherwise (ended, paused, no rule, handled)."""
        timer = self._timers.pop(session.id, None)
        if timer is not None:
            timer.cancel()
        ends_at = session.timer.ends_at
        if session.ended or session.on_time_up is TimeUp.NOTHING or ends_at is None:
            return
        if session.time_up_handled == run_key(session.timer):
            return  # this countdown was acted on (here or on another node)
        delay = max(0.0, (ends_at - now).total_seconds()) + _LATE_S
        self._timers[session.id] = asyncio.get_running_loop().call_later(
            delay, self._wake, session.project_id, session.id
        )

    def _wake(self, project_id: UUID, session_id: UUID) -> None:
        self._timers.pop(session_id, None)
        self._spawn(self._fire_logged(project_id, session_id))

    async def _fire_logged(self, project_id: UUID, session_id: UUID) -> None:
        try:
            await self.fire(project_id, session_id)
        except (StorageError, OSError) as exc:
            _log.warning("brainstorm_time_up_failed", session=str(session_id), error=str(exc))
        except Exception:
            _log.exception("brainstorm_time_up_failed", session=str(session_id))

    async def fire(self, project_id: UUID, session_id: UUID) -> Session | None:
        """Apply the session's time-up rule if it is due; return the session it changed to,
        or None (not due: more time was given, another node acted, it ended). Safe to call
        any number of times on any node."""
        app = self._app
        db = app[DB]
        try:
            async with db.acquire() as conn, conn.transaction():
                before = await store.lock_session(conn, project_id, session_id)
                now = await store.database_now(conn)
                after = time_up(before, now)
                if after is not None:
                    after = await store.save_session(conn, after)
        except NotFound:
            return None  # deleted with its project meanwhile
        if after is None:
            self.schedule(before, now)  # wake again at the end the session has now
            return None
        _log.info(
            "brainstorm_time_up",
            session=str(session_id),
            rule=before.on_time_up.value,
            phase=before.phase.value,
            to=after.phase.value,
        )
        await publish_snapshot(db, app[ROOMS], project_id)
        if before.phase is Phase.SILENT and after.phase is not Phase.SILENT:
            await end_sockets(app, room=prefix(project_id, session_id), reason=REVEALED)
            await point_on(app, project_id, "reveal")
            await reveal_notes(db, app[ROOMS], project_id, session_id)
        await after_change(app, before, after, now)
        return after

    async def sweep(self) -> int:
        """Schedule every running session with a rule (some were started or changed on other
        nodes); return how many this node now waits for."""
        sessions, now = await store.timed_sessions(self._app[DB])
        running = {session.id for session in sessions}
        for session_id in [s for s in self._timers if s not in running]:
            self._timers.pop(session_id).cancel()  # ended, or its rule is now "nothing"
        for session in sessions:
            self.schedule(session, now)
        return len(self._timers)

    # --- progress ------------------------------------------------------------------------

    def progress_soon(self, project_id: UUID) -> None:
        """Publish the project's snapshot (and so its progress) soon: at once, unless this
        node published one less than ``progress_every_s`` ago; never two waiting."""
        if project_id in self._pending:
            return
        self._pending.add(project_id)
        last = self._last.get(project_id)
        delay = 0.0 if last is None else max(0.0, last + self._every_s - time.monotonic())
        self._spawn(self._publish_later(project_id, delay))

    async def _publish_later(self, project_id: UUID, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
        finally:
            self._pending.discard(project_id)
        now = time.monotonic()
        self._last[project_id] = now
        if len(self._last) > 1000:
            self._last = {p: at for p, at in self._last.items() if at > now - self._every_s}
        try:
            await publish_snapshot(self._app[DB], self._app[ROOMS], project_id)
        except (StorageError, OSError) as exc:
            _log.warning("brainstorm_progress_failed", project=str(project_id), error=str(exc))

    def watch(self, room: Room) -> None:
        """Look at a private room after each change its participant makes (the manager's
        ``on_open``); other rooms are left alone."""
        ref = parse_room(room.name)
        if ref is None or ref.kind is not RoomKind.PRIVATE:
            return
        written = _Written(ref)
        room.on_change = lambda: self._changed(room, written)

    def _changed(self, room: Room, written: _Written) -> None:
        written.now = has_note(room.doc)
        if written.busy or written.now == written.sent:
            return
        written.busy = True
        self._spawn(self._record(written))

    async def _record(self, written: _Written) -> None:
        ref = written.ref
        assert ref.session_id is not None  # a private room's
        assert ref.user_id is not None
        try:
            while written.now != written.sent:
                wrote = written.now
                if await store.set_wrote(self._app[DB], ref.session_id, ref.user_id, wrote):
                    self.progress_soon(ref.project_id)
                written.sent = wrote
        except (StorageError, OSError) as exc:
            _log.warning("brainstorm_progress_failed", project=str(ref.project_id), error=str(exc))
        finally:
            written.busy = False

    # --- tasks ---------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop every timer and wait for the work under way to stop."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task


BRAINSTORM_LIVE = web.AppKey("brainstorm_live", BrainstormLive)


@contextlib.asynccontextmanager
async def running(app: web.Application) -> AsyncIterator[BrainstormLive]:
    """This node's :class:`BrainstormLive`, its sweep running, for the application's life."""
    live = BrainstormLive(app)
    app[ROOMS].on_open = live.watch
    sweep = repeat(live.sweep, first_s=0.0, every_s=SWEEP_S, failed="brainstorm_sweep_failed")
    try:
        async with in_background(sweep, "brainstorm-sweep"):
            yield live
    finally:
        app[ROOMS].on_open = None
        await live.close()


def progress_soon(app: web.Application, project_id: UUID) -> None:
    """:meth:`BrainstormLive.progress_soon` of the application (nothing before it runs)."""
    live = app.get(BRAINSTORM_LIVE)
    if live is not None:
        live.progress_soon(project_id)


async def lock_of(db: PgPool, session: Session) -> BoardLock:
    """The lock ``session`` holds on its project's board (none, the board, some notes)."""
    locked, notes = _board_lock(session), session.notes_held
    exempt = await store.board_exempt(db, session.project_id, session) if locked or notes else []
    users = frozenset(str(user) for user in exempt)
    return BoardLock(str(session.project_id), locked, users, notes)


def _board_lock(session: Session) -> bool:
    """Whether the session holds the board locked: while it runs (ending unlocks)."""
    return session.board_locked and not session.ended


async def after_change(
    app: web.Application, before: Session, after: Session, now: datetime
) -> None:
    """Carry a committed change of a session to the sockets it concerns, and wake at its new
    end time. ``now`` is the database's clock of the change."""
    project_id, session_id = after.project_id, after.id
    if before.phase is Phase.SILENT and after.phase is Phase.SILENT and not after.ended:
        if after.writing_locked and not before.writing_locked:
            await end_sockets(app, room=prefix(project_id, session_id), reason=TIME_UP)
        elif before.writing_locked and not after.writing_locked:
            await end_sockets(app, room=prefix(project_id, session_id), reason=WRITING_OPEN)
    locked, notes = _board_lock(after), after.notes_held
    holds = locked or bool(notes)
    if (
        locked != _board_lock(before)
        or notes != before.notes_held
        or (holds and before.facilitators != after.facilitators)
    ):
        app[ROOMS].lock_board(await lock_of(app[DB], after))
    live = app.get(BRAINSTORM_LIVE)
    if live is not None:
        live.schedule(after, now)
