"""Connection: bounded outbox, one writer, slow clients closed without delaying others."""

from __future__ import annotations

import asyncio
import time

from collab.close import Close, CloseCode
from collab.limits import Limits
from rooms.connection import Connection
from tests.rooms.conftest import MemoryTransport
from tests.support.timing import TIMEOUT


async def _until(transport: MemoryTransport, predicate: object) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not predicate():  # type: ignore[operator]
            transport.changed.clear()
            await transport.changed.wait()


class TestConnection:
    async def test_writer_delivers_in_order(self) -> None:
        """Frames queued with send() are written in order by the writer task."""
        transport = MemoryTransport()
        conn = Connection(transport, Limits(), ext=False, now=time.monotonic())
        writer = asyncio.create_task(conn.run_writer())
        for i in range(5):
            assert conn.send(bytes([i]))
        await _until(transport, lambda: len(transport.frames) == 5)
        assert transport.frames == [bytes([i]) for i in range(5)]
        conn.close(Close(CloseCode.GOING_AWAY, "bye"))
        await asyncio.wait_for(writer, TIMEOUT)
        assert transport.closed == (1001, "bye")

    async def test_full_outbox_closes_the_slow_client(self) -> None:
        """A client that stops reading is closed with 1013 once its outbox is full."""
        transport = MemoryTransport()
        transport.gate.clear()  # the socket accepts nothing
        conn = Connection(transport, Limits(outbox_frames=4), ext=False, now=time.monotonic())
        writer = asyncio.create_task(conn.run_writer())
        accepted = [conn.send(b"x") for _ in range(10)]
        assert accepted.count(True) <= 5  # one may already be in the writer's hands
        assert conn.closed is not None
        assert conn.closed.code is CloseCode.TRY_AGAIN_LATER
        transport.gate.set()
        await asyncio.wait_for(writer, TIMEOUT)
        assert transport.closed is not None
        assert transport.closed[0] == 1013
        assert not conn.send(b"late")

    async def test_drain_before_close(self) -> None:
        """close(drain=True) writes what is queued, then closes (used on shutdown)."""
        transport = MemoryTransport()
        transport.gate.clear()
        conn = Connection(transport, Limits(), ext=False, now=time.monotonic())
        writer = asyncio.create_task(conn.run_writer())
        conn.send(b"a")
        conn.send(b"b")
        conn.close(Close(CloseCode.GOING_AWAY, "server shutting down"), drain=True)
        transport.gate.set()
        await asyncio.wait_for(writer, TIMEOUT)
        assert transport.frames == [b"a", b"b"]
        assert transport.closed == (1001, "server shutting down")

    async def test_durability_acknowledgement_only_when_opted_in(self) -> None:
        """on_durable sends SAVED frames only to ext clients, with a running count."""
        plain_t, ext_t = MemoryTransport(), MemoryTransport()
        plain = Connection(plain_t, Limits(), ext=False, now=0.0)
        ext = Connection(ext_t, Limits(), ext=True, now=0.0)
        for conn in (plain, ext):
            conn.on_durable(2)
            conn.on_durable(3)
        assert plain.durable == ext.durable == 5
        assert plain.queued == 0
        assert ext.queued == 2
