"""A person's own data export (LGPD art. 18): everything the server keeps about them, in a zip.

``POST /v1/auth/me/export`` (http_api/v1/me_export.py) starts a job on the node that took the
request. The job reads what the tables hold about the person (persistence/personal_exports.py),
then, in every project they belong to, the artifacts they created (``createdBy``, or an idea's
``authorId``) from the project's live document (its typed views, read in slices), and the
bytes of the files they uploaded; it writes ``about-me.json``, ``projects/<id>.json`` and
``files/<project>/<file id>-<name>`` into a zip, stores it in the blob store and marks the job
done. The zip is kept until ``DTTOOLS_EXPORT_RETENTION_S`` after that; the sweep of this
module deletes it then (and the account's deletion takes its rows with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import tempfile
import zipfile
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import structlog

from collab.artifacts import KINDS
from collab.doc_view import CollectionView
from http_api.jobs import Jobs
from http_api.periodic import in_background, repeat
from persistence import personal_exports
from persistence.blobs import BlobMissing, BlobStore, blob_key, personal_export_key
from persistence.conn import PgPool
from persistence.personal_exports import PersonalExport
from rooms.manager import RoomManager

__all__ = ["PersonalExportService", "running"]

_log = structlog.get_logger(__name__)
_KINDS: Final = tuple(KINDS.values())
_SWEEP_EVERY_S: Final = 600.0


def _json(value: Any) -> bytes:
    def plain(item: Any) -> str:
        return item.isoformat() if isinstance(item, datetime) else str(item)

    return json.dumps(value, default=plain, ensure_ascii=False, indent=2).encode()


def _authored_by(user: str) -> Any:
    """A view reader: per collection, the artifacts ``user`` created."""

    def read(_doc: Any, views: Mapping[str, CollectionView]) -> dict[str, list[dict[str, Any]]]:
        found = {}
        for collection, view in views.items():
            mine = [
                item
                for item in view.items()
                if item.get("createdBy") == user or item.get("authorId") == user
            ]
            if mine:
                found[collection] = mine
        return found

    return read


class PersonalExportService:
    """Runs the personal exports of this node and sweeps the expired ones."""

    def __init__(
        self, pool: PgPool, rooms: RoomManager, store: BlobStore, retention_s: float
    ) -> None:
        self._pool = pool
        self._rooms = rooms
        self._store = store
        self.retention_s = retention_s
        self._jobs = Jobs()

    @property
    def store(self) -> BlobStore:
        """Where finished exports are kept."""
        return self._store

    def start(self, job: PersonalExport, email: str) -> None:
        """Run ``job`` in the background on this node."""
        self._jobs.start(job.id, self._run(job, email), f"personal-export-{job.id}")

    async def wait(self, export_id: UUID, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for a job of this node to end (no error if it does not)."""
        await self._jobs.wait(export_id, timeout_s)

    async def close(self) -> None:
        """Stop this node's jobs (each is failed as ``node_stopped``)."""
        await self._jobs.cancel_all()

    async def _run(self, job: PersonalExport, email: str) -> None:
        user = str(job.user_id)
        try:
            facts = await personal_exports.about(self._pool, job.user_id, email)
            await personal_exports.set_progress(self._pool, job.id, 0.1)
            projects = [str(m["project_id"]) for m in facts["memberships"]]
            authored: dict[str, Any] = {}
            for index, project in enumerate(projects, 1):
                authored[project] = await self._rooms.read_views(
                    project, _KINDS, _authored_by(user)
                )
                progress = 0.1 + 0.6 * index / len(projects)
                await personal_exports.set_progress(self._pool, job.id, progress)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "export.zip"
                digest, size = await self._write(path, facts, authored)
                await personal_exports.set_progress(self._pool, job.id, 0.95)
                key = personal_export_key(job.user_id, job.id)
                await self._store.put_file(
                    key, path, media_type="application/zip", sha256_hex=digest
                )
            expires = datetime.now(UTC) + timedelta(seconds=self.retention_s)
            await personal_exports.finish(self._pool, job.id, size, digest, expires)
            _log.info("personal_export_done", export_id=str(job.id), bytes=size)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.shield(personal_exports.fail(self._pool, job.id, "node_stopped"))
            raise
        except Exception:
            _log.exception("personal_export_failed", export_id=str(job.id))
            with contextlib.suppress(Exception):
                await personal_exports.fail(self._pool, job.id, "export_failed")

    async def _write(
        self, path: Path, facts: dict[str, Any], authored: dict[str, Any]
    ) -> tuple[str, int]:
        archive = await asyncio.to_thread(zipfile.ZipFile, path, "w", zipfile.ZIP_DEFLATED)
        try:
            await asyncio.to_thread(archive.writestr, "about-me.json", _json(facts))
            for project, items in authored.items():
                name = f"projects/{project}.json"
                await asyncio.to_thread(archive.writestr, name, _json(items))
            for row in facts["files"]:
                key = blob_key(row["project_id"], row["sha256"])
                try:
                    data = b"".join([chunk async for chunk in self._store.read(key)])
                except BlobMissing:
                    continue  # swept meanwhile: the record above still says it existed
                name = f"files/{row['project_id']}/{row['id']}-{Path(row['name']).name}"
                await asyncio.to_thread(archive.writestr, name, data, zipfile.ZIP_STORED)
        finally:
            await asyncio.to_thread(archive.close)
        data = await asyncio.to_thread(path.read_bytes)
        return hashlib.sha256(data).hexdigest(), len(data)

    async def sweep(self) -> int:
        """Delete the expired exports and their bytes; how many."""
        gone = await personal_exports.delete_expired(self._pool, datetime.now(UTC))
        for user_id, export_id in gone:
            await self._store.delete(personal_export_key(user_id, export_id))
        return len(gone)


@contextlib.asynccontextmanager
async def running(
    pool: PgPool, rooms: RoomManager, store: BlobStore, retention_s: float
) -> AsyncIterator[PersonalExportService]:
    """The node's personal export service and its sweeper, stopped on exit."""
    service = PersonalExportService(pool, rooms, store, retention_s)
    sweeps = repeat(
        service.sweep, first_s=_SWEEP_EVERY_S, every_s=_SWEEP_EVERY_S,
        failed="personal_export_sweep_failed",
    )  # fmt: skip
    try:
        async with in_background(sweeps, "personal-export-sweeper"):
            yield service
    finally:
        await service.close()
