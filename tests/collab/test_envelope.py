"""Node-to-node envelopes: msgpack round trip and refusal of anything else."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.envelope import Envelope, EnvelopeKind, pack_envelope, unpack_envelope
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
