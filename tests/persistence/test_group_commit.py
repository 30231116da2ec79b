"""GroupCommitter on a real PostgreSQL: batches, order, durability, back-pressure, retries.

Every batch is one INSERT in one transaction, so its rows share one ``created_at`` (PostgreSQL's
``now()`` is the transaction's start): counting distinct timestamps counts transactions.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY

from persistence.errors import StorageBusy
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from tests.support.timing import TIMEOUT


class Listener:
    """A DurabilityListener that records every call."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def on_durable(self, count: int) -> None:
        self.calls.append(count)


@asynccontextmanager
async def running(committer: GroupCommitter) -> AsyncIterator[asyncio.Task[None]]:
    """The committer's writer task, flushed then cancelled on exit."""
    task = asyncio.get_running_loop().create_task(committer.run())
    try:
        yield task
        async with asyncio.timeout(TIMEOUT):
            await committer.flush()
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def stored(pool: Any, room: str) -> list[tuple[bytes, datetime]]:
    """The room's log rows in id order: payload and commit timestamp."""
    rows = await pool.fetch(
        "SELECT payload, created_at FROM room_updates WHERE room = $1 ORDER BY id", room
    )
    return [(row["payload"], row["created_at"]) for row in rows]


def payloads(room: str, count: int) -> list[bytes]:
    return [f"{room}:{n}".encode() for n in range(count)]


def _failures() -> float:
    value = REGISTRY.get_sample_value("dttools_persist_failures_total")
    return 0.0 if value is None else value


@pytest.fixture
def rooms() -> tuple[str, str]:
    """Two room names no other test writes to."""
    base = f"gc-{uuid.uuid4().hex[:10]}"
    return f"{base}-a", f"{base}-b"


class TestBatches:
    async def test_a_burst_is_one_transaction_in_submission_order(
        self, pool: Any, rooms: tuple[str, str]
    ) -> None:
        """Updates of two rooms submitted together land in one transaction, each room's in
        the order submitted; every ticket is durable once flush returns."""
        a, b = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=5)
        tickets = []
        for first, second in zip(payloads(a, 5), payloads(b, 5), strict=True):
            tickets += [committer.submit(a, first, None), committer.submit(b, second, None)]
        assert tickets == list(range(1, 11))
        assert (committer.depth, committer.pending(a), committer.pending(b)) == (10, 5, 5)
        async with running(committer):
            await committer.wait_durable(tickets[-1])
        rows_a, rows_b = await stored(pool, a), await stored(pool, b)
        assert [p for p, _ in rows_a] == payloads(a, 5)
        assert [p for p, _ in rows_b] == payloads(b, 5)
        assert len({t for _, t in rows_a + rows_b}) == 1
        assert (committer.depth, committer.pending(a), committer.pending(b)) == (0, 0, 0)

    async def test_max_batch_splits_a_burst_into_ordered_transactions(
        self, pool: Any, rooms: tuple[str, str]
    ) -> None:
        """Seven updates with max_batch=3: three transactions of 3, 3 and 1, in order."""
        room, _ = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=0, max_batch=3)
        for payload in payloads(room, 7):
            committer.submit(room, payload, None)
        async with running(committer):
            pass
        rows = await stored(pool, room)
        assert [p for p, _ in rows] == payloads(room, 7)
        per_transaction: dict[datetime, int] = {}
        for _, committed_at in rows:
            per_transaction[committed_at] = per_transaction.get(committed_at, 0) + 1
        assert list(per_transaction.values()) == [3, 3, 1]

    async def test_updates_submitted_while_a_batch_commits_go_in_the_next(
        self, pool: Any, rooms: tuple[str, str]
    ) -> None:
        """The writer keeps going: a second burst after the first one's commit is committed
        too, in a transaction of its own."""
        room, _ = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=1)
        first, second = payloads(room, 4)[:2], payloads(room, 4)[2:]
        async with running(committer):
            await committer.wait_durable(max(committer.submit(room, p, None) for p in first))
            assert committer.depth == 0
            await committer.wait_durable(max(committer.submit(room, p, None) for p in second))
        rows = await stored(pool, room)
        assert [p for p, _ in rows] == first + second
        assert rows[0][1] == rows[1][1] != rows[2][1] == rows[3][1]


