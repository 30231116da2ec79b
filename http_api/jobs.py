"""The background jobs a node runs for requests (exports, data exports), by id.

A request starts a job and may wait a little for it to end (answering 201 with the result
rather than 202); shutdown cancels whatever still runs (each job records its own failure).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any
from uuid import UUID

__all__ = ["Jobs"]


class Jobs:
    """Running jobs of this node, by id."""

    def __init__(self) -> None:
        self._tasks: dict[UUID, asyncio.Task[None]] = {}

    def start(self, job_id: UUID, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` in the background as job ``job_id``."""
        task = asyncio.create_task(work, name=name)
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def wait(self, job_id: UUID, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for a job of this node to end (no error if it does not)."""
        task = self._tasks.get(job_id)
        if task is not None and timeout_s > 0:
            await asyncio.wait({task}, timeout=timeout_s)

    async def cancel_all(self) -> None:
        """Cancel every job and wait until each has ended."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
