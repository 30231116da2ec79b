"""The fan-out bus between server nodes: its interface, gap detection, and the local default.

A room open on several nodes exchanges envelopes on one channel per room. The bus is
at-most-once (Redis pub/sub); no edit is lost because every update is persisted by the node it
entered, receivers notice gaps by per-origin sequence numbers or by a lost connection, and then
resync from PostgreSQL and from the other nodes (invariant 4).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Protocol

from collab.envelope import Envelope, EnvelopeKind

__all__ = ["FanoutBus", "LocalBus", "GapDetector", "EnvelopeHandler", "GapHandler", "new_node_id"]

#: Called on the event loop for every envelope from another node.
EnvelopeHandler = Callable[[Envelope], None]
#: Called with the rooms whose fan-out may have missed envelopes.
GapHandler = Callable[[set[str]], None]


def new_node_id() -> str:
    """A random identity for this process (envelopes from ourselves are ignored)."""
    return uuid.uuid4().hex[:12]


class FanoutBus(Protocol):
    """What rooms need from the bus."""

    node_id: str

    def publish(self, room: str, kind: EnvelopeKind, payload: bytes) -> None:
        """Queue an envelope for the room's channel; never blocks."""

    async def subscribe(self, room: str) -> None:
        """Return once envelopes for ``room`` will be delivered (invariant 3: before loading)."""

    async def unsubscribe(self, room: str) -> None:
        """Stop receiving envelopes for ``room``."""


class LocalBus:
    """The single-node default: there is no other node, so nothing travels."""

    def __init__(self, node_id: str | None = None) -> None:
        self.node_id = node_id or new_node_id()

    def publish(self, room: str, kind: EnvelopeKind, payload: bytes) -> None:
        """Nothing to do: every client of the room is on this node."""

    async def subscribe(self, room: str) -> None:
        """Nothing to do."""

    async def unsubscribe(self, room: str) -> None:
        """Nothing to do."""


class GapDetector:
    """Sequence numbers for outgoing envelopes and gap detection for incoming ones (pure)."""

    __slots__ = ("_next", "_seen")

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._seen: dict[tuple[str, str], int] = {}

    def stamp(self, origin: str, room: str, kind: EnvelopeKind, payload: bytes) -> Envelope:
        """Build our next envelope for ``room``."""
        seq = self._next.get(room, 0) + 1
        self._next[room] = seq
        return Envelope(origin, room, kind, seq, time.time(), payload)

    def observe(self, envelope: Envelope) -> bool:
        """Record an incoming envelope; return True if envelopes before it were missed."""
        key = (envelope.origin, envelope.room)
        last = self._seen.get(key)
        self._seen[key] = envelope.seq if last is None else max(last, envelope.seq)
        return last is not None and envelope.seq > last + 1

    def forget(self, room: str) -> None:
        """Drop state for a room this node no longer hosts."""
        self._next.pop(room, None)
        for key in [k for k in self._seen if k[1] == room]:
            del self._seen[key]

    def reset(self) -> None:
        """Forget every origin's position (after a reconnect, everything is resynced anyway)."""
        self._seen.clear()
