"""Artifact events from digests of the document (pure)."""

from __future__ import annotations

from typing import Any

from collab.item_events import WATCHED, diff, digest_steps, digests, run_steps


def _doc(**collections: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemaVersion": 1, **collections}


def _before(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {key: digest for key, (digest, _item) in digests(document).items()}


def test_created_updated_deleted_in_a_stable_order() -> None:
    old = _doc(ideas=[{"id": "a", "text": "1"}, {"id": "b", "text": "2"}],
               personas=[{"id": "p", "name": "Ana"}])  # fmt: skip
    new = _doc(ideas=[{"id": "a", "text": "1 edited"}, {"id": "c", "text": "3"}],
               personas=[{"id": "p", "name": "Ana"}])  # fmt: skip
    changes = diff(_before(old), digests(new))
    assert [(c.type, c.item_id) for c in changes] == [
        ("idea.updated", "a"), ("idea.deleted", "b"), ("idea.created", "c"),
    ]  # fmt: skip
    assert changes[0].item == {"id": "a", "text": "1 edited"}
    assert changes[1].item is None
    assert diff(_before(new), digests(new)) == []


def test_bookkeeping_alone_is_no_change() -> None:
    old = _doc(ideas=[{"id": "a", "text": "1", "updatedAt": "2026-01-01T00:00:00Z"}])
    new = _doc(ideas=[{"id": "a", "text": "1", "updatedAt": "2026-02-02T00:00:00Z"}])
    assert diff(_before(old), digests(new)) == []
    assert _before(old) == _before(new)


def test_a_new_result_of_a_prototype_test_is_also_prototype_tested() -> None:
    tests: list[dict[str, Any]] = [
        {"id": "t1", "prototypeId": "proto"},
        {"id": "t2", "prototypeId": None},
    ]
    new = _doc(testResults=[{"id": "r1", "testId": "t1"}, {"id": "r2", "testId": "t2"},
                            {"id": "r3", "testId": "gone"}])  # fmt: skip
    changes = diff({}, digests(new), tests)
    assert [(c.type, c.item_id) for c in changes] == [
        ("test_result.added", "r1"), ("prototype.tested", "proto"),
        ("test_result.added", "r2"), ("test_result.added", "r3"),
    ]  # fmt: skip


def test_only_watched_kinds_count() -> None:
    new = _doc(povStatements=[{"id": "v", "user": "x"}], ideas=[{"id": "i", "text": "t"}])
    assert {key[0] for key in digests(new)} == {"ideas"}
    assert set(WATCHED) == {"personas", "ideas", "prototypes", "testResults"}


def test_digests_ignore_key_order() -> None:
    one = _doc(ideas=[{"id": "a", "text": "t", "x": 1.0}])
    two = _doc(ideas=[{"x": 1.0, "text": "t", "id": "a"}])
    assert _before(one) == _before(two)


def test_an_item_handed_out_again_as_the_same_object_is_not_hashed_again() -> None:
    """Typed views hand out one dict per item until it changes: its digest is reused."""
    item = {"id": "a", "text": "one"}
    first = digests({"ideas": [item]})
    assert first[("ideas", "a")][0] != "remembered"
    known = {("ideas", "a"): ("remembered", item)}
    assert digests({"ideas": [item]}, known)[("ideas", "a")][0] == "remembered"
    equal_copy = dict(item)  # another object (the item changed and was read again)
    assert digests({"ideas": [equal_copy]}, known)[("ideas", "a")] == first[("ideas", "a")]


def test_digests_in_steps_hash_one_item_per_step_and_skip_the_known_in_bulk() -> None:
    """A step per item hashed; items known from the last look (the same objects) are not
    hashed again, and thousands of them make a handful of steps, not one each."""
    items = [{"id": f"i{n}", "text": str(n)} for n in range(1000)]
    assert sum(1 for _ in digest_steps({"ideas": items})) == 1000
    known = digests({"ideas": items})
    grown = {"ideas": [*items, {"id": "new", "text": "x"}]}
    assert sum(1 for _ in digest_steps(grown, known)) == 1 + 4  # the new one, 1000 / 256
    assert run_steps(digest_steps(grown, known)) == digests(grown)
