"""Read the structs of a Yjs v1 update the way yrs does, without building anything.

The nesting index (collab/nesting.py) needs, for each struct, its id range, whether it
creates a shared type, and what it hangs from (parent, left and right origins); and every
nested value must be checked before yrs decodes it recursively. This is that reader. It runs
on every update a room receives, so it is written for speed: one pass over the bytes, plain
tuples, single-byte varints read inline, and bounds errors caught once (an ``IndexError``
from reading past the end is a truncated update).

Content that the workshop clients never write, and that yrs reads differently from Yjs, is
refused rather than interpreted: legacy JSON content, sub-documents, weak links, unknown
content or type references, and a client stated twice in one update. A second parser that
disagrees with the first about where a struct ends would be a way around the checks.
"""

from __future__ import annotations

import re
from contextlib import suppress

from collab.errors import InvalidUpdate, NestingTooDeep

__all__ = [
    "Struct",
    "TYPE",
    "GC",
    "NAMED",
    "DELETED",
    "scan",
    "scan_one",
    "root_entries",
    "scan_all",
    "Entry",
    "Deletes",
    "json_depth",
]

#: A struct: (client, clock, end, flags, parent, origin, right); ids are (client, clock)
#: tuples or None. ``flags`` holds TYPE, GC, NAMED (the parent is a root type) and DELETED
#: (deleted content).
Struct = tuple[
    int, int, int, int, tuple[int, int] | None, tuple[int, int] | None, tuple[int, int] | None
]
#: A new entry of a root map: (root type, key, client, clock of the struct that holds it).
Entry = tuple[str, str, int, int]
#: Deleted ranges per client: (clock, length) pairs, as the update lists them.
Deletes = dict[int, list[tuple[int, int]]]
TYPE, GC, NAMED, DELETED = 1, 2, 4, 8

# Struct and content references (yrs block.rs, Yjs structs/*).
_GC, _DELETED, _JSON, _BINARY, _STRING, _EMBED, _FORMAT, _TYPE, _ANY, _DOC, _SKIP = range(11)
_HAS_ORIGIN, _HAS_RIGHT_ORIGIN, _HAS_PARENT_SUB = 0x80, 0x40, 0x20
# Type references: Array, Map, Text, XmlElement (+ name), XmlFragment, XmlHook (+ key), XmlText.
_XML_ELEMENT, _XML_HOOK, _LAST_PLAIN_TYPE = 3, 5, 6
# lib0 Any tags
_SCALARS = frozenset((127, 126, 121, 120))
_ANY_INT, _ANY_F32, _ANY_F64, _ANY_BIGINT, _ANY_STRING, _ANY_BYTES = 125, 124, 123, 122, 119, 116
_ANY_ARRAY, _ANY_OBJECT = 117, 118
_SHORT = frozenset((_ANY_INT, _ANY_F32, _ANY_F64, _ANY_BIGINT, _ANY_STRING, _ANY_BYTES))


