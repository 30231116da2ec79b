"""Safe wrappers around pycrdt for peer- and storage-supplied bytes.

pycrdt raises ``ValueError`` for undecodable updates, but a malformed update that decodes can
make the Rust core panic, which pyo3 surfaces as ``PanicException``: a ``BaseException``, not an
``Exception``. Everything that feeds foreign bytes into a Doc goes through here so that a panic
becomes an :class:`InvalidUpdate` and never unwinds through the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pycrdt import Doc

from collab.errors import InvalidUpdate, MalformedMessage
from collab.lib0 import Reader, write_var_uint

__all__ = [
    "apply_update",
    "diff_update",
    "build_doc",
    "is_panic",
    "decode_state_vector",
    "encode_state_vector",
    "encode_full_state",
]


def is_panic(exc: BaseException) -> bool:
    """Tell a pyo3 panic (safe to contain) from exits and cancellations (never contained)."""
    return type(exc).__name__ == "PanicException"


@contextmanager
def _contained(what: str) -> Iterator[None]:
    """Turn pycrdt's ValueError and pyo3 panics on foreign bytes into InvalidUpdate."""
    try:
        yield
    except ValueError as exc:
        raise InvalidUpdate(f"invalid {what}: {exc}") from None
    except BaseException as exc:
        if is_panic(exc):
            raise InvalidUpdate(f"{what} rejected by the CRDT core: {exc}") from None
        raise


def _check_leading_count(data: bytes, what: str) -> None:
    """Refuse bytes whose first varuint counts more entries than there are bytes left.

    yrs reserves memory for that many entries before reading them: the 4-byte update or state
    vector ``80 80 80 7f`` made it allocate about 0.5 GB and spend 0.3 s. Every entry of an
    update (client structs) or a state vector (client, clock) takes at least one byte, so a
    larger count is never valid, and refusing it bounds the reservation by the frame size.
    """
    reader = Reader(data)
    try:
        count = reader.read_var_uint()
    except MalformedMessage as exc:
        raise InvalidUpdate(f"invalid {what}: {exc}") from None
    if count > reader.remaining:
        raise InvalidUpdate(f"invalid {what}: {count} entries in {reader.remaining} bytes")


def apply_update(doc: Doc[Any], update: bytes) -> None:
    """Apply a Yjs v1 update to ``doc``.

    Raises:
        InvalidUpdate: the bytes are not a valid update.
    """
    _check_leading_count(update, "update")
    with _contained("update"):
        doc.apply_update(update)


def diff_update(doc: Doc[Any], state_vector: bytes) -> bytes:
    """Return the update a peer with ``state_vector`` is missing.

    Raises:
        InvalidUpdate: the state vector cannot be decoded.
    """
    _check_leading_count(state_vector, "state vector")
    with _contained("state vector"):
        return doc.get_update(state_vector)


def build_doc(updates: Iterable[bytes]) -> Doc[Any]:
    """Build a fresh Doc from stored updates (order does not matter: Yjs updates commute).

    Raises:
        InvalidUpdate: one of the updates is corrupt.
    """
    doc: Doc[Any] = Doc()
    for update in updates:
        apply_update(doc, update)
    return doc


def decode_state_vector(state_vector: bytes) -> dict[int, int]:
    """Decode a Yjs state vector (varuint count, then client/clock pairs)."""
    reader = Reader(state_vector)
    result = {}
    for _ in range(reader.read_var_uint()):
        client = reader.read_var_uint()
        result[client] = reader.read_var_uint()
    reader.expect_end()
    return result


def encode_state_vector(clocks: dict[int, int]) -> bytes:
    """Encode client clocks as a Yjs state vector."""
    parts = [write_var_uint(len(clocks))]
    for client, clock in clocks.items():
        parts.append(write_var_uint(client))
        parts.append(write_var_uint(clock))
    return b"".join(parts)


def encode_full_state(doc: Doc[Any], max_chunk_bytes: int) -> list[bytes]:
    """Encode the whole document as one or more updates of about ``max_chunk_bytes`` each.

    A joiner of a large room then receives bounded frames. Each chunk carries the structs of a
    group of clients (built with a state vector claiming every *other* client is complete) plus
    the delete set; Yjs keeps structs whose dependencies are in a later chunk pending until they
    arrive, so applying all chunks in any order yields the full document. One client's content
    is never split, so a single author's huge history still travels in one frame.
    """
    full = doc.get_update()
    if len(full) <= max_chunk_bytes:
        return [full]
    clocks = decode_state_vector(doc.get_state())
    sizes = {}
    for client in clocks:
        others = {c: k for c, k in clocks.items() if c != client}
        sizes[client] = len(doc.get_update(encode_state_vector(others)))
    groups: list[list[int]] = [[]]
    used = 0
    for client, size in sorted(sizes.items(), key=lambda kv: kv[1]):
        if groups[-1] and used + size > max_chunk_bytes:
            groups.append([])
            used = 0
        groups[-1].append(client)
        used += size
    if len(groups) == 1:
        return [full]
    chunks = []
    for group in groups:
        members = set(group)
        others = {c: k for c, k in clocks.items() if c not in members}
        chunks.append(doc.get_update(encode_state_vector(others)))
    return chunks
