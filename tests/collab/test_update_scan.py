"""The update reader: every struct and content shape, and every way bytes can be wrong."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text

from collab import update_scan
from collab.errors import InvalidUpdate, NestingTooDeep
from collab.lib0 import write_var_string, write_var_uint
from collab.nesting import NestingIndex
from collab.update_scan import GC, NAMED, TYPE, root_entries, scan, scan_one


def _update(client: int, clock: int, structs: list[bytes], deletes: bytes = b"\x00") -> bytes:
    return (
        b"\x01"
        + write_var_uint(len(structs))
        + write_var_uint(client)
        + write_var_uint(clock)
        + b"".join(structs)
        + deletes
    )


ROOT = b"\x01" + write_var_string("r")  # parent: the root type "r"


class TestShapes:
    def test_skips_gc_and_empty_structs(self) -> None:
        skip = b"\x0a" + write_var_uint(3)
        gc = b"\x00" + write_var_uint(2)
        empty_gc = b"\x00\x00"
        empty_any = b"\x08" + ROOT + b"\x00"  # ContentAny with no values
        text = b"\x04" + ROOT + write_var_string("ab")
        structs = scan(_update(9, 0, [skip, gc, empty_gc, empty_any, text]), 10)
        assert structs == [(9, 3, 5, GC, None, None, None), (9, 5, 7, NAMED, None, None, None)]

    def test_binary_embed_and_shallow_format(self) -> None:
        binary = b"\x03" + ROOT + write_var_uint(2) + b"\x00\x01"
        embed = b"\x05" + ROOT + write_var_string('{"a": [1]}')
        fmt = b"\x06" + ROOT + write_var_string("bold") + write_var_string("true")
        structs = scan(_update(9, 0, [binary, embed, fmt]), 10)
        assert [(s[1], s[2]) for s in structs] == [(0, 1), (1, 2), (2, 3)]

    def test_non_ascii_text_counts_utf16_units(self) -> None:
        text = b"\x04" + ROOT + write_var_string("é😀")
        assert scan(_update(9, 0, [text]), 10)[0][2] == 3  # 1 + a surrogate pair

    def test_a_type_with_a_parent_id(self) -> None:
        child = b"\x07\x00" + write_var_uint(9) + write_var_uint(0) + write_var_uint(1)
        assert scan(_update(8, 0, [child]), 10) == [(8, 0, 1, TYPE, (9, 0), None, None)]


class TestRefusals:
    @pytest.mark.parametrize(
        ("update", "message"),
        [
            (b"\x80" * 10 + b"\x01", "longer than 64 bits"),
            (_update(9, 0, [b"\x04" + ROOT + b"\x01\xff"]), "not UTF-8"),
            (_update(9, 0, [b"\x08" + ROOT + b"\x01\x7d" + b"\x80" * 10 + b"\x01"]), "64 bits"),
            (_update(9, 0, [b"\x08" + ROOT + b"\x01\xc8"]), "unknown value tag 200"),
            (_update(9, 0, [b"\x04\x02\x01r\x01x"]), "parent info 2"),
            (_update(9, 0, [b"\x04" + ROOT + b"\x05ab"]), "truncated"),
            (_update(9, 0, [b"\x07" + ROOT + b"\x07"]), "unsupported shared type 7"),
            (_update(9, 0, [b"\x08" + ROOT + b"\x01\x7e"]) + b"\x00", "trailing bytes"),
        ],
    )
    def test_bad_bytes(self, update: bytes, message: str) -> None:
        with pytest.raises(InvalidUpdate, match=message):
            scan(update, 10)

    def test_deep_embed_is_refused(self) -> None:
        embed = b"\x05" + ROOT + write_var_string("[" * 11 + "]" * 11)
        with pytest.raises(NestingTooDeep):
            scan(_update(9, 0, [embed]), 10)


class TestScanOne:
    def test_truncated_anchors_fall_back(self) -> None:
        assert scan_one(b"\x01\x01\x05\x00\x84\x80") is None  # origin cut short
        assert scan_one(b"\x01\x01\x05\x00\x44\x80") is None  # right origin cut short

    def test_right_origin_only(self) -> None:
        update = b"\x01\x01\x05\x03\x44\x05\x01\x01x\x00"  # string "x" left of (5, 1)
        assert scan_one(update) == (5, 3, 4, 0, None, None, (5, 1))
        assert scan(update, 10) == [scan_one(update)]

    def test_the_id_cache_stays_bounded(self) -> None:
        update_scan._DECODED.clear()  # earlier tests may have cached this test's client id
        update_scan._DECODED.update({bytes([0x80, i % 128, i // 128]): i for i in range(4096)})
        assert len(update_scan._DECODED) >= 4096
        update = _update(2**40, 0, [b"\x04" + ROOT + write_var_string("x")])
        assert scan_one(update) == (2**40, 0, 1, NAMED, None, None, None)
        assert len(update_scan._DECODED) <= 2


class TestValues:
    def test_numbers_of_every_width(self) -> None:
        values = [
            b"\x7d\x05",  # small integer
            b"\x7d\x80\x01",  # two-byte integer
            b"\x7c" + b"\x00" * 4,  # float32
            b"\x7b" + b"\x00" * 8,  # float64
            b"\x7a" + b"\x00" * 8,  # bigint
        ]
        structs = [b"\x08" + ROOT + b"\x01" + value for value in values]
        assert [s[1] for s in scan(_update(9, 0, structs), 10)] == [0, 1, 2, 3, 4]

    def test_a_long_key_takes_the_full_reader(self) -> None:
        key = write_var_string("k" * 200)
        update = _update(9, 0, [b"\x28" + ROOT + key + b"\x01\x7e"])
        assert scan_one(update) is None
        assert scan(update, 10) == [(9, 0, 1, NAMED, None, None, None)]

    def test_gc_ranges_in_an_admitted_update(self) -> None:
        index = NestingIndex()
        gc = b"\x00" + write_var_uint(2)
        index.check(_update(9, 0, [gc, b"\x04" + ROOT + write_var_string("x")]))
        assert index.pending == 0


class TestRootEntries:
    """New keys of root maps, read from the structs that name their root and key."""

    def test_new_keys_of_root_maps_written_by_pycrdt(self) -> None:
        doc: Doc[Any] = Doc()
        updates: list[bytes] = []
        doc.observe(lambda event: updates.append(event.update))
        ideas = doc.get("ideas", type=Map)
        ideas["idea-1"] = Map({"text": Text("hi")})  # a new artifact
        ideas["idea-2"] = "plain"
        ideas["idea-1"] = "replaced"  # the key exists: its struct names neither root nor key
        doc.get("list", type=Array).append(1)  # a root array: a root, no key
        found = [root_entries(update, 10) for update in updates]
        assert found == [[("ideas", "idea-1")], [("ideas", "idea-2")], [], []]
        assert root_entries(doc.get_update(), 10) == [("ideas", "idea-1"), ("ideas", "idea-2")]

    def test_keys_under_a_parent_named_by_id_are_not_root_entries(self) -> None:
        nested = b"\x28" + b"\x00" + write_var_uint(9) + write_var_uint(0) + write_var_string("k")
        nested += b"\x01\x7d\x01"  # ContentAny: one integer
        assert root_entries(_update(9, 1, [nested]), 10) == []

    def test_a_name_that_is_not_utf8_is_left_out(self) -> None:
        bad_root = b"\x01" + write_var_uint(1) + b"\xff"
        entry = b"\x28" + bad_root + write_var_string("k") + b"\x01\x7d\x01"
        assert root_entries(_update(9, 0, [entry]), 10) == []
        good = b"\x28" + ROOT + write_var_string("k") + b"\x01\x7d\x01"
        assert root_entries(_update(9, 0, [good]), 10) == [("r", "k")]

    def test_truncated_update_is_invalid(self) -> None:
        good = _update(9, 0, [b"\x28" + ROOT + write_var_string("k") + b"\x01\x7d\x01"])
        with pytest.raises(InvalidUpdate, match="truncated"):
            root_entries(good[:-4], 10)
