"""What changed between a restore point and the live document, as the History dialog shows it
(static/app/history-compare.js, run under Node; docs/ui.md "History")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.node import run_module_script

MODULE = Path(__file__).resolve().parent.parent / "static" / "app" / "history-compare.js"

_SCRIPT = """
import { compareContent, countChanges } from __MODULE__
const [then, now] = JSON.parse(await new Promise((resolve) => {
  let text = ''
  process.stdin.on('data', (chunk) => { text += chunk })
  process.stdin.on('end', () => resolve(text))
}))
const changes = compareContent(then, now)
console.log(JSON.stringify({ changes, counts: countChanges(changes) }))
"""


def compare(then: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    script = _SCRIPT.replace("__MODULE__", json.dumps(MODULE.as_uri()))
    out: dict[str, Any] = json.loads(run_module_script(script, json.dumps([then, now])))
    return out


def idea(key: str, text: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": key, "text": text, "createdAt": at, "updatedAt": at, "x": 0, "y": 0, **fields}


def by_id(result: dict[str, Any], collection: str) -> dict[str, dict[str, Any]]:
    [group] = [g for g in result["changes"] if g["collection"] == collection]
    return {entry["id"]: entry for entry in group["entries"]}


class TestCompareContent:
    def test_deleted_changed_moved_added_and_same_entries_are_told_apart(self) -> None:
        """An entry gone is "removed", a text edit "changed" (naming the field), a move only
        "moved", a new one "added"; bookkeeping (updatedAt) changes nothing."""
        then = {
            "schemaVersion": 1,
            "ideas": [
                idea("a", "Kiosk", "2026-01-01T00:00:01Z"),
                idea("b", "Queue app", "2026-01-01T00:00:02Z"),
                idea("c", "Paper form", "2026-01-01T00:00:03Z"),
                idea("d", "Map", "2026-01-01T00:00:04Z"),
            ],
        }
        now = {
            "ideas": {
                "a": idea("a", "Kiosk 2", "2026-01-01T00:00:01Z", updatedAt="2026-02-01"),
                "b": idea("b", "Queue app", "2026-01-01T00:00:02Z", updatedAt="2026-02-01"),
                "d": idea("d", "Map", "2026-01-01T00:00:04Z", x=40),
                "e": idea("e", "Signs", "2026-01-02T00:00:00Z"),
            }
        }
        result = compare(then, now)
        ideas = by_id(result, "ideas")
        assert {key: entry["change"] for key, entry in ideas.items()} == {
            "a": "changed", "b": "same", "c": "removed", "d": "moved", "e": "added",
        }  # fmt: skip
        assert ideas["a"]["fields"] == ["text"]
        assert ideas["c"]["now"] is None
        assert ideas["e"]["then"] is None
        assert result["counts"] == {"removed": 1, "added": 1, "changed": 1, "moved": 1, "same": 1}
        # oldest first, whichever side an entry comes from
        [group] = [g for g in result["changes"] if g["collection"] == "ideas"]
        assert [entry["id"] for entry in group["entries"]] == ["a", "b", "c", "d", "e"]
        assert (group["then"], group["now"]) == (4, 4)

    def test_list_fields_compare_in_order_and_missing_reads_as_empty(self) -> None:
        """A persona's goals compare as lists; a field missing on one side and null on the
        other is no change; every collection is reported, empty ones too."""
        persona = {"id": "p", "name": "Rita", "goals": ["eat"], "quote": None}
        result = compare(
            {"personas": [persona]},
            {"personas": {"p": {"id": "p", "name": "Rita", "goals": ["eat", "sleep"]}}},
        )
        assert by_id(result, "personas")["p"]["fields"] == ["goals"]
        same = compare({"personas": [persona]}, {"personas": [{**persona, "quote": ""}]})
        assert by_id(same, "personas")["p"]["change"] == "same"
        assert len(result["changes"]) == 8

    def test_hostile_shapes_are_skipped_not_thrown(self) -> None:
        """Entries that are not objects, or have no string id, are left out."""
        result = compare(
            {"ideas": [None, 3, ["x"], {"text": "no id"}, idea("a", "Kiosk", "t")]},
            {"ideas": "not a collection", "personas": {"p": 5}},
        )
        assert by_id(result, "ideas")["a"]["change"] == "removed"
        assert by_id(result, "personas") == {}
