"""How long the event loop was held by something else: the lateness of a 10 ms timer.

Every room, socket and request of a node shares one event loop, so a piece of work that holds
it (a large document read in one go, a big JSON body) delays every other room by as much.
A timer due every ``interval_s`` fires late by about the time the loop was held when it came
due; that lateness goes to ``dttools_event_loop_lag_seconds``. A stall shorter than the
interval is seen only when a timer comes due during it, so the histogram samples stalls (in
proportion to their length) rather than counting each one; its largest non-empty bucket over
a load run bounds the longest stall of that run (load_tests/rest_bench.py reads it so).
Costs one timer callback per interval.
"""

from __future__ import annotations

import asyncio
import time
from typing import Final

from rooms.loop_metrics import LoopHistogram

__all__ = ["LOOP_LAG_SECONDS", "watch_loop"]

LOOP_LAG_SECONDS: Final = LoopHistogram(
    "dttools_event_loop_lag_seconds",
    "How late a timer due every 10 ms fired: how long the event loop was held when it came due",
    buckets=(0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)


async def watch_loop(interval_s: float = 0.01) -> None:
    """Observe the loop's lateness every ``interval_s``, forever (cancel to stop)."""
    due = time.perf_counter() + interval_s
    while True:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        now = time.perf_counter()
        LOOP_LAG_SECONDS.observe(max(0.0, now - due))
        due = max(due + interval_s, now)  # after a long stall, no burst of catch-up ticks
