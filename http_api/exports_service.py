"""Running exports: a job per request, rendered off the event loop, stored, then expired.

The node that receives ``POST /v1/projects/{id}/export`` runs the job: it takes one
snapshot of the project (http_api/export_snapshot.py), renders it, stores the file in the
blob store (the same one as uploads, under the project's prefix) and marks the row done. The
row says how far it got (``progress`` and ``stage``), so any node can answer a status
request and the browser can show a progress bar.

Where the CPU goes, and why it never stalls a room:

* PDF and PPTX render in a process pool (``DTTOOLS_EXPORT_WORKERS`` processes, spawned
  on first use, recycled every 20 jobs to return the memory a big layout took, and run at a
  lower CPU priority than the node). A job waits for a free worker in ``queued``; a crashed
  worker fails its job and the pool is rebuilt.
* CSV and JSON are cheap and run in a thread.
* Archives stream the project's files from the blob store into the zip chunk by chunk; the
  zip is written in a thread, so the loop only moves chunks.

While a job runs, its node touches the row every few seconds; a job whose node went silent
(a crash, a kill -9) is failed by the sweeper of any node, which also deletes expired
exports, rows and files (``DTTOOLS_EXPORT_RETENTION_S``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import structlog
from prometheus_client import Gauge

from collab.artifacts import Phase
from collab.errors import NotFound
from collab.export_report import Scope
from http_api.export_render import MEDIA_TYPES, Rendered, file_name, render_to
from http_api.export_snapshot import Snapshot, take_snapshot
from http_api.jobs import Jobs
from http_api.periodic import in_background, repeat
from http_api.service_metrics import EXPORT_JOBS, EXPORTS_FINISHED
from http_api.settings import Settings
from persistence import exports, outbox
from persistence.blobs import BlobMissing, BlobStore, export_key
from persistence.conn import PgPool
from persistence.exports import ExportJob
from rooms.manager import RoomManager

__all__ = ["ERRORS", "ExportService", "running", "scope_of"]

_log = structlog.get_logger(__name__)

#: The error codes a failed job records (the API says each in the reader's language).
ERRORS: Final = ("node_stopped", "project_gone", "render_failed", "storage_failed")
#: How often a running job proves its node alive, and how long a silent one is trusted.
_HEARTBEAT_S: Final = 5.0
_SILENT_S: Final = 60.0
_SWEEP_S: Final = 30.0
#: A worker process renders this many jobs, then is replaced (memory back to the system).
_JOBS_PER_WORKER: Final = 20
#: How much lower the render workers' CPU priority is than the node's (nice(2) increment).
_WORKER_NICENESS: Final = 10
_PRINTS_AT_ONCE: Final = 2


def _completed(job: ExportJob) -> outbox.Event:
    """The ``export.completed`` event: what was exported, for whom, and where to get it."""
    return outbox.Event(
        id=outbox.event_id("export.completed", job.id),
        type="export.completed",
        project_id=job.project_id,
        data={
            "export_id": str(job.id),
            "format": job.format,
            "scope": job.scope,
            "requested_by": None if job.requested_by is None else str(job.requested_by),
            "taken_at": None if job.taken_at is None else job.taken_at.isoformat(),
            "state_hash": job.state_hash,
            "size": job.size,
            "download_url": f"/v1/projects/{job.project_id}/exports/{job.id}/download",
            "expires_at": job.expires_at.isoformat(),
        },
    )


def scope_of(job: ExportJob) -> Scope:
    """The scope a job's row stores (``{}`` is the whole project)."""
    phases = job.scope.get("phases")
    return Scope(
        phases=frozenset(Phase) if not phases else frozenset(Phase(p) for p in phases),
        session_id=job.scope.get("session_id"),
    )


def _lower_priority() -> None:
    """Runs first in each render worker: rendering is background work, so the event loop
    must have the CPU the moment it wants it. Linux's SCHED_IDLE does exactly that (the
    worker runs only on CPU time nothing else wants, and is preempted at once); elsewhere,
    or where it is not allowed, a lower nice value."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(_WORKER_NICENESS)


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


@dataclass(slots=True)
class _Progress:
    """What the heartbeat repeats: the job's last progress and stage."""

    value: float = 0.0
    stage: str = "queued"


