"""Housekeeping loops (http_api/periodic.py): a failing pass never stops the next one, and
the loop ends with its context."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from http_api.periodic import in_background, repeat
from persistence.errors import StorageUnavailable


async def test_passes_go_on_after_failures_and_stop_with_the_context() -> None:
    outcomes: list[BaseException | None] = [StorageUnavailable("db away"), ValueError("bug"), None]
    passes = 0
    third = asyncio.Event()

    async def work() -> None:
        nonlocal passes
        passes += 1
        outcome = outcomes[min(passes, 3) - 1]
        if passes == 3:
            third.set()
        if outcome is not None:
            raise outcome

    with capture_logs() as logs:
        async with in_background(repeat(work, first_s=0, every_s=0, failed="x_failed"), "x"):
            await asyncio.wait_for(third.wait(), 5)
    stopped_at = passes
    await asyncio.sleep(0)  # were it still running, another pass would come now
    assert passes == stopped_at
    failures = [entry for entry in logs if entry["event"] == "x_failed"]
    assert [entry["log_level"] for entry in failures] == ["warning", "error"]
    assert failures[0]["error"] == "db away"


async def test_the_first_pass_waits_for_its_delay() -> None:
    ran = asyncio.Event()

    async def work() -> None:
        ran.set()

    async with in_background(repeat(work, first_s=3600, every_s=1, failed="y"), "y"):
        await asyncio.sleep(0)
    assert not ran.is_set()


@pytest.mark.parametrize("exit_with", [None, RuntimeError])
async def test_the_task_is_cancelled_whatever_ends_the_context(
    exit_with: type[Exception] | None,
) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    try:
        async with in_background(forever(), "z"):
            await started.wait()
            if exit_with is not None:
                raise exit_with("boom")
    except RuntimeError:
        pass
    assert cancelled.is_set()
