"""/v1 exports: a project as PDF, PPTX, CSV, JSON or a lossless archive (docs/exports.md).

``POST /v1/projects/{id}/export`` starts a job and waits a moment (``DTTOOLS_EXPORT_WAIT_S``)
for it: a small project answers 201 with the finished export and its ``download_url``, a big
one 202 with the job to poll (``GET .../exports/{export_id}``: ``status``, ``progress``,
``stage``). Every export shows one state of the project and says which (``taken_at``,
``state_hash``).

Who may export: owners and members always; viewers when the project allows it
(``viewers_can_export``, on by default, set by owners with ``PUT /v1/projects/{id}``). The
same rule covers reading an export's status and downloading it. Requests and downloads are
audited (``export.requested``, ``export.downloaded``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from typing import Any, Final, Literal
from uuid import UUID, uuid4

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.artifacts import Phase
from collab.errors import Conflict, NotFound, PermissionDenied, RateLimited
from collab.export_html import render_html
from collab.export_report import Scope, build_report
from collab.i18n import Text, msg
from collab.permissions import Action, Role, require
from http_api.access import Access, Source, project_access
from http_api.endpoint import Api, json_response, path_uuid
from http_api.export_render import FORMATS, MEDIA_TYPES
from http_api.export_snapshot import take_snapshot
from http_api.i18n import LocaleTag, reader_locale, translate
from http_api.keys import DB, EXPORTS, ROOMS
from http_api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    dated_page,
    decode_cursor,
    timestamp_and_id,
)
from http_api.principal import Principal
from http_api.static import FONTS_PATH
from http_api.v1.audit import record
from http_api.v1.files import serve_blob
from persistence import brainstorm, exports, projects
from persistence.blobs import export_key
from persistence.exports import ExportJob

__all__ = ["api", "ExportRequest", "ExportOut", "ExportPage", "require_export"]

api = Api()
_TAGS = ("exports",)
_ONE = "/v1/projects/{project_id}/exports/{export_id}"

#: What a failed export's ``error`` code means, in the reader's language.
_ERROR_TEXTS: Final[dict[str, Text]] = {
    "node_stopped": msg("the server running this export stopped; start it again"),
    "project_gone": msg("the project was deleted while it was exported"),
    "render_failed": msg("the export could not be made; start it again or tell an admin"),
    "storage_failed": msg("the export could not be stored; start it again or tell an admin"),
}

Format = Literal["pdf", "pptx", "csv", "json", "archive"]
assert set(Format.__args__) == set(FORMATS)  # type: ignore[attr-defined]


class ExportRequest(BaseModel):
    """What to export: a format and, optionally, some phases or one brainstorm session."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    format: Format
    phases: list[Phase] | None = Field(
        default=None, min_length=1, max_length=5, description="only these phases; omitted: all"
    )
    session_id: UUID | None = Field(
        default=None,
        description="only this ended brainstorm session's results (and its votes on the board)",
    )
    language: LocaleTag | None = Field(
        default=None, description="language of the headings; omitted: the project's language"
    )


class ExportScope(BaseModel):
    phases: list[Phase] | None
    session_id: UUID | None


class ExportOut(BaseModel):
    """An export job and, once done, its file."""

    id: UUID
    project_id: UUID
    format: Format
    scope: ExportScope
    language: str
    status: Literal["pending", "running", "done", "failed"]
    progress: float = Field(description="0 to 1")
    stage: str = Field(description="queued, snapshot, rendering, storing, done or failed")
    error: str | None = Field(description="failed only: node_stopped, project_gone, "
                              "render_failed or storage_failed")  # fmt: skip
    error_detail: str | None = Field(description="the error, in the reader's language")
    requested_by: UUID | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime = Field(description="the export and its file are deleted then")
    taken_at: datetime | None = Field(description="the instant of the state it shows")
    state_hash: str | None = Field(description="a short hash of the content it shows")
    file_name: str | None
    media_type: str | None
    size: int | None
    sha256: str | None
    download_url: str | None = Field(description="set once done")


class ExportPage(BaseModel):
    """A page of a project's exports, newest first."""

    items: list[ExportOut]
    next_cursor: str | None


class ExportListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=200)


