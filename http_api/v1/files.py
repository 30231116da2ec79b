"""/v1 files: upload, list, describe, download and delete a project's files and images.

An upload is streamed to a temporary file under the data folder with its size limit counted as
the bytes arrive, so nothing is ever held whole in memory and the JSON body limit
(``client_max_size``, which aiohttp applies only to bodies read whole) does not apply. The
file is then checked by its content, never by its name or Content-Type (http_api/
file_content.py: sniffed against an allow-list, images decoded and re-encoded with a
thumbnail), in a worker thread and at most ``DTTOOLS_FILES_MAX_CONCURRENT`` at a time, and
stored (persistence/files.py: bytes first, row after).

Bytes are served only to members of the file's project, with the sniffed type, ``nosniff``,
a sandboxing CSP and a Content-Disposition that never lets a file act as a page of ours; in S3
mode the answer is a redirect to a short-lived signed URL on the bucket's origin instead. A
file of a project the caller is not in is reported exactly like a missing one.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from uuid import UUID

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, ConfigDict, Field

from collab.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from collab.i18n import msg
from collab.permissions import Action, require
from http_api.access import Access, project_access, require_access
from http_api.endpoint import Api, not_modified, path_uuid
from http_api.file_content import (
    ALLOWED_MEDIA_TYPES,
)
from http_api.files_service import keep_upload
from http_api.keys import DB, FILES
from http_api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    dated_page,
    decode_cursor,
    timestamp_and_id,
)
from http_api.principal import Principal
from http_api.problems import InvalidRequest
from http_api.v1.audit import record
from persistence import files
from persistence.blobs import BlobMissing, attachment_disposition
from persistence.conn import Conn
from persistence.files import StoredFile

__all__ = [
    "api",
    "FileOut",
    "FilePage",
    "UPLOAD_BODY",
    "FILE_CSP",
    "receive_upload",
    "serve_blob",
    "stream_file_part",
]

api = Api()
_TAGS = ("files",)
_CHUNK: Final = 64 * 1024
#: Bytes of a multipart body that are not the file: boundaries, part headers, small fields.
_ENVELOPE: Final = 64 * 1024
#: Served files are documents of their own: no script, no plugin, no form, no same origin,
#: whatever a browser makes of the bytes (an SVG or HTML can never get this far, but a PDF
#: viewer or a future sniffing bug should find nothing to run either).
FILE_CSP: Final = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
_BINARY = {"type": "string", "format": "binary"}

#: The OpenAPI request body of every upload route (this one and the convenience routes).
UPLOAD_BODY: Final[dict[str, Any]] = {
    "required": True,
    "description": "multipart/form-data with the file in a part named `file` (JPEG, PNG, GIF, "
    "WebP or PDF, checked by content; at most DTTOOLS_FILES_MAX_BYTES)",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": _BINARY},
            }
        }
    },
}
_CONTENT_HEADERS = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in {
        "ETag": "the content's SHA-256, for If-None-Match",
        "Content-Disposition": "inline for images, attachment for PDFs",
        "Content-Security-Policy": "a sandbox: nothing in the file can run on this origin",
    }.items()
}


def _content_responses(media_types: list[str]) -> dict[str, dict[str, Any]]:
    return {
        "200": {
            "description": "the bytes (local storage)",
            "headers": _CONTENT_HEADERS,
            "content": {media_type: {"schema": _BINARY} for media_type in media_types},
        },
        "302": {
            "description": "S3 storage: a redirect to a signed URL valid DTTOOLS_S3_URL_TTL_S",
            "headers": {"Location": {"description": "the signed URL", "schema": _BINARY}},
        },
        "304": {"description": "If-None-Match names the current ETag: not modified"},
    }


class FileOut(BaseModel):
    """A stored file: what it is (as sniffed, never as named by the uploader) and where."""

    id: UUID
    project_id: UUID
    name: str = Field(description="a safe download name, with the extension of its real type")
    media_type: str = Field(description="the sniffed type: image/jpeg, image/png, image/gif, "
                            "image/webp or application/pdf")  # fmt: skip
    size: int = Field(description="bytes of the stored content (images: re-encoded)")
    sha256: str = Field(description="hex SHA-256 of the stored content")
    width: int | None = Field(description="images only, in pixels")
    height: int | None = Field(description="images only, in pixels")
    has_thumbnail: bool
    created_by: UUID | None
    created_at: datetime
    content_url: str
    thumbnail_url: str | None = Field(description="null when the file has no thumbnail")


class FilePage(BaseModel):
    """A page of files, newest first; pass ``next_cursor`` back for the next one."""

    items: list[FileOut]
    next_cursor: str | None


class FileListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=200)


def file_out(row: StoredFile) -> FileOut:
    """The API's view of a stored file."""
    return FileOut(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        width=row.width,
        height=row.height,
        has_thumbnail=row.thumbnail_size is not None,
        created_by=row.created_by,
        created_at=row.created_at,
        content_url=f"/v1/files/{row.id}/content",
        thumbnail_url=None if row.thumbnail_size is None else f"/v1/files/{row.id}/thumbnail",
    )


