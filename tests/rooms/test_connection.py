"""Connection: bounded outbox, one writer, slow clients closed without delaying others."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from collab.close import Close, CloseCode
from collab.limits import Limits
from rooms.connection import Connection, Outgoing
from tests.rooms.conftest import MemoryTransport
from tests.support.timing import TIMEOUT


async def _until(transport: MemoryTransport, predicate: object) -> None:
    async with asyncio.timeout(TIMEOUT):
        while not predicate():  # type: ignore[operator]
            transport.changed.clear()
            await transport.changed.wait()


def _direct(conn: Connection) -> Callable[[Outgoing], bool] | None:
    """conn.direct, read anew (mypy would keep an earlier narrowing across awaits)."""
    return conn.direct


class TestConnection:
    async def test_writer_delivers_in_order(self) -> None:
        """Frames queued with send() are written in order by a writer started for them."""
        transport = MemoryTransport(direct=False)
        conn = Connection(transport, Limits(), ext=False, now=time.monotonic())
        assert conn.writer is None  # idle: no task
        for i in range(5):
            assert conn.send(bytes([i]))
        await _until(transport, lambda: len(transport.frames) == 5)
        assert transport.frames == [bytes([i]) for i in range(5)]
        await _until(transport, lambda: conn.writer is None)  # drained: the task ended
        conn.close(Close(CloseCode.GOING_AWAY, "bye"))
        await _until(transport, lambda: transport.closed is not None)
        assert transport.closed == (1001, "bye")

    async def test_direct_writes_skip_the_writer_task(self) -> None:
        """With buffer room and an empty outbox, send() writes at once, synchronously."""
        transport = MemoryTransport()
        conn = Connection(transport, Limits(), ext=False, now=0.0)
        assert conn.send(b"a", received_at=1.0)
        assert transport.frames == [b"a"]
        assert conn.queued == 0
        assert conn.writer is None

    async def test_direct_is_offered_only_while_frames_may_skip_the_outbox(self) -> None:
        """``direct`` is the transport's write_now with an empty outbox and no writer busy;
        None from the first queued frame until the writer has drained them, and once closing.
        """
        transport = MemoryTransport()
        conn = Connection(transport, Limits(), ext=False, now=0.0)
        assert conn.direct is not None
        assert conn.direct(Outgoing(b"a"))
        assert transport.frames == [b"a"]
        transport.gate.clear()
        assert conn.send(b"b")  # the socket is full: queued, and a writer waits on it
        assert _direct(conn) is None
        assert conn.writer is not None
        transport.gate.set()
        await _until(transport, lambda: transport.frames == [b"a", b"b"])
        await _until(transport, lambda: conn.writer is None)
        # The writer restored it when it ended.
        assert conn.direct is not None
        assert conn.direct(Outgoing(b"c"))
        assert transport.frames[-1] == b"c"
        conn.close(Close(CloseCode.GOING_AWAY, "bye"))
        assert _direct(conn) is None
        await _until(transport, lambda: transport.closed is not None)

    async def test_order_is_kept_when_the_socket_backs_up(self) -> None:
        """Once frames queue, later frames queue behind them even if the socket frees up."""
        transport = MemoryTransport()
        conn = Connection(transport, Limits(), ext=False, now=0.0)
        transport.gate.clear()
        conn.send(b"1")
        transport.gate.set()  # the socket has room again, but "1" is still queued
        conn.send(b"2")
        assert transport.frames == []
        await _until(transport, lambda: len(transport.frames) == 2)
        assert transport.frames == [b"1", b"2"]
        conn.send(b"3")
        await _until(transport, lambda: len(transport.frames) == 3)
        assert transport.frames == [b"1", b"2", b"3"]
        conn.close(Close(CloseCode.GOING_AWAY, "bye"))
        await _until(transport, lambda: transport.closed is not None)

    async def test_full_outbox_closes_the_slow_client(self) -> None:
        """A client that stops reading is closed with 1013 once its outbox is full."""
        transport = MemoryTransport()
        transport.gate.clear()  # the socket accepts nothing
        conn = Connection(transport, Limits(outbox_frames=4), ext=False, now=time.monotonic())
        accepted = [conn.send(b"x") for _ in range(10)]
        assert accepted.count(True) <= 5  # one may already be in the writer's hands
        assert conn.closed is not None
        assert conn.closed.code is CloseCode.TRY_AGAIN_LATER
        transport.gate.set()
        await _until(transport, lambda: transport.closed is not None)
        assert transport.closed is not None
        assert transport.closed[0] == 1013
        assert not conn.send(b"late")

    async def test_a_client_that_never_reads_is_cut_after_the_grace_period(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Closing while a write hangs (the client stopped reading) aborts the socket once
        the grace period is over, so the close cannot be held forever."""
        monkeypatch.setattr("rooms.connection.CLOSE_GRACE_S", 0.05)
        transport = MemoryTransport()
        transport.gate.clear()
        conn = Connection(transport, Limits(), ext=False, now=time.monotonic())
        conn.send(b"stuck")
        await transport.sending.wait()  # the writer now waits on the gate forever
        conn.close(Close(CloseCode.TRY_AGAIN_LATER, "client too slow"))
        await _until(transport, lambda: transport.aborted)
        await _until(transport, lambda: conn.writer is None)

    async def test_drain_before_close(self) -> None:
        """close(drain=True) writes what is queued, then closes (used on shutdown)."""
        transport = MemoryTransport()
        transport.gate.clear()
        conn = Connection(transport, Limits(), ext=False, now=time.monotonic())
        conn.send(b"a")
        conn.send(b"b")
        conn.close(Close(CloseCode.GOING_AWAY, "server shutting down"), drain=True)
        transport.gate.set()
        await _until(transport, lambda: transport.closed is not None)
        assert transport.frames == [b"a", b"b"]
        assert transport.closed == (1001, "server shutting down")
        assert not transport.aborted  # the close went out within its grace period

    async def test_stop_cancels_the_writer(self) -> None:
        """When the socket is gone, stop() ends a writer stuck on it."""
        transport = MemoryTransport()
        transport.gate.clear()
        conn = Connection(transport, Limits(), ext=False, now=time.monotonic())
        conn.send(b"stuck")
        writer = conn.writer
        assert writer is not None
        conn.stop()
        await asyncio.gather(writer, return_exceptions=True)
        assert writer.cancelled()
        assert conn.writer is None

    async def test_durability_acknowledgement_only_when_opted_in(self) -> None:
        """on_durable sends SAVED frames only to ext clients, with a running count."""
        plain_t, ext_t = MemoryTransport(), MemoryTransport()
        plain = Connection(plain_t, Limits(), ext=False, now=0.0)
        ext = Connection(ext_t, Limits(), ext=True, now=0.0)
        for conn in (plain, ext):
            conn.on_durable(2)
            conn.on_durable(3)
        assert plain.durable == ext.durable == 5
        assert plain_t.frames == []
        assert ext_t.frames == [b"\x64\x02", b"\x64\x05"]
