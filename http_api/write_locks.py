"""REST writes respect a brainstorm facilitator's locks, as live edits do.

While a facilitator holds the board locked, or some notes locked, the live room refuses those
changes from everyone but the facilitators, owners and admins (rooms/room.py,
collab/note_locks.py). A REST client must not be a way around that: artifact writes ask here
first and get a 409 while a lock holds them. Sockets opening the board ask too
(http_api/room_access.py), so a join storm of a team costs no query per socket.

Which lock holds comes from what this node learned on the bus (every change of a lock is
published to every node, rooms/manager.py); a node that has heard of no lock for the project
in the last hour reads the running session (remembered for :data:`TTL_S`, so a burst of writes
costs one query), which covers a node that missed the bus while Redis was away. The first
socket of a project reads its team in a statement that also says whether the running session
holds a lock (http_api/socket_grants.py): when none does, that counts as such a read.
"""

from __future__ import annotations

import time
from typing import Final
from uuid import UUID

from aiohttp import web

from collab.board_lock import BoardLock
from collab.errors import Conflict
from collab.i18n import msg
from http_api.brainstorm_live import lock_of
from http_api.keys import DB, ROOMS
from http_api.principal import Principal
from persistence import brainstorm

__all__ = ["refuse_locked_write", "current_lock", "TTL_S", "LOCK_READS", "LockReads"]

#: How long a lock read from storage is trusted before it is read again.
TTL_S: Final = 5.0
_MAX_REMEMBERED: Final = 10_000


class LockReads:
    """Locks read from storage per project, each trusted for :data:`TTL_S`."""

    def __init__(self) -> None:
        self._read: dict[UUID, tuple[float, BoardLock | None]] = {}

    def get(self, project_id: UUID, now: float) -> tuple[bool, BoardLock | None]:
        """(whether a fresh read is remembered, the lock it found)."""
        remembered = self._read.get(project_id)
        if remembered is None or remembered[0] <= now:
            return False, None
        return True, remembered[1]

    def put(self, project_id: UUID, lock: BoardLock | None, now: float) -> None:
        if len(self._read) >= _MAX_REMEMBERED:
            self._read.clear()
        self._read[project_id] = (now + TTL_S, lock)

    def none_held(self, project_id: UUID, read_at: float) -> None:
        """Another read (a socket's team read, http_api/socket_grants.py) found no lock.

        A remembered read that began later is newer, and stays.
        """
        remembered = self._read.get(project_id)
        if remembered is None or remembered[0] < read_at + TTL_S:
            self.put(project_id, None, read_at)


#: Installed by http_api/app.py.
LOCK_READS = web.AppKey("lock_reads", LockReads)


async def refuse_locked_write(
    request: web.Request, principal: Principal, project_id: UUID, idea_id: str | None = None
) -> None:
    """Refuse a write to the project's document while a lock holds it for ``principal``.

    ``idea_id``: the idea the write changes, if it changes one.

    Raises:
        Conflict: the board is locked, or ``idea_id`` is a locked note.
    """
    lock = await current_lock(request.app, project_id)
    if lock is None or str(principal.user_id) in lock.exempt:
        return
    if lock.locked:
        raise Conflict(msg("the facilitator locked the board: only facilitators change it now"))
    if idea_id is not None and idea_id in lock.notes:
        raise Conflict(msg("a facilitator locked this note: only facilitators change it now"))


async def current_lock(app: web.Application, project_id: UUID) -> BoardLock | None:
    """The lock a running session holds on the project's board (None: none).

    What the bus told this node comes first; otherwise the running session is read, at most
    every :data:`TTL_S` per project, and a lock found that way is taught to this node's rooms
    (it missed the bus) so they refuse changes to locked notes too.
    """
    rooms = app[ROOMS]
    learned = rooms.board_lock(str(project_id))
    if learned is not None:
        return learned
    now = time.monotonic()
    fresh, lock = app[LOCK_READS].get(project_id, now)
    if fresh:
        return lock
    session = await brainstorm.running_session(app[DB], project_id)
    if session is not None and (session.board_locked or session.notes_held):
        lock = await lock_of(app[DB], session)
        rooms.learn_board_lock(lock)
    app[LOCK_READS].put(project_id, lock, now)
    return lock
