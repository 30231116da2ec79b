"""Which project holds an artifact (item routes carry only the artifact's id)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

__all__ = ["candidates", "remember", "forget", "member_projects"]


async def candidates(db: asyncpg.Pool | asyncpg.Connection, kind: str, item_id: str) -> list[UUID]:
    """Projects known to hold artifact ``item_id`` of ``kind``."""
    rows = await db.fetch(
        "SELECT project_id FROM artifact_index WHERE item_id = $1 AND kind = $2", item_id, kind
    )
    return [row["project_id"] for row in rows]


async def remember(
    db: asyncpg.Pool | asyncpg.Connection, kind: str, item_id: str, project_id: UUID
) -> None:
    """Record where an artifact lives (idempotent; the project may have gone meanwhile)."""
    await db.execute(
        "INSERT INTO artifact_index (item_id, project_id, kind) "
        "SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM projects WHERE id = $2) "
        "ON CONFLICT DO NOTHING",
        item_id,
        project_id,
        kind,
    )


async def forget(db: asyncpg.Pool | asyncpg.Connection, item_id: str, project_id: UUID) -> None:
    """Drop an artifact's entry after it was deleted."""
    await db.execute(
        "DELETE FROM artifact_index WHERE item_id = $1 AND project_id = $2", item_id, project_id
    )


async def member_projects(db: asyncpg.Pool | asyncpg.Connection, user_id: UUID) -> list[UUID]:
    """Every project ``user_id`` is a member of (to find artifacts created live)."""
    rows = await db.fetch("SELECT project_id FROM project_members WHERE user_id = $1", user_id)
    return [row["project_id"] for row in rows]
