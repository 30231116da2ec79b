"""Encode and decode y-websocket frames: bytes in, messages out, no I/O."""

from __future__ import annotations

from collab.errors import MalformedMessage, MessageTooLarge, UnknownMessageType
from collab.lib0 import Reader, write_var_bytes, write_var_string, write_var_uint
from collab.messages import (
    AuthPermissionDenied,
    AwarenessUpdate,
    Message,
    MessageType,
    QueryAwareness,
    Saved,
    ServerNotice,
    SyncStep1,
    SyncStep2,
    SyncType,
    Update,
)

__all__ = ["decode", "encode", "encode_update", "encode_awareness"]

_SYNC = bytes([MessageType.SYNC])
_STEP1 = _SYNC + bytes([SyncType.STEP1])
_STEP2 = _SYNC + bytes([SyncType.STEP2])
_UPDATE = _SYNC + bytes([SyncType.UPDATE])
_AWARENESS = bytes([MessageType.AWARENESS])
_SYNC_MESSAGES: dict[int, type[SyncStep1 | SyncStep2 | Update]] = {
    SyncType.STEP1: SyncStep1,
    SyncType.STEP2: SyncStep2,
    SyncType.UPDATE: Update,
}
# y-protocols auth.js: messagePermissionDenied = 0
_PERMISSION_DENIED = 0


def decode(frame: bytes, max_frame_bytes: int | None = None) -> Message:
    """Decode one WebSocket binary frame.

    Raises:
        MessageTooLarge: the frame is longer than ``max_frame_bytes``.
        MalformedMessage: the bytes are not a well-formed message.
        UnknownMessageType: the type or sub-type is not part of the protocol.
    """
    if max_frame_bytes is not None and len(frame) > max_frame_bytes:
        raise MessageTooLarge("frame", len(frame), max_frame_bytes)
    if not frame:
        raise MalformedMessage("empty frame")
    if (
        frame[0] == MessageType.SYNC
        and len(frame) > 2
        and frame[1] <= SyncType.UPDATE
        and frame[2] < 0x80
        and frame[2] == len(frame) - 3  # a one-byte length that covers the rest
    ):
        # The shape of nearly every relayed update (small, one-byte fields): the same result
        # as the general path below without building a Reader, once per received message.
        return _SYNC_MESSAGES[frame[1]](frame[3:])
    reader = Reader(frame)
    kind = reader.read_var_uint()
    message: Message
    if kind == MessageType.SYNC:
        sub = reader.read_var_uint()
        payload = reader.read_var_bytes()
        if sub == SyncType.STEP1:
            message = SyncStep1(payload)
        elif sub == SyncType.STEP2:
            message = SyncStep2(payload)
        elif sub == SyncType.UPDATE:
            message = Update(payload)
        else:
            raise UnknownMessageType("sync message type", sub)
    elif kind == MessageType.AWARENESS:
        message = AwarenessUpdate(reader.read_var_bytes())
    elif kind == MessageType.QUERY_AWARENESS:
        message = QueryAwareness()
    elif kind == MessageType.AUTH:
        sub = reader.read_var_uint()
        if sub != _PERMISSION_DENIED:
            raise UnknownMessageType("auth message type", sub)
        message = AuthPermissionDenied(reader.read_var_string())
    elif kind == MessageType.SAVED:
        message = Saved(reader.read_var_uint())
    elif kind == MessageType.NOTICE:
        message = ServerNotice(reader.read_var_string(), reader.read_var_string())
    else:
        raise UnknownMessageType("message type", kind)
    reader.expect_end()
    return message


def encode(message: Message) -> bytes:
    """Encode one message as the bytes of a WebSocket binary frame."""
    match message:
        case SyncStep1(state_vector):
            return _STEP1 + write_var_bytes(state_vector)
        case SyncStep2(update):
            return _STEP2 + write_var_bytes(update)
        case Update(update):
            return _UPDATE + write_var_bytes(update)
        case AwarenessUpdate(payload):
            return _AWARENESS + write_var_bytes(payload)
        case QueryAwareness():
            return bytes([MessageType.QUERY_AWARENESS])
        case AuthPermissionDenied(reason):
            return (
                write_var_uint(MessageType.AUTH)
                + write_var_uint(_PERMISSION_DENIED)
                + write_var_string(reason)
            )
        case Saved(count):
            return write_var_uint(MessageType.SAVED) + write_var_uint(count)
        case ServerNotice(code, text):
            return (
                write_var_uint(MessageType.NOTICE) + write_var_string(code) + write_var_string(text)
            )
    raise TypeError(f"cannot encode {type(message).__name__}")


def encode_update(update: bytes) -> bytes:
    """Frame a document update for broadcast (hot path: avoids building a dataclass)."""
    return _UPDATE + write_var_bytes(update)


def encode_awareness(payload: bytes) -> bytes:
    """Frame an awareness update for broadcast."""
    return _AWARENESS + write_var_bytes(payload)
