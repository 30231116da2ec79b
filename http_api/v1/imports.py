"""``POST /v1/projects/import``: a new project from an archive made by an export.

The archive arrives as multipart/form-data (part ``file``), streamed to a private folder with
its size counted as it comes (at most the project quota plus room for the document), then
recreated by http_api/project_import.py: checked whole first, a new project owned by the
caller, files stored as uploads, fresh ids everywhere. Audited as ``project.imported``.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from pydantic import BaseModel

from collab.errors import PayloadTooLarge, UnsupportedMediaType
from collab.i18n import msg
from collab.permissions import Role
from http_api.access import Access
from http_api.endpoint import Api, json_response
from http_api.keys import DB, FILES, ROOMS, SETTINGS
from http_api.principal import Principal
from http_api.project_import import archive_limits, import_project
from http_api.v1.audit import record
from http_api.v1.files import stream_file_part
from http_api.v1.projects import ProjectOut, project_out
from persistence.conn import Conn
from persistence.projects import Project

__all__ = ["api", "ImportOut"]

api = Api()

#: The OpenAPI request body: the archive, as an upload.
_ARCHIVE_BODY: Final[dict[str, Any]] = {
    "required": True,
    "description": "multipart/form-data with the archive (the zip an `archive` export makes) "
    "in a part named `file`",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


class ImportOut(BaseModel):
    """The project an archive became, and what went into it."""

    project: ProjectOut
    artifacts: int
    files: int


@api.route(
    "POST", "/v1/projects/import", summary="Recreate a project from an exported archive",
    tags=("exports",), streamed_body=_ARCHIVE_BODY, response=ImportOut, status=201,
    errors=(409, 413, 415, 422, 507),
    headers={"Location": "the new project, /v1/projects/{id}"},
)  # fmt: skip
async def import_archive(request: web.Request, principal: Principal) -> web.Response:
    """The archive (format ``archive`` of an export) as multipart part ``file``. The caller
    owns the new project; 422 for an archive that is damaged or whose content does not pass
    the API's checks (nothing is created then)."""
    settings = request.app[SETTINGS]
    service = request.app[FILES]
    if request.content_type != "multipart/form-data":
        raise UnsupportedMediaType(
            msg("send the archive as multipart/form-data, in a part named file")
        )
    limit = archive_limits(settings).max_total_bytes
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        raise PayloadTooLarge(msg("the archive is larger than the limit of {limit} bytes",
                                  limit=limit))  # fmt: skip
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=service.incoming))
    try:
        received = workdir / "archive.zip"
        await stream_file_part(request, received, limit)

        async def audit(conn: Conn, project: Project) -> None:
            access = Access(project.id, Role.OWNER, Role.OWNER)
            await record(conn, request, principal, "project.imported", access, name=project.name)

        imported = await import_project(
            pool=request.app[DB], rooms=request.app[ROOMS], service=service, settings=settings,
            archive_path=received, owner_id=principal.user_id,
            max_owned=None if principal.is_admin else settings.max_projects_per_user,
            on_created=audit,
        )  # fmt: skip
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)
    out = ImportOut(
        project=project_out(imported.project, Role.OWNER, Role.OWNER),
        artifacts=imported.artifacts,
        files=imported.files,
    )
    return json_response(
        out, status=201, headers={"Location": f"/v1/projects/{imported.project.id}"}
    )
