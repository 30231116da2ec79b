"""The event-loop lag probe and the stall reporter see a loop held by blocking work."""

from __future__ import annotations

import asyncio
import threading
import time

from rooms.loop_lag import LOOP_LAG_ON_CPU_SECONDS, LOOP_LAG_SECONDS, StallReporter, watch_loop


def _at_least(seconds: float) -> int:
    """Observations in the buckets above ``seconds``."""
    first = next(i for i, bound in enumerate(LOOP_LAG_SECONDS.bounds) if bound >= seconds)
    return sum(LOOP_LAG_SECONDS.counts[first + 1 :])


class _Ticking(StallReporter):
    """A stall reporter that also says when the probe has ticked (it sets ``last_tick``)."""

    def __init__(self, threshold_s: float, interval_s: float) -> None:
        self.ticked = asyncio.Event()
        super().__init__(threshold_s, interval_s)

    @property
    def last_tick(self) -> float:
        return self._last_tick

    @last_tick.setter
    def last_tick(self, value: float) -> None:
        self._last_tick = value
        self.ticked.set()


async def _ticked(reporter: _Ticking) -> None:
    """Until the probe has ticked (a hold starting now starts right after a tick)."""
    reporter.ticked.clear()
    await reporter.ticked.wait()


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
    reporter = _Ticking(0.02, 0.005)
    reporter.start()
    probe = asyncio.create_task(watch_loop(0.005, reporter))
    try:
        await _ticked(reporter)  # the reporter has a recent tick
        _hold_the_loop_for(0.1)  # the reporter's thread looks every 5 ms meanwhile
    finally:
        probe.cancel()
        reporter.stop()
    assert reporter.reported == 1  # once per stall, however long it lasted
    assert "_hold_the_loop_for" in reporter.last_stack


def _at_least_on_cpu(seconds: float) -> int:
    first = next(i for i, bound in enumerate(LOOP_LAG_ON_CPU_SECONDS.bounds) if bound >= seconds)
    return sum(LOOP_LAG_ON_CPU_SECONDS.counts[first + 1 :])


def _spin(seconds: float) -> None:
    """Use ``seconds`` of this thread's CPU time: the process's own work, however long the
    kernel makes it take on a busy machine."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


async def test_work_of_this_process_counts_as_lag_on_cpu() -> None:
    before = _at_least_on_cpu(0.025)
    probe = asyncio.create_task(watch_loop(0.005, ticks=3))
    await asyncio.sleep(0)
    _spin(0.06)
    await probe
    assert _at_least_on_cpu(0.025) == before + 1


async def test_time_without_the_cpu_is_lag_but_not_on_cpu() -> None:
    # A sleeping loop thread stands for a process the kernel descheduled: late, not busy.
    wall_before, cpu_before = _at_least(0.025), _at_least_on_cpu(0.005)
    probe = asyncio.create_task(watch_loop(0.005, ticks=3))
    await asyncio.sleep(0)
    _hold_the_loop_for(0.06)
    await probe
    assert _at_least(0.025) == wall_before + 1
    assert _at_least_on_cpu(0.005) == cpu_before


async def test_the_stall_reporter_shows_a_thread_running_python_meanwhile() -> None:
    """A thread running Python holds the interpreter lock that the loop thread waits for:
    its stack is in the report, where the loop's own shows only where it waited."""
    reporter = _Ticking(0.02, 0.005)
    reporter.start()
    probe = asyncio.create_task(watch_loop(0.005, reporter))
    spinner = threading.Thread(target=_spin, args=(0.3,), name="spinner")
    try:
        await _ticked(reporter)
        spinner.start()
        _hold_the_loop_for(0.1)
    finally:
        probe.cancel()
        reporter.stop()
        spinner.join()
    assert reporter.reported >= 1
    assert "_spin" in reporter.last_others.get("spinner", "")
    assert "loop-stalls" not in reporter.last_others  # the reporter leaves itself out


async def test_idle_executor_threads_are_left_out_of_the_report() -> None:
    reporter = _Ticking(0.02, 0.005)
    await asyncio.to_thread(time.sleep, 0)  # the default executor has an idle thread now
    reporter.start()
    probe = asyncio.create_task(watch_loop(0.005, reporter))
    try:
        await _ticked(reporter)
        _hold_the_loop_for(0.1)
    finally:
        probe.cancel()
        reporter.stop()
    assert reporter.reported == 1
    # the default executor's threads are named asyncio_N; idle, none is reported
    assert not [name for name in reporter.last_others if name.startswith("asyncio_")]
