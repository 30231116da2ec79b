"""The node's file storage: the blob store it opens, the bound on uploads, and two background
tasks, one that deletes orphaned blobs and one that deletes files nothing refers to any more.

* The store is a folder (local mode, the default: one node) or an S3 bucket (when
  ``DTTOOLS_S3_BUCKET`` is set: any number of nodes). Local mode with Redis configured means
  several nodes that cannot see each other's files, so the node says so loudly at start.
* Checking an image (decode, re-encode, thumbnail) takes CPU and memory proportional to its
  pixels; ``slots`` lets ``DTTOOLS_FILES_MAX_CONCURRENT`` uploads be checked and stored at once,
  so memory is bounded by the setting, not by how many people upload.
* Blob deletion follows the rows through the ``blob_deletions`` queue (persistence/files.py):
  every node drains it (rows claimed with SKIP LOCKED), woken at once by deletions it makes
  itself and every ``_DRAIN_INTERVAL_S`` for those of other nodes and project cascades.
* The sweeper (:func:`sweep_once`) runs on one node at a time (a session advisory lock). It
  reads each project's live document through the room manager, as REST reads do, and lets
  persistence/files.py link what is referenced and delete linked files unreferenced for longer
  than ``DTTOOLS_FILES_GRACE_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, cast
from uuid import UUID, uuid4

import structlog

from collab.file_refs import file_references
from http_api.file_content import Checked, check_upload, declared_pixels, safe_download_name
from http_api.settings import Settings
from persistence import files
from persistence.blobs import BlobStore, LocalBlobStore, S3BlobStore
from persistence.conn import Conn, PgPool
from persistence.errors import StorageError
from persistence.files import StoredFile
from rooms.errors import NodeFull
from rooms.manager import RoomManager

__all__ = ["FileService", "keep_upload", "open_store", "running", "sweep_once", "drain_once"]

_log = structlog.get_logger(__name__)
#: How often a node drains blob deletions it was not woken for (other nodes, project cascades).
_DRAIN_INTERVAL_S: Final = 30.0
#: Uploads in progress older than this are leftovers of a crash, removed at start.
_STALE_UPLOAD_S: Final = 3600.0
_SWEEP_BATCH: Final = 100


class Budget:
    """A weighted semaphore: takes of ``amount`` wait until the sum in use leaves room.

    Memory for decoding an image grows with its pixels, so a count of uploads alone cannot
    bound it: four 40-megapixel photos need ten times what four phone photos do. A take
    larger than the whole budget is cut to it (that image is decoded alone). Waiters are
    futures woken on every release, so a cancelled waiter takes nothing and leaks nothing.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0
        self._waiters: list[asyncio.Future[None]] = []

    @contextlib.asynccontextmanager
    async def take(self, amount: int) -> AsyncIterator[None]:
        """Hold ``amount`` (at most the capacity) for the duration of the block."""
        amount = min(max(amount, 0), self.capacity)
        while self.used + amount > self.capacity:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                self._waiters.remove(waiter)
        self.used += amount
        try:
            yield
        finally:
            self.used -= amount
            for waiter in self._waiters:
                if not waiter.done():
                    waiter.set_result(None)


@dataclass(slots=True)
class FileService:
    """What the file routes need: the store, where uploads stream to, and the upload bound."""

    store: BlobStore
    #: folder for uploads while they stream in and are checked (removed after each)
    incoming: Path
    slots: asyncio.Semaphore
    settings: Settings
    #: pixels being decoded on this node (DTTOOLS_FILES_PIXEL_BUDGET)
    pixels: Budget
    #: set to make the drainer run now (after this node deleted rows)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    #: imports of archives on this node, one at a time: each may parse a document's worth
    #: of JSON (http_api/project_import.py)
    imports: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))

    @property
    def s3(self) -> bool:
        """Whether files are in S3 (content is then served by redirect to a signed URL)."""
        return not self.store.single_node


def _check_and_hash(upload: Path, workdir: Path, max_pixels: int) -> tuple[Checked, str]:
    """CPU-bound, in a worker thread: the content check, then the digest of what is stored."""
    checked = check_upload(upload, workdir=workdir, max_pixels=max_pixels)
    digest = hashlib.sha256()
    with checked.path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return checked, digest.hexdigest()


async def keep_upload(
    service: FileService,
    pool: PgPool,
    *,
    upload: Path,
    workdir: Path,
    sent_name: str,
    project_id: UUID,
    created_by: UUID | None,
    on_insert: Callable[[Conn, StoredFile], Awaitable[None]] | None = None,
) -> StoredFile:
    """Check a received file by its content and store it as one of the project's files.

    Every way a file arrives (an upload, an imported archive) comes here, so each is held to
    the same allow-list, re-encoding, pixel budget and quota. ``workdir`` is a private
    folder the caller removes afterwards; ``on_insert`` runs in the row's transaction (audit).

    Raises:
        UnsupportedMediaType: a type not accepted.
        PayloadTooLarge: an image over the pixel limit.
        QuotaExceeded: the project's files would pass DTTOOLS_FILES_QUOTA_BYTES.
    """
    settings = service.settings
    pixels = await asyncio.to_thread(declared_pixels, upload)
    async with service.slots, service.pixels.take(pixels):
        checked, sha256 = await asyncio.to_thread(
            _check_and_hash, upload, workdir, settings.files_max_pixels
        )
        new = files.NewFile(
            id=uuid4(),
            project_id=project_id,
            name=safe_download_name(sent_name, checked.extension),
            media_type=checked.media_type,
            sha256=sha256,
            width=checked.width,
            height=checked.height,
            content=checked.path,
            thumbnail=checked.thumbnail,
            created_by=created_by,
        )
        return await files.store_file(
            pool, service.store, new, quota=settings.files_quota_bytes, on_insert=on_insert
        )


