"""The pixel budget that bounds image decoding per node (http_api/files_service.py)."""

from __future__ import annotations

import asyncio

import pytest

from http_api.files_service import Budget


async def test_takes_wait_until_the_sum_fits() -> None:
    """Two 10-pixel takes fit a budget of 25; a third waits until one is released."""
    budget = Budget(25)
    first, second = budget.take(10), budget.take(10)
    await first.__aenter__()
    await second.__aenter__()
    third_in = asyncio.Event()

    async def third() -> None:
        async with budget.take(10):
            third_in.set()

    task = asyncio.create_task(third())
    await asyncio.sleep(0)  # let it try
    assert not third_in.is_set()
    assert budget.used == 20
    await first.__aexit__(None, None, None)
    await asyncio.wait_for(third_in.wait(), 5)
    await task
    await second.__aexit__(None, None, None)
    assert budget.used == 0


async def test_a_take_larger_than_the_budget_runs_alone() -> None:
    budget = Budget(25)
    async with budget.take(1_000):
        assert budget.used == 25
    assert budget.used == 0


async def test_a_cancelled_waiter_takes_nothing() -> None:
    budget = Budget(10)
    async with budget.take(10):
        waiting = asyncio.create_task(budget.take(5).__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert budget._waiters == []
    assert budget.used == 0
