"""The errors the SDK raises: RFC 9457 problems as exceptions, and transport failures.

Programs decide on the class (or ``status`` and ``type``), never on ``title`` or ``detail``:
the server writes those for people, in the request's language (docs/api.md, "Errors").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "DTToolsError",
    "ConnectionFailed",
    "ProblemError",
    "FieldError",
    "BadRequest",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "Gone",
    "ProjectLimitReached",
    "PreconditionFailed",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "ValidationError",
    "IdempotencyKeyReused",
    "InvalidArchive",
    "PreconditionRequired",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "QuotaExceeded",
    "ExportFailed",
    "LiveClosed",
    "ReadOnly",
    "WebhookVerificationError",
    "problem_from_response",
]

_TYPE_PREFIX: Final = "https://dttools.dev/problems/"


class DTToolsError(Exception):
    """Base of every error this SDK raises on purpose."""


class ConnectionFailed(DTToolsError, ConnectionError):
    """The server could not be reached (after the retries the policy allows)."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field of a 422: where (``body``, ``query``, ...), which field, and why."""

    location: str
    field: str
    message: str


class ProblemError(DTToolsError):
    """An ``application/problem+json`` answer (or any other error status, read as one).

    Attributes:
        status: the HTTP status.
        type: the problem type URI (``https://dttools.dev/problems/not-found``).
        title: a short summary, for people.
        detail: what went wrong this time, for people.
        errors: one entry per invalid field (validation errors only).
        correlation_id: the id a 500 is logged under on the server.
        retry_after_s: the ``Retry-After`` header in seconds, when there was one.
        body: the whole decoded problem, extension members included.
    """

    def __init__(
        self,
        status: int,
        type: str,  # RFC 9457 names the member "type"
        title: str,
        detail: str | None = None,
        errors: tuple[FieldError, ...] = (),
        *,
        correlation_id: str | None = None,
        retry_after_s: float | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(status, type, title, detail)
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.correlation_id = correlation_id
        self.retry_after_s = retry_after_s
        self.body: Mapping[str, Any] = body if body is not None else {}

    @property
    def slug(self) -> str:
        """The last part of ``type`` (``not-found``): the stable name to compare against."""
        return self.type.removeprefix(_TYPE_PREFIX)

    def __str__(self) -> str:
        text = f"{self.status} {self.slug}: {self.detail or self.title}"
        if self.errors:
            text += " (" + "; ".join(f"{e.field}: {e.message}" for e in self.errors) + ")"
        return text


class BadRequest(ProblemError):
    """400: malformed JSON, a bad header or query parameter."""


class Unauthenticated(ProblemError):
    """401: no credentials, or expired, forged or revoked ones."""


class Forbidden(ProblemError):
    """403: your role does not allow this."""


class NotFound(ProblemError):
    """404: no such resource, or a project you are not a member of (the server says the same)."""


class Conflict(ProblemError):
    """409: a duplicate member, the last owner, a session still running, ..."""


class Gone(ProblemError):
    """410: it existed but cannot be used any more (a revoked, expired or used-up invite link)."""


class ProjectLimitReached(Conflict):
    """409 ``project-limit-reached``: you own as many projects as the server allows."""


class PreconditionFailed(ProblemError):
    """412: ``If-Match`` no longer matches; someone changed the resource since you read it."""


class PayloadTooLarge(ProblemError):
    """413: the body, the document or an uploaded file is over a limit."""


class UnsupportedMediaType(ProblemError):
    """415: not JSON, or an upload that is not an accepted file type."""


class ValidationError(ProblemError):
    """422: the body or query failed validation; ``errors`` names each field."""


class IdempotencyKeyReused(ValidationError):
    """422 ``idempotency-key-reused``: the key was used for a different request."""


class InvalidArchive(ValidationError):
    """422 ``invalid-archive``: an import archive is damaged or hostile."""


class PreconditionRequired(ProblemError):
    """428: this write must be conditional (send ``if_match``)."""


class RateLimited(ProblemError):
    """429: too many requests; ``retry_after_s`` says how long to wait."""


class ServerError(ProblemError):
    """5xx other than 503: a server bug (quote ``correlation_id`` when reporting it)."""


class ServiceUnavailable(ServerError):
    """503: storage unavailable or the node is full; retried by the client where it may."""


class QuotaExceeded(ProblemError):
    """507: the upload would take the project past its file quota."""


class ExportFailed(DTToolsError):
    """An export job ended in ``failed``; ``code`` is the server's ``error`` (``render_failed``)."""

    def __init__(self, export_id: str, code: str | None, detail: str | None) -> None:
        super().__init__(export_id, code, detail)
        self.export_id = export_id
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return f"export {self.export_id} failed: {self.code} ({self.detail})"


class LiveClosed(DTToolsError):
    """The live document's WebSocket closed; ``code`` is the close code (docs/protocol.md).

    4401: sign in again; 4403: no access (or revoked); 4426: this SDK writes an older
    document schema than the server's (update it); 1013 and 4429: reconnect later.
    """

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"live document closed with code {self.code}: {self.reason or 'no reason given'}"


class ReadOnly(DTToolsError, PermissionError):
    """The server refused a live change: this socket is read-only (a viewer's)."""


class WebhookVerificationError(DTToolsError, ValueError):
    """A webhook's signature, timestamp or headers did not verify: do not trust its body."""


_BY_SLUG: Final[Mapping[str, type[ProblemError]]] = {
    "project-limit-reached": ProjectLimitReached,
    "idempotency-key-reused": IdempotencyKeyReused,
    "invalid-archive": InvalidArchive,
}

_BY_STATUS: Final[Mapping[int, type[ProblemError]]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationError,
    428: PreconditionRequired,
    429: RateLimited,
    503: ServiceUnavailable,
    507: QuotaExceeded,
}


def _class_for(status: int, slug: str) -> type[ProblemError]:
    found = _BY_SLUG.get(slug) or _BY_STATUS.get(status)
    if found is not None:
        return found
    return ServerError if status >= 500 else ProblemError


def _field_errors(raw: object) -> tuple[FieldError, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        FieldError(str(e.get("location", "")), str(e.get("field", "")), str(e.get("message", "")))
        for e in raw
        if isinstance(e, dict)
    )


def problem_from_response(
    status: int, reason: str, body: bytes, retry_after_s: float | None = None
) -> ProblemError:
    """Build the matching :class:`ProblemError` subclass from an error response.

    A body that is not a problem (an HTML page from a proxy, say) still gives an error of the
    status's class, titled with the HTTP reason phrase.
    """
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    problem_type = str(data.get("type") or "about:blank")
    cls = _class_for(status, problem_type.removeprefix(_TYPE_PREFIX))
    detail = data.get("detail")
    correlation_id = data.get("correlation_id")
    return cls(
        status,
        problem_type,
        str(data.get("title") or reason),
        None if detail is None else str(detail),
        _field_errors(data.get("errors")),
        correlation_id=None if correlation_id is None else str(correlation_id),
        retry_after_s=retry_after_s,
        body=data,
    )
