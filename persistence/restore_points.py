"""Restore points of projects' documents (collab/restore.py says what a point holds)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from persistence.conn import Conn, Executor

__all__ = [
    "RestorePoint",
    "add",
    "latest",
    "page",
    "get",
    "state_of",
    "states",
    "replace_state",
    "forget_person",
    "delete",
    "prune",
]

_COLUMNS = (
    "id, project_id, created_at, kind, name, created_by, present, summary, size, state_sha256"
)


@dataclass(frozen=True, slots=True)
class RestorePoint:
    """A restore point, without its state."""

    id: UUID
    project_id: UUID
    created_at: datetime
    #: ``named``, ``phase``, ``reveal``, ``activity`` or ``restore``
    kind: str
    name: str | None
    created_by: UUID | None
    present: tuple[UUID, ...]
    summary: dict[str, Any]
    size: int
    state_sha256: bytes


def _point(row: asyncpg.Record) -> RestorePoint:
    return RestorePoint(
        id=row["id"],
        project_id=row["project_id"],
        created_at=row["created_at"],
        kind=row["kind"],
        name=row["name"],
        created_by=row["created_by"],
        present=tuple(row["present"]),
        summary=json.loads(row["summary"]),
        size=row["size"],
        state_sha256=bytes(row["state_sha256"]),
    )


async def add(
    db: Executor,
    point_id: UUID,
    project_id: UUID,
    kind: str,
    name: str | None,
    created_by: UUID | None,
    present: list[UUID],
    summary: dict[str, Any],
    state: bytes,
    state_sha256: bytes,
) -> RestorePoint:
    """Store a point."""
    row = await db.fetchrow(
        "INSERT INTO restore_points (id, project_id, kind, name, created_by, present, summary, "  # noqa: S608
        "state, state_sha256, size) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10) "
        f"RETURNING {_COLUMNS}",
        point_id, project_id, kind, name, created_by, present, json.dumps(summary), state,
        state_sha256, len(state),
    )  # fmt: skip
    assert row is not None
    return _point(row)


async def latest(db: Executor, project_id: UUID) -> tuple[bytes, bytes] | None:
    """The state of the project's newest point and its digest (to compare the next one)."""
    row = await db.fetchrow(
        "SELECT state, state_sha256 FROM restore_points WHERE project_id = $1 "
        "ORDER BY created_at DESC, id DESC LIMIT 1",
        project_id,
    )
    return None if row is None else (bytes(row["state"]), bytes(row["state_sha256"]))


async def page(
    db: Executor, project_id: UUID, limit: int, before: tuple[datetime, UUID] | None
) -> list[RestorePoint]:
    """Up to ``limit`` points, newest first, older than ``before`` (keyset)."""
    if before is None:
        rows = await db.fetch(
            f"SELECT {_COLUMNS} FROM restore_points WHERE project_id = $1 "  # noqa: S608
            "ORDER BY created_at DESC, id DESC LIMIT $2",
            project_id,
            limit,
        )
    else:
        rows = await db.fetch(
            f"SELECT {_COLUMNS} FROM restore_points WHERE project_id = $1 "  # noqa: S608
            "AND (created_at, id) < ($3, $4) ORDER BY created_at DESC, id DESC LIMIT $2",
            project_id,
            limit,
            *before,
        )
    return [_point(row) for row in rows]


async def get(db: Executor, project_id: UUID, point_id: UUID) -> RestorePoint | None:
    """One point of the project."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM restore_points WHERE project_id = $1 AND id = $2",  # noqa: S608
        project_id,
        point_id,
    )
    return None if row is None else _point(row)


async def state_of(db: Executor, project_id: UUID, point_id: UUID) -> bytes | None:
    """The stored state of one point of the project."""
    state = await db.fetchval(
        "SELECT state FROM restore_points WHERE project_id = $1 AND id = $2",
        project_id,
        point_id,
    )
    return None if state is None else bytes(state)


async def states(db: Executor, project_id: UUID) -> list[tuple[UUID, bytes]]:
    """Every point's id and state (an erasure rewrites them all)."""
    rows = await db.fetch(
        "SELECT id, state FROM restore_points WHERE project_id = $1 ORDER BY created_at, id",
        project_id,
    )
    return [(row["id"], bytes(row["state"])) for row in rows]


async def replace_state(db: Executor, point_id: UUID, state: bytes, state_sha256: bytes) -> None:
    """Store a rewritten state for a point (the erasure's pseudonym in place of a person)."""
    await db.execute(
        "UPDATE restore_points SET state = $2, state_sha256 = $3, size = $4 WHERE id = $1",
        point_id,
        state,
        state_sha256,
        len(state),
    )


async def forget_person(conn: Conn, project_ids: list[UUID], user_id: UUID) -> None:
    """Take ``user_id`` out of who was there and who made the points (account erasure)."""
    await conn.execute(
        "UPDATE restore_points SET present = array_remove(present, $2), "
        "created_by = NULLIF(created_by, $2) WHERE project_id = ANY($1::uuid[]) "
        "AND ($2 = ANY(present) OR created_by = $2)",
        project_ids,
        user_id,
    )


async def delete(db: Executor, project_id: UUID, point_id: UUID) -> bool:
    """Delete one point; whether there was one."""
    status = await db.execute(
        "DELETE FROM restore_points WHERE project_id = $1 AND id = $2", project_id, point_id
    )
    return status != "DELETE 0"


async def prune(db: Executor, project_id: UUID, keep_automatic: int) -> int:
    """Keep the project's newest ``keep_automatic`` automatic points (named ones stay)."""
    status = await db.execute(
        "DELETE FROM restore_points WHERE id IN (SELECT id FROM restore_points "
        "WHERE project_id = $1 AND kind <> 'named' ORDER BY created_at DESC, id DESC "
        "OFFSET $2)",
        project_id,
        keep_automatic,
    )
    return int(status.rsplit(" ", 1)[-1])
