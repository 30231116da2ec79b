"""SyncSession: frames in, events out, limits enforced, a close reason when it must stop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collab.awareness import AwarenessEntry, encode_awareness_entries
from collab.close import CloseCode
from collab.codec import encode
from collab.limits import Limits
from collab.messages import (
    AuthPermissionDenied,
    AwarenessUpdate,
    QueryAwareness,
    Saved,
    ServerNotice,
    SyncStep1,
    SyncStep2,
    Update,
)
from collab.session import AwarenessChange, AwarenessQuery, DocUpdate, StateRequest, SyncSession


def awareness_frame(*entries: AwarenessEntry) -> bytes:
    return encode(AwarenessUpdate(encode_awareness_entries(entries)))


class TestEvents:
    def test_each_message_becomes_its_event(self) -> None:
        """Step 1 asks for state; step 2 and update carry changes; awareness and query too."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(encode(SyncStep1(b"\x00")), 0.0) == [StateRequest(b"\x00")]
        assert session.receive(encode(SyncStep2(b"\x00\x00")), 0.0) == [DocUpdate(b"\x00\x00")]
        assert session.receive(encode(Update(b"\x01")), 0.0) == [DocUpdate(b"\x01")]
        entry = AwarenessEntry(1, 1, "{}")
        assert session.receive(awareness_frame(entry), 0.0) == [AwarenessChange([entry])]
        assert session.receive(encode(QueryAwareness()), 0.0) == [AwarenessQuery()]
        assert session.close_requested is None
        assert session.frames_in == 5


class TestRefusals:
    def test_malformed_frame_closes_with_1007(self) -> None:
        """A truncated frame requests 1007 with the decoder's reason."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(b"\x00\x00\x09", 0.0) == []
        assert session.close_requested is not None
        assert session.close_requested.code is CloseCode.INVALID_PAYLOAD
        assert "exceeds" in session.close_requested.reason

    def test_unknown_type_closes_with_1002(self) -> None:
        """An unknown message type requests 1002."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(b"\x2a", 0.0)
        assert session.close_requested is not None
        assert session.close_requested.code is CloseCode.PROTOCOL_ERROR

    def test_oversized_frame_closes_with_1009(self) -> None:
        """A frame over the limit requests 1009 and says the sizes."""
        session = SyncSession(Limits(max_frame_bytes=8), now=0.0)
        session.receive(encode(Update(b"\x00" * 20)), 0.0)
        assert session.close_requested is not None
        assert session.close_requested.code is CloseCode.MESSAGE_TOO_BIG
        assert "exceeds limit of 8" in session.close_requested.reason

    def test_server_messages_from_a_client_are_protocol_errors(self) -> None:
        """SAVED, NOTICE and auth messages only flow from server to client."""
        for message in (Saved(1), ServerNotice("x", "y"), AuthPermissionDenied("no")):
            session = SyncSession(Limits(), now=0.0)
            session.receive(encode(message), 0.0)
            assert session.close_requested is not None
            assert session.close_requested.code is CloseCode.PROTOCOL_ERROR
            assert "server-to-client" in session.close_requested.reason

    def test_update_rate_limit(self) -> None:
        """Past the burst, updates within the same instant close with 4429; time refills."""
        session = SyncSession(Limits(updates_per_s=1, updates_burst=2), now=0.0)
        frame = encode(Update(b"\x01"))
        assert session.receive(frame, 0.0)
        assert session.receive(frame, 0.5)
        assert session.receive(frame, 1.6)  # refilled
        assert session.receive(frame, 1.6) == []
        assert session.close_requested is not None
        assert session.close_requested.code is CloseCode.RATE_LIMITED

    def test_awareness_rate_limit(self) -> None:
        """Awareness has its own bucket."""
        session = SyncSession(Limits(awareness_per_s=1, awareness_burst=1), now=0.0)
        frame = awareness_frame(AwarenessEntry(1, 1, "{}"))
        assert session.receive(frame, 0.0)
        assert session.receive(frame, 0.0) == []
        assert session.close_requested is not None
        assert "awareness" in session.close_requested.reason

    def test_awareness_size_limit(self) -> None:
        """An awareness update over max_awareness_bytes closes with 1009."""
        session = SyncSession(Limits(max_awareness_bytes=16), now=0.0)
        session.receive(awareness_frame(AwarenessEntry(1, 1, '"' + "x" * 40 + '"')), 0.0)
        assert session.close_requested is not None
        assert session.close_requested.code is CloseCode.MESSAGE_TOO_BIG

    def test_malformed_awareness(self) -> None:
        """A well-framed but malformed awareness payload closes with 1007."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(encode(AwarenessUpdate(b"\x05\x01")), 0.0)
        assert session.close_requested is not None
        assert session.close_requested.code is CloseCode.INVALID_PAYLOAD
        assert session.close_requested.reason.startswith("bad awareness update")

    def test_first_reason_wins_and_later_frames_are_ignored(self) -> None:
        """After a close request, nothing else is processed and the reason stays."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(b"", 0.0)
        first = session.close_requested
        assert session.receive(encode(Update(b"\x01")), 0.0) == []
        session.fail(CloseCode.INTERNAL_ERROR, "later")
        assert session.close_requested == first
        assert session.frames_in == 1


class TestFuzz:
    @settings(max_examples=300)
    @given(st.lists(st.binary(max_size=40), max_size=5))
    def test_never_raises(self, frames: list[bytes]) -> None:
        """Arbitrary frames yield events or a close request, never an exception."""
        session = SyncSession(Limits(), now=0.0)
        for frame in frames:
            session.receive(frame, 0.0)
