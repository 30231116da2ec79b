"""The nesting index: deep content is refused before pycrdt sees it, honest content never is."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from collab.errors import InvalidUpdate, MissingDependencies, NestingTooDeep
from collab.lib0 import write_var_string, write_var_uint
from collab.nesting import DEFAULT_MAX_DEPTH, MAX_ALLOWED_DEPTH, NestingIndex, touches_root
from collab.stored import restore_doc
from collab.update_scan import json_depth, scan, scan_one
from collab.ydoc import apply_checked, build_doc

LIMIT = 20


def _capture(doc: Doc[Any]) -> list[bytes]:
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    return updates


# One builder per shared type: nest `levels` containers below the root (the root is level 1),
# one transaction per level; returns the update of each level in order.
Builder = Callable[[int], list[bytes]]


def _maps(levels: int) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates = _capture(doc)
    node = doc.get("root", type=Map)
    for _ in range(levels):
        child: Map[Any] = Map()
        node["c"] = child
        node = child
    return updates


def _arrays(levels: int) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates = _capture(doc)
    node = doc.get("root", type=Array)
    for _ in range(levels):
        child: Array[Any] = Array()
        node.append(child)
        node = child
    return updates


def _xml(levels: int) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates = _capture(doc)
    node: Any = doc.get("root", type=XmlFragment)
    for _ in range(levels - 1):
        child = XmlElement("div")
        node.children.append(child)
        node = child
    node.children.append(XmlText("leaf"))  # the last level: an XmlText
    return updates


def _text_embeds(levels: int) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates = _capture(doc)
    node: Any = doc.get("root", type=Text)
    for _ in range(levels):
        child = Text()
        node.insert_embed(0, child)
        node = child
    return updates


BUILDERS = {"map": _maps, "array": _arrays, "xml": _xml, "text": _text_embeds}


def _one_update(builder: Builder, levels: int) -> bytes:
    doc: Doc[Any] = Doc()
    for update in builder(levels):
        doc.apply_update(update)
    return doc.get_update()


@pytest.mark.parametrize("kind", sorted(BUILDERS))
class TestSharedTypes:
    def test_deep_nesting_in_one_update_is_refused(self, kind: str) -> None:
        update = _one_update(BUILDERS[kind], LIMIT)  # root + LIMIT levels = LIMIT + 1
        index = NestingIndex(LIMIT)
        with pytest.raises(NestingTooDeep, match=f"deeper than {LIMIT} levels"):
            index.admit(update)

    def test_nesting_at_the_limit_is_accepted(self, kind: str) -> None:
        update = _one_update(BUILDERS[kind], LIMIT - 1)
        doc: Doc[Any] = Doc()
        apply_checked(doc, NestingIndex(LIMIT), update)
        assert doc.get_update() == update

    def test_nesting_built_over_many_updates_is_refused_at_the_limit(self, kind: str) -> None:
        doc: Doc[Any] = Doc()
        index = NestingIndex(LIMIT)
        updates = BUILDERS[kind](LIMIT + 5)
        for level, update in enumerate(updates, start=2):  # the first update makes level 2
            if level > LIMIT:
                before = doc.get_update()
                with pytest.raises(NestingTooDeep):
                    apply_checked(doc, index, update)
                assert doc.get_update() == before  # refused unapplied
                return
            apply_checked(doc, index, update)
        pytest.fail("never refused")

    def test_chain_delivered_backwards_is_refused_when_it_resolves(self, kind: str) -> None:
        """Structs waiting for their parent are counted once the parent arrives."""
        updates = BUILDERS[kind](LIMIT + 5)
        index = NestingIndex(LIMIT)
        for update in reversed(updates[1:]):
            index.check(update)  # each waits for the level above: nothing to measure yet
        assert index.pending > 0
        with pytest.raises(NestingTooDeep):
            index.admit(updates[0])


class TestValues:
    @staticmethod
    def _any_update(value: bytes) -> bytes:
        # one client, one struct: ContentAny (8) in the root array "r", one value; no deletes
        item = bytes([0x08]) + write_var_uint(1) + write_var_string("r") + write_var_uint(1)
        return b"\x01\x01" + write_var_uint(5) + b"\x00" + item + value + b"\x00"

    def test_deep_array_value_is_refused(self) -> None:
        deep = bytes([117, 1]) * 100_000 + bytes([126])  # [[[...null...]]]: crashed yrs
        with pytest.raises(NestingTooDeep, match="value nests deeper"):
            NestingIndex(LIMIT).admit(self._any_update(deep))

    def test_deep_object_value_is_refused(self) -> None:
        deep = (bytes([118, 1]) + write_var_string("k")) * 1000 + bytes([126])
        with pytest.raises(NestingTooDeep):
            NestingIndex(LIMIT).admit(self._any_update(deep))

    def test_shallow_values_round_trip(self) -> None:
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        doc.get("m", type=Map)["v"] = {"a": [1, 2.5, "x", None, True, {"b": b"\x00"}]}
        target: Doc[Any] = Doc()
        apply_checked(target, NestingIndex(LIMIT), updates[0])
        assert target.get("m", type=Map)["v"] == {"a": [1, 2.5, "x", None, True, {"b": b"\x00"}]}

    def test_deep_value_written_by_pycrdt_is_refused(self) -> None:
        value: Any = 1
        for _ in range(LIMIT + 1):
            value = [value]
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        doc.get("m", type=Map)["v"] = value
        with pytest.raises(NestingTooDeep):
            NestingIndex(LIMIT).admit(updates[0])

    def test_deep_format_attribute_is_refused(self) -> None:
        attribute: Any = "x"
        for _ in range(LIMIT + 1):
            attribute = {"k": attribute}
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        text = doc.get("t", type=Text)
        text.insert(0, "hello")
        text.format(0, 2, {"style": attribute})
        index = NestingIndex(LIMIT)
        index.check(updates[0])
        with pytest.raises(NestingTooDeep):
            index.admit(updates[1])

    def test_json_depth_skips_brackets_in_strings(self) -> None:
        assert json_depth(b'{"a": "[[[[", "b": [1, {"c": "\\"]]"}]}') == 3
        assert json_depth(b"[]") == 1
        assert json_depth(b'"x"') == 0


class TestRefusedShapes:
    def test_legacy_json_content_is_refused(self) -> None:
        # ContentJSON (2): yrs reads one string more than Yjs writes; never produced today
        item = bytes([0x02]) + write_var_uint(1) + write_var_string("r") + write_var_uint(1)
        update = b"\x01\x01\x05\x00" + item + write_var_string("1") + b"\x00"
        with pytest.raises(InvalidUpdate, match="unsupported content 2"):
            NestingIndex().admit(update)

    def test_a_client_twice_in_one_update_is_refused(self) -> None:
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        doc.get("t", type=Text).insert(0, "a")
        section = updates[0][1:-1]  # the client's section, without the count and delete set
        with pytest.raises(InvalidUpdate, match="appears twice"):
            NestingIndex().admit(b"\x02" + section + section + b"\x00")

    @pytest.mark.parametrize(
        "update",
        [b"", b"\x01", b"\x80\x80\x80\x7f", b"\x01\x01\x05\x00\x04", b"\x00\x00\x00"],
    )
    def test_malformed_bytes_are_invalid(self, update: bytes) -> None:
        with pytest.raises(InvalidUpdate):
            NestingIndex().admit(update)

    def test_a_different_restatement_of_a_waiting_struct_is_refused(self) -> None:
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        root = doc.get("root", type=Map)
        root["a"] = Map()
        root["a"]["b"] = "x"
        index = NestingIndex()
        index.check(updates[1])  # waits for "a"
        other: Doc[Any] = Doc(client_id=doc.client_id)
        other_updates = _capture(other)
        other.get("root", type=Array).append(["y"])
        other.get("root", type=Array).append(["z"])  # client and clock of the waiting struct
        # two versions of one struct waiting together: yrs would keep one by its own rules
        with pytest.raises(InvalidUpdate, match="restated differently"):
            index.admit(other_updates[1])

    def test_a_parent_that_is_not_a_shared_type_is_refused(self) -> None:
        """yrs fails midway through such an update, after applying the structs before it."""
        doc: Doc[Any] = Doc(client_id=3)
        updates = _capture(doc)
        doc.get("t", type=Text).insert(0, "abc")
        index = NestingIndex()
        index.check(updates[0])
        # client 4: a harmless root entry, then a map whose parent is the string (3, 1)
        harmless = b"\x08\x01\x01m\x01\x7e"
        child = b"\x07\x00\x03\x01\x01"
        update = b"\x01\x02\x04\x00" + harmless + child + b"\x00"
        with pytest.raises(InvalidUpdate, match="not a shared type"):
            index.admit(update)
        raw: Doc[Any] = Doc()
        raw.apply_update(updates[0])
        with pytest.raises(RuntimeError, match="must be deleted or shared ref type"):
            raw.apply_update(update)  # what the index keeps away from the doc

    def test_live_rooms_refuse_updates_that_would_wait(self) -> None:
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        text = doc.get("t", type=Text)
        text.insert(0, "a")
        text.insert(1, "b")
        index = NestingIndex()
        with pytest.raises(MissingDependencies):
            index.admit(updates[1], allow_pending=False)
        index.check(updates[0])
        index.commit(index.admit(updates[1], allow_pending=False))

    def test_limit_is_bounded(self) -> None:
        with pytest.raises(ValueError, match=r"1\.\."):
            NestingIndex(MAX_ALLOWED_DEPTH + 1)
        with pytest.raises(ValueError, match=r"1\.\."):
            NestingIndex(0)


class TestStoredIndex:
    def test_restored_doc_and_index_match_a_full_read(self) -> None:
        updates = _maps(LIMIT)  # update k makes level k + 2
        first = restore_doc(None, None, updates[: LIMIT - 2], LIMIT)
        snapshot = first.doc.get_update()
        second = restore_doc(snapshot, first.nesting.to_bytes(), [], LIMIT)
        assert second.doc.get_update() == snapshot
        stored_index = second.nesting
        # the stored index knows the depth: level LIMIT is accepted, the next one is not
        stored_index.check(updates[LIMIT - 2])
        with pytest.raises(NestingTooDeep):
            stored_index.admit(updates[LIMIT - 1])

    def test_snapshot_without_index_is_read(self) -> None:
        snapshot = _one_update(_arrays, LIMIT)
        with pytest.raises(NestingTooDeep):
            restore_doc(snapshot, None, [], LIMIT)

    def test_corrupt_index_is_invalid(self) -> None:
        with pytest.raises(InvalidUpdate, match="nesting index"):
            restore_doc(_one_update(_maps, 2), b"\x93garbage", [], LIMIT)

    def test_waiting_structs_are_named_for_compaction(self) -> None:
        updates = _maps(3)
        index = NestingIndex()
        build_doc([updates[2]], index)
        assert index.holds_pending(updates[2])
        assert not index.holds_pending(updates[0])

    def test_rows_too_deep_or_waiting_are_set_aside_and_the_rest_loads(self) -> None:
        deep = _one_update(_maps, LIMIT + 3)
        text: Doc[Any] = Doc()
        rows = _capture(text)
        text.get("t", type=Text).insert(0, "kept")
        text.get("t", type=Text).insert(4, "!")
        orphan = _maps(3)[2]  # its parent is in no row
        restored = restore_doc(None, None, [rows[0], deep, orphan, rows[1]], LIMIT)
        assert sorted(restored.set_aside) == [1, 2]
        assert "deeper than" in restored.set_aside[1]
        assert str(restored.doc.get("t", type=Text)) == "kept!"
        assert restored.nesting.pending == 0  # a live room never holds waiting structs


# --- honest documents: the index is exact, in any delivery order ----------------------------


def _random_doc(seed: int, steps: int) -> tuple[list[bytes], int]:
    """Random nested edits by three clients; the updates and the deepest type's level.

    Nothing is deleted: a type inserted into a deleted container is not created at all, so
    the level of every insert is then the level the document really reaches.
    """
    rng = random.Random(seed)
    docs: list[Doc[Any]] = [Doc(client_id=i + 1) for i in range(3)]
    logs = [_capture(doc) for doc in docs]
    deepest = 1
    containers: list[list[tuple[Any, int]]] = [
        [(doc.get("m", type=Map), 1), (doc.get("a", type=Array), 1)] for doc in docs
    ]
    for step in range(steps):
        who = rng.randrange(3)
        node, level = rng.choice(containers[who])
        child: Any = rng.choice([Map(), Array(), Text()])
        if isinstance(node, Map):
            node[f"k{step}"] = child  # never overwrite: a deleted container takes nothing
        else:
            node.insert(rng.randint(0, len(node)), child)
        if not isinstance(child, Text):
            containers[who].append((child, level + 1))
        deepest = max(deepest, level + 1)
        # sync everyone now and then, so clients nest inside each other's types
        if rng.random() < 0.3:
            for i, doc in enumerate(docs):
                for j, other in enumerate(docs):
                    if i != j:
                        other.apply_update(doc.get_update(other.get_state()))
            containers = [_containers(doc) for doc in docs]
    return [u for log in logs for u in log], deepest


def _containers(doc: Doc[Any]) -> list[tuple[Any, int]]:
    found: list[tuple[Any, int]] = []
    stack: list[tuple[Any, int]] = [(doc.get("m", type=Map), 1), (doc.get("a", type=Array), 1)]
    while stack:
        node, level = stack.pop()
        found.append((node, level))
        children = node.values() if isinstance(node, Map) else list(node)
        stack.extend((c, level + 1) for c in children if isinstance(c, Map | Array))
    return found


def _deepest(doc: Doc[Any]) -> int:
    return max(level for _, level in _containers(doc))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_honest_documents_are_refused_exactly_past_the_limit(seed: int) -> None:
    updates, deepest = _random_doc(seed, 25)  # in the order they were made: none waits
    for limit in (deepest, deepest - 1):
        if limit < 1:
            continue
        index = NestingIndex(limit)
        doc: Doc[Any] = Doc()
        try:
            for update in updates:
                apply_checked(doc, index, update)
        except NestingTooDeep:
            assert limit < deepest, f"refused at depth {deepest} with limit {limit}"
        else:
            assert limit >= deepest, f"depth {deepest} passed limit {limit}"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), order=st.integers(0, 2**32), limit=st.integers(2, 6))
def test_stored_rows_in_any_order_never_build_a_doc_past_the_limit(
    seed: int, order: int, limit: int
) -> None:
    updates, _ = _random_doc(seed, 25)
    random.Random(order).shuffle(updates)  # rows may wait for each other, or be set aside
    try:
        restored = restore_doc(None, None, updates, limit)
    except NestingTooDeep:
        return
    assert _deepest(restored.doc) <= limit
    assert restored.nesting.pending == 0


# --- the crash is real, and the index keeps it out --------------------------------------------


_ATTACK = textwrap.dedent(
    """
    import sys
    from pycrdt import Doc, Map
    from collab.ydoc import apply_checked
    from collab.nesting import NestingIndex
    from collab.errors import NestingTooDeep

    src = Doc(client_id=7)
    root = src.get("root", type=Map)
    with src.transaction():
        node = root
        for _ in range(60_000):
            child = Map()
            node["c"] = child
            node = child
    deep = src.get_update()
    # no structs; delete set: client 7, one range, clock 0 (the outer map), length 1
    delete = bytes([0, 1, 7, 1, 0, 1])
    doc = Doc()
    if sys.argv[1] == "guarded":
        index = NestingIndex()
        for update in (deep, delete):
            try:
                apply_checked(doc, index, update)
            except NestingTooDeep:
                pass
    else:
        doc.apply_update(deep)
        doc.apply_update(delete)
    print("alive")
    """
)


@pytest.mark.parametrize(("mode", "survives"), [("guarded", True), ("raw", False)])
def test_two_valid_updates_kill_an_unguarded_process_only(mode: str, survives: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _ATTACK, mode], capture_output=True, text=True, timeout=120
    )
    if survives:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "alive"
    else:
        assert result.returncode < 0, "pycrdt no longer crashes: the guard may be relaxed"


# --- the fast reader of one struct agrees with the full reader ---------------------------------


def _single_struct_updates(seed: int) -> list[bytes]:
    rng = random.Random(seed)
    doc: Doc[Any] = Doc(client_id=rng.choice([1, 300, 2**40 + 7, 2**53 - 1]))
    updates = _capture(doc)
    board = doc.get("board", type=Map)
    items = doc.get("items", type=Array)
    text = doc.get("text", type=Text)
    for step in range(30):
        choice = rng.randrange(6)
        if choice == 0:
            board[f"k{rng.randrange(5)}"] = rng.choice(
                [1, 2.5, "v", None, True, b"x", [1], {"a": 1}]
            )
        elif choice == 1:
            text.insert(rng.randint(0, len(text)), rng.choice(["a", "héllo", "x" * 200]))
        elif choice == 2:
            items.insert(rng.randint(0, len(items)), [rng.choice([1, "s", Map(), Array()])])
        elif choice == 3 and len(text):
            del text[0 : min(2, len(text))]
        elif choice == 4:
            board[f"m{step}"] = Map({"n": 1})
        else:
            text.format(0, min(1, len(text)), {"bold": True})
    return updates


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), flips=st.lists(st.integers(0, 2**16), max_size=3))
def test_the_one_struct_reader_agrees_with_the_full_reader(seed: int, flips: list[int]) -> None:
    for update in _single_struct_updates(seed):
        mutated = bytearray(update)
        for flip in flips:
            mutated[flip % len(mutated)] ^= 1 << (flip % 8)
        for candidate in (update, bytes(mutated)):
            one = scan_one(candidate)
            if one is None:
                continue
            try:
                full = scan(candidate, 100)
            except InvalidUpdate:
                continue  # the rest of the update is malformed: yrs refuses it as well
            assert full == [one]


# --- the remaining corners of the index ------------------------------------------------------


class TestCorners:
    def test_an_empty_run_of_text_is_left_to_the_full_reader(self) -> None:
        """A struct of zero characters (a flipped bit made one; yrs takes it and integrates
        nothing) is no struct to the full reader; the fast one must not report it either."""
        update = bytes.fromhex("0101878080808020098487008080802000016100")
        assert scan_one(update) is None
        assert scan(update, 100) == []

    def test_a_type_at_the_limit_on_the_fast_path(self) -> None:
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        doc.get("root", type=Map)["c"] = Map()  # one struct: a map directly under the root
        assert scan_one(updates[0]) is not None
        with pytest.raises(NestingTooDeep):
            NestingIndex(1).admit(updates[0])

    def test_a_struct_partly_known_continues_from_the_known_part(self) -> None:
        doc: Doc[Any] = Doc()
        updates = _capture(doc)
        text = doc.get("t", type=Text)
        text.insert(0, "a")
        text.insert(1, "bc")
        index = NestingIndex()
        index.check(updates[0])
        index.check(doc.get_update())  # "abc" merged into one struct from clock 0
        index.check(updates[1])  # already known: nothing new
        assert index.pending == 0

    def test_waiting_structs_from_storage_and_live_updates(self) -> None:
        doc: Doc[Any] = Doc(client_id=11)
        updates = _capture(doc)
        board = doc.get("root", type=Map)
        board["t"] = Text()
        board["t"].insert(0, "a")  # (11, 1): its parent (11, 0) is in updates[0]
        index = NestingIndex()
        index.check(updates[1])  # stored row ahead of its parent: it waits
        assert index.holds_pending(updates[1])
        other: Doc[Any] = Doc(client_id=12)
        other_updates = _capture(other)
        other.get("x", type=Text).insert(0, "z")
        # a live update that does not touch the waiting struct is admitted
        index.commit(index.admit(other_updates[0], allow_pending=False))
        board["t"].insert(1, "b")  # the client merges "ab" into one struct at (11, 1)
        index.check(doc.get_update())  # the longer restatement replaces the waiting one
        assert index.pending == 0

    def test_too_many_waiting_structs_are_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("collab.nesting.MAX_PENDING", 1)
        updates = _maps(4)
        index = NestingIndex()
        index.check(updates[2])
        with pytest.raises(InvalidUpdate, match="wait for missing dependencies"):
            index.admit(updates[3])

    def test_committing_twice_changes_nothing(self) -> None:
        updates = _maps(3)
        index = NestingIndex()
        admission = index.admit(updates[0])
        index.commit(admission)
        index.commit(admission)
        assert index.to_bytes() == NestingIndex.from_bytes(index.to_bytes()).to_bytes()
        assert not index.holds_pending(updates[1])

    @pytest.mark.parametrize(
        "data",
        [
            msgpack.packb([1, []]),
            msgpack.packb([2, [[1, 5, [0, 3], [2]]]]),
            msgpack.packb([2, [[1, 5, [], []]]]),
            msgpack.packb([2, 7]),
        ],
    )
    def test_a_damaged_stored_index_is_refused(self, data: bytes) -> None:
        with pytest.raises(ValueError, match=r"nesting index|runs and marks"):
            NestingIndex.from_bytes(data)

    def test_a_snapshot_stored_before_indexes_is_read(self) -> None:
        snapshot = _one_update(_maps, 3)
        restored = restore_doc(snapshot, None, [], LIMIT)
        assert restored.doc.get_update() == snapshot


class TestTouchesRoot:
    """Whether an admitted update puts something directly in a root type."""

    def test_a_new_root_key_touches_the_root_and_an_edit_inside_does_not(self) -> None:
        doc: Doc[Any] = Doc()
        updates: list[bytes] = []
        doc.observe(lambda event: updates.append(event.update))
        ideas = doc.get("ideas", type=Map)
        ideas["idea-1"] = Map({"text": Text("")})
        text = ideas["idea-1"]["text"]
        text.insert(0, "typing")
        ideas["idea-1"] = "replaced"  # beside the old value: still depth 1
        index = NestingIndex(DEFAULT_MAX_DEPTH)
        touched = []
        for update in updates:
            admission = index.admit(update)
            index.commit(admission)
            touched.append(touches_root(admission))
        assert touched == [True, False, True]

    def test_deletions_only_touch_nothing(self) -> None:
        assert not touches_root(([], None))
