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

__all__ = ["decode", "small_sync_payload", "encode", "encode_update", "encode_awareness"]

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
# Plain ints for the hot path (comparing with an IntEnum member costs an attribute lookup).
_SYNC_TYPE = int(MessageType.SYNC)
_UPDATE_TYPE = int(SyncType.UPDATE)


def small_sync_payload(frame: bytes) -> bytes | None:
    """The payload of a sync frame (step 1, step 2 or update) of under 16 KiB, else None.

    That is the shape of nearly every frame a room receives, and reading it takes a few byte
    comparisons instead of a Reader and a message object: the relay's hot path (see
    :meth:`collab.session.SyncSession.receive_update`). For any frame this returns bytes for,
    :func:`decode` returns the sync message of type ``frame[1]`` holding the same bytes; for
    every other frame, well-formed or not, it returns None and :func:`decode` reads it.
    """
    size = len(frame)
    if size < 3 or frame[0] != _SYNC_TYPE or frame[1] > _UPDATE_TYPE:
        return None
    length = frame[2]
    if length < 0x80:  # a one-byte length
        return frame[3:] if length == size - 3 else None
    if size > 3 and frame[3] < 0x80 and (length & 0x7F) | (frame[3] << 7) == size - 4:
        return frame[4:]  # a two-byte length
    return None


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
    payload = small_sync_payload(frame)
    if payload is not None:
        return _SYNC_MESSAGES[frame[1]](payload)
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
    size = len(update)
    if size < 0x80:  # a one-byte length: most relayed updates
        return bytes((_SYNC_TYPE, _UPDATE_TYPE, size)) + update
    return _UPDATE + write_var_bytes(update)


def encode_awareness(payload: bytes) -> bytes:
    """Frame an awareness update for broadcast."""
    return _AWARENESS + write_var_bytes(payload)