def _out(job: ExportJob, locale: str) -> ExportOut:
    error = _ERROR_TEXTS.get(job.error or "")
    return ExportOut(
        id=job.id,
        project_id=job.project_id,
        format=job.format,  # type: ignore[arg-type]  # the table's CHECK
        scope=ExportScope(phases=job.scope.get("phases"), session_id=job.scope.get("session_id")),
        language=job.language,
        status=job.status,  # type: ignore[arg-type]
        progress=round(job.progress, 3),
        stage=job.stage,
        error=job.error,
        error_detail=None if error is None else translate(error, locale),
        requested_by=job.requested_by,
        created_at=job.created_at,
        finished_at=job.finished_at,
        expires_at=job.expires_at,
        taken_at=job.taken_at,
        state_hash=job.state_hash,
        file_name=job.file_name,
        media_type=job.media_type,
        size=job.size,
        sha256=job.sha256,
        download_url=f"{_ONE.format(project_id=job.project_id, export_id=job.id)}/download"
        if job.status == "done"
        else None,
    )


async def require_export(source: Source, principal: Principal, project_id: UUID) -> Access:
    """The caller's access, if they may export the project (see the module's doc).

    Raises:
        NotFound: no such project, or the caller is not on its team.
        PermissionDenied: a viewer, and the project keeps exports to its members.
    """
    access = await project_access(source, principal, project_id)
    if access.role is Role.VIEWER:
        db = source.app[DB] if isinstance(source, web.Request) else source
        project = await projects.get_project(db, project_id)
        if project is None or not project.viewers_can_export:
            raise PermissionDenied(msg("viewers may not export this project"))
        return access
    require(access.role, Action.EXPORT)
    return access


def _no_such_export(export_id: UUID) -> NotFound:
    return NotFound(msg("no such export: {id} (finished exports are deleted after a while)",
                        id=export_id))  # fmt: skip


