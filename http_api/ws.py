"""/collab/{room}: adapt an aiohttp WebSocket to a rooms Connection (reader + writer tasks)."""

from __future__ import annotations

import asyncio
import re
import time
from contextlib import suppress
from urllib.parse import unquote_plus

import structlog
from aiohttp import WSMsgType, web

from collab.artifacts import SCHEMA_VERSION
from collab.close import Close, CloseCode
from collab.errors import DTToolsError, NotFound, PermissionDenied, Unauthenticated
from collab.i18n import msg
from http_api.client_address import client_address
from http_api.i18n import reader_locale
from http_api.keys import HEARTBEAT, ROOM_ACCESS, ROOMS, SETTINGS
from http_api.problems import SOCKET_PREFIX, InvalidRequest, http_problem, problem_for
from http_api.ws_direct import DirectWebSocketResponse, direct_path_lost
from http_api.ws_transport import WebSocketTransport
from persistence.errors import StorageError
from rooms.access import RoomAccess
from rooms.connection import CLOSE_GRACE_S, Connection
from rooms.errors import NodeFull
from rooms.fair_share import ACTING_USER, FairShareExceeded
from rooms.manager import RoomManager
from rooms.metrics import BYTES_IN, CONNECTIONS_CLOSED, CONNECTIONS_REFUSED
from rooms.room import Room

__all__ = [
    "routes",
    "ROOM_NAME",
    "RoomAccess",
    "allow_everyone",
    "query_value",
]

_log = structlog.get_logger(__name__)
routes = web.RouteTableDef()

#: Room names: 1-128 characters, letters, digits and ``._:-``, not starting with a symbol.
ROOM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# What ends the read loop (as ``async for`` over the response would).
_ENDED = frozenset((WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED))


async def allow_everyone(_request: web.Request, _room: str) -> RoomAccess:
    """The access check used when none is installed: anyone may read and write, anonymously."""
    return RoomAccess()


def _outdated(request: web.Request) -> Close | None:
    """Refuse one of our own clients (``ext=1``: the browser app, the SDKs) that does not say
    it writes this schema (``schema=2``): a page or SDK from before it would write free text
    as plain strings over the Y.Text others type in. Clients without ``ext`` are not ours to
    know (the caller does not ask); docs/document-schema.md is their contract."""
    declared = query_value(request, "schema")
    if declared is not None and declared.isdigit() and int(declared) >= SCHEMA_VERSION:
        return None
    return Close(
        CloseCode.CLIENT_OUTDATED,
        f"this client writes an older document schema; the server uses {SCHEMA_VERSION}: "
        "reload the page or update the SDK",
    )


async def _check_access(
    request: web.Request, name: str, manager: RoomManager
) -> RoomAccess | Close:
    """Run the installed access check; map a refusal to the close frame the client gets.

    A browser cannot read the body of a refused upgrade, so refusals are close frames after
    the upgrade, with a code the client can act on (4401: log in again; 4403: no access).
    """
    check = request.app.get(ROOM_ACCESS, allow_everyone)
    try:
        return await check(request, name)
    except Unauthenticated as exc:
        return Close(CloseCode.UNAUTHORIZED, str(exc) or "unauthorized")
    except (PermissionDenied, NotFound) as exc:
        return Close(CloseCode.FORBIDDEN, str(exc) or "forbidden")
    except StorageError as exc:
        return manager.room_for_error(exc)


