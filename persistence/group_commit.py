"""Group commit: batch updates from every room into few transactions, with a bounded delay.

An update is accepted synchronously (:meth:`GroupCommitter.submit`); one writer task commits
everything queued in a single INSERT, then tells each listener how many of its updates became
durable. A failed batch is retried with backoff and never dropped; once ``max_pending`` updates
wait, :meth:`submit` refuses new ones so memory stays bounded while PostgreSQL is away.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import Counter, deque
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol

import asyncpg
import structlog

from persistence.errors import StorageBusy, StorageError
from persistence.metrics import (
    PERSIST_BATCH_SECONDS,
    PERSIST_BATCH_UPDATES,
    PERSIST_FAILURES,
    PERSIST_QUEUE_DEPTH,
)
from persistence.update_log import UpdateLog

__all__ = ["DurabilityListener", "GroupCommitter"]

_log = structlog.get_logger(__name__)


class DurabilityListener(Hashable, Protocol):
    """Told, once per batch, how many of the updates it submitted are now durable."""

    def on_durable(self, count: int) -> None:
        """Called on the event loop after the batch's transaction committed."""


@dataclass(slots=True)
class _Item:
    room: str
    payload: bytes
    listener: DurabilityListener | None


class GroupCommitter:
    """The single writer of the update log for this node."""

    def __init__(
        self,
        log: UpdateLog,
        *,
        delay_ms: float = 10.0,
        max_batch: int = 2000,
        max_pending: int = 200_000,
        retry_max_s: float = 5.0,
    ) -> None:
        self._log = log
        self._delay_s = delay_ms / 1000
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._retry_max_s = retry_max_s
        self._queue: deque[_Item] = deque()
        self._wakeup = asyncio.Event()
        self._submitted = 0
        self._committed = 0
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._per_room: Counter[str] = Counter()
        _COMMITTERS.add(self)

    @property
    def depth(self) -> int:
        """Updates accepted but not yet committed."""
        return self._submitted - self._committed

    def pending(self, room: str) -> int:
        """Updates of ``room`` not yet committed (a room is evicted only at zero)."""
        return self._per_room[room]

    def has_capacity(self) -> bool:
        """Whether :meth:`submit` would accept an update now (once per relayed update)."""
        return self._submitted - self._committed < self._max_pending

    def submit(self, room: str, payload: bytes, listener: DurabilityListener | None) -> int:
        """Queue one update; return its ticket for :meth:`wait_durable`.

        Raises:
            StorageBusy: ``max_pending`` updates are already waiting.
        """
        if not self.has_capacity():
            raise StorageBusy(f"{self.depth} updates waiting for storage")
        self._queue.append(_Item(room, payload, listener))
        self._per_room[room] += 1
        self._submitted += 1
        self._wakeup.set()
        return self._submitted

    async def wait_durable(self, ticket: int) -> None:
        """Return once the update with ``ticket`` (and every earlier one) is committed."""
        if ticket <= self._committed:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((ticket, future))
        await future

    async def flush(self) -> None:
        """Return once everything submitted so far is committed."""
        await self.wait_durable(self._submitted)

    async def run(self) -> None:
        """Commit batches forever; cancel to stop (call :meth:`flush` first)."""
        while True:
            await self._wakeup.wait()
            if self._delay_s:
                await asyncio.sleep(self._delay_s)  # gather window: fewer, larger transactions
            batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
            if not self._queue:
                self._wakeup.clear()
            await self._commit(batch)

    async def _commit(self, batch: list[_Item]) -> None:
        backoff = 0.05
        while True:
            started = time.perf_counter()
            try:
                await self._log.append([i.room for i in batch], [i.payload for i in batch])
                break
            except (
                StorageError,  # StorageUnavailable: the pool's translation of an outage
                OSError,
                TimeoutError,
                asyncpg.PostgresError,
                asyncpg.InterfaceError,
            ) as exc:
                PERSIST_FAILURES.inc()
                _log.warning(
                    "persist_batch_failed",
                    updates=len(batch),
                    error=type(exc).__name__,
                    retry_in_s=backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._retry_max_s)
        PERSIST_BATCH_SECONDS.observe(time.perf_counter() - started)
        PERSIST_BATCH_UPDATES.observe(len(batch))
        self._committed += len(batch)
        durable: Counter[DurabilityListener] = Counter()
        for item in batch:
            self._per_room[item.room] -= 1
            if not self._per_room[item.room]:
                del self._per_room[item.room]
            if item.listener is not None:
                durable[item.listener] += 1
        for listener, count in durable.items():
            listener.on_durable(count)
        while self._waiters and self._waiters[0][0] <= self._committed:
            _, future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)


# Every live committer (one per node; tests run several in one process): the queue-depth
# gauge sums theirs when scraped.
_COMMITTERS: weakref.WeakSet[GroupCommitter] = weakref.WeakSet()
PERSIST_QUEUE_DEPTH.set_function(lambda: sum(c.depth for c in _COMMITTERS))
