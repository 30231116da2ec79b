"""Awareness payloads and the per-room registry: ownership, coalescing, removal on leave."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
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


def removal(client: int, clock: int) -> AwarenessEntry:
    return AwarenessEntry(client, clock, "null")


def entries_of(payload: bytes | None) -> list[AwarenessEntry]:
    assert payload is not None
    return parse_awareness(payload)


entries_strategy = st.lists(
    st.builds(
        AwarenessEntry,
        st.integers(0, 2**53 - 1),
        st.integers(0, 2**53 - 1),
        st.text(max_size=30),
    ),
    max_size=10,
)


class TestAwarenessEntry:
    def test_null_state_is_a_removal(self) -> None:
        """A state of null marks a removal; any other JSON is a presence."""
        assert removal(1, 2).removed
        assert not entry(1, 2).removed
        assert not entry(1, 2, '"null"').removed


class TestParseAwareness:
    def test_known_payload(self) -> None:
        """The layout is count, then client id, clock and JSON text per entry."""
        payload = bytes.fromhex("02 05 01 02 7b7d ac02 07 04 6e756c6c")
        assert parse_awareness(payload) == [entry(5, 1, "{}"), removal(300, 7)]

    def test_empty_update(self) -> None:
        """A zero count is an empty update."""
        assert parse_awareness(b"\x00") == []

    @given(entries_strategy)
    def test_round_trip(self, entries: list[AwarenessEntry]) -> None:
        """Entries survive encode then parse."""
        assert parse_awareness(encode_awareness_entries(entries)) == entries

    def test_encode_takes_any_iterable(self) -> None:
        """encode_awareness_entries accepts a generator."""
        payload = encode_awareness_entries(entry(i, 1) for i in range(3))
        assert [e.client_id for e in parse_awareness(payload)] == [0, 1, 2]

    def test_too_many_entries(self) -> None:
        """A count above max_entries is refused before reading the entries."""
        with pytest.raises(MalformedMessage, match="3 entries exceeds 2"):
            parse_awareness(encode_awareness_entries([entry(1, 1)] * 3), max_entries=2)

    def test_huge_count_is_refused_up_front(self) -> None:
        """A count of 2**40 with no entries fails fast on the default bound."""
        with pytest.raises(MalformedMessage, match="1099511627776 entries exceeds 10000"):
            parse_awareness(b"\x80\x80\x80\x80\x80\x20")

    @pytest.mark.parametrize(
        ("payload", "text"),
        [
            (b"", "truncated varint at 0"),
            (b"\x01", "truncated varint at 1"),
            (b"\x01\x05\x01", "truncated varint at 3"),
            (b"\x01\x05\x01\x09{}", "length 9 at 4 exceeds the 2 bytes left"),
            (b"\x01\x05\x01\x01\xff", "invalid utf-8"),
            (b"\x00\x00", "1 trailing bytes at 1"),
        ],
    )
    def test_malformed(self, payload: bytes, text: str) -> None:
        """Truncated entries, bad lengths, invalid UTF-8 and trailing bytes are refused."""
        with pytest.raises(MalformedMessage, match=text):
            parse_awareness(payload)

    @settings(max_examples=200)
    @given(st.binary(max_size=40))
    def test_accept_or_documented_error(self, payload: bytes) -> None:
        """Arbitrary bytes parse to entries or raise a ProtocolError, never anything else."""
        try:
            entries = parse_awareness(payload)
        except ProtocolError:
            return
        assert all(isinstance(e, AwarenessEntry) for e in entries)


class TestRegistryApply:
    def test_new_state_is_stored_owned_and_pending(self) -> None:
        """A new state is stored, owned by its sender, and pending for broadcast once."""
        registry = AwarenessRegistry()
        assert registry.apply("a", [entry(1, 1)]) == 1
        assert len(registry) == 1
        assert entries_of(registry.take_pending()) == [entry(1, 1)]
        assert registry.take_pending() is None

    def test_higher_clock_wins(self) -> None:
        """A newer clock replaces the state (awareness.js applyAwarenessUpdate)."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 5, '"v5"')])
        assert registry.apply("a", [entry(1, 6, '"v6"')]) == 1
        assert entries_of(registry.snapshot()) == [entry(1, 6, '"v6"')]

    def test_equal_and_lower_clocks_are_ignored(self) -> None:
        """A state at the same or an older clock changes nothing and queues nothing."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 5, '"v5"')])
        registry.take_pending()
        assert registry.apply("a", [entry(1, 4, '"old"'), entry(1, 5, '"same"')]) == 0
        assert registry.take_pending() is None
        assert entries_of(registry.snapshot()) == [entry(1, 5, '"v5"')]

    def test_removal_at_an_equal_clock_removes(self) -> None:
        """A null state at the current clock removes a known client."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 3)])
        assert registry.apply("a", [removal(1, 3)]) == 1
        assert len(registry) == 0
        assert registry.snapshot() is None

    def test_removal_at_a_higher_clock_removes(self) -> None:
        """A null state at a newer clock removes a known client."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 3)])
        assert registry.apply("a", [removal(1, 9)]) == 1
        assert len(registry) == 0

    def test_removal_at_a_lower_clock_is_ignored(self) -> None:
        """A stale removal does not drop a newer state."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 3)])
        assert registry.apply("a", [removal(1, 2)]) == 0
        assert len(registry) == 1

    def test_removal_of_an_unknown_client_is_ignored(self) -> None:
        """Removing a client never seen changes nothing and queues nothing."""
        registry = AwarenessRegistry()
        assert registry.apply("a", [removal(9, 1)]) == 0
        assert registry.take_pending() is None
        assert len(registry) == 0

    def test_a_removal_is_pending_for_broadcast(self) -> None:
        """Other peers learn of an explicit removal through the pending batch."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 3)])
        registry.take_pending()
        registry.apply("a", [removal(1, 4)])
        assert entries_of(registry.take_pending()) == [removal(1, 4)]

    def test_a_later_sender_takes_ownership(self) -> None:
        """A client id updated by another connection belongs to that connection from then on."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1)])
        registry.apply("b", [entry(1, 2)])
        assert registry.remove_owner("a") is None
        assert entries_of(registry.remove_owner("b")) == [removal(1, 3)]

    def test_a_reconnected_tab_resending_the_same_clock_takes_ownership(self) -> None:
        """An equal clock changes nothing for the others but moves ownership, so the dead
        socket's later departure does not remove a client that is still here."""
        registry = AwarenessRegistry()
        registry.apply("old", [entry(1, 4)])
        registry.take_pending()
        assert registry.apply("new", [entry(1, 4)]) == 0
        assert registry.take_pending() is None
        assert registry.remove_owner("old") is None
        assert entries_of(registry.remove_owner("new")) == [removal(1, 5)]

    def test_counts_only_the_entries_that_changed_something(self) -> None:
        """The return value counts accepted entries in a mixed batch."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 5)])
        batch = [entry(1, 4), entry(2, 1), removal(3, 1), entry(1, 6)]
        assert registry.apply("a", batch) == 2


class TestRegistryPending:
    def test_pending_keeps_the_latest_per_client(self) -> None:
        """Several changes of one client coalesce into its latest entry, in first-seen order."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1, '"x"')])
        registry.apply("b", [entry(2, 1, '"z"')])
        registry.apply("a", [entry(1, 2, '"y"')])
        assert entries_of(registry.take_pending()) == [entry(1, 2, '"y"'), entry(2, 1, '"z"')]

    def test_a_state_then_its_removal_coalesce_into_the_removal(self) -> None:
        """A client that appears and leaves within one batch is sent as removed."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1), removal(1, 2)])
        assert entries_of(registry.take_pending()) == [removal(1, 2)]
        assert len(registry) == 0

    def test_entries_from_another_node_are_stored_but_not_queued(self) -> None:
        """pending=False records the state (for joiners) without re-broadcasting it."""
        registry = AwarenessRegistry()
        assert registry.apply(("node", "x"), [entry(8, 1)], pending=False) == 1
        assert registry.take_pending() is None
        assert entries_of(registry.snapshot()) == [entry(8, 1)]
        assert entries_of(registry.remove_owner(("node", "x"))) == [removal(8, 2)]


class TestRegistrySnapshot:
    def test_empty_registry_has_no_snapshot(self) -> None:
        """With no states there is nothing to send a joiner."""
        assert AwarenessRegistry().snapshot() is None

    def test_snapshot_holds_every_current_state(self) -> None:
        """The snapshot lists each client's newest state, whoever owns it."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1), entry(1, 2, '"new"')])
        registry.apply("b", [entry(2, 7)])
        assert entries_of(registry.snapshot()) == [entry(1, 2, '"new"'), entry(2, 7)]

    def test_snapshot_does_not_consume_pending(self) -> None:
        """Taking a snapshot leaves the pending batch alone."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1)])
        registry.snapshot()
        assert entries_of(registry.take_pending()) == [entry(1, 1)]


class TestRegistryRemoveOwner:
    def test_removals_have_the_next_clock_and_null(self) -> None:
        """When a connection leaves, each of its clients is removed at clock + 1."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 4), entry(2, 7)])
        assert entries_of(registry.remove_owner("a")) == [removal(1, 5), removal(2, 8)]
        assert len(registry) == 0

    def test_only_that_owners_clients_are_removed(self) -> None:
        """Other connections' states stay, and stay pending."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 4)])
        registry.apply("b", [entry(3, 1)])
        assert [e.client_id for e in entries_of(registry.remove_owner("a"))] == [1]
        assert entries_of(registry.snapshot()) == [entry(3, 1)]
        assert entries_of(registry.take_pending()) == [entry(3, 1)]

    def test_an_owner_with_nothing_yields_none(self) -> None:
        """A connection that never sent awareness leaves without a broadcast."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 1)])
        assert registry.remove_owner("b") is None
        assert len(registry) == 1

    def test_a_removed_client_can_come_back(self) -> None:
        """After a leave, the same client id may join again with its next clock."""
        registry = AwarenessRegistry()
        registry.apply("a", [entry(1, 4)])
        registry.remove_owner("a")
        assert registry.apply("c", [entry(1, 5)]) == 1
        assert entries_of(registry.snapshot()) == [entry(1, 5)]
