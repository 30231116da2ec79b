"""Server-generated secrets shared by every node through the database."""

from __future__ import annotations

import secrets

from persistence.conn import Executor

__all__ = ["get_or_create_secret"]


async def get_or_create_secret(db: Executor, name: str, nbytes: int = 32) -> bytes:
    """The secret ``name``, generated on first use; concurrent first uses agree on one value."""
    await db.execute(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        name,
        secrets.token_bytes(nbytes),
    )
    value: bytes = await db.fetchval("SELECT value FROM server_secrets WHERE name = $1", name)
    return value
