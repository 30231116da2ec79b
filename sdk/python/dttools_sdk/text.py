"""Collaborative text (document schema 2): which fields are Y.Text, and writing them by difference.

Two people typing in one Y.Text at once both keep their characters; replacing the Y.Text
with a new one (or with a plain string) keeps only the last writer's. So a live write to a
text field that already holds a Y.Text changes only the span that differs, one deletion and
one insertion between the common start and the common end: whatever someone typed outside
that span meanwhile survives, and inside it both stay. Only a plain string (schema 1) or a
missing value is replaced by a new Y.Text.

pycrdt addresses a Y.Text by UTF-8 byte offsets (Yjs in JavaScript by UTF-16 code units): the
offsets are computed from the text, so both address the same characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from pycrdt import Map, Text

__all__ = ["TEXT_FIELDS", "is_text_field", "set_text", "stored", "write_field"]

#: The free-text fields of each root (docs/document-schema.md), held as Y.Text. The server's
#: own table is ``collab.artifacts.TEXT_FIELDS``; a test keeps the two equal (the SDK does
#: not import the server).
TEXT_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "personas": frozenset({"demographics", "bio", "quote"}),
        "povStatements": frozenset({"need", "insight"}),
        "hmwQuestions": frozenset({"question"}),
        "ideas": frozenset({"text"}),
        "prototypes": frozenset({"description"}),
        "tests": frozenset({"script"}),
        "testResults": frozenset({"notes"}),
    }
)


def is_text_field(root: str, name: str) -> bool:
    """Whether field ``name`` of an entry of ``root`` (``"ideas"``, ...) is a Y.Text."""
    return name in TEXT_FIELDS.get(root, ())


def stored(root: str, name: str, value: Any) -> Any:
    """The value to put in a new entry: a Y.Text for a string in a text field, else ``value``."""
    return Text(value) if isinstance(value, str) and is_text_field(root, name) else value


def set_text(text: Text, value: str) -> bool:
    """Make ``text`` read ``value`` by replacing only what differs; whether it changed."""
    current = str(text)
    if current == value:
        return False
    shortest = min(len(current), len(value))
    start = 0
    while start < shortest and current[start] == value[start]:
        start += 1
    end = 0  # the length of the common end, not overlapping the common start
    while end < shortest - start and current[-1 - end] == value[-1 - end]:
        end += 1
    offset = len(current[:start].encode())
    removed = len(current[start : len(current) - end].encode())
    inserted = value[start : len(value) - end]
    if removed:
        del text[offset : offset + removed]
    if inserted:
        text.insert(offset, inserted)
    return True


def write_field(entry: Map[Any], root: str, name: str, value: Any) -> None:
    """Set field ``name`` of ``entry`` (an artifact of ``root``) to ``value``.

    A string written to a text field that holds a Y.Text changes it by difference
    (:func:`set_text`); anything else is set as it is (a string in a text field as a new
    Y.Text). Call it inside a transaction.
    """
    current = entry.get(name)
    if isinstance(value, str) and isinstance(current, Text):
        set_text(current, value)
    else:
        entry[name] = stored(root, name, value)
