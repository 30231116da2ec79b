"""SyncSession: frames in, events out, limits enforced, a close reason when it must stop."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.awareness import AwarenessEntry, encode_awareness_entries
from collab.close import Close, CloseCode
from collab.codec import encode
from collab.limits import Limits
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
from collab.session import AwarenessChange, AwarenessQuery, DocUpdate, StateRequest, SyncSession

UPDATE = encode(Update(b"\x01"))


def awareness_frame(*entries: AwarenessEntry) -> bytes:
    return encode(AwarenessUpdate(encode_awareness_entries(entries)))


PRESENCE = awareness_frame(AwarenessEntry(1, 1, "{}"))


def closed_with(session: SyncSession) -> Close:
    assert session.close_requested is not None, "the session did not request a close"
    return session.close_requested


class TestEvents:
    def test_sync_step1_asks_for_state(self) -> None:
        """A state vector becomes a StateRequest carrying it."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(encode(SyncStep1(b"\x00")), 0.0) == [StateRequest(b"\x00")]

    def test_sync_step2_and_update_carry_changes(self) -> None:
        """Both the handshake's step 2 and later updates become DocUpdate."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(encode(SyncStep2(b"\x00\x00")), 0.0) == [DocUpdate(b"\x00\x00")]
        assert session.receive(UPDATE, 0.0) == [DocUpdate(b"\x01")]

    def test_awareness_becomes_parsed_entries(self) -> None:
        """An awareness frame becomes the entries it holds."""
        session = SyncSession(Limits(), now=0.0)
        entries = [AwarenessEntry(1, 1, "{}"), AwarenessEntry(2, 4, "null")]
        assert session.receive(awareness_frame(*entries), 0.0) == [AwarenessChange(entries)]

    def test_query_awareness(self) -> None:
        """A query-awareness frame becomes AwarenessQuery."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(encode(QueryAwareness()), 0.0) == [AwarenessQuery()]

    def test_frames_are_counted_and_no_close_is_requested(self) -> None:
        """Good frames leave close_requested unset; frames_in counts them."""
        session = SyncSession(Limits(), now=0.0)
        for frame in (UPDATE, PRESENCE, encode(QueryAwareness())):
            session.receive(frame, 0.0)
        assert session.close_requested is None
        assert session.frames_in == 3


class TestDecodeErrors:
    def test_empty_frame_closes_with_1007(self) -> None:
        """An empty frame is an invalid payload."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(b"", 0.0) == []
        assert closed_with(session) == Close(CloseCode.INVALID_PAYLOAD, "empty frame")

    def test_malformed_frame_closes_with_1007_and_the_decoders_reason(self) -> None:
        """A length past the end requests 1007 with the offsets in the reason."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(b"\x00\x00\x09", 0.0) == []
        assert closed_with(session) == Close(
            CloseCode.INVALID_PAYLOAD, "length 9 at 3 exceeds the 0 bytes left"
        )

    def test_unknown_type_closes_with_1002(self) -> None:
        """An unknown message type is a protocol error."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(b"\x2a", 0.0)
        assert closed_with(session) == Close(CloseCode.PROTOCOL_ERROR, "unknown message type 42")

    def test_unknown_sync_sub_type_closes_with_1002(self) -> None:
        """An unknown sync sub-type is a protocol error."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(b"\x00\x05\x00", 0.0)
        assert closed_with(session).code is CloseCode.PROTOCOL_ERROR

    def test_oversized_frame_closes_with_1009(self) -> None:
        """A frame over max_frame_bytes requests 1009 and says the sizes."""
        session = SyncSession(Limits(max_frame_bytes=8), now=0.0)
        session.receive(encode(Update(b"\x00" * 20)), 0.0)
        assert closed_with(session) == Close(
            CloseCode.MESSAGE_TOO_BIG, "frame of 23 bytes exceeds limit of 8"
        )


