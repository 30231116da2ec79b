"""asyncpg pool factory and the readiness probe."""

from __future__ import annotations

from typing import Any

import asyncpg

from persistence.migrate import pending_migrations

__all__ = ["create_pool", "check_ready"]


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 10) -> Any:
    """Open a connection pool; statements are prepared once per connection by asyncpg."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=30,
        server_settings={"application_name": "dttools"},
    )


async def check_ready(pool: Any) -> str | None:
    """Return None when the database answers and is fully migrated, else the reason why not."""
    try:
        async with pool.acquire(timeout=2) as conn:
            pending = await pending_migrations(conn)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"database unreachable: {type(exc).__name__}"
    if pending:
        return f"{len(pending)} migration(s) not applied"
    return None
