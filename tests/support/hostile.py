"""Valid-looking but adversarial Yjs updates, encoded by hand (no CRDT library would write them).

A structural fuzzer for the live path: the bytes always follow the Yjs v1 update grammar, so
they get past the codec and into the nesting index and the CRDT core, where byte-random input
rarely reaches. Shapes: shared types and values nested far past any limit (in one update or
chained over many), huge clocks and client ids, long and many delete ranges, floods of tiny
structs, anchors that point at missing or unsuitable structs, and clients stated twice.

Used by tests/collab/test_hostile_updates.py (bounded, in the suite) and by
load_tests/fuzz_campaign.py (a longer campaign against a running node).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from collab.lib0 import write_var_string, write_var_uint

__all__ = ["Item", "encode_update", "HostileUpdates", "KINDS"]

Id = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Item:
    """One struct: an item with content, or a GC range (``gc`` > 0 is its length)."""

    clock: int
    content: bytes  # info-less content bytes (see the _content helpers)
    ref: int  # content reference (4 string, 7 type, 8 any, 1 deleted, 3 binary)
    origin: Id | None = None
    right: Id | None = None
    parent_name: str | None = None
    parent_id: Id | None = None
    parent_sub: str | None = None
    gc: int = 0


@dataclass(slots=True)
class _Section:
    client: int
    clock: int
    items: list[Item] = field(default_factory=list)


def _id(value: Id) -> bytes:
    return write_var_uint(value[0]) + write_var_uint(value[1])


def _encode_item(item: Item) -> bytes:
    if item.gc:
        return b"\x00" + write_var_uint(item.gc)
    info = item.ref
    info |= 0x80 if item.origin is not None else 0
    info |= 0x40 if item.right is not None else 0
    anchored = item.origin is not None or item.right is not None
    info |= 0x20 if item.parent_sub is not None and not anchored else 0
    out = bytearray([info])
    if item.origin is not None:
        out += _id(item.origin)
    if item.right is not None:
        out += _id(item.right)
    if not anchored:
        if item.parent_name is not None:
            out += b"\x01" + write_var_string(item.parent_name)
        else:
            out += b"\x00" + _id(item.parent_id or (0, 0))
        if item.parent_sub is not None:
            out += write_var_string(item.parent_sub)
    return bytes(out) + item.content


def encode_update(
    sections: list[tuple[int, int, list[Item]]], deletes: dict[int, list[Id]] | None = None
) -> bytes:
    """Encode (client, first clock, items) sections and a delete set as a Yjs v1 update."""
    out = bytearray(write_var_uint(len(sections)))
    for client, clock, items in sections:
        out += write_var_uint(len(items)) + write_var_uint(client) + write_var_uint(clock)
        for item in items:
            out += _encode_item(item)
    deletes = deletes or {}
    out += write_var_uint(len(deletes))
    for client, ranges in deletes.items():
        out += write_var_uint(client) + write_var_uint(len(ranges))
        for clock, length in ranges:
            out += write_var_uint(clock) + write_var_uint(length)
    return bytes(out)


# content bytes (after the info byte and anchors)
def _type(type_ref: int = 1) -> bytes:  # 0 array, 1 map, 2 text, 3 xml element, 6 xml text
    return write_var_uint(type_ref) + (write_var_string("div") if type_ref == 3 else b"")


def _string(text: str) -> bytes:
    return write_var_string(text)


def _any_nested(depth: int, array: bool = True) -> bytes:
    opener = bytes([117, 1]) if array else bytes([118, 1]) + write_var_string("k")
    return write_var_uint(1) + opener * depth + bytes([126])


class HostileUpdates:
    """A seeded source of hostile update sequences, one shape per call of :meth:`make`."""

    def __init__(self, seed: int, *, max_levels: int = 50_000) -> None:
        self.rng = random.Random(seed)
        self.max_levels = max_levels

    def _client(self) -> int:
        return self.rng.choice(
            [self.rng.randrange(1, 2**32), 2**53 - 1, 2**63 - 1, 2**64 - 1, 1, 0]
        )

    def _clock(self) -> int:
        return self.rng.choice([0, 0, 0, 1, self.rng.randrange(2**16), 2**31, 2**32 - 1, 2**40])

    def _levels(self) -> int:
        return self.rng.choice([5, 99, 100, 101, 150, 1000, self.max_levels])

    def make(self, kind: str | None = None) -> tuple[str, list[bytes]]:
        """A named shape and its updates, to send in order."""
        kind = kind or self.rng.choice(KINDS)
        return kind, getattr(self, "_" + kind)()

    def _deep_in_one(self) -> list[bytes]:
        client, levels = self._client(), self._levels()
        type_ref = self.rng.choice([0, 1, 3])
        items = [Item(0, _type(type_ref), 7, parent_name="root", parent_sub="c")]
        for clock in range(1, levels):
            sub = "c" if type_ref == 1 else None
            items.append(
                Item(clock, _type(type_ref), 7, parent_id=(client, clock - 1), parent_sub=sub)
            )
        updates = [encode_update([(client, 0, items)])]
        # then delete the outermost type: what crashed yrs
        return [*updates, encode_update([], {client: [(0, 1)]})]

    def _deep_chained(self) -> list[bytes]:
        client, levels = self._client(), min(self._levels(), 2000)
        updates = [encode_update([(client, 0, [Item(0, _type(), 7, parent_name="root")])])]
        for clock in range(1, levels):
            item = Item(clock, _type(0), 7, parent_id=(client, clock - 1))
            updates.append(encode_update([(client, clock, [item])]))
        if self.rng.random() < 0.5:
            updates.reverse()  # every level waits for the one above it
        return [*updates, encode_update([], {client: [(0, 1)]})]

    def _deep_value(self) -> list[bytes]:
        levels = self._levels()
        item = Item(0, _any_nested(levels, self.rng.random() < 0.5), 8, parent_name="r")
        return [encode_update([(self._client(), 0, [item])])]

    def _huge_ids(self) -> list[bytes]:
        client, clock = self._client(), self._clock()
        items = [Item(clock, _string("x" * self.rng.randrange(1, 50)), 4, parent_name="t")]
        origin = (self._client(), self._clock())
        items.append(Item(0, _string("y"), 4, origin=origin))
        return [encode_update([(client, clock, items[:1]), (self._client(), 0, items[1:])])]

    def _long_deletes(self) -> list[bytes]:
        deletes = {
            self._client(): [
                (self._clock(), self.rng.choice([1, 2**31, 2**32 - 1, 2**53]))
                for _ in range(self.rng.randrange(1, 200))
            ]
            for _ in range(self.rng.randrange(1, 20))
        }
        return [encode_update([], deletes)]

    def _tiny_structs(self) -> list[bytes]:
        client = self._client()
        count = self.rng.choice([1000, 20_000])
        items = [Item(0, _string("a"), 4, parent_name="t")]
        items += [Item(c, _string("a"), 4, origin=(client, c - 1)) for c in range(1, count)]
        if self.rng.random() < 0.5:
            items += [Item(count, b"", 0, gc=1) for _ in range(count // 10)]
        return [encode_update([(client, 0, items)])]

    def _missing_anchors(self) -> list[bytes]:
        client = self._client()
        other = self._client()
        shapes = [
            Item(0, _type(), 7, origin=(other, self._clock())),
            Item(0, _type(), 7, right=(other, self._clock())),
            Item(0, _type(), 7, parent_id=(other, self._clock())),
            Item(0, _string("z"), 4, origin=(client, 5)),  # after itself
        ]
        item = self.rng.choice(shapes)
        first = encode_update([(client, self._clock(), [item])])
        # and a struct whose parent is a string, not a type
        text = encode_update([(other, 0, [Item(0, _string("abc"), 4, parent_name="t")])])
        child = encode_update([(client, 0, [Item(0, _type(), 7, parent_id=(other, 1))])])
        return [first, text, child]

    def _client_twice(self) -> list[bytes]:
        client = self._client()
        a = Item(0, _type(), 7, parent_name="root")
        b = Item(0, _string("x"), 4, parent_name="t")
        return [encode_update([(client, 0, [a]), (client, 0, [b])])]


KINDS = [
    "deep_in_one",
    "deep_chained",
    "deep_value",
    "huge_ids",
    "long_deletes",
    "tiny_structs",
    "missing_anchors",
    "client_twice",
]
