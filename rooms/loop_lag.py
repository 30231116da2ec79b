"""How long the event loop was held by something else: the lateness of a periodic timer.

Every room, socket and request of a node shares one event loop, so a piece of work that holds
it (a large document read in one go, a big JSON body) delays every other room by as much.
A timer due every ``interval_s`` fires late by about the time the loop was held when it came
due; that lateness goes to ``dttools_event_loop_lag_seconds``. A stall shorter than the
interval is seen only when a timer comes due during it, so the histogram samples stalls (in
proportion to their length) rather than counting each one; its largest non-empty bucket over
a load run bounds the longest stall of that run (load_tests/rest_bench.py reads it so).
Costs one timer callback per interval.

Lateness has two causes that call for different cures: work of this process holding the loop,
and the process waiting for a CPU while other programs run (on a small machine shared with
PostgreSQL and a load generator, the kernel can deschedule the node for tens of ms). Each
tick therefore also records the part of its lateness the process could have caused itself:
at most the CPU time all its threads used since the previous tick (a thread holding the GIL
counts; time spent descheduled does not). That goes to
``dttools_event_loop_lag_on_cpu_seconds``: an upper bound on how long our own work held the
loop, whatever the machine did meanwhile. The CPU time counted runs from the previous tick,
so the bound can include up to one interval of work done before the tick was due: with the
default 10 ms that makes it loose; benchmarks tick every millisecond
(``DTTOOLS_LOOP_PROBE_MS``), which makes it tight.

:class:`StallReporter` (off unless ``DTTOOLS_LOOP_STALL_LOG_MS`` is set) says what held it:
a thread that wakes every quarter of the threshold and, when the probe has not ticked for
longer than the threshold, logs the event loop thread's stack once for that stall.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from types import FrameType
from typing import Final

import structlog

from rooms.loop_metrics import LoopHistogram

__all__ = ["LOOP_LAG_ON_CPU_SECONDS", "LOOP_LAG_SECONDS", "StallReporter", "watch_loop"]

_log = structlog.get_logger(__name__)

_BUCKETS: Final = (0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)

LOOP_LAG_SECONDS: Final = LoopHistogram(
    "dttools_event_loop_lag_seconds",
    "How late a timer due every 10 ms fired: how long the event loop was held when it came due",
    buckets=_BUCKETS,
)
LOOP_LAG_ON_CPU_SECONDS: Final = LoopHistogram(
    "dttools_event_loop_lag_on_cpu_seconds",
    "How much of that lateness this process can have caused: at most the CPU time its threads "
    "used since the previous tick",
    buckets=_BUCKETS,
)


class StallReporter:
    """Logs the stack of the event loop thread while the loop is held past ``threshold_s``."""

    def __init__(self, threshold_s: float, interval_s: float) -> None:
        self.threshold_s = threshold_s
        self._interval_s = interval_s
        self._loop_thread = threading.get_ident()
        self.last_tick = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="loop-stalls", daemon=True)
        self.reported = 0
        self.last_stack = ""
        #: the stacks of the process's other threads that were running Python then
        self.last_others: dict[str, str] = {}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        reported_for = -1.0
        while not self._stop.wait(self.threshold_s / 4):
            tick = self.last_tick
            held = time.perf_counter() - tick - self._interval_s
            if held <= self.threshold_s or tick == reported_for:
                continue
            reported_for = tick
            frames = sys._current_frames()
            frame = frames.get(self._loop_thread)
            if frame is None:
                continue
            self.last_stack = "".join(traceback.format_stack(frame, limit=16))
            # The loop thread may only be waiting for the interpreter lock: then its stack
            # shows a cheap spot, and the thread that held the lock is the one to read.
            self.last_others = _busy_threads(frames, {self._loop_thread, threading.get_ident()})
            self.reported += 1
            _log.warning(
                "event_loop_held",
                held_ms=round(held * 1000, 1),
                stack=self.last_stack,
                other_threads=self.last_others,
            )


# Where an idle thread sits (its innermost Python frame, the wait itself being C): waiting
# for work (an executor's ``_worker``), a lock, or the worker process's reply.
_WAITING = frozenset(
    {"wait", "get", "_worker", "_wait_for_tstate_lock", "select", "poll", "sleep", "_recv"}
)


def _busy_threads(frames: dict[int, FrameType], skip: set[int]) -> dict[str, str]:
    """Name -> stack of each thread in ``frames`` (minus ``skip``) that is not waiting."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    busy = {}
    for ident, frame in frames.items():
        if ident in skip or frame.f_code.co_name in _WAITING:
            continue
        name = names.get(ident, str(ident))
        busy[name] = "".join(traceback.format_stack(frame, limit=8))
    return busy


async def watch_loop(
    interval_s: float = 0.01, reporter: StallReporter | None = None, ticks: int | None = None
) -> None:
    """Observe the loop's lateness every ``interval_s``, forever (cancel to stop) or for
    ``ticks`` ticks; tell ``reporter`` each tick."""
    due = time.perf_counter() + interval_s
    cpu = time.process_time()
    left = ticks
    while left is None or left > 0:
        if left is not None:
            left -= 1
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        now = time.perf_counter()
        if reporter is not None:
            reporter.last_tick = now
        late = max(0.0, now - due)
        cpu_now = time.process_time()
        used, cpu = cpu_now - cpu, cpu_now
        LOOP_LAG_SECONDS.observe(late)
        LOOP_LAG_ON_CPU_SECONDS.observe(min(late, used))
        due = max(due + interval_s, now)  # after a long stall, no burst of catch-up ticks
