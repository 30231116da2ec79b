"""The Redis fan-out bus: one pub/sub channel per room, envelopes in msgpack.

Pub/sub is at-most-once, and redis-py would silently reconnect and resubscribe, hiding the
messages lost meanwhile. So retries are off: a broken connection surfaces here, the bus
reconnects itself, resubscribes every room, and reports every room as having a gap. Rooms then
re-read their stored tail and ask the other nodes for what they lack (invariant 4).

Control envelopes (revocations) concern every node whatever rooms it has open, so they travel
on one channel that every node subscribes to as it connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from functools import partial
from typing import Any

import redis.asyncio as redis
import structlog
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from collab.envelope import CONTROL_KINDS, EnvelopeKind, pack_envelope, unpack_envelope
from collab.errors import MalformedMessage
from rooms.bus import EnvelopeHandler, GapDetector, GapHandler, new_node_id
from rooms.metrics import BUS_DROPPED, BUS_ENVELOPES, BUS_LAG_SECONDS, BUS_RECONNECTS

__all__ = ["RedisBus"]

_log = structlog.get_logger(__name__)
_PREFIX = "dttools:room:"
_CONTROL = "dttools:control"
_SUBSCRIBE_TIMEOUT_S = 5.0
_MAX_BATCH = 500


def _stop_if_cancelled() -> None:
    """Raise the cancellation of the current task that a call into redis-py swallowed.

    redis-py (8.2, on Python 3.11) can return normally from a call during which the task was
    cancelled (most often when the cancel lands in a connection's health-check PING, but not
    only then): the request stays pending (``Task.cancelling()``) and no CancelledError ever
    comes. A loop that then goes back to waiting never ends, and neither does a node's
    shutdown waiting for it. Each loop below checks after its calls into redis-py.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _client(url: str) -> Any:
    return redis.Redis.from_url(
        url,
        retry=Retry(NoBackoff(), 0),
        socket_connect_timeout=2,
        socket_keepalive=True,
        health_check_interval=5,
    )


