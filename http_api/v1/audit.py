"""/v1/audit and /v1/projects/{project_id}/audit: who changed what, for admins and owners.

Also the helper the project and member endpoints use to write their entries, so each entry
is written in the same transaction as the change it records: no change without its entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.errors import PermissionDenied
from collab.i18n import msg
from collab.permissions import Action
from http_api.access import Access, require_access
from http_api.endpoint import Api, path_uuid
from http_api.keys import DB
from http_api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_cursor, encode_cursor
from http_api.principal import Principal
from persistence import audit
from persistence.conn import Conn

__all__ = ["api", "record", "AuditEntryOut", "AuditPage"]

api = Api()
_TAGS = ("audit",)


async def record(
    conn: Conn,
    request: web.Request,
    principal: Principal,
    action: str,
    access: Access,
    *,
    target: UUID | None = None,
    **details: Any,
) -> None:
    """Append a project action to the audit log, in the caller's transaction.

    An admin acting on a project whose team they are not on gets ``as_admin: true`` in the
    details, so admin actions can be told apart (and found) in the log.
    """
    if access.as_admin:
        details["as_admin"] = True
    await audit.record(
        conn,
        action,
        actor_id=principal.user_id,
        project_id=access.project_id,
        target=None if target is None else str(target),
        ip=request.remote,
        user_agent=request.headers.get("User-Agent"),
        details=details,
    )


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=200)
    actor_id: UUID | None = None
    action: str | None = Field(
        default=None, min_length=1, max_length=100, description="action name prefix"
    )


class AuditQuery(_Query):
    project_id: UUID | None = None


class ProjectAuditQuery(_Query):
    pass


class AuditEntryOut(BaseModel):
    """One audited action; ``ip`` and ``user_agent`` are shown to admins only."""

    id: int
    at: datetime
    actor_id: UUID | None
    action: str
    project_id: UUID | None
    target: str | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    """A page of entries, newest first; pass ``next_cursor`` back for the next one."""

    items: list[AuditEntryOut]
    next_cursor: str | None


def _before_id(key: list[Any]) -> int:
    (value,) = key
    if type(value) is not int:
        raise TypeError(type(value).__name__)
    return value


def _entry_out(e: audit.AuditEntry, *, private: bool) -> AuditEntryOut:
    return AuditEntryOut(
        id=e.id,
        at=e.at,
        actor_id=e.actor_id,
        action=e.action,
        project_id=e.project_id,
        target=e.target,
        ip=e.ip if private else None,
        user_agent=e.user_agent if private else None,
        details=e.details,
    )


async def _page(
    request: web.Request, query: _Query, project_id: UUID | None, *, private: bool
) -> AuditPage:
    before = None if query.cursor is None else decode_cursor(query.cursor, _before_id)
    entries = await audit.list_entries(
        request.app[DB],
        limit=query.limit + 1,
        before_id=before,
        project_id=project_id,
        actor_id=query.actor_id,
        action_prefix=query.action,
    )
    page = entries[: query.limit]
    items = [_entry_out(e, private=private) for e in page]
    more = len(entries) > query.limit
    return AuditPage(items=items, next_cursor=encode_cursor(page[-1].id) if more else None)


@api.route(
    "GET", "/v1/audit", summary="The audit log (admins only)", tags=_TAGS,
    query=AuditQuery, response=AuditPage,
)  # fmt: skip
async def list_audit(request: web.Request, principal: Principal, query: AuditQuery) -> AuditPage:
    if not principal.is_admin:
        raise PermissionDenied(
            msg("the audit log is for admins; project owners see their project's")
        )
    return await _page(request, query, query.project_id, private=True)


@api.route(
    "GET", "/v1/projects/{project_id}/audit", summary="A project's audit log (owners, admins)",
    tags=_TAGS, query=ProjectAuditQuery, response=AuditPage,
)  # fmt: skip
async def list_project_audit(
    request: web.Request, principal: Principal, query: ProjectAuditQuery
) -> AuditPage:
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.MANAGE)
    # Owners see what happened to their project, not their teammates' addresses and browsers.
    return await _page(request, query, project_id, private=principal.is_admin)