@routes.get(SOCKET_PREFIX + "{room}")
async def collab(request: web.Request) -> web.StreamResponse:
    """Serve one y-websocket client for one room."""
    name = request.match_info["room"]
    if not ROOM_NAME.fullmatch(name):
        return _problem(
            request,
            InvalidRequest(
                msg(
                    "invalid room name {name!r}: use 1-128 letters, digits and ._:- characters",
                    name=name[:40],
                )
            ),
        )
    settings = request.app[SETTINGS]
    manager = request.app[ROOMS]
    # Admission control before the upgrade: a node past its limits answers 503 with a
    # Retry-After spread at random (problem+json), instead of accepting what it cannot serve.
    try:
        manager.admit()
    except NodeFull as exc:
        CONNECTIONS_REFUSED.labels("node-full").inc()
        _log.info("connection_refused", room=name, reason=str(exc))
        return _problem(request, exc)
    joining = True
    heartbeat = request.app[HEARTBEAT]
    ws = DirectWebSocketResponse(
        # The node's heartbeat watches sockets (http_api/heartbeat.py); aiohttp's own, a timer
        # per socket, only if its internals changed and messages cannot be counted.
        heartbeat=settings.heartbeat_s if direct_path_lost() else None,
        # The session rejects frames over max_frame_bytes with a reason; aiohttp's own cap (it
        # closes with a bare 1009) only stops absurd frames before they are buffered whole.
        max_msg_size=2 * settings.max_frame_bytes,
        compress=False,
    )
    try:
        try:
            await ws.prepare(request)
        except web.HTTPException as exc:  # not a WebSocket upgrade (a plain GET, say)
            return http_problem(exc, reader_locale(request))
        if ws.direct_available and request.transport is not None:
            heartbeat.track(ws, request.transport)
        room, conn = await _join(request, ws, name, manager)
        if room is None or conn is None:
            return ws
        manager.joined()
        joining = False
        try:
            await _serve(ws, room, conn)
        finally:
            manager.release(room, conn)
            manager.fair_share.release_socket(conn.user_id, client_address(request))
        if conn.closed is not None and conn.closed.code != CloseCode.GOING_AWAY:
            closed = conn.closed
            _log.info(
                "connection_closed",
                room=name,
                conn=conn.id,
                code=int(closed.code),
                reason=closed.reason,
            )
        return ws
    finally:
        heartbeat.forget(ws)
        ws.release_cycles(request)
        if joining:
            manager.joined()
            manager.release(None, None)


async def _join(
    request: web.Request, ws: DirectWebSocketResponse, name: str, manager: RoomManager
) -> tuple[Room | None, Connection | None]:
    """Check access and fair share, open the room and build the connection; or close the socket.

    Returns (None, None) once the socket is closed with the reason it was refused. Otherwise
    the socket holds its fair share (released by the caller when the connection ends).
    """
    ext = query_value(request, "ext") == "1"
    outdated = _outdated(request) if ext else None
    if outdated is not None:
        CONNECTIONS_CLOSED.labels(str(int(outdated.code))).inc()
        _log.info("connection_refused", room=name, code=int(outdated.code))
        await _close(ws, outdated)
        return None, None
    checked_at = time.monotonic()
    access = await _check_access(request, name, manager)
    if isinstance(access, Close):
        CONNECTIONS_CLOSED.labels(str(int(access.code))).inc()
        _log.info("connection_refused", room=name, code=int(access.code), reason=access.reason)
        await _close(ws, access)
        return None, None
    # Fair share before anything is loaded: one account or address cannot take the node.
    address = client_address(request)
    try:
        manager.fair_share.admit_socket(access.user_id, address)
    except FairShareExceeded as exc:
        _log.info("connection_refused", room=name, limit=exc.share.value, user=access.user_id)
        await _close(ws, manager.room_for_error(exc))
        return None, None
    if access.checked_at is not None:  # a remembered grant: read before this socket came
        checked_at = min(checked_at, access.checked_at)
    # A load for this socket counts against its account; reset after the load, so the
    # socket's long-lived task does not keep a context of its own.
    acting = ACTING_USER.set(access.user_id)
    refused: Close | None = None
    try:
        room = await manager.open(name)
    except (NodeFull, FairShareExceeded, StorageError) as exc:
        ACTING_USER.reset(acting)
        _log.warning("room_open_failed", room=name, error=type(exc).__name__)
        refused = manager.room_for_error(exc)
    else:
        ACTING_USER.reset(acting)
        conn = Connection(
            WebSocketTransport(ws, request.transport),
            manager.limits,  # one shared value (``settings.limits`` builds a new one)
            ext=ext,
            now=time.monotonic(),
            read_only=access.read_only,
            user_id=access.user_id,
            session_id=access.session_id,
        )
        # A board lock learned since the check began overrides what the check read.
        locked = manager.board_lock_since(checked_at, name, access.user_id)
        conn.locked = access.locked if locked is None else locked
        # Revoked while its access check or the room's load was under way: refuse it now
        # (from here to joining the room nothing awaits).
        revoked = manager.revoked_since(checked_at, name, access.user_id, access.session_id)
        if revoked is None:
            return room, conn
        refused = Close(CloseCode.FORBIDDEN, revoked.reason)
        conn.close(refused)  # counted like every close the server makes
    manager.fair_share.release_socket(access.user_id, address)
    await _close(ws, refused)
    return None, None


