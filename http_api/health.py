"""/healthz (the process is alive) and /readyz (database reachable, migrations applied)."""

from __future__ import annotations

from aiohttp import web

from http_api.keys import DB, ROOMS
from http_api.problems import problem_response
from persistence.db import check_ready

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(_request: web.Request) -> web.Response:
    """Answer 200 while the event loop runs."""
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """Answer 200 only when this node can serve rooms."""
    if not request.app[ROOMS].accepting:
        return problem_response(503, "not-ready", "Not ready", "server is shutting down")
    reason = await check_ready(request.app[DB])
    if reason is not None:
        return problem_response(503, "not-ready", "Not ready", reason)
    return web.json_response({"status": "ready"})