class ExportService:
    """Starts, runs and expires export jobs (see the module's doc)."""

    def __init__(
        self, pool: PgPool, rooms: RoomManager, store: BlobStore, settings: Settings, folder: Path
    ) -> None:
        self._pool = pool
        self._rooms = rooms
        self._store = store
        self.settings = settings
        self._folder = folder
        self._workers = max(1, settings.export_workers)
        self._slots = asyncio.Semaphore(self._workers)
        #: print views (a snapshot each) taken at once on this node
        self.print_slots = asyncio.Semaphore(_PRINTS_AT_ONCE)
        self._executor: ProcessPoolExecutor | None = None
        self._jobs = Jobs()

    @property
    def store(self) -> BlobStore:
        """Where finished exports are kept."""
        return self._store

    def start(self, job: ExportJob) -> None:
        """Run ``job`` in the background on this node."""
        self._jobs.start(job.id, self._run(job), f"export-{job.id}")

    async def wait(self, export_id: UUID, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for a job of this node to end (no error if it does not)."""
        await self._jobs.wait(export_id, timeout_s)

    async def close(self) -> None:
        """Stop the jobs of this node (they are failed as ``node_stopped``) and the pool."""
        await self._jobs.cancel_all()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # --- one job ---------------------------------------------------------------------------

    async def _run(self, job: ExportJob) -> None:
        progress = _Progress()
        beat = asyncio.create_task(self._heartbeat(job.id, progress))
        folder: Path | None = None
        error = "render_failed"
        outcome = "failed"
        waiting = EXPORT_JOBS.labels("queued")
        waiting.inc()
        queued: Gauge | None = waiting
        try:
            folder = Path(await asyncio.to_thread(tempfile.mkdtemp, dir=self._folder))
            async with self._slots:
                waiting.dec()
                queued = None
                with EXPORT_JOBS.labels("running").track_inprogress():
                    await self._progress(job.id, progress, 0.05, "snapshot")
                    snapshot = await take_snapshot(
                        self._pool, self._rooms, self._store, job.project_id
                    )
                    await self._progress(job.id, progress, 0.2, "rendering")
                    rendered = await self._render(job, snapshot, folder, progress)
            await self._progress(job.id, progress, 0.95, "storing")
            error = "storage_failed"
            await self._keep(job, snapshot, rendered)
            outcome = "done"
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # the stale sweep of another node will do
                await asyncio.shield(exports.fail_export(self._pool, job.id, "node_stopped"))
            raise
        except Exception as exc:
            _log.exception("export_failed", export_id=str(job.id), format=job.format)
            code = "project_gone" if isinstance(exc, NotFound) else error
            with contextlib.suppress(Exception):
                await exports.fail_export(self._pool, job.id, code)
        finally:
            if queued is not None:  # it ended before it had a slot
                queued.dec()
            EXPORTS_FINISHED.labels(job.format, outcome).inc()
            beat.cancel()
            if folder is not None:
                await asyncio.to_thread(shutil.rmtree, folder, True)

    async def _progress(
        self, export_id: UUID, progress: _Progress, value: float, stage: str
    ) -> None:
        progress.value, progress.stage = value, stage
        await exports.set_progress(self._pool, export_id, value, stage)

    async def _heartbeat(self, export_id: UUID, progress: _Progress) -> None:
        while True:
            await asyncio.sleep(_HEARTBEAT_S)
            with contextlib.suppress(Exception):  # the next beat tries again
                await exports.set_progress(self._pool, export_id, progress.value, progress.stage)

    async def _render(
        self, job: ExportJob, snapshot: Snapshot, folder: Path, progress: _Progress
    ) -> Rendered:
        scope = scope_of(job)
        # the headings and dates in the language the export was asked in
        project = replace(snapshot.source.project, language=job.language)
        source = replace(snapshot.source, project=project)
        if job.format == "archive":
            from http_api.export_archive_job import write_archive

            async def report(value: float) -> None:
                await self._progress(job.id, progress, 0.2 + 0.75 * value, "rendering")

            return await write_archive(snapshot, self._store, folder, report)
        if job.format in ("csv", "json"):
            return await asyncio.to_thread(render_to, job.format, source, scope, folder)
        return await self._in_worker(render_to, job.format, source, scope, folder)

    async def _in_worker(self, function: Callable[..., Rendered], *args: Any) -> Rendered:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=_JOBS_PER_WORKER,
                initializer=_lower_priority,
            )
        executor = self._executor
        loop = asyncio.get_running_loop()
        try:
            rendered: Rendered = await loop.run_in_executor(executor, function, *args)
        except BrokenProcessPool:
            # a worker died (killed, out of memory): the next job gets a new pool (only the
            # first of the jobs it broke replaces it)
            if self._executor is executor:
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
            raise
        return rendered

    async def _keep(self, job: ExportJob, snapshot: Snapshot, rendered: Rendered) -> None:
        sha256, size = await asyncio.to_thread(_digest, rendered.path)
        key = export_key(job.project_id, job.id)
        await self._store.put_file(
            key, rendered.path, media_type=rendered.media_type, sha256_hex=sha256
        )
        async with self._pool.acquire() as conn, conn.transaction():
            done = await exports.finish_export(
                conn,
                job.id,
                taken_at=snapshot.source.taken_at,
                state_hash=snapshot.source.state_hash,
                file_name=file_name(snapshot.source, job.format),
                media_type=MEDIA_TYPES[job.format],
                size=size,
                sha256=sha256,
            )
            if done is not None:  # integrations hear of it with the change (invariant 7)
                await outbox.append(conn, [_completed(done)])
        if done is None:  # failed meanwhile (its node was thought dead) or deleted
            await self._store.delete(key)

    # --- housekeeping ------------------------------------------------------------------------

    async def sweep_once(self) -> int:
        """Fail jobs whose node went silent, delete expired exports; how many were deleted."""
        await exports.fail_stale(self._pool, silent_s=_SILENT_S, error="node_stopped")
        expired = await exports.delete_expired(self._pool)
        for project_id, export_id in expired:
            with contextlib.suppress(BlobMissing):
                await self._store.delete(export_key(project_id, export_id))
        return len(expired)


@contextlib.asynccontextmanager
async def running(
    settings: Settings, pool: PgPool, rooms: RoomManager, store: BlobStore
) -> AsyncIterator[ExportService]:
    """The export service of a node, with its sweeper; jobs and workers stop on exit."""
    folder = settings.data_dir / ".exports"
    await asyncio.to_thread(shutil.rmtree, folder, True)  # a previous run's leftovers
    await asyncio.to_thread(folder.mkdir, 0o700, True, True)
    service = ExportService(pool, rooms, store, settings, folder)
    sweeps = repeat(service.sweep_once, first_s=0.0, every_s=_SWEEP_S, failed="export_sweep_failed")
    try:
        async with in_background(sweeps, "export-sweeper"):
            yield service
    finally:
        await service.close()
