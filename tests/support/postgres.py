"""A real PostgreSQL for tests: DTTOOLS_TEST_DATABASE_URL, the local server, or an embedded one.

In CI (CI=true) a missing database is a failure, never a skip. Each test session gets its own
fresh database, dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.support.timing import TIMEOUT

__all__ = ["admin_dsn", "fresh_database", "until_lock_waiters"]

_LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def _reachable(dsn: str) -> bool:
    try:
        conn = await asyncpg.connect(dsn, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


@contextmanager
def admin_dsn(tmp: Path) -> Iterator[str]:
    """Yield a DSN with rights to create databases, starting an embedded server if needed."""
    explicit = os.environ.get("DTTOOLS_TEST_DATABASE_URL")
    if explicit:
        yield explicit
        return
    if asyncio.run(_reachable(_LOCAL)):
        yield _LOCAL
        return
    from pgserver import get_server  # type: ignore[attr-defined]

    server = get_server(tmp / "pg", cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def _with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


@contextmanager
def fresh_database(admin: str) -> Iterator[str]:
    """Create an empty database for this session and drop it afterwards."""
    name = f"dttools_test_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(admin, name)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def until_lock_waiters(conn: Any, count: int) -> None:
    """Wait until ``count`` other backends of this database wait on a lock (no event exists).

    ``conn`` may be in a transaction, which caches statistics: the snapshot is cleared each time.
    """
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(TIMEOUT):
        while True:
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            if await conn.fetchval(query) >= count:
                return
            await asyncio.sleep(0.01)