def _uint(data: bytes, pos: int) -> tuple[int, int]:
    """A varuint at ``pos``: (value, position after it)."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise InvalidUpdate("invalid update: varint longer than 64 bits")


def _count(data: bytes, pos: int) -> tuple[int, int]:
    """A count of entries that take a byte each at least: more than the bytes left is refused
    (yrs reserves memory for that many entries before reading them)."""
    n, pos = _uint(data, pos)
    if n > len(data) - pos:
        raise InvalidUpdate(f"invalid update: {n} entries in {len(data) - pos} bytes")
    return n, pos


def _utf16_length(raw: bytes) -> int:
    if raw.isascii():
        return len(raw)
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise InvalidUpdate("invalid update: string is not UTF-8") from None
    return len(text.encode("utf-16-le")) // 2


def _add_entry(entries: list[Entry], root: bytes, key: bytes, client: int, clock: int) -> None:
    # A name that is not UTF-8 is no name a client of ours writes; yrs refuses it anyway.
    with suppress(UnicodeDecodeError):
        entries.append((root.decode(), key.decode(), client, clock))


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


def _skip_any(data: bytes, pos: int, max_depth: int) -> int:
    """Skip one lib0 ``Any`` value, refusing nesting deeper than ``max_depth``; no recursion."""
    tag = data[pos]
    if tag in _SCALARS:
        return pos + 1
    if tag == _ANY_INT and data[pos + 1] < 0x80:
        return pos + 2
    # One [values left, is an object] pair per open level; an object's values follow keys.
    stack = [[1, 0]]
    while stack:
        top = stack[-1]
        if not top[0]:
            stack.pop()
            continue
        top[0] -= 1
        if top[1]:
            length, pos = _uint(data, pos)  # the key
            pos += length
        tag = data[pos]
        pos += 1
        if tag in _SCALARS:
            continue
        if tag == _ANY_INT:
            for _ in range(10):
                if data[pos] < 0x80:
                    break
                pos += 1
            else:
                raise InvalidUpdate("invalid update: varint longer than 64 bits")
            pos += 1
        elif tag == _ANY_F32:
            pos += 4
        elif tag in (_ANY_F64, _ANY_BIGINT):
            pos += 8
        elif tag in (_ANY_STRING, _ANY_BYTES):
            length, pos = _uint(data, pos)
            pos += length
        elif tag in (_ANY_ARRAY, _ANY_OBJECT):
            if len(stack) > max_depth:
                raise NestingTooDeep(f"a value nests deeper than {max_depth} levels")
            n, pos = _count(data, pos)
            stack.append([n, int(tag == _ANY_OBJECT)])
        else:
            raise InvalidUpdate(f"invalid update: unknown value tag {tag}")
    return pos


# The first bytes of the commonest update: one client, one struct; client, clock, info byte.
_ONE = re.compile(rb"\x01\x01([\x80-\xff]{0,9}[\x00-\x7f])([\x80-\xff]{0,9}[\x00-\x7f])(.)", re.S)
# An id: client, clock.
_ID = re.compile(rb"([\x80-\xff]{0,9}[\x00-\x7f])([\x80-\xff]{0,9}[\x00-\x7f])")
# A room's few client ids, decoded once: a 53-bit id is 8 varuint bytes.
_DECODED: dict[bytes, int] = {}


def _decoded(raw: bytes) -> int:
    """The value of one complete varuint (its bytes as matched above)."""
    if len(raw) == 1:
        return raw[0]
    value = _DECODED.get(raw)
    if value is None:
        value = _uint(raw, 0)[0]
        if len(_DECODED) >= 4096:
            _DECODED.clear()
        _DECODED[raw] = value
    return value


def scan_one(data: bytes) -> Struct | None:
    """The struct of the commonest update, or None for any other (then call :func:`scan`).

    One client, one struct (a typed run of text, a map entry, a list item, a new type), read
    with two regular-expression matches and no call per field: what a relay does for every
    keystroke. Anything else (several structs, skips, GC, deletions, embeds, formats, nested
    or non-ASCII values, a parent named by id, a truncated update) returns None, and
    :func:`scan` reads it in full. The delete set after the struct is not read: it holds no
    values or anchors, and yrs checks its shape itself.
    """
    head = _ONE.match(data)
    if head is None:
        return None
    client_raw, clock_raw, info_raw = head.groups()
    info = info_raw[0]
    pos = head.end()
    end = len(data)
    flags = 0
    origin = right = None
    if info & (_HAS_ORIGIN | _HAS_RIGHT_ORIGIN):
        if info & _HAS_ORIGIN:
            anchor = _ID.match(data, pos)
            if anchor is None:
                return None
            origin = (_decoded(anchor[1]), _decoded(anchor[2]))
            pos = anchor.end()
        if info & _HAS_RIGHT_ORIGIN:
            anchor = _ID.match(data, pos)
            if anchor is None:
                return None
            right = (_decoded(anchor[1]), _decoded(anchor[2]))
            pos = anchor.end()
    else:
        if pos + 2 >= end or data[pos] != 1 or data[pos + 1] >= 0x80:
            return None  # a parent named by id, or a long root name: the full reader
        pos += 2 + data[pos + 1]  # the root type's name
        flags = NAMED
        if info & _HAS_PARENT_SUB:
            if pos >= end or data[pos] >= 0x80:
                return None
            pos += 1 + data[pos]
    if pos + 1 >= end:
        return None
    ref = info & 0x1F
    if ref == _STRING:
        size = data[pos]
        if (
            not 0 < size < 0x80  # an empty run is no struct: the full reader leaves it out
            or pos + 1 + size > end
            or not data[pos + 1 : pos + 1 + size].isascii()
        ):
            return None
        length = size
    elif ref == _ANY:
        # one value that holds no other: a scalar, a number, a string or bytes
        if data[pos] != 1 or (data[pos + 1] not in _SCALARS and data[pos + 1] not in _SHORT):
            return None
        length = 1
    elif ref == _TYPE:
        if data[pos] > _LAST_PLAIN_TYPE or data[pos] in (_XML_ELEMENT, _XML_HOOK):
            return None
        flags |= TYPE
        length = 1
    else:
        return None
    clock = _decoded(clock_raw)
    return (_decoded(client_raw), clock, clock + length, flags, None, origin, right)


def scan(update: bytes, max_depth: int) -> list[Struct]:
    """The structs of ``update`` in order (skips and empty structs left out).

    Raises:
        NestingTooDeep: a value nests deeper than ``max_depth``.
        InvalidUpdate: the bytes are not a well-formed update, or use refused content.
    """
    try:
        return _scan(update, max_depth)
    except IndexError:
        raise InvalidUpdate("invalid update: truncated") from None


def root_entries(update: bytes, max_depth: int) -> list[tuple[str, str]]:
    """The (root type, key) of every entry ``update`` creates directly in a root map.

    A new key of a root map is the one struct that names its root type and its key (Yjs and
    yrs write both only when the struct has no neighbour to take them from); a replaced value
    names neither. The artifact watch (rooms/artifact_watch.py) reads new artifacts from it.
    Names that are not valid UTF-8 are left out.

    Raises:
        NestingTooDeep, InvalidUpdate: as :func:`scan`.
    """
    entries: list[Entry] = []
    try:
        _scan(update, max_depth, entries)
    except IndexError:
        raise InvalidUpdate("invalid update: truncated") from None
    return [(root, key) for root, key, _client, _clock in entries]


def scan_all(update: bytes, max_depth: int) -> tuple[list[Struct], list[Entry], Deletes]:
    """:func:`scan`, with the new root-map entries (and which struct holds each) and the
    delete set: what a check of which items an update touches needs (collab/note_locks.py).

    Raises:
        NestingTooDeep, InvalidUpdate: as :func:`scan`.
    """
    entries: list[Entry] = []
    deletes: Deletes = {}
    try:
        structs = _scan(update, max_depth, entries, deletes)
    except IndexError:
        raise InvalidUpdate("invalid update: truncated") from None
    return structs, entries, deletes


def _scan(
    data: bytes,
    max_depth: int,
    entries: list[Entry] | None = None,
    deletes: Deletes | None = None,
) -> list[Struct]:
    structs: list[Struct] = []
    append = structs.append
    seen: set[int] = set()
    sections, pos = _count(data, 0)
    for _ in range(sections):
        n, pos = _count(data, pos)
        client, pos = _uint(data, pos)
        if client in seen:
            # Yjs keeps the last section of a client, yrs appends them: refuse the ambiguity.
            raise InvalidUpdate(f"invalid update: client {client} appears twice")
        seen.add(client)
        clock, pos = _uint(data, pos)
        for _ in range(n):
            info = data[pos]
            pos += 1
            if info == _SKIP:
                length, pos = _uint(data, pos)
                clock += length
                continue
            if info == _GC:
                length, pos = _uint(data, pos)
                if length:
                    append((client, clock, clock + length, GC, None, None, None))
                    clock += length
                continue
            origin = right = parent = None
            flags = 0
            if info & _HAS_ORIGIN:
                a, pos = _uint(data, pos)
                b, pos = _uint(data, pos)
                origin = (a, b)
            if info & _HAS_RIGHT_ORIGIN:
                a, pos = _uint(data, pos)
                b, pos = _uint(data, pos)
                right = (a, b)
            if origin is None and right is None:
                named = data[pos]
                pos += 1
                root = None
                if named == 1:
                    length, pos = _uint(data, pos)  # the root type's name
                    root = data[pos : pos + length]
                    pos += length
                    flags = NAMED
                elif named == 0:
                    a, pos = _uint(data, pos)
                    b, pos = _uint(data, pos)
                    parent = (a, b)
                else:
                    raise InvalidUpdate(f"invalid update: parent info {named}")
                if info & _HAS_PARENT_SUB:
                    length, pos = _uint(data, pos)
                    if entries is not None and root is not None:
                        _add_entry(entries, root, data[pos : pos + length], client, clock)
                    pos += length
            ref = info & 0x1F
            if ref == _STRING:
                length, pos = _uint(data, pos)
                start = pos
                pos += length
                if pos > len(data):
                    raise IndexError
                length = _utf16_length(data[start:pos])
            elif ref == _ANY:
                length, pos = _count(data, pos)
                for _ in range(length):
                    pos = _skip_any(data, pos, max_depth)
            elif ref == _DELETED:
                length, pos = _uint(data, pos)
                flags |= DELETED
            elif ref == _TYPE:
                type_ref, pos = _uint(data, pos)
                if type_ref > _LAST_PLAIN_TYPE:
                    raise InvalidUpdate(f"invalid update: unsupported shared type {type_ref}")
                if type_ref in (_XML_ELEMENT, _XML_HOOK):
                    skip, pos = _uint(data, pos)
                    pos += skip
                flags |= TYPE
                length = 1
            elif ref == _BINARY:
                skip, pos = _uint(data, pos)
                pos += skip
                length = 1
            elif ref in (_EMBED, _FORMAT):
                if ref == _FORMAT:
                    skip, pos = _uint(data, pos)  # the attribute's key
                    pos += skip
                size, pos = _uint(data, pos)
                if json_depth(data[pos : pos + size]) > max_depth:
                    raise NestingTooDeep(f"a value nests deeper than {max_depth} levels")
                pos += size
                length = 1
            else:
                # _JSON (legacy, read differently by yrs and Yjs), _DOC (sub-documents) and
                # anything unknown: never written by the workshop clients, refused.
                raise InvalidUpdate(f"invalid update: unsupported content {ref}")
            if length:
                append((client, clock, clock + length, flags, parent, origin, right))
                clock += length
    # The delete set: only its shape is checked (yrs reads it after the structs).
    clients, pos = _count(data, pos)
    for _ in range(clients):
        client, pos = _uint(data, pos)
        ranges, pos = _count(data, pos)
        for _ in range(ranges):
            start, pos = _uint(data, pos)
            length, pos = _uint(data, pos)
            if deletes is not None:
                deletes.setdefault(client, []).append((start, length))
    if pos != len(data):
        raise InvalidUpdate("invalid update: trailing bytes" if pos < len(data) else "truncated")
    return structs
