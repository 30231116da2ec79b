"""A facilitator's lock of a project's board or of some of its notes, as it travels between
nodes (pure).

While a brainstorm facilitator has the board locked, only the people in ``exempt`` (the
project's owners, admins and the session's facilitators) edit the ``{project}`` room; every
other live connection turns read-only in place, on every node, and turns back when the lock
ends (rooms/manager.py, :meth:`lock_board`). Sockets opened meanwhile learn it from their
access check (http_api/room_access.py).

Locked ``notes`` (idea ids) stay writable for everyone else except those notes: the room
refuses any update that changes one of them from a connection not in ``exempt``
(collab/note_locks.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import msgpack

from collab.errors import MalformedMessage

__all__ = ["BoardLock", "pack_board_lock", "unpack_board_lock"]


@dataclass(frozen=True, slots=True)
class BoardLock:
    """The lock state of one room: ``locked``, and who keeps writing while it is."""

    room: str
    locked: bool
    exempt: frozenset[str] = frozenset()
    #: ideas (keys of the root map ``ideas``) only the exempt may change
    notes: frozenset[str] = frozenset()

    def blocks(self, user_id: str | None) -> bool:
        """Whether a connection of ``user_id`` is held read-only by this lock."""
        return self.locked and user_id not in self.exempt


def pack_board_lock(lock: BoardLock) -> bytes:
    """Serialize a lock as the payload of a BOARD_LOCK envelope."""
    fields = [lock.room, lock.locked, sorted(lock.exempt), sorted(lock.notes)]
    data: bytes = msgpack.packb(fields, use_bin_type=True)
    return data


def unpack_board_lock(data: bytes) -> BoardLock:
    """Parse the payload of a BOARD_LOCK envelope.

    Raises:
        MalformedMessage: the bytes are not a board lock.
    """
    try:
        fields = msgpack.unpackb(data, raw=False)
    except (ValueError, TypeError, OverflowError) as exc:
        raise MalformedMessage(f"undecodable board lock: {type(exc).__name__}") from None
    # Three items from a node that predates note locks (a rolling deploy): no notes locked.
    if not isinstance(fields, list) or len(fields) not in (3, 4):
        raise MalformedMessage("board lock is not a 3- or 4-item array")
    room, locked, exempt, *rest = fields
    notes = rest[0] if rest else []
    if not (
        isinstance(room, str)
        and isinstance(locked, bool)
        and isinstance(exempt, list)
        and all(isinstance(user, str) for user in exempt)
        and isinstance(notes, list)
        and all(isinstance(note, str) for note in notes)
    ):
        raise MalformedMessage("board lock field of the wrong type")
    return BoardLock(room, locked, frozenset(exempt), frozenset(notes))
