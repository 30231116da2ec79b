"""The client side of y-websocket as values: frames in, messages out (sans-I/O).

Only what a client needs: the sync messages both ways, and the server-to-client auth and
DTTools extension messages (docs/protocol.md, "Frames" and "Extension messages"). Awareness
frames are recognised and skipped. No sockets and no asyncio here, so every branch is tested
with bytes alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from dttools_sdk.errors import DTToolsError

__all__ = [
    "MessageType",
    "SyncType",
    "ProtocolError",
    "SyncStep1",
    "SyncStep2",
    "Update",
    "PermissionDenied",
    "Saved",
    "Notice",
    "Ignored",
    "Message",
    "decode",
    "encode_sync_step1",
    "encode_sync_step2",
    "encode_update",
]


class MessageType(IntEnum):
    """The first varuint of a frame (y-websocket.js messageSync, ...; ours from 100)."""

    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3
    SAVED = 100
    NOTICE = 101


class SyncType(IntEnum):
    """y-protocols sync.js sub-types."""

    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class ProtocolError(DTToolsError, ValueError):
    """The server sent a frame this client cannot read."""


@dataclass(frozen=True, slots=True)
class SyncStep1:
    """The server's state vector: answer with what it lacks."""

    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    """What this client lacked; the last frame of the initial sync."""

    update: bytes


@dataclass(frozen=True, slots=True)
class Update:
    """An incremental update from another client (or a REST write)."""

    update: bytes


@dataclass(frozen=True, slots=True)
class PermissionDenied:
    """y-protocols auth.js: a change was refused (a viewer's socket)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Saved:
    """Extension 100: this many of our update messages are durable on the server."""

    count: int


@dataclass(frozen=True, slots=True)
class Notice:
    """Extension 101: a machine-readable notice (``read-only``) and its text."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Ignored:
    """A frame a client has nothing to do with (awareness, unknown types)."""

    message_type: int


Message = SyncStep1 | SyncStep2 | Update | PermissionDenied | Saved | Notice | Ignored


def _var_uint(value: int) -> bytes:
    # lib0 encoding.writeVarUint: 7 bits per byte, least significant first
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def _var_bytes(data: bytes) -> bytes:
    return _var_uint(len(data)) + data


class _Reader:
    def __init__(self, frame: bytes) -> None:
        self._frame = frame
        self._at = 0

    def var_uint(self) -> int:
        value = shift = 0
        while True:
            if self._at >= len(self._frame):
                raise ProtocolError(f"truncated varint at {self._at}")
            byte = self._frame[self._at]
            self._at += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise ProtocolError(f"varint longer than 64 bits at {self._at}")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self._at + length
        if end > len(self._frame):
            raise ProtocolError(f"length {length} at {self._at} runs past the frame end")
        data = self._frame[self._at : end]
        self._at = end
        return data

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode()
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"invalid UTF-8 in a string: {exc.reason}") from None


def decode(frame: bytes) -> Message:
    """Read one server frame.

    Raises:
        ProtocolError: the frame is truncated or malformed.
    """
    reader = _Reader(frame)
    kind = reader.var_uint()
    if kind == MessageType.SYNC:
        sub = reader.var_uint()
        if sub == SyncType.STEP1:
            return SyncStep1(reader.var_bytes())
        if sub == SyncType.STEP2:
            return SyncStep2(reader.var_bytes())
        if sub == SyncType.UPDATE:
            return Update(reader.var_bytes())
        raise ProtocolError(f"unknown sync sub-type {sub}")
    if kind == MessageType.AUTH:
        reader.var_uint()  # 0, permission denied: the only auth message there is
        return PermissionDenied(reader.var_string())
    if kind == MessageType.SAVED:
        return Saved(reader.var_uint())
    if kind == MessageType.NOTICE:
        return Notice(reader.var_string(), reader.var_string())
    return Ignored(kind)


def encode_sync_step1(state_vector: bytes) -> bytes:
    """Ask the server for what this client lacks."""
    return bytes([MessageType.SYNC, SyncType.STEP1]) + _var_bytes(state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    """Answer the server's state vector with what it lacks."""
    return bytes([MessageType.SYNC, SyncType.STEP2]) + _var_bytes(update)


def encode_update(update: bytes) -> bytes:
    """Send a local change."""
    return bytes([MessageType.SYNC, SyncType.UPDATE]) + _var_bytes(update)
