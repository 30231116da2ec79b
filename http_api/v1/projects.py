"""/v1/projects: create, list, read, update and delete projects, and their stats.

Each response carrying a project has an ``ETag`` (its version, e.g. ``"3"``). ``PUT`` honours
``If-Match``: send the ETag you read and the update is refused with 412 if someone changed
the project since. ``If-Match`` is optional: a PUT without it overwrites unconditionally
(last writer wins), which keeps simple scripts simple; clients that edit what they display
should send it. ``PATCH`` changes only the fields sent, with the same ``If-Match``, audit
entry and events. ``GET`` honours ``If-None-Match`` with 304.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from collab.artifacts import KINDS, Phase
from collab.doc_view import CollectionView
from collab.errors import NotFound, PreconditionFailed
from collab.i18n import DEFAULT_LOCALE, msg
from collab.permissions import Action, Role, effective_role
from collab.schema import phase_counts
from http_api import revocation
from http_api.access import Access, project_access, require_access
from http_api.endpoint import Api, json_response, path_uuid
from http_api.events import announce, project_events
from http_api.i18n import LOCALES, LocaleTag
from http_api.keys import COMMITTER, DB, ROOMS, SETTINGS
from http_api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    dated_page,
    decode_cursor,
    timestamp_and_id,
)
from http_api.principal import Principal
from http_api.templates_service import choose, fill
from http_api.v1.audit import record
from http_api.v1.fields import Name, Timestamp
from http_api.versions import point_on
from persistence import projects
from persistence.projects import Project, ProjectLimitReached
from rooms.fair_share import Share, refused

__all__ = [
    "api",
    "ProjectOut",
    "project_out",
    "ProjectPage",
    "StatsOut",
    "RoleName",
    "MembershipRoleName",
    "role_name",
    "membership_name",
    "etag",
    "artifacts_per_phase",
]

api = Api()
_TAGS = ("projects",)
_ETAG = {"ETag": "the project's version as a strong entity tag, for If-Match"}

RoleName = Literal["admin", "owner", "member", "viewer"]
MembershipRoleName = Literal["owner", "member", "viewer"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProjectCreate(_Input):
    name: Name
    description: str = Field(default="", max_length=5000)
    phase: Phase = Field(
        default=Phase.EMPATHIZE,
        description="omitted: empathize, or the phase the template starts in",
    )
    language: LocaleTag | None = Field(
        default=None, description="the language the team works in; omitted: your account's"
    )
    template: str | None = Field(
        default=None,
        max_length=80,
        description="start from a template (GET /v1/templates): a built-in one's id, such "
        "as crazy-8s, or the id of one you saved; its content is written in the project's "
        "language",
    )


class ProjectUpdate(_Input):
    """The whole new state (PUT replaces it): an omitted optional field takes its default, the
    value a new project gets; change some fields only with PATCH."""

    name: Name
    description: str = Field(max_length=5000)
    phase: Phase
    archived: StrictBool = Field(default=False, description="archived (true) or active")
    language: LocaleTag | None = Field(
        default=None, description="the language the team works in; omitted: your account's"
    )
    viewers_can_export: StrictBool = Field(
        default=True, description="whether viewers may export the project"
    )


_EDITABLE = ("name", "description", "phase", "archived", "language", "viewers_can_export")


class ProjectPatch(_Input):
    """The fields to change (PATCH); those omitted stay as they are. ``null`` is refused:
    none of these fields can be empty."""

    name: Name | None = None
    description: str | None = Field(default=None, max_length=5000)
    phase: Phase | None = None
    archived: StrictBool | None = Field(default=None, description="archive (true) or restore")
    language: LocaleTag | None = Field(default=None, description="the team's language")
    viewers_can_export: StrictBool | None = Field(
        default=None, description="whether viewers may export the project"
    )

    @field_validator(*_EDITABLE)
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Only a field that was sent is validated: an omitted one stays None, unchanged.
        if value is None:
            raise ValueError("omit a field to leave it unchanged; null is not a value")
        return value


class ProjectListQuery(_Input):
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=200)
    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="name contains (any case)"
    )
    role: MembershipRoleName | None = Field(default=None, description="your membership role")
    phase: Phase | None = None
    created_after: Timestamp | None = Field(default=None, description="inclusive")
    created_before: Timestamp | None = Field(default=None, description="exclusive")
    archived: Literal["false", "true", "any"] = Field(
        default="false", description="active projects (default), archived ones, or both"
    )


class ProjectOut(BaseModel):
    """A project as the caller sees it."""

    id: UUID
    name: str
    description: str
    phase: Phase
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
    archived: bool
    language: LocaleTag = Field(description="the language the team works in")
    viewers_can_export: bool = Field(
        description="whether viewers may export the project (members and owners always may)"
    )
    role: RoleName = Field(description="the role you act with (admin for global admins)")
    membership: MembershipRoleName | None = Field(
        description="your role on the team; null for an admin who is not on it"
    )


class ProjectPage(BaseModel):
    """A page of projects, newest first; pass ``next_cursor`` back for the next one."""

    items: list[ProjectOut]
    next_cursor: str | None


class StatsQuery(_Input):
    days: int = Field(default=30, ge=1, le=366, description="activity window in days")


class ActivityDay(BaseModel):
    day: date
    updates: int


class Contributor(BaseModel):
    user_id: UUID
    name: str
    role: MembershipRoleName


class StatsOut(BaseModel):
    """What is known about a project's team and activity.

    ``contributors`` are the team members who may edit (owners and members): the update log
    does not record who made each update. ``activity`` counts updates per UTC day among those
    still in the update log; compaction folds older ones into the snapshot, counted in
    ``updates_compacted`` without their days.
    """

    project_id: UUID
    members_by_role: dict[MembershipRoleName, int]
    member_count: int
    contributors: list[Contributor]
    artifacts_per_phase: dict[str, int]
    activity: list[ActivityDay]
    updates_stored: int
    updates_compacted: int
    compacted_at: datetime | None
    last_update_at: datetime | None


def role_name(role: Role) -> RoleName:
    """A role as the API spells it."""
    return role.value


def membership_name(role: Role) -> MembershipRoleName:
    """A membership role as the API spells it (never ``admin``: that is an account role)."""
    assert role is not Role.ADMIN
    return cast(MembershipRoleName, role.value)


def etag(project: Project) -> str:
    """The strong ETag of a project's current version."""
    return f'"{project.version}"'


