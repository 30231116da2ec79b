"""Awareness payloads, state checks and the per-room registry: ownership, coalescing, removal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.awareness import (
    MAX_CLIENTS_PER_CONNECTION,
    MAX_STATE_DEPTH,
    NODE_CLAIM_LAPSE_S,
    AwarenessEntry,
    AwarenessRegistry,
    check_entry,
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


def changed(registry: AwarenessRegistry, owner: str, *entries: AwarenessEntry) -> int:
    """How many of ``entries`` from connection ``owner`` changed a state."""
    return len(registry.apply(owner, entries, now=0.0).changed)


def nested(depth: int) -> str:
    """A JSON object ``depth`` levels deep: {"a":[[...]]}."""
    return '{"a":' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


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


class TestCheckEntry:
    @pytest.mark.parametrize(
        "state",
        [
            "{}",
            '{"user":{"name":"Ana","color":"#30bced"},"cursor":{"anchor":[1,2],"head":null}}',
            ' {"a": "[[[[ {{{{ \\" ]]" } ',  # brackets and an escaped quote in a string
            "null",
        ],
    )
    def test_objects_and_null_pass_unchanged(self, state: str) -> None:
        """A JSON object (whatever its strings hold) or null is accepted as sent."""
        assert check_entry(entry(1, 2, state), 1024) == entry(1, 2, state)

    def test_a_spaced_null_becomes_a_removal(self) -> None:
        """JSON null with whitespace is spelled null, so the registry treats it as a removal."""
        checked = check_entry(entry(1, 2, " null\n"), 1024)
        assert checked == removal(1, 2)
        assert checked.removed

    @pytest.mark.parametrize(
        ("state", "reason"),
        [
            ("{not json", "not JSON"),
            ("", "not JSON"),
            ('{"a":1} {"b":2}', "not JSON"),
            ('{"a":NaN}', "not JSON"),
            ('{"a":-Infinity}', "not JSON"),
            ('{"a":"\x01"}', "not JSON"),
            ("[1,2]", "a JSON list, not an object or null"),
            ('"hello"', "a JSON str, not an object or null"),
            ("42", "a JSON int, not an object or null"),
            ("true", "a JSON bool, not an object or null"),
        ],
    )
    def test_anything_but_an_object_or_null_is_refused(self, state: str, reason: str) -> None:
        """Every state a client's JSON.parse would choke on, or that is not an object, fails."""
        with pytest.raises(MalformedMessage, match=f"^state of client 7: {reason}$"):
            check_entry(entry(7, 1, state), 1024)

    def test_depth_up_to_the_limit_is_accepted(self) -> None:
        """An object nested exactly MAX_STATE_DEPTH levels deep passes."""
        state = nested(MAX_STATE_DEPTH)
        assert check_entry(entry(1, 1, state), 10_000).state == state

    def test_deeper_than_the_limit_is_refused(self) -> None:
        """One level more is refused before json.loads sees it."""
        with pytest.raises(MalformedMessage, match=f"nested deeper than {MAX_STATE_DEPTH}$"):
            check_entry(entry(1, 1, nested(MAX_STATE_DEPTH + 1)), 10_000)

    def test_a_very_deep_state_is_refused_without_recursion(self) -> None:
        """100,000 levels (a RecursionError for json, a crash for some parsers) fail cleanly."""
        state = "[" * 100_000 + "]" * 100_000
        with pytest.raises(MalformedMessage, match="nested deeper than"):
            check_entry(entry(1, 1, state), 1_000_000)

    def test_brackets_inside_strings_do_not_count(self) -> None:
        """Many brackets in string values are not nesting."""
        state = '{"a":"' + "[{" * 1000 + '","b":["]]]"]}'
        assert check_entry(entry(1, 1, state), 10_000).state == state

    def test_size_limit_counts_utf8_bytes(self) -> None:
        """A state over max_state_bytes of UTF-8 is refused; at the limit it passes."""
        raw = '{"n":"éé"}'  # 12 bytes of UTF-8 in 10 characters
        assert check_entry(entry(1, 1, raw), 12).state == raw
        with pytest.raises(MalformedMessage, match="12 bytes exceeds limit of 11"):
            check_entry(entry(1, 1, raw), 11)

    @settings(max_examples=300)
    @given(st.text(max_size=60))
    def test_any_text_is_accepted_only_as_an_object_or_null(self, text: str) -> None:
        """For any text the check passes exactly the JSON objects and null, or raises."""
        try:
            checked = check_entry(entry(1, 1, text), 1024)
        except MalformedMessage:
            return
        assert checked.state == "null" or text.strip().startswith("{")


