"""lib0 binary encoding (varuint, varbytes, varstring) as y-protocols uses it, bounds-checked."""

from __future__ import annotations

from collab.errors import MalformedMessage

__all__ = ["Reader", "write_var_uint", "write_var_bytes", "write_var_string"]

# lib0 varuints are at most 53 bits in JS (Number.MAX_SAFE_INTEGER); anything longer is garbage.
_MAX_VARUINT_BYTES = 8


def write_var_uint(value: int) -> bytes:
    """Encode a non-negative integer as a lib0 varuint (7 bits per byte, little-endian)."""
    if value < 0:
        raise ValueError(f"varuint must be non-negative, got {value}")
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def write_var_bytes(data: bytes) -> bytes:
    """Encode a length-prefixed byte string."""
    return write_var_uint(len(data)) + data


def write_var_string(text: str) -> bytes:
    """Encode a length-prefixed UTF-8 string."""
    return write_var_bytes(text.encode())


class Reader:
    """A cursor over a frame; every read checks bounds and raises MalformedMessage."""

    __slots__ = ("_data", "pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.pos = 0

    @property
    def remaining(self) -> int:
        """Number of unread bytes."""
        return len(self._data) - self.pos

    def read_var_uint(self) -> int:
        """Read one varuint."""
        data, pos = self._data, self.pos
        value = 0
        shift = 0
        for i in range(_MAX_VARUINT_BYTES):
            if pos + i >= len(data):
                raise MalformedMessage(f"truncated varint at {pos + i}")
            byte = data[pos + i]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos + i + 1
                return value
            shift += 7
        raise MalformedMessage(f"varint longer than {_MAX_VARUINT_BYTES} bytes at {pos}")

    def read_var_bytes(self) -> bytes:
        """Read a length-prefixed byte string."""
        length = self.read_var_uint()
        if length > self.remaining:
            raise MalformedMessage(
                f"length {length} at {self.pos} exceeds the {self.remaining} bytes left"
            )
        start = self.pos
        self.pos += length
        return self._data[start : self.pos]

    def read_var_string(self) -> str:
        """Read a length-prefixed UTF-8 string."""
        raw = self.read_var_bytes()
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            raise MalformedMessage(f"invalid utf-8 in string: {exc.reason}") from None

    def expect_end(self) -> None:
        """Fail if bytes are left over: a well-formed frame is consumed exactly."""
        if self.remaining:
            raise MalformedMessage(f"{self.remaining} trailing bytes at {self.pos}")
