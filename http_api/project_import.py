"""Recreating a project from an archive: ``POST /v1/projects/import`` and ``dttools import``.

The archive is checked whole before anything is created (collab/archive_reader.py:
structure, limits, digests). Then a new project is made for the importer, its files are
stored as if uploaded (checked by content, re-encoded, counted against the quota), the typed
content gets fresh ids (collab/import_remap.py) and is written into the new document in one
transaction (collab/import_document.py, which validates it like REST creates). If any step
fails, the new project is deleted again: an import makes a whole project or none.

Brainstorm results and the Yjs history are not imported: sessions belong to the server they
ran on, and the history holds the old ids. The archive keeps both for the record.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from uuid import UUID, uuid4

import structlog

from collab.archive_reader import Archive, read_archive
from collab.artifacts import Phase
from collab.export_archive import ArchiveLimits
from collab.i18n import DEFAULT_LOCALE
from collab.import_document import CheckedImport, fresh_copy, write_checked
from http_api.files_service import FileService, keep_upload
from http_api.i18n import LOCALES
from http_api.settings import Settings
from persistence import files, projects
from persistence.conn import Conn, PgPool
from persistence.projects import Project
from rooms.manager import RoomManager

__all__ = ["Imported", "archive_limits", "import_project"]

_log = structlog.get_logger(__name__)
_CHUNK: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Imported:
    """The new project and what went into it."""

    project: Project
    artifacts: int
    files: int


def archive_limits(settings: Settings) -> ArchiveLimits:
    """What an archive may hold on this server: files as big as uploads, data as documents."""
    return ArchiveLimits(
        max_data_bytes=max(settings.max_document_bytes, 1024 * 1024) + 1024 * 1024,
        max_file_bytes=settings.files_max_bytes,
        max_total_bytes=settings.files_quota_bytes + 2 * settings.max_document_bytes,
    )


def _prepare(archive: Archive, file_ids: dict[str, str], now: datetime) -> CheckedImport:
    """Fresh ids, then REST's checks: seconds of Python for a big document, in a thread, so
    the room's transaction on the event loop only writes."""
    return fresh_copy(
        archive.document, archive.clusters, file_ids, new_id=lambda: str(uuid4()), now=now
    )


async def _undo(pool: PgPool, project_id: UUID) -> None:
    await projects.delete_project(pool, project_id)
    await projects.purge_document(pool, project_id)


def _copy(archive: Archive, file_id: str, dest: Path) -> None:
    with archive.open_file(file_id) as stream, dest.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            out.write(chunk)


async def import_project(
    *,
    pool: PgPool,
    rooms: RoomManager,
    service: FileService,
    settings: Settings,
    archive_path: Path,
    owner_id: UUID,
    max_owned: int | None,
    on_created: Callable[[Conn, Project], Awaitable[None]] | None = None,
) -> Imported:
    """Create a project for ``owner_id`` from the archive at ``archive_path``.

    ``max_owned`` bounds the projects the owner may own (None: an admin, unbounded);
    ``on_created`` runs in the transaction that creates the project (the caller's audit).

    Raises:
        InvalidArchive: the archive is damaged, too big, or its content would not pass REST.
        ProjectLimitReached: the owner owns as many projects as one account may.
        UnsupportedMediaType, PayloadTooLarge, QuotaExceeded: a file, as for an upload.
    """
    async with service.imports:  # one at a time per node: bounds the memory they take
        handle = await asyncio.to_thread(archive_path.open, "rb")
        try:
            archive = await asyncio.to_thread(read_archive, handle, archive_limits(settings))
            with archive:
                return await _create(pool, rooms, service, archive, owner_id, max_owned, on_created)
        finally:
            await asyncio.to_thread(handle.close)


async def _create(
    pool: PgPool,
    rooms: RoomManager,
    service: FileService,
    archive: Archive,
    owner_id: UUID,
    max_owned: int | None,
    on_created: Callable[[Conn, Project], Awaitable[None]] | None,
) -> Imported:
    about = archive.manifest.fields.project
    language = about.language if about.language in LOCALES else DEFAULT_LOCALE
    async with pool.acquire() as conn, conn.transaction():
        project = await projects.create_project(
            conn, uuid4(), name=about.name[:200] or "Imported project",
            description=about.description[:5000], phase=Phase.EMPATHIZE, owner_id=owner_id,
            max_owned=max_owned, language=language,
        )  # fmt: skip
        if on_created is not None:
            await on_created(conn, project)
    try:
        file_ids: dict[str, str] = {}
        workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=service.incoming))
        try:
            for file_id, record in archive.files.items():
                upload = workdir / f"import-{len(file_ids)}"
                await asyncio.to_thread(_copy, archive, file_id, upload)
                stored = await keep_upload(
                    service, pool, upload=upload, workdir=workdir, sent_name=record.name,
                    project_id=project.id, created_by=owner_id,
                )  # fmt: skip
                file_ids[file_id] = str(stored.id)
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
        checked = await asyncio.to_thread(_prepare, archive, file_ids, datetime.now(UTC))
        count = await rooms.transact(str(project.id), lambda doc: write_checked(doc, checked))
        await files.mark_linked(pool, project.id, [UUID(v) for v in file_ids.values()])
    except BaseException:
        _log.warning("import_undone", project_id=str(project.id))
        await asyncio.shield(_undo(pool, project.id))
        raise
    return Imported(project, count, len(file_ids))
