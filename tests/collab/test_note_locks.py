"""Locked notes: which updates touch them, with real Yjs documents (pycrdt) on both ends.

A "server" document holds the board; a "client" document is synced with it and edits it the
way a browser would. Each edit's update is asked whether it touches the locked notes.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from collab.errors import InvalidUpdate
from collab.note_locks import LockedItems
from collab.update_scan import GC, NAMED, TYPE, Struct
from collab.ydoc import known_deletes

DEPTH = 100


def _note(text: str, x: int = 0) -> Map[Any]:
    return Map({"text": text, "x": x, "y": 0, "color": "yellow", "body": Text(text)})


def _board(notes: int = 3) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    ideas = doc.get("ideas", type=Map)
    with doc.transaction():
        for i in range(notes):
            ideas[f"n{i}"] = _note(f"note {i}", x=i * 10)
    return doc


def _client_of(server: Doc[Any]) -> Doc[Any]:
    client: Doc[Any] = Doc()
    client.apply_update(server.get_update())
    return client


def _edit(client: Doc[Any], change: Any) -> bytes:
    """Run ``change(ideas)`` on the client; the update it makes (as a browser sends it)."""
    before = client.get_state()
    with client.transaction():
        change(client.get("ideas", type=Map))
    return client.get_update(before)


def _locked(server: Doc[Any], *keys: str) -> LockedItems:
    return LockedItems.of_state(server.get_update(), "ideas", frozenset(keys), DEPTH)


def _touches(server: Doc[Any], locked: LockedItems, update: bytes) -> bool:
    return locked.touched_by(update, DEPTH, known_deletes(server))


class TestTouches:
    def test_a_refused_change_keeps_counting_in_that_clients_next_updates(self) -> None:
        """Yjs repeats a client's delete set in each update: after a refused deletion in a
        locked note, the client's next update still carries it, and is refused too (the page
        must not edit locked notes; the server does not trust it to)."""
        server = _board()
        locked = _locked(server, "n1")
        client = _client_of(server)
        assert _touches(
            server, locked, _edit(client, lambda ideas: ideas["n1"].__setitem__("x", 1))
        )
        later = _edit(client, lambda ideas: ideas["n2"].__setitem__("x", 2))
        assert _touches(server, locked, later)

    def test_editing_a_field_of_a_locked_note(self) -> None:
        server = _board()
        locked = _locked(server, "n1")
        moving = _edit(_client_of(server), lambda ideas: ideas["n1"].__setitem__("x", 99))
        assert _touches(server, locked, moving)
        other = _edit(_client_of(server), lambda ideas: ideas["n2"].__setitem__("x", 9))
        assert not _touches(server, locked, other)

    def test_typing_in_a_locked_note_text(self) -> None:
        server = _board()
        locked = _locked(server, "n0")
        update = _edit(_client_of(server), lambda ideas: ideas["n0"]["body"].insert(3, "!!"))
        assert _touches(server, locked, update)
        other = _edit(_client_of(server), lambda ideas: ideas["n2"]["body"].insert(0, "hey "))
        assert not _touches(server, locked, other)

    def test_deleting_or_replacing_a_locked_note(self) -> None:
        server = _board()
        locked = _locked(server, "n2")
        deleting = _edit(_client_of(server), lambda ideas: ideas.pop("n2"))
        assert _touches(server, locked, deleting)
        replacing = _edit(_client_of(server), lambda ideas: ideas.__setitem__("n2", _note("mine")))
        assert _touches(server, locked, replacing)

    def test_new_notes_and_old_deletions_do_not_count(self) -> None:
        """A client in sync repeats the document's whole delete set in every update: a note
        deleted before the lock, sent again, is no change."""
        server = _board(4)
        server.get("ideas", type=Map).pop("n3")  # deleted before anyone locks anything
        locked = _locked(server, "n0", "n3")
        client = _client_of(server)
        update = _edit(client, lambda ideas: ideas.__setitem__("n9", _note("new")))
        assert not _touches(server, locked, update)
        full = client.get_update()  # its whole state: every struct and every deletion
        server.apply_update(update)
        assert not _touches(server, locked, client.get_update(server.get_state()))
        assert not _touches(server, locked, _edit(client, lambda ideas: ideas.pop("n9")))
        assert full  # (the state above was read before n9 went)

    def test_nothing_locked_touches_nothing(self) -> None:
        server = _board()
        locked = _locked(server)
        assert not locked
        update = _edit(_client_of(server), lambda ideas: ideas.pop("n1"))
        assert not _touches(server, locked, update)

    def test_edits_after_the_lock_are_locked_too(self) -> None:
        """A facilitator adds to a locked note; a participant's edit of that new part is
        refused as well (the items were counted by extend)."""
        server = _board()
        locked = _locked(server, "n1")
        facilitator = _client_of(server)
        added = _edit(facilitator, lambda ideas: ideas["n1"].__setitem__("note", Text("fresh")))
        server.apply_update(added)
        locked.extend(added, DEPTH)
        participant = _client_of(server)
        update = _edit(participant, lambda ideas: ideas["n1"]["note"].insert(0, "x"))
        assert _touches(server, locked, update)

    def test_a_note_created_and_locked_is_locked_whole(self) -> None:
        server = _board(0)
        creator = _client_of(server)
        made = _edit(creator, lambda ideas: ideas.__setitem__("fresh", _note("hello")))
        server.apply_update(made)
        locked = _locked(server, "fresh")
        assert _touches(
            server, locked, _edit(creator, lambda ideas: ideas["fresh"]["body"].insert(5, "!"))
        )

    def test_a_note_written_char_by_char_is_locked_whole(self) -> None:
        """Long chains of typed characters resolve without recursion."""
        server = _board(1)
        writer = _client_of(server)
        for i in range(3000):
            server.apply_update(
                _edit(writer, lambda ideas, i=i: ideas["n0"]["body"].insert(i, "a"))
            )
        locked = _locked(server, "n0")
        update = _edit(_client_of(server), lambda ideas: ideas["n0"]["body"].insert(2999, "z"))
        assert _touches(server, locked, update)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_an_update_touches_a_locked_note_exactly_when_that_note_changes(seed: int) -> None:
    """Random edits of random notes: the verdict agrees with what actually changed."""
    rng = random.Random(seed)
    server = _board(5)
    keys = {f"n{i}" for i in range(5) if rng.random() < 0.4}
    locked = _locked(server, *keys)
    client = _client_of(server)
    target = f"n{rng.randrange(5)}"
    action = rng.choice(["field", "text", "delete", "replace", "new"])

    def change(ideas: Map[Any]) -> None:
        if action == "field":
            ideas[target]["x"] = rng.randrange(1000)
        elif action == "text":
            ideas[target]["body"].insert(0, "t")
        elif action == "delete":
            ideas.pop(target)
        elif action == "replace":
            ideas[target] = _note("other")
        else:
            ideas[f"new{seed}"] = _note("new")

    update = _edit(client, change)
    changes_locked = action != "new" and target in keys
    assert _touches(server, locked, update) is changes_locked


class TestEdges:
    def test_extend_without_locks_or_with_other_notes_changes_nothing(self) -> None:
        server = _board()
        nothing = _locked(server)
        other = _edit(_client_of(server), lambda ideas: ideas["n2"]["body"].insert(0, "x"))
        nothing.extend(other, DEPTH)
        assert not nothing
        locked = _locked(server, "n1")
        locked.extend(other, DEPTH)
        server.apply_update(other)
        again = _edit(_client_of(server), lambda ideas: ideas["n2"]["body"].insert(0, "y"))
        assert not _touches(server, locked, again)

    def test_anchors_that_lead_nowhere_and_cycles_resolve_to_unlocked(self) -> None:
        """A state whose items name a client or clock it lacks (collected), or that loop
        (no well-formed document does), counts those items as not locked."""
        locked = LockedItems("ideas", frozenset({"a"}))
        structs: list[Struct] = [
            (1, 0, 1, NAMED | TYPE, None, None, None),  # the entry of "a"
            (1, 1, 2, 0, (1, 0), None, None),  # inside "a"
            (2, 0, 1, 0, (9, 0), None, None),  # names a client the state lacks
            (2, 1, 2, 0, (1, 50), None, None),  # names a clock past client 1's
            (3, 0, 1, 0, None, (3, 1), None),  # a loop of two
            (3, 1, 2, 0, None, (3, 0), None),
            (4, 0, 3, GC, None, None, None),  # collected
            (4, 3, 4, 0, None, (4, 1), None),  # anchored on collected content only
        ]
        locked._resolve(structs, [("ideas", "a", 1, 0)])
        assert (1, 0) in locked
        assert (1, 1) in locked
        assert all((c, k) not in locked for c, k in [(2, 0), (2, 1), (3, 0), (3, 1), (4, 3)])

    def test_a_truncated_update_is_refused(self) -> None:
        server = _board()
        locked = _locked(server, "n0")
        update = _edit(_client_of(server), lambda ideas: ideas["n0"].__setitem__("x", 1))
        with pytest.raises(InvalidUpdate):
            locked.touched_by(update[:-3], DEPTH, known_deletes(server))
