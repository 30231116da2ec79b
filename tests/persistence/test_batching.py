"""Batcher: concurrent single-key reads coalesce into bounded batches; failures stay per batch.

Pure asyncio, no database: the fetch functions here record the batches they are given and
(when held) wait for the test to release them, so queued and in-flight batches are observed
exactly, without sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from persistence.batching import Batcher
from tests.support.timing import TIMEOUT, scaled


def value(key: int) -> str:
    return f"v{key}"


class Recording:
    """A fetch that answers at once and records every batch it was asked for."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def __call__(self, keys: list[int]) -> list[str]:
        self.batches.append(list(keys))
        return [value(k) for k in keys]


class Held:
    """A fetch that records each batch and holds it until :meth:`release` says how it ends."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        #: the task running each batch (the Batcher's own task)
        self.tasks: list[asyncio.Task[object]] = []
        #: batches whose fetch returned or raised (not cancelled)
        self.finished: list[int] = []
        self._gates: list[asyncio.Event] = []
        self._outcomes: dict[int, Sequence[str] | Exception] = {}
        self._changed = asyncio.Condition()

    async def __call__(self, keys: list[int]) -> Sequence[str]:
        index = len(self.batches)
        gate = asyncio.Event()
        task = asyncio.current_task()
        assert task is not None
        async with self._changed:
            self.batches.append(list(keys))
            self.tasks.append(task)
            self._gates.append(gate)
            self._changed.notify_all()
        await gate.wait()
        outcome = self._outcomes.get(index, [value(k) for k in keys])
        self.finished.append(index)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def started(self, count: int) -> None:
        """Wait until ``count`` batches have reached the fetch."""
        async with asyncio.timeout(TIMEOUT), self._changed:
            await self._changed.wait_for(lambda: len(self.batches) >= count)

    def release(self, index: int, outcome: Sequence[str] | Exception | None = None) -> None:
        """Let batch ``index`` end: with ``outcome`` (values or an error), else one value a key."""
        if outcome is not None:
            self._outcomes[index] = outcome
        self._gates[index].set()


async def ask(batcher: Batcher[int, str], *keys: int) -> list[asyncio.Task[str]]:
    """Tasks awaiting ``batcher.get(key)`` for each key, started in one loop iteration and
    returned once every get() has queued or joined its key.

    Each caller sets its event, then runs get() up to its first suspension before this
    coroutine resumes (an event only schedules our wake-up). Keys asked for in one call are
    asked in the same iteration, so they share a batch unless a bound splits them.
    """
    asking = [asyncio.Event() for _ in keys]

    async def caller(key: int, asked: asyncio.Event) -> str:
        asked.set()
        return await batcher.get(key)

    tasks = [asyncio.create_task(caller(k, e)) for k, e in zip(keys, asking, strict=True)]
    async with asyncio.timeout(TIMEOUT):
        for asked in asking:
            await asked.wait()
    return tasks


class TestCoalescing:
    async def test_gets_of_one_iteration_make_one_fetch(self) -> None:
        """Ten gets started in the same loop iteration are answered by one fetch of ten keys,
        each caller with its own key's value."""
        fetch = Recording()
        batcher: Batcher[int, str] = Batcher(fetch)
        results = await asyncio.gather(*(batcher.get(k) for k in range(10)))
        assert fetch.batches == [list(range(10))]
        assert results == [value(k) for k in range(10)]
        assert (batcher.queued, batcher.in_flight) == (0, 0)

    async def test_max_batch_splits_a_burst(self) -> None:
        """With max_batch=4, ten keys go out as 4 + 4 + 2, in the order they were asked for."""
        fetch = Recording()
        batcher: Batcher[int, str] = Batcher(fetch, max_batch=4)
        results = await asyncio.gather(*(batcher.get(k) for k in range(10)))
        assert fetch.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        assert results == [value(k) for k in range(10)]

    async def test_a_lone_key_goes_out_at_once_while_another_batch_runs(self) -> None:
        """Below max_in_flight a key asked for later does not wait for the running batch."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch, max_in_flight=2)
        (first,) = await ask(batcher, 1)
        await fetch.started(1)
        (second,) = await ask(batcher, 2)
        await fetch.started(2)
        assert fetch.batches == [[1], [2]]
        assert (batcher.queued, batcher.in_flight) == (0, 2)
        fetch.release(1)
        assert await second == value(2)
        assert not first.done()
        fetch.release(0)
        assert await first == value(1)
        assert (batcher.queued, batcher.in_flight) == (0, 0)


class TestInFlightBound:
    async def test_no_more_than_max_in_flight_batches_run(self) -> None:
        """With max_in_flight=2 and max_batch=1, five keys start two batches; the rest queue
        and each finished batch lets exactly one more start."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch, max_batch=1, max_in_flight=2)
        callers = [asyncio.create_task(batcher.get(k)) for k in range(5)]
        await fetch.started(2)
        assert fetch.batches == [[0], [1]]
        assert (batcher.queued, batcher.in_flight) == (3, 2)
        fetch.release(0)
        assert await callers[0] == value(0)
        await fetch.started(3)
        assert fetch.batches == [[0], [1], [2]]
        assert (batcher.queued, batcher.in_flight) == (2, 2)
        for index in (1, 2):
            fetch.release(index)
        await fetch.started(5)
        assert fetch.batches == [[0], [1], [2], [3], [4]]
        assert batcher.queued == 0
        for index in (3, 4):
            fetch.release(index)
        assert await asyncio.gather(*callers) == [value(k) for k in range(5)]
        assert (batcher.queued, batcher.in_flight) == (0, 0)

    async def test_keys_asked_while_a_batch_is_held_go_out_together_next(self) -> None:
        """At the in-flight bound, keys asked for in different iterations wait in the queue
        and then share the next fetch."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch, max_in_flight=1)
        (first,) = await ask(batcher, 1)
        await fetch.started(1)
        # Three iterations, one key each: all wait for the next free slot.
        later = [*await ask(batcher, 2), *await ask(batcher, 3), *await ask(batcher, 4)]
        assert (batcher.queued, batcher.in_flight) == (3, 1)
        assert fetch.batches == [[1]]
        fetch.release(0)
        assert await first == value(1)
        await fetch.started(2)
        assert fetch.batches == [[1], [2, 3, 4]]
        assert (batcher.queued, batcher.in_flight) == (0, 1)
        fetch.release(1)
        assert await asyncio.gather(*later) == [value(2), value(3), value(4)]
        assert batcher.in_flight == 0


class TestDuplicates:
    async def test_duplicate_keys_in_one_iteration_are_fetched_once(self) -> None:
        """Callers asking for the same key share one slot of the batch and its answer."""
        fetch = Recording()
        batcher: Batcher[int, str] = Batcher(fetch)
        results = list(await asyncio.gather(batcher.get(7), batcher.get(8), batcher.get(7)))
        assert fetch.batches == [[7, 8]]
        assert results == [value(7), value(8), value(7)]

    async def test_a_key_already_in_flight_joins_that_batch(self) -> None:
        """A key asked for while its batch runs is neither queued nor fetched again."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch)
        (first,) = await ask(batcher, 5)
        await fetch.started(1)
        (again,) = await ask(batcher, 5)
        assert (batcher.queued, batcher.in_flight) == (0, 1)
        fetch.release(0)
        assert (await first, await again) == (value(5), value(5))
        assert fetch.batches == [[5]]

    async def test_a_key_answered_before_is_fetched_afresh(self) -> None:
        """Answers are not cached: once a batch is done, the same key is read again."""
        fetch = Recording()
        batcher: Batcher[int, str] = Batcher(fetch)
        assert await batcher.get(1) == value(1)
        assert await batcher.get(1) == value(1)
        assert fetch.batches == [[1], [1]]


