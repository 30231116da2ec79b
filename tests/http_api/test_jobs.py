"""A node's background jobs: started by id, waited for a while, cancelled at shutdown."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from http_api.jobs import Jobs


async def test_wait_returns_when_the_job_ends_or_the_time_is_up() -> None:
    jobs, release, ended = Jobs(), asyncio.Event(), []
    job = uuid4()

    async def work() -> None:
        await release.wait()
        ended.append(job)

    jobs.start(job, work(), "test-job")
    await jobs.wait(job, 0.01)  # not finished: the wait gives up, nothing raised
    assert ended == []
    release.set()
    await jobs.wait(job, 5.0)
    assert ended == [job]
    await jobs.wait(job, 5.0)  # an ended job is forgotten: nothing to wait for


async def test_shutdown_cancels_what_still_runs() -> None:
    jobs, cancelled = Jobs(), asyncio.Event()

    async def work() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    jobs.start(uuid4(), work(), "test-job")
    await asyncio.sleep(0)  # the job started
    await jobs.cancel_all()
    assert cancelled.is_set()