class TestDurability:
    async def test_each_listener_is_told_its_own_count_once_per_batch(
        self, pool: Any, rooms: tuple[str, str]
    ) -> None:
        """Interleaved updates of two listeners (and one without): one call each, with the
        number of its own updates; nothing before the commit."""
        a, b = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=5)
        first, second = Listener(), Listener()
        for n in range(3):
            committer.submit(a, b"x%d" % n, first)
            committer.submit(b, b"y%d" % n, None)
        committer.submit(b, b"z", second)
        assert first.calls == second.calls == []
        async with running(committer):
            pass
        assert first.calls == [3]
        assert second.calls == [1]

    async def test_a_ticket_waits_for_its_own_commit_only(
        self, pool: Any, rooms: tuple[str, str]
    ) -> None:
        """wait_durable returns once its ticket is committed, at once when it already is; a
        waiter that gives up does not hold back the others."""
        room, _ = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=0)
        ticket = committer.submit(room, b"one", None)
        gave_up = asyncio.get_running_loop().create_task(committer.wait_durable(ticket))
        waiting = asyncio.get_running_loop().create_task(committer.wait_durable(ticket))
        await asyncio.sleep(0)  # one loop step: both tasks start waiting (no writer runs yet)
        gave_up.cancel()
        assert not waiting.done()
        async with running(committer):
            async with asyncio.timeout(TIMEOUT):
                await waiting
        assert gave_up.cancelled()
        assert [p for p, _ in await stored(pool, room)] == [b"one"]
        # Committed already (the writer is gone): no wait at all.
        async with asyncio.timeout(TIMEOUT):
            await committer.wait_durable(ticket)
            await committer.flush()


class TestBackPressure:
    async def test_past_max_pending_submit_refuses_until_a_commit(
        self, pool: Any, rooms: tuple[str, str]
    ) -> None:
        """With max_pending=2 waiting, a third update is refused (StorageBusy) and not queued;
        once they are committed there is room again."""
        room, _ = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=0, max_pending=2)
        committer.submit(room, b"1", None)
        assert committer.has_capacity()
        committer.submit(room, b"2", None)
        assert not committer.has_capacity()
        with pytest.raises(StorageBusy, match="2 updates waiting"):
            committer.submit(room, b"refused", None)
        assert (committer.depth, committer.pending(room)) == (2, 2)
        async with running(committer):
            pass
        assert committer.has_capacity()
        assert committer.submit(room, b"3", None) == 3
        async with running(committer):
            pass
        assert [p for p, _ in await stored(pool, room)] == [b"1", b"2", b"3"]


async def _blocked_insert(conn: Any, after: datetime | None) -> tuple[int, datetime]:
    """The backend of an INSERT into the log waiting on a lock, started after ``after``.

    Polled: PostgreSQL has no event for "a statement now waits on a lock".
    """
    query = (
        "SELECT pid, query_start FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO room_updates%' "
        "ORDER BY query_start DESC LIMIT 1"
    )
    async with asyncio.timeout(TIMEOUT):
        while True:
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            row = await conn.fetchrow(query)
            if row is not None and (after is None or row["query_start"] > after):
                return row["pid"], row["query_start"]
            await asyncio.sleep(0.01)


class TestFailures:
    async def test_a_failed_batch_is_retried_and_stored_once(
        self, pool: Any, database_url: str, rooms: tuple[str, str]
    ) -> None:
        """The batch's INSERT waits on a lock and is cancelled by PostgreSQL: the failure is
        counted, nothing is reported durable, the same batch is tried again and, once the lock
        is gone, stored exactly once and reported once."""
        room, _ = rooms
        committer = GroupCommitter(UpdateLog(pool), delay_ms=0, retry_max_s=0.05)
        listener = Listener()
        failures = _failures()
        locker = await asyncpg.connect(database_url)
        try:
            async with running(committer):
                lock = locker.transaction()
                await lock.start()
                await locker.execute("LOCK TABLE room_updates IN SHARE MODE")
                try:
                    ticket = committer.submit(room, b"kept", listener)
                    durable = asyncio.get_running_loop().create_task(committer.wait_durable(ticket))
                    pid, started = await _blocked_insert(locker, None)
                    assert await locker.fetchval("SELECT pg_cancel_backend($1)", pid)
                    # The retry is waiting on the lock again: the first attempt has failed.
                    await _blocked_insert(locker, started)
                    assert _failures() == failures + 1
                    assert listener.calls == []
                    assert not durable.done()
                    assert committer.depth == 1
                finally:
                    await lock.rollback()
                async with asyncio.timeout(TIMEOUT):
                    await durable
        finally:
            await locker.close()
        assert [p for p, _ in await stored(pool, room)] == [b"kept"]
        assert listener.calls == [1]
        assert committer.depth == 0