#: The other success of a start: the job, not done yet (same body, ``status`` not ``done``).
_STILL_RUNNING: Final[dict[str, Any]] = {
    "description": "the export is under way: poll the Location until status is done or failed",
    "headers": {"Location": {"description": "the export", "schema": {"type": "string"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportOut"}}},
}


@api.route(
    "POST", "/v1/projects/{project_id}/export", summary="Export the project (PDF, PPTX, CSV, "
    "JSON or archive)", tags=_TAGS, body=ExportRequest, response=ExportOut, status=201,
    errors=(409, 429), raw_responses={"202": _STILL_RUNNING},
    headers={"Location": "the export, /v1/projects/{id}/exports/{export_id}"},
)  # fmt: skip
async def start_export(
    request: web.Request, principal: Principal, body: ExportRequest
) -> web.Response:
    """Answers 201 with the finished export when it is ready within DTTOOLS_EXPORT_WAIT_S,
    else 202 with the job to poll. 409 for a session that has not ended, 429 when the project
    already has DTTOOLS_EXPORT_MAX_UNFINISHED exports under way."""
    project_id = path_uuid(request, "project_id")
    service = request.app[EXPORTS]
    settings = service.settings
    scope: dict[str, object] = {}
    if body.phases:
        scope["phases"] = sorted({phase.value for phase in body.phases},
                                 key=[p.value for p in Phase].index)  # fmt: skip
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_export(conn, principal, project_id)
        if body.session_id is not None:
            session, _now = await brainstorm.read_session(conn, project_id, body.session_id)
            if session.results is None:
                raise Conflict(msg("this brainstorm session has no results yet: end it first"))
            scope["session_id"] = str(body.session_id)
        project = await projects.lock_project(conn, project_id)  # one count at a time
        if project is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        if await exports.unfinished_count(conn, project_id) >= settings.export_max_unfinished:
            raise RateLimited(
                msg("this project already has exports under way; try again when one is done"),
                retry_after_s=5.0,
            )
        job = await exports.create_export(
            conn, uuid4(), project_id, format=body.format, scope=scope,
            language=body.language or project.language, requested_by=principal.user_id,
            keep_s=settings.export_retention_s,
        )  # fmt: skip
        await record(
            conn, request, principal, "export.requested", access, target=job.id,
            format=job.format, scope=scope,
        )  # fmt: skip
    service.start(job)
    await service.wait(job.id, settings.export_wait_s)
    current = await exports.get_export(request.app[DB], project_id, job.id) or job
    location = _ONE.format(project_id=project_id, export_id=job.id)
    return json_response(
        _out(current, reader_locale(request)),
        status=201 if current.status == "done" else 202,
        headers={"Location": location},
    )


@api.route(
    "GET", _ONE, summary="An export: status, progress and, once done, its download link",
    tags=_TAGS, response=ExportOut,
)  # fmt: skip
async def get_export(request: web.Request, principal: Principal) -> ExportOut:
    project_id = path_uuid(request, "project_id")
    export_id = path_uuid(request, "export_id")
    await require_export(request, principal, project_id)
    job = await exports.get_export(request.app[DB], project_id, export_id)
    if job is None:
        raise _no_such_export(export_id)
    return _out(job, reader_locale(request))


@api.route(
    "GET", "/v1/projects/{project_id}/exports", summary="The project's exports, newest first",
    tags=_TAGS, query=ExportListQuery, response=ExportPage,
)  # fmt: skip
async def list_exports(
    request: web.Request, principal: Principal, query: ExportListQuery
) -> ExportPage:
    project_id = path_uuid(request, "project_id")
    await require_export(request, principal, project_id)
    before = None if query.cursor is None else decode_cursor(query.cursor, timestamp_and_id)
    rows = await exports.list_exports(
        request.app[DB], project_id, limit=query.limit + 1, before=before
    )
    page, next_cursor = dated_page(rows, query.limit, lambda row: row)
    locale = reader_locale(request)
    return ExportPage(items=[_out(job, locale) for job in page], next_cursor=next_cursor)


_BINARY: Final = {"schema": {"type": "string", "format": "binary"}}
_DOWNLOAD_RESPONSES: Final[dict[str, dict[str, Any]]] = {
    "200": {
        "description": "the file (local storage), as an attachment, typed by its format",
        "content": {
            media_type: {"schema": {"type": "object"}}
            if media_type == "application/json"
            else _BINARY
            for media_type in sorted(set(MEDIA_TYPES.values()))
        },
    },
    "302": {"description": "S3 storage: a redirect to a signed URL"},
    "304": {"description": "If-None-Match names the current ETag"},
}


@api.route(
    "GET", _ONE + "/download", summary="Download a finished export", tags=_TAGS,
    raw_responses=_DOWNLOAD_RESPONSES, errors=(409,),
)  # fmt: skip
async def download_export(request: web.Request, principal: Principal) -> web.StreamResponse:
    """409 while the export is not done (see its ``status``)."""
    project_id = path_uuid(request, "project_id")
    export_id = path_uuid(request, "export_id")
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_export(conn, principal, project_id)
        job = await exports.get_export(conn, project_id, export_id)
        if job is None:
            raise _no_such_export(export_id)
        if job.status != "done" or job.file_name is None or job.media_type is None:
            raise Conflict(msg("the export is not ready: it is {status}", status=job.status))
        await record(
            conn, request, principal, "export.downloaded", access, target=job.id,
            format=job.format,
        )  # fmt: skip
    return await serve_blob(
        request, key=export_key(project_id, export_id), name=job.file_name,
        media_type=job.media_type, size=job.size or 0, etag=f'"{job.sha256}"',
        missing=_no_such_export(export_id),
    )  # fmt: skip


class PrintQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    phases: Phase | None = Field(default=None, description="only this phase; omitted: all")


#: The print view is a document of its own: its inline style and the shipped fonts, nothing
#: else (no script at all: the reader prints with the browser's own command).
PRINT_CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@api.route(
    "GET", "/v1/projects/{project_id}/print", summary="A printable page of the project",
    tags=_TAGS, query=PrintQuery,
    raw_responses={"200": {"description": "the report as one HTML page (what the PDF shows)",
                           "content": {"text/html": {"schema": {"type": "string"}}}}},
)  # fmt: skip
async def print_view(request: web.Request, principal: Principal, query: PrintQuery) -> web.Response:
    """The same report as the PDF export, laid out for the screen and the browser's Print,
    taken from the live document now. Allowed to whoever may export."""
    project_id = path_uuid(request, "project_id")
    await require_export(request, principal, project_id)
    service = request.app[EXPORTS]
    async with service.print_slots:  # a burst of print views waits its turn
        snapshot = await take_snapshot(
            request.app[DB], request.app[ROOMS], service.store, project_id
        )
    phases = frozenset(Phase) if query.phases is None else frozenset({query.phases})
    report = build_report(snapshot.source, Scope(phases=phases))
    tr = partial(translate, locale=snapshot.source.project.language)
    page = await asyncio.to_thread(render_html, report, tr, font_url=FONTS_PATH)
    return web.Response(
        text=page,
        content_type="text/html",
        headers={"Content-Security-Policy": PRINT_CSP, "Cache-Control": "private, no-store"},
    )
