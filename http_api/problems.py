"""RFC 9457 problem+json responses: one table from exception class to status and type."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web

from collab.errors import Conflict, DTToolsError, NotFound, PermissionDenied, RateLimited
from persistence.errors import StorageError
from rooms.errors import NodeFull

__all__ = ["PROBLEM_TYPES", "problem_response", "problem_middleware", "InvalidRequest"]

_log = structlog.get_logger(__name__)
_BASE = "https://dttools.dev/problems/"


class InvalidRequest(DTToolsError, ValueError):
    """The request is malformed (bad path parameter, query or body)."""


#: exception class -> (HTTP status, type slug, title); looked up through the MRO.
PROBLEM_TYPES: dict[type[BaseException], tuple[int, str, str]] = {
    InvalidRequest: (400, "invalid-request", "Invalid request"),
    PermissionDenied: (403, "forbidden", "Forbidden"),
    NotFound: (404, "not-found", "Not found"),
    Conflict: (409, "conflict", "Conflict"),
    RateLimited: (429, "rate-limited", "Too many requests"),
    NodeFull: (503, "node-full", "Server at capacity"),
    StorageError: (503, "storage-unavailable", "Storage unavailable"),
}


def problem_response(
    status: int, slug: str, title: str, detail: str | None = None, **extra: Any
) -> web.Response:
    """Build an ``application/problem+json`` response."""
    body: dict[str, Any] = {"type": _BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/problem+json"
    )


def _lookup(exc: BaseException) -> tuple[int, str, str] | None:
    for cls in type(exc).__mro__:
        if cls in PROBLEM_TYPES:
            return PROBLEM_TYPES[cls]
    return None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render our errors and aiohttp's HTTP errors as problem+json; hide unexpected ones."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return problem_response(exc.status, f"http-{exc.status}", exc.reason, exc.text or None)
    except DTToolsError as exc:
        mapped = _lookup(exc)
        if mapped is None:
            raise
        status, slug, title = mapped
        # StorageError text can mention internals: show only the title for it.
        detail = None if isinstance(exc, StorageError) else str(exc)
        return problem_response(status, slug, title, detail)
    except Exception:
        correlation_id = uuid.uuid4().hex
        _log.exception("request_failed", path=request.path, correlation_id=correlation_id)
        return problem_response(
            500, "internal-error", "Internal server error", correlation_id=correlation_id
        )
