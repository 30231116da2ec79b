"""Rebuild a stored document through the nesting index, setting aside rows it cannot hold.

A room's history is a snapshot plus a tail of update rows. Each row is admitted by the
document's :class:`~collab.nesting.NestingIndex` before the CRDT core sees it. A row is set
aside, not applied, when

* it nests deeper than the limit (stored by an older node, or under a higher limit), or
* it restates a clock that waits for a dependency differently from another row, or
* some of its structs still wait for a missing dependency when every row has been read.

Rows set aside stay in the log: compaction keeps them (invariant 2), and their
content can still come back, from a client that has it and its dependencies. A live document
therefore never holds structs waiting for a dependency; see ``NestingIndex.admit`` for why
live rooms insist on that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc

from collab.errors import AmbiguousUpdate, InvalidUpdate, NestingTooDeep
from collab.nesting import NestingIndex
from collab.ydoc import apply_checked, apply_update

__all__ = ["Restored", "restore_doc"]


@dataclass(slots=True)
class Restored:
    """A rebuilt document, its index, and the positions of the rows set aside."""

    doc: Doc[Any]
    nesting: NestingIndex
    set_aside: dict[int, str] = field(default_factory=dict)


def _snapshot_index(
    doc: Doc[Any], snapshot: bytes | None, snapshot_nesting: bytes | None, max_depth: int
) -> NestingIndex:
    if snapshot is None:
        return NestingIndex(max_depth)
    if snapshot_nesting is None:  # written before indexes were stored: read it
        index = NestingIndex(max_depth)
        apply_checked(doc, index, snapshot)
        return index
    try:
        index = NestingIndex.from_bytes(snapshot_nesting, max_depth)
    except ValueError as exc:
        raise InvalidUpdate(f"stored nesting index: {exc}") from None
    # Compaction built this snapshot through that index: no second reading (it would cost
    # ten times what applying does).
    apply_update(doc, snapshot)
    return index


def restore_doc(
    snapshot: bytes | None,
    snapshot_nesting: bytes | None,
    updates: Sequence[bytes],
    max_depth: int,
) -> Restored:
    """Rebuild a stored document and its nesting index: snapshot first, then the log tail.

    ``snapshot_nesting`` is the index compaction stored with the snapshot; without it the
    snapshot is admitted like any update.

    Raises:
        NestingTooDeep: the snapshot nests deeper than ``max_depth``.
        InvalidUpdate: the snapshot, its index or a row is corrupt (undecodable): the caller
            opens nothing on top of a history it cannot read.
    """
    doc: Doc[Any] = Doc()
    base = _snapshot_index(doc, snapshot, snapshot_nesting, max_depth)
    set_aside: dict[int, str] = {}
    while True:
        index = base.copy()
        taken: list[int] = []
        for i, update in enumerate(updates):
            if i in set_aside:
                continue
            try:
                admission = index.admit(update)
            except (NestingTooDeep, AmbiguousUpdate) as exc:
                set_aside[i] = str(exc)
                continue
            index.commit(admission)
            taken.append(i)
        if not index.pending:
            break
        # Rows whose structs wait for a dependency no row holds: set them aside, read again.
        for i in taken:
            if index.holds_pending(updates[i]):
                set_aside[i] = "waits for content the room does not have"
    for i in taken:
        apply_update(doc, updates[i])
    return Restored(doc, index, set_aside)