def project_out(project: Project, role: Role, membership: Role | None) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        description=project.description,
        phase=project.phase,
        created_by=project.created_by,
        created_at=project.created_at,
        updated_at=project.updated_at,
        version=project.version,
        archived=project.archived,
        language=project.language if project.language in LOCALES else DEFAULT_LOCALE,
        viewers_can_export=project.viewers_can_export,
        role=role_name(role),
        membership=None if membership is None else membership_name(membership),
    )


def _respond(project: Project, access: Access, status: int = 200) -> web.Response:
    return json_response(
        project_out(project, access.role, access.membership),
        status=status,
        headers={"ETag": etag(project)},
    )


def _matches(header: str, project: Project) -> bool:
    """RFC 9110 §13.1.1: ``*`` or a list of entity tags, compared strongly for If-Match."""
    if header.strip() == "*":
        return True
    return etag(project) in (tag.strip() for tag in header.split(","))


@api.route(
    "GET", "/v1/projects", summary="List your projects (admins: every project)", tags=_TAGS,
    guests=True, query=ProjectListQuery, response=ProjectPage,
)  # fmt: skip
async def list_projects(
    request: web.Request, principal: Principal, query: ProjectListQuery
) -> ProjectPage:
    after = None if query.cursor is None else decode_cursor(query.cursor, timestamp_and_id)
    rows = await projects.list_projects(
        request.app[DB],
        principal.user_id,
        every_project=principal.is_admin,
        limit=query.limit + 1,
        after=after,
        name_contains=query.q,
        role=None if query.role is None else Role(query.role),
        phase=query.phase,
        created_after=query.created_after,
        created_before=query.created_before,
        archived={"false": False, "true": True, "any": None}[query.archived],
    )
    page, next_cursor = dated_page(rows, query.limit, lambda row: row.project)
    items = []
    for row in page:
        role = effective_role(row.membership, principal.is_admin)
        assert role is not None  # non-admins list only projects they are members of
        items.append(project_out(row.project, role, row.membership))
    return ProjectPage(items=items, next_cursor=next_cursor)


