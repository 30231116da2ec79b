"""A stand-in for the auth layer's WebSocket access check, and nodes started with one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestServer

from collab.artifacts import SCHEMA_VERSION
from collab.errors import PermissionDenied, Unauthenticated
from http_api.app import create_app
from http_api.keys import ROOM_ACCESS, AccessCheck
from http_api.settings import Settings
from rooms.access import RoomAccess
from tests.conftest import RunningServer
from tests.support.yclient import YClient

__all__ = ["access_from_query", "start_node", "connect"]


async def access_from_query(request: web.Request, _room: str) -> RoomAccess:
    """Identity and role from the query string; ``deny=401|403`` refuses the client."""
    query = request.query
    if query.get("deny") == "401":
        raise Unauthenticated("access token expired")
    if query.get("deny") == "403":
        raise PermissionDenied("not a member of this project")
    return RoomAccess(
        read_only=query.get("role") == "viewer",
        user_id=query.get("user"),
        session_id=query.get("session"),
    )


async def start_node(
    make_settings: Callable[..., Settings],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    check: AccessCheck | None = None,
    **overrides: Any,
) -> RunningServer:
    """Start an in-process server, with ``check`` installed as its WebSocket access check."""
    app = create_app(make_settings(**overrides))
    if check is not None:
        app[ROOM_ACCESS] = check  # before the app starts: its state is frozen after
    return RunningServer(app, await aiohttp_server(app, host="127.0.0.1"))


async def connect(server: RunningServer, room: str, **params: str) -> YClient:
    """Connect to ``room`` with query parameters (pass ``ext="1"`` to opt in to extensions;
    such a client declares the current document schema unless ``schema`` is given)."""
    if params.get("ext") == "1":
        params = {"schema": str(SCHEMA_VERSION), **params}
    return await YClient.connect(server.ws_url, f"{room}?{urlencode(params)}", ext=False)