async def open_store(settings: Settings) -> BlobStore:
    """The blob store ``settings`` name: S3 when a bucket is set, else the local folder."""
    if settings.s3_bucket:
        return await S3BlobStore.open(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            addressing_style=cast(Literal["auto", "path", "virtual"], settings.s3_addressing_style),
            prefix=settings.s3_prefix,
        )
    if settings.redis_url:
        _log.warning(
            "files_local_single_node",
            files_dir=str(settings.files_folder),
            reason="local file storage is single-node: with REDIS_URL (several nodes) each "
            "node sees only the files uploaded to it; set DTTOOLS_S3_BUCKET",
        )
    return await asyncio.to_thread(LocalBlobStore, settings.files_folder)


def _incoming(settings: Settings) -> Path:
    base = settings.data_dir if settings.s3_bucket else settings.files_folder
    folder = base / ".incoming"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _remove_stale(folder: Path) -> None:
    """Remove uploads a crash left behind (a live upload is younger than any limit we set)."""
    cutoff = time.time() - _STALE_UPLOAD_S
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < cutoff:
                if entry.is_dir():
                    for inner in entry.iterdir():
                        inner.unlink()
                    entry.rmdir()
                else:
                    entry.unlink()


async def drain_once(pool: PgPool, store: BlobStore) -> int:
    """Delete every queued blob no row uses any more; how many queue entries were handled."""
    handled = 0
    while True:
        done = await files.drain_blob_deletions(pool, store)
        handled += done
        if done == 0:
            return handled


async def _drainer(pool: PgPool, service: FileService) -> None:
    while True:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_DRAIN_INTERVAL_S):
                await service.wake.wait()
        service.wake.clear()
        try:
            await drain_once(pool, service.store)
        except (StorageError, OSError) as exc:
            _log.warning("blob_drain_failed", error=str(exc))


async def _sweep_project(pool: PgPool, rooms: RoomManager, project_id: UUID, grace_s: float) -> int:
    try:
        raw = await rooms.read(str(project_id), file_references)
    except (StorageError, NodeFull) as exc:
        # Never judge references from a document that could not be read: try next sweep.
        _log.warning("file_sweep_skipped", project_id=str(project_id), error=str(exc))
        return 0
    referenced = []
    for value in raw:
        with contextlib.suppress(ValueError):
            referenced.append(UUID(value))
    async with pool.acquire() as conn, conn.transaction():
        deleted = await files.apply_references(conn, project_id, referenced, grace_s=grace_s)
    for row in deleted:
        _log.info("file_swept", project_id=str(project_id), file_id=str(row.id))
    return len(deleted)


async def sweep_once(pool: PgPool, rooms: RoomManager, *, grace_s: float) -> int | None:
    """One pass over every project with files; how many files were deleted.

    None when another node holds the sweeper's lock (it is sweeping now).
    """
    async with pool.acquire() as lock_conn:
        if not await files.try_sweep_lock(lock_conn):
            return None
        try:
            deleted, after = 0, None
            while batch := await files.projects_with_files(pool, after=after, limit=_SWEEP_BATCH):
                for project_id in batch:
                    deleted += await _sweep_project(pool, rooms, project_id, grace_s)
                after = batch[-1]
            return deleted
        finally:
            await files.release_sweep_lock(lock_conn)


def sweep_interval_s(grace_s: float) -> float:
    """Sweep a few times per grace period, between every 10 s and every 10 min."""
    return min(max(grace_s / 4, 10.0), 600.0)


async def _sweeper(pool: PgPool, rooms: RoomManager, service: FileService) -> None:
    grace_s = service.settings.files_grace_s
    while True:
        await asyncio.sleep(sweep_interval_s(grace_s))
        try:
            if await sweep_once(pool, rooms, grace_s=grace_s):
                service.wake.set()
        except (StorageError, OSError) as exc:
            _log.warning("file_sweep_failed", error=str(exc))


@contextlib.asynccontextmanager
async def running(
    settings: Settings, pool: PgPool, rooms: RoomManager
) -> AsyncIterator[FileService]:
    """Open the store, run the drainer and the sweeper; stop and close them on exit."""
    store = await open_store(settings)
    incoming = await asyncio.to_thread(_incoming, settings)
    await asyncio.to_thread(_remove_stale, incoming)
    service = FileService(
        store=store,
        incoming=incoming,
        slots=asyncio.Semaphore(max(1, settings.files_max_concurrent)),
        pixels=Budget(max(1, settings.files_pixel_budget)),
        settings=settings,
    )
    tasks = [
        asyncio.create_task(_drainer(pool, service), name="blob-drainer"),
        asyncio.create_task(_sweeper(pool, rooms, service), name="file-sweeper"),
    ]
    try:
        yield service
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await store.close()
