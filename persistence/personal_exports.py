"""A person's own data export (LGPD art. 18): the job rows, and what the database holds about
the person (http_api/personal_export.py writes the zip, with what the documents hold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from persistence.conn import Executor

__all__ = [
    "PersonalExport",
    "about",
    "create",
    "delete_expired",
    "fail",
    "finish",
    "get",
    "set_progress",
    "unfinished",
]

_COLUMNS = "id, user_id, status, progress, error, created_at, finished_at, expires_at, size, sha256"


@dataclass(frozen=True, slots=True)
class PersonalExport:
    """One export job of a person's data."""

    id: UUID
    user_id: UUID
    status: str
    progress: float
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    size: int | None
    sha256: str | None


def _job(row: asyncpg.Record) -> PersonalExport:
    return PersonalExport(**dict(row))


async def create(
    db: Executor, export_id: UUID, user_id: UUID, expires_at: datetime
) -> PersonalExport:
    row = await db.fetchrow(
        f"INSERT INTO personal_exports (id, user_id, expires_at) VALUES ($1, $2, $3) "  # noqa: S608
        f"RETURNING {_COLUMNS}",
        export_id, user_id, expires_at,
    )  # fmt: skip
    assert row is not None
    return _job(row)


async def get(db: Executor, user_id: UUID, export_id: UUID) -> PersonalExport | None:
    """The export, if it is ``user_id``'s (anyone else's is None, like a missing one)."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM personal_exports WHERE id = $1 AND user_id = $2",  # noqa: S608
        export_id, user_id,
    )  # fmt: skip
    return None if row is None else _job(row)


async def unfinished(db: Executor, user_id: UUID) -> PersonalExport | None:
    """The person's export still being made, if any (one at a time per person)."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM personal_exports WHERE user_id = $1 "  # noqa: S608
        "AND status IN ('pending', 'running') ORDER BY created_at DESC LIMIT 1",
        user_id,
    )
    return None if row is None else _job(row)


async def set_progress(db: Executor, export_id: UUID, progress: float) -> None:
    await db.execute(
        "UPDATE personal_exports SET status = 'running', progress = greatest(progress, $2) "
        "WHERE id = $1 AND status IN ('pending', 'running')",
        export_id, progress,
    )  # fmt: skip


async def finish(
    db: Executor, export_id: UUID, size: int, sha256: str, expires_at: datetime
) -> None:
    await db.execute(
        "UPDATE personal_exports SET status = 'done', progress = 1, size = $2, sha256 = $3, "
        "finished_at = now(), expires_at = $4 WHERE id = $1",
        export_id, size, sha256, expires_at,
    )  # fmt: skip


async def fail(db: Executor, export_id: UUID, error: str) -> None:
    await db.execute(
        "UPDATE personal_exports SET status = 'failed', error = $2, finished_at = now() "
        "WHERE id = $1 AND status IN ('pending', 'running')",
        export_id, error,
    )  # fmt: skip


async def delete_expired(
    db: Executor, now: datetime, *, limit: int = 500
) -> list[tuple[UUID, UUID]]:
    """Delete expired exports; their (user, export) ids, whose bytes the caller deletes."""
    rows = await db.fetch(
        "DELETE FROM personal_exports WHERE id IN (SELECT id FROM personal_exports "
        "WHERE expires_at <= $1 LIMIT $2) RETURNING user_id, id",
        now, limit,
    )  # fmt: skip
    return [(row["user_id"], row["id"]) for row in rows]


def _records(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def about(db: Executor, user_id: UUID, email: str) -> dict[str, Any]:
    """Everything the tables hold about a person, as JSON-ready records (no secrets: password
    and key hashes stay out; a session's IP address and agent are the person's own data)."""
    account = await db.fetchrow(
        "SELECT id, email, name, locale, is_admin, created_at, last_login_at FROM users "
        "WHERE id = $1",
        user_id,
    )
    return {
        "account": None if account is None else dict(account),
        "sessions": _records(await db.fetch(
            "SELECT id, created_at, expires_at, revoked_at, revoked_reason, ip, user_agent "
            "FROM auth_sessions WHERE user_id = $1 ORDER BY created_at", user_id)),
        "api_keys": _records(await db.fetch(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys "
            "WHERE user_id = $1 ORDER BY created_at", user_id)),
        "sign_in_identities": _records(await db.fetch(
            "SELECT provider, subject, created_at, last_used_at FROM oidc_identities "
            "WHERE user_id = $1 ORDER BY created_at", user_id)),
        "memberships": _records(await db.fetch(
            "SELECT p.id AS project_id, p.name AS project_name, m.role FROM project_members m "
            "JOIN projects p ON p.id = m.project_id WHERE m.user_id = $1 ORDER BY p.created_at",
            user_id)),
        "audit": _records(await db.fetch(
            "SELECT at, action, project_id, target, ip, user_agent, details FROM audit_log "
            "WHERE actor_id = $1 OR target = $2 OR target = $3 ORDER BY at",
            user_id, email, str(user_id))),
        "brainstorm_notes": _records(await db.fetch(
            "SELECT s.project_id, i.session_id, i.note_id, i.idea_id, i.revealed_at "
            "FROM brainstorm_ideas i JOIN brainstorm_sessions s ON s.id = i.session_id "
            "WHERE i.author_id = $1 ORDER BY i.revealed_at", user_id)),
        "brainstorm_votes": _records(await db.fetch(
            "SELECT s.project_id, v.session_id, v.idea_id, v.created_at FROM brainstorm_votes v "
            "JOIN brainstorm_sessions s ON s.id = v.session_id WHERE v.user_id = $1 "
            "ORDER BY v.created_at", user_id)),
        "files": _records(await db.fetch(
            "SELECT id, project_id, name, media_type, size, sha256, created_at FROM files "
            "WHERE created_by = $1 ORDER BY created_at", user_id)),
    }  # fmt: skip
