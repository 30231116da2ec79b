"""When the cyclic garbage collector runs a full collection: on our schedule, not in a storm.

CPython runs a full (oldest-generation) collection whenever the objects that survived younger
collections grow by a quarter. A node that takes 5,000 sockets in ten seconds grows its heap
many times over, so full collections come one after another, each walking every live object
(a few hundred thousand per thousand sockets) with the event loop stopped; in a storm they
were the whole tail of the time to sync (docs/benchmarks.md, "Full garbage collections").

Reference counting frees almost everything a connection leaves behind; the cycle collector is
only needed for what forms reference cycles. So the node:

* freezes what start-up allocated (``gc.freeze``): full collections never walk it again;
* leaves the young generations as CPython runs them (cheap, proportional to new objects);
* takes the oldest generation out of the automatic schedule, and runs it from
  :class:`HeapKeeper` every ``interval_s`` at a quiet moment (no socket joining), or after
  four intervals whatever the load, so cyclic garbage is still reclaimed.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

import structlog

__all__ = ["HeapKeeper", "settle"]

_log = structlog.get_logger(__name__)
# gen2's threshold counts gen1 collections; this many never comes (about 10^11 allocations).
_NEVER = 1_000_000_000
_CHECK_EVERY_S = 5.0


def settle() -> None:
    """Freeze start-up objects and take full collections off CPython's own schedule."""
    gc.collect()
    gc.freeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)


class HeapKeeper:
    """Run full collections every ``interval_s`` when ``quiet()``, at the latest after 4x that."""

    def __init__(self, interval_s: float, quiet: Callable[[], bool]) -> None:
        self.interval_s = interval_s
        self._quiet = quiet
        self.last = time.monotonic()
        self.collections = 0

    def due(self, now: float) -> bool:
        """Whether a full collection should run now."""
        waited = now - self.last
        return waited >= self.interval_s * 4 or (waited >= self.interval_s and self._quiet())

    def collect(self, now: float) -> int:
        """Run one full collection; returns the number of unreachable objects found."""
        started = time.perf_counter()
        found = gc.collect()
        self.last = now
        self.collections += 1
        _log.info(
            "full_collection",
            unreachable=found,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return found

    async def run(self) -> None:
        """Check every few seconds, forever (cancel to stop)."""
        while True:
            await asyncio.sleep(min(_CHECK_EVERY_S, self.interval_s))
            now = time.monotonic()
            if self.due(now):
                self.collect(now)
