"""What a look at a project sees, when a node's copy is too far behind to look, and a look in
pieces (pure, or on a bare event loop)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pycrdt import Doc, Map

from collab import item_events
from collab.item_events import run_steps
from persistence import item_states
from rooms.item_events import Seen, _compare_steps, _covers, watched_items
from rooms.turn_budget import TurnBudget


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


async def test_a_look_at_a_large_board_takes_turns_and_finds_the_same_events() -> None:
    """300 of 1,000 ideas changed: with no budget at all the look waits for a turn of the
    loop between pieces, many times, and writes the events and payloads a look made at once
    writes, in the same order."""
    project = UUID(int=7)
    items = [{"id": f"i{n:04d}", "text": f"idea {n}", "createdBy": "u"} for n in range(1000)]
    known = item_events.digests({"ideas": items})
    states: dict[item_states.Key, item_states.State] = {
        key: (digest, 1) for key, (digest, _item) in known.items()
    }
    found = item_states.Looked(True, states, None)
    items = [dict(item, text="changed") if n % 10 < 3 else item for n, item in enumerate(items)]
    seen = Seen({"ideas": items}, b"")
    at_once = run_steps(_compare_steps(project, found, item_events.digests(seen.items), seen))
    budget = TurnBudget(0.0)
    now = await budget.run(item_events.digest_steps(seen.items, known))
    in_turns = await budget.run(_compare_steps(project, found, now, seen))
    assert in_turns == at_once
    changed, events, payloads = in_turns
    assert len(changed) == len(events) == len(payloads) == 300
    assert {event.type for event in events} == {"idea.updated"}
    assert budget.deferred >= 300  # a turn per piece, at least one piece per change