@api.route(
    "POST", "/v1/projects", summary="Create a project (you become its owner)", tags=_TAGS,
    body=ProjectCreate, response=ProjectOut, status=201, headers=_ETAG, errors=(409,),
)  # fmt: skip
async def create_project(
    request: web.Request, principal: Principal, body: ProjectCreate
) -> web.Response:
    project_id = uuid.uuid4()
    # Admins run the instance: they are not held to an account's share.
    cap = None if principal.is_admin else request.app[SETTINGS].max_projects_per_user
    language = body.language or principal.user.locale
    chosen = (
        None
        if body.template is None
        else await choose(request.app[DB], principal.user_id, body.template, language)
    )
    phase = (
        chosen.phase if chosen is not None and "phase" not in body.model_fields_set else body.phase
    )
    async with request.app[DB].acquire() as conn, conn.transaction():
        try:
            project = await projects.create_project(
                conn, project_id, name=body.name, description=body.description,
                phase=phase, owner_id=principal.user_id, max_owned=cap, language=language,
            )  # fmt: skip
        except ProjectLimitReached:
            refused(Share.PROJECTS_PER_USER)
            raise
        acting = Role.ADMIN if principal.is_admin else Role.OWNER
        access = Access(project_id, acting, membership=Role.OWNER)
        started_from: dict[str, Any] = {} if body.template is None else {"template": body.template}
        await record(
            conn, request, principal, "project.created", access, name=body.name, **started_from
        )
        await project_events(conn, "project.created", project, principal.user_id)
    if chosen is not None:
        try:
            await fill(request.app[ROOMS], project_id, chosen)
        except BaseException:
            # a project half made from its template is not what was asked for: none is
            await asyncio.shield(_discard(request, project_id))
            raise
    announce(request)
    response = _respond(project, access, status=201)
    response.headers["Location"] = f"/v1/projects/{project_id}"
    return response


async def _discard(request: web.Request, project_id: UUID) -> None:
    """Take back a project just made whose template could not be written (as an import's)."""
    await projects.delete_project(request.app[DB], project_id)
    await request.app[COMMITTER].flush()
    await projects.purge_document(request.app[DB], project_id)


@api.route(
    "GET", "/v1/projects/{project_id}", summary="A project, with your role in it", tags=_TAGS,
    guests=True, response=ProjectOut, headers=_ETAG,
)  # fmt: skip
async def get_project(request: web.Request, principal: Principal) -> web.Response:
    project_id = path_uuid(request, "project_id")
    access = await project_access(request, principal, project_id)
    project = await projects.get_project(request.app[DB], project_id)
    if project is None:  # deleted between the two reads
        raise NotFound(msg("no such project: {project_id}", project_id=project_id))
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None and _matches(if_none_match.replace("W/", ""), project):
        return web.Response(status=304, headers={"ETag": etag(project)})
    return _respond(project, access)


@api.route(
    "PUT", "/v1/projects/{project_id}", summary="Replace a project's editable state",
    tags=_TAGS, body=ProjectUpdate, response=ProjectOut, headers=_ETAG, errors=(412,),
)  # fmt: skip
async def update_project(
    request: web.Request, principal: Principal, body: ProjectUpdate
) -> web.Response:
    """Every editable field is written: one left out takes the value a new project gets
    (not archived, viewers may export, your account's language)."""
    fields = body.model_dump()
    fields["language"] = body.language or principal.user.locale
    return await _change(request, principal, fields)


@api.route(
    "PATCH", "/v1/projects/{project_id}", summary="Change some fields of a project",
    tags=_TAGS, body=ProjectPatch, response=ProjectOut, headers=_ETAG, errors=(412,),
)  # fmt: skip
async def patch_project(
    request: web.Request, principal: Principal, body: ProjectPatch
) -> web.Response:
    """Only the fields sent change; an empty body changes nothing (the version stays)."""
    return await _change(request, principal, body.model_dump(exclude_unset=True))