class RedisBus:
    """A FanoutBus over Redis pub/sub. Run :meth:`run` as a background task."""

    def __init__(
        self,
        url: str,
        on_envelope: EnvelopeHandler,
        on_gap: GapHandler,
        *,
        node_id: str | None = None,
    ) -> None:
        self.node_id = node_id or new_node_id()
        self.connected = asyncio.Event()
        self._url = url
        self._on_envelope = on_envelope
        self._on_gap = on_gap
        self._rooms: set[str] = set()
        self._pubsub: Any = None
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._out: deque[tuple[str, bytes]] = deque()
        self._wake = asyncio.Event()
        self._gaps = GapDetector()
        self._control = f"dttools:node:{self.node_id}"

    # --- FanoutBus ----------------------------------------------------------------------------

    def publish(self, room: str, kind: EnvelopeKind, payload: bytes) -> None:
        """Queue an envelope; the publisher task sends queued envelopes in one pipeline."""
        envelope = self._gaps.stamp(self.node_id, room, kind, payload)
        channel = _CONTROL if kind in CONTROL_KINDS else _PREFIX + room
        self._out.append((channel, pack_envelope(envelope)))
        self._wake.set()

    async def subscribe(self, room: str) -> None:
        """Subscribe to the room's channel and wait for Redis to confirm it.

        If Redis is unreachable the room is still recorded: the reconnect resubscribes it and
        reports a gap, which resyncs the room. If Redis is slow to confirm, this returns after
        ``_SUBSCRIBE_TIMEOUT_S`` and the confirmation, when it comes, reports a gap: whatever
        the room asked the other nodes before then may have been answered unheard.
        """
        self._rooms.add(room)
        pubsub = self._pubsub
        if pubsub is None:
            return
        channel = _PREFIX + room
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        try:
            await pubsub.subscribe(channel)
            done, _ = await asyncio.wait((confirmed,), timeout=_SUBSCRIBE_TIMEOUT_S)
        except (RedisError, OSError) as exc:
            _log.warning("bus_subscribe_failed", room=room, error=type(exc).__name__)
            self._forget_confirmation(channel, confirmed)
            return
        if done:
            self._forget_confirmation(channel, confirmed)
            return
        _log.warning("bus_subscribe_slow", room=room, waited_s=_SUBSCRIBE_TIMEOUT_S)
        confirmed.add_done_callback(partial(self._confirmed_late, room, channel))

    def _confirmed_late(self, room: str, channel: str, confirmed: asyncio.Future[None]) -> None:
        self._forget_confirmation(channel, confirmed)
        if not confirmed.cancelled() and room in self._rooms:
            _log.info("bus_subscribed_late", room=room)
            self._on_gap({room})

    def _forget_confirmation(self, channel: str, confirmed: asyncio.Future[None]) -> None:
        if self._confirmations.get(channel) is confirmed:
            del self._confirmations[channel]

    async def unsubscribe(self, room: str) -> None:
        """Leave the room's channel."""
        self._rooms.discard(room)
        self._gaps.forget(room)
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(_PREFIX + room)

    # --- tasks --------------------------------------------------------------------------------

    async def run(self) -> None:
        """Receive and publish until cancelled, reconnecting with backoff."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self._receive_forever())
            group.create_task(self._publish_forever())

    async def _receive_forever(self) -> None:
        backoff = 0.05
        ever_connected = False
        while True:
            client = _client(self._url)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(_CONTROL, self._control, *(_PREFIX + r for r in self._rooms))
                self._pubsub = pubsub
                self.connected.set()
                if ever_connected:
                    BUS_RECONNECTS.inc()
                    _log.info("bus_reconnected", rooms=len(self._rooms))
                ever_connected = True
                backoff = 0.05
                if self._rooms:
                    # Rooms opened or edited while we were away may have missed envelopes.
                    self._gaps.reset()
                    self._on_gap(set(self._rooms))
                async for message in pubsub.listen():
                    _stop_if_cancelled()
                    self._dispatch(message)
            except (RedisError, OSError) as exc:
                _log.warning("bus_disconnected", error=type(exc).__name__, retry_in_s=backoff)
            finally:
                self._pubsub = None
                self.connected.clear()
                # The reconnect reports a gap for every room; a late confirmation need not.
                for waiting in list(self._confirmations.values()):
                    waiting.cancel()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
                with contextlib.suppress(RedisError, OSError):
                    await client.aclose()
            _stop_if_cancelled()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        channel = message.get("channel")
        if isinstance(channel, bytes):
            channel = channel.decode()
        if kind == "subscribe":
            confirmed = self._confirmations.get(str(channel))
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            return
        if kind != "message":
            return
        try:
            envelope = unpack_envelope(message["data"])
        except MalformedMessage as exc:
            BUS_DROPPED.labels("malformed").inc()
            _log.warning("bus_envelope_rejected", reason=str(exc))
            return
        control = envelope.kind in CONTROL_KINDS
        if envelope.origin == self.node_id or not (control or envelope.room in self._rooms):
            return
        BUS_ENVELOPES.labels("in").inc()
        BUS_LAG_SECONDS.observe(max(0.0, time.time() - envelope.sent_at))
        missed = self._gaps.observe(envelope)
        self._on_envelope(envelope)
        if missed and control:
            # A lost revocation cannot be replayed; the access check of every new connection
            # still applies, and losses are counted in dttools_bus_dropped_total at the sender.
            _log.warning("bus_control_gap", origin=envelope.origin)
        elif missed:
            _log.info("bus_gap", room=envelope.room, origin=envelope.origin)
            self._on_gap({envelope.room})

    async def _publish_forever(self) -> None:
        client = _client(self._url)
        try:
            while True:
                _stop_if_cancelled()
                await self._wake.wait()
                batch = [self._out.popleft() for _ in range(min(_MAX_BATCH, len(self._out)))]
                if not self._out:
                    self._wake.clear()
                try:
                    async with client.pipeline(transaction=False) as pipe:
                        for channel, data in batch:
                            pipe.publish(channel, data)
                        await pipe.execute()
                    BUS_ENVELOPES.labels("out").inc(len(batch))
                except (RedisError, OSError) as exc:
                    # At-most-once: receivers notice the gap by sequence number or reconnect.
                    BUS_DROPPED.labels("unpublished").inc(len(batch))
                    _log.warning(
                        "bus_publish_failed", envelopes=len(batch), error=type(exc).__name__
                    )
        finally:
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()
