"""Whether a participant has written, read from their private room (pure).

The facilitator sees "31 of 42 wrote notes": counts only. The server looks at a private room
after each change its participant makes and records a change of this answer, not the notes.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text

__all__ = ["has_note"]


def has_note(doc: Doc[Any]) -> bool:
    """Whether the room's ``ideas`` hold a note with some text (blanks do not count)."""
    for note in doc.get("ideas", type=Map).values():
        text = note.get("text") if isinstance(note, Map) else None
        if isinstance(text, Text):  # schema 2 (a plain string from a page of before)
            text = str(text)
        if isinstance(text, str) and text.strip():
            return True
    return False
