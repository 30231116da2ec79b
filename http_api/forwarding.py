"""Forward a REST request for a busy room to the node that has it open (rooms/homes.py).

A handler calls :func:`forward_if_elsewhere` before it touches a project's document; when
another node advertises the project's room (it has live sockets there) and this node does
not have it open, :class:`Forward` unwinds the handler to :func:`forwarding_middleware`,
which sends the same request (method, path, query, body, credentials, conditional and
idempotency headers) to that node and relays its answer. Everything before that point in a
handler is a check (authentication, access, body validation), so nothing is done twice.

A forwarded request carries ``X-DTTools-Forwarded`` and is never forwarded again. If the
other node cannot be reached, the request is served here after all, from a local copy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final
from uuid import UUID

import aiohttp
import structlog
from aiohttp import web

from http_api.keys import FORWARDER, ROOMS

__all__ = ["FORWARDED_HEADER", "Forward", "forward_if_elsewhere", "forwarding_middleware"]

_log = structlog.get_logger(__name__)
FORWARDED_HEADER: Final = "X-DTTools-Forwarded"
# Set on a request that must be served here (its forward failed).
_SERVE_HERE: Final = web.RequestKey("dttools.serve_here", bool)
# Request headers that belong to this hop, not to the request.
_HOP: Final = frozenset(
    {"host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "te"}
)
# Response headers relayed from the other node (ours add the rest: security, CORS, limits).
_RELAYED: Final = (
    "Content-Type",
    "ETag",
    "Location",
    "Retry-After",
    "Cache-Control",
    "Content-Disposition",
    "Content-Language",
    "Idempotent-Replayed",
    "Deprecation",
    "Link",
)
_TIMEOUT: Final = aiohttp.ClientTimeout(total=30, connect=2)


class Forward(Exception):  # a signal, not an error: never reaches a client
    """The request is for a room another node serves: send it to ``home``."""

    def __init__(self, home: str) -> None:
        super().__init__(home)
        self.home = home


async def forward_if_elsewhere(request: web.Request, project_id: UUID) -> None:
    """Raise :class:`Forward` if another node should serve this request for the project.

    Raises:
        Forward: the project's room is busy on another node and not open on this one.
    """
    if FORWARDED_HEADER in request.headers or request.get(_SERVE_HERE):
        return
    home = await request.app[ROOMS].home_elsewhere(str(project_id))
    if home is not None:
        raise Forward(home)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def forwarding_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Relay a request whose handler raised :class:`Forward`; serve it here if that fails."""
    try:
        return await handler(request)
    except Forward as forward:
        try:
            return await _relay(request, forward.home)
        except (aiohttp.ClientError, TimeoutError) as exc:
            _log.warning("forward_failed", home=forward.home, error=repr(exc))
            request[_SERVE_HERE] = True
            return await handler(request)


async def _relay(request: web.Request, home: str) -> web.Response:
    session: aiohttp.ClientSession = request.app[FORWARDER]
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
    headers[FORWARDED_HEADER] = request.app[ROOMS].bus.node_id
    body = await request.read() if request.body_exists else None
    async with session.request(
        request.method,
        home + request.rel_url.path_qs,
        headers=headers,
        data=body,
        timeout=_TIMEOUT,
        allow_redirects=False,
    ) as answer:
        payload = await answer.read()
        relayed = {name: answer.headers[name] for name in _RELAYED if name in answer.headers}
        return web.Response(status=answer.status, body=payload, headers=relayed)