async def _change(
    request: web.Request, principal: Principal, fields: Mapping[str, Any]
) -> web.Response:
    """Write ``fields`` over the project, under If-Match, with its audit entry and events."""
    project_id = path_uuid(request, "project_id")
    if_match = request.headers.get("If-Match")
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        current = await projects.lock_project(conn, project_id)
        if current is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        if if_match is not None and not _matches(if_match, current):
            raise PreconditionFailed(
                msg(
                    "If-Match {if_match} does not match the current ETag {etag}: "
                    "someone changed the project; read it again",
                    if_match=if_match[:60],
                    etag=etag(current),
                )
            )
        if not fields:
            return _respond(current, access)
        project = await projects.update_project(
            conn, project_id,
            name=fields.get("name", current.name),
            description=fields.get("description", current.description),
            phase=fields.get("phase", current.phase),
            archived=fields.get("archived", current.archived),
            language=fields.get("language"),
            viewers_can_export=fields.get("viewers_can_export"),
        )  # fmt: skip
        changed = [f for f in _EDITABLE if getattr(current, f) != getattr(project, f)]
        await record(
            conn, request, principal, "project.updated", access,
            fields=changed, version=project.version,
        )  # fmt: skip
        await project_events(
            conn, "project.updated", project, principal.user_id, before=current, fields=changed
        )
    announce(request)
    if "phase" in changed:
        name = f"{current.phase} → {project.phase}"
        await point_on(request.app, project_id, "phase", name=name, by=principal.user_id)
    return _respond(project, access)


@api.route(
    "DELETE", "/v1/projects/{project_id}", summary="Delete a project and its document",
    tags=_TAGS, status=204,
)  # fmt: skip
async def delete_project(request: web.Request, principal: Principal) -> None:
    project_id = path_uuid(request, "project_id")
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        project = await projects.delete_project(conn, project_id)
        if project is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        await record(conn, request, principal, "project.deleted", access, name=project.name)
        await project_events(conn, "project.deleted", project, principal.user_id)
        revoked = await revocation.record(conn, reason="project deleted", project_id=project_id)
    # After the commit: a socket admitted from now on finds no project.
    revocation.announce(request.app, revoked)
    announce(request)
    # Updates of this room still queued in this node's group commit would land after the
    # DELETE: let them land, then erase again, so a deleted project leaves no content behind.
    await request.app[COMMITTER].flush()
    await projects.purge_document(request.app[DB], project_id)


@api.route(
    "GET", "/v1/projects/{project_id}/stats", guests=True, summary="A project's team and activity",
    tags=_TAGS, query=StatsQuery, response=StatsOut,
)  # fmt: skip
async def project_stats(request: web.Request, principal: Principal, query: StatsQuery) -> StatsOut:
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    db = request.app[DB]
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=query.days - 1)
    stats = await projects.project_stats(db, project_id, since=since)
    team = await projects.list_members(db, project_id)
    return StatsOut(
        project_id=project_id,
        members_by_role={membership_name(r): n for r, n in stats.members_by_role.items()},
        member_count=len(team),
        contributors=[
            Contributor(user_id=m.user_id, name=m.name, role=membership_name(m.role))
            for m in team
            if m.role is not Role.VIEWER
        ],
        artifacts_per_phase=await artifacts_per_phase(request, project_id),
        activity=[ActivityDay(day=day, updates=n) for day, n in stats.activity],
        updates_stored=stats.updates_stored,
        updates_compacted=stats.updates_compacted,
        compacted_at=stats.compacted_at,
        last_update_at=stats.last_update_at,
    )


async def artifacts_per_phase(request: web.Request, project_id: UUID) -> dict[str, int]:
    """Artifacts (personas, ideas, prototypes...) per phase, counted in the live document.

    The artifacts live only in the project's Yjs document, never in the tables, so this opens
    the room (or reads it if it is already open on this node) and counts its typed views
    (built in slices the first time, then kept current: rooms/doc_views.py).
    """

    def count(_doc: Any, views: Mapping[str, CollectionView]) -> dict[str, int]:
        return phase_counts({KINDS[c]: view.count for c, view in views.items()})

    counted: dict[str, int] = await request.app[ROOMS].read_views(
        str(project_id), tuple(KINDS.values()), count
    )
    return counted
