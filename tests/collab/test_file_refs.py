"""file_references reads every file id a real pycrdt document names, tolerantly."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map

from collab.file_refs import file_references

A, B, C, D = (f"{n}0000000-0000-4000-8000-000000000000" for n in "abcd")


def _entry(doc: Doc[Any], collection: str, key: str, **fields: Any) -> None:
    entry: Map[Any] = Map()
    doc.get(collection, type=Map)[key] = entry
    entry["id"] = key
    for name, value in fields.items():
        entry[name] = value


def test_an_empty_document_refers_to_nothing() -> None:
    assert file_references(Doc()) == set()


def test_avatars_prototype_files_and_image_notes_are_read() -> None:
    doc: Doc[Any] = Doc()
    _entry(doc, "personas", "p1", name="Ana", avatarFileId=A)
    _entry(doc, "personas", "p2", name="Bo", avatarFileId=None)
    _entry(doc, "prototypes", "t1", title="Kiosk", fileIds=Array([B, C]))
    _entry(doc, "ideas", "i1", text="photo", imageFileId=D)
    assert file_references(doc) == {A, B, C, D}


def test_badly_shaped_values_still_count_and_never_raise() -> None:
    """A live client may write a list as one string or put numbers in it: every string that
    names a file is kept (deleting a file still in use is the one mistake to avoid)."""
    doc: Doc[Any] = Doc()
    _entry(doc, "prototypes", "t1", title="Kiosk", fileIds=A)
    _entry(doc, "prototypes", "t2", title="Card", fileIds=Array([B, 3, None]))
    _entry(doc, "ideas", "i1", text="x", imageFileId=12)
    doc.get("personas", type=Map)["not-a-map"] = "avatarFileId"
    assert file_references(doc) == {A, B}


def test_a_reference_survives_an_update_round_trip() -> None:
    """What a browser sends is what the server reads: the same ids from a second document."""
    source: Doc[Any] = Doc()
    _entry(source, "personas", "p1", name="Ana", avatarFileId=A)
    copy: Doc[Any] = Doc()
    copy.apply_update(source.get_update())
    assert file_references(copy) == {A}
