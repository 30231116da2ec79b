"""Restore points (pure): storing a state, comparing two, restoring as one forward change."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from collab import schema
from collab.artifacts import KINDS
from collab.errors import InvalidUpdate
from collab.restore import (
    MAX_POINT_BYTES,
    content,
    decode_point,
    doc_of_point,
    pack_state,
    prepare_point,
    present_ids,
    restore_into,
    rewrite_point,
    summarize,
)

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
DEPTH = 100


def _idea(doc: Doc[Any], text: str, item_id: str) -> None:
    kind = KINDS["ideas"]
    schema.create_item(
        doc, kind, kind.create.model_validate({"text": text}), author_id="u1", now=NOW,
        item_id=item_id,
    )  # fmt: skip


def _texts(doc: Doc[Any]) -> dict[str, str]:
    return {item["id"]: item["text"] for item in schema.list_items(doc, "ideas")}


def _sync(a: Doc[Any], b: Doc[Any]) -> None:
    a.apply_update(b.get_update(a.get_state()))
    b.apply_update(a.get_update(b.get_state()))


class TestRestore:
    def test_restore_brings_back_what_went_and_removes_what_came(self) -> None:
        live: Doc[Any] = Doc()
        _idea(live, "kept", "a")
        _idea(live, "edited later", "b")
        _idea(live, "deleted later", "c")
        point = doc_of_point(pack_state(live.get_update()), DEPTH)
        schema.update_item(live, "ideas", "b", _patch("changed"), now=NOW)
        schema.delete_item(live, "ideas", "c", now=NOW)
        _idea(live, "new", "d")
        assert summarize(content(point), content(live)) == {
            "ideas": {"added": 1, "removed": 1, "changed": 1}
        }
        done = restore_into(live, point)
        assert done == {"ideas": {"added": 1, "removed": 1, "changed": 1}}
        assert _texts(live) == {"a": "kept", "b": "edited later", "c": "deleted later"}
        assert content(live) == content(point)

    def test_a_restore_is_one_update_that_merges_with_concurrent_edits(self) -> None:
        """Another person edits a note nobody restores while the restore happens: both land,
        everywhere, and a point taken just before the restore undoes it."""
        live: Doc[Any] = Doc()
        _idea(live, "one", "a")
        _idea(live, "two", "b")
        point = doc_of_point(pack_state(live.get_update()), DEPTH)
        schema.update_item(live, "ideas", "a", _patch("one, reworded"), now=NOW)
        other: Doc[Any] = Doc()
        _sync(live, other)
        before_restore = doc_of_point(pack_state(live.get_update()), DEPTH)
        updates: list[bytes] = []
        subscription = live.observe(lambda event: updates.append(event.update))
        restore_into(live, point)
        live.unobserve(subscription)
        assert len(updates) == 1
        schema.update_item(other, "ideas", "b", _patch("two, by someone else"), now=NOW)
        _sync(live, other)
        assert _texts(live) == _texts(other) == {"a": "one", "b": "two, by someone else"}
        restore_into(live, before_restore)
        assert _texts(live)["a"] == "one, reworded"

    def test_text_typed_during_a_restore_survives_it(self) -> None:
        """A text field is restored by its difference: a word someone types elsewhere in the
        same note at the same moment stays, and the field is still a Y.Text."""
        live: Doc[Any] = Doc()
        _idea(live, "Hello world", "a")
        point = doc_of_point(pack_state(live.get_update()), DEPTH)
        schema.update_item(live, "ideas", "a", _patch("Hello brave world"), now=NOW)
        typist: Doc[Any] = Doc()
        typist.apply_update(live.get_update())
        text = typist.get("ideas", type=Map)["a"]["text"]
        text.insert(len(str(text).encode()), " again")
        restore_into(live, point)
        _sync(live, typist)
        assert _texts(live) == _texts(typist) == {"a": "Hello world again"}
        assert isinstance(live.get("ideas", type=Map)["a"]["text"], Text)

    def test_a_point_from_schema_1_restores_text_as_text(self) -> None:
        """A point taken before schema 2 holds plain strings: restored, they are Y.Text again,
        and the document still validates."""
        old: Doc[Any] = Doc()
        old.get("meta", type=Map)["schemaVersion"] = 1
        old.get("ideas", type=Map)["a"] = Map(
            {"id": "a", "text": "from version 1", "color": "yellow", "x": 0.0, "y": 0.0,
             "clusterId": None, "authorId": None, "createdBy": None,
             "createdAt": "2026-12-06T10:00:00.000Z", "updatedAt": "2026-12-06T10:00:00.000Z"}
        )  # fmt: skip
        point = doc_of_point(pack_state(old.get_update()), DEPTH)
        live: Doc[Any] = Doc()
        _idea(live, "newer", "a")
        _idea(live, "added since", "b")
        restore_into(live, point)
        assert _texts(live) == {"a": "from version 1"}
        assert isinstance(live.get("ideas", type=Map)["a"]["text"], Text)
        assert schema.validate_document(live) == []

    def test_restoring_the_same_content_changes_nothing(self) -> None:
        live: Doc[Any] = Doc()
        _idea(live, "same", "a")
        point = doc_of_point(pack_state(live.get_update()), DEPTH)
        updates: list[bytes] = []
        live.observe(lambda event: updates.append(event.update))
        assert restore_into(live, point) == {}
        assert updates == []

    def test_clusters_and_non_map_values_come_back_too(self) -> None:
        live: Doc[Any] = Doc()
        live.get("clusters", type=Map)["c1"] = Map(
            {"name": "Waiting", "tags": Array(["a", "b"]), "note": Text("hi")}
        )
        live.get("frames", type=Map)["f1"] = "not a map"
        point = doc_of_point(pack_state(live.get_update()), DEPTH)
        live.get("clusters", type=Map)["c1"]["name"] = "Renamed"
        live.get("clusters", type=Map)["c1"]["extra"] = 1
        live.get("clusters", type=Map)["c1"]["note"] = Text("changed")
        del live.get("clusters", type=Map)["c1"]["tags"]
        live.get("frames", type=Map)["f1"] = Map({"x": 1})
        restore_into(live, point)
        assert live.get("clusters", type=Map).to_py() == {
            "c1": {"name": "Waiting", "tags": ["a", "b"], "note": "hi"}
        }
        assert live.get("frames", type=Map).to_py() == {"f1": "not a map"}


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "edit", "delete"]), st.integers(0, 5), st.text(max_size=8)
        ),
        max_size=20,
    )
)
def test_after_any_edits_a_restore_gives_the_points_content(
    steps: list[tuple[str, int, str]],
) -> None:
    live: Doc[Any] = Doc()
    for i in range(3):
        _idea(live, f"note {i}", f"n{i}")
    point = doc_of_point(pack_state(live.get_update()), DEPTH)
    for action, index, text in steps:
        key = f"n{index}"
        present = key in _texts(live)
        if action == "add" and not present:
            _idea(live, text or "x", key)
        elif action == "edit" and present:
            schema.update_item(live, "ideas", key, _patch(text or "y"), now=NOW)
        elif action == "delete" and present:
            schema.delete_item(live, "ideas", key, now=NOW)
    restore_into(live, point)
    assert content(live) == content(point)


class TestStoredForm:
    def test_round_trip_and_compression(self) -> None:
        doc: Doc[Any] = Doc()
        for i in range(50):
            _idea(doc, "the same words again and again", f"n{i}")
        stored = pack_state(doc.get_update())
        assert len(stored) < len(doc.get_update()) / 2
        assert decode_point(stored) == doc.get_update()

    @pytest.mark.parametrize(
        "stored",
        [b"not zlib", zlib.compress(b"\x00\x00")[:-2]],
    )
    def test_damaged_bytes_are_refused(self, stored: bytes) -> None:
        with pytest.raises(InvalidUpdate):
            decode_point(stored)

    def test_a_bomb_is_refused(self) -> None:
        bomb = zlib.compress(b"\x00" * 100_001, 9)
        with pytest.raises(InvalidUpdate, match="too large"):
            decode_point(bomb, limit=100_000)
        assert MAX_POINT_BYTES > 100_000

    def test_a_stored_point_that_is_no_document_is_refused(self) -> None:
        with pytest.raises(InvalidUpdate):
            doc_of_point(zlib.compress(b"\x05garbage"), DEPTH)


def test_present_ids() -> None:
    assert present_ids(["b", None, "a", "b", ""]) == ["a", "b"]


def _patch(text: str) -> Any:
    return KINDS["ideas"].update.model_validate({"text": text})


class TestRewrite:
    def test_a_rewrite_forgets_the_old_value_and_leaves_other_points_alone(self) -> None:
        doc: Doc[Any] = Doc()
        _idea(doc, "mine", "a")
        stored = pack_state(doc.get_update())

        def rename(target: Doc[Any]) -> int:
            note = target.get("ideas", type=Map)["a"]
            for field in ("authorId", "createdBy"):
                note[field] = "removed-participant-1"
            return 2

        rewritten = rewrite_point(stored, rename, DEPTH)
        assert rewritten is not None
        new_form, digest = rewritten
        assert b"u1" not in decode_point(new_form)
        assert hashlib.sha256(decode_point(new_form)).digest() == digest
        assert rewrite_point(stored, lambda _doc: 0, DEPTH) is None


def test_prepare_point_stores_digests_and_summarizes() -> None:
    doc: Doc[Any] = Doc()
    _idea(doc, "first", "a")
    first, digest, summary = prepare_point(doc.get_update(), None, DEPTH)
    assert decode_point(first) == doc.get_update()
    assert digest == hashlib.sha256(doc.get_update()).digest()
    assert summary == {"ideas": {"added": 1, "removed": 0, "changed": 0}}
    _idea(doc, "second", "b")
    _stored, _digest, later = prepare_point(doc.get_update(), first, DEPTH)
    assert later == {"ideas": {"added": 1, "removed": 0, "changed": 0}}
