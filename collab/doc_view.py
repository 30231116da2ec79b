"""Typed views of a workshop document that REST reads without rebuilding them per request.

Reading a collection straight from the Y.Doc costs a walk through every entry's Y.Map (pycrdt
calls per field), so a page of 50 ideas cost as much as the whole board. A
:class:`CollectionView` keeps one kind's artifacts as REST returns them (the item, its JSON,
its ETag, its schema violations) in creation order, and is told which entries changed
(:meth:`CollectionView.observe`, a deep observer on the collection's root map that
rooms/doc_views.py registers). :meth:`CollectionView.refresh` re-reads only those, at most
``budget`` per call, so a first build of a large board can be spread over several turns of
the event loop. A page is then a binary search and a slice.

Pure code: no I/O, no clock. The view never writes to the document.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from pycrdt import Doc, Map

from collab import schema
from collab.artifacts import ArtifactKind
from collab.schema import SchemaViolation

__all__ = ["CachedItem", "CollectionView", "Page", "etag_of", "page_etag"]

#: Entries re-read per :meth:`CollectionView.refresh` call when the caller gives no budget.
UNBOUNDED: Final = 1 << 62
_ABSENT: Final = object()  # an entry no longer in the map (a stored null is an entry)


def etag_of(item: dict[str, Any]) -> str:
    """A strong ETag: a digest of the artifact's whole JSON (any change, any field, changes it)."""
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(canonical).hexdigest()[:32] + '"'


@dataclass(frozen=True, slots=True)
class CachedItem:
    """One artifact as REST returns it, with what every read of it needs precomputed."""

    key: tuple[str, str]  # (createdAt, id): its place in the listing
    item: dict[str, Any]
    body: bytes  # the item's JSON, as a response carries it
    etag: str
    violations: tuple[SchemaViolation, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a listing: its items and the key of its last one when more follow."""

    items: list[CachedItem]
    next_key: tuple[str, str] | None


def page_etag(items: Iterable[CachedItem], tail: str) -> str:
    """The ETag of a response made of ``items`` and ``tail`` (the rest of the body's facts)."""
    digest = hashlib.sha256(tail.encode())
    for cached in items:
        digest.update(cached.etag.encode())
    return '"' + digest.hexdigest()[:32] + '"'


class CollectionView:
    """One kind's artifacts, read from the document once and re-read only where it changed.

    Invariant: after :meth:`refresh` returns True (with no change in between), every entry
    of the collection's root map is either in ``items`` (a Y.Map, read as
    :func:`collab.schema.read_entry` reads it) or in ``junk`` (anything else), exactly as a
    full read of the document would find them.
    """

    __slots__ = ("kind", "_items", "_order", "_junk", "_dirty", "_all_dirty", "_digest")

    def __init__(self, kind: ArtifactKind) -> None:
        self.kind = kind
        self._items: dict[str, CachedItem] = {}
        self._order: list[tuple[str, str]] = []
        self._junk: dict[str, SchemaViolation] = {}
        self._dirty: set[str] = set()
        self._all_dirty = True  # nothing read yet
        self._digest = 0  # XOR of the items' ETag digests: changes with any item

    # --- being told about changes ------------------------------------------------------

    def observe(self, events: list[Any]) -> None:
        """A deep observer of the collection's root map: record which entries ``events`` touch.

        It runs inside the transaction that made the change, so it only records (pycrdt
        forbids reading the document there). An event of a shape this code does not know
        makes the next refresh compare everything rather than miss a change.
        """
        try:
            for event in events:
                path = event.path
                self._dirty.update((path[0],) if path else event.keys)
        except Exception:
            self._all_dirty = True

    @property
    def pending(self) -> int:
        """Entries still to re-read (an estimate while everything is to be compared)."""
        return len(self._dirty) + (len(self._items) + 1 if self._all_dirty else 0)

    # --- catching up -------------------------------------------------------------------

    def refresh(self, doc: Doc[Any], budget: int = UNBOUNDED) -> int:
        """Re-read up to ``budget`` changed entries from ``doc``; return how many it read.

        Call it inside a transaction of ``doc`` (one consistent state per call). The view is
        current once :attr:`pending` is 0.
        """
        root: Map[Any] = doc.get(self.kind.collection, type=Map)
        if self._all_dirty:
            self._all_dirty = False
            self._dirty.update(root.keys())
            self._dirty.update(self._items)
            self._dirty.update(self._junk)
        dirty, done = self._dirty, 0
        while dirty and done < budget:
            done += 1
            key = dirty.pop()
            self._reread(key, root.get(key, _ABSENT))
        return done

    def _reread(self, key: str, entry: object) -> None:
        self._drop(key)
        if entry is _ABSENT:
            return  # removed
        item, problems = schema.read_entry(self.kind, key, entry)
        if item is None:
            self._junk[key] = problems[0]
            return
        cached = CachedItem(
            schema.sort_key(item),
            item,
            json.dumps(item).encode(),
            etag_of(item),
            tuple(problems),
        )
        self._items[key] = cached
        insort(self._order, cached.key)
        self._digest ^= int(cached.etag[1:-1], 16)

    def _drop(self, key: str) -> None:
        self._junk.pop(key, None)
        old = self._items.pop(key, None)
        if old is None:
            return
        index = bisect_left(self._order, old.key)
        del self._order[index]
        self._digest ^= int(old.etag[1:-1], 16)

    # --- reading (after a refresh that returned True) --------------------------------

    def get(self, item_id: str) -> CachedItem | None:
        """The artifact ``item_id``, or None if the collection holds no such Y.Map."""
        return self._items.get(item_id)

    @property
    def count(self) -> int:
        """How many artifacts the collection holds."""
        return len(self._items)

    def ordered(self, after: tuple[str, str] | None = None) -> Iterator[CachedItem]:
        """The artifacts in listing order, from just after ``after`` (from the first if None)."""
        start = 0 if after is None else bisect_right(self._order, after)
        items = self._items
        for key in self._order[start:]:
            yield items[key[1]]

    def page(
        self,
        limit: int,
        after: tuple[str, str] | None = None,
        *,
        where: tuple[str, Any] | None = None,
    ) -> Page:
        """Up to ``limit`` artifacts following ``after`` in listing order.

        ``where`` keeps only artifacts whose field has a value (``("testId", id)``); such a
        page walks the listing until it is full.
        """
        chosen: list[CachedItem] = []
        for cached in self.ordered(after):
            if where is not None and cached.item[where[0]] != where[1]:
                continue
            if len(chosen) == limit:
                return Page(chosen, chosen[-1].key)
            chosen.append(cached)
        return Page(chosen, None)

    def read_whole(self) -> tuple[list[dict[str, Any]], list[SchemaViolation]]:
        """Every artifact in listing order and every violation, as the document reads."""
        items, violations = [], list(self._junk.values())
        for cached in self.ordered():
            items.append(cached.item)
            violations.extend(cached.violations)
        return items, violations

    def items(self) -> list[dict[str, Any]]:
        """Every artifact in listing order (the cached dicts: callers must not change them)."""
        return [cached.item for cached in self.ordered()]

    def bodies(self) -> list[bytes]:
        """Every artifact's JSON in listing order."""
        return [cached.body for cached in self.ordered()]

    @property
    def digest(self) -> int:
        """A digest of the collection's content: equal contents give equal digests."""
        return self._digest ^ len(self._items)
