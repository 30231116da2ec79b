"""Which project holds an artifact (item routes carry only the artifact's id)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

__all__ = ["candidates", "remember", "forget", "member_projects", "reindex_project"]


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


async def reindex_project(
    conn: asyncpg.Connection, project_id: UUID, artifacts: list[tuple[str, str]]
) -> None:
    """Record every artifact of ``artifacts`` ((collection, id) pairs) for a project.

    Called by compaction with the artifacts of the document it just built from the stored
    rows, so artifacts created live (not through REST) become findable by id. Entries are
    only added: one the snapshot lacks may belong to an update committed after the rows were
    read, and a stale entry costs nothing (lookups check the document).
    """
    await conn.execute(
        "INSERT INTO artifact_index (item_id, project_id, kind) "
        "SELECT item, $1, kind FROM unnest($2::text[], $3::text[]) AS a(kind, item) "
        "WHERE EXISTS (SELECT 1 FROM projects WHERE id = $1) ON CONFLICT DO NOTHING",
        project_id,
        [kind for kind, _ in artifacts],
        [item for _, item in artifacts],
    )
