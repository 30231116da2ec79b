"""Collaborative text (schema version 2): free-text fields are Y.Text, written by difference.

A Y.Text merges two people typing in it at once character by character, where a plain string
field keeps one writer's whole value and drops the other's. So a change from outside the
text (a REST PATCH, a restore) must not replace the Y.Text, which would throw away whatever
someone typed meanwhile: :func:`set_text` writes only the difference, as one deletion and one
insertion between the common start and the common end. Characters typed concurrently outside
that span survive; inside it, the new value and the concurrent typing both stay.

:func:`upgrade` turns a version 1 document (plain strings) into version 2, in place, as one
ordinary update: the server runs it when it opens a project room (rooms/manager.py), so every
client receives it, and before its first write to a document (collab/schema.py).

pycrdt addresses a Y.Text by UTF-8 byte offsets (Yjs in the browser by UTF-16 code units);
both address the same characters, so offsets are computed here from the text, never guessed.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text

from collab.artifacts import TEXT_FIELDS

__all__ = ["set_text", "upgrade", "plain_text_fields"]


def set_text(text: Text, value: str) -> bool:
    """Make ``text`` read ``value`` by replacing only what differs; whether it changed."""
    current = str(text)
    if current == value:
        return False
    start = 0
    shortest = min(len(current), len(value))
    while start < shortest and current[start] == value[start]:
        start += 1
    end = 0  # length of the common end, not overlapping the common start
    while end < shortest - start and current[len(current) - 1 - end] == value[len(value) - 1 - end]:
        end += 1
    offset = len(current[:start].encode())
    removed = len(current[start : len(current) - end].encode())
    inserted = value[start : len(value) - end]
    if removed:
        del text[offset : offset + removed]
    if inserted:
        text.insert(offset, inserted)
    return True


def plain_text_fields(entry: Map[Any], collection: str) -> list[str]:
    """The text fields of one artifact that still hold a plain string (version 1)."""
    return [name for name in TEXT_FIELDS.get(collection, ()) if isinstance(entry.get(name), str)]


def upgrade(doc: Doc[Any]) -> int:
    """Turn every plain string in a text field into a Y.Text with the same characters, in one
    transaction; how many fields it turned (0: nothing to do, nothing written).

    A field that holds something other than a string (null, a number, a Y.Text already) is
    left as it is: a violation stays visible to :func:`collab.schema.validate_document`.
    """
    turned = 0
    with doc.transaction():
        for collection in TEXT_FIELDS:
            root: Map[Any] = doc.get(collection, type=Map)
            for entry in root.values():
                if not isinstance(entry, Map):
                    continue
                for name in plain_text_fields(entry, collection):
                    entry[name] = Text(entry[name])
                    turned += 1
    return turned
