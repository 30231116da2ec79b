"""Keep deeply nested content out of a document before it reaches the CRDT core.

yrs (pycrdt's core) walks nested shared types and nested values recursively on the C stack:
deleting a Y.Map nested some 30,000 levels deep, or decoding an array value nested 100,000
levels deep, overflows the stack and the whole process dies with SIGSEGV. No Python exception
handler helps, so such content must never get into a Doc. This module reads a Yjs v1 update
the way yrs does (collab/update_scan.py), without applying it, and refuses it when

* a shared type would sit more than ``max_depth`` levels below its root type (root = 1), or
* a value (``ContentAny``, a JSON string of an embed or format) nests deeper than
  ``max_depth``, or
* it uses content the server never needs and yrs decodes differently from Yjs (legacy JSON
  content, sub-documents, weak links): a second parser that disagrees with the first is a hole.

The depth of a type is known only relative to the document: an item written next to another
(``origin``) lives in the same parent, so depth is tracked across updates in a
:class:`NestingIndex`, one per document. It records, for every integrated clock range of every
client, the depth of the type that contains it, in runs (consecutive items at the same depth
share one entry), and mirrors yrs' rules for which structs are integrated now and which wait
for missing dependencies. Where yrs picks one of two candidates (the left origin's parent,
else the right one's), the index takes the deeper of the two, so it never under-estimates.

Admission is two-phase: :meth:`NestingIndex.admit` reads and checks without changing the
index, the caller applies the update to its Doc, then :meth:`NestingIndex.commit` records it.
An update the Doc refused is never recorded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from heapq import heappop, heappush

import msgpack

from collab.errors import AmbiguousUpdate, InvalidUpdate, MissingDependencies, NestingTooDeep
from collab.update_scan import DELETED, GC, NAMED, TYPE, Struct, scan, scan_one

__all__ = [
    "touches_root",
    "DEFAULT_MAX_DEPTH",
    "MAX_ALLOWED_DEPTH",
    "MAX_PENDING",
    "NestingIndex",
    "Admission",
]

#: The workshop schema needs 5 levels (root map, artifact map, list array, item map, text);
#: rich-text editors nest lists and blocks a few dozen deep at most.
DEFAULT_MAX_DEPTH = 100
#: yrs overflowed an 8 MiB stack between 20,000 and 40,000 levels (worker threads may have
#: less), and pycrdt's ``to_py`` hits Python's recursion limit between 450 and 1,000 levels.
#: A configured limit above this is refused.
MAX_ALLOWED_DEPTH = 256
#: Structs a document may hold waiting for missing dependencies before updates are refused.
MAX_PENDING = 100_000

_Id = tuple[int, int]
#: Runs record a *mark* per clock range: the depth shifted left once, and this bit when the
#: range may be named as a parent (a shared type, or content already deleted or collected,
#: which yrs accepts as a parent and collects the child). yrs fails halfway through an update
#: whose struct names any other content as its parent, after applying the structs before it.
_MAY_PARENT = 1
#: Version of :meth:`NestingIndex.to_bytes`
_FORMAT = 2
_Pending = dict[int, list[Struct]]


def _same_place(a: Struct, b: Struct) -> bool:
    """Whether two structs state the same start, kind and anchors (a struct, and a longer one
    its client merged later items into)."""
    return a[1] == b[1] and a[3:] == b[3:]


#: An integrated clock range: (client, start, end, mark).
_Range = tuple[int, int, int, int]
#: What :meth:`NestingIndex.admit` decided: the ranges integrated now, in integration order,
#: and the structs left waiting (None: the waiting set is unchanged). A plain tuple: one is
#: made per relayed update.
Admission = tuple[list[_Range], _Pending | None]


def touches_root(admission: Admission) -> bool:
    """Whether an admitted update puts anything directly in a root type (depth 1).

    Only such an update can add a key to a root map (a new artifact in the workshop schema);
    typing inside an artifact never does. Read from what :meth:`NestingIndex.admit` computed
    anyway, so the relay pays one comparison per range.
    """
    return any(mark >> 1 == 1 for _client, _clock, _end, mark in admission[0])


class NestingIndex:
    """The depth of every integrated clock range of one document (see the module docstring).

    Depths: a root type is at depth 1; an item's recorded depth is the depth of the type that
    contains it; a type item creates a type one level deeper. GC ranges are recorded at 0.
    """

    __slots__ = ("max_depth", "_clocks", "_starts", "_marks", "_pending")

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        if not 1 <= max_depth <= MAX_ALLOWED_DEPTH:
            raise ValueError(f"max nesting depth must be 1..{MAX_ALLOWED_DEPTH}, got {max_depth}")
        self.max_depth = max_depth
        #: per client: end of the contiguous integrated range [0, clock), as in a state vector
        self._clocks: dict[int, int] = {}
        #: per client: run starts (ascending) and the mark of each run (see _MAY_PARENT)
        self._starts: dict[int, list[int]] = {}
        self._marks: dict[int, list[int]] = {}
        #: per client, by clock: structs waiting for a dependency (yrs keeps them pending too)
        self._pending: _Pending = {}

    @property
    def pending(self) -> int:
        """Structs waiting for a missing dependency."""
        return sum(len(structs) for structs in self._pending.values())

    def admit(self, update: bytes, *, allow_pending: bool = True) -> Admission:
        """Read ``update`` and decide, without changing the index, whether it may be applied.

        With ``allow_pending`` False an update whose structs cannot all be integrated now is
        refused. Live rooms refuse them from peers: a struct left waiting on another client's
        *next* clock would otherwise be integrated by that client's next, innocent update,
        and a deep chain waiting that way would get the innocent update refused. A peer that
        is merely ahead resyncs (its sync step 2 then carries the dependencies).

        Raises:
            NestingTooDeep: a shared type or a value would nest deeper than ``max_depth``.
            MissingDependencies: ``allow_pending`` is False and a struct would have to wait.
            AmbiguousUpdate: a struct restates a waiting one differently.
            InvalidUpdate: the bytes are not a well-formed update, or use refused content.
        """
        if not self._pending:
            one = scan_one(update)
            if one is not None:
                # The commonest update, inline: one struct at its client's frontier, its
                # anchors integrated (clients send their edits in order).
                client, clock, end, flags, _, origin, right = one
                clocks = self._clocks
                if (
                    clock == clocks.get(client, 0)
                    and (origin is None or origin[1] < clocks.get(origin[0], 0))
                    and (right is None or right[1] < clocks.get(right[0], 0))
                ):
                    if flags & NAMED:
                        depth = 1
                    else:
                        depth = 0 if origin is None else self._mark(*origin) >> 1
                        if right is not None:
                            depth = max(depth, self._mark(*right) >> 1)
                    if flags & TYPE:
                        if depth >= self.max_depth:
                            raise NestingTooDeep(
                                f"a shared type would nest deeper than {self.max_depth} levels"
                            )
                        return [(client, clock, end, depth << 1 | _MAY_PARENT)], None
                    return [(client, clock, end, depth << 1)], None
        max_depth = self.max_depth
        structs = scan(update, max_depth)
        integrated: list[_Range] = []
        if not structs:
            return integrated, None  # deletions only
        clocks = self._clocks
        new_clocks: dict[int, int] = {}
        # runs integrated by this admission, per client: (starts, marks), ascending
        overlay: dict[int, tuple[list[int], list[int]]] = {}

        def frontier(client: int) -> int:
            clock = new_clocks.get(client)
            return clocks.get(client, 0) if clock is None else clock

        def mark_at(client: int, clock: int) -> int:
            runs = overlay.get(client)
            if runs is not None and clock >= runs[0][0]:
                starts = runs[0]
                if clock >= starts[-1]:
                    return runs[1][-1]
                return runs[1][bisect_right(starts, clock) - 1]
            starts = self._starts[client]
            if clock >= starts[-1]:
                return self._marks[client][-1]
            return self._marks[client][bisect_right(starts, clock) - 1]

        def known(dep: _Id | None) -> bool:
            return dep is None or dep[1] < frontier(dep[0])

        def integrate(s: Struct, start: int) -> None:
            client, clock, end, flags, parent, origin, right = s
            if flags & GC:
                depth = 0
            elif flags & NAMED:
                depth = 1
            elif parent is not None:
                mark = mark_at(*parent)
                if not mark & _MAY_PARENT:  # yrs fails midway through the update on this
                    raise InvalidUpdate(
                        f"invalid update: the parent of client {client} clock {clock} "
                        "is not a shared type"
                    )
                depth = (mark >> 1) + 1
            else:  # yrs takes the left origin's parent, else the right one's: take the deeper
                depth = mark_at(*origin) >> 1 if origin is not None else 0
                if right is not None:
                    depth = max(depth, mark_at(*right) >> 1)
            if clock < start:  # partly known: yrs goes on from its own last item there
                depth = max(depth, mark_at(client, start - 1) >> 1)
            if flags & TYPE and depth >= max_depth:
                raise NestingTooDeep(f"a shared type would nest deeper than {max_depth} levels")
            mark = depth << 1 | (_MAY_PARENT if flags & (TYPE | GC | DELETED) else 0)
            runs = overlay.get(client)
            if runs is None:
                overlay[client] = ([start], [mark])
            elif runs[1][-1] != mark:
                runs[0].append(start)
                runs[1].append(mark)
            new_clocks[client] = end
            integrated.append((client, start, end, mark))

        # One pass in update order: nearly always every struct's anchors are known by the
        # time it is read. The rest wait for the general resolution below.
        fresh: list[Struct] = []
        deferred: list[Struct] = []
        for s in structs:
            start = frontier(s[0])
            if s[2] <= start:
                continue  # already integrated: yrs skips it, so do we
            fresh.append(s)
            if deferred or self._pending or s[1] > start:
                deferred.append(s)
            elif known(s[4]) and known(s[5]) and known(s[6]):
                integrate(s, start)
            else:
                deferred.append(s)
        if deferred or self._pending:
            return integrated, self._resolve(deferred, frontier, integrate, allow_pending, fresh)
        return integrated, None

    def _mark(self, client: int, clock: int) -> int:
        """The mark of an integrated clock (the caller checked it is below the frontier)."""
        starts = self._starts[client]
        if clock >= starts[-1]:
            return self._marks[client][-1]
        return self._marks[client][bisect_right(starts, clock) - 1]

    def _resolve(
        self,
        deferred: list[Struct],
        frontier: Callable[[int], int],
        integrate: Callable[[Struct, int], None],
        allow_pending: bool,
        fresh: list[Struct],
    ) -> _Pending:
        """Integrate what waits in dependency order; the rest stays pending (or is refused)."""
        candidates = self._merge_pending(deferred)
        blocked: dict[int, list[tuple[int, int, Struct]]] = {}
        queue = list(reversed(candidates))
        order = 0
        while queue:
            s = queue.pop()
            client, clock, end = s[0], s[1], s[2]
            start = frontier(client)
            if end <= start:  # pragma: no cover - defensive: one struct per clock range here
                continue  # integrated meanwhile: yrs skips it
            need: _Id | None = None
            if clock > start:
                need = (client, clock - 1)  # its own client's earlier structs
            else:
                for dep in (s[4], s[5], s[6]):
                    if dep is not None and dep[1] >= frontier(dep[0]):
                        need = dep
                        break
            if need is not None:
                order += 1
                heappush(blocked.setdefault(need[0], []), (need[1], order, s))
                continue
            integrate(s, start)
            waiting = blocked.get(client)
            while waiting and waiting[0][0] < end:
                queue.append(heappop(waiting)[2])
        pending: _Pending = {}
        left = 0
        for heap in blocked.values():
            for _, _, s in heap:
                pending.setdefault(s[0], []).append(s)
                left += 1
        if left and not allow_pending:
            fresh_ids = {id(s) for s in fresh}
            stuck = next(
                (s for structs in pending.values() for s in structs if id(s) in fresh_ids), None
            )
            if stuck is not None:
                raise MissingDependencies(
                    "update needs content this document does not have yet "
                    f"(client {stuck[0]} clock {stuck[1]})"
                )
        if left > MAX_PENDING:
            raise InvalidUpdate(f"invalid update: {left} structs wait for missing dependencies")
        for structs in pending.values():
            structs.sort(key=lambda s: s[1])
        return pending

    def _merge_pending(self, fresh: list[Struct]) -> list[Struct]:
        """The waiting structs plus the new ones, refusing two different versions of a clock.

        Two versions of one struct can both wait in yrs, which then keeps one of them by rules
        of its own; the index could not tell which. A struct and a longer one at the same
        place (its client merged later items into it) are the same content: keep the longer.

        Raises:
            AmbiguousUpdate: a new struct overlaps a waiting one that states a different place.
        """
        if not self._pending:
            return fresh
        merged = {client: list(structs) for client, structs in self._pending.items()}
        extra: list[Struct] = []
        for s in fresh:
            waiting = merged.get(s[0])
            if not waiting:
                extra.append(s)
                continue
            i = bisect_right([w[1] for w in waiting], s[1]) - 1
            overlaps = [
                j
                for j in (i, i + 1)
                if 0 <= j < len(waiting) and waiting[j][1] < s[2] and s[1] < waiting[j][2]
            ]
            if not overlaps:
                extra.append(s)
                continue
            j = overlaps[0]
            if len(overlaps) > 1 or not _same_place(waiting[j], s):
                raise AmbiguousUpdate(
                    f"invalid update: client {s[0]} clock {s[1]} restated differently"
                )
            if s[2] > waiting[j][2]:
                waiting[j] = s
        return [s for structs in merged.values() for s in structs] + extra

    def commit(self, admission: Admission) -> None:
        """Record an admitted update once the Doc has applied it."""
        clocks = self._clocks
        integrated, pending = admission
        for client, start, end, mark in integrated:
            if end <= clocks.get(client, 0):
                continue
            marks = self._marks.get(client)
            if marks is None:
                self._starts[client] = [start]
                self._marks[client] = [mark]
            elif marks[-1] != mark:
                self._starts[client].append(start)
                marks.append(mark)
            clocks[client] = end
        if pending is not None:
            self._pending = pending

    def copy(self) -> NestingIndex:
        """An independent copy."""
        twin = NestingIndex(self.max_depth)
        twin._clocks = dict(self._clocks)
        twin._starts = {client: list(starts) for client, starts in self._starts.items()}
        twin._marks = {client: list(marks) for client, marks in self._marks.items()}
        twin._pending = {client: list(structs) for client, structs in self._pending.items()}
        return twin

    def holds_pending(self, update: bytes) -> bool:
        """Whether some struct of ``update`` is still waiting for a missing dependency.

        yrs leaves waiting structs out of the updates it encodes, so a snapshot does not hold
        them: compaction keeps the rows that carry them (invariant 2).
        """
        if not self._pending:
            return False
        for s in scan(update, self.max_depth):
            for w in self._pending.get(s[0], ()):
                if w[1] < s[2] and s[1] < w[2]:
                    return True
        return False

    def to_bytes(self) -> bytes:
        """Serialize the integrated ranges, stored beside a snapshot so a load need not read
        the snapshot again. Waiting structs are left out, as yrs leaves them out of the
        snapshot; the rows that carry them stay in the log (see :meth:`holds_pending`).
        """
        clients = [
            [client, clock, self._starts[client], self._marks[client]]
            for client, clock in self._clocks.items()
        ]
        packed: bytes = msgpack.packb([_FORMAT, clients])
        return packed

    @classmethod
    def from_bytes(cls, data: bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> NestingIndex:
        """Restore an index written by :meth:`to_bytes` (the server's own, trusted).

        Raises:
            ValueError: the bytes are not a serialized index.
        """
        try:
            version, clients = msgpack.unpackb(data, use_list=True)
            if version != _FORMAT:
                raise ValueError(f"unknown nesting index version {version}")
            index = cls(max_depth)
            for client, clock, starts, marks in clients:
                if len(starts) != len(marks) or not starts:
                    raise ValueError("runs and marks differ")
                index._clocks[client] = clock
                index._starts[client] = starts
                index._marks[client] = marks
        except (TypeError, msgpack.UnpackException) as exc:
            raise ValueError(f"not a nesting index: {exc}") from None
        return index

    def check(self, update: bytes) -> None:
        """Admit and record ``update`` at once (for content the Doc already holds).

        Raises:
            NestingTooDeep: see :meth:`admit`.
            InvalidUpdate: see :meth:`admit`.
        """
        self.commit(self.admit(update))
