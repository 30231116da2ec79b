"""Awareness payloads and the per-room registry: ownership, coalescing, removal on leave."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.awareness import (
    AwarenessEntry,
    AwarenessRegistry,
    encode_awareness_entries,
    parse_awareness,
)
from collab.errors import MalformedMessage, ProtocolError


def entry(client: int, clock: int, state: str = '{"u":1}') -> AwarenessEntry:
    return AwarenessEntry(client, clock, state)


class TestPayload:
    @given(
        st.lists(
            st.builds(
                AwarenessEntry,
                st.integers(0, 2**32),
                st.integers(0, 2**31),
                st.text(max_size=30),
            ),
            max_size=10,
        )
    )
    def test_round_trip(self, entries: list[AwarenessEntry]) -> None:
        """Entries survive encode then parse."""
        assert parse_awareness(encode_awareness_entries(entries)) == entries

    def test_too_many_entries(self) -> None:
        """A count above max_entries is refused before reading the entries."""
        with pytest.raises(MalformedMessage, match="3 entries exceeds 2"):
            parse_awareness(encode_awareness_entries([entry(1, 1)] * 3), max_entries=2)

    def test_trailing_bytes(self) -> None:
        """Bytes after the last entry are an error."""
        with pytest.raises(MalformedMessage, match="trailing"):
            parse_awareness(encode_awareness_entries([entry(1, 1)]) + b"\x00")

    @given(st.binary(max_size=40))
    def test_accept_or_documented_error(self, payload: bytes) -> None:
        """Arbitrary bytes parse or raise a ProtocolError."""
        with contextlib.suppress(ProtocolError):
            parse_awareness(payload)

    def test_removed_flag(self) -> None:
        """A state of null marks a removal."""
        assert entry(1, 2, "null").removed
        assert not entry(1, 2).removed


class TestRegistry:
    def test_apply_records_owner_and_pending(self) -> None:
        """A new state is stored, owned by its sender, and pending for broadcast."""
        registry = AwarenessRegistry()
        assert registry.apply("a", [entry(1, 1)]) == 1
        assert len(registry) == 1
        pending = registry.take_pending()
        assert pending is not None
        assert parse_awareness(pending) == [entry(1, 1)]
        assert registry.take_pending() is None

    def test_higher_clock_wins_equal_and_lower_are_ignored(self) -> None:
        """Only a newer clock replaces a state (awareness.js applyAwarenessUpdate)."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 5, '"v5"')])
        registry.take_pending()
        assert registry.apply("a", [entry(1, 4, '"old"'), entry(1, 5, '"same"')]) == 0
        assert registry.take_pending() is None
        assert registry.apply("a", [entry(1, 6, '"v6"')]) == 1
        snapshot = registry.snapshot()
        assert snapshot is not None
        assert parse_awareness(snapshot) == [entry(1, 6, '"v6"')]

    def test_pending_keeps_the_latest_per_client(self) -> None:
        """Several changes of one client coalesce into its latest entry."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1, '"x"')])
        registry.apply("a", [entry(1, 2, '"y"')])
        registry.apply("b", [entry(2, 1, '"z"')])
        pending = registry.take_pending()
        assert pending is not None
        assert parse_awareness(pending) == [entry(1, 2, '"y"'), entry(2, 1, '"z"')]

    def test_explicit_removal(self) -> None:
        """A null state at an equal clock removes a known client; unknown ones are no-ops."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 3)])
        assert registry.apply("a", [entry(9, 1, "null")]) == 0
        assert registry.apply("a", [entry(1, 3, "null")]) == 1
        assert len(registry) == 0
        assert registry.snapshot() is None
        assert registry.remove_owner("a") is None

    def test_remove_owner_broadcasts_removals_for_its_clients_only(self) -> None:
        """When a connection leaves, its clients get clock + 1 and null; others stay."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 4), entry(2, 7)])
        registry.apply("b", [entry(3, 1)])
        removal = registry.remove_owner("a")
        assert removal is not None
        assert parse_awareness(removal) == [entry(1, 5, "null"), entry(2, 8, "null")]
        assert len(registry) == 1
        pending = registry.take_pending()
        assert pending is not None
        assert [e.client_id for e in parse_awareness(pending)] == [3]


class TestRelayedEntries:
    def test_entries_from_another_node_are_stored_but_not_queued(self) -> None:
        """pending=False records the state (for joiners) without re-broadcasting it."""
        registry = AwarenessRegistry()
        assert registry.apply(("node", "x"), [entry(8, 1)], pending=False) == 1
        assert registry.take_pending() is None
        assert registry.snapshot() is not None
        removal = registry.remove_owner(("node", "x"))
        assert removal is not None
