"""/v1/auth/me/export: a person's own data, as a zip they download (LGPD art. 18).

What the zip holds and for how long it is kept: http_api/personal_export.py, docs/privacy.md.
One export is made at a time per person: asking again while one is being made answers that one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import uuid4

from aiohttp import web
from pydantic import BaseModel

from collab.errors import Conflict, NotFound
from collab.i18n import msg
from http_api.endpoint import Api, json_response, path_uuid
from http_api.keys import DB, PERSONAL_EXPORTS, SETTINGS
from http_api.principal import Principal
from http_api.v1.files import serve_blob
from persistence import personal_exports
from persistence.blobs import personal_export_key
from persistence.personal_exports import PersonalExport

__all__ = ["PersonalExportOut", "api"]

api = Api()
_TAGS = ("auth",)
_ONE: Final = "/v1/auth/me/export/{export_id}"


class PersonalExportOut(BaseModel):
    """An export of your own data: ``status`` pending, running, done or failed; ``progress``
    from 0 to 1; ``download_url`` once done, until ``expires_at``."""

    id: str
    status: str
    progress: float
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    size: int | None
    download_url: str | None


_STILL_RUNNING: Final[dict[str, Any]] = {
    "description": "the export is under way: poll the Location until status is done or failed",
    "headers": {"Location": {"description": "the export", "schema": {"type": "string"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonalExportOut"}}},
}


def _out(job: PersonalExport) -> PersonalExportOut:
    return PersonalExportOut(
        id=str(job.id), status=job.status, progress=job.progress, error=job.error,
        created_at=job.created_at, finished_at=job.finished_at, expires_at=job.expires_at,
        size=job.size,
        download_url=f"/v1/auth/me/export/{job.id}/download" if job.status == "done" else None,
    )  # fmt: skip


def _no_such(export_id: Any) -> NotFound:
    return NotFound(msg("no such export: {export_id}", export_id=export_id))


@api.route(
    "POST", "/v1/auth/me/export",
    summary="Export everything the server keeps about you (a zip; one at a time)",
    tags=_TAGS, response=PersonalExportOut, status=201,
    headers={"Location": "the export, /v1/auth/me/export/{export_id}"},
    raw_responses={"202": _STILL_RUNNING},
)  # fmt: skip
async def export_my_data(request: web.Request, principal: Principal) -> web.Response:
    """201 with the finished export when it is ready within ``DTTOOLS_EXPORT_WAIT_S``, else
    202; poll ``Location`` until ``status`` is done, then follow ``download_url``."""
    settings = request.app[SETTINGS]
    service = request.app[PERSONAL_EXPORTS]
    job = await personal_exports.unfinished(request.app[DB], principal.user_id)
    if job is None:
        expires = datetime.now(UTC) + timedelta(seconds=service.retention_s + 3600)
        job = await personal_exports.create(request.app[DB], uuid4(), principal.user_id, expires)
        assert principal.user.email is not None  # guests may not export (Endpoint.guests)
        service.start(job, principal.user.email)
    await service.wait(job.id, settings.export_wait_s)
    job = await personal_exports.get(request.app[DB], principal.user_id, job.id) or job
    status = 201 if job.status == "done" else 202
    headers = {"Location": f"/v1/auth/me/export/{job.id}"}
    return json_response(_out(job), status=status, headers=headers)


@api.route("GET", _ONE, summary="One of your data exports", tags=_TAGS, response=PersonalExportOut)
async def get_my_data_export(request: web.Request, principal: Principal) -> PersonalExportOut:
    export_id = path_uuid(request, "export_id")
    job = await personal_exports.get(request.app[DB], principal.user_id, export_id)
    if job is None:  # someone else's export looks exactly like a missing one
        raise _no_such(export_id)
    return _out(job)


@api.route(
    "GET", _ONE + "/download", summary="Download a finished export of your data (a zip)",
    tags=_TAGS, errors=(409,),
    raw_responses={
        "200": {"description": "the zip, as an attachment",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
        "302": {"description": "S3 storage: a redirect to a signed URL"},
        "304": {"description": "If-None-Match names the current ETag"},
    },
)  # fmt: skip
async def download_my_data_export(request: web.Request, principal: Principal) -> web.StreamResponse:
    """409 while the export is not done (see its ``status``)."""
    export_id = path_uuid(request, "export_id")
    job = await personal_exports.get(request.app[DB], principal.user_id, export_id)
    if job is None:
        raise _no_such(export_id)
    if job.status != "done" or job.sha256 is None:
        raise Conflict(msg("the export is not ready: it is {status}", status=job.status))
    return await serve_blob(
        request, key=personal_export_key(principal.user_id, export_id),
        name=f"dttools-my-data-{job.created_at:%Y-%m-%d}.zip", media_type="application/zip",
        size=job.size or 0, etag=f'"{job.sha256}"', missing=_no_such(export_id),
    )  # fmt: skip
