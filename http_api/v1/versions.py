"""/v1/projects/{project_id}/versions: restore points of a project's document.

Members see history and take named points ("after day 1"); owners (and admins) restore one.
A restore is a forward change (http_api/versions.py, collab/restore.py): nobody is
disconnected, and the point taken just before it undoes it. docs/history.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.errors import NotFound
from collab.i18n import msg
from collab.permissions import Action
from collab.restore import doc_of_point
from collab.schema import export_document
from http_api.access import require_access
from http_api.endpoint import Api, json_response, path_uuid
from http_api.forwarding import forward_if_elsewhere
from http_api.keys import DB, ROOMS, SETTINGS
from http_api.pagination import PageQuery, dated_page, decode_cursor, timestamp_and_id
from http_api.principal import Principal
from http_api.v1.audit import record
from http_api.v1.fields import ONE_LINE
from http_api.versions import restore, take_point
from persistence import restore_points
from persistence.brainstorm import user_names
from persistence.restore_points import RestorePoint

__all__ = ["api"]

api = Api()
_TAGS = ("history",)
_ONE = "/v1/projects/{project_id}/versions/{version_id}"
_VERSION_ID = {"version_id": {"type": "string", "format": "uuid"}}


class Person(BaseModel):
    id: UUID
    name: str


class VersionOut(BaseModel):
    id: UUID
    created_at: datetime
    kind: str = Field(
        description="named, phase (the project's phase changed), reveal (before a brainstorm's "
        "reveal), activity (after a while of editing), bulk-delete (just before someone deleted "
        "many entries at once) or restore (just before a restore)"
    )
    name: str | None
    created_by: UUID | None
    present: list[Person] = Field(description="who had the project open")
    summary: dict[str, dict[str, int]] = Field(
        description='what changed since the previous point: {"ideas": {"added": 12, '
        '"removed": 0, "changed": 3}}'
    )
    size: int = Field(description="bytes stored")


class VersionPage(BaseModel):
    """Restore points, newest first; pass ``next_cursor`` back for older ones."""

    items: list[VersionOut]
    next_cursor: str | None


class VersionContent(VersionOut):
    document: dict[str, Any] = Field(
        description="the project's content as it was (the shape of GET .../document)"
    )


class VersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120, pattern=ONE_LINE)


class RestoreOut(BaseModel):
    restored: UUID = Field(description="the point restored")
    undo: UUID = Field(description="the point taken just before: restore it to undo this")
    changes: dict[str, dict[str, int]] = Field(description="what the restore changed, per root")


def _fields(point: RestorePoint, names: dict[UUID, str]) -> dict[str, Any]:
    """A point as the API shows it (who was there by name, deleted accounts left out)."""
    return {
        "id": point.id,
        "created_at": point.created_at,
        "kind": point.kind,
        "name": point.name,
        "created_by": point.created_by,
        "present": [{"id": user, "name": names[user]} for user in point.present if user in names],
        "summary": point.summary,
        "size": point.size,
    }


async def _outs(request: web.Request, points: list[RestorePoint]) -> list[dict[str, Any]]:
    people = {user for point in points for user in point.present}
    names = await user_names(request.app[DB], sorted(people)) if people else {}
    return [_fields(point, names) for point in points]


async def _point(request: web.Request, project_id: UUID) -> RestorePoint:
    version_id = path_uuid(request, "version_id")
    point = await restore_points.get(request.app[DB], project_id, version_id)
    if point is None:
        raise NotFound(msg("no such version: {id}", id=version_id))
    return point


@api.route(
    "GET", "/v1/projects/{project_id}/versions", summary="Restore points, newest first",
    tags=_TAGS, query=PageQuery, response=VersionPage,
)  # fmt: skip
async def list_versions(
    request: web.Request, principal: Principal, query: PageQuery
) -> VersionPage:
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    before = None if query.cursor is None else decode_cursor(query.cursor, timestamp_and_id)
    rows = await restore_points.page(request.app[DB], project_id, query.limit + 1, before)
    page, next_cursor = dated_page(rows, query.limit, lambda row: row)
    items = [VersionOut(**fields) for fields in await _outs(request, page)]
    return VersionPage(items=items, next_cursor=next_cursor)


@api.route(
    "GET", _ONE, summary="A restore point with the content as it was", tags=_TAGS,
    response=VersionContent, path_params=_VERSION_ID,
)  # fmt: skip
async def get_version(request: web.Request, principal: Principal) -> VersionContent:
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    point = await _point(request, project_id)
    stored = await restore_points.state_of(request.app[DB], project_id, point.id)
    assert stored is not None
    # Proportional to the whole document: in the node's worker process, off the rooms.
    document: dict[str, Any] = await request.app[ROOMS].offload(
        _document_of, stored, request.app[SETTINGS].max_nesting_depth
    )
    [fields] = await _outs(request, [point])
    return VersionContent(**fields, document=document)


def _document_of(stored: bytes, max_depth: int) -> dict[str, Any]:
    return export_document(doc_of_point(stored, max_depth))


@api.route(
    "POST", "/v1/projects/{project_id}/versions", summary="Take a named restore point",
    tags=_TAGS, body=VersionCreate, response=VersionOut, status=201,
)  # fmt: skip
async def create_version(
    request: web.Request, principal: Principal, body: VersionCreate
) -> web.Response:
    """Any member who writes may name a point ("after day 1")."""
    project_id = path_uuid(request, "project_id")
    access = await require_access(request, principal, project_id, Action.WRITE)
    await forward_if_elsewhere(request, project_id)
    point = await take_point(
        request.app, project_id, "named", name=body.name, by=principal.user_id, always=True
    )
    assert point is not None
    async with request.app[DB].acquire() as conn:
        await record(conn, request, principal, "project.version_created", access, target=point.id)
    [fields] = await _outs(request, [point])
    location = f"/v1/projects/{project_id}/versions/{point.id}"
    return json_response(VersionOut(**fields), status=201, headers={"Location": location})


@api.route(
    "POST", _ONE + "/restore", summary="Restore a point, as one forward change (owners)",
    tags=_TAGS, response=RestoreOut, path_params=_VERSION_ID,
)  # fmt: skip
async def restore_version(request: web.Request, principal: Principal) -> RestoreOut:
    """Everyone connected receives the restore as an ordinary edit; nobody is disconnected.
    The point taken just before it (``undo``) brings back what the restore replaced."""
    project_id = path_uuid(request, "project_id")
    access = await require_access(request, principal, project_id, Action.MANAGE)
    await forward_if_elsewhere(request, project_id)
    point = await _point(request, project_id)
    done = await restore(request.app, project_id, point, principal.user_id)
    async with request.app[DB].acquire() as conn:
        await record(
            conn, request, principal, "project.restored", access, target=point.id,
            undo=str(done.before.id),
        )  # fmt: skip
    return RestoreOut(restored=point.id, undo=done.before.id, changes=done.changes)
