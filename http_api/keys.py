"""Every piece of shared application state, as typed AppKeys (no string keys)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import web

from http_api.mail import Mailer
from http_api.principal import Authenticator
from http_api.settings import Settings
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.access import RoomAccess
from rooms.manager import RoomManager

__all__ = [
    "SETTINGS",
    "DB",
    "UPDATE_LOG",
    "COMMITTER",
    "ROOMS",
    "AUTH",
    "MAILER",
    "ROOM_ACCESS",
    "AccessCheck",
]

#: Decides, for a WebSocket client of a room, whether it may connect and whether read-only.
#: Raises Unauthenticated (closed with 4401) or PermissionDenied / NotFound (closed with 4403).
AccessCheck = Callable[[web.Request, str], Awaitable[RoomAccess]]

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", asyncpg.Pool)
UPDATE_LOG = web.AppKey("update_log", UpdateLog)
COMMITTER = web.AppKey("committer", GroupCommitter)
ROOMS = web.AppKey("rooms", RoomManager)
AUTH = web.AppKey("auth", Authenticator)
MAILER = web.AppKey("mailer", Mailer)
#: Optional: without it every WebSocket client may read and write, anonymously.
ROOM_ACCESS: web.AppKey[AccessCheck] = web.AppKey("room_access")
