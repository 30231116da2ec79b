"""What a look at a project sees, and when a node's copy is too far behind to look (pure)."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from rooms.item_events import _covers, watched_items


def _doc_with(*texts: str) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    ideas = doc.get("ideas", type=Map)
    for n, text in enumerate(texts):
        ideas[f"i{n}"] = Map({"id": f"i{n}", "text": text})
    return doc


def test_a_copy_that_lacks_another_nodes_changes_does_not_cover_its_look() -> None:
    ahead = _doc_with("a")
    behind: Doc[Any] = Doc()
    behind.apply_update(ahead.get_update())
    with ahead.transaction():
        ahead.get("ideas", type=Map)["i9"] = Map({"id": "i9", "text": "new"})
    assert _covers(ahead.get_state(), behind.get_state())
    assert not _covers(behind.get_state(), ahead.get_state())
    assert _covers(behind.get_state(), behind.get_state())


def test_a_look_reads_the_watched_kinds_and_the_tests() -> None:
    seen = watched_items(_doc_with("a", "b"))
    assert [i["text"] for i in seen.items["ideas"]] == ["a", "b"]
    assert set(seen.items) == {"personas", "ideas", "prototypes", "testResults", "tests"}
    assert seen.state_vector
