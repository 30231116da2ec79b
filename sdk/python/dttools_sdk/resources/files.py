"""Uploaded files and images: upload, list, describe, download, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from dttools_sdk.models import FileInfo, Page
from dttools_sdk.resources._base import follow, read, segment
from dttools_sdk.transport import Transport

__all__ = ["Files", "multipart", "save"]

_CHUNK_BYTES = 64 * 1024


def multipart(data: bytes, filename: str, content_type: str | None) -> aiohttp.FormData:
    """A form with the file in a part named ``file``, as every upload route expects.

    The server decides the type by content, never by ``content_type`` or the name
    (docs/api.md, "What is accepted"), so both are only hints.
    """
    form = aiohttp.FormData()
    form.add_field(
        "file", data, filename=filename, content_type=content_type or "application/octet-stream"
    )
    return form


async def save(transport: Transport, path: str, to: Path | None) -> bytes | None:
    """GET ``path``: the bytes, or streamed to the file ``to`` (then None)."""
    async with transport.open("GET", path) as response:
        if to is None:
            return await response.read()
        with to.open("wb") as out:
            async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
                out.write(chunk)
        return None


class Files:
    """A project's files (pictures and PDFs, referred to by id from the document)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def upload(
        self, project_id: str, data: bytes, filename: str, *, content_type: str | None = None
    ) -> FileInfo:
        """Upload a JPEG, PNG, GIF, WebP or PDF (images are re-encoded by the server).

        Raises:
            UnsupportedMediaType: the content is none of those types.
            PayloadTooLarge: over the server's file size or pixel limit.
            QuotaExceeded: the project's files would exceed its quota.
        """
        return await self._upload(
            f"/v1/projects/{segment(project_id)}/files", data, filename, content_type
        )

    async def upload_avatar(
        self, persona_id: str, data: bytes, filename: str, *, content_type: str | None = None
    ) -> FileInfo:
        """Upload a picture and make it the persona's ``avatar_file_id``, live."""
        path = f"/v1/personas/{segment(persona_id)}/avatar"
        return await self._upload(path, data, filename, content_type)

    async def attach_to_prototype(
        self, prototype_id: str, data: bytes, filename: str, *, content_type: str | None = None
    ) -> FileInfo:
        """Upload a file and append it to the prototype's ``file_ids``, live."""
        path = f"/v1/prototypes/{segment(prototype_id)}/files"
        return await self._upload(path, data, filename, content_type)

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[FileInfo]:
        """One page of the project's files, newest first."""
        params = {
            name: str(value)
            for name, value in (("limit", limit), ("cursor", cursor))
            if value is not None
        }
        path = f"/v1/projects/{segment(project_id)}/files"
        response = await self._http.request("GET", path, params=params)
        return Page[FileInfo].model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[FileInfo]:
        """Every file of the project, newest first."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def get(self, file_id: str) -> FileInfo:
        """Describe one file."""
        return read(FileInfo, await self._http.request("GET", self._one(file_id)))

    async def download(self, file_id: str, *, to: Path | None = None) -> bytes | None:
        """The file's bytes, or with ``to`` streamed into that file (and None returned)."""
        return await save(self._http, f"{self._one(file_id)}/content", to)

    async def thumbnail(self, file_id: str) -> bytes:
        """An image's thumbnail (WebP).

        Raises:
            NotFound: the file has no thumbnail (a PDF).
        """
        response = await self._http.request("GET", f"{self._one(file_id)}/thumbnail")
        return response.body

    async def delete(self, file_id: str) -> None:
        """Delete a file (rarely needed: unreferenced files are swept by the server)."""
        await self._http.request("DELETE", self._one(file_id))

    async def _upload(
        self, path: str, data: bytes, filename: str, content_type: str | None
    ) -> FileInfo:
        response = await self._http.request(
            "POST", path, body=lambda: multipart(data, filename, content_type)
        )
        return read(FileInfo, response)

    @staticmethod
    def _one(file_id: str) -> str:
        return f"/v1/files/{segment(file_id)}"