class TestRegistryApply:
    def test_new_state_is_stored_owned_and_pending(self) -> None:
        """A new state is stored, owned by its sender, and pending for broadcast once."""
        registry = AwarenessRegistry()
        assert registry.apply("a", [entry(1, 1)], now=0.0).changed == [entry(1, 1)]
        assert len(registry) == 1
        assert entries_of(registry.take_pending()) == [entry(1, 1)]
        assert registry.take_pending() is None

    def test_higher_clock_wins(self) -> None:
        """A newer clock replaces the state (awareness.js applyAwarenessUpdate)."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 5, '"v5"'))
        assert changed(registry, "a", entry(1, 6, '"v6"')) == 1
        assert entries_of(registry.snapshot()) == [entry(1, 6, '"v6"')]

    def test_equal_and_lower_clocks_are_ignored(self) -> None:
        """A state at the same or an older clock changes nothing and queues nothing."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 5, '"v5"'))
        registry.take_pending()
        assert changed(registry, "a", entry(1, 4, '"old"'), entry(1, 5, '"same"')) == 0
        assert registry.take_pending() is None
        assert entries_of(registry.snapshot()) == [entry(1, 5, '"v5"')]

    def test_removal_at_an_equal_clock_removes(self) -> None:
        """A null state at the current clock removes a known client."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 3))
        assert changed(registry, "a", removal(1, 3)) == 1
        assert len(registry) == 0
        assert registry.snapshot() is None

    def test_removal_at_a_higher_clock_removes(self) -> None:
        """A null state at a newer clock removes a known client."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 3))
        assert changed(registry, "a", removal(1, 9)) == 1
        assert len(registry) == 0

    def test_removal_at_a_lower_clock_is_ignored(self) -> None:
        """A stale removal does not drop a newer state."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 3))
        assert changed(registry, "a", removal(1, 2)) == 0
        assert len(registry) == 1

    def test_removal_of_an_unknown_client_is_ignored(self) -> None:
        """Removing a client never seen changes nothing and queues nothing."""
        registry = AwarenessRegistry()
        assert changed(registry, "a", removal(9, 1)) == 0
        assert registry.take_pending() is None
        assert len(registry) == 0

    def test_a_removal_is_pending_for_broadcast(self) -> None:
        """Other peers learn of an explicit removal through the pending batch."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 3))
        registry.take_pending()
        changed(registry, "a", removal(1, 4))
        assert entries_of(registry.take_pending()) == [removal(1, 4)]

    def test_counts_only_the_entries_that_changed_something(self) -> None:
        """The result lists the accepted entries of a mixed batch, in order."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 5))
        batch = [entry(1, 4), entry(2, 1), removal(3, 1), entry(1, 6)]
        assert registry.apply("a", batch, now=0.0).changed == [entry(2, 1), entry(1, 6)]


class TestRegistryOwnership:
    def test_another_connection_cannot_overwrite_a_state(self) -> None:
        """A newer state for a client id owned by another connection is dropped and counted."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1, '{"me":"a"}'))
        registry.take_pending()
        applied = registry.apply("b", [entry(1, 9, '{"me":"b"}')], now=0.0)
        assert applied.changed == []
        assert applied.not_owner == 1
        assert registry.take_pending() is None
        assert entries_of(registry.snapshot()) == [entry(1, 1, '{"me":"a"}')]

    def test_another_connection_cannot_remove_a_state(self) -> None:
        """A removal of a client id owned by another connection is dropped."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1))
        assert registry.apply("b", [removal(1, 2)], now=0.0).not_owner == 1
        assert entries_of(registry.snapshot()) == [entry(1, 1)]
        assert registry.remove_owner("b") is None
        assert entries_of(registry.remove_owner("a")) == [removal(1, 2)]

    def test_echoes_are_ignored_without_being_counted(self) -> None:
        """y-websocket echoes every state it applies: an equal clock is not an attempt."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 4))
        applied = registry.apply("b", [entry(1, 4), entry(1, 3)], now=0.0)
        assert (applied.changed, applied.not_owner) == ([], 0)
        assert registry.remove_owner("b") is None

    def test_own_entries_pass_in_a_batch_with_foreign_ones(self) -> None:
        """Dropping another owner's entry does not refuse the sender's own."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1))
        applied = registry.apply("b", [entry(1, 5), entry(2, 1)], now=0.0)
        assert applied.changed == [entry(2, 1)]
        assert applied.not_owner == 1

    def test_a_reconnected_client_regains_its_id_when_the_old_socket_leaves(self) -> None:
        """A browser back on a new socket is refused its id while the old one is open, then
        takes it with the clock it answers the removal with (awareness.js bumps it)."""
        registry = AwarenessRegistry()
        changed(registry, "old", entry(1, 4, '{"at":"old"}'))
        assert registry.apply("new", [entry(1, 4), entry(1, 5)], now=0.0).not_owner == 1
        assert entries_of(registry.remove_owner("old")) == [removal(1, 5)]
        assert changed(registry, "new", entry(1, 6, '{"at":"new"}')) == 1
        assert entries_of(registry.remove_owner("new")) == [removal(1, 7)]

    def test_an_explicit_removal_frees_the_id(self) -> None:
        """After its owner removed a state, the next sender of that id owns it."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1))
        changed(registry, "a", removal(1, 2))
        assert changed(registry, "b", entry(1, 3)) == 1
        assert registry.remove_owner("a") is None
        assert entries_of(registry.remove_owner("b")) == [removal(1, 4)]

    def test_a_connection_owns_a_bounded_number_of_ids(self) -> None:
        """Past MAX_CLIENTS_PER_CONNECTION ids, new ids are dropped; owned ones still change."""
        registry = AwarenessRegistry()
        batch = [entry(i, 1) for i in range(MAX_CLIENTS_PER_CONNECTION + 2)]
        applied = registry.apply("a", batch, now=0.0)
        assert len(applied.changed) == MAX_CLIENTS_PER_CONNECTION
        assert applied.too_many_clients == 2
        assert changed(registry, "a", entry(0, 2)) == 1
        changed(registry, "a", removal(0, 3))
        assert changed(registry, "a", entry(100, 1)) == 1  # a freed slot can be used again

    def test_a_local_id_cannot_be_taken_by_another_node(self) -> None:
        """A state relayed by another node for an id a local connection owns is dropped."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1))
        applied = registry.apply_remote(("node", "x"), [entry(1, 5)], now=0.0)
        assert (applied.changed, applied.not_owner) == ([], 1)

    def test_a_node_id_cannot_be_taken_while_the_node_renews_it(self) -> None:
        """A live node's client keeps its id, since each renewal restarts the lapse."""
        registry = AwarenessRegistry()
        node = ("node", "x")
        registry.apply_remote(node, [entry(1, 1)], now=0.0)
        registry.apply_remote(node, [entry(1, 2)], now=NODE_CLAIM_LAPSE_S - 1)
        applied = registry.apply("a", [entry(1, 3)], now=NODE_CLAIM_LAPSE_S + 1)
        assert applied.not_owner == 1

    def test_a_silent_nodes_id_lapses(self) -> None:
        """A client whose node died reconnects elsewhere and gets its id back after the lapse."""
        registry = AwarenessRegistry()
        registry.apply_remote(("node", "dead"), [entry(1, 1)], now=0.0)
        assert registry.apply("a", [entry(1, 2)], now=NODE_CLAIM_LAPSE_S - 1).not_owner == 1
        assert changed_at(registry, "a", entry(1, 3), NODE_CLAIM_LAPSE_S) == 1
        assert registry.remove_owner(("node", "dead")) is None
        assert entries_of(registry.remove_owner("a")) == [removal(1, 4)]