def _no_such_file(file_id: UUID) -> NotFound:
    return NotFound(msg("no such file: {id}", id=file_id))


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(msg("the file is larger than the limit of {limit} bytes", limit=limit))


# --- upload ------------------------------------------------------------------------------------


async def stream_file_part(request: web.Request, dest: Path, limit: int) -> str:
    """Write the ``file`` part to ``dest``, counting bytes as they come; the name it was sent
    with ("" if none).

    Raises:
        PayloadTooLarge: the file passed ``limit`` bytes (nothing more is read).
        InvalidRequest: the body is not a readable multipart body with a ``file`` part.
    """
    try:
        reader = await request.multipart()
        skipped = 0
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise InvalidRequest(msg("nested multipart bodies are not accepted"))
            if part.name != "file":
                while chunk := await part.read_chunk(_CHUNK):
                    skipped += len(chunk)
                    if skipped > _ENVELOPE:
                        raise InvalidRequest(
                            msg("the multipart body has too much besides the part named file")
                        )
                continue
            await _write_part(part, dest, limit)
            return part.filename or ""
    except (ValueError, AssertionError, HttpProcessingError) as exc:
        # aiohttp's words for a malformed body (no boundary, bad part headers...)
        if isinstance(exc, InvalidRequest):
            raise
        raise InvalidRequest(
            msg("the multipart body could not be read: {error}", error=str(exc))
        ) from None
    raise InvalidRequest(msg("the multipart body has no part named file"))


async def _write_part(part: BodyPartReader, dest: Path, limit: int) -> None:
    received = 0
    with dest.open("wb") as out:
        while chunk := await part.read_chunk(_CHUNK):
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            # 64 KiB at a time into the page cache: shorter than a thread hop
            out.write(chunk)


async def receive_upload(request: web.Request, principal: Principal, project_id: UUID) -> FileOut:
    """Receive, check and store the upload of ``request`` into the project's files.

    The upload route and the convenience routes (http_api/v1/file_links.py) all come here:
    the caller must be allowed to write to the project (viewers 403, non-members 404).

    Raises:
        UnsupportedMediaType: not a multipart body, or a file of a type not accepted.
        PayloadTooLarge: over DTTOOLS_FILES_MAX_BYTES, or an image over the pixel limit.
        QuotaExceeded: the project's files would pass DTTOOLS_FILES_QUOTA_BYTES.
    """
    access = await require_access(request, principal, project_id, Action.WRITE)
    service = request.app[FILES]
    settings = service.settings
    if request.content_type != "multipart/form-data":
        raise UnsupportedMediaType(
            msg("send the file as multipart/form-data, in a part named file")
        )
    limit = settings.files_max_bytes
    length = request.content_length
    if length is not None and length > limit + _ENVELOPE:
        raise _too_large(limit)
    workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=service.incoming))
    try:
        upload = workdir / "upload"
        sent_name = await stream_file_part(request, upload, limit)

        async def audit(conn: Conn, row: StoredFile) -> None:
            await record(
                conn, request, principal, "file.uploaded", access, target=row.id,
                name=row.name, media_type=row.media_type, size=row.size, sha256=row.sha256,
            )  # fmt: skip

        stored = await keep_upload(
            service, request.app[DB], upload=upload, workdir=workdir, sent_name=sent_name,
            project_id=project_id, created_by=principal.user_id, on_insert=audit,
        )  # fmt: skip
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)
    return file_out(stored)


@api.route(
    "POST", "/v1/projects/{project_id}/files", guests=True,
    summary="Upload a file or image (multipart, part `file`)", tags=_TAGS,
    streamed_body=UPLOAD_BODY, response=FileOut, status=201, errors=(507,),
    headers={"Location": "the file resource, /v1/files/{id}"},
)  # fmt: skip
async def upload_file(request: web.Request, principal: Principal) -> web.Response:
    """Streamed, checked by content (JPEG, PNG, GIF, WebP, PDF), images re-encoded without
    their metadata and given a thumbnail. 413 past DTTOOLS_FILES_MAX_BYTES or
    DTTOOLS_FILES_MAX_PIXELS, 415 for any other type, 507 past the project's quota."""
    project_id = path_uuid(request, "project_id")
    out = await receive_upload(request, principal, project_id)
    return web.json_response(
        text=out.model_dump_json(), status=201, headers={"Location": f"/v1/files/{out.id}"}
    )


# --- reading -----------------------------------------------------------------------------------


@api.route(
    "GET", "/v1/projects/{project_id}/files", summary="List the project's files, newest first",
    guests=True, tags=_TAGS, query=FileListQuery, response=FilePage,
)  # fmt: skip
async def list_files(request: web.Request, principal: Principal, query: FileListQuery) -> FilePage:
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    before = None if query.cursor is None else decode_cursor(query.cursor, timestamp_and_id)
    rows = await files.list_files(request.app[DB], project_id, limit=query.limit + 1, before=before)
    page, next_cursor = dated_page(rows, query.limit, lambda row: row)
    return FilePage(items=[file_out(row) for row in page], next_cursor=next_cursor)


