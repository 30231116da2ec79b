"""Codec properties: round trips for every message type, and accept-or-documented-error fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.codec import decode, encode, encode_awareness, encode_update, small_sync_payload
from collab.errors import MessageTooLarge, ProtocolError
from collab.lib0 import Reader
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
    Update,
)

payloads = st.binary(max_size=300)
texts = st.text(max_size=60)
counts = st.integers(min_value=0, max_value=2**53 - 1)

messages: st.SearchStrategy[Message] = st.one_of(
    st.builds(SyncStep1, payloads),
    st.builds(SyncStep2, payloads),
    st.builds(Update, payloads),
    st.builds(AwarenessUpdate, payloads),
    st.just(QueryAwareness()),
    st.builds(AuthPermissionDenied, texts),
    st.builds(Saved, counts),
    st.builds(ServerNotice, texts, texts),
)

_TYPE_OF: dict[type[Message], MessageType] = {
    SyncStep1: MessageType.SYNC,
    SyncStep2: MessageType.SYNC,
    Update: MessageType.SYNC,
    AwarenessUpdate: MessageType.AWARENESS,
    QueryAwareness: MessageType.QUERY_AWARENESS,
    AuthPermissionDenied: MessageType.AUTH,
    Saved: MessageType.SAVED,
    ServerNotice: MessageType.NOTICE,
}

_SYNC_BY_SUB: dict[int, type[SyncStep1 | SyncStep2 | Update]] = {
    0: SyncStep1,
    1: SyncStep2,
    2: Update,
}


@st.composite
def mutated_frames(draw: st.DrawFn) -> bytes:
    """A valid frame, then truncated, extended or with some bytes overwritten."""
    frame = bytearray(encode(draw(messages)))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["cut", "append", "overwrite"]))
        if action == "cut":
            del frame[draw(st.integers(0, len(frame))) :]
        elif action == "append":
            frame += draw(st.binary(min_size=1, max_size=4))
        elif frame:
            frame[draw(st.integers(0, len(frame) - 1))] = draw(st.integers(0, 255))
    return bytes(frame)


class TestRoundTrip:
    @given(messages)
    def test_decode_of_encode_is_identity(self, message: Message) -> None:
        """decode(encode(m)) == m for every message type."""
        assert decode(encode(message)) == message

    @given(messages)
    def test_first_varuint_is_the_message_type(self, message: Message) -> None:
        """Every frame starts with its y-protocols (or extension) message type."""
        assert Reader(encode(message)).read_var_uint() == _TYPE_OF[type(message)]

    @given(payloads)
    def test_fast_paths_match_encode(self, payload: bytes) -> None:
        """The hot-path framers produce the same bytes as encode()."""
        assert encode_update(payload) == encode(Update(payload))
        assert encode_awareness(payload) == encode(AwarenessUpdate(payload))

    @given(messages, st.integers(min_value=1, max_value=400))
    def test_frame_limit_is_a_pure_length_check(self, message: Message, limit: int) -> None:
        """With a limit, a frame decodes as without one if it fits, else is MessageTooLarge."""
        frame = encode(message)
        if len(frame) <= limit:
            assert decode(frame, max_frame_bytes=limit) == message
        else:
            with pytest.raises(MessageTooLarge) as info:
                decode(frame, max_frame_bytes=limit)
            assert (info.value.size, info.value.limit) == (len(frame), limit)


def _accept_or_documented_error(frame: bytes) -> None:
    try:
        message = decode(frame)
    except ProtocolError:
        return
    # Accepted bytes are a message that re-encodes to an equivalent frame (not always the same
    # bytes: lib0 readers accept over-long varints such as 80 00 for 0).
    assert decode(encode(message)) == message


class TestAcceptOrDocumentedError:
    @settings(max_examples=300)
    @given(st.binary(max_size=64))
    def test_arbitrary_bytes(self, frame: bytes) -> None:
        """Arbitrary bytes decode to a message or raise a ProtocolError, never anything else."""
        _accept_or_documented_error(frame)

    @settings(max_examples=300)
    @given(mutated_frames())
    def test_damaged_frames(self, frame: bytes) -> None:
        """Valid frames cut, extended or overwritten decode or raise a ProtocolError."""
        _accept_or_documented_error(frame)


class TestSmallSyncPayload:
    @given(st.one_of(messages.map(encode), st.binary(max_size=40), mutated_frames()))
    def test_agrees_with_decode(self, frame: bytes) -> None:
        """Whatever the fast path reads, decode() reads as a sync message of the same bytes."""
        payload = small_sync_payload(frame)
        if payload is not None:
            message = decode(frame)
            assert isinstance(message, SyncStep1 | SyncStep2 | Update)
            assert message == _SYNC_BY_SUB[frame[1]](payload)

    @given(st.sampled_from([SyncStep1, SyncStep2, Update]), st.binary(max_size=300))
    def test_takes_every_small_sync_frame(
        self, kind: type[SyncStep1 | SyncStep2 | Update], payload: bytes
    ) -> None:
        """Every sync frame with a one- or two-byte length is read by the fast path."""
        assert small_sync_payload(encode(kind(payload))) == payload

    @pytest.mark.parametrize("size", [0, 127, 128, 16383])
    def test_length_field_boundaries(self, size: int) -> None:
        """One-byte lengths end at 127, two-byte lengths at 16383."""
        payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
        assert small_sync_payload(encode(Update(payload))) == payload

    def test_longer_frames_take_the_reader(self) -> None:
        """A three-byte length is left to decode()."""
        frame = encode(Update(bytes(16384)))
        assert small_sync_payload(frame) is None
        assert decode(frame) == Update(bytes(16384))

    @pytest.mark.parametrize(
        "frame",
        [
            b"",
            b"\x00\x02",
            b"\x00\x03\x00",  # unknown sync sub-type
            b"\x01\x02\x00",  # awareness
            b"\x00\x02\x02\x01",  # length beyond the frame
            b"\x00\x02\x00\x01",  # bytes after the payload
            b"\x00\x02\x81\x00",  # two-byte length beyond the frame
            b"\x00\x02\x81\x80\x00",  # a third length byte
        ],
    )
    def test_anything_else_is_none(self, frame: bytes) -> None:
        """Short, foreign, inconsistent or long-length frames are not read by the fast path."""
        assert small_sync_payload(frame) is None
