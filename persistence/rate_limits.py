"""Fixed-window counters in PostgreSQL, shared by every node (sign-in, sign-up, reset attempts).

Two kinds of counting share the table. ``hit`` counts every call (a hard cap per window);
``admit`` counts a call only if it is not too early after the previous one, which is how
sign-in attempts back off. The policy (how long is too early) is the caller's: this module
only stores and counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg

from persistence.conn import Executor

__all__ = ["hit", "admit", "release", "clear", "window_start"]


def window_start(now: datetime, window_s: int) -> datetime:
    """The start of the fixed window containing ``now``."""
    epoch = int(now.timestamp())
    return now - timedelta(seconds=epoch % window_s, microseconds=now.microsecond)


async def hit(db: Executor, key: str, now: datetime, window_s: int) -> int:
    """Count one attempt for ``key`` in the current window; returns the count so far.

    Old windows are deleted opportunistically for the same key, so the table stays small
    without a sweeper.
    """
    start = window_start(now, window_s)
    count: int = await db.fetchval(
        "INSERT INTO rate_limits (key, window_start, hits, last_hit_at) VALUES ($1, $2, 1, $3) "
        "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1, "
        "last_hit_at = $3 RETURNING hits",
        key,
        start,
        now,
    )
    if count == 1:
        await db.execute("DELETE FROM rate_limits WHERE key = $1 AND window_start < $2", key, start)
    return count


async def admit(
    db: asyncpg.Pool, key: str, now: datetime, window_s: int, wait_s: Callable[[int], float]
) -> float:
    """Count one attempt for ``key`` unless it comes too soon after the last counted one.

    ``wait_s(count)`` is how long after the last counted attempt the next one may come, given
    ``count`` attempts so far in the window. Returns 0.0 when the attempt was counted, else the
    seconds still to wait (and nothing is counted, so waiting that long is always enough).
    Concurrent attempts on one key queue on its row lock: a burst of parallel requests cannot
    all pass the check before any of them is counted.
    """
    start = window_start(now, window_s)
    async with db.acquire() as conn, conn.transaction():
        # A no-op update of an existing row still takes its lock, and the insert of a new
        # one waits for a concurrent insert of the same key to commit.
        row = await conn.fetchrow(
            "INSERT INTO rate_limits (key, window_start, hits, last_hit_at) VALUES ($1, $2, 0, $3) "
            "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits "
            "RETURNING hits, last_hit_at",
            key,
            start,
            now,
        )
        assert row is not None  # RETURNING of an upsert: always its one row
        count: int = row["hits"]
        if count > 0:
            last: datetime = row["last_hit_at"]
            # Requests take ``now`` before they queue on the lock, so one may hold an earlier
            # time than the attempt counted just before it: never a negative elapsed time
            # (that made a free attempt wait).
            wait = wait_s(count) - max(0.0, (now - last).total_seconds())
            if wait > 0:
                return wait
        await conn.execute(
            "UPDATE rate_limits SET hits = hits + 1, last_hit_at = GREATEST(last_hit_at, $3) "
            "WHERE key = $1 AND window_start = $2",
            key,
            start,
            now,
        )
        if count == 0:
            await conn.execute(
                "DELETE FROM rate_limits WHERE key = $1 AND window_start < $2", key, start
            )
    return 0.0


async def release(db: Executor, key: str, now: datetime, window_s: int) -> None:
    """Take back one counted attempt of the current window (it turned out not to count)."""
    await db.execute(
        "UPDATE rate_limits SET hits = greatest(hits - 1, 0) WHERE key = $1 AND window_start = $2",
        key,
        window_start(now, window_s),
    )


async def clear(db: Executor, key: str) -> None:
    """Forget every attempt of ``key`` (a successful sign-in clears its back-off)."""
    await db.execute("DELETE FROM rate_limits WHERE key = $1", key)
