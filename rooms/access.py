"""Who a connection is and what it may do; revocations remembered for connections in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from collab.close import Close, CloseCode
from collab.envelope import Revocation
from rooms.room import Room

__all__ = ["RoomAccess", "RecentRevocations", "REVOCATION_MEMORY_S", "close_revoked", "selects"]

#: How long a node remembers the revocations it learned: the bound on how long an access check
#: may be reused (http_api/socket_grants.py), since reuse is safe only while they are known.
REVOCATION_MEMORY_S = 300.0


@dataclass(frozen=True, slots=True)
class RoomAccess:
    """The outcome of an access check for one WebSocket client of one room.

    ``user_id`` and ``session_id`` (a login session or an API key id) tag the connection so
    that a later :class:`Revocation` can find it; both are ``None`` for anonymous access.
    """

    read_only: bool = False
    #: held read-only by a facilitator's lock of the board (ends without a reconnect)
    locked: bool = False
    user_id: str | None = None
    session_id: str | None = None
    #: monotonic time the access was read from storage, when it was read before the socket
    #: came (a remembered grant): revocations since then must refuse the socket too
    checked_at: float | None = None


def selects(revocation: Revocation, user_id: str | None, session_id: str | None, room: str) -> bool:
    """Whether ``revocation`` selects a connection with this identity in ``room``.

    A revocation for room ``R`` also selects the rooms named ``R:...``: a project's brainstorm
    and private rooms (collab/brainstorm.py) go with the project's own room, so a member who
    loses access to a project loses all of them.
    """
    if revocation.matches(user_id, session_id, room):
        return True
    scope = revocation.room
    return (
        scope is not None
        and room.startswith(scope + ":")
        and revocation.matches(user_id, session_id, scope)
    )


class RecentRevocations:
    """Revocations of the last ``keep_s`` seconds (pure: time is an argument).

    A client's access check and its room's load take a while; a revocation issued meanwhile
    finds no connection to close yet. The socket adapter asks :meth:`since` with the time its
    check began, just before the client joins, and refuses it if a revocation selects it.

    Stored revocations reach a node twice (Redis and the ``revocations`` table): their ids are
    kept for ``keep_ids_s`` so that :meth:`knows` lets the second copy be ignored. Applying it
    again would close a client that reconnected, with its new rights, in between.
    """

    __slots__ = ("_keep_s", "_keep_ids_s", "_entries", "_ids")

    def __init__(self, keep_s: float = REVOCATION_MEMORY_S, keep_ids_s: float = 3600.0) -> None:
        self._keep_s = keep_s
        self._keep_ids_s = keep_ids_s
        self._entries: deque[tuple[float, Revocation]] = deque()
        self._ids: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, revocation: Revocation, now: float) -> None:
        """Remember ``revocation``, issued (or received from another node) at ``now``."""
        self._entries.append((now, revocation))
        if revocation.id is not None:
            self._ids[revocation.id] = now
        self._prune(now)

    def knows(self, revocation_id: int) -> bool:
        """Whether the stored revocation ``revocation_id`` was recorded here already."""
        return revocation_id in self._ids

    def since(
        self, started: float, now: float, room: str, user_id: str | None, session_id: str | None
    ) -> Revocation | None:
        """The newest revocation after ``started`` that selects this identity, if any."""
        self._prune(now)
        for at, revocation in reversed(self._entries):
            if at < started:
                return None
            if selects(revocation, user_id, session_id, room):
                return revocation
        return None

    def _prune(self, now: float) -> None:
        entries = self._entries
        while entries and entries[0][0] < now - self._keep_s:
            entries.popleft()
        # Insertion order is time order: the oldest ids come first.
        stale = []
        for revocation_id, at in self._ids.items():
            if at >= now - self._keep_ids_s:
                break
            stale.append(revocation_id)
        for revocation_id in stale:
            del self._ids[revocation_id]


def close_revoked(rooms: Mapping[str, Room], revocation: Revocation) -> int:
    """Close, with 4403 and the revocation's reason, every connection it selects in ``rooms``.

    Returns how many were closed. Frames a closed connection still sends are ignored by the
    room, so a revoked editor cannot slip a change in while its socket closes.
    """
    scope = revocation.room
    if scope is None:
        selected = list(rooms.values())
    else:
        # The room itself and its sub-rooms ("{scope}:..."): see :func:`selects`.
        prefix = scope + ":"
        selected = [r for name, r in rooms.items() if name == scope or name.startswith(prefix)]
    close = Close(CloseCode.FORBIDDEN, revocation.reason)
    closed = 0
    for room in selected:
        for conn in list(room.connections):
            if conn.closed is None and selects(
                revocation, conn.user_id, conn.session_id, room.name
            ):
                conn.close(close)
                closed += 1
    return closed
