"""The smallest change a text field writes to its Y.Text (static/app/text-diff.js, run under
Node; docs/ui.md "Collaborative text")."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.support.node import run_module_script

MODULE = Path(__file__).resolve().parent.parent / "static" / "app" / "text-diff.js"

_SCRIPT = """
import { textChange } from __MODULE__
const pairs = JSON.parse(await new Promise((resolve) => {
  let text = ''
  process.stdin.on('data', (chunk) => { text += chunk })
  process.stdin.on('end', () => resolve(text))
}))
console.log(JSON.stringify(pairs.map(([before, after]) => textChange(before, after))))
"""

#: Code points that take one UTF-16 code unit, and two (pairs that share their first unit).
_ALPHABET = ["a", "b", " ", "\n", "é", "😀", "😁", "🙂", "𝄞"]


def changes(pairs: list[tuple[str, str]]) -> list[dict[str, Any] | None]:
    """textChange of each pair, computed by the browser module in one Node run."""
    script = _SCRIPT.replace("__MODULE__", json.dumps(MODULE.as_uri()))
    # JSON escapes astral characters as surrogate pairs, which is what JS strings hold
    out: list[dict[str, Any] | None] = json.loads(run_module_script(script, json.dumps(pairs)))
    return out


def units(text: str) -> list[int]:
    """A string as JavaScript sees it: UTF-16 code units."""
    data = text.encode("utf-16-le")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def apply(before: str, change: dict[str, Any]) -> str:
    """Apply a change given in UTF-16 code units to a Python string."""
    code = units(before)
    index, remove = change["index"], change["remove"]
    inserted = units(change["insert"])
    result = code[:index] + inserted + code[index + remove :]
    return b"".join(u.to_bytes(2, "little") for u in result).decode("utf-16-le")


def splits_a_pair(text: str, index: int) -> bool:
    code = units(text)
    return 0 < index < len(code) and 0xDC00 <= code[index] <= 0xDFFF


class TestTextChange:
    def test_typing_deleting_and_replacing_touch_only_what_changed(self) -> None:
        """A character typed, a word deleted, a selection replaced: the change covers that
        and nothing else; equal texts give no change."""
        cases = [
            ("Kiosk", "Kiosks", {"index": 5, "remove": 0, "insert": "s"}),
            ("Big kiosk", "kiosk", {"index": 0, "remove": 4, "insert": ""}),
            ("a nights b", "a days b", {"index": 2, "remove": 5, "insert": "day"}),
            # a doubled letter: the common end does not overlap the common start
            ("aa", "aaa", {"index": 2, "remove": 0, "insert": "a"}),
            ("same", "same", None),
        ]
        got = changes([(before, after) for before, after, _ in cases])
        assert got == [want for _, _, want in cases]

    def test_an_emoji_is_never_cut_in_half(self) -> None:
        """Two emoji sharing their first code unit are swapped whole (Yjs turns half a
        surrogate pair into U+FFFD), at the start, the middle and the end of a text."""
        got = changes([("a😀b", "a😁b"), ("😀", "😁"), ("x😀", "x😁"), ("😀x", "😁x")])
        assert got == [
            {"index": 1, "remove": 2, "insert": "😁"},
            {"index": 0, "remove": 2, "insert": "😁"},
            {"index": 1, "remove": 2, "insert": "😁"},
            {"index": 0, "remove": 2, "insert": "😁"},
        ]

    def test_any_edit_is_reproduced_by_its_change(self) -> None:
        """For many random pairs of texts mixing one- and two-unit characters, applying the
        change to the first gives the second, and neither end of it falls inside a pair."""
        rng = random.Random(23)

        def text() -> str:
            return "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 8)))

        pairs = [(text(), text()) for _ in range(600)]
        # edits of one text, as typing makes them
        for _ in range(300):
            before = text()
            cut = rng.randrange(0, len(before) + 1)
            pairs.append((before, before[:cut] + text() + before[cut + rng.randrange(0, 3) :]))
        for (before, after), change in zip(pairs, changes(pairs), strict=True):
            if before == after:
                assert change is None
                continue
            assert change is not None
            assert apply(before, change) == after
            assert not splits_a_pair(before, change["index"])
            assert not splits_a_pair(before, change["index"] + change["remove"])
