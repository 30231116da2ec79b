"""Collaborative text: writes by difference, and concurrent typing that converges (pure)."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from collab.artifacts import KINDS
from collab.text_fields import plain_text_fields, set_text, upgrade

# Letters from the three widths UTF-8 has below the astral planes, and one astral (4 bytes):
# pycrdt counts a Y.Text in UTF-8 bytes, so an offset computed in characters would split them.
_CHARS = st.sampled_from(list("ab ç€😀"))
_WORDS = st.text(_CHARS, max_size=12)


def _text_doc(value: str = "", client: int | None = None) -> tuple[Doc[Any], Text]:
    doc: Doc[Any] = Doc() if client is None else Doc(client_id=client)
    text = doc.get("t", type=Text)
    if value:
        text += value
    return doc, text


def _sync(*docs: Doc[Any]) -> None:
    for source in docs:
        for target in docs:
            if target is not source:
                target.apply_update(source.get_update(target.get_state()))


def _insert(base: str, inserts: list[tuple[int, str]]) -> str:
    """``base`` with each (position, word) inserted, positions taken in the growing string."""
    value = base
    for position, word in inserts:
        at = position % (len(value) + 1)
        value = value[:at] + word + value[at:]
    return value


def _is_subsequence(part: str, whole: str) -> bool:
    letters = iter(whole)
    return all(letter in letters for letter in part)


class TestSetText:
    @settings(max_examples=300, deadline=None)
    @given(old=_WORDS, new=_WORDS)
    def test_any_value_is_written_exactly(self, old: str, new: str) -> None:
        """Whatever the characters (1 to 4 UTF-8 bytes), the text reads the new value."""
        _doc, text = _text_doc(old)
        assert set_text(text, new) is (old != new)
        assert str(text) == new

    def test_only_the_difference_is_written(self) -> None:
        """The common start and end are not rewritten: one deletion and one insertion."""
        doc, text = _text_doc("Ana wants a quick checkout")
        before = doc.get_state()
        set_text(text, "Ana wants a calm checkout")
        peer, peer_text = _text_doc()
        peer.apply_update(doc.get_update(b"\x00"))  # the whole state, then only the change
        change = doc.get_update(before)
        assert b"calm" in change
        assert b"checkout" not in change  # a rewrite of the whole text would carry it
        assert str(peer_text) == "Ana wants a calm checkout"

    def test_an_equal_value_writes_nothing(self) -> None:
        doc, text = _text_doc("same")
        state = doc.get_state()
        assert not set_text(text, "same")
        assert doc.get_state() == state


class TestConcurrentTyping:
    @settings(max_examples=300, deadline=None)
    @given(
        base=_WORDS,
        mine=st.tuples(st.integers(0, 40), _WORDS),
        theirs=st.lists(_WORDS, max_size=4),
        where=st.integers(0, 40),
    )
    def test_two_people_adding_words_at_once_lose_none(
        self, base: str, mine: tuple[int, str], theirs: list[str], where: int
    ) -> None:
        """Two people each add words at one place of the same text before seeing the other's
        (a REST PATCH writes its word at once; a browser types key by key): both copies
        converge, and each one's text is still in it, letter by letter in order. A plain
        string field would keep only one of the two."""
        first, first_text = _text_doc(base, client=1)
        second, second_text = _text_doc(client=2)
        second.apply_update(first.get_update())
        my_value = _insert(base, [mine])
        set_text(first_text, my_value)
        their_value, caret = base, where % (len(base) + 1)
        for word in theirs:  # keystrokes at the caret, which moves on as they type
            their_value = their_value[:caret] + word + their_value[caret:]
            caret += len(word)
            set_text(second_text, their_value)
        _sync(first, second)
        merged = str(first_text)
        assert str(second_text) == merged
        assert _is_subsequence(my_value, merged)
        assert _is_subsequence(their_value, merged)

    @settings(max_examples=100, deadline=None)
    @given(
        base=_WORDS,
        edits=st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(0, 3), _WORDS),
            min_size=1,
            max_size=20,
        ),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_any_interleaving_of_three_typists_converges(
        self, base: str, edits: list[tuple[int, int, int, str]], seed: int
    ) -> None:
        """Three people type and delete anywhere, each one's updates reaching the others in
        the order made (one socket each) but interleaved with the others' in any order: every
        copy ends with the same text. (Out of order within one sender is not a case: the
        server refuses an update whose dependencies it lacks, collab/nesting.py.)"""
        origin, _ = _text_doc(base, client=10)
        peers = []
        for client in (11, 12, 13):
            doc, text = _text_doc(client=client)
            doc.apply_update(origin.get_update())
            peers.append((doc, text))
        sent: list[tuple[int, bytes]] = []
        for who, position, deleted, word in edits:
            doc, text = peers[who]
            state = doc.get_state()
            value = str(text)
            at = position % (len(value) + 1)
            set_text(text, value[:at] + word + value[at + deleted :])
            sent.append((who, doc.get_update(state)))
        queues = [[update for sender, update in sent if sender == who] for who in range(3)]
        draw = random.Random(seed)
        delivery = []
        while any(queues):
            who = draw.choice([who for who, queue in enumerate(queues) if queue])
            delivery.append((who, queues[who].pop(0)))
        for who, update in delivery:
            for other, (doc, _text) in enumerate(peers):
                if other != who:
                    doc.apply_update(update)
        values = {str(text) for _doc, text in peers}
        assert len(values) == 1


def test_a_fields_length_limit_is_read_from_its_type() -> None:
    """What a merged text is cut at; fields that are no strings have no such limit."""
    fields = {spec.name: spec for spec in KINDS["ideas"].fields}
    assert fields["text"].max_length == 5_000
    assert fields["x"].max_length is None
    assert fields["color"].max_length is None  # a pattern, no length


class TestUpgrade:
    def test_plain_strings_become_text_and_the_rest_stays(self) -> None:
        """Only strings in text fields turn; a name, a null and a Y.Text already are left."""
        doc: Doc[Any] = Doc()
        personas = doc.get("personas", type=Map)
        personas["p1"] = Map({"id": "p1", "name": "Ana", "bio": "Nurse", "quote": None})
        personas["p2"] = Map({"id": "p2", "name": "Bia", "bio": Text("Pilot")})
        personas["junk"] = "not an artifact"
        doc.get("clusters", type=Map)["c1"] = Map({"id": "c1", "name": "Speed"})
        assert plain_text_fields(personas["p1"], "personas") == ["bio"]
        assert upgrade(doc) == 1
        assert upgrade(doc) == 0
        assert isinstance(personas["p1"]["bio"], Text)
        assert str(personas["p1"]["bio"]) == "Nurse"
        assert personas["p1"]["name"] == "Ana"
        assert personas["p1"]["quote"] is None
        assert doc.get("clusters", type=Map)["c1"]["name"] == "Speed"
