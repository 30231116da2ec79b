"""RevocationFeed: stored revocations reach this node, woken by NOTIFY, across lost connections."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, cast

import asyncpg
import pytest

from collab.envelope import Revocation
from persistence import revocations
from persistence.conn import PgPool
from persistence.db import create_pool
from persistence.update_log import UpdateLog
from rooms.revocation_feed import RevocationFeed
from tests.support.timing import TIMEOUT


class Collector:
    """The ``apply`` callback: records what the feed hands over, and wakes waiters."""

    def __init__(self) -> None:
        self.applied: list[Revocation] = []
        self.changed = asyncio.Event()

    def __call__(self, revocation: Revocation) -> int:
        self.applied.append(revocation)
        self.changed.set()
        return 0

    async def wait_for_user(self, user_id: str) -> Revocation:
        """The first revocation handed over for ``user_id`` (waiting for it if need be)."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                self.changed.clear()
                found = [r for r in self.applied if r.user_id == user_id]
                if found:
                    return found[0]
                await self.changed.wait()


@asynccontextmanager
async def running(feed: RevocationFeed) -> AsyncIterator[None]:
    task = asyncio.get_running_loop().create_task(feed.run())
    try:
        # Its first read fixes where it starts reading: a row committed earlier is not read.
        async with asyncio.timeout(TIMEOUT):
            await feed.listening.wait()
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def feed_pool(database_url: str, update_log: UpdateLog) -> AsyncIterator[tuple[Any, str]]:
    """A pool of the feed's own (on the migrated database), and the application name its
    connections carry, so that a test can cut them."""
    del update_log  # only for the migration it runs
    name = f"feed-{uuid.uuid4().hex[:8]}"
    pool = await asyncpg.create_pool(
        database_url, min_size=1, max_size=2, server_settings={"application_name": name}
    )
    yield pool, name
    await pool.close()


@pytest.fixture
async def writer(database_url: str) -> AsyncIterator[Any]:
    """Another node's pool: where revocations are stored."""
    pool = await create_pool(database_url, min_size=1, max_size=1)
    yield pool
    await pool.close()


def _user() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


class TestRevocationFeed:
    async def test_a_commit_is_applied_at_once_and_once(
        self, feed_pool: tuple[Any, str], writer: Any
    ) -> None:
        """With a poll interval far beyond the test's patience, the commit's NOTIFY is what
        brings a revocation; later reads do not hand it over again."""
        applied = Collector()
        feed = RevocationFeed(feed_pool[0], applied, poll_s=3600.0)
        async with running(feed):
            async with asyncio.timeout(TIMEOUT):
                await feed.listening.wait()
            first, second = _user(), _user()
            stored = await revocations.record(writer, reason="removed", user_id=first)
            assert await applied.wait_for_user(first) == Revocation(
                user_id=first, reason="removed", id=stored
            )
            await revocations.record(writer, reason="removed", user_id=second)
            await applied.wait_for_user(second)
        assert [r.id for r in applied.applied].count(stored) == 1

    async def test_a_lost_database_connection_is_replaced(
        self, feed_pool: tuple[Any, str], writer: Any
    ) -> None:
        """PostgreSQL drops the listening connection; the feed reconnects and a revocation
        stored afterwards still arrives."""
        pool, name = feed_pool
        applied = Collector()
        feed = RevocationFeed(pool, applied, poll_s=0.05)
        async with running(feed):
            first = _user()
            await revocations.record(writer, reason="one", user_id=first)
            await applied.wait_for_user(first)
            killed = await writer.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = $1",
                name,
            )
            assert killed >= 1
            second = _user()
            await revocations.record(writer, reason="two", user_id=second)
            await applied.wait_for_user(second)

    async def test_a_row_committed_after_priming_is_read(
        self, feed_pool: tuple[Any, str], writer: Any
    ) -> None:
        """A node primes its feed before it serves: a revocation committed between then and
        the feed's first run (a socket of this node may exist by then) is not skipped."""
        pool, _ = feed_pool
        applied = Collector()
        feed = RevocationFeed(pool, applied, poll_s=60)
        await feed.prime()
        user = _user()
        await revocations.record(writer, reason="between", user_id=user)
        task = asyncio.get_running_loop().create_task(feed.run())
        try:
            await applied.wait_for_user(user)
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    def test_the_poll_interval_is_positive(self) -> None:
        """A zero interval would spin; it is refused."""
        with pytest.raises(ValueError, match="positive"):
            RevocationFeed(cast(PgPool, None), Collector(), poll_s=0)
