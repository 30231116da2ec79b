"""Safe wrappers around pycrdt for peer- and storage-supplied bytes.

pycrdt raises ``ValueError`` for undecodable updates, but a malformed update that decodes can
make the Rust core panic, which pyo3 surfaces as ``PanicException``: a ``BaseException``, not an
``Exception``. Everything that feeds foreign bytes into a Doc goes through here so that a panic
becomes an :class:`InvalidUpdate` and never unwinds through the event loop.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from pycrdt import Doc, _pycrdt
from pycrdt import get_update as _missing_from_update

from collab.errors import InvalidUpdate, MalformedMessage
from collab.lib0 import Reader, write_var_uint
from collab.nesting import NestingIndex

__all__ = [
    "CORE_AVAILABLE",
    "CORE_TRANSACTIONS",
    "use_core_transactions",
    "apply_update",
    "apply_checked",
    "diff_update",
    "build_doc",
    "is_panic",
    "decode_state_vector",
    "encode_state_vector",
    "encode_full_state",
    "DeleteSet",
    "read_delete_set",
    "normalize_delete_set",
    "known_deletes",
    "adds_nothing",
    "EMPTY_STATE_VECTOR",
    "is_blank",
]

#: Deleted ranges per client, ``{client: [(clock, length), ...]}`` (Yjs DeleteSet).
DeleteSet = dict[int, list[tuple[int, int]]]


def is_panic(exc: BaseException) -> bool:
    """Tell a pyo3 panic (safe to contain) from exits and cancellations (never contained)."""
    return type(exc).__name__ == "PanicException"


def _reraise_contained(exc: BaseException, what: str) -> NoReturn:
    """Raise InvalidUpdate for pycrdt's ValueError or RuntimeError, or a pyo3 panic; re-raise
    anything else.

    pycrdt raises RuntimeError when yrs stops midway through an update (a struct whose parent
    is not a shared type): the structs before it are applied. The nesting index refuses that
    shape first (collab/nesting.py); this keeps any other such failure to the one socket.
    """
    if isinstance(exc, ValueError | RuntimeError):
        raise InvalidUpdate(f"invalid {what}: {exc}") from None
    if is_panic(exc):
        raise InvalidUpdate(f"{what} rejected by the CRDT core: {exc}") from None
    raise exc


@contextmanager
def _contained(what: str) -> Iterator[None]:
    """Turn pycrdt's ValueError and pyo3 panics on foreign bytes into InvalidUpdate."""
    try:
        yield
    except BaseException as exc:
        _reraise_contained(exc, what)


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


def _has_core_transactions() -> bool:
    """Whether pycrdt's Doc still has the shape :func:`apply_update` relies on to bypass it."""
    core_doc = getattr(_pycrdt, "Doc", None)
    core_txn = getattr(_pycrdt, "Transaction", None)
    sample: Doc[Any] = Doc()
    return (
        all(hasattr(core_doc, name) for name in ("create_transaction", "apply_update"))
        and all(hasattr(core_txn, name) for name in ("commit", "drop"))
        and isinstance(getattr(sample, "_doc", None), _pycrdt.Doc)
        and all(getattr(sample, name, True) is None for name in ("_txn", "_Model"))
        and getattr(sample, "_allow_multithreading", None) is False
        and getattr(sample, "_subscriptions", None) == []
    )


#: Whether :func:`apply_update` can write plain documents on pycrdt's compiled core; False if
#: a pycrdt release reshapes its internals (every update then takes the public API, slower).
CORE_AVAILABLE = _has_core_transactions()
#: Whether :func:`apply_update` does (see :func:`use_core_transactions`).
CORE_TRANSACTIONS = CORE_AVAILABLE


def use_core_transactions(enabled: bool) -> bool:
    """Write plain documents on pycrdt's compiled core when it allows (the default), or never.

    Process-wide (benchmarks toggle it). Returns whether the core is now used: never if a
    pycrdt release reshaped its internals.
    """
    global CORE_TRANSACTIONS
    CORE_TRANSACTIONS = enabled and CORE_AVAILABLE
    return CORE_TRANSACTIONS


def apply_update(doc: Doc[Any], update: bytes) -> None:
    """Apply a Yjs v1 update to ``doc``.

    A plain document (no transaction open, no model, no locking, no observers: every room's)
    is written on pycrdt's compiled core directly. ``Doc.apply_update`` does the same around
    the same two calls (open a transaction, apply, commit even when applying failed, drop);
    its Python layers (a Transaction object, enter and exit hooks, origin and observer
    bookkeeping) are a large share of a small update's apply (docs/benchmarks.md). Any other
    document takes the public API.

    Raises:
        InvalidUpdate: the bytes are not a valid update.
    """
    # The leading count, when it fits one byte (nearly always): the check below, inlined.
    if not update or update[0] >= 0x80 or update[0] >= len(update):
        _check_leading_count(update, "update")
    # try/except rather than ``with _contained(...)``: this runs once per relayed update, and a
    # generator-based context manager costs more than the rest of this function's Python.
    try:
        if (  # a pycrdt Doc proper (CORE_TRANSACTIONS vouched for these attributes)
            CORE_TRANSACTIONS
            and type(doc) is Doc
            and doc._txn is None
            and doc._Model is None
            and not doc._allow_multithreading
            and not doc._subscriptions
        ):
            core = doc._doc
            txn = core.create_transaction()
            try:
                core.apply_update(txn, update)
            finally:
                try:
                    txn.commit()
                finally:
                    txn.drop()
        else:
            doc.apply_update(update)
    except BaseException as exc:
        _reraise_contained(exc, "update")


