"""The SDK's collaborative text fields (sdk/python/dttools_sdk/text.py), with pycrdt alone."""

from __future__ import annotations

from typing import Any

import pytest
from dttools_sdk import text
from pycrdt import Doc, Map, Text

from collab.artifacts import TEXT_FIELDS


def _text(value: str) -> tuple[Doc[Any], Text]:
    doc: Doc[Any] = Doc()
    doc["t"] = ytext = Text(value)
    return doc, ytext


def _replica(doc: Doc[Any]) -> tuple[Doc[Any], Text]:
    copy: Doc[Any] = Doc()
    copy.apply_update(doc.get_update())
    return copy, copy.get("t", type=Text)


class TestTable:
    def test_same_as_the_server(self) -> None:
        """The SDK's table of text fields is the server's (it may not import collab)."""
        assert dict(text.TEXT_FIELDS) == dict(TEXT_FIELDS)


class TestSetText:
    @pytest.mark.parametrize(
        ("before", "after"),
        [
            ("", "Kiosk"),
            ("Kiosk", ""),
            ("Kiosk", "Kiosk"),
            ("The kiosk sells coffee", "Our kiosk sells tea"),
            ("aaa", "aaaa"),  # a repeat: the common start and end may not overlap
            ("abcabc", "abc"),
            ("Café ☕ près", "Café 🍵 près"),  # 2-, 3- and 4-byte UTF-8 characters
            ("😀😀", "😀x😀"),
            ("naïve", "naïveté"),
        ],
    )
    def test_reads_the_new_value(self, before: str, after: str) -> None:
        """After set_text the Y.Text reads the value, whatever its characters' byte lengths."""
        _, ytext = _text(before)
        assert text.set_text(ytext, after) is (before != after)
        assert str(ytext) == after

    def test_concurrent_changes_to_different_parts_merge(self) -> None:
        """Two replicas change the start and the end; after exchanging, both read both."""
        one, first = _text("Der Kiosk verkauft Kaffee ☕")
        two, second = _replica(one)
        text.set_text(first, "Unser Kiosk verkauft Kaffee ☕")
        text.set_text(second, "Der Kiosk verkauft Tee 🍵")
        one_update, two_update = one.get_update(two.get_state()), two.get_update(one.get_state())
        one.apply_update(two_update)
        two.apply_update(one_update)
        assert str(first) == str(second) == "Unser Kiosk verkauft Tee 🍵"


class TestWriteField:
    def test_text_fields_become_y_text(self) -> None:
        """A string in a text field is stored as a Y.Text; other fields stay as they are."""
        assert isinstance(text.stored("ideas", "text", "Kiosk"), Text)
        assert text.stored("ideas", "color", "green") == "green"
        assert text.stored("ideas", "text", None) is None
        assert text.stored("empathyMaps", "says", "x") == "x"

    def test_an_existing_y_text_is_changed_in_place(self) -> None:
        """Writing a text field that holds a Y.Text changes that Y.Text (typing elsewhere in
        it survives); a plain string or a missing value is replaced by a new Y.Text."""
        doc: Doc[Any] = Doc()
        ideas = doc.get("ideas", type=Map)
        ideas["a"] = Map({"text": Text("Kiosk"), "color": "yellow"})
        ideas["b"] = Map({"text": "Kiosk (schema 1)"})
        ideas["c"] = Map({"color": "blue"})
        other: Doc[Any] = Doc()
        other.apply_update(doc.get_update())
        other.get("ideas", type=Map)["a"]["text"].insert(0, "A ")  # typed meanwhile
        with doc.transaction():
            text.write_field(ideas["a"], "ideas", "text", "Kiosk!")
            text.write_field(ideas["a"], "ideas", "color", "green")
            text.write_field(ideas["b"], "ideas", "text", "Kiosk")
            text.write_field(ideas["c"], "ideas", "text", "New")
        doc.apply_update(other.get_update(doc.get_state()))
        assert isinstance(ideas["b"]["text"], Text)
        assert isinstance(ideas["c"]["text"], Text)
        assert ideas.to_py() == {
            "a": {"text": "A Kiosk!", "color": "green"},
            "b": {"text": "Kiosk"},
            "c": {"text": "New", "color": "blue"},
        }