class TestServerToClientMessages:
    def test_saved_from_a_client_is_a_protocol_error(self) -> None:
        """Saved acknowledgements flow only from server to client."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(encode(Saved(1)), 0.0) == []
        assert closed_with(session) == Close(
            CloseCode.PROTOCOL_ERROR, "Saved is a server-to-client message"
        )

    def test_notice_from_a_client_is_a_protocol_error(self) -> None:
        """Server notices flow only from server to client."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(encode(ServerNotice("x", "y")), 0.0)
        assert closed_with(session).reason == "ServerNotice is a server-to-client message"

    def test_permission_denied_from_a_client_is_a_protocol_error(self) -> None:
        """The auth permission-denied message flows only from server to client."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(encode(AuthPermissionDenied("no")), 0.0)
        assert closed_with(session).reason == ("AuthPermissionDenied is a server-to-client message")


class TestUpdateRateLimit:
    def test_burst_then_close_with_4429(self) -> None:
        """Past the burst, an update in the same instant closes with 4429."""
        session = SyncSession(Limits(updates_per_s=1, updates_burst=2), now=0.0)
        assert session.receive(UPDATE, 0.0)
        assert session.receive(UPDATE, 0.0)
        assert session.receive(UPDATE, 0.0) == []
        assert closed_with(session) == Close(CloseCode.RATE_LIMITED, "too many updates per second")

    def test_the_bucket_refills_with_now(self) -> None:
        """Tokens come back with the `now` passed to receive."""
        session = SyncSession(Limits(updates_per_s=2, updates_burst=1), now=0.0)
        assert session.receive(UPDATE, 0.0)
        assert session.receive(UPDATE, 0.5)
        assert session.receive(UPDATE, 1.0)
        assert session.close_requested is None

    def test_the_bucket_starts_at_construction_time(self) -> None:
        """The `now` given to the constructor is when the bucket was last full."""
        session = SyncSession(Limits(updates_per_s=1, updates_burst=1), now=100.0)
        assert session.receive(UPDATE, 100.0)
        assert session.receive(UPDATE, 100.5) == []
        assert closed_with(session).code is CloseCode.RATE_LIMITED

    def test_large_updates_spend_a_byte_budget(self) -> None:
        """A member sending frame after large frame is closed: each costs CPU to check."""
        limits = Limits(max_frame_bytes=1_000_000, update_bytes_per_s=100_000)
        session = SyncSession(limits, now=0.0)
        big = encode(Update(b"\x00" * 600_000))
        assert session.receive(big, 0.0)  # a burst of one frame's size
        assert session.receive(big, 1.0) == []  # 400 kB + 100 kB left: not enough
        assert closed_with(session) == Close(
            CloseCode.RATE_LIMITED, "too many update bytes per second"
        )

    def test_the_byte_budget_refills(self) -> None:
        limits = Limits(max_frame_bytes=1_000_000, update_bytes_per_s=100_000)
        session = SyncSession(limits, now=0.0)
        big = encode(Update(b"\x00" * 600_000))
        assert session.receive(big, 0.0)
        assert session.receive(big, 2.0)
        assert session.close_requested is None

    def test_sync_step2_counts_as_an_update(self) -> None:
        """The handshake's step 2 spends an update token too."""
        session = SyncSession(Limits(updates_per_s=1, updates_burst=1), now=0.0)
        assert session.receive(encode(SyncStep2(b"\x00\x00")), 0.0)
        assert session.receive(UPDATE, 0.0) == []
        assert closed_with(session).code is CloseCode.RATE_LIMITED

    def test_step1_and_queries_are_not_rate_limited(self) -> None:
        """Requests that change nothing do not spend tokens."""
        session = SyncSession(Limits(updates_per_s=1, updates_burst=1), now=0.0)
        for _ in range(5):
            assert session.receive(encode(SyncStep1(b"\x00")), 0.0)
            assert session.receive(encode(QueryAwareness()), 0.0)
        assert session.receive(UPDATE, 0.0)


