"""End live sockets when access ends: logout, token reuse, key revocation, member removal.

Every revocation is stored in PostgreSQL (``revocations``), where every node reads it within
``DTTOOLS_REVOCATION_POLL_S`` at worst, and announced at once: sockets on this node close
here, those on other nodes when Redis delivers the REVOKE envelope (docs/security.md,
"Revocation without Redis").

Store it in the transaction of the change that ends access, with :func:`record`, and call
:func:`announce` after the commit: a crash in between loses nothing, since the row commits
with the change. :func:`end_sockets` does both for a change that was committed elsewhere.
"""

from __future__ import annotations

from uuid import UUID

from aiohttp import web

from collab.envelope import Revocation
from http_api.keys import DB, ROOMS
from persistence import revocations
from persistence.conn import Conn
from rooms.manager import RoomManager

__all__ = ["record", "announce", "announce_to", "end_sockets"]


async def record(
    conn: Conn,
    *,
    reason: str,
    session_id: UUID | None = None,
    user_id: UUID | None = None,
    project_id: UUID | None = None,
    room: str | None = None,
) -> Revocation:
    """Store, in the caller's transaction, which sockets lose access; announce it after commit.

    ``project_id`` selects the project's room and its sub-rooms; ``room`` names a room (and
    its sub-rooms) directly.
    """
    if project_id is not None:
        room = str(project_id)
    revocation = Revocation(
        user_id=None if user_id is None else str(user_id),
        session_id=None if session_id is None else str(session_id),
        room=room,
        reason=reason,
    )
    revocation_id = await revocations.record(
        conn,
        reason=reason,
        user_id=revocation.user_id,
        session_id=revocation.session_id,
        room=revocation.room,
    )
    return Revocation(revocation.user_id, revocation.session_id, room, reason, revocation_id)


def announce(app: web.Application, revocation: Revocation) -> None:
    """Close the revoked sockets here and tell the other nodes through Redis, now."""
    announce_to(app[ROOMS], revocation)


def announce_to(rooms: RoomManager, revocation: Revocation) -> None:
    """:func:`announce` for code that holds the room manager rather than the application."""
    rooms.revoke(
        reason=revocation.reason,
        session_id=revocation.session_id,
        user_id=revocation.user_id,
        room=revocation.room,
        revocation_id=revocation.id,
    )


async def end_sockets(
    app: web.Application,
    *,
    reason: str,
    session_id: UUID | None = None,
    user_id: UUID | None = None,
    project_id: UUID | None = None,
    room: str | None = None,
) -> None:
    """Store and announce a revocation for a change that has already committed."""
    async with app[DB].acquire() as conn:
        revocation = await record(
            conn,
            reason=reason,
            session_id=session_id,
            user_id=user_id,
            project_id=project_id,
            room=room,
        )
    announce(app, revocation)
