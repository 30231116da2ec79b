"""Fixed-window counters in PostgreSQL, shared by every node (login and reset attempts)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

__all__ = ["hit", "window_start"]


def window_start(now: datetime, window_s: int) -> datetime:
    """The start of the fixed window containing ``now``."""
    epoch = int(now.timestamp())
    return now - timedelta(seconds=epoch % window_s, microseconds=now.microsecond)


async def hit(db: asyncpg.Pool | asyncpg.Connection, key: str, now: datetime, window_s: int) -> int:
    """Count one attempt for ``key`` in the current window; returns the count so far.

    Old windows are deleted opportunistically for the same key, so the table stays small
    without a sweeper.
    """
    start = window_start(now, window_s)
    count: int = await db.fetchval(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) "
        "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 "
        "RETURNING hits",
        key,
        start,
    )
    if count == 1:
        await db.execute("DELETE FROM rate_limits WHERE key = $1 AND window_start < $2", key, start)
    return count
