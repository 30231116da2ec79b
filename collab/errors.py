"""The error hierarchy shared by every layer; mapped to HTTP and WebSocket at the edge."""

from __future__ import annotations

from collab.i18n import msg

__all__ = [
    "DTToolsError",
    "ProtocolError",
    "MalformedMessage",
    "MessageTooLarge",
    "UnknownMessageType",
    "InvalidUpdate",
    "NestingTooDeep",
    "MissingDependencies",
    "AmbiguousUpdate",
    "RateLimited",
    "DocumentTooLarge",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "Unauthenticated",
    "Gone",
    "PreconditionFailed",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "QuotaExceeded",
]


class DTToolsError(Exception):
    """Base for all errors we raise on purpose."""


class ProtocolError(DTToolsError):
    """The peer sent bytes that violate y-protocols."""


class MalformedMessage(ProtocolError):
    """A frame could not be decoded (truncated varint, trailing bytes, ...)."""


class MessageTooLarge(ProtocolError):
    """A frame or a field inside it exceeds the configured limit."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        self.what = what
        self.size = size
        self.limit = limit
        super().__init__(f"{what} of {size} bytes exceeds limit of {limit}")


class UnknownMessageType(ProtocolError):
    """The frame's message type is not one we speak."""

    def __init__(self, kind: str, value: int) -> None:
        self.kind = kind
        self.value = value
        super().__init__(f"unknown {kind} {value}")


class InvalidUpdate(ProtocolError):
    """A Yjs update could not be applied to the document."""


class NestingTooDeep(InvalidUpdate):
    """An update would nest shared types or values deeper than the configured limit.

    Refused before the update reaches the CRDT core, whose recursive walks of deep content
    overflow the native stack (collab/nesting.py).
    """


class MissingDependencies(InvalidUpdate):
    """A live update depends on content the document lacks; the peer should resync."""


class AmbiguousUpdate(InvalidUpdate):
    """An update restates a clock that waits for a dependency with different content."""


_RATE_LIMITED = msg("rate limit exceeded")


class RateLimited(DTToolsError):
    """The peer exceeded a rate limit."""

    def __init__(self, message: str = _RATE_LIMITED, retry_after_s: float | None = None):
        self.retry_after_s = retry_after_s
        super().__init__(message)


class DocumentTooLarge(DTToolsError):
    """Applying the update would grow the document past its size limit."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            msg("document of {size} bytes would exceed limit of {limit}", size=size, limit=limit)
        )


class PermissionDenied(DTToolsError):
    """The caller's role does not allow this action."""


class NotFound(DTToolsError):
    """The resource does not exist (never used to disguise a storage failure)."""


class Conflict(DTToolsError):
    """The request conflicts with the current state of the resource."""


class Unauthenticated(DTToolsError):
    """No valid credentials: missing, malformed, expired, forged or revoked token."""


class Gone(DTToolsError):
    """The resource existed but cannot be used any more (a revoked, expired or used-up
    invite link): 410."""


class PreconditionFailed(DTToolsError):
    """A conditional request (If-Match) does not match the resource's current version."""


class PayloadTooLarge(DTToolsError):
    """A request body (an uploaded file, say) is larger than its limit: 413."""


class UnsupportedMediaType(DTToolsError):
    """An upload is not one of the accepted kinds of file, whatever its name says: 415."""


class QuotaExceeded(DTToolsError):
    """Storing this would take a project past its storage quota: 507."""
