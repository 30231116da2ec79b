"""Every piece of shared application state, as typed AppKeys (no string keys)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import aiohttp
import asyncpg
from aiohttp import web

from http_api.exports_service import ExportService
from http_api.files_service import FileService
from http_api.heartbeat import Heartbeat
from http_api.mail import Mailer
from http_api.oidc import OidcClient
from http_api.personal_export import PersonalExportService
from http_api.principal import Authenticator
from http_api.settings import Settings
from http_api.webhooks_service import WebhookService
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.access import RoomAccess
from rooms.manager import RoomManager

if TYPE_CHECKING:  # it reads memberships through http_api.access, which needs DB from here
    from http_api.account_erasure import AccountEraser  # it revokes through ROOMS from here
    from http_api.socket_grants import SocketGrants

__all__ = [
    "SETTINGS",
    "DB",
    "UPDATE_LOG",
    "COMMITTER",
    "ROOMS",
    "AUTH",
    "MAILER",
    "ROOM_ACCESS",
    "SOCKET_GRANTS",
    "HEARTBEAT",
    "FILES",
    "EXPORTS",
    "WEBHOOKS",
    "FORWARDER",
    "PERSONAL_EXPORTS",
    "ERASER",
    "OIDC",
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
#: Pings silent WebSockets and cuts dead ones, for the whole node (http_api/heartbeat.py).
HEARTBEAT = web.AppKey("heartbeat", Heartbeat)
#: Uploaded files: the blob store, the upload bound, the drainer's wake-up (files_service.py).
FILES = web.AppKey("files", FileService)
#: Export jobs of this node: start, wait, the renderer pool (exports_service.py).
EXPORTS = web.AppKey("exports", ExportService)
#: The HTTP client that forwards REST requests for busy rooms to their node (forwarding.py).
FORWARDER = web.AppKey("forwarder", aiohttp.ClientSession)
#: People's own data exports made on this node (personal_export.py).
PERSONAL_EXPORTS = web.AppKey("personal_exports", PersonalExportService)
#: Account deletion that reaches every copy, and its resume loop (account_erasure.py).
ERASER: web.AppKey[AccountEraser] = web.AppKey("eraser")
#: The OpenID Connect issuers one may sign in with, by provider id (oidc.py).
OIDC: web.AppKey[Mapping[str, OidcClient]] = web.AppKey("oidc")
#: Webhook dispatch and delivery of this node (webhooks_service.py).
WEBHOOKS = web.AppKey("webhooks", WebhookService)
#: The /collab token and membership check, batched and remembered (http_api/socket_grants.py).
SOCKET_GRANTS: web.AppKey[SocketGrants] = web.AppKey("socket_grants")
#: Optional: without it every WebSocket client may read and write, anonymously.
ROOM_ACCESS: web.AppKey[AccessCheck] = web.AppKey("room_access")
