"""Sequence numbers and gap detection between nodes (pure), and the single-node bus."""

from __future__ import annotations

from collab.envelope import EnvelopeKind
from rooms.bus import GapDetector, LocalBus, new_node_id


class TestGapDetector:
    def test_stamps_count_per_room(self) -> None:
        """Our envelopes are numbered 1, 2, 3 per room."""
        gaps = GapDetector()
        seqs = [gaps.stamp("me", "a", EnvelopeKind.UPDATE, b"").seq for _ in range(3)]
        assert seqs == [1, 2, 3]
        assert gaps.stamp("me", "b", EnvelopeKind.UPDATE, b"").seq == 1

    def test_gap_is_reported_once_per_jump(self) -> None:
        """In-order envelopes pass; a jump is a gap; old or duplicate ones are not."""
        sender, receiver = GapDetector(), GapDetector()
        envelopes = [sender.stamp("a", "r", EnvelopeKind.UPDATE, b"") for _ in range(5)]
        assert not receiver.observe(envelopes[0])  # first sight: no baseline
        assert not receiver.observe(envelopes[1])
        assert receiver.observe(envelopes[3])  # 3 was lost
        assert not receiver.observe(envelopes[2])  # late arrival, not a new gap
        assert not receiver.observe(envelopes[4])

    def test_forget_and_reset(self) -> None:
        """After forget/reset, the next envelope sets a new baseline."""
        sender, receiver = GapDetector(), GapDetector()
        envelopes = [sender.stamp("a", "r", EnvelopeKind.UPDATE, b"") for _ in range(6)]
        receiver.observe(envelopes[0])
        receiver.forget("r")
        assert not receiver.observe(envelopes[2])
        receiver.reset()
        assert not receiver.observe(envelopes[5])
        sender.forget("r")
        assert sender.stamp("a", "r", EnvelopeKind.UPDATE, b"").seq == 1


class TestLocalBus:
    async def test_single_node_bus_is_inert(self) -> None:
        """The default bus accepts everything and delivers nothing."""
        bus = LocalBus()
        await bus.subscribe("r")
        bus.publish("r", EnvelopeKind.UPDATE, b"x")
        await bus.unsubscribe("r")
        assert len(bus.node_id) == len(new_node_id()) == 12