async def _serve(ws: DirectWebSocketResponse, room: Room, conn: Connection) -> None:
    """Read in this (the request's) task until either side ends the connection.

    Every binary message goes to the room; a text message closes the socket. Binary messages
    go straight from aiohttp's parser to the room once none waits in the queue
    (http_api/ws_direct.py); until then, and for every other message type, the loop below
    reads them in order.

    No other task is kept per connection: the connection starts a writer only while frames
    wait or a close is being sent (rooms/connection.py), which is what lets thousands of idle
    sockets sit cheaply in a node. The read loop is inline, not a coroutine of its own: one
    frame less per idle socket.
    """

    def deliver(data: bytes) -> None:
        BYTES_IN.inc(len(data))
        try:
            room.receive(conn, data)
        except Exception:  # a bug, not bad input: that socket goes, the room stays
            _log.exception("receive_failed", room=room.name, conn=conn.id)
            conn.close(Close(CloseCode.INTERNAL_ERROR, "internal error"))

    try:
        room.join(conn)
        direct = ws.deliver_binary(deliver)
        while True:
            if direct and not await ws.wait_readable():
                break  # the server is closing this socket: its close() reads the handshake
            message = await ws.receive()
            kind = message.type
            if kind in _ENDED:
                break
            if kind is WSMsgType.BINARY:
                deliver(message.data)
                if not direct:
                    direct = ws.deliver_binary(deliver)
            elif kind is WSMsgType.TEXT:
                conn.close(Close(CloseCode.UNSUPPORTED_DATA, "text frames are not supported"))
            # Once closed, frames are ignored (the session drops them) until the writer's
            # close frame ends the handshake and this loop.
        writer = conn.writer
        if conn.closed is not None and writer is not None:
            # We asked to close (bad frame, rate limit, full outbox, shutdown): the close
            # frame is on its way. A client that stopped reading can hold that write forever;
            # the connection cuts the socket after its grace period.
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(writer), CLOSE_GRACE_S)
    finally:
        ws.deliver_binary(None)  # late frames must not reach a room this connection left
        conn.stop()
        if conn.closed is not None and not ws.closed:
            await _close(ws, conn.closed)


def _problem(request: web.Request, exc: DTToolsError) -> web.Response:
    """A refusal before the upgrade, rendered here (the problem middleware leaves sockets be)."""
    response = problem_for(exc, reader_locale(request))
    assert response is not None  # both errors used here are in the problem table
    return response


def query_value(request: web.Request, name: str) -> str | None:
    """A query parameter of a WebSocket request, parsed without ``request.query``.

    ``request.query`` is cached on the request, which lives as long as the socket: a parsed
    copy of the query string (the token included) per idle connection, for two lookups.
    Reads as ``urllib.parse.parse_qsl`` does (blank values left out, ``+`` and escapes
    decoded, the first match wins), without decoding the parts it does not need.
    """
    for part in request.query_string.split("&"):
        key, _, value = part.partition("=")
        if not value:
            continue
        if "%" in key or "+" in key:
            key = unquote_plus(key)
        if key == name:
            return unquote_plus(value) if "%" in value or "+" in value else value
    return None


async def _close(ws: web.WebSocketResponse, close: Close) -> None:
    await ws.close(code=int(close.code), message=close.reason.encode())