def changed_at(registry: AwarenessRegistry, owner: str, item: AwarenessEntry, now: float) -> int:
    return len(registry.apply(owner, [item], now=now).changed)


class TestRegistryPending:
    def test_pending_keeps_the_latest_per_client(self) -> None:
        """Several changes of one client coalesce into its latest entry, in first-seen order."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1, '"x"'))
        changed(registry, "b", entry(2, 1, '"z"'))
        changed(registry, "a", entry(1, 2, '"y"'))
        assert entries_of(registry.take_pending()) == [entry(1, 2, '"y"'), entry(2, 1, '"z"')]

    def test_a_state_then_its_removal_coalesce_into_the_removal(self) -> None:
        """A client that appears and leaves within one batch is sent as removed."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1), removal(1, 2))
        assert entries_of(registry.take_pending()) == [removal(1, 2)]
        assert len(registry) == 0

    def test_entries_from_another_node_are_stored_but_not_queued(self) -> None:
        """apply_remote records the state (for joiners) without re-broadcasting it."""
        registry = AwarenessRegistry()
        assert registry.apply_remote(("node", "x"), [entry(8, 1)], now=0.0).changed == [entry(8, 1)]
        assert registry.take_pending() is None
        assert entries_of(registry.snapshot()) == [entry(8, 1)]
        assert entries_of(registry.remove_owner(("node", "x"))) == [removal(8, 2)]

    def test_a_node_owns_any_number_of_ids(self) -> None:
        """A node relays all its clients: the per-connection cap does not apply."""
        registry = AwarenessRegistry()
        batch = [entry(i, 1) for i in range(MAX_CLIENTS_PER_CONNECTION * 4)]
        assert len(registry.apply_remote(("node", "x"), batch, now=0.0).changed) == len(batch)


