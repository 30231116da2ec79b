"""Replacing a deleted person's identity: in documents (and their history), and in JSON."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from collab.pseudonyms import (
    Identity,
    entry_keys,
    pseudonym_name,
    pseudonym_number,
    pseudonym_ref,
    replace_author,
    scrub,
)

GONE = "5b0c6a4e-0000-4000-8000-00000000dead"
STAYS = "5b0c6a4e-0000-4000-8000-0000000a11ce"


def _note(author: str, text: str) -> Map[Any]:
    return Map({"id": text, "text": text, "createdBy": author, "authorId": author})


def _board() -> Doc[Any]:
    doc: Doc[Any] = Doc()
    ideas = doc.get("ideas", type=Map)
    ideas["a"] = _note(GONE, "mine")
    ideas["b"] = _note(STAYS, "theirs")
    doc.get("personas", type=Map)["p"] = Map({"id": "p", "name": GONE, "createdBy": GONE})
    doc.get("clusters", type=Map)["c"] = Map({"name": "queues", "createdBy": GONE})
    doc.get("ideas", type=Map)["junk"] = "not a map"
    return doc


def test_only_author_fields_of_the_person_change() -> None:
    doc = _board()
    ref = pseudonym_ref(7)
    assert replace_author(doc, GONE, ref) == 4
    ideas = doc.get("ideas", type=Map).to_py()
    assert ideas["a"] == {"id": "mine", "text": "mine", "createdBy": ref, "authorId": ref}
    assert ideas["b"]["createdBy"] == ideas["b"]["authorId"] == STAYS
    assert ideas["junk"] == "not a map"
    # Content that happens to equal the id is the team's content: it stays.
    assert doc.get("personas", type=Map).to_py()["p"] == {"id": "p", "name": GONE, "createdBy": ref}
    assert doc.get("clusters", type=Map).to_py()["c"]["createdBy"] == ref
    assert replace_author(doc, GONE, ref) == 0  # again: nothing left to change


def test_the_rewritten_history_no_longer_holds_the_id() -> None:
    """What compaction stores: the whole history replayed into a fresh (garbage-collecting)
    document, encoded again. The overwritten author values are not in those bytes."""
    doc = _board()
    history = [doc.get_update()]
    before = doc.get_state()
    replace_author(doc, GONE, pseudonym_ref(7))
    history.append(doc.get_update(before))
    assert GONE.encode() in history[0]
    replayed: Doc[Any] = Doc()
    for update in history:
        replayed.apply_update(update)
    stored = replayed.get_update()
    assert stored.count(GONE.encode()) == 1  # the persona's name: content, not identity
    assert pseudonym_ref(7).encode() in stored


def test_scrub_replaces_ids_and_addresses_inside_values_and_names_only_whole() -> None:
    identity = Identity(
        user_id=GONE, email="Zed@Example.com", name="Ana", ref=pseudonym_ref(3),
        display_name=str(pseudonym_name(3)),
    )  # fmt: skip
    payload = {
        "actor": GONE,
        "room": f"p:private:s:{GONE}",
        "email": "zed@example.COM",
        GONE: {"author_name": "Ana", "text": "Mariana and Ana"},
        "ideas": [{"author_id": GONE, "author_name": "Ana", "votes": 3, "ok": True, "x": None}],
    }
    assert scrub(payload, identity) == {
        "actor": "removed-participant-3",
        "room": "p:private:s:removed-participant-3",
        "email": "removed-participant-3",
        "removed-participant-3": {
            "author_name": "Removed participant 3", "text": "Mariana and Ana"
        },
        "ideas": [
            {"author_id": "removed-participant-3", "author_name": "Removed participant 3",
             "votes": 3, "ok": True, "x": None}
        ],
    }  # fmt: skip


def test_a_pseudonym_reads_back_to_its_number_and_nothing_else_does() -> None:
    assert pseudonym_number(pseudonym_ref(42)) == 42
    for other in (GONE, "removed-participant-", "removed-participant-x1", "removed-participant-٣",
                  "removed-participant-" + "9" * 30, None, 7):  # fmt: skip
        assert pseudonym_number(other) is None
    assert pseudonym_name(42) == "Removed participant 42"


def test_slices_of_the_entries_together_change_what_one_pass_does() -> None:
    whole, sliced = _board(), _board()
    keys = entry_keys(sliced)
    assert set(keys) == {
        ("ideas", "a"), ("ideas", "b"), ("ideas", "junk"), ("personas", "p"), ("clusters", "c")
    }  # fmt: skip
    in_slices = sum(replace_author(sliced, GONE, "r", keys[i : i + 2]) for i in range(0, 5, 2))
    assert in_slices == replace_author(whole, GONE, "r") == 4
    assert sliced.get("ideas", type=Map).to_py() == whole.get("ideas", type=Map).to_py()
    # Entries gone since the keys were read, and roots that are not author roots, are skipped.
    del sliced.get("ideas", type=Map)["a"]
    assert replace_author(sliced, "r", "s", [("ideas", "a"), ("elsewhere", "x")]) == 0
    assert "elsewhere" not in set(sliced.keys())
