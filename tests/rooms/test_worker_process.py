"""The node's worker process: work runs in another process, and in a thread once it is closed."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
from pathlib import Path

import pytest

from rooms.worker_process import NICENESS, WorkerProcess
from tests.support.timing import TIMEOUT

ROOT = Path(__file__).resolve().parents[2]


async def test_work_runs_in_a_process_of_its_own_then_in_threads_once_closed() -> None:
    worker = WorkerProcess()
    try:
        assert await worker.run(os.getpid) != os.getpid()
        assert await worker.run(sum, [1, 2, 3]) == 6
    finally:
        worker.close()
    assert worker.executor is None
    assert await worker.run(os.getpid) == os.getpid()  # closed: done here, in a thread


async def test_the_process_gives_way_to_the_node() -> None:
    """Its CPU priority is NICENESS lower than the node's (capped where the kernel caps it)."""
    worker = WorkerProcess()
    try:
        niceness = await worker.run(os.nice, 0)
    finally:
        worker.close()
    assert niceness == min(os.nice(0) + NICENESS, 19)


async def test_nothing_is_started_until_work_comes() -> None:
    before = set(multiprocessing.active_children())
    worker = WorkerProcess()
    assert set(multiprocessing.active_children()) == before
    await worker.run(os.getpid)
    assert set(multiprocessing.active_children()) > before
    worker.close()
    assert set(multiprocessing.active_children()) == before


async def test_prepare_starts_the_process_without_waiting_and_only_once() -> None:
    before = set(multiprocessing.active_children())
    worker = WorkerProcess()
    try:
        worker.prepare()
        started = set(multiprocessing.active_children()) - before
        assert len(started) == 1
        worker.prepare()
        assert set(multiprocessing.active_children()) - before == started
        assert await worker.run(os.getpid) == started.pop().pid
    finally:
        worker.close()


def test_a_closed_worker_prepares_nothing() -> None:
    before = set(multiprocessing.active_children())
    worker = WorkerProcess()
    worker.close()
    worker.prepare()
    assert set(multiprocessing.active_children()) == before


_NODE = """
import os, sys, time
from rooms.worker_process import WorkerProcess
worker = WorkerProcess()
pid = worker.executor.submit(os.getpid).result()
print(pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
async def test_the_process_ends_when_the_node_is_killed() -> None:
    """A node killed with SIGKILL takes its worker with it (no orphan holding its pipes)."""
    node = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _NODE, stdout=asyncio.subprocess.PIPE, cwd=ROOT
    )
    assert node.stdout is not None
    async with asyncio.timeout(TIMEOUT):
        worker_pid = int(await node.stdout.readline())
    ended = asyncio.Event()
    pidfd = os.pidfd_open(worker_pid)
    loop = asyncio.get_running_loop()
    loop.add_reader(pidfd, ended.set)  # readable once the process has exited
    try:
        assert not ended.is_set()
        node.kill()
        await node.wait()
        async with asyncio.timeout(TIMEOUT):
            await ended.wait()
    finally:
        loop.remove_reader(pidfd)
        os.close(pidfd)