class TestRegistrySnapshot:
    def test_empty_registry_has_no_snapshot(self) -> None:
        """With no states there is nothing to send a joiner."""
        assert AwarenessRegistry().snapshot() is None

    def test_snapshot_holds_every_current_state(self) -> None:
        """The snapshot lists each client's newest state, whoever owns it."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1), entry(1, 2, '"new"'))
        changed(registry, "b", entry(2, 7))
        assert entries_of(registry.snapshot()) == [entry(1, 2, '"new"'), entry(2, 7)]

    def test_snapshot_does_not_consume_pending(self) -> None:
        """Taking a snapshot leaves the pending batch alone."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1))
        registry.snapshot()
        assert entries_of(registry.take_pending()) == [entry(1, 1)]


class TestRegistryRemoveOwner:
    def test_removals_have_the_next_clock_and_null(self) -> None:
        """When a connection leaves, each of its clients is removed at clock + 1."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 4), entry(2, 7))
        assert entries_of(registry.remove_owner("a")) == [removal(1, 5), removal(2, 8)]
        assert len(registry) == 0

    def test_only_that_owners_clients_are_removed(self) -> None:
        """Other connections' states stay, and stay pending."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 4))
        changed(registry, "b", entry(3, 1))
        assert [e.client_id for e in entries_of(registry.remove_owner("a"))] == [1]
        assert entries_of(registry.snapshot()) == [entry(3, 1)]
        assert entries_of(registry.take_pending()) == [entry(3, 1)]

    def test_an_owner_with_nothing_yields_none(self) -> None:
        """A connection that never sent awareness leaves without a broadcast."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 1))
        assert registry.remove_owner("b") is None
        assert len(registry) == 1

    def test_a_removed_client_can_come_back(self) -> None:
        """After a leave, the same client id may join again with its next clock."""
        registry = AwarenessRegistry()
        changed(registry, "a", entry(1, 4))
        registry.remove_owner("a")
        assert changed(registry, "c", entry(1, 5)) == 1
        assert entries_of(registry.snapshot()) == [entry(1, 5)]
