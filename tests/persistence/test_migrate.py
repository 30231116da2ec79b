"""Migrations: versioned SQL applied exactly once, even by nodes starting together."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from persistence.db import check_ready, create_pool
from persistence.errors import MigrationError
from persistence.migrate import available_migrations, migrate, pending_migrations


class TestMigrate:
    async def test_concurrent_nodes_apply_each_migration_once(
        self, empty_database_url: str
    ) -> None:
        """Five nodes migrating one empty database at once apply every migration exactly once."""

        async def node() -> list[int]:
            conn = await asyncpg.connect(empty_database_url)
            try:
                return [m.version for m in await migrate(conn)]
            finally:
                await conn.close()

        results = await asyncio.gather(*(node() for _ in range(5)))
        versions = [m.version for m in available_migrations()]
        assert sorted(v for applied in results for v in applied) == versions
        conn = await asyncpg.connect(empty_database_url)
        try:
            rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
            assert [r["version"] for r in rows] == versions
            assert await pending_migrations(conn) == []
        finally:
            await conn.close()

    async def test_edited_migration_is_detected(self, empty_database_url: str) -> None:
        """A migration whose SQL changed after it was applied stops the node."""
        conn = await asyncpg.connect(empty_database_url)
        try:
            await migrate(conn)
            await conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
            with pytest.raises(MigrationError, match="edited after it was applied"):
                await migrate(conn)
        finally:
            await conn.close()

    async def test_readiness_reports_pending_migrations(self, empty_database_url: str) -> None:
        """check_ready is false until migrations are applied, then true."""
        pool = await create_pool(empty_database_url, min_size=1, max_size=1)
        try:
            reason = await check_ready(pool)
            assert reason is not None
            assert "not applied" in reason
            async with pool.acquire() as conn:
                await migrate(conn)
            assert await check_ready(pool) is None
        finally:
            await pool.close()

    async def test_unreachable_database_is_not_ready(self, empty_database_url: str) -> None:
        """check_ready names the failure when the database cannot be reached."""
        pool = await create_pool(empty_database_url, min_size=1, max_size=1)
        await pool.close()
        reason = await check_ready(pool)
        assert reason is not None
        assert "unreachable" in reason
