"""Who may open /collab/{room}: rooms are projects; members connect, viewers read only.

Browsers cannot set headers on a WebSocket, so the access token comes as the ``token`` query
parameter, or as the session cookie a same-origin page sends by itself. A cookie is sent
cross-site too (for WebSockets, SameSite=Strict is the only guard browsers apply), so a
cookie-authenticated upgrade must also come from our own origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from aiohttp import web

from collab.errors import NotFound, PermissionDenied, Unauthenticated
from collab.permissions import Action, allowed
from http_api.access import project_access
from http_api.keys import AUTH, SETTINGS
from http_api.principal import ACCESS_COOKIE, Principal
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
    try:
        project_id = UUID(room)
    except ValueError:
        raise NotFound("no such project: a room is named by its project id") from None
    principal = await _principal(request)
    access = await project_access(request, principal, project_id)
    return RoomAccess(
        read_only=not allowed(access.role, Action.WRITE),
        user_id=str(principal.user_id),
        session_id=str(principal.credential_id),
    )


async def _principal(request: web.Request) -> Principal:
    auth = request.app[AUTH]
    token = request.query.get("token")
    if token:
        return await auth.from_token(token, via="bearer")
    cookie = request.cookies.get(ACCESS_COOKIE)
    if not cookie:
        raise Unauthenticated("sign in: pass ?token=<access token or API key>, or a session cookie")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise PermissionDenied("cross-site WebSocket with a session cookie refused")
    return await auth.from_token(cookie, via="cookie")
