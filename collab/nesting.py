"""Keep deeply nested content out of a document before it reaches the CRDT core.

yrs (pycrdt's core) walks nested shared types and nested values recursively on the C stack:
deleting a Y.Map nested some 30,000 levels deep, or decoding an array value nested 100,000
levels deep, overflows the stack and the whole process dies with SIGSEGV. No Python exception
handler helps, so such content must never get into a Doc. This module reads a Yjs v1 update
the way yrs does, without applying it, and refuses it when

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
from collections import deque
from dataclasses import dataclass, field
from heapq import heappop, heappush

import msgpack

from collab.errors import AmbiguousUpdate, InvalidUpdate, MissingDependencies, NestingTooDeep

__all__ = ["DEFAULT_MAX_DEPTH", "MAX_ALLOWED_DEPTH", "NestingIndex", "Admission", "json_depth"]

#: The workshop schema needs 5 levels (root map, artifact map, list array, item map, text);
#: rich-text editors nest lists and blocks a few dozen deep at most.
DEFAULT_MAX_DEPTH = 100
#: yrs overflowed an 8 MiB stack between 20,000 and 40,000 levels (worker threads may have
#: less), and pycrdt's ``to_py`` hits Python's recursion limit between 450 and 1,000 levels.
#: A configured limit above this is refused.
MAX_ALLOWED_DEPTH = 256

# Struct and content references (yrs block.rs, Yjs structs/*).
_GC, _DELETED, _JSON, _BINARY, _STRING, _EMBED, _FORMAT, _TYPE, _ANY, _DOC, _SKIP = range(11)
_HAS_ORIGIN, _HAS_RIGHT_ORIGIN, _HAS_PARENT_SUB = 0x80, 0x40, 0x20
# Type references: Array, Map, Text, XmlElement (+ name), XmlFragment, XmlHook (+ key), XmlText.
_XML_ELEMENT, _XML_HOOK, _LAST_PLAIN_TYPE = 3, 5, 6
_ANY_ARRAY, _ANY_OBJECT = 117, 118


class _Cursor:
    """A bounds-checked reader over one update; every error is an :class:`InvalidUpdate`."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.end = len(data)

    def uint(self) -> int:
        data, pos = self.data, self.pos
        value = shift = 0
        while True:
            if pos >= self.end:
                raise InvalidUpdate("invalid update: truncated varint")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return value
            shift += 7
            if shift > 63:
                raise InvalidUpdate("invalid update: varint longer than 64 bits")

    def skip_signed(self) -> None:
        data, pos = self.data, self.pos
        for _ in range(10):
            if pos >= self.end:
                raise InvalidUpdate("invalid update: truncated varint")
            byte = data[pos]
            pos += 1
            if byte < 0x80:
                self.pos = pos
                return
        raise InvalidUpdate("invalid update: varint longer than 64 bits")

    def raw(self, length: int) -> bytes:
        start = self.pos
        if length > self.end - start:
            raise InvalidUpdate("invalid update: truncated field")
        self.pos = start + length
        return self.data[start : self.pos]

    def skip(self, length: int) -> None:
        if length > self.end - self.pos:
            raise InvalidUpdate("invalid update: truncated field")
        self.pos += length

    def string(self) -> bytes:
        return self.raw(self.uint())

    def count(self) -> int:
        """A count of entries that take at least one byte each (bounds what yrs reserves)."""
        n = self.uint()
        if n > self.end - self.pos:
            raise InvalidUpdate(f"invalid update: {n} entries in {self.end - self.pos} bytes")
        return n


def _utf16_length(raw: bytes) -> int:
    if raw.isascii():
        return len(raw)
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise InvalidUpdate("invalid update: string is not UTF-8") from None
    return len(text.encode("utf-16-le")) // 2


