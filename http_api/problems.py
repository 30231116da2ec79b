"""RFC 9457 problem+json responses: one table from exception class to status and type."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web
from pydantic import ValidationError

from collab.errors import (
    Conflict,
    DocumentTooLarge,
    DTToolsError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    Unauthenticated,
)
from collab.schema import InvalidReference
from persistence.errors import StorageError, StorageUnavailable
from persistence.projects import ProjectLimitReached
from rooms.errors import NodeFull
from rooms.fair_share import FairShareExceeded

__all__ = [
    "PROBLEM_TYPES",
    "problem_response",
    "problem_middleware",
    "InvalidRequest",
    "ValidationFailed",
    "PreconditionRequired",
    "IdempotencyKeyReused",
]

_log = structlog.get_logger(__name__)
_BASE = "https://dttools.dev/problems/"


class InvalidRequest(DTToolsError, ValueError):
    """The request is malformed (bad path parameter, query or body)."""


class ValidationFailed(InvalidRequest):
    """The request parsed but its fields are wrong: carries one entry per bad field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        fields = ", ".join(e["field"] for e in errors[:5])
        super().__init__(f"{len(errors)} invalid field(s): {fields}")

    @classmethod
    def from_pydantic(cls, exc: ValidationError, location: str) -> ValidationFailed:
        """One entry per pydantic error: where (``body``/``query``), which field, what is wrong."""
        return cls(
            [
                {
                    "location": location,
                    "field": ".".join(str(part) for part in err["loc"]) or location,
                    "message": err["msg"],
                }
                for err in exc.errors(include_url=False, include_input=False)
            ]
        )


class IdempotencyKeyReused(InvalidRequest):
    """An Idempotency-Key came back with a different request than the one it first named."""


class PreconditionRequired(DTToolsError):
    """A write that must be conditional (If-Match) came without the condition."""


#: exception class -> (HTTP status, type slug, title); looked up through the MRO.
PROBLEM_TYPES: dict[type[BaseException], tuple[int, str, str]] = {
    ValidationFailed: (422, "validation-error", "Validation failed"),
    IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency key reused"),
    InvalidRequest: (400, "invalid-request", "Invalid request"),
    Unauthenticated: (401, "unauthenticated", "Authentication required"),
    PermissionDenied: (403, "forbidden", "Forbidden"),
    NotFound: (404, "not-found", "Not found"),
    ProjectLimitReached: (409, "project-limit-reached", "Project limit reached"),
    Conflict: (409, "conflict", "Conflict"),
    PreconditionFailed: (412, "precondition-failed", "Precondition failed"),
    DocumentTooLarge: (413, "document-too-large", "Document too large"),
    PreconditionRequired: (428, "precondition-required", "Precondition required"),
    FairShareExceeded: (429, "fair-share-exceeded", "Account at its share of the server"),
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


#: Path prefix of the WebSocket route: its handler renders its own refusals (see below).
SOCKET_PREFIX = "/collab/"


@web.middleware
def problem_middleware(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
    """Render our errors and aiohttp's HTTP errors as problem+json; hide unexpected ones.

    Not a coroutine itself: for a WebSocket it hands back the handler's own coroutine, so no
    frame of this middleware stays on the stack for the socket's whole life (see
    docs/benchmarks.md, "Memory of an idle connection"). The socket handler renders its
    refusals with :func:`problem_for` before the upgrade. The route is told by its pattern,
    already matched, not by ``request.path``, which aiohttp would decode and keep for the
    socket's life.
    """
    resource = request.match_info.route.resource
    if resource is not None and resource.canonical.startswith(SOCKET_PREFIX):
        return handler(request)
    return _rendered(request, handler)


def problem_for(exc: DTToolsError) -> web.Response | None:
    """The problem+json response for one of our errors, or None if it maps to none."""
    mapped = _lookup(exc)
    if mapped is None:
        return None
    status, slug, title = mapped
    # StorageError text can mention internals: show only the title for it.
    detail = None if isinstance(exc, StorageError) else str(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    response = problem_response(status, slug, title, detail, **extra)
    if isinstance(exc, Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="dttools"'
    if isinstance(exc, RateLimited | StorageUnavailable) and exc.retry_after_s is not None:
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after_s)))
    if isinstance(exc, NodeFull):
        response.headers["Retry-After"] = str(exc.retry_seconds)
    return response


def http_problem(exc: web.HTTPException) -> web.Response:
    """One of aiohttp's HTTP errors (status 400 and up) as problem+json."""
    response = problem_response(exc.status, f"http-{exc.status}", exc.reason, exc.text or None)
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):  # e.g. RFC 9110: 405 has Allow
        if name in exc.headers:
            response.headers[name] = exc.headers[name]
    return response


async def _rendered(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return http_problem(exc)
    except InvalidReference as exc:
        failed = ValidationFailed([{"location": "body", "field": exc.field, "message": str(exc)}])
        return problem_response(
            422, "validation-error", "Validation failed", str(failed), errors=failed.errors
        )
    except DTToolsError as exc:
        rendered = problem_for(exc)
        if rendered is None:
            raise
        return rendered
    except ConnectionResetError:
        # The client went away (during a WebSocket handshake, mid-response): nobody to answer
        # and nothing wrong here. aiohttp ends the connection quietly; no traceback per client.
        raise
    except Exception:
        correlation_id = uuid.uuid4().hex
        _log.exception("request_failed", path=request.path, correlation_id=correlation_id)
        return problem_response(
            500, "internal-error", "Internal server error", correlation_id=correlation_id
        )
