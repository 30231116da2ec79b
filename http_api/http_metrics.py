"""HTTP request metrics: count and latency by route template, method and status.

Labels are the route's template (``/v1/projects/{project_id}/ideas``), never the path:
ids in labels would make a series per project and per user. Requests that match no route
count as ``unmatched``. WebSocket upgrades (``/collab/{room}``) are left out: a socket's
"request" lasts as long as the socket, and sockets have their own metrics
(``dttools_connections*``); skipping them also keeps a connection storm's joins free of
this bookkeeping.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web
from prometheus_client import Counter, Histogram

from http_api.problems import SOCKET_PREFIX

__all__ = ["HTTP_REQUESTS", "HTTP_REQUEST_SECONDS", "http_metrics_middleware", "route_of"]

HTTP_REQUESTS: Final = Counter(
    "dttools_http_requests_total",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
HTTP_REQUEST_SECONDS: Final = Histogram(
    "dttools_http_request_duration_seconds",
    "Time from a request's headers to its answer, by route template and method (no sockets)",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_of(request: web.Request) -> str:
    """The template of the route ``request`` matched, or ``unmatched``."""
    resource = request.match_info.route.resource
    return "unmatched" if resource is None else resource.canonical


@web.middleware
async def http_metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count and time every request (the outermost middleware: it sees the final status)."""
    if request.path.startswith(SOCKET_PREFIX):
        return await handler(request)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _observe(request, exc.status, started)
        raise
    except BaseException:
        _observe(request, 500, started)
        raise
    _observe(request, response.status, started)
    return response


def _observe(request: web.Request, status: int, started: float) -> None:
    route = route_of(request)
    method = request.method if request.method in _METHODS else "other"
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)
