"""RedisBus against a real redis-server: delivery, filtering, gaps, bad envelopes, reconnects.

Two buses on one Redis stand for two nodes. (tests/rooms/test_bus.py covers the pure parts
of rooms/bus.py: sequence numbers, gap detection and the single-node bus.)
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress

import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY

from collab.envelope import Envelope, EnvelopeKind, pack_envelope
from rooms.redis_bus import RedisBus
from tests.support.redis_server import RedisServer
from tests.support.timing import TIMEOUT


class Node:
    """What a node's room manager sees of its bus: every envelope and every gap report."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.gaps: list[set[str]] = []
        self.changed = asyncio.Event()

    def on_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)
        self.changed.set()

    def on_gap(self, rooms: set[str]) -> None:
        self.gaps.append(set(rooms))
        self.changed.set()

    def payloads(self, room: str) -> list[bytes]:
        return [e.payload for e in self.envelopes if e.room == room]

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


async def reported_then_heard(node: Node, url: str, room: str) -> None:
    """The bus reports ``room`` (once), and then hears what is published to it."""
    await node.until(lambda: bool(node.gaps))
    assert node.gaps == [{room}]
    channel = f"dttools:room:{room}"
    assert await publish_raw(url, channel, envelope(room, 1, b"heard")) == 1
    await node.until(lambda: len(node.envelopes) == 1)
    assert node.payloads(room) == [b"heard"]


@contextmanager
def paused(server: RedisServer) -> Iterator[None]:
    """Redis stopped (SIGSTOP): it reads nothing and answers nothing until the block ends."""
    assert server.proc is not None
    server.proc.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        server.proc.send_signal(signal.SIGCONT)


@asynccontextmanager
async def bus_of(url: str, node: Node, *, wait: bool = True) -> AsyncIterator[RedisBus]:
    """A running bus for ``node`` (connected, unless ``wait`` is false)."""
    bus = RedisBus(url, node.on_envelope, node.on_gap)
    task = asyncio.get_running_loop().create_task(bus.run())
    try:
        if wait:
            async with asyncio.timeout(TIMEOUT):
                await bus.connected.wait()
        yield bus
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def publish_raw(url: str, channel: str, data: bytes) -> int:
    """Publish bytes on a channel as some other program would; the number of receivers."""
    client = redis.Redis.from_url(url)
    try:
        receivers: int = await client.publish(channel, data)
    finally:
        await client.aclose()
    return receivers


