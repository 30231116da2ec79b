"""The revocations table: every committed row is read once, whatever the commit order."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from persistence import revocations
from tests.support.timing import TIMEOUT


def _user() -> str:
    return f"u-{uuid.uuid4().hex[:8]}"


async def _read_all_new(pool: Any, horizon: int | None, seen: set[int]) -> tuple[list[int], int]:
    """One read, returning the ids not in ``seen`` (and recording them there)."""
    found = await revocations.read_new(pool, horizon)
    new = [row.id for row in found.revocations if row.id not in seen]
    seen.update(new)
    return new, found.horizon


class TestRecordAndRead:
    async def test_a_committed_row_is_read_with_its_selectors(self, pool: Any) -> None:
        """A row stored after a read comes back from the next read, as stored."""
        first = await revocations.read_new(pool, None)
        user = _user()
        async with pool.acquire() as conn, conn.transaction():
            stored = await revocations.record(
                conn, reason="you were removed", user_id=user, room="project-1"
            )
        found = await revocations.read_new(pool, first.horizon)
        rows = [row for row in found.revocations if row.id == stored]
        assert len(rows) == 1
        row = rows[0]
        assert (row.user_id, row.session_id, row.room, row.reason) == (
            user,
            None,
            "project-1",
            "you were removed",
        )

    async def test_a_rolled_back_row_is_never_read(self, pool: Any) -> None:
        """A revocation whose change failed does not exist for any node."""
        start = await revocations.read_new(pool, None)
        user = _user()
        async with pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            await revocations.record(conn, reason="never", user_id=user)
            await transaction.rollback()
        found = await revocations.read_new(pool, start.horizon)
        assert all(row.user_id != user for row in found.revocations)

    async def test_a_row_that_commits_after_a_later_one_was_read_is_not_skipped(
        self, pool: Any
    ) -> None:
        """Ids are taken at insert: the row of a transaction that inserted first and
        committed last still reaches a reader that already read the later row."""
        seen: set[int] = set()
        _, horizon = await _read_all_new(pool, None, seen)
        async with pool.acquire() as slow:
            transaction = slow.transaction()
            await transaction.start()
            early = await revocations.record(slow, reason="slow", user_id=_user())
            late = await revocations.record(pool, reason="fast", user_id=_user())
            assert early < late
            new, horizon = await _read_all_new(pool, horizon, seen)
            assert late in new
            assert early not in new
            await transaction.commit()
        new, horizon = await _read_all_new(pool, horizon, seen)
        assert early in new
        assert late not in new  # read again below the horizon, and recognised

    async def test_a_revocation_names_someone(self, pool: Any) -> None:
        """A row selecting nobody would mean "everyone": refused before it reaches SQL."""
        with pytest.raises(ValueError, match="must name"):
            await revocations.record(pool, reason="nobody")


class TestNotifications:
    async def test_a_commit_wakes_a_listener(self, pool: Any) -> None:
        """NOTIFY is sent when the storing transaction commits, not before."""
        woken = asyncio.Event()
        async with revocations.notifications(pool, woken.set):
            async with pool.acquire() as conn, conn.transaction():
                await revocations.record(conn, reason="bye", session_id=_user())
                assert not woken.is_set()
            async with asyncio.timeout(TIMEOUT):
                await woken.wait()

    async def test_a_listener_cancelled_mid_query_gives_back_no_broken_connection(
        self, pool: Any
    ) -> None:
        """A node shutting down cancels its feed in the middle of a read. UNLISTEN on that
        connection then failed with "another operation is in progress" (an error out of the
        node's cleanup), and the connection went back to the pool that way: the next user
        of it (a shutdown compaction) failed the same. It is terminated instead."""

        async def listen_and_query() -> None:
            async with revocations.notifications(pool, lambda: None) as conn:
                started.set()
                await conn.execute("SELECT pg_sleep(30)")

        started = asyncio.Event()
        task = asyncio.create_task(listen_and_query())
        async with asyncio.timeout(TIMEOUT):
            await started.wait()
        async with pool.acquire() as watcher, asyncio.timeout(TIMEOUT):
            while not await watcher.fetchval(  # the query is running (no event for that)
                "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' "
                "AND state = 'active'"
            ):
                await watcher.execute("SELECT pg_stat_clear_snapshot()")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(pool.get_max_size()):  # every pooled connection works
            async with pool.acquire() as conn:
                assert await conn.fetchval("SELECT 1") == 1


class TestPrune:
    async def test_old_rows_are_deleted_and_recent_ones_kept(self, pool: Any) -> None:
        """Rows older than the retention go; a fresh row stays."""
        old = await revocations.record(pool, reason="old", user_id=_user())
        fresh = await revocations.record(pool, reason="fresh", user_id=_user())
        await pool.execute(
            "UPDATE revocations SET created_at = now() - interval '2 hours' WHERE id = $1", old
        )
        assert await revocations.prune(pool, 3600.0) >= 1
        remaining = {row["id"] for row in await pool.fetch("SELECT id FROM revocations")}
        assert old not in remaining
        assert fresh in remaining
