"""lib0 varuint / varbytes / varstring encoding and the bounds-checked Reader."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.errors import MalformedMessage, ProtocolError
from collab.lib0 import Reader, write_var_bytes, write_var_string, write_var_uint

MAX_SAFE_INTEGER = 2**53 - 1


class TestWriteVarUint:
    @pytest.mark.parametrize(
        ("value", "encoded"),
        [
            (0, "00"),
            (1, "01"),
            (127, "7f"),
            (128, "8001"),
            (300, "ac02"),
            (16383, "ff7f"),
            (16384, "808001"),
            (MAX_SAFE_INTEGER, "ffffffffffffff0f"),
        ],
    )
    def test_known_encodings(self, value: int, encoded: str) -> None:
        """Encodings match lib0's: 7 bits per byte, least significant group first."""
        assert write_var_uint(value).hex() == encoded
        assert Reader(bytes.fromhex(encoded)).read_var_uint() == value

    @given(st.integers(min_value=0, max_value=MAX_SAFE_INTEGER))
    def test_round_trip(self, value: int) -> None:
        """Every JS-safe integer survives encode then decode, consuming every byte."""
        reader = Reader(write_var_uint(value))
        assert reader.read_var_uint() == value
        assert reader.remaining == 0

    @given(st.integers(min_value=0, max_value=MAX_SAFE_INTEGER))
    def test_only_the_last_byte_has_no_continuation_bit(self, value: int) -> None:
        """Every byte but the last sets the high bit, so a reader knows where the number ends."""
        encoded = write_var_uint(value)
        assert all(byte & 0x80 for byte in encoded[:-1])
        assert encoded[-1] < 0x80

    def test_negative_is_refused(self) -> None:
        """Negative numbers have no varuint encoding."""
        with pytest.raises(ValueError, match="non-negative, got -1"):
            write_var_uint(-1)


class TestWriteVarBytes:
    def test_empty_bytes_are_a_zero_length(self) -> None:
        """Empty bytes encode as a lone zero length."""
        assert write_var_bytes(b"") == b"\x00"

    def test_length_prefix_uses_a_multi_byte_varuint(self) -> None:
        """A 200-byte payload gets the two-byte length c8 01."""
        assert write_var_bytes(b"x" * 200)[:2] == b"\xc8\x01"

    def test_string_is_utf8(self) -> None:
        """Strings are UTF-8: the length counts bytes, not characters."""
        assert write_var_string("é€") == b"\x05\xc3\xa9\xe2\x82\xac"


class TestReader:
    def test_reads_consecutive_fields_and_tracks_position(self) -> None:
        """Reads advance the cursor; remaining counts what is left."""
        reader = Reader(write_var_uint(300) + write_var_bytes(b"ab") + write_var_string("é"))
        assert reader.remaining == 8
        assert reader.read_var_uint() == 300
        assert (reader.pos, reader.remaining) == (2, 6)
        assert reader.read_var_bytes() == b"ab"
        assert reader.read_var_string() == "é"
        assert reader.remaining == 0
        reader.expect_end()

    def test_empty_input_is_a_truncated_varint(self) -> None:
        """Reading a number from nothing reports where it ran out."""
        with pytest.raises(MalformedMessage, match="truncated varint at 0"):
            Reader(b"").read_var_uint()

    def test_truncated_varint(self) -> None:
        """A continuation bit with no following byte is a truncated varint."""
        with pytest.raises(MalformedMessage, match="truncated varint at 1"):
            Reader(b"\x80").read_var_uint()

    def test_eight_bytes_are_the_longest_varint(self) -> None:
        """Eight bytes (56 bits, enough for 2**53 - 1) are read."""
        assert Reader(b"\xff" * 7 + b"\x7f").read_var_uint() == 2**56 - 1

    def test_too_long_varint(self) -> None:
        """A ninth byte is refused rather than read forever."""
        with pytest.raises(MalformedMessage, match="varint longer than 8 bytes at 0"):
            Reader(b"\xff" * 8 + b"\x01").read_var_uint()

    def test_over_long_encoding_is_accepted_as_lib0_does(self) -> None:
        """Redundant zero groups (80 00) still read as the small number, like lib0."""
        assert Reader(b"\x80\x00").read_var_uint() == 0

    def test_zero_length_bytes(self) -> None:
        """A zero length reads as empty bytes."""
        assert Reader(b"\x00").read_var_bytes() == b""

    def test_length_past_the_end(self) -> None:
        """A length larger than what is left is refused with the offsets."""
        with pytest.raises(MalformedMessage, match="length 5 at 1 exceeds the 2 bytes left"):
            Reader(b"\x05ab").read_var_bytes()

    def test_invalid_utf8(self) -> None:
        """Bytes that are not UTF-8 are refused with the decoder's reason."""
        with pytest.raises(MalformedMessage, match="invalid utf-8 in string: invalid start byte"):
            Reader(b"\x02\xff\xfe").read_var_string()

    def test_lone_surrogate_is_invalid_utf8(self) -> None:
        """An encoded UTF-16 surrogate (ed a0 80) is not UTF-8."""
        with pytest.raises(MalformedMessage, match="invalid utf-8"):
            Reader(b"\x03\xed\xa0\x80").read_var_string()

    def test_expect_end_with_trailing_bytes(self) -> None:
        """Trailing bytes after a message are an error that says how many and where."""
        reader = Reader(b"\x00\x01\x02")
        reader.read_var_uint()
        with pytest.raises(MalformedMessage, match="2 trailing bytes at 1"):
            reader.expect_end()

    def test_expect_end_when_consumed(self) -> None:
        """A fully consumed reader passes expect_end."""
        reader = Reader(b"\x05")
        reader.read_var_uint()
        reader.expect_end()

    @given(st.binary(max_size=32))
    def test_accept_or_documented_error(self, data: bytes) -> None:
        """Any bytes read as a string, or raise a ProtocolError; the cursor never overruns."""
        reader = Reader(data)
        with contextlib.suppress(ProtocolError):
            reader.read_var_string()
        assert 0 <= reader.pos <= len(data)


class TestRoundTrips:
    @given(st.binary(max_size=300))
    def test_bytes(self, data: bytes) -> None:
        """Length-prefixed bytes round-trip."""
        reader = Reader(write_var_bytes(data))
        assert reader.read_var_bytes() == data
        reader.expect_end()

    @given(st.text(max_size=100))
    def test_strings(self, text: str) -> None:
        """UTF-8 strings round-trip, including astral-plane characters."""
        reader = Reader(write_var_string(text))
        assert reader.read_var_string() == text
        reader.expect_end()