def envelope(room: str, seq: int, payload: bytes, origin: str = "elsewhere") -> bytes:
    return pack_envelope(Envelope(origin, room, EnvelopeKind.UPDATE, seq, time.time(), payload))


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def eventually(predicate: Callable[[], bool]) -> None:
    """Wait for a condition that no event reports (a metric moving): polled."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.01)


class TestDelivery:
    async def test_an_envelope_reaches_the_other_node_and_not_its_origin(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """Both nodes have the room: A's update reaches B, numbered from 1, and A ignores its
        own (it receives the next envelope, from someone else, and nothing before it)."""
        a, b = Node(), Node()
        async with bus_of(redis_server.url, a) as bus_a, bus_of(redis_server.url, b) as bus_b:
            await bus_a.subscribe(room)
            await bus_b.subscribe(room)
            bus_a.publish(room, EnvelopeKind.UPDATE, b"from a")
            await b.until(lambda: len(b.envelopes) == 1)
            (got,) = b.envelopes
            assert (got.origin, got.room, got.kind, got.seq, got.payload) == (
                bus_a.node_id,
                room,
                EnvelopeKind.UPDATE,
                1,
                b"from a",
            )
            assert (
                await publish_raw(redis_server.url, f"dttools:room:{room}", envelope(room, 1, b"x"))
                == 2
            )
            await a.until(lambda: len(a.envelopes) == 1)
            assert a.payloads(room) == [b"x"]
            assert a.gaps == [] == b.gaps

    async def test_only_subscribed_rooms_are_delivered_but_revocations_go_everywhere(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """B has only ``room`` open: A's envelope for another room never arrives (the next one,
        for ``room``, does); a revocation, which concerns every node, does."""
        a, b = Node(), Node()
        async with bus_of(redis_server.url, a) as bus_a, bus_of(redis_server.url, b) as bus_b:
            await bus_b.subscribe(room)
            bus_a.publish(room + "-other", EnvelopeKind.UPDATE, b"not for b")
            bus_a.publish(room, EnvelopeKind.UPDATE, b"for b")
            bus_a.publish("", EnvelopeKind.REVOKE, b"revocation")
            await b.until(lambda: len(b.envelopes) == 2)
            assert [(e.room, e.kind, e.payload) for e in b.envelopes] == [
                (room, EnvelopeKind.UPDATE, b"for b"),
                ("", EnvelopeKind.REVOKE, b"revocation"),
            ]

    async def test_after_unsubscribe_nothing_arrives_and_a_new_subscription_starts_afresh(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """B leaves the room: A's next two envelopes pass it by. Back in the room, B gets the
        fourth and reports no gap: what it knew of A's numbering was forgotten on leaving."""
        a, b = Node(), Node()
        marker = room + "-marker"
        async with bus_of(redis_server.url, a) as bus_a, bus_of(redis_server.url, b) as bus_b:
            await bus_b.subscribe(room)
            await bus_b.subscribe(marker)
            bus_a.publish(room, EnvelopeKind.UPDATE, b"1")
            await b.until(lambda: b.payloads(room) == [b"1"])
            await bus_b.unsubscribe(room)
            bus_a.publish(room, EnvelopeKind.UPDATE, b"2")
            bus_a.publish(room, EnvelopeKind.UPDATE, b"3")
            # One connection publishes in order: once the marker is here, 2 and 3 went out.
            bus_a.publish(marker, EnvelopeKind.UPDATE, b"marker")
            await b.until(lambda: b.payloads(marker) == [b"marker"])
            await bus_b.subscribe(room)
            bus_a.publish(room, EnvelopeKind.UPDATE, b"4")
            await b.until(lambda: len(b.payloads(room)) == 2)
            assert b.payloads(room) == [b"1", b"4"]
            assert [e.seq for e in b.envelopes if e.room == room] == [1, 4]
            assert b.gaps == []


