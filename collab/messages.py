"""y-websocket message types (mirroring y-protocols) and our extension block, as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

__all__ = [
    "MessageType",
    "SyncType",
    "EXTENSION_RANGE",
    "SyncStep1",
    "SyncStep2",
    "Update",
    "AwarenessUpdate",
    "QueryAwareness",
    "AuthPermissionDenied",
    "Saved",
    "ServerNotice",
    "NoticeCode",
    "Message",
]


class MessageType(IntEnum):
    """Outer message type: the first varuint of every frame (y-websocket.js messageSync, ...)."""

    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3
    # --- DTTools extensions: sent only to clients that connect with ?ext=1 ---
    SAVED = 100
    NOTICE = 101


#: Message types 100-127 are reserved for DTTools extensions. Stock y-websocket clients log
#: "Unable to compute message" for types they do not know, so we never send them unasked.
EXTENSION_RANGE = range(100, 128)


class SyncType(IntEnum):
    """y-protocols sync.js sub-types."""

    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


@dataclass(frozen=True, slots=True)
class SyncStep1:
    """A state vector: "send me what I am missing"."""

    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    """The reply to SyncStep1: an update holding what the peer was missing."""

    update: bytes


@dataclass(frozen=True, slots=True)
class Update:
    """An incremental document update."""

    update: bytes


@dataclass(frozen=True, slots=True)
class AwarenessUpdate:
    """An encoded awareness update (y-protocols awareness.js encodeAwarenessUpdate)."""

    payload: bytes


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    """A request for every awareness state the server knows."""


@dataclass(frozen=True, slots=True)
class AuthPermissionDenied:
    """y-protocols auth.js permission-denied message (server to client)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Saved:
    """Extension: this many of the connection's updates are durable in PostgreSQL."""

    count: int


class NoticeCode(StrEnum):
    """The codes of :class:`ServerNotice`: what a client decides on (the text is for people)."""

    #: the connection is read-only (a viewer): its document changes are refused, not saved
    READ_ONLY = "read-only"
    #: a change to a note a facilitator locked was refused, not saved
    NOTE_LOCKED = "note-locked"


@dataclass(frozen=True, slots=True)
class ServerNotice:
    """Extension: a machine-readable notice from the server (code and human text)."""

    code: str
    text: str


Message = (
    SyncStep1
    | SyncStep2
    | Update
    | AwarenessUpdate
    | QueryAwareness
    | AuthPermissionDenied
    | Saved
    | ServerNotice
)