class TestFailures:
    async def test_a_failed_batch_fails_only_its_own_callers(self) -> None:
        """Batch 1 raises: its callers (both of them) get that error; batch 2, queued behind
        it, succeeds; the failed key is fetched afresh when asked for again."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch, max_in_flight=1)
        failing = await ask(batcher, 1, 1)
        await fetch.started(1)
        (fine,) = await ask(batcher, 2)
        fetch.release(0, ValueError("database said no"))
        for caller in failing:
            with pytest.raises(ValueError, match="database said no"):
                await caller
        await fetch.started(2)
        fetch.release(1)
        assert await fine == value(2)
        (retry,) = await ask(batcher, 1)
        await fetch.started(3)
        fetch.release(2)
        assert await retry == value(1)
        assert fetch.batches == [[1], [2], [1]]
        assert (batcher.queued, batcher.in_flight) == (0, 0)

    async def test_a_wrong_number_of_values_is_an_error_for_the_batch(self) -> None:
        """A fetch answering 1 value for 2 keys raises RuntimeError to each caller of the
        batch (no caller gets another key's value); the next batch is served normally."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch)
        callers = await ask(batcher, 1, 2)
        await fetch.started(1)
        fetch.release(0, [value(1)])
        for caller in callers:
            with pytest.raises(RuntimeError, match="returned 1 values for 2 keys"):
                await caller
        (after,) = await ask(batcher, 3)
        await fetch.started(2)
        fetch.release(1)
        assert await after == value(3)


class TestCancellation:
    async def test_a_cancelled_caller_does_not_cancel_the_batch(self) -> None:
        """One of two callers of a key goes away: the batch runs to its end and the other
        caller, and the caller of another key in it, get their values."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch)
        gone, stays, other = await ask(batcher, 1, 1, 2)
        await fetch.started(1)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert not fetch.tasks[0].done()
        fetch.release(0)
        assert (await stays, await other) == (value(1), value(2))
        assert fetch.finished == [0]

    async def test_a_batch_whose_every_caller_left_still_ends_cleanly(self) -> None:
        """With its only caller cancelled, the batch completes and frees its slot: the next
        key is served, and the abandoned key is fetched afresh."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch, max_in_flight=1)
        (gone,) = await ask(batcher, 1)
        await fetch.started(1)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        (queued,) = await ask(batcher, 2)
        fetch.release(0)
        await fetch.started(2)
        fetch.release(1)
        assert await queued == value(2)
        assert fetch.finished == [0, 1]
        (again,) = await ask(batcher, 1)
        await fetch.started(3)
        fetch.release(2)
        assert await again == value(1)

    async def test_cancelling_the_batch_cancels_its_callers(self) -> None:
        """The batch task cancelled mid-fetch (shutdown) cancels every caller of that batch;
        its slot is freed and the Batcher keeps serving."""
        fetch = Held()
        batcher: Batcher[int, str] = Batcher(fetch, max_in_flight=1)
        callers = await ask(batcher, 1, 1, 2)
        await fetch.started(1)
        fetch.tasks[0].cancel()
        for caller in callers:
            with pytest.raises(asyncio.CancelledError):
                await caller
        assert fetch.finished == []
        assert (batcher.queued, batcher.in_flight) == (0, 0)
        (after,) = await ask(batcher, 1)
        await fetch.started(2)
        fetch.release(1)
        assert await after == value(1)

    async def test_a_batch_cancelled_before_it_starts_cancels_its_callers(self) -> None:
        """Cancelled between its creation and its first step (e.g. at shutdown), the batch
        should still cancel its callers and free its slot."""
        fetch = Recording()
        batcher: Batcher[int, str] = Batcher(fetch, max_in_flight=1)
        others = asyncio.all_tasks()
        (caller,) = await ask(batcher, 1)  # queued; the dispatch is scheduled after our wake-up
        try:
            assert batcher.queued == 1
            # One loop iteration: the dispatch creates the batch task, which has not run yet.
            await asyncio.sleep(0)
            batches = asyncio.all_tasks() - others - {caller}
            assert len(batches) == 1
            assert (batcher.queued, batcher.in_flight, fetch.batches) == (0, 1, [])
            batches.pop().cancel()
            # Not a sleep: returns as soon as the caller ends (at once, were it cancelled).
            done, _ = await asyncio.wait({caller}, timeout=scaled(1))
            assert caller in done, "the caller of a cancelled batch waits forever"
            assert caller.cancelled()
            assert batcher.in_flight == 0
        finally:
            caller.cancel()


class TestParameters:
    @pytest.mark.parametrize(("max_batch", "max_in_flight"), [(0, 1), (1, 0), (-1, 4), (64, -2)])
    def test_bounds_below_one_are_refused(self, max_batch: int, max_in_flight: int) -> None:
        """A batch of no keys or no batch in flight would never answer anyone."""
        with pytest.raises(ValueError, match="at least 1"):
            Batcher(Recording(), max_batch=max_batch, max_in_flight=max_in_flight)

    async def test_bounds_of_one_work(self) -> None:
        """max_batch=1 and max_in_flight=1 serve keys one at a time, in order."""
        fetch = Recording()
        batcher: Batcher[int, str] = Batcher(fetch, max_batch=1, max_in_flight=1)
        results = await asyncio.gather(*(batcher.get(k) for k in range(3)))
        assert results == [value(k) for k in range(3)]
        assert fetch.batches == [[0], [1], [2]]