def diff_update(doc: Doc[Any], state_vector: bytes) -> bytes:
    """Return the update a peer with ``state_vector`` is missing.

    Raises:
        InvalidUpdate: the state vector cannot be decoded.
    """
    _check_leading_count(state_vector, "state vector")
    with _contained("state vector"):
        return doc.get_update(state_vector)


def apply_checked(doc: Doc[Any], nesting: NestingIndex, update: bytes) -> None:
    """Apply ``update`` to ``doc`` if ``nesting`` (the doc's own index) admits it.

    Raises:
        NestingTooDeep: the update nests types or values too deep; ``doc`` is unchanged.
        InvalidUpdate: the bytes are not a valid update; ``doc`` is unchanged.
    """
    admission = nesting.admit(update)
    apply_update(doc, update)
    nesting.commit(admission)


def build_doc(updates: Iterable[bytes], nesting: NestingIndex | None = None) -> Doc[Any]:
    """Build a fresh Doc from stored updates, each admitted by ``nesting`` (a fresh index
    with the default depth limit if None) before it reaches the CRDT core.

    Raises:
        NestingTooDeep: stored content nests deeper than the index allows.
        InvalidUpdate: one of the updates is corrupt.
    """
    doc: Doc[Any] = Doc()
    index = NestingIndex() if nesting is None else nesting
    for update in updates:
        apply_checked(doc, index, update)
    return doc


#: The state vector of a document that nothing was ever written into (zero clients).
EMPTY_STATE_VECTOR = b"\x00"


def is_blank(doc: Doc[Any]) -> bool:
    """Whether nothing was ever written into ``doc`` (a new project's room, say).

    One state-vector read, where looking for content walks every root type in a transaction
    each: rooms opened in a storm of first joins are mostly blank.
    """
    return doc.get_state() == EMPTY_STATE_VECTOR


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


def read_delete_set(reader: Reader) -> DeleteSet:
    """Read a Yjs v1 delete set (yjs DeleteSet.js ``writeDeleteSet``) at the reader's position.

    Raises:
        MalformedMessage: the bytes end early.
    """
    deletes: DeleteSet = {}
    for _ in range(reader.read_var_uint()):
        client = reader.read_var_uint()
        ranges = deletes.setdefault(client, [])
        for _ in range(reader.read_var_uint()):
            clock = reader.read_var_uint()
            ranges.append((clock, reader.read_var_uint()))
    return deletes


def normalize_delete_set(deletes: DeleteSet) -> DeleteSet:
    """The same deletions as sorted ranges, joined where they overlap or touch, none empty."""
    normal: DeleteSet = {}
    for client, ranges in deletes.items():
        out: list[tuple[int, int]] = []
        for clock, length in sorted(ranges):
            if length <= 0:
                continue
            if out and clock <= out[-1][0] + out[-1][1]:
                start, previous = out[-1]
                out[-1] = (start, max(previous, clock + length - start))
            else:
                out.append((clock, length))
        if out:
            normal[client] = out
    return normal


def known_deletes(doc: Doc[Any]) -> DeleteSet:
    """Everything deleted in ``doc``, as sorted, merged ranges per client."""
    # An update from the doc's own state vector has no structs, only the full delete set.
    reader = Reader(doc.get_update(doc.get_state()))
    reader.read_var_uint()
    return normalize_delete_set(read_delete_set(reader))


def covered(known: list[tuple[int, int]], clock: int, length: int) -> bool:
    """Whether ``length`` items from ``clock`` lie within one of the sorted, merged ranges
    ``known`` (one client's part of :func:`known_deletes`)."""
    index = bisect_right(known, (clock, float("inf"))) - 1  # the last range starting <= clock
    return index >= 0 and clock + length <= known[index][0] + known[index][1]


def adds_nothing(doc: Doc[Any], update: bytes, known: DeleteSet | None = None) -> bool:
    """Whether applying ``update`` to ``doc`` would change nothing.

    Yjs writes a document's whole delete set into every update it encodes, so a peer in sync
    that answers sync step 1 sends a non-empty step 2 of deletions the server already has.
    This tells such an update from one that carries a change. ``known`` is
    :func:`known_deletes` of ``doc`` (sorted, joined ranges), for callers that cache it.

    Raises:
        InvalidUpdate: the bytes are not a valid update.
    """
    _check_leading_count(update, "update")
    with _contained("update"):
        missing = _missing_from_update(update, doc.get_state())
    reader = Reader(missing)  # encoded by yrs: well-formed
    if reader.read_var_uint():
        return False  # structs the doc lacks
    deletes = normalize_delete_set(read_delete_set(reader))
    if not deletes:
        return True
    if known is None:
        known = known_deletes(doc)
    return all(
        covered(known.get(client, []), clock, length)
        for client, ranges in deletes.items()
        for clock, length in ranges
    )
