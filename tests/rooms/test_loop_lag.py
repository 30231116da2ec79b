"""The event-loop lag probe sees a loop held by blocking work."""

from __future__ import annotations

import asyncio
import time

from rooms.loop_lag import LOOP_LAG_SECONDS, watch_loop
from tests.support.timing import TIMEOUT


def _at_least(seconds: float) -> int:
    """Observations in the buckets of ``seconds`` and above."""
    first = next(i for i, bound in enumerate(LOOP_LAG_SECONDS.bounds) if bound >= seconds)
    return sum(LOOP_LAG_SECONDS.counts[first + 1 :])


async def test_a_held_loop_shows_as_lag() -> None:
    before = _at_least(0.025)
    probe = asyncio.create_task(watch_loop(0.005))
    try:
        await asyncio.sleep(0)  # the probe's first timer is set
        time.sleep(0.06)  # the work under test: something holding the loop for 60 ms
        async with asyncio.timeout(TIMEOUT):
            while _at_least(0.025) == before:  # the probe's next turn records it
                await asyncio.sleep(0.001)
    finally:
        probe.cancel()
    assert _at_least(0.025) == before + 1  # one late tick, no burst of catch-up ticks
