"""asyncpg pool factory and the readiness probe."""

from __future__ import annotations

from typing import Any

import asyncpg

from persistence.migrate import pending_migrations

__all__ = ["create_pool", "check_ready"]


async def _keep_session(_conn: Any) -> None:
    """Release hook that skips asyncpg's reset query.

    By default every release runs ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL``: one more round trip per group-commit batch. Our code leaves no session state behind
    (advisory locks are transaction-scoped or released in ``finally``; no LISTEN, cursors or
    SET), so the reset is pure overhead.
    """


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 10) -> Any:
    """Open a connection pool; statements are prepared once per connection by asyncpg."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=30,
        reset=_keep_session,
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
