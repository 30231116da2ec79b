"""A process of the node's own for pure work proportional to a whole document.

Folding a room's log into a snapshot (persistence/compaction.py) or preparing a restore point
(collab/restore.py) is Python and CRDT work on a document's every item: a quarter of a second
for a board of 5,000 notes. In a thread it holds the interpreter lock the whole time (the CRDT
core's calls do not release it), so the event loop thread waits for the lock between two
system calls and every room of the node stutters: fan-out and REST latencies grew by tens of
milliseconds while compactions ran in threads (docs/benchmarks.md). In a process it costs the
rooms nothing but the copy of its bytes.

One process per node, started on first use (a node may never need it), with ``spawn``:
forking a process that runs threads and an event loop is not safe. Work sent to it must be a
module-level function of picklable arguments. Once closed (shutdown), :attr:`executor` is None
and callers do the work themselves.

The process runs at a lower CPU priority than the node (:data:`NICENESS`): where both share a
core (a node given one CPU), the kernel runs the event loop first whenever it has something
to do, and the worker's whole-document work, which no client waits on by the millisecond,
takes the time left. On Linux it is killed when the node exits, however the node ends.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["NICENESS", "WorkerProcess"]

_T = TypeVar("_T")
#: How much nicer (lower in CPU priority) the worker process is than the node.
NICENESS = 10


#: Linux's prctl option: the signal a process gets when its parent exits.
_PR_SET_PDEATHSIG = 1


def _start_worker(niceness: int, node_pid: int) -> None:
    """Runs first in the worker process: give way to the node's event loop, and end with it.

    A node killed outright (SIGKILL, the OOM killer) cannot stop its worker; without this the
    orphan kept the node's memory and its standard streams open (a supervisor waiting for the
    node's output to end waited for the orphan), and it did not end on its own. Linux sends
    the signal when the *thread* that started the process ends: the pool starts it from the
    thread that submits work, the event loop's, which lives as long as the node.
    """
    os.nice(niceness)
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != node_pid:  # the node was gone before the request was made
        os._exit(0)


class WorkerProcess:
    """The node's worker process (see the module's doc)."""

    def __init__(self, niceness: int = NICENESS) -> None:
        """``niceness``: how much lower the process's CPU priority is (0: the node's own)."""
        self._niceness = niceness
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._prepared = False

    @property
    def executor(self) -> Executor | None:
        """The process pool, started now if it was not yet; None once closed."""
        if self._closed:
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self._niceness, os.getpid()),
            )
        return self._pool

    def prepare(self) -> None:
        """Start the process now, without waiting, when its first use is near (a room grew
        large): starting it (an interpreter importing the node's modules) takes a second of
        CPU that should not fall in the middle of a compaction the rooms wait for."""
        executor = self.executor
        if executor is not None and not self._prepared:
            self._prepared = True
            executor.submit(int)  # the pool starts its process with its first task

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` in the worker process (in a thread once the worker is closed)."""
        executor = self.executor
        if executor is None:
            return await asyncio.to_thread(fn, *args)
        return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)

    def close(self) -> None:
        """Stop the process (waiting for the work it is doing); later work runs in threads."""
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
