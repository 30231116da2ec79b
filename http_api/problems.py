"""RFC 9457 problem+json responses: one table from exception class to status and type."""

from __future__ import annotations

import json
import re
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
    Gone,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    QuotaExceeded,
    RateLimited,
    Unauthenticated,
    UnsupportedMediaType,
)
from collab.export_archive import InvalidArchive
from collab.i18n import DEFAULT_LOCALE, Text, msg
from collab.schema import InvalidReference
from http_api.i18n import CATALOGUES, as_sentence, localised, reader_locale, translate
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
        super().__init__(
            msg("{count} invalid field(s): {fields}", count=len(errors), fields=fields)
        )

    @classmethod
    def from_pydantic(cls, exc: ValidationError, location: str) -> ValidationFailed:
        """One entry per pydantic error: where (``body``/``query``), which field, what is wrong.

        The message is pydantic's English, translatable when its error type is a common one
        (:func:`pydantic_message`).
        """
        return cls(
            [
                {
                    "location": location,
                    "field": ".".join(str(part) for part in err["loc"]) or location,
                    "message": pydantic_message(err["type"], err["msg"], err.get("ctx") or {}),
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
    ValidationFailed: (422, "validation-error", msg("Validation failed")),
    IdempotencyKeyReused: (422, "idempotency-key-reused", msg("Idempotency key reused")),
    InvalidRequest: (400, "invalid-request", msg("Invalid request")),
    Unauthenticated: (401, "unauthenticated", msg("Authentication required")),
    PermissionDenied: (403, "forbidden", msg("Forbidden")),
    NotFound: (404, "not-found", msg("Not found")),
    InvalidArchive: (422, "invalid-archive", msg("Invalid archive")),
    ProjectLimitReached: (409, "project-limit-reached", msg("Project limit reached")),
    Conflict: (409, "conflict", msg("Conflict")),
    Gone: (410, "gone", msg("Gone")),
    PreconditionFailed: (412, "precondition-failed", msg("Precondition failed")),
    DocumentTooLarge: (413, "document-too-large", msg("Document too large")),
    PayloadTooLarge: (413, "payload-too-large", msg("File too large")),
    UnsupportedMediaType: (415, "unsupported-media-type", msg("Unsupported file type")),
    QuotaExceeded: (507, "quota-exceeded", msg("Storage quota exceeded")),
    PreconditionRequired: (428, "precondition-required", msg("Precondition required")),
    FairShareExceeded: (429, "fair-share-exceeded", msg("Account at its share of the server")),
    RateLimited: (429, "rate-limited", msg("Too many requests")),
    NodeFull: (503, "node-full", msg("Server at capacity")),
    StorageError: (503, "storage-unavailable", msg("Storage unavailable")),
}

#: aiohttp's own errors: their reason phrases (RFC 9110), translatable by the plain English.
_HTTP_TITLES = (
    msg("Bad Request"),
    msg("Not Found"),
    msg("Method Not Allowed"),
    msg("Request Entity Too Large"),
    msg("Unsupported Media Type"),
    msg("Request Header Fields Too Large"),
)
_BODY_TOO_LARGE = re.compile(r"Maximum request body size (\d+) exceeded\.")

#: pydantic error type -> translatable template of its message (``ctx`` names the values).
#: The English stays pydantic's own; types not listed stay English in every language.
_PYDANTIC: dict[str, Text] = {
    "missing": msg("Field required"),
    "extra_forbidden": msg("Extra inputs are not permitted"),
    "string_type": msg("Input should be a valid string"),
    "string_pattern_mismatch": msg("String should match pattern '{pattern}'"),
    "int_type": msg("Input should be a valid integer"),
    "int_parsing": msg("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": msg("Input should be a valid integer, got a number with a fractional part"),
    "bool_type": msg("Input should be a valid boolean"),
    "bool_parsing": msg("Input should be a valid boolean, unable to interpret input"),
    "list_type": msg("Input should be a valid list"),
    "dict_type": msg("Input should be a valid dictionary"),
    "model_type": msg("Input should be a valid dictionary or object to extract fields from"),
    "model_attributes_type": msg(
        "Input should be a valid dictionary or object to extract fields from"
    ),
    "uuid_type": msg("UUID input should be a string, bytes or UUID object"),
    "uuid_parsing": msg("Input should be a valid UUID, {error}"),
    "literal_error": msg("Input should be {expected}"),
    "enum": msg("Input should be {expected}"),
    "greater_than_equal": msg("Input should be greater than or equal to {ge}"),
    "less_than_equal": msg("Input should be less than or equal to {le}"),
    "greater_than": msg("Input should be greater than {gt}"),
    "less_than": msg("Input should be less than {lt}"),
    "datetime_type": msg("Input should be a valid datetime"),
    "datetime_parsing": msg("Input should be a valid datetime, {error}"),
    "timezone_aware": msg("Input should have timezone info"),
    "value_error": msg("Value error, {error}"),
}
#: the same by the count in ``ctx`` (one, many): Portuguese agrees in number too.
_PYDANTIC_COUNTED: dict[str, tuple[str, Text, Text]] = {
    "string_too_short": (
        "min_length",
        msg("String should have at least {min_length} character"),
        msg("String should have at least {min_length} characters"),
    ),
    "string_too_long": (
        "max_length",
        msg("String should have at most {max_length} character"),
        msg("String should have at most {max_length} characters"),
    ),
    "too_short": (
        "min_length",
        msg("List should have at least {min_length} item after validation, not {actual_length}"),
        msg("List should have at least {min_length} items after validation, not {actual_length}"),
    ),
    "too_long": (
        "max_length",
        msg("List should have at most {max_length} item after validation, not {actual_length}"),
        msg("List should have at most {max_length} items after validation, not {actual_length}"),
    ),
}
# pydantic lists the allowed values of a Literal or an enum as "'a', 'b' or 'c'".
_ALTERNATIVES = msg("{some} or {last}")


def pydantic_message(kind: str, english: str, ctx: dict[str, Any]) -> str:
    """pydantic's English message of an error of type ``kind``, translatable if it is common."""
    params = {k: v if isinstance(v, str | int | float) else str(v) for k, v in ctx.items()}
    if kind in _PYDANTIC_COUNTED:
        name, one, many = _PYDANTIC_COUNTED[kind]
        template = one if params.get(name) == 1 else many
    elif kind in _PYDANTIC:
        template = _PYDANTIC[kind]
    else:
        return english
    expected = params.get("expected")
    if isinstance(expected, str) and " or " in expected:
        some, _, last = expected.rpartition(" or ")
        params["expected"] = Text(expected, _ALTERNATIVES.template, {"some": some, "last": last})
    return Text(english, template.template, params)


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    locale: str = DEFAULT_LOCALE,
    **extra: Any,
) -> web.Response:
    """Build an ``application/problem+json`` response, its title and detail in ``locale``.

    ``type`` and every other member are the same in every language: clients decide by them.
    """
    body: dict[str, Any] = {
        "type": _BASE + slug,
        "title": translate(title, locale),
        "status": status,
    }
    if detail:
        body["detail"] = as_sentence(detail, locale)
    body.update(extra)
    response = web.Response(
        status=status, text=json.dumps(body), content_type="application/problem+json"
    )
    localised(response, locale)
    return response


def _lookup(exc: BaseException) -> tuple[int, str, str] | None:
    for cls in type(exc).__mro__:
        if cls in PROBLEM_TYPES:
            return PROBLEM_TYPES[cls]
    return None


def _message(exc: BaseException) -> str:
    """The exception's message, as the Text it was raised with when it was one."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Text):
        return exc.args[0]
    return str(exc)


def _translated_errors(errors: list[dict[str, str]], locale: str) -> list[dict[str, str]]:
    return [{**error, "message": translate(error["message"], locale)} for error in errors]


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


def problem_for(exc: DTToolsError, locale: str = DEFAULT_LOCALE) -> web.Response | None:
    """The problem+json response for one of our errors (in ``locale``), or None if none."""
    mapped = _lookup(exc)
    if mapped is None:
        return None
    status, slug, title = mapped
    # StorageError text can mention internals: show only the title for it.
    detail = None if isinstance(exc, StorageError) else _message(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = _translated_errors(exc.errors, locale)
    response = problem_response(status, slug, title, detail, locale=locale, **extra)
    if isinstance(exc, Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="dttools"'
    if isinstance(exc, RateLimited | StorageUnavailable) and exc.retry_after_s is not None:
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after_s)))
    if isinstance(exc, NodeFull):
        response.headers["Retry-After"] = str(exc.retry_seconds)
    return response


def _plain(text: str, locale: str) -> str:
    """An English text that lost its Text on the way (aiohttp keeps bytes), said in ``locale``.

    Only texts without parameters can be found again by their English, and the one aiohttp
    sentence with numbers we meet (a body over ``client_max_size``).
    """
    too_large = _BODY_TOO_LARGE.fullmatch(text)
    if too_large is not None:
        return translate(
            msg("Maximum request body size {max_size} exceeded.", max_size=too_large[1]),
            locale,
        )
    return CATALOGUES.get(locale, {}).get(text, text)


def http_problem(exc: web.HTTPException, locale: str = DEFAULT_LOCALE) -> web.Response:
    """One of aiohttp's HTTP errors (status 400 and up) as problem+json, in ``locale``."""
    title = _plain(exc.reason, locale)
    detail = exc.text or None
    if detail is not None:
        default = f"{exc.status}: {exc.reason}"
        detail = f"{exc.status}: {title}" if detail == default else _plain(detail, locale)
    response = problem_response(exc.status, f"http-{exc.status}", title, detail, locale=locale)
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
        return http_problem(exc, reader_locale(request))
    except InvalidReference as exc:
        failed = ValidationFailed(
            [{"location": "body", "field": exc.field, "message": _message(exc)}]
        )
        locale = reader_locale(request)
        return problem_response(
            422, "validation-error", PROBLEM_TYPES[ValidationFailed][2], _message(failed),
            locale=locale, errors=_translated_errors(failed.errors, locale),
        )  # fmt: skip
    except DTToolsError as exc:
        rendered = problem_for(exc, reader_locale(request))
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
            500, "internal-error", msg("Internal server error"),
            locale=reader_locale(request), correlation_id=correlation_id,
        )  # fmt: skip
