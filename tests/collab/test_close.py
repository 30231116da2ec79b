"""Close values: codes from RFC 6455 or our private range, reasons that fit a close frame."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.close import Close, CloseCode

MAX_REASON_BYTES = 123


class TestCloseReason:
    def test_short_reason_is_kept(self) -> None:
        """A short reason is unchanged."""
        assert Close(CloseCode.PROTOCOL_ERROR, "bad").reason == "bad"

    def test_reason_of_exactly_123_bytes_is_kept(self) -> None:
        """The limit is inclusive."""
        assert Close(CloseCode.PROTOCOL_ERROR, "x" * 123).reason == "x" * 123

    def test_long_ascii_reason_is_cut_at_123_bytes(self) -> None:
        """One byte too many is cut off."""
        assert Close(CloseCode.PROTOCOL_ERROR, "x" * 124).reason == "x" * 123

    @pytest.mark.parametrize(
        ("reason", "kept"),
        [
            ("é" * 100, "é" * 61),  # 2-byte characters: 122 bytes, the 62nd would straddle 123
            ("x" + "€" * 50, "x" + "€" * 40),  # 3-byte characters: 121 bytes
            ("xx" + "€" * 50, "xx" + "€" * 40),  # 122 bytes
            ("xxx" + "€" * 50, "xxx" + "€" * 40),  # exactly 123 bytes
            ("x" * 120 + "😀", "x" * 120),  # a 4-byte emoji would end at byte 124
        ],
    )
    def test_multi_byte_characters_are_never_split(self, reason: str, kept: str) -> None:
        """Reasons are cut to 123 UTF-8 bytes at a character boundary."""
        close = Close(CloseCode.INVALID_PAYLOAD, reason)
        assert close.reason == kept
        assert len(close.reason.encode()) <= MAX_REASON_BYTES

    @given(st.text(max_size=200))
    def test_reason_is_the_longest_prefix_that_fits(self, reason: str) -> None:
        """The kept reason is a prefix of the original, fits, and drops no whole character."""
        kept = Close(CloseCode.INTERNAL_ERROR, reason).reason
        assert reason.startswith(kept)
        assert len(kept.encode()) <= MAX_REASON_BYTES
        if kept != reason:
            assert len((kept + reason[len(kept)]).encode()) > MAX_REASON_BYTES

    def test_close_is_a_frozen_value(self) -> None:
        """A Close cannot be changed after it is made, and equal values compare equal."""
        close = Close(CloseCode.GOING_AWAY, "bye")
        assert close == Close(CloseCode.GOING_AWAY, "bye")
        with pytest.raises(dataclasses.FrozenInstanceError):
            close.reason = "other"  # type: ignore[misc]  # checking the runtime guard


class TestCloseCode:
    def test_codes_are_standard_or_in_the_private_range(self) -> None:
        """RFC 6455 codes are 1000-1014; our own codes use 4000-4999."""
        for code in CloseCode:
            assert 1000 <= code <= 1014 or 4000 <= code <= 4999

    @pytest.mark.parametrize(
        ("code", "value"),
        [
            (CloseCode.GOING_AWAY, 1001),
            (CloseCode.PROTOCOL_ERROR, 1002),
            (CloseCode.UNSUPPORTED_DATA, 1003),
            (CloseCode.INVALID_PAYLOAD, 1007),
            (CloseCode.MESSAGE_TOO_BIG, 1009),
            (CloseCode.INTERNAL_ERROR, 1011),
            (CloseCode.TRY_AGAIN_LATER, 1013),
            (CloseCode.UNAUTHORIZED, 4401),
            (CloseCode.FORBIDDEN, 4403),
        ],
    )
    def test_spec_codes_have_their_rfc_values(self, code: CloseCode, value: int) -> None:
        """The RFC 6455 / IANA codes have their registered numbers; ours mirror HTTP statuses."""
        assert int(code) == value
