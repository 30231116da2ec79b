"""Fixtures for room tests: a real group committer on PostgreSQL, in-memory transports."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Any

import pytest

from collab.codec import decode
from collab.limits import Limits
from collab.messages import Message
from persistence.db import create_pool
from persistence.group_commit import GroupCommitter
from persistence.migrate import migrate
from persistence.update_log import UpdateLog
from rooms.connection import Connection, Outgoing
from tests.support.timing import TIMEOUT


class MemoryTransport:
    """A transport that records frames; ``gate`` closed mimics a stalled client.

    With ``direct`` it accepts write_now() while the gate is open (a socket with buffer room);
    without, every frame goes through the outbox and the writer task.
    """

    def __init__(self, *, direct: bool = True) -> None:
        self.direct = direct
        self.frames: list[bytes] = []
        #: what write_now() was handed (the same object for every socket of one broadcast)
        self.outgoing: list[Outgoing] = []
        self.closed: tuple[int, str] | None = None
        self.aborted = False
        self.sending = asyncio.Event()  # a write has started (it may wait on the gate)
        self.gate = asyncio.Event()
        self.gate.set()
        self.changed = asyncio.Event()

    def write_now(self, message: Outgoing) -> bool:
        if not self.direct or not self.gate.is_set():
            return False
        self.frames.append(message.data)
        self.outgoing.append(message)
        self.changed.set()
        return True

    async def send(self, data: bytes) -> None:
        self.sending.set()
        await self.gate.wait()
        self.frames.append(data)
        self.changed.set()

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)
        self.changed.set()

    def abort(self) -> None:
        self.aborted = True
        self.gate.set()  # a write held by the gate ends (here: completes) at once
        if self.closed is None:
            self.closed = (1006, "aborted")
        self.changed.set()


class Peer:
    """A connection and its transport."""

    def __init__(self, limits: Limits, *, ext: bool = False, **identity: Any) -> None:
        self.transport = MemoryTransport()
        self.conn = Connection(self.transport, limits, ext=ext, now=time.monotonic(), **identity)

    def messages(self) -> list[Message]:
        return [decode(f) for f in self.transport.frames]

    async def until(self, predicate: Callable[..., bool]) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not predicate():
                self.transport.changed.clear()
                await self.transport.changed.wait()

    async def stop(self) -> None:
        writer = self.conn.writer
        self.conn.stop()
        if writer is not None:
            await asyncio.gather(writer, return_exceptions=True)


@pytest.fixture
async def update_log(database_url: str) -> AsyncIterator[UpdateLog]:
    """An UpdateLog on a migrated pool."""
    pool = await create_pool(database_url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn)
    yield UpdateLog(pool)
    await pool.close()


@pytest.fixture
async def committer(update_log: UpdateLog) -> AsyncIterator[GroupCommitter]:
    """A running group committer (1 ms window)."""
    committer = GroupCommitter(update_log, delay_ms=1)
    task = asyncio.create_task(committer.run())
    yield committer
    await committer.flush()
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


@pytest.fixture
def transport_factory() -> type[MemoryTransport]:
    """The in-memory transport class."""
    return MemoryTransport


__all__ = ["MemoryTransport", "Peer"]
