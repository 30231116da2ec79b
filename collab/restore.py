"""Restore points of a workshop document: what they store, what changed between two, and how
a restore is made as one forward change (pure).

A restore point is the document's whole state, encoded by Yjs from a document with garbage
collection on (deleted content is not in it, only the fact that something was deleted), then
compressed: :func:`pack_state` / :func:`decode_point`.

A restore never rewinds history. :func:`restore_into` writes, in one transaction on the live
document, whatever makes its content equal to the point's: entries that appeared since are
deleted, entries that went are written back, fields that changed get their old value. That is
an ordinary update: everyone connected receives it, nobody is disconnected, an edit made at the
same moment merges with it as any two edits do, and a restore point taken just before the
restore undoes it.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pycrdt import Array, Doc, Map, Text

from collab.artifacts import KINDS
from collab.errors import InvalidUpdate
from collab.nesting import NestingIndex
from collab.text_fields import set_text, upgrade
from collab.ydoc import apply_checked

__all__ = [
    "ROOTS",
    "pack_state",
    "decode_point",
    "doc_of_point",
    "summarize",
    "restore_into",
    "content",
    "present_ids",
    "rewrite_point",
    "prepare_point",
]

#: The root maps a restore point brings back: every artifact collection, and the board's
#: clusters and brainstorm frames. Brainstorm snapshots and private rooms are not the
#: project's content (they live in rooms of their own).
ROOTS: tuple[str, ...] = (*(kind.collection for kind in KINDS.values()), "clusters", "frames")
_LEVEL = 6
#: A stored point larger than this once decompressed is refused (a document's limit is far
#: below; a forged row must not make the node allocate without bound).
MAX_POINT_BYTES = 256 * 1024 * 1024


def pack_state(update: bytes) -> bytes:
    """The stored form of a document's full state ``update``."""
    return zlib.compress(update, _LEVEL)


def decode_point(stored: bytes, limit: int = MAX_POINT_BYTES) -> bytes:
    """The Yjs update a stored point holds (at most ``limit`` bytes of it).

    Raises:
        InvalidUpdate: the bytes are not a stored point.
    """
    try:
        inflater = zlib.decompressobj()
        update = inflater.decompress(stored, limit)
    except zlib.error as exc:
        raise InvalidUpdate(f"invalid restore point: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise InvalidUpdate("invalid restore point: truncated or too large")
    return update


def doc_of_point(stored: bytes, max_depth: int) -> Doc[Any]:
    """A document holding the state of a stored point.

    Raises:
        InvalidUpdate: the bytes are not a stored point of a well-formed document.
    """
    doc: Doc[Any] = Doc()
    apply_checked(doc, NestingIndex(max_depth), decode_point(stored))
    return doc


def rewrite_point(
    stored: bytes, change: Callable[[Doc[Any]], int], max_depth: int
) -> tuple[bytes, bytes] | None:
    """Apply ``change`` (returning how much it changed) to a stored point; the new stored form
    and its state's digest, or None if nothing changed. With garbage collection on, values
    written over are not in the new form (an erasure's pseudonym replaces a person for good).

    Raises:
        InvalidUpdate: the bytes are not a stored point of a well-formed document.
    """
    doc = doc_of_point(stored, max_depth)
    if not change(doc):
        return None
    update = doc.get_update()
    return pack_state(update), hashlib.sha256(update).digest()


def prepare_point(
    state: bytes, previous: bytes | None, max_depth: int
) -> tuple[bytes, bytes, dict[str, dict[str, int]]]:
    """What storing a point needs from the full ``state`` just read: its stored form, its
    digest, and the summary of what changed since the ``previous`` stored point. The slow
    part of taking a point, run away from the event loop (http_api/versions.py).

    Raises:
        InvalidUpdate: ``state`` or ``previous`` is not a well-formed document.
    """
    stored = pack_state(state)
    now = content(doc_of_point(stored, max_depth))
    before = content(doc_of_point(previous, max_depth)) if previous is not None else {}
    return stored, hashlib.sha256(state).digest(), summarize(before, now)


def content(doc: Doc[Any]) -> dict[str, dict[str, Any]]:
    """Every entry of :data:`ROOTS`, as plain values (what a comparison needs)."""
    out: dict[str, dict[str, Any]] = {}
    for root in ROOTS:
        entries = doc.get(root, type=Map)
        out[root] = {key: _plain(value) for key, value in entries.items()}
    return out


def summarize(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, int]]:
    """What changed from ``before`` to ``after`` (:func:`content` of each), per root:
    ``{"ideas": {"added": 12, "removed": 0, "changed": 3}}``; roots without change left out."""
    summary: dict[str, dict[str, int]] = {}
    for root in ROOTS:
        old, new = before.get(root, {}), after.get(root, {})
        counts = {
            "added": sum(1 for key in new if key not in old),
            "removed": sum(1 for key in old if key not in new),
            "changed": sum(1 for key in new if key in old and new[key] != old[key]),
        }
        if any(counts.values()):
            summary[root] = counts
    return summary


def restore_into(live: Doc[Any], point: Doc[Any]) -> dict[str, dict[str, int]]:
    """Make ``live``'s content that of ``point``, in one transaction; what it changed.

    ``point`` is upgraded first (collab/text_fields.py): a point taken before schema 2 holds
    its free text as plain strings, and a restore must not put them back over the Y.Text.
    """
    upgrade(point)
    summary: dict[str, dict[str, int]] = {}
    with live.transaction():
        for root in ROOTS:
            current: Map[Any] = live.get(root, type=Map)
            wanted: Map[Any] = point.get(root, type=Map)
            counts = {"added": 0, "removed": 0, "changed": 0}
            for key in [key for key in current.keys() if key not in wanted]:  # noqa: SIM118
                del current[key]
                counts["removed"] += 1
            for key, old in wanted.items():
                now = current.get(key)
                if now is None:
                    current[key] = _copy(old)
                    counts["added"] += 1
                elif _restore_entry(current, key, now, old):
                    counts["changed"] += 1
            if any(counts.values()):
                summary[root] = counts
    return summary


def _restore_entry(parent: Map[Any], key: str, now: Any, old: Any) -> bool:
    """Bring one entry back to ``old``; whether it differed. Field by field for a map (so a
    note's other fields, unchanged, are not rewritten), whole otherwise."""
    if _plain(now) == _plain(old):
        return False
    if isinstance(now, Map) and isinstance(old, Map):
        for name in [name for name in now.keys() if name not in old]:  # noqa: SIM118
            del now[name]
        for name, value in old.items():
            current = now.get(name)
            if isinstance(current, Text) and isinstance(value, Text):
                set_text(current, str(value))  # the difference: typing meanwhile survives
            elif name not in now or _plain(current) != _plain(value):
                now[name] = _copy(value)
        return True
    parent[key] = _copy(old)
    return True


def _copy(value: Any) -> Any:
    """A fresh shared value equal to ``value`` (a shared type belongs to one document)."""
    if isinstance(value, Map):
        return Map({name: _copy(item) for name, item in value.items()})
    if isinstance(value, Array):
        return Array([_copy(item) for item in value])
    if isinstance(value, Text):
        return Text(str(value))
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Map | Array):
        return value.to_py()
    if isinstance(value, Text):
        return str(value)
    return value


def present_ids(user_ids: Iterable[str | None]) -> list[str]:
    """Distinct account ids among ``user_ids`` (anonymous connections left out), sorted."""
    return sorted({user for user in user_ids if user})