class TestLosses:
    async def test_a_jump_in_numbering_is_reported_as_a_gap_of_that_room(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """Envelopes 1 then 3 of one origin: the room is reported once, and 3 is delivered."""
        node = Node()
        channel = f"dttools:room:{room}"
        async with bus_of(redis_server.url, node) as bus:
            await bus.subscribe(room)
            await publish_raw(redis_server.url, channel, envelope(room, 1, b"one"))
            await publish_raw(redis_server.url, channel, envelope(room, 3, b"three"))
            await node.until(lambda: len(node.envelopes) == 2 and bool(node.gaps))
        assert node.payloads(room) == [b"one", b"three"]
        assert node.gaps == [{room}]

    async def test_a_malformed_envelope_is_dropped_and_counted(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """Bytes that are not an envelope are counted and dropped; the next envelope on the
        channel is delivered as usual."""
        node = Node()
        channel = f"dttools:room:{room}"
        dropped = metric("dttools_bus_dropped_total", reason="malformed")
        async with bus_of(redis_server.url, node) as bus:
            await bus.subscribe(room)
            assert await publish_raw(redis_server.url, channel, b"\xc1 not msgpack") == 1
            await publish_raw(redis_server.url, channel, envelope(room, 1, b"fine"))
            await node.until(lambda: len(node.envelopes) == 1)
        assert node.payloads(room) == [b"fine"]
        assert metric("dttools_bus_dropped_total", reason="malformed") == dropped + 1

    async def test_envelopes_published_while_redis_is_away_are_counted_as_dropped(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """Publishing never fails the caller: with Redis gone the envelopes are dropped and
        counted (receivers notice by numbering or by their own reconnect)."""
        node = Node()
        dropped = metric("dttools_bus_dropped_total", reason="unpublished")
        async with bus_of(redis_server.url, node) as bus:
            await redis_server.stop()
            bus.publish(room, EnvelopeKind.UPDATE, b"lost")
            await eventually(
                lambda: metric("dttools_bus_dropped_total", reason="unpublished") > dropped
            )
        assert metric("dttools_bus_dropped_total", reason="unpublished") == dropped + 1


class TestReconnect:
    async def test_a_restarted_redis_is_rejoined_and_every_room_reported(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """Redis restarts (its subscriptions gone): the bus reconnects by itself, resubscribes
        its rooms, reports all of them as possibly incomplete, and delivers again."""
        node = Node()
        reconnects = metric("dttools_bus_reconnects_total")
        async with bus_of(redis_server.url, node) as bus:
            await bus.subscribe(room)
            await bus.subscribe(room + "-2")
            await redis_server.restart()
            await node.until(lambda: bool(node.gaps))
            assert node.gaps == [{room, room + "-2"}]
            assert bus.connected.is_set()
            assert metric("dttools_bus_reconnects_total") == reconnects + 1
            channel = f"dttools:room:{room}"
            assert await publish_raw(redis_server.url, channel, envelope(room, 1, b"again")) == 1
            await node.until(lambda: len(node.envelopes) == 1)
        assert node.payloads(room) == [b"again"]

    async def test_a_room_opened_before_redis_answers_is_subscribed_once_it_does(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """A node starts while Redis is down: opening a room does not wait for it; when Redis
        comes up the room is subscribed and reported (its edits meanwhile were not heard)."""
        await redis_server.stop()
        node = Node()
        async with bus_of(redis_server.url, node, wait=False) as bus:
            async with asyncio.timeout(TIMEOUT):
                await bus.subscribe(room)  # returns at once: nothing to subscribe on yet
            assert not bus.connected.is_set()
            await redis_server.start()
            await reported_then_heard(node, redis_server.url, room)

    async def test_a_subscription_confirmed_late_reports_a_gap(
        self, redis_server: RedisServer, room: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Redis is too slow to confirm a subscription: ``subscribe`` returns, and when the
        confirmation comes the room is reported, so what it asked the other nodes meanwhile
        (their replies may have gone unheard) is asked again."""
        monkeypatch.setattr("rooms.redis_bus._SUBSCRIBE_TIMEOUT_S", 0.2)
        node = Node()
        async with bus_of(redis_server.url, node) as bus:
            with paused(redis_server):
                async with asyncio.timeout(TIMEOUT):
                    await bus.subscribe(room)  # gives up waiting after 0.2 s
                assert node.gaps == []
            await reported_then_heard(node, redis_server.url, room)

    async def test_a_late_confirmation_of_a_room_left_meanwhile_reports_nothing(
        self, redis_server: RedisServer, room: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("rooms.redis_bus._SUBSCRIBE_TIMEOUT_S", 0.2)
        node = Node()
        marker = room + "-marker"
        async with bus_of(redis_server.url, node) as bus:
            with paused(redis_server):
                async with asyncio.timeout(TIMEOUT):
                    await bus.subscribe(room)
                    await bus.unsubscribe(room)
            async with asyncio.timeout(TIMEOUT):
                await bus.subscribe(marker)  # confirmed after the room's confirmation
            channel = f"dttools:room:{marker}"
            assert await publish_raw(redis_server.url, channel, envelope(marker, 1, b"m")) == 1
            await node.until(lambda: len(node.envelopes) == 1)
        assert node.gaps == []


class TestShutdown:
    async def test_a_bus_cancelled_while_it_publishes_always_stops(
        self, redis_server: RedisServer, room: str
    ) -> None:
        """Cancelled at every point of its first publish (0 to 23 loop turns after it), the
        bus stops. redis-py can swallow a cancellation that lands in a call (seen on a fresh
        connection's health-check PING, about five turns in): the publisher used to go back
        to waiting for envelopes, and a node's shutdown waited for it forever."""
        for turns in range(48):
            node = Node()
            bus = RedisBus(redis_server.url, node.on_envelope, node.on_gap)
            task = asyncio.get_running_loop().create_task(bus.run())
            async with asyncio.timeout(TIMEOUT):
                await bus.connected.wait()
            bus.publish(room, EnvelopeKind.UPDATE, b"x")
            for _ in range(turns % 24):
                await asyncio.sleep(0)  # let the publish get that far: no event marks each step
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=TIMEOUT)
            assert done, f"the bus did not stop when cancelled {turns % 24} turns in"
            assert task.cancelled()
