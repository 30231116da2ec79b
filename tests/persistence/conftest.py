"""Fixtures for storage tests: a migrated pool on the session database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from persistence.db import create_pool
from persistence.migrate import migrate


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Any]:
    """A migrated asyncpg pool."""
    pool = await create_pool(database_url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn)
    yield pool
    await pool.close()
