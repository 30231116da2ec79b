"""lib0 varuint / varbytes / varstring encoding and the bounds-checked Reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.errors import MalformedMessage
from collab.lib0 import Reader, write_var_bytes, write_var_string, write_var_uint


class TestVarUint:
    @pytest.mark.parametrize(
        ("value", "encoded"),
        [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (16384, "808001")],
    )
    def test_known_encodings(self, value: int, encoded: str) -> None:
        """Encodings match lib0's (7 bits per byte, least significant group first)."""
        assert write_var_uint(value).hex() == encoded
        assert Reader(bytes.fromhex(encoded)).read_var_uint() == value

    @given(st.integers(min_value=0, max_value=2**53 - 1))
    def test_round_trip(self, value: int) -> None:
        """Every JS-safe integer survives encode then decode, consuming every byte."""
        reader = Reader(write_var_uint(value))
        assert reader.read_var_uint() == value
        assert reader.remaining == 0

    def test_negative_is_refused(self) -> None:
        """Negative numbers have no varuint encoding."""
        with pytest.raises(ValueError, match="non-negative"):
            write_var_uint(-1)

    def test_truncated(self) -> None:
        """A continuation bit with no following byte is a truncated varint."""
        with pytest.raises(MalformedMessage, match="truncated varint at 1"):
            Reader(b"\x80").read_var_uint()

    def test_too_long(self) -> None:
        """More than 8 continuation bytes is refused rather than read forever."""
        with pytest.raises(MalformedMessage, match="longer than 8 bytes"):
            Reader(b"\xff" * 9 + b"\x01").read_var_uint()


class TestVarBytes:
    @given(st.binary(max_size=300))
    def test_round_trip(self, data: bytes) -> None:
        """Length-prefixed bytes round-trip."""
        assert Reader(write_var_bytes(data)).read_var_bytes() == data

    def test_length_past_the_end(self) -> None:
        """A length larger than what is left is refused with the offsets."""
        with pytest.raises(MalformedMessage, match="length 5 at 1 exceeds the 2 bytes left"):
            Reader(b"\x05ab").read_var_bytes()

    @given(st.text(max_size=100))
    def test_string_round_trip(self, text: str) -> None:
        """UTF-8 strings round-trip."""
        assert Reader(write_var_string(text)).read_var_string() == text

    def test_invalid_utf8(self) -> None:
        """Bytes that are not UTF-8 are refused."""
        with pytest.raises(MalformedMessage, match="invalid utf-8"):
            Reader(b"\x02\xff\xfe").read_var_string()

    def test_expect_end(self) -> None:
        """Trailing bytes after a message are an error."""
        reader = Reader(b"\x00\x01")
        reader.read_var_uint()
        with pytest.raises(MalformedMessage, match="1 trailing bytes at 1"):
            reader.expect_end()
