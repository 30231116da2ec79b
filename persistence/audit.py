"""The audit log: logins, permission changes, exports and admin actions (append-only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from persistence.conn import Executor

__all__ = ["AuditEntry", "record", "list_entries"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited action."""

    id: int
    at: datetime
    actor_id: UUID | None
    action: str
    project_id: UUID | None
    target: str | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


async def record(
    db: Executor,
    action: str,
    *,
    actor_id: UUID | None,
    project_id: UUID | None = None,
    target: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry (``action`` is a dotted name such as ``auth.login.failed``)."""
    await db.execute(
        "INSERT INTO audit_log (actor_id, action, project_id, target, ip, user_agent, details) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
        actor_id,
        action,
        project_id,
        target,
        ip,
        user_agent,
        json.dumps(details or {}),
    )


async def list_entries(
    db: Executor,
    *,
    limit: int,
    before_id: int | None = None,
    project_id: UUID | None = None,
    actor_id: UUID | None = None,
    action_prefix: str | None = None,
) -> list[AuditEntry]:
    """Newest first, keyset-paginated by id."""
    rows = await db.fetch(
        "SELECT id, at, actor_id, action, project_id, target, ip, user_agent, details "
        "FROM audit_log WHERE ($1::bigint IS NULL OR id < $1) "
        "AND ($2::uuid IS NULL OR project_id = $2) AND ($3::uuid IS NULL OR actor_id = $3) "
        "AND ($4::text IS NULL OR action LIKE $4 || '%') ORDER BY id DESC LIMIT $5",
        before_id,
        project_id,
        actor_id,
        action_prefix,
        limit,
    )
    return [AuditEntry(**{**dict(row), "details": json.loads(row["details"])}) for row in rows]
