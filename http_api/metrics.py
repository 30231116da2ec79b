"""/metrics in the Prometheus text format (prometheus-async's aiohttp handler)."""

from __future__ import annotations

from aiohttp import web
from prometheus_async.aio.web import server_stats

__all__ = ["routes"]

routes = web.RouteTableDef()
routes.get("/metrics")(server_stats)
