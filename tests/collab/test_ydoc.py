"""pycrdt wrappers: errors contained, state vectors, full state in bounded chunks."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from collab.errors import InvalidUpdate
from collab.ydoc import (
    apply_update,
    build_doc,
    decode_state_vector,
    diff_update,
    encode_full_state,
    encode_state_vector,
    is_panic,
)


class PanicException(BaseException):
    """Stands in for pyo3's PanicException (matched by name, like the real one)."""


class _PanickingDoc:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def apply_update(self, update: bytes) -> None:
        raise self.exc

    def get_update(self, state_vector: bytes) -> bytes:
        raise self.exc


def _updates_by_author(authors: int, edits: int) -> list[list[bytes]]:
    result: list[list[bytes]] = []
    for author in range(authors):
        updates: list[bytes] = []
        doc: Doc[Any] = Doc()
        doc.observe(lambda event, updates=updates: updates.append(event.update))
        for i in range(edits):
            doc.get("items", type=Array).append(f"{author}-{i}")
            doc.get("map", type=Map)["last"] = f"{author}-{i}"
        result.append(updates)
    return result


def _concurrent_updates(authors: int, edits: int) -> list[bytes]:
    return [u for updates in _updates_by_author(authors, edits) for u in updates]


def _content(doc: Doc[Any]) -> tuple[list[Any], Any, str]:
    return (
        sorted(str(x) for x in doc.get("items", type=Array)),
        doc.get("map", type=Map).to_py(),
        str(doc.get("text", type=Text)),
    )


class TestContainment:
    def test_garbage_update(self) -> None:
        """Undecodable bytes raise InvalidUpdate."""
        with pytest.raises(InvalidUpdate, match="invalid update"):
            apply_update(Doc(), b"\x01\x02\x03")

    def test_garbage_state_vector(self) -> None:
        """An undecodable state vector raises InvalidUpdate."""
        with pytest.raises(InvalidUpdate, match="invalid state vector"):
            diff_update(Doc(), b"\xff\xff")

    def test_panic_is_contained(self) -> None:
        """A pyo3 panic (a BaseException) becomes InvalidUpdate."""
        doc: Any = _PanickingDoc(PanicException("boom"))
        with pytest.raises(InvalidUpdate, match="rejected by the CRDT core"):
            apply_update(doc, b"")
        with pytest.raises(InvalidUpdate, match="state vector rejected"):
            diff_update(doc, b"")

    def test_interrupts_are_not_swallowed(self) -> None:
        """KeyboardInterrupt and friends propagate untouched."""
        doc: Any = _PanickingDoc(KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            apply_update(doc, b"")
        assert not is_panic(KeyboardInterrupt())
        assert is_panic(PanicException())

    def test_build_doc(self) -> None:
        """build_doc applies every update and reports the corrupt one."""
        updates = _concurrent_updates(2, 3)
        assert len(build_doc(updates).get("items", type=Array)) == 6
        with pytest.raises(InvalidUpdate):
            build_doc([*updates, b"\x07junk"])


class TestConvergence:
    @settings(max_examples=40, deadline=None)
    @given(st.data())
    def test_any_interleaving_with_duplicates_gives_the_same_doc(self, data: st.DataObject) -> None:
        """Concurrent authors' updates, interleaved in any way and duplicated, converge.

        This backs DESIGN.md invariant 3. Each author's own updates keep their order, as they
        do on a socket and in the update log: yrs (unlike JS Yjs) can leave an update pending
        for good when one author's updates arrive in reverse order (see the next test).
        """
        per_author = _updates_by_author(3, 4)
        reference = build_doc(u for updates in per_author for u in updates)
        queues = [list(updates) for updates in per_author]
        order: list[bytes] = []
        while any(queues):
            queue = data.draw(st.sampled_from([q for q in queues if q]))
            order.append(queue.pop(0))
            if data.draw(st.booleans()):
                order.append(data.draw(st.sampled_from(order)))  # a duplicate
        doc = build_doc(order)
        # Compare decoded clocks: the encoded state vector lists clients in no fixed order.
        assert decode_state_vector(doc.get_state()) == decode_state_vector(reference.get_state())
        assert _content(doc) == _content(reference)

    def test_reapplying_heals_an_out_of_order_history(self) -> None:
        """If one author's updates arrive reversed, applying them again completes the doc."""
        (updates,) = _updates_by_author(1, 4)
        reference = build_doc(updates)
        doc = build_doc(reversed(updates))
        assert decode_state_vector(doc.get_state()) != decode_state_vector(reference.get_state())
        for update in updates:
            apply_update(doc, update)
        assert decode_state_vector(doc.get_state()) == decode_state_vector(reference.get_state())
        assert _content(doc) == _content(reference)


class TestStateVectors:
    @given(st.dictionaries(st.integers(0, 2**32), st.integers(0, 2**31), max_size=6))
    def test_round_trip(self, clocks: dict[int, int]) -> None:
        """State vectors encode and decode losslessly."""
        assert decode_state_vector(encode_state_vector(clocks)) == clocks

    def test_matches_pycrdt(self) -> None:
        """Our decoder reads pycrdt's state vector."""
        doc = build_doc(_concurrent_updates(2, 2))
        clocks = decode_state_vector(doc.get_state())
        assert len(clocks) == 2
        assert all(clock == 4 for clock in clocks.values())


class TestFullState:
    def test_small_doc_is_one_chunk(self) -> None:
        """A document under the limit goes out as one update."""
        doc = build_doc(_concurrent_updates(2, 2))
        assert encode_full_state(doc, 1 << 20) == [doc.get_update()]

    def test_single_author_cannot_be_split(self) -> None:
        """One author's content travels whole even over the limit."""
        doc: Doc[Any] = Doc()
        doc.get("text", type=Text).insert(0, "z" * 5000)
        assert encode_full_state(doc, 100) == [doc.get_update()]

    def test_large_multi_author_doc_is_chunked_and_rebuilds_in_any_order(self) -> None:
        """Chunks stay near the limit and rebuild the same document in any order."""
        source: Doc[Any] = Doc()
        for author in range(8):
            doc: Doc[Any] = Doc()
            doc.apply_update(source.get_update())
            doc.get("text", type=Text).insert(0, f"[{author}]" + "w" * 3000)
            doc.get("items", type=Array).append(author)
            if author % 2:
                del doc.get("text", type=Text)[0:10]
            source.apply_update(doc.get_update())
        chunks = encode_full_state(source, 7000)
        assert len(chunks) > 1
        assert max(len(c) for c in chunks) < 7000 + 3100
        for order in itertools.islice(itertools.permutations(chunks), 6):
            rebuilt = build_doc(order)
            assert _content(rebuilt) == _content(source)
