"""Node-to-node envelopes: msgpack round trip and refusal of anything else."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from collab.envelope import (
    CONTROL_KINDS,
    Envelope,
    EnvelopeKind,
    Revocation,
    pack_envelope,
    pack_revocation,
    unpack_envelope,
    unpack_revocation,
)
from collab.errors import MalformedMessage, ProtocolError


class TestEnvelope:
    @given(
        st.builds(
            Envelope,
            st.text(max_size=12),
            st.text(max_size=20),
            st.sampled_from(EnvelopeKind),
            st.integers(0, 2**62),
            st.floats(0, 2e9),
            st.binary(max_size=100),
        )
    )
    def test_round_trip(self, envelope: Envelope) -> None:
        """Every envelope survives pack then unpack."""
        assert unpack_envelope(pack_envelope(envelope)) == envelope

    def test_integer_timestamps_are_accepted(self) -> None:
        """sent_at may arrive as an integer."""
        data = msgpack.packb(["n", "r", 0, 1, 5, b""], use_bin_type=True)
        assert unpack_envelope(data).sent_at == 5.0

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (["n", "r", 0, 1, 1.0], "6-item array"),
            ({"a": 1}, "6-item array"),
            (["n", "r", 0, 1, 1.0, "text-not-bytes"], "wrong type"),
            ([1, "r", 0, 1, 1.0, b""], "wrong type"),
            (["n", "r", 99, 1, 1.0, b""], "unknown envelope kind 99"),
        ],
    )
    def test_wrong_shapes(self, value: object, text: str) -> None:
        """Well-formed msgpack of the wrong shape is refused with a reason."""
        with pytest.raises(MalformedMessage, match=text):
            unpack_envelope(msgpack.packb(value, use_bin_type=True))

    @given(st.binary(max_size=40))
    def test_accept_or_documented_error(self, data: bytes) -> None:
        """Arbitrary bytes unpack or raise a ProtocolError, nothing else."""
        with contextlib.suppress(ProtocolError):
            unpack_envelope(data)

    def test_garbage(self) -> None:
        """Bytes that are not msgpack are refused."""
        with pytest.raises(MalformedMessage, match="undecodable envelope"):
            unpack_envelope(b"\xc1")


_ids = st.none() | st.text(max_size=12)


class TestRevocation:
    def test_revoke_and_board_lock_are_the_only_control_kinds(self) -> None:
        """REVOKE (4) and BOARD_LOCK (5) go to every node; the other kinds stay on their
        room's channel."""
        assert int(EnvelopeKind.REVOKE) == 4
        assert int(EnvelopeKind.BOARD_LOCK) == 5
        assert frozenset({EnvelopeKind.REVOKE, EnvelopeKind.BOARD_LOCK}) == CONTROL_KINDS

    @given(_ids, _ids, _ids, st.text(max_size=30))
    def test_round_trip(
        self, user_id: str | None, session_id: str | None, room: str | None, reason: str
    ) -> None:
        """Every revocation survives pack then unpack."""
        assume(user_id is not None or session_id is not None or room is not None)
        revocation = Revocation(user_id, session_id, room, reason)
        assert unpack_revocation(pack_revocation(revocation)) == revocation

    @given(st.integers(min_value=1, max_value=2**63 - 1))
    def test_round_trip_with_its_stored_id(self, revocation_id: int) -> None:
        """A revocation stored in PostgreSQL carries its row id to the other nodes."""
        revocation = Revocation(user_id="u1", room="r1", reason="removed", id=revocation_id)
        assert unpack_revocation(pack_revocation(revocation)).id == revocation_id

    def test_a_revocation_without_an_id_from_an_older_node(self) -> None:
        """A 4-item payload (a node from before stored revocations) still unpacks."""
        payload = msgpack.packb([None, "s1", None, "signed out"], use_bin_type=True)
        assert unpack_revocation(payload) == Revocation(session_id="s1", reason="signed out")

    @pytest.mark.parametrize("bad_id", [0, -1, True, "7", 1.5])
    def test_a_bad_id_is_refused(self, bad_id: object) -> None:
        """The id is a positive integer or absent."""
        payload = msgpack.packb([None, "s1", None, "signed out", bad_id], use_bin_type=True)
        with pytest.raises(MalformedMessage, match="wrong type"):
            unpack_revocation(payload)

    def test_a_revocation_selects_something(self) -> None:
        """A revocation naming no user, session or room would close everything: refused."""
        with pytest.raises(ValueError, match="must name a user, a session or a room"):
            Revocation()

    def test_default_reason(self) -> None:
        """Without a reason, clients read "access revoked"."""
        assert Revocation(user_id="u").reason == "access revoked"

    @pytest.mark.parametrize(
        ("revocation", "identity", "selected"),
        [
            (Revocation(user_id="u1", room="r1"), ("u1", "s1", "r1"), True),
            (Revocation(user_id="u1", room="r1"), ("u1", "s1", "r2"), False),
            (Revocation(user_id="u1", room="r1"), ("u2", "s1", "r1"), False),
            (Revocation(user_id="u1"), ("u1", "s9", "any"), True),
            (Revocation(user_id="u1"), (None, None, "any"), False),
            (Revocation(session_id="s1"), ("u1", "s1", "r3"), True),
            (Revocation(session_id="s1"), ("u1", "s2", "r3"), False),
            (Revocation(room="r1"), (None, None, "r1"), True),
            (Revocation(room="r1"), ("u1", "s1", "r2"), False),
        ],
    )
    def test_matches(
        self,
        revocation: Revocation,
        identity: tuple[str | None, str | None, str],
        selected: bool,
    ) -> None:
        """Every selector given must match; the others match anything."""
        assert revocation.matches(*identity) is selected

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (["u", None, None], "5-item array"),
            ({"u": 1}, "5-item array"),
            (["u", None, None, "why", 1, 2], "5-item array"),
            ([1, None, None, "why"], "wrong type"),
            (["u", None, None, None], "wrong type"),
            ([None, None, None, "why"], "must name a user"),
        ],
    )
    def test_wrong_shapes(self, value: object, text: str) -> None:
        """Well-formed msgpack of the wrong shape is refused with a reason."""
        with pytest.raises(MalformedMessage, match=text):
            unpack_revocation(msgpack.packb(value, use_bin_type=True))

    def test_garbage(self) -> None:
        """Bytes that are not msgpack are refused."""
        with pytest.raises(MalformedMessage, match="undecodable revocation"):
            unpack_revocation(b"\xc1")

    @given(st.binary(max_size=40))
    def test_accept_or_documented_error(self, data: bytes) -> None:
        """Arbitrary bytes unpack or raise a ProtocolError, nothing else."""
        with contextlib.suppress(ProtocolError):
            unpack_revocation(data)
