"""WebSocket close codes and reasons used by the collaboration endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = ["CloseCode", "Close"]

_MAX_REASON_BYTES = 123  # RFC 6455 5.5: control frame payload <= 125 bytes, 2 of them the code


class CloseCode(IntEnum):
    """RFC 6455 codes we use, plus application codes in 4000-4999 (documented in docs/)."""

    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    INVALID_PAYLOAD = 1007
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    TRY_AGAIN_LATER = 1013
    #: the credentials are missing, invalid or expired: log in again, then reconnect
    UNAUTHORIZED = 4401
    #: not a member of this project, or access was revoked (or the role changed: reconnect)
    FORBIDDEN = 4403
    #: applying the update would grow the document past max_document_bytes
    DOCUMENT_TOO_LARGE = 4413
    #: the update nests shared types or values deeper than max_nesting_depth (refused unapplied)
    NESTING_TOO_DEEP = 4422
    #: the client writes an older document schema (a page or SDK from before schema 2):
    #: reload or update it; it is refused before it can write
    CLIENT_OUTDATED = 4426
    #: too many updates or awareness messages per second on this connection
    RATE_LIMITED = 4429
    #: the room's stored history cannot be loaded; nothing is written to it
    ROOM_CORRUPT = 4500
    #: the room could not be loaded because storage is unavailable
    STORAGE_UNAVAILABLE = 4503


@dataclass(frozen=True, slots=True)
class Close:
    """A request to close one socket with a code and a human-readable reason."""

    code: CloseCode
    reason: str

    def __post_init__(self) -> None:
        raw = self.reason.encode()
        if len(raw) > _MAX_REASON_BYTES:
            trimmed = raw[:_MAX_REASON_BYTES].decode(errors="ignore")
            object.__setattr__(self, "reason", trimmed)
