"""The y-websocket codec: golden vectors from real yjs, round trips, malformed input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.awareness import AwarenessEntry, encode_awareness_entries, parse_awareness
from collab.codec import decode, encode, encode_awareness, encode_update
from collab.errors import MalformedMessage, MessageTooLarge, ProtocolError, UnknownMessageType
from collab.messages import (
    AuthPermissionDenied,
    AwarenessUpdate,
    Message,
    QueryAwareness,
    Saved,
    ServerNotice,
    SyncStep1,
    SyncStep2,
    Update,
)

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "vectors" / "yjs_vectors.json").read_text(encoding="utf-8")
)


def _expected(vector: dict[str, Any]) -> Message:
    payload = bytes.fromhex(vector["payload_hex"])
    if vector["type"] == 0:
        sync: dict[int, type[SyncStep1 | SyncStep2 | Update]] = {
            0: SyncStep1,
            1: SyncStep2,
            2: Update,
        }
        return sync[vector["sub"]](payload)
    if vector["type"] == 1:
        return AwarenessUpdate(payload)
    return QueryAwareness()


class TestGoldenVectors:
    """Bytes captured from npm yjs / y-protocols (tests/interop/capture_vectors.mjs)."""

    @pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
    def test_decode_then_encode(self, vector: dict[str, Any]) -> None:
        """Parsing the captured bytes yields the message; serializing it yields the bytes."""
        frame = bytes.fromhex(vector["hex"])
        message = decode(frame)
        assert message == _expected(vector)
        assert encode(message) == frame

    @pytest.mark.parametrize(
        "vector", [v for v in VECTORS if "awareness" in v], ids=lambda v: v["name"]
    )
    def test_awareness_payload(self, vector: dict[str, Any]) -> None:
        """Awareness payloads decode to the entries yjs encoded, and re-encode identically."""
        payload = bytes.fromhex(vector["payload_hex"])
        entries = parse_awareness(payload)
        assert [(e.client_id, e.clock, e.state) for e in entries] == [
            (a["client"], a["clock"], a["state"]) for a in vector["awareness"]
        ]
        assert encode_awareness_entries(entries) == payload

    def test_vectors_cover_every_client_message_type(self) -> None:
        """The captured set includes step 1, step 2, update, awareness and query-awareness."""
        kinds = {(v["type"], v["sub"]) for v in VECTORS}
        assert kinds == {(0, 0), (0, 1), (0, 2), (1, None), (3, None)}


_payload = st.binary(max_size=200)
_messages: st.SearchStrategy[Message] = st.one_of(
    st.builds(SyncStep1, _payload),
    st.builds(SyncStep2, _payload),
    st.builds(Update, _payload),
    st.builds(AwarenessUpdate, _payload),
    st.just(QueryAwareness()),
    st.builds(AuthPermissionDenied, st.text(max_size=50)),
    st.builds(Saved, st.integers(min_value=0, max_value=2**53 - 1)),
    st.builds(ServerNotice, st.text(max_size=20), st.text(max_size=50)),
)


class TestRoundTrip:
    @given(_messages)
    def test_decode_encode(self, message: Message) -> None:
        """decode(encode(m)) == m for every message type."""
        assert decode(encode(message)) == message

    @given(_payload)
    def test_fast_paths_match_encode(self, payload: bytes) -> None:
        """The hot-path framers produce the same bytes as encode()."""
        assert encode_update(payload) == encode(Update(payload))
        assert encode_awareness(payload) == encode(AwarenessUpdate(payload))

    @settings(max_examples=300)
    @given(st.binary(max_size=64))
    def test_accept_or_documented_error(self, frame: bytes) -> None:
        """Arbitrary bytes decode to a message or raise a ProtocolError, never anything else."""
        try:
            message = decode(frame)
        except ProtocolError:
            return
        # Accepted frames re-encode to an equivalent frame (lib0 allows over-long varints).
        assert decode(encode(message)) == message


class TestMalformed:
    @pytest.mark.parametrize(
        ("frame", "error", "text"),
        [
            (b"", MalformedMessage, "empty frame"),
            (b"\x00", MalformedMessage, "truncated varint"),
            (b"\x00\x00\x05ab", MalformedMessage, "exceeds the 2 bytes left"),
            (b"\x00\x02\x00\xff", MalformedMessage, "trailing bytes"),
            (b"\x00\x07\x00", UnknownMessageType, "unknown sync message type 7"),
            (b"\x09", UnknownMessageType, "unknown message type 9"),
            (b"\x02\x01\x00", UnknownMessageType, "unknown auth message type 1"),
            (b"\x02\x00\x02\xff\xfe", MalformedMessage, "invalid utf-8"),
            (b"\x03\x00", MalformedMessage, "trailing bytes"),
        ],
    )
    def test_malformed_frames(self, frame: bytes, error: type[Exception], text: str) -> None:
        """Each kind of malformed frame raises its documented error with a useful message."""
        with pytest.raises(error, match=text):
            decode(frame)

    def test_frame_over_limit(self) -> None:
        """A frame longer than max_frame_bytes is refused before it is parsed."""
        with pytest.raises(MessageTooLarge, match="frame of 10 bytes exceeds limit of 4") as info:
            decode(b"\x00" * 10, max_frame_bytes=4)
        assert (info.value.size, info.value.limit) == (10, 4)

    def test_awareness_entries_survive_the_frame(self) -> None:
        """An awareness frame built from entries decodes back to them."""
        entries = [AwarenessEntry(5, 2, '{"a":1}'), AwarenessEntry(6, 3, "null")]
        message = decode(encode(AwarenessUpdate(encode_awareness_entries(entries))))
        assert isinstance(message, AwarenessUpdate)
        assert parse_awareness(message.payload) == entries


def test_error_values_are_structured() -> None:
    """Errors carry their fields and build their message from them."""
    from collab.errors import DocumentTooLarge

    error = DocumentTooLarge(10, 5)
    assert (error.size, error.limit) == (10, 5)
    assert str(error) == "document of 10 bytes would exceed limit of 5"
    unknown = UnknownMessageType("message type", 9)
    assert (unknown.kind, unknown.value) == ("message type", 9)


def test_encode_refuses_non_messages() -> None:
    """encode() is for protocol messages only."""
    with pytest.raises(TypeError, match="cannot encode str"):
        encode("hello")  # type: ignore[arg-type]
