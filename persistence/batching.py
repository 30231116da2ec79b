"""Coalesce concurrent single-key reads into one query for many keys.

When thousands of clients connect at once (a deploy, a failed node, a conference Wi-Fi blip),
each asks for something small: its room's stored history, its access check. One round trip
each queues them all behind the pool and the database. A :class:`Batcher` collects the keys
asked for while earlier batches are running (and within the same event-loop iteration) and
fetches them together: under light load a key goes out alone, at once; under a storm batches
grow by themselves, bounded by ``max_batch`` keys and ``max_in_flight`` concurrent queries.

A failed batch fails the callers of that batch only; the next one starts afresh. A caller
that is cancelled (its client went away) does not cancel the batch: others may share the key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Generic, TypeVar

__all__ = ["Batcher"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Batcher(Generic[K, V]):
    """Answer ``await batcher.get(key)`` with ``fetch(keys)`` called for many keys at once.

    ``fetch`` returns one value per key, in the order of the keys it was given. Callers asking
    for a key already queued or in flight share its answer.
    """

    __slots__ = (
        "_fetch",
        "_max_batch",
        "_max_in_flight",
        "_queue",
        "_futures",
        "_in_flight",
        "_scheduled",
        "_tasks",
    )

    def __init__(
        self,
        fetch: Callable[[list[K]], Awaitable[Sequence[V]]],
        *,
        max_batch: int = 64,
        max_in_flight: int = 4,
    ) -> None:
        if max_batch < 1 or max_in_flight < 1:
            raise ValueError("max_batch and max_in_flight must be at least 1")
        self._fetch = fetch
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._queue: list[K] = []
        self._futures: dict[K, asyncio.Future[V]] = {}
        self._in_flight = 0
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def queued(self) -> int:
        """Keys waiting for a batch to start (not counting those in flight)."""
        return len(self._queue)

    @property
    def in_flight(self) -> int:
        """Batches running now."""
        return self._in_flight

    async def get(self, key: K) -> V:
        """The value for ``key``, fetched in the next batch (or the one already holding it).

        Raises:
            Exception: whatever ``fetch`` raised for the batch that held ``key``.
        """
        future = self._futures.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._futures[key] = future
            self._queue.append(key)
            self._schedule()
        return await asyncio.shield(future)

    def _schedule(self) -> None:
        # Start on the next loop iteration, so every get() of this iteration joins the batch.
        if not self._scheduled and self._in_flight < self._max_in_flight:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._dispatch)

    def _dispatch(self) -> None:
        self._scheduled = False
        loop = asyncio.get_running_loop()
        while self._queue and self._in_flight < self._max_in_flight:
            keys = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            self._in_flight += 1
            task = loop.create_task(self._run(keys))
            self._tasks.add(task)
            task.add_done_callback(partial(self._done, keys))

    async def _run(self, keys: list[K]) -> None:
        try:
            values = _one_per_key(await self._fetch(keys), keys)
        except Exception as exc:  # every caller of this batch gets it, then it ends here
            for key in keys:
                future = self._futures.pop(key)
                future.set_exception(exc)
                future.exception()  # retrieved: each waiter re-raises it itself
        else:
            for key, value in zip(keys, values, strict=True):
                self._futures.pop(key).set_result(value)

    def _done(self, keys: list[K], task: asyncio.Task[None]) -> None:
        # A callback, not a ``finally``: a task cancelled before its first step never runs
        # its coroutine's handlers, and its callers and its slot must not be lost with it.
        self._tasks.discard(task)
        self._in_flight -= 1
        if task.cancelled():  # shutting down: the callers are cancelled with it
            for key in keys:
                future = self._futures.pop(key, None)
                if future is not None:
                    future.cancel()
        if self._queue:
            self._schedule()


def _one_per_key(values: Sequence[V], keys: list[K]) -> Sequence[V]:
    if len(values) != len(keys):
        raise RuntimeError(f"batch fetch returned {len(values)} values for {len(keys)} keys")
    return values
