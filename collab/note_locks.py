"""Which items of a document belong to some entries of a root map, and whether an update
touches them (pure): how a facilitator's lock of selected notes is enforced.

A note on the idea board is one entry of the root map ``ideas``: a Y.Map held by one item,
whose fields (text, position, colour, cluster) are items inside it, and so on down. In Yjs
every item names where it sits: a new entry of a root map names the root and its key; any
other item names the item holding its parent type, or a neighbour it was inserted next to
(``origin``, ``right``), which always sits in the same parent. So the items of a locked note
are its entry item, every later value of its key (anchored on the previous one), and every
item anchored, transitively, on one of those.

:class:`LockedItems` holds those items as clock ranges per client, built once from the
document's state when the set of locked notes changes and extended by every update applied
afterwards. An update touches a locked note when one of its structs is anchored on a locked
item or creates a locked key anew, or when it deletes a locked item that was not deleted yet
(Yjs repeats a document's whole delete set in every update, so old deletions do not count).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable

from collab.update_scan import GC, NAMED, Deletes, Entry, Struct, scan_all
from collab.ydoc import covered

__all__ = ["LockedItems"]

_Id = tuple[int, int]


class LockedItems:
    """The items of the entries ``keys`` of root map ``root`` (and all they contain)."""

    __slots__ = ("root", "keys", "_ranges")

    def __init__(self, root: str, keys: frozenset[str]) -> None:
        self.root = root
        self.keys = keys
        #: client -> sorted, disjoint [start, end) clock ranges
        self._ranges: dict[int, list[tuple[int, int]]] = {}

    @classmethod
    def of_state(cls, state: bytes, root: str, keys: frozenset[str], max_depth: int) -> LockedItems:
        """The items of ``keys`` in a document whose full state is the update ``state``.

        Raises:
            InvalidUpdate, NestingTooDeep: ``state`` is not a well-formed update.
        """
        locked = cls(root, keys)
        if keys:
            structs, entries, _deletes = scan_all(state, max_depth)
            locked._resolve(structs, entries)
        return locked

    def __bool__(self) -> bool:
        return bool(self.keys)

    def __contains__(self, item: _Id) -> bool:
        client, clock = item
        ranges = self._ranges.get(client)
        if not ranges:
            return False
        index = bisect_right(ranges, (clock, float("inf"))) - 1
        return index >= 0 and clock < ranges[index][1]

    def extend(self, update: bytes, max_depth: int) -> None:
        """Count the items an applied ``update`` adds to the locked entries (a facilitator's
        edit of a locked note, or a peer's before the lock reached this node)."""
        if not self.keys:
            return
        structs, entries, _deletes = scan_all(update, max_depth)
        named = self._locked_entries(entries)
        # Structs of one update may anchor on each other in any order: repeat until stable.
        pending = list(structs)
        while pending:
            left: list[Struct] = []
            for struct in pending:
                if self._anchored(struct, named):
                    self._add(struct[0], struct[1], struct[2])
                else:
                    left.append(struct)
            if len(left) == len(pending):
                return
            pending = left

    def touched_by(self, update: bytes, max_depth: int, known_deletes: Deletes) -> bool:
        """Whether applying ``update`` would change a locked entry.

        ``known_deletes``: what the document has deleted already (sorted, merged ranges per
        client, as :func:`collab.ydoc.known_deletes` gives them).

        Raises:
            InvalidUpdate, NestingTooDeep: ``update`` is not a well-formed update.
        """
        if not self.keys:
            return False
        structs, entries, deletes = scan_all(update, max_depth)
        named = self._locked_entries(entries)
        if any(self._anchored(struct, named) for struct in structs):
            return True
        return any(
            self._deletes_new(client, start, start + length, known_deletes.get(client, []))
            for client, ranges in deletes.items()
            for start, length in ranges
            if length > 0
        )

    # --- internals ----------------------------------------------------------------------------

    def _locked_entries(self, entries: Iterable[Entry]) -> set[_Id]:
        return {
            (client, clock)
            for root, key, client, clock in entries
            if root == self.root and key in self.keys
        }

    def _anchored(self, struct: Struct, named: set[_Id]) -> bool:
        client, clock, _end, flags, parent, origin, right = struct
        if flags & NAMED:
            return (client, clock) in named
        return any(anchor is not None and anchor in self for anchor in (parent, origin, right))

    def _add(self, client: int, start: int, end: int) -> None:
        ranges = self._ranges.setdefault(client, [])
        insort(ranges, (start, end))
        self._ranges[client] = _merged(ranges)

    def _deletes_new(self, client: int, start: int, end: int, known: list[tuple[int, int]]) -> bool:
        """Whether [start, end) of ``client`` holds a locked item not deleted yet."""
        for low, high in self._ranges.get(client, ()):
            if high <= start or low >= end:
                continue
            low, high = max(low, start), min(high, end)
            if not covered(known, low, high - low):
                return True
        return False

    def _resolve(self, structs: list[Struct], entries: list[Entry]) -> None:
        """Find, for every struct of a full state, whether it belongs to a locked entry."""
        named = self._locked_entries(entries)
        starts: dict[int, list[int]] = {}
        for index, struct in enumerate(structs):
            starts.setdefault(struct[0], []).append(index)
        clocks = {client: [structs[i][1] for i in indexes] for client, indexes in starts.items()}

        def find(anchor: _Id) -> int | None:
            client, clock = anchor
            indexes = starts.get(client)
            if indexes is None:
                return None
            at = bisect_right(clocks[client], clock) - 1
            if at < 0 or clock >= structs[indexes[at]][2]:
                return None
            return indexes[at]

        member: dict[int, bool] = {}
        for first in range(len(structs)):
            path: list[int] = []
            current: int | None = first
            verdict = False
            while current is not None:
                known = member.get(current)
                if known is not None:
                    verdict = known
                    break
                if current in path:  # a cycle: no well-formed document has one
                    break
                path.append(current)
                client, clock, _end, flags, parent, origin, right = structs[current]
                if flags & NAMED:
                    verdict = (client, clock) in named
                    break
                if flags & GC:
                    break
                current = next(
                    (
                        found
                        for anchor in (parent, origin, right)
                        if anchor is not None and (found := find(anchor)) is not None
                        and not structs[found][3] & GC
                    ),
                    None,
                )  # fmt: skip
            for index in path:
                member[index] = verdict
        for index, locked in member.items():
            if locked:
                client, clock, end = structs[index][:3]
                self._ranges.setdefault(client, []).append((clock, end))
        for client, ranges in self._ranges.items():
            self._ranges[client] = _merged(sorted(ranges))


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted [start, end) ranges joined where they overlap or touch."""
    out: list[tuple[int, int]] = []
    for low, high in ranges:
        if out and low <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out
