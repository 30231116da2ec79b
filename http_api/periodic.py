"""A node's housekeeping loops: run a pass now and then, and stop with the application.

Sweeps (retention, expired exports), and finishing what a stopped node left (account
erasures), all have the same shape: a first pass a little after start, then one every so
often; a failing pass is logged and the next one tries again; the loop ends when its
service's context exits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import structlog

from persistence.errors import StorageError

__all__ = ["repeat", "in_background"]

_log = structlog.get_logger(__name__)


async def repeat(
    work: Callable[[], Awaitable[object]], *, first_s: float, every_s: float, failed: str
) -> None:
    """Run ``work`` after ``first_s``, then every ``every_s``, until cancelled.

    A pass that fails is logged as ``failed`` (one line for an outage of the database, the
    disk or the bucket, a traceback for anything else) and never stops the next one.
    """
    await asyncio.sleep(first_s)
    while True:
        try:
            await work()
        except (StorageError, OSError) as exc:  # an outage (database, disk, bucket)
            _log.warning(failed, error=str(exc))
        except Exception:
            _log.exception(failed)
        await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def in_background(coro: Coroutine[Any, Any, None], name: str) -> AsyncIterator[None]:
    """Run ``coro`` as a task while the context is open; cancel it and wait on exit."""
    task = asyncio.create_task(coro, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