class TestAwarenessLimits:
    def test_rate_limit_closes_with_4429(self) -> None:
        """Awareness has its own bucket; past its burst the session closes with 4429."""
        session = SyncSession(Limits(awareness_per_s=1, awareness_burst=1), now=0.0)
        assert session.receive(PRESENCE, 0.0)
        assert session.receive(PRESENCE, 0.0) == []
        assert closed_with(session) == Close(
            CloseCode.RATE_LIMITED, "too many awareness updates per second"
        )

    def test_the_awareness_bucket_refills_with_now(self) -> None:
        """Awareness tokens come back with time."""
        session = SyncSession(Limits(awareness_per_s=4, awareness_burst=1), now=0.0)
        assert session.receive(PRESENCE, 0.0)
        assert session.receive(PRESENCE, 0.25)
        assert session.receive(PRESENCE, 0.5)
        assert session.close_requested is None

    def test_buckets_are_independent(self) -> None:
        """Spending all update tokens leaves awareness tokens, and the other way round."""
        limits = Limits(updates_per_s=1, updates_burst=1, awareness_per_s=1, awareness_burst=1)
        session = SyncSession(limits, now=0.0)
        assert session.receive(UPDATE, 0.0)
        assert session.receive(PRESENCE, 0.0)
        assert session.close_requested is None

    def test_oversized_awareness_closes_with_1009(self) -> None:
        """An awareness payload over max_awareness_bytes requests 1009 with the sizes."""
        session = SyncSession(Limits(max_awareness_bytes=16), now=0.0)
        frame = awareness_frame(AwarenessEntry(1, 1, '"' + "x" * 40 + '"'))
        assert session.receive(frame, 0.0) == []
        assert closed_with(session) == Close(
            CloseCode.MESSAGE_TOO_BIG, "awareness update of 46 bytes exceeds limit of 16"
        )

    def test_awareness_at_the_size_limit_is_accepted(self) -> None:
        """The awareness size limit is inclusive."""
        payload = encode_awareness_entries([AwarenessEntry(1, 1, "{}")])
        session = SyncSession(Limits(max_awareness_bytes=len(payload)), now=0.0)
        assert session.receive(encode(AwarenessUpdate(payload)), 0.0)

    def test_malformed_awareness_closes_with_1007(self) -> None:
        """A well-framed but malformed awareness payload requests 1007."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive(encode(AwarenessUpdate(b"\x05\x01")), 0.0) == []
        assert closed_with(session) == Close(
            CloseCode.INVALID_PAYLOAD, "bad awareness update: truncated varint at 2"
        )


class TestAwarenessStates:
    @pytest.mark.parametrize(
        ("state", "reason"),
        [
            ("{not json", "not JSON"),
            ('{"a":NaN}', "not JSON"),
            ("[1]", "a JSON list, not an object or null"),
            ('"hi"', "a JSON str, not an object or null"),
            ('{"a":' + "[" * 40 + "]" * 40 + "}", "nested deeper than 32"),
        ],
    )
    def test_a_bad_state_refuses_the_whole_frame_with_1007(self, state: str, reason: str) -> None:
        """One state a client could not parse closes with 1007; no entry of the frame passes."""
        session = SyncSession(Limits(), now=0.0)
        frame = awareness_frame(AwarenessEntry(1, 1, "{}"), AwarenessEntry(9, 3, state))
        assert session.receive(frame, 0.0) == []
        assert closed_with(session) == Close(
            CloseCode.INVALID_PAYLOAD, f"bad awareness update: state of client 9: {reason}"
        )

    def test_a_spaced_null_is_a_removal(self) -> None:
        """JSON null in any spelling reaches the room as the removal it is for clients."""
        session = SyncSession(Limits(), now=0.0)
        events = session.receive(awareness_frame(AwarenessEntry(1, 2, " null ")), 0.0)
        assert events == [AwarenessChange([AwarenessEntry(1, 2, "null")])]


class TestAfterClose:
    def test_first_reason_wins(self) -> None:
        """A later failure does not overwrite the first close request."""
        session = SyncSession(Limits(), now=0.0)
        session.fail(CloseCode.DOCUMENT_TOO_LARGE, "first")
        session.fail(CloseCode.INTERNAL_ERROR, "later")
        assert closed_with(session) == Close(CloseCode.DOCUMENT_TOO_LARGE, "first")

    def test_frames_after_close_are_ignored_and_not_counted(self) -> None:
        """Once closing, good and bad frames alike yield nothing and change nothing."""
        session = SyncSession(Limits(), now=0.0)
        session.receive(b"", 0.0)
        first = closed_with(session)
        assert session.receive(UPDATE, 0.0) == []
        assert session.receive(b"\x2a", 0.0) == []
        assert session.close_requested == first
        assert session.frames_in == 1

    def test_an_external_fail_stops_the_session(self) -> None:
        """The room may fail a session (say, document too large); its frames are then ignored."""
        session = SyncSession(Limits(), now=0.0)
        session.fail(CloseCode.DOCUMENT_TOO_LARGE, "document too large")
        assert session.receive(UPDATE, 0.0) == []


def _messages() -> st.SearchStrategy[Message]:
    return st.one_of(
        st.builds(SyncStep1, st.binary(max_size=8)),
        st.builds(Update, st.binary(max_size=8)),
        st.builds(AwarenessUpdate, st.binary(max_size=12)),
        st.just(QueryAwareness()),
        st.builds(Saved, st.integers(0, 10)),
    )


class TestFuzz:
    @settings(max_examples=200)
    @given(
        st.lists(
            st.one_of(st.binary(max_size=40), _messages().map(encode)),
            max_size=8,
        ),
        st.lists(st.floats(min_value=0.0, max_value=2.0), min_size=8, max_size=8),
    )
    def test_events_or_a_close_never_an_exception(
        self, frames: list[bytes], steps: list[float]
    ) -> None:
        """Any frames at any times yield events or a close request, never an exception."""
        limits = Limits(updates_burst=3, awareness_burst=2, max_frame_bytes=32)
        session = SyncSession(limits, now=0.0)
        now = 0.0
        for frame, step in zip(frames, steps, strict=False):
            now += step
            was_closed = session.close_requested is not None
            events = session.receive(frame, now)
            if was_closed:
                assert events == []
            else:
                assert bool(events) != (session.close_requested is not None)


class TestReceiveUpdate:
    def test_a_small_update_or_step2_is_returned(self) -> None:
        """The fast path hands back the update bytes and counts the frame."""
        session = SyncSession(Limits(), now=0.0)
        assert session.receive_update(UPDATE, 0.0) == b"\x01"
        assert session.receive_update(encode(SyncStep2(b"\x00\x00")), 0.0) == b"\x00\x00"
        assert session.frames_in == 2
        assert session.close_requested is None

    def test_other_frames_are_left_to_receive(self) -> None:
        """Step 1, awareness and malformed frames: None, nothing counted, nothing closed."""
        session = SyncSession(Limits(), now=0.0)
        for frame in (encode(SyncStep1(b"\x00")), PRESENCE, b"", b"\x00\x02\x05\x01"):
            assert session.receive_update(frame, 0.0) is None
        assert session.frames_in == 0
        assert session.close_requested is None

    def test_oversized_frames_are_left_to_receive(self) -> None:
        """A frame over max_frame_bytes is for receive() to refuse with 1009."""
        session = SyncSession(Limits(max_frame_bytes=4), now=0.0)
        frame = encode(Update(b"\x01\x02"))
        assert session.receive_update(frame, 0.0) is None
        assert session.receive(frame, 0.0) == []
        assert closed_with(session).code is CloseCode.MESSAGE_TOO_BIG

    def test_over_the_rate_limit_it_closes_with_4429(self) -> None:
        """The fast path spends the same tokens and fails the same way."""
        session = SyncSession(Limits(updates_per_s=1, updates_burst=1), now=0.0)
        assert session.receive_update(UPDATE, 0.0) == b"\x01"
        assert session.receive_update(UPDATE, 0.0) is None
        assert closed_with(session) == Close(CloseCode.RATE_LIMITED, "too many updates per second")
        assert session.receive(UPDATE, 0.0) == []

    @settings(max_examples=200)
    @given(
        st.lists(st.one_of(st.binary(max_size=40), _messages().map(encode)), max_size=8),
        st.lists(st.floats(min_value=0.0, max_value=2.0), min_size=8, max_size=8),
    )
    def test_same_outcome_as_receive_alone(self, frames: list[bytes], steps: list[float]) -> None:
        """receive_update, then receive when it returns None (as a room calls them), ends in the
        same events, frame count and close reason as receive alone, for any frames and times.
        """
        limits = Limits(updates_burst=3, awareness_burst=2, max_frame_bytes=32)
        fast, plain = SyncSession(limits, now=0.0), SyncSession(limits, now=0.0)
        now = 0.0
        for frame, step in zip(frames, steps, strict=False):
            now += step
            update = fast.receive_update(frame, now)
            fast_events = [DocUpdate(update)] if update is not None else fast.receive(frame, now)
            assert fast_events == plain.receive(frame, now)
            assert (fast.frames_in, fast.close_requested) == (
                plain.frames_in,
                plain.close_requested,
            )
