"""The event-loop lag probe and the stall reporter see a loop held by blocking work."""

from __future__ import annotations

import asyncio
import time

from rooms.loop_lag import LOOP_LAG_SECONDS, StallReporter, watch_loop


def _at_least(seconds: float) -> int:
    """Observations in the buckets above ``seconds``."""
    first = next(i for i, bound in enumerate(LOOP_LAG_SECONDS.bounds) if bound >= seconds)
    return sum(LOOP_LAG_SECONDS.counts[first + 1 :])


def _hold_the_loop_for(seconds: float) -> None:
    time.sleep(seconds)  # the work under test: something holding the event loop


async def test_a_held_loop_shows_as_lag() -> None:
    before = _at_least(0.025)
    probe = asyncio.create_task(watch_loop(0.005, ticks=3))
    await asyncio.sleep(0)  # the probe's first timer is set
    _hold_the_loop_for(0.06)
    await probe
    assert _at_least(0.025) == before + 1  # one late tick, no burst of catch-up ticks


async def test_the_stall_reporter_names_what_held_the_loop() -> None:
    reporter = StallReporter(0.02, 0.005)
    reporter.start()
    probe = asyncio.create_task(watch_loop(0.005, reporter))
    try:
        await asyncio.sleep(0.02)  # a few ticks: the reporter has a recent one
        _hold_the_loop_for(0.1)  # the reporter's thread looks every 5 ms meanwhile
    finally:
        probe.cancel()
        reporter.stop()
    assert reporter.reported == 1  # once per stall, however long it lasted
    assert "_hold_the_loop_for" in reporter.last_stack
