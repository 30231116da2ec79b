"""Export jobs: the rows that say what is being exported, how far it got, and where it is.

A job is created ``pending`` by the node that received the request, which then runs it
(``running`` with a progress between 0 and 1) and ends it ``done`` (with the file's name,
type, size and digest; the bytes are in the blob store under ``export_key``) or ``failed``
(with an error code the API turns into a sentence). A node that dies mid-job stops touching
``heartbeat_at``; :func:`fail_stale` then fails the job so nobody waits for it forever.
Finished or not, every row goes at ``expires_at`` (:func:`delete_expired`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg

from persistence.conn import Executor

__all__ = [
    "STATUSES",
    "ExportJob",
    "create_export",
    "get_export",
    "list_exports",
    "unfinished_count",
    "set_progress",
    "finish_export",
    "fail_export",
    "fail_stale",
    "delete_expired",
]

#: The life of a job, in order.
STATUSES: Final = ("pending", "running", "done", "failed")
_COLUMNS: Final = (
    "id, project_id, format, scope, language, status, progress, stage, error, requested_by, "
    "created_at, finished_at, expires_at, taken_at, state_hash, file_name, media_type, size, "
    "sha256"
)


@dataclass(frozen=True, slots=True)
class ExportJob:
    """One export and what is known about it."""

    id: UUID
    project_id: UUID
    format: str
    scope: dict[str, Any]
    language: str
    status: str
    progress: float
    stage: str
    error: str | None
    requested_by: UUID | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    taken_at: datetime | None
    state_hash: str | None
    file_name: str | None
    media_type: str | None
    size: int | None
    sha256: str | None


def _job(row: asyncpg.Record) -> ExportJob:
    values = dict(row)
    values["scope"] = json.loads(values["scope"])
    return ExportJob(**values)


async def create_export(
    db: Executor,
    export_id: UUID,
    project_id: UUID,
    *,
    format: str,
    scope: dict[str, Any],
    language: str,
    requested_by: UUID | None,
    keep_s: float,
) -> ExportJob:
    """Insert a pending job that expires ``keep_s`` seconds from now."""
    row = await db.fetchrow(
        "INSERT INTO exports (id, project_id, format, scope, language, requested_by, expires_at)"  # noqa: S608
        " VALUES ($1, $2, $3, $4::jsonb, $5, $6, now() + make_interval(secs => $7)) "
        f"RETURNING {_COLUMNS}",
        export_id,
        project_id,
        format,
        json.dumps(scope),
        language,
        requested_by,
        keep_s,
    )
    assert row is not None  # RETURNING of an insert: always its one row
    return _job(row)


async def get_export(db: Executor, project_id: UUID, export_id: UUID) -> ExportJob | None:
    """The job, if it exists in this project and has not expired."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM exports "  # noqa: S608 (constants only)
        "WHERE id = $1 AND project_id = $2 AND expires_at > now()",
        export_id,
        project_id,
    )
    return None if row is None else _job(row)


async def list_exports(
    db: Executor, project_id: UUID, *, limit: int, before: tuple[datetime, UUID] | None = None
) -> list[ExportJob]:
    """The project's unexpired jobs, newest first, keyset-paginated on (created_at, id)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM exports WHERE project_id = $1 AND expires_at > now() "  # noqa: S608
        "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid)) "
        "ORDER BY created_at DESC, id DESC LIMIT $4",
        project_id,
        None if before is None else before[0],
        None if before is None else before[1],
        limit,
    )
    return [_job(row) for row in rows]


async def unfinished_count(db: Executor, project_id: UUID) -> int:
    """How many of the project's jobs are pending or running."""
    count: int = await db.fetchval(
        "SELECT count(*) FROM exports WHERE project_id = $1 AND status IN ('pending', 'running')",
        project_id,
    )
    return count


async def set_progress(db: Executor, export_id: UUID, progress: float, stage: str) -> None:
    """Record how far a running job got (and that its node is alive)."""
    await db.execute(
        "UPDATE exports SET status = 'running', progress = $2, stage = $3, heartbeat_at = now() "
        "WHERE id = $1 AND status IN ('pending', 'running')",
        export_id,
        min(max(progress, 0.0), 1.0),
        stage,
    )


async def finish_export(
    db: Executor,
    export_id: UUID,
    *,
    taken_at: datetime,
    state_hash: str,
    file_name: str,
    media_type: str,
    size: int,
    sha256: str,
) -> ExportJob | None:
    """Mark the job done with its file; None if it was failed meanwhile (stale) or is gone."""
    row = await db.fetchrow(
        "UPDATE exports SET status = 'done', progress = 1, stage = 'done', finished_at = now(), "  # noqa: S608
        "heartbeat_at = now(), taken_at = $2, state_hash = $3, file_name = $4, media_type = $5, "
        f"size = $6, sha256 = $7 WHERE id = $1 AND status = 'running' RETURNING {_COLUMNS}",
        export_id,
        taken_at,
        state_hash,
        file_name,
        media_type,
        size,
        sha256,
    )
    return None if row is None else _job(row)


async def fail_export(db: Executor, export_id: UUID, error: str) -> None:
    """Mark an unfinished job failed with an error code."""
    await db.execute(
        "UPDATE exports SET status = 'failed', stage = 'failed', error = $2, finished_at = now() "
        "WHERE id = $1 AND status IN ('pending', 'running')",
        export_id,
        error,
    )


async def fail_stale(db: Executor, *, silent_s: float, error: str) -> int:
    """Fail every unfinished job whose node has been silent for ``silent_s``; the count."""
    status = await db.execute(
        "UPDATE exports SET status = 'failed', stage = 'failed', error = $2, finished_at = now() "
        "WHERE status IN ('pending', 'running') "
        "AND heartbeat_at < now() - make_interval(secs => $1)",
        silent_s,
        error,
    )
    return int(status.split()[-1])


async def delete_expired(db: Executor, *, limit: int = 500) -> list[tuple[UUID, UUID]]:
    """Delete up to ``limit`` expired jobs; their (project id, export id), to delete bytes."""
    rows = await db.fetch(
        "DELETE FROM exports WHERE id IN (SELECT id FROM exports WHERE expires_at <= now() "
        "ORDER BY expires_at LIMIT $1) RETURNING project_id, id",
        limit,
    )
    return [(row["project_id"], row["id"]) for row in rows]