async def _locate(
    request: web.Request, principal: Principal, action: Action
) -> tuple[StoredFile, Access]:
    """The file of the path and the caller's access to its project.

    A file of a project the caller is not in is NotFound, with the same words as a missing
    one (the project's id is never named); a member whose role does not allow ``action``
    gets PermissionDenied.
    """
    file_id = path_uuid(request, "file_id")
    row = await files.get_file(request.app[DB], file_id)
    if row is None:
        raise _no_such_file(file_id)
    try:
        access = await project_access(request, principal, row.project_id)
    except NotFound:
        raise _no_such_file(file_id) from None
    require(access.role, action)
    return row, access


@api.route(
    "GET", "/v1/files/{file_id}", summary="Describe a file", tags=_TAGS, response=FileOut,
guests=True, )  # fmt: skip
async def get_file(request: web.Request, principal: Principal) -> FileOut:
    row, _access = await _locate(request, principal, Action.READ)
    return file_out(row)


async def serve_blob(
    request: web.Request,
    *,
    key: str,
    name: str,
    media_type: str,
    size: int,
    etag: str,
    missing: NotFound,
) -> web.StreamResponse:
    """Answer with a stored blob: 304 for its ETag, a signed URL in S3 mode, else the bytes.

    Images are ``inline``, everything else an ``attachment`` named ``name``; a sandboxing
    CSP and ``nosniff`` keep the bytes from ever acting as a page of ours. ``missing`` is
    raised when the blob is not in the store (404, before any byte is sent).
    """
    service = request.app[FILES]
    cache = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if not_modified(request, etag):
        return web.Response(status=304, headers=cache)
    if service.s3:
        url = await service.store.signed_url(
            key, filename=name, media_type=media_type, ttl_s=service.settings.s3_url_ttl_s
        )
        if url is not None:
            # The URL works for anyone who has it until it expires: never keep it in a cache.
            return web.Response(
                status=302, headers={"Location": url, "Cache-Control": "private, no-store"}
            )
    disposition = attachment_disposition(name)
    if media_type.startswith("image/"):
        disposition = "inline" + disposition.removeprefix("attachment")
    chunks = aiter(service.store.read(key))
    try:
        first = await anext(chunks, b"")
    except BlobMissing:
        raise missing from None
    response = web.StreamResponse(
        status=200,
        headers={
            **cache,
            "Content-Disposition": disposition,
            "Content-Security-Policy": FILE_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )
    response.content_type = media_type
    response.content_length = size
    await response.prepare(request)
    await response.write(first)
    async for chunk in chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


@api.route(
    "GET", "/v1/files/{file_id}/content", summary="The file's bytes (members only)", tags=_TAGS,
    guests=True, raw_responses=_content_responses(sorted(ALLOWED_MEDIA_TYPES)),
)  # fmt: skip
async def get_file_content(request: web.Request, principal: Principal) -> web.StreamResponse:
    """Served with the sniffed type, ``X-Content-Type-Options: nosniff``, a sandboxing CSP,
    ``Content-Disposition`` inline for images and attachment for PDFs, and the SHA-256 as
    ETag (If-None-Match answers 304). In S3 mode: 302 to a URL signed for
    DTTOOLS_S3_URL_TTL_S seconds."""
    row, _access = await _locate(request, principal, Action.READ)
    return await serve_blob(
        request, key=row.key, name=row.name, media_type=row.media_type, size=row.size,
        etag=f'"{row.sha256}"', missing=_no_such_file(row.id),
    )  # fmt: skip


@api.route(
    "GET", "/v1/files/{file_id}/thumbnail", summary="An image's thumbnail (members only)",
    guests=True, tags=_TAGS,
    raw_responses=_content_responses(["image/jpeg", "image/png", "image/webp"]),
)  # fmt: skip
async def get_file_thumbnail(request: web.Request, principal: Principal) -> web.StreamResponse:
    """Served like the content; 404 for a file without a thumbnail (PDFs)."""
    row, _access = await _locate(request, principal, Action.READ)
    key, media_type, size = row.thumbnail_key, row.thumbnail_type, row.thumbnail_size
    if key is None or media_type is None or size is None:
        raise NotFound(msg("this file has no thumbnail"))
    return await serve_blob(
        request, key=key, name=row.name, media_type=media_type, size=size,
        etag=f'"t-{row.sha256}"', missing=_no_such_file(row.id),
    )  # fmt: skip


# --- deleting ----------------------------------------------------------------------------------


@api.route(
    "DELETE", "/v1/files/{file_id}", guests=True, summary="Delete a file", tags=_TAGS, status=204,
)  # fmt: skip
async def delete_file(request: web.Request, principal: Principal) -> None:
    """Writers only. The bytes go once no other file of the project has the same content."""
    row, _access = await _locate(request, principal, Action.WRITE)
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, row.project_id, Action.WRITE)
        deleted = await files.delete_file(conn, row.id)
        if deleted is None:
            raise _no_such_file(row.id)
        await record(
            conn, request, principal, "file.deleted", access, target=row.id,
            name=row.name, sha256=row.sha256,
        )  # fmt: skip
    request.app[FILES].wake.set()
