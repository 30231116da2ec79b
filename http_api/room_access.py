"""Who may open /collab/{room}: rooms are projects; members connect, viewers read only.

A project also has brainstorm rooms (collab/brainstorm.py): ``{project}:brainstorm``, which
the server alone writes (every member connects read-only), and ``{project}:private:{session}:
{user}``, where one participant writes hidden notes during silent ideation (nobody else may
open it, not even an owner or an admin; it turns read-only once the notes are revealed).

Browsers cannot set headers on a WebSocket, so the access token comes as the ``token`` query
parameter, or as the session cookie a same-origin page sends by itself. A cookie is sent
cross-site too (for WebSockets, SameSite=Strict is the only guard browsers apply), so a
cookie-authenticated upgrade must also come from our own origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from collab.brainstorm import Phase, RoomKind, RoomRef, parse_room
from collab.errors import NotFound, PermissionDenied, Unauthenticated
from collab.i18n import msg
from collab.permissions import Action, allowed
from http_api.brainstorm_live import progress_soon
from http_api.keys import DB, ROOMS, SETTINGS, SOCKET_GRANTS
from http_api.principal import ACCESS_COOKIE
from http_api.socket_grants import Grant
from http_api.write_locks import current_lock
from http_api.ws import query_value
from persistence import brainstorm
from rooms.access import RoomAccess

__all__ = ["project_room_access"]


async def project_room_access(request: web.Request, room: str) -> RoomAccess:
    """The access check installed for /collab/{room} (see http_api/ws.py).

    Raises:
        Unauthenticated: no token, or an invalid one (the client gets close code 4401).
        NotFound, PermissionDenied: not a member, or a cross-site cookie (4403).
    """
    if request.app[SETTINGS].open_rooms:
        return RoomAccess()
    ref = parse_room(room)
    if ref is None:
        raise NotFound(msg("no such project: a room is named by its project id"))
    grant = await request.app[SOCKET_GRANTS].grant(
        _credential(request), ref.project_id, room, request.app[ROOMS].revoked_since
    )
    locked = False
    if ref.kind is RoomKind.PROJECT:
        read_only = not allowed(grant.role, Action.WRITE)
        locked = not read_only and await _board_locked(request, grant, ref)
    elif ref.kind is RoomKind.BRAINSTORM:
        read_only = True  # the server writes it; every client, owners included, reads
    else:
        read_only = await _private_read_only(request, grant, ref)
    return RoomAccess(
        read_only=read_only,
        locked=locked,
        user_id=str(grant.user_id),
        session_id=str(grant.credential_id),
        checked_at=grant.checked_at,
    )


async def _board_locked(request: web.Request, grant: Grant, ref: RoomRef) -> bool:
    """Whether a facilitator's lock of the board holds this writer read-only (it does not
    hold owners, admins or the running session's named facilitators)."""
    if allowed(grant.role, Action.MANAGE):
        return False
    lock = await current_lock(request.app, ref.project_id)
    return lock is not None and lock.locked and str(grant.user_id) not in lock.exempt


async def _private_read_only(request: web.Request, grant: Grant, ref: RoomRef) -> bool:
    """Whether the participant's own private room opens read-only; refuse anyone else."""
    assert ref.session_id is not None  # parse_room sets both for private rooms
    if ref.user_id != grant.user_id:
        raise PermissionDenied(msg("a private brainstorm room is open only to its participant"))
    if not allowed(grant.role, Action.WRITE):
        raise PermissionDenied(msg("viewers watch a brainstorm: they write no notes"))
    db = request.app[DB]
    session, _now = await brainstorm.read_session(db, ref.project_id, ref.session_id)
    if session.ended or session.phase is not Phase.SILENT:
        return True  # revealed already: whatever is left here goes at the next reveal
    if session.writing_locked:
        return True  # the time is up (the lock rule) until a facilitator gives more time
    if await brainstorm.add_participant(db, session.id, grant.user_id):
        progress_soon(request.app, ref.project_id)  # one more participant to count
    return False


def _credential(request: web.Request) -> str:
    """The token or API key the socket presents (query parameter, else same-origin cookie)."""
    token = query_value(request, "token")
    if token:
        return token
    cookie = request.cookies.get(ACCESS_COOKIE)
    if not cookie:
        raise Unauthenticated(
            msg("sign in: pass ?token=<access token or API key>, or a session cookie")
        )
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise PermissionDenied(msg("cross-site WebSocket with a session cookie refused"))
    return cookie
