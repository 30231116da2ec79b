"""The y-websocket codec: golden vectors from real yjs, every message type, malformed input.

Properties (round trips, fuzzing) live in test_codec_properties.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collab.awareness import AwarenessEntry, encode_awareness_entries, parse_awareness
from collab.codec import decode, encode, encode_awareness, encode_update
from collab.errors import (
    DocumentTooLarge,
    MalformedMessage,
    MessageTooLarge,
    ProtocolError,
    UnknownMessageType,
)
from collab.messages import (
    EXTENSION_RANGE,
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

VECTORS_PATH = Path(__file__).parent / "vectors" / "yjs_vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
AWARENESS_VECTORS = [v for v in VECTORS if "awareness" in v]


def _expected(vector: dict[str, Any]) -> Message:
    """The message a captured vector stands for, from its type, sub-type and payload."""
    payload = bytes.fromhex(vector["payload_hex"])
    kind, sub = vector["type"], vector["sub"]
    if kind == MessageType.SYNC and sub == SyncType.STEP1:
        return SyncStep1(payload)
    if kind == MessageType.SYNC and sub == SyncType.STEP2:
        return SyncStep2(payload)
    if kind == MessageType.SYNC and sub == SyncType.UPDATE:
        return Update(payload)
    if kind == MessageType.AWARENESS:
        return AwarenessUpdate(payload)
    if kind == MessageType.QUERY_AWARENESS:
        return QueryAwareness()
    pytest.fail(f"vector {vector['name']!r} has a type this test does not know: {kind}/{sub}")


def _vector_id(vector: dict[str, Any]) -> str:
    return str(vector["name"])


class TestGoldenVectors:
    """Bytes captured from npm yjs / y-protocols (tests/interop/capture_vectors.mjs)."""

    @pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
    def test_decode(self, vector: dict[str, Any]) -> None:
        """Parsing the captured bytes yields the message yjs meant."""
        assert decode(bytes.fromhex(vector["hex"])) == _expected(vector)

    @pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
    def test_encode(self, vector: dict[str, Any]) -> None:
        """Serializing the message yields exactly the bytes yjs sent."""
        assert encode(_expected(vector)).hex() == vector["hex"]

    @pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
    def test_every_strict_prefix_is_refused(self, vector: dict[str, Any]) -> None:
        """A frame cut short anywhere (first bytes, last byte) is a ProtocolError."""
        frame = bytes.fromhex(vector["hex"])
        for end in {*range(min(len(frame), 8)), len(frame) - 1}:
            with pytest.raises(ProtocolError):
                decode(frame[:end])

    @pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
    def test_an_extra_byte_is_refused(self, vector: dict[str, Any]) -> None:
        """A captured frame followed by one more byte has trailing bytes."""
        with pytest.raises(MalformedMessage, match="1 trailing bytes"):
            decode(bytes.fromhex(vector["hex"]) + b"\x00")

    @pytest.mark.parametrize("vector", AWARENESS_VECTORS, ids=_vector_id)
    def test_awareness_payload(self, vector: dict[str, Any]) -> None:
        """Awareness payloads parse to the entries yjs encoded, and re-encode identically."""
        payload = bytes.fromhex(vector["payload_hex"])
        entries = parse_awareness(payload)
        assert entries == [
            AwarenessEntry(a["client"], a["clock"], a["state"]) for a in vector["awareness"]
        ]
        assert encode_awareness_entries(entries) == payload
        assert encode_awareness(payload).hex() == vector["hex"]

    def test_vectors_cover_every_client_message_type(self) -> None:
        """The captured set includes step 1, step 2, update, awareness and query-awareness."""
        kinds = {(v["type"], v["sub"]) for v in VECTORS}
        assert kinds >= {(0, 0), (0, 1), (0, 2), (1, None), (3, None)}
        assert AWARENESS_VECTORS, "no awareness vector with its entries"

    def test_vectors_include_a_multi_byte_length(self) -> None:
        """At least one payload is long enough to need a multi-byte varuint length."""
        assert max(len(v["payload_hex"]) // 2 for v in VECTORS) >= 128


class TestEncode:
    """The exact bytes of each message type, written out by hand from y-protocols."""

    @pytest.mark.parametrize(
        ("message", "hex_frame"),
        [
            (SyncStep1(b"\x00"), "00 00 01 00"),
            (SyncStep2(b"\x00\x00"), "00 01 02 0000"),
            (Update(b"\xab"), "00 02 01 ab"),
            (AwarenessUpdate(b"\x00"), "01 01 00"),
            (QueryAwareness(), "03"),
            (AuthPermissionDenied("no"), "02 00 02 6e6f"),
            (Saved(300), "64 ac02"),
            (ServerNotice("a", "é"), "65 01 61 02 c3a9"),
        ],
    )
    def test_known_frames(self, message: Message, hex_frame: str) -> None:
        """Each message encodes to its documented frame and decodes back."""
        frame = bytes.fromhex(hex_frame)
        assert encode(message) == frame
        assert decode(frame) == message

    def test_fast_paths_match_encode(self) -> None:
        """The hot-path framers produce the same bytes as encode()."""
        payload = b"\x01" * 200
        assert encode_update(payload) == encode(Update(payload))
        assert encode_awareness(payload) == encode(AwarenessUpdate(payload))

    @pytest.mark.parametrize("length", [0, 1, 30, 127, 128, 300])
    def test_small_and_large_sync_frames_decode_alike(self, length: int) -> None:
        """Payloads under 128 bytes (decode()'s one-byte-length shortcut) and over it decode
        to the same messages that were encoded."""
        payload = bytes(range(256))[:length] if length <= 256 else b"\x07" * length
        for message in (SyncStep1(payload), SyncStep2(payload), Update(payload)):
            assert decode(encode(message)) == message

    def test_encode_refuses_non_messages(self) -> None:
        """encode() is for protocol messages only."""
        with pytest.raises(TypeError, match="cannot encode str"):
            encode("hello")  # type: ignore[arg-type]  # deliberately the wrong type

    def test_extension_types_are_in_the_reserved_range(self) -> None:
        """Our extension message types use only the documented block 100-127."""
        stock = {MessageType.SYNC, MessageType.AWARENESS, MessageType.AUTH}
        stock.add(MessageType.QUERY_AWARENESS)
        for kind in set(MessageType) - stock:
            assert kind in EXTENSION_RANGE


class TestMalformed:
    @pytest.mark.parametrize(
        ("frame", "error", "text"),
        [
            (b"", MalformedMessage, "empty frame"),
            (b"\x80", MalformedMessage, "truncated varint at 1"),
            (b"\x00", MalformedMessage, "truncated varint at 1"),
            (b"\x00\x00", MalformedMessage, "truncated varint at 2"),
            (b"\x00\x00\x85", MalformedMessage, "truncated varint at 3"),
            (b"\xff" * 9, MalformedMessage, "varint longer than 8 bytes at 0"),
            (b"\x00\x00" + b"\xff" * 9, MalformedMessage, "varint longer than 8 bytes at 2"),
            (b"\x00\x00\x05ab", MalformedMessage, "length 5 at 3 exceeds the 2 bytes left"),
            (b"\x01\x7f", MalformedMessage, "length 127 at 2 exceeds the 0 bytes left"),
            (b"\x00\x02\x00\xff", MalformedMessage, "1 trailing bytes at 3"),
            (b"\x03\x00", MalformedMessage, "1 trailing bytes at 1"),
            (b"\x02\x00\x02\xff\xfe", MalformedMessage, "invalid utf-8"),
            (b"\x65\x01a\x01\xff", MalformedMessage, "invalid utf-8"),
            (b"\x64", MalformedMessage, "truncated varint at 1"),
            (b"\x00\x07\x00", UnknownMessageType, "unknown sync message type 7"),
            (b"\x09", UnknownMessageType, "unknown message type 9"),
            (b"\x80\x01", UnknownMessageType, "unknown message type 128"),
            (b"\x02\x01\x00", UnknownMessageType, "unknown auth message type 1"),
        ],
        ids=lambda value: value.hex() if isinstance(value, bytes) else None,
    )
    def test_malformed_frames(self, frame: bytes, error: type[ProtocolError], text: str) -> None:
        """Each kind of malformed frame raises its documented error with a useful message."""
        with pytest.raises(error, match=text):
            decode(frame)

    def test_frame_over_limit(self) -> None:
        """A frame longer than max_frame_bytes is refused before it is parsed."""
        with pytest.raises(MessageTooLarge, match="frame of 10 bytes exceeds limit of 4") as info:
            decode(b"\xff" * 10, max_frame_bytes=4)
        assert (info.value.what, info.value.size, info.value.limit) == ("frame", 10, 4)

    def test_frame_at_limit(self) -> None:
        """A frame exactly max_frame_bytes long is accepted."""
        frame = encode(Update(b"\x00\x00"))
        assert decode(frame, max_frame_bytes=len(frame)) == Update(b"\x00\x00")

    def test_every_error_is_a_protocol_error(self) -> None:
        """The codec's errors share one base, so a session can map them to a close."""
        for error in (MalformedMessage, MessageTooLarge, UnknownMessageType):
            assert issubclass(error, ProtocolError)
        assert not issubclass(DocumentTooLarge, ProtocolError)

    def test_error_values_are_structured(self) -> None:
        """Errors carry their fields and build their message from them."""
        error = DocumentTooLarge(10, 5)
        assert (error.size, error.limit) == (10, 5)
        assert str(error) == "document of 10 bytes would exceed limit of 5"
        unknown = UnknownMessageType("message type", 9)
        assert (unknown.kind, unknown.value) == ("message type", 9)

    def test_awareness_entries_survive_the_frame(self) -> None:
        """An awareness frame built from entries decodes back to them."""
        entries = [AwarenessEntry(5, 2, '{"a":1}'), AwarenessEntry(6, 3, "null")]
        message = decode(encode(AwarenessUpdate(encode_awareness_entries(entries))))
        assert isinstance(message, AwarenessUpdate)
        assert parse_awareness(message.payload) == entries
