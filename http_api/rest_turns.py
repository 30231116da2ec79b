"""REST requests take turns with the live rooms' sockets (rooms/turn_budget.py).

A request to /v1 starts its work in a turn of the event loop whose REST budget is not spent
yet, so a burst of requests (a backlog after any pause) is spread over several turns with
the sockets served in between, instead of holding every room for the whole backlog.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from http_api.keys import ROOMS

__all__ = ["rest_turns_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def rest_turns_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Wait, if this turn's REST budget is spent, for a turn with room; then handle."""
    if request.path.startswith("/v1/") and ROOMS in request.app:
        await request.app[ROOMS].turns.wait()
    return await handler(request)
