"""Which project holds an artifact (item routes carry only the artifact's id)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from persistence.conn import Conn, Executor
from persistence.errors import StorageError

__all__ = ["candidates", "remember", "remember_many", "forget", "reindex_project"]


async def candidates(db: Executor, kind: str, item_id: str) -> list[UUID]:
    """Projects known to hold artifact ``item_id`` of ``kind``."""
    rows = await db.fetch(
        "SELECT project_id FROM artifact_index WHERE item_id = $1 AND kind = $2", item_id, kind
    )
    return [row["project_id"] for row in rows]


async def remember(db: Executor, kind: str, item_id: str, project_id: UUID) -> None:
    """Record where an artifact lives (idempotent; the project may have gone meanwhile)."""
    await db.execute(
        "INSERT INTO artifact_index (item_id, project_id, kind) "
        "SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM projects WHERE id = $2) "
        "ON CONFLICT DO NOTHING",
        item_id,
        project_id,
        kind,
    )


async def forget(db: Executor, item_id: str, project_id: UUID) -> None:
    """Drop an artifact's entry after it was deleted."""
    await db.execute(
        "DELETE FROM artifact_index WHERE item_id = $1 AND project_id = $2", item_id, project_id
    )


async def remember_many(db: Executor, entries: Iterable[tuple[UUID, str, str]]) -> None:
    """Record many (project, kind, item id) entries in one statement (idempotent).

    Entries of projects that no longer exist are skipped.

    Raises:
        StorageError: PostgreSQL failed (nothing is recorded).
    """
    rows = list(entries)
    if not rows:
        return
    try:
        await db.execute(
            "INSERT INTO artifact_index (item_id, project_id, kind) "
            "SELECT a.item, a.project, a.kind "
            "FROM unnest($1::uuid[], $2::text[], $3::text[]) AS a(project, kind, item) "
            "WHERE EXISTS (SELECT 1 FROM projects WHERE id = a.project) ON CONFLICT DO NOTHING",
            [project for project, _, _ in rows],
            [kind for _, kind, _ in rows],
            [item for _, _, item in rows],
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise StorageError(f"cannot record artifacts: {type(exc).__name__}") from exc


async def reindex_project(conn: Conn, project_id: UUID, artifacts: list[tuple[str, str]]) -> None:
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