def json_depth(text: bytes) -> int:
    """How deep brackets nest in a JSON text (strings skipped); no parsing, no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _skip_any(cur: _Cursor, max_depth: int) -> None:
    """Read one lib0 ``Any`` value iteratively, refusing nesting deeper than ``max_depth``."""
    # One [values left, is an object] pair per open level; an object's values follow keys.
    stack = [[1, 0]]
    while stack:
        top = stack[-1]
        if not top[0]:
            stack.pop()
            continue
        top[0] -= 1
        if top[1]:
            cur.skip(cur.uint())  # the key
        tag = cur.raw(1)[0]
        if tag in (127, 126, 121, 120):
            continue
        if tag == 125:
            cur.skip_signed()
        elif tag == 124:
            cur.skip(4)
        elif tag in (123, 122):
            cur.skip(8)
        elif tag in (119, 116):
            cur.skip(cur.uint())
        elif tag in (_ANY_ARRAY, _ANY_OBJECT):
            if len(stack) > max_depth:
                raise NestingTooDeep(f"a value nests deeper than {max_depth} levels")
            stack.append([cur.count(), int(tag == _ANY_OBJECT)])
        else:
            raise InvalidUpdate(f"invalid update: unknown value tag {tag}")


@dataclass(slots=True)
class _Struct:
    """One item (or GC range) as the update states it, before it is integrated."""

    client: int
    clock: int
    length: int
    is_type: bool = False
    gc: bool = False
    parent_named: bool = False
    parent: tuple[int, int] | None = None
    origin: tuple[int, int] | None = None
    right: tuple[int, int] | None = None

    @property
    def end(self) -> int:
        return self.clock + self.length

    def same_place(self, other: _Struct) -> bool:
        """Whether both state the same position and kind (a struct and a longer merge of it)."""
        return (
            self.clock == other.clock
            and self.is_type == other.is_type
            and self.gc == other.gc
            and self.parent_named == other.parent_named
            and self.parent == other.parent
            and self.origin == other.origin
            and self.right == other.right
        )


#: Structs a document may hold waiting for missing dependencies before updates are refused.
MAX_PENDING = 100_000

_Pending = dict[int, list[_Struct]]


@dataclass(slots=True)
class Admission:
    """What :meth:`NestingIndex.admit` decided: structs integrated now (with depths), the rest."""

    integrated: list[tuple[_Struct, int]] = field(default_factory=list)
    pending: _Pending | None = None


def _read_structs(update: bytes, max_depth: int) -> list[_Struct]:
    cur = _Cursor(update)
    structs: list[_Struct] = []
    seen: set[int] = set()
    for _ in range(cur.count()):
        n = cur.count()
        client = cur.uint()
        if client in seen:
            # Yjs keeps the last section of a client, yrs appends them: refuse the ambiguity.
            raise InvalidUpdate(f"invalid update: client {client} appears twice")
        seen.add(client)
        clock = cur.uint()
        for _ in range(n):
            info = cur.raw(1)[0]
            if info == _SKIP:
                clock += cur.uint()
                continue
            if info == _GC:
                length = cur.uint()
                if length:
                    structs.append(_Struct(client, clock, length, gc=True))
                clock += length
                continue
            ref = info & 0x1F
            origin = (cur.uint(), cur.uint()) if info & _HAS_ORIGIN else None
            right = (cur.uint(), cur.uint()) if info & _HAS_RIGHT_ORIGIN else None
            struct = _Struct(client, clock, 1, origin=origin, right=right)
            if origin is None and right is None:
                if cur.uint():
                    cur.skip(cur.uint())  # the root type's name
                    struct.parent_named = True
                else:
                    struct.parent = (cur.uint(), cur.uint())
                if info & _HAS_PARENT_SUB:
                    cur.skip(cur.uint())
            if ref == _STRING:
                struct.length = _utf16_length(cur.string())
            elif ref == _ANY:
                struct.length = cur.count()
                for _ in range(struct.length):
                    _skip_any(cur, max_depth)
            elif ref == _DELETED:
                struct.length = cur.uint()
            elif ref == _TYPE:
                type_ref = cur.uint()
                if type_ref > _LAST_PLAIN_TYPE:
                    raise InvalidUpdate(f"invalid update: unsupported shared type {type_ref}")
                if type_ref in (_XML_ELEMENT, _XML_HOOK):
                    cur.skip(cur.uint())
                struct.is_type = True
            elif ref == _BINARY:
                cur.skip(cur.uint())
            elif ref in (_EMBED, _FORMAT):
                if ref == _FORMAT:
                    cur.skip(cur.uint())  # the attribute's key
                if json_depth(cur.string()) > max_depth:
                    raise NestingTooDeep(f"a value nests deeper than {max_depth} levels")
            else:
                # _JSON (legacy, read differently by yrs and Yjs), _DOC (sub-documents) and
                # anything unknown: never written by the workshop clients, refused.
                raise InvalidUpdate(f"invalid update: unsupported content {ref}")
            if struct.length:
                structs.append(struct)
                clock += struct.length
    # The delete set: only its shape is checked here (yrs reads it after the structs).
    for _ in range(cur.count()):
        cur.uint()
        for _ in range(cur.count()):
            cur.uint()
            cur.uint()
    if cur.pos != cur.end:
        raise InvalidUpdate("invalid update: trailing bytes")
    return structs


class NestingIndex:
    """The depth of every integrated clock range of one document (see the module docstring).

    Depths: a root type is at depth 1; an item's recorded depth is the depth of the type that
    contains it; a type item creates a type one level deeper. GC ranges are recorded at 0.
    """

    __slots__ = ("max_depth", "_clocks", "_starts", "_depths", "_pending")

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        if not 1 <= max_depth <= MAX_ALLOWED_DEPTH:
            raise ValueError(f"max nesting depth must be 1..{MAX_ALLOWED_DEPTH}, got {max_depth}")
        self.max_depth = max_depth
        #: per client: end of the contiguous integrated range [0, clock), as in a state vector
        self._clocks: dict[int, int] = {}
        #: per client: run starts (ascending) and the depth of each run
        self._starts: dict[int, list[int]] = {}
        self._depths: dict[int, list[int]] = {}
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
            InvalidUpdate: the bytes are not a well-formed update, use refused content, or
                restate a struct that waits for its dependencies differently.
        """
        structs = _read_structs(update, self.max_depth)
        admission = Admission()
        clocks = self._clocks
        fresh = [s for s in structs if s.end > clocks.get(s.client, 0)]
        if not fresh:
            return admission  # nothing new: duplicates and deletions only
        candidates = self._merge_pending(fresh)
        new_clocks: dict[int, int] = {}
        overlay: dict[int, tuple[list[int], list[int]]] = {}

        def frontier(client: int) -> int:
            return new_clocks.get(client, clocks.get(client, 0))

        def depth_at(client: int, clock: int) -> int:
            runs = overlay.get(client)
            if runs is not None and clock >= runs[0][0]:
                return runs[1][bisect_right(runs[0], clock) - 1]
            return self._depths[client][bisect_right(self._starts[client], clock) - 1]

        def requirement(s: _Struct) -> tuple[int, int] | None:
            if s.clock > frontier(s.client):
                return s.client, s.clock - 1  # its own client's earlier structs
            for dep in (s.origin, s.right, s.parent):
                if dep is not None and dep[1] >= frontier(dep[0]):
                    return dep
            return None

        blocked: dict[int, list[tuple[int, int, _Struct]]] = {}
        queue = deque(candidates)
        order = 0
        while queue:
            s = queue.popleft()
            start = frontier(s.client)
            if s.end <= start:
                continue  # integrated meanwhile: yrs skips it
            need = requirement(s)
            if need is not None:
                order += 1
                heappush(blocked.setdefault(need[0], []), (need[1], order, s))
                continue
            if s.gc:
                depth = 0
            elif s.parent_named:
                depth = 1
            elif s.parent is not None:
                depth = depth_at(*s.parent) + 1
            else:  # yrs takes the left origin's parent, else the right one's: take the deeper
                depth = depth_at(*s.origin) if s.origin is not None else 0
                if s.right is not None:
                    depth = max(depth, depth_at(*s.right))
            if s.clock < start:  # partly known: yrs goes on from its own last item there
                depth = max(depth, depth_at(s.client, start - 1))
            if s.is_type and depth >= self.max_depth:
                raise NestingTooDeep(
                    f"a shared type would nest deeper than {self.max_depth} levels"
                )
            runs = overlay.setdefault(s.client, ([], []))
            if not runs[1] or runs[1][-1] != depth:
                runs[0].append(start)
                runs[1].append(depth)
            new_clocks[s.client] = s.end
            admission.integrated.append((s, depth))
            waiting = blocked.get(s.client)
            while waiting and waiting[0][0] < s.end:
                queue.append(heappop(waiting)[2])
        pending: _Pending = {}
        left = 0
        for heap in blocked.values():
            for _, _, s in heap:
                pending.setdefault(s.client, []).append(s)
                left += 1
        if left and not allow_pending:
            waiting_now = {id(s) for structs_of in pending.values() for s in structs_of}
            stuck = next((s for s in fresh if id(s) in waiting_now), None)
            if stuck is not None:
                raise MissingDependencies(
                    f"update needs content this document does not have yet "
                    f"(client {stuck.client} clock {stuck.clock})"
                )
        if left > MAX_PENDING:
            raise InvalidUpdate(f"invalid update: {left} structs wait for missing dependencies")
        for structs_of_client in pending.values():
            structs_of_client.sort(key=lambda s: s.clock)
        admission.pending = pending
        return admission

    def _merge_pending(self, fresh: list[_Struct]) -> list[_Struct]:
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
        extra: list[_Struct] = []
        for s in fresh:
            waiting = merged.get(s.client)
            if not waiting:
                extra.append(s)
                continue
            i = bisect_right([w.clock for w in waiting], s.clock) - 1
            overlaps = [
                j
                for j in (i, i + 1)
                if 0 <= j < len(waiting) and waiting[j].clock < s.end and s.clock < waiting[j].end
            ]
            if not overlaps:
                extra.append(s)
                continue
            j = overlaps[0]
            if len(overlaps) > 1 or not waiting[j].same_place(s):
                raise AmbiguousUpdate(
                    f"invalid update: client {s.client} clock {s.clock} restated differently"
                )
            if s.length > waiting[j].length:
                waiting[j] = s
        return [s for structs in merged.values() for s in structs] + extra

    def commit(self, admission: Admission) -> None:
        """Record an admitted update once the Doc has applied it."""
        for s, depth in admission.integrated:
            frontier = self._clocks.get(s.client, 0)
            if s.end <= frontier:
                continue
            starts = self._starts.setdefault(s.client, [])
            depths = self._depths.setdefault(s.client, [])
            if not depths or depths[-1] != depth:
                starts.append(frontier)
                depths.append(depth)
            self._clocks[s.client] = s.end
        if admission.pending is not None:
            self._pending = admission.pending

    def copy(self) -> NestingIndex:
        """An independent copy (the waiting structs are shared: they are never changed)."""
        twin = NestingIndex(self.max_depth)
        twin._clocks = dict(self._clocks)
        twin._starts = {client: list(starts) for client, starts in self._starts.items()}
        twin._depths = {client: list(depths) for client, depths in self._depths.items()}
        twin._pending = {client: list(structs) for client, structs in self._pending.items()}
        return twin

    def holds_pending(self, update: bytes) -> bool:
        """Whether some struct of ``update`` is still waiting for a missing dependency.

        yrs leaves waiting structs out of the updates it encodes, so a snapshot does not hold
        them: compaction keeps the rows that carry them (DESIGN.md invariant 2).
        """
        if not self._pending:
            return False
        for s in _read_structs(update, self.max_depth):
            for w in self._pending.get(s.client, ()):
                if w.clock < s.end and s.clock < w.end:
                    return True
        return False

    def to_bytes(self) -> bytes:
        """Serialize the integrated ranges, stored beside a snapshot so a load need not read
        the snapshot again. Waiting structs are left out, as yrs leaves them out of the
        snapshot; the rows that carry them stay in the log (see :meth:`holds_pending`).
        """
        clients = [
            [client, clock, self._starts[client], self._depths[client]]
            for client, clock in self._clocks.items()
        ]
        packed: bytes = msgpack.packb([1, clients])
        return packed

    @classmethod
    def from_bytes(cls, data: bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> NestingIndex:
        """Restore an index written by :meth:`to_bytes` (the server's own, trusted).

        Raises:
            ValueError: the bytes are not a serialized index.
        """
        try:
            version, clients = msgpack.unpackb(data, use_list=True)
            if version != 1:
                raise ValueError(f"unknown nesting index version {version}")
            index = cls(max_depth)
            for client, clock, starts, depths in clients:
                if len(starts) != len(depths) or not starts:
                    raise ValueError("runs and depths differ")
                index._clocks[client] = clock
                index._starts[client] = starts
                index._depths[client] = depths
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
