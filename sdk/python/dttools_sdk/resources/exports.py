"""Exports (PDF, PPTX, CSV, JSON, archive): start, wait with progress, download; and import."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from dttools_sdk.errors import ExportFailed
from dttools_sdk.models import Export, ExportFormat, ImportResult, Language, Page, Phase
from dttools_sdk.resources._base import follow, read, segment
from dttools_sdk.resources.files import multipart, save
from dttools_sdk.transport import Transport

__all__ = ["Exports", "Progress"]

#: Called with the job after each poll (``progress`` 0-1, ``stage``), for a progress bar.
Progress = Callable[[Export], object]


class Exports:
    """A project's exports, and recreating a project from an archive."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def start(
        self,
        project_id: str,
        format: ExportFormat,  # the API names the field so
        *,
        phases: Sequence[Phase] | None = None,
        session_id: str | None = None,
        language: Language | None = None,
        idempotency_key: str | None = None,
    ) -> Export:
        """Start an export: finished already for a small project, else a job to :meth:`wait` for.

        Raises:
            RateLimited: the project has too many exports under way (``retry_after_s``),
                once the client's own retries are spent.
        """
        body: dict[str, object] = {"format": format}
        if phases is not None:
            body["phases"] = list(phases)
        if session_id is not None:
            body["session_id"] = session_id
        if language is not None:
            body["language"] = language
        response = await self._http.request(
            "POST",
            f"/v1/projects/{segment(project_id)}/export",
            json_body=body,
            idempotency_key=idempotency_key,
        )
        return read(Export, response)

    async def get(self, project_id: str, export_id: str) -> Export:
        """An export's status, progress and, once done, its ``download_url``."""
        response = await self._http.request("GET", self._one(project_id, export_id))
        return read(Export, response)

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Export]:
        """One page of the project's recent exports, newest first."""
        params: dict[str, str] = {}
        if limit is not None:
            params["limit"] = str(limit)
        if cursor is not None:
            params["cursor"] = cursor
        path = f"/v1/projects/{segment(project_id)}/exports"
        response = await self._http.request("GET", path, params=params)
        return Page[Export].model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[Export]:
        """Every recent export of the project."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def wait(
        self,
        export: Export,
        *,
        progress: Progress | None = None,
        poll_interval_s: float = 0.5,
        timeout_s: float = 600.0,
    ) -> Export:
        """Poll until the export is done; call ``progress`` with the job after each poll.

        Raises:
            ExportFailed: the job failed (``code``: ``render_failed``, ``node_stopped``, ...).
            TimeoutError: not finished within ``timeout_s``.
        """
        async with asyncio.timeout(timeout_s):
            while True:
                if progress is not None:
                    progress(export)
                if export.status == "failed":
                    raise ExportFailed(export.id, export.error, export.error_detail)
                if export.status == "done":
                    return export
                await self._http.sleep(poll_interval_s)
                export = await self.get(export.project_id, export.id)

    async def download(self, export: Export, *, to: Path | None = None) -> bytes | None:
        """The finished export's file, or with ``to`` streamed into that file (None returned).

        Raises:
            ValueError: the export is not done yet (:meth:`wait` for it first).
        """
        if export.download_url is None:
            raise ValueError(f"export {export.id} is {export.status}, not done: wait for it")
        return await save(self._http, export.download_url, to)

    async def import_archive(self, data: bytes, filename: str = "project.zip") -> ImportResult:
        """Recreate a project from an ``archive`` export; you own the new project.

        Raises:
            InvalidArchive: the archive is damaged or hostile; nothing was created.
        """
        response = await self._http.request(
            "POST",
            "/v1/projects/import",
            body=lambda: multipart(data, filename, "application/zip"),
        )
        return read(ImportResult, response)

    @staticmethod
    def _one(project_id: str, export_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}/exports/{segment(export_id)}"
