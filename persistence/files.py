"""Rows of uploaded files, the per-project quota, and the queue that deletes orphaned blobs.

The bytes live in a blob store (persistence/blobs.py) under a key derived from the project and
the content's sha256; this module keeps the table in step with it:

* A row is inserted only after its blob is stored (:func:`store_file`), so every row has bytes
  to serve, and no reader can ever see a half-written file.
* Deleting a row (by hand, by the sweeper, or by deleting the project) queues its blob in
  ``blob_deletions`` in the same transaction (a trigger, migration 0011), so a deletion cannot
  forget its blob even if the node dies right after; :func:`drain_blob_deletions` deletes the
  blob once no row of the project has the same sha256 any more.
* Uploads and the drainer take the same per-project transaction lock, so an upload that brings
  back bytes whose last row was just deleted either sees its blob deleted (and stores it again)
  or keeps the drainer from deleting it.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final
from uuid import UUID

import asyncpg

from collab.errors import QuotaExceeded
from collab.i18n import msg
from persistence.blobs import BlobStore, blob_key
from persistence.conn import Conn, Executor, PgPool

__all__ = [
    "StoredFile",
    "NewFile",
    "store_file",
    "get_file",
    "files_of",
    "list_files",
    "delete_file",
    "project_usage",
    "drain_blob_deletions",
    "mark_linked",
    "projects_with_files",
    "file_ids_of_project",
    "apply_references",
    "try_sweep_lock",
    "release_sweep_lock",
    "thumbnail_type",
]

#: Session advisory lock held by the node that sweeps unreferenced files (one at a time).
SWEEP_LOCK_KEY: Final = 0x66696C6573_01  # "files", 1
_COLUMNS = (
    "id, project_id, name, media_type, size, sha256, width, height, thumbnail_size, "
    "thumbnail_type, created_by, created_at, linked_at"
)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file's row: what the API describes, and where its bytes are (``blob_key``)."""

    id: UUID
    project_id: UUID
    name: str
    media_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    #: bytes of the thumbnail blob, None when the file has none
    thumbnail_size: int | None
    #: the thumbnail's media type, None when the file has none
    thumbnail_type: str | None
    created_by: UUID | None
    created_at: datetime
    linked_at: datetime | None

    @property
    def key(self) -> str:
        """The blob key of the content."""
        return blob_key(self.project_id, self.sha256)

    @property
    def thumbnail_key(self) -> str | None:
        """The blob key of the thumbnail, None when there is none."""
        if self.thumbnail_size is None:
            return None
        return blob_key(self.project_id, self.sha256, thumbnail=True)

    @property
    def stored_bytes(self) -> int:
        """What the file counts against its project's quota (content and thumbnail)."""
        return self.size + (self.thumbnail_size or 0)


@dataclass(frozen=True, slots=True)
class NewFile:
    """A checked upload, ready to store: its content (and thumbnail) on local disk."""

    id: UUID
    project_id: UUID
    name: str
    media_type: str
    sha256: str
    width: int | None
    height: int | None
    content: Path
    thumbnail: bytes | None
    created_by: UUID | None
    linked: bool = False

    @property
    def size(self) -> int:
        """Bytes of the content."""
        return self.content.stat().st_size

    @property
    def stored_bytes(self) -> int:
        """Bytes it will add to the project's usage."""
        return self.size + (len(self.thumbnail) if self.thumbnail is not None else 0)


def _row(row: asyncpg.Record) -> StoredFile:
    return StoredFile(
        id=row["id"],
        project_id=row["project_id"],
        name=row["name"],
        media_type=row["media_type"],
        size=row["size"],
        sha256=row["sha256"],
        width=row["width"],
        height=row["height"],
        thumbnail_size=row["thumbnail_size"],
        thumbnail_type=row["thumbnail_type"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        linked_at=row["linked_at"],
    )


async def project_usage(db: Executor, project_id: UUID) -> int:
    """Bytes the project's files take (content and thumbnails, each row counted)."""
    used = await db.fetchval(
        "SELECT coalesce(sum(size + coalesce(thumbnail_size, 0)), 0) FROM files "
        "WHERE project_id = $1",
        project_id,
    )
    return int(used)


def _check_quota(used: int, adding: int, quota: int) -> None:
    if used + adding > quota:
        raise QuotaExceeded(
            msg(
                "this file of {size} bytes would take the project past its storage quota "
                "({used} of {quota} bytes used): delete files first",
                size=adding,
                used=used,
                quota=quota,
            )
        )


async def _lock_project(conn: Conn, project_id: UUID) -> None:
    """Serialise quota checks and blob deletions of one project (until the transaction ends)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('files:' || $1::uuid::text, 0))", project_id
    )


async def _put(store: BlobStore, new: NewFile) -> None:
    await store.put_file(
        blob_key(new.project_id, new.sha256),
        new.content,
        media_type=new.media_type,
        sha256_hex=new.sha256,
    )
    if new.thumbnail is not None:
        # The thumbnail is small (a few KiB): a temporary file keeps put_file's one interface.
        with tempfile.NamedTemporaryFile(dir=new.content.parent, suffix=".thumb") as handle:
            handle.write(new.thumbnail)
            handle.flush()
            await store.put_file(
                blob_key(new.project_id, new.sha256, thumbnail=True),
                Path(handle.name),
                media_type=thumbnail_type(new.thumbnail),
                sha256_hex=hashlib.sha256(new.thumbnail).hexdigest(),
            )


def thumbnail_type(data: bytes) -> str:
    """The media type of a thumbnail we made (by its signature)."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/png"


async def _blob_present(store: BlobStore, new: NewFile) -> bool:
    keys = [blob_key(new.project_id, new.sha256)]
    if new.thumbnail is not None:
        keys.append(blob_key(new.project_id, new.sha256, thumbnail=True))
    for key in keys:
        if await store.size(key) is None:
            return False
    return True


async def store_file(
    pool: PgPool,
    store: BlobStore,
    new: NewFile,
    *,
    quota: int,
    on_insert: Callable[[Conn, StoredFile], Awaitable[None]] | None = None,
) -> StoredFile:
    """Store the bytes, then make the row visible; refuse first if the quota would be passed.

    The quota is checked before anything is stored, and again under the project's lock when
    inserting, so concurrent uploads cannot overshoot it together. ``on_insert`` runs in the
    inserting transaction (an audit entry: no file without its entry). If the row cannot be
    inserted after the bytes were stored, their blob is queued for deletion (it is deleted
    only if no row of the project has the same content).

    Raises:
        QuotaExceeded: the project's files would take more than ``quota`` bytes.
    """
    adding = new.stored_bytes
    _check_quota(await project_usage(pool, new.project_id), adding, quota)
    await _put(store, new)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await _lock_project(conn, new.project_id)
            _check_quota(await project_usage(conn, new.project_id), adding, quota)
            # A deletion of the last row with this content may have drained in between and
            # taken the blob we just wrote: under the lock, nothing can take it any more.
            if not await _blob_present(store, new):
                await _put(store, new)
            row = await conn.fetchrow(
                "INSERT INTO files (id, project_id, name, media_type, size, sha256, width, "  # noqa: S608 - literals
                "height, thumbnail_size, thumbnail_type, created_by, linked_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                f"CASE WHEN $12 THEN now() END) RETURNING {_COLUMNS}",
                new.id,
                new.project_id,
                new.name,
                new.media_type,
                new.size,
                new.sha256,
                new.width,
                new.height,
                None if new.thumbnail is None else len(new.thumbnail),
                None if new.thumbnail is None else thumbnail_type(new.thumbnail),
                new.created_by,
                new.linked,
            )
            assert row is not None
            if on_insert is not None:
                await on_insert(conn, _row(row))
    except BaseException:
        await _queue_deletion(pool, new.project_id, new.sha256)
        raise
    return _row(row)


async def _queue_deletion(db: Executor, project_id: UUID, sha256: str) -> None:
    await db.execute(
        "INSERT INTO blob_deletions (project_id, sha256) VALUES ($1, $2)", project_id, sha256
    )


async def get_file(db: Executor, file_id: UUID) -> StoredFile | None:
    """One file's row, or None."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM files WHERE id = $1",  # noqa: S608 - a literal
        file_id,
    )
    return None if row is None else _row(row)


async def files_of(db: Executor, project_id: UUID, file_ids: Sequence[UUID]) -> list[StoredFile]:
    """The project's files among ``file_ids`` (ids of other projects' files are ignored)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM files WHERE project_id = $1 AND id = ANY($2::uuid[]) "  # noqa: S608 - a literal
        "ORDER BY created_at, id",
        project_id,
        list(file_ids),
    )
    return [_row(row) for row in rows]


async def list_files(
    db: Executor,
    project_id: UUID,
    *,
    limit: int,
    before: tuple[datetime, UUID] | None = None,
) -> list[StoredFile]:
    """The project's files, newest first, after the keyset ``before`` (created_at, id)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM files WHERE project_id = $1 "  # noqa: S608 - a literal
        "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3)) "
        "ORDER BY created_at DESC, id DESC LIMIT $4",
        project_id,
        None if before is None else before[0],
        None if before is None else before[1],
        limit,
    )
    return [_row(row) for row in rows]


async def delete_file(db: Executor, file_id: UUID) -> StoredFile | None:
    """Delete a file's row (its blob is queued by the trigger); the row deleted, or None."""
    row = await db.fetchrow(
        f"DELETE FROM files WHERE id = $1 RETURNING {_COLUMNS}",  # noqa: S608 - a literal
        file_id,
    )
    return None if row is None else _row(row)


async def drain_blob_deletions(pool: PgPool, store: BlobStore, *, limit: int = 100) -> int:
    """Delete queued blobs that no row of their project uses any more; how many were handled.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so several nodes drain at once without
    taking the same entry. A blob whose store deletion fails stays queued (the transaction
    rolls back) and is tried again on the next drain.
    """
    async with pool.acquire() as conn, conn.transaction():
        queued = await conn.fetch(
            "SELECT id, project_id, sha256 FROM blob_deletions ORDER BY id LIMIT $1 "
            "FOR UPDATE SKIP LOCKED",
            limit,
        )
        for project_id in dict.fromkeys(row["project_id"] for row in queued):
            await _lock_project(conn, project_id)
        done = set()
        for row in queued:
            what = (row["project_id"], row["sha256"])
            if what in done:
                continue
            done.add(what)
            in_use = await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM files WHERE project_id = $1 AND sha256 = $2)", *what
            )
            if not in_use:
                await store.delete(blob_key(*what))
                await store.delete(blob_key(*what, thumbnail=True))
        await conn.execute(
            "DELETE FROM blob_deletions WHERE id = ANY($1::bigint[])", [r["id"] for r in queued]
        )
    return len(queued)


async def mark_linked(db: Executor, project_id: UUID, file_ids: Sequence[UUID]) -> None:
    """Record that the project's document refers to these files (a convenience route linked
    them): from now on the sweeper deletes them once nothing refers to them any more."""
    await db.execute(
        "UPDATE files SET linked_at = coalesce(linked_at, now()), unreferenced_since = NULL "
        "WHERE project_id = $1 AND id = ANY($2::uuid[])",
        project_id,
        list(file_ids),
    )


async def projects_with_files(db: Executor, *, after: UUID | None, limit: int) -> list[UUID]:
    """Projects that have files, by id, after ``after`` (for the sweeper's batches)."""
    rows = await db.fetch(
        "SELECT DISTINCT project_id FROM files WHERE ($1::uuid IS NULL OR project_id > $1) "
        "ORDER BY project_id LIMIT $2",
        after,
        limit,
    )
    return [row["project_id"] for row in rows]


async def file_ids_of_project(db: Executor, project_id: UUID) -> set[UUID]:
    """Every file id of the project."""
    rows = await db.fetch("SELECT id FROM files WHERE project_id = $1", project_id)
    return {row["id"] for row in rows}


async def apply_references(
    db: Executor, project_id: UUID, referenced: Sequence[UUID], *, grace_s: float
) -> list[StoredFile]:
    """Bring the project's files in step with what its document refers to; the deleted ones.

    Referenced files become linked (and lose any unreferenced mark). Linked files no longer
    referenced are marked unreferenced from now, and deleted once they have been so for
    ``grace_s`` (an undo within that time brings the reference, and the file, back). Files
    never referenced are left alone: they were uploaded on their own.
    """
    refs = list(referenced)
    await db.execute(
        "UPDATE files SET linked_at = coalesce(linked_at, now()), unreferenced_since = NULL "
        "WHERE project_id = $1 AND id = ANY($2::uuid[]) "
        "AND (linked_at IS NULL OR unreferenced_since IS NOT NULL)",
        project_id,
        refs,
    )
    await db.execute(
        "UPDATE files SET unreferenced_since = now() WHERE project_id = $1 "
        "AND linked_at IS NOT NULL AND unreferenced_since IS NULL AND id <> ALL($2::uuid[])",
        project_id,
        refs,
    )
    rows = await db.fetch(
        f"DELETE FROM files WHERE project_id = $1 AND unreferenced_since IS NOT NULL "  # noqa: S608
        f"AND unreferenced_since <= now() - make_interval(secs => $2) "
        f"AND id <> ALL($3::uuid[]) RETURNING {_COLUMNS}",
        project_id,
        grace_s,
        refs,
    )
    return [_row(row) for row in rows]


async def try_sweep_lock(conn: Conn) -> bool:
    """Take the sweeper's session lock if no other node holds it."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", SWEEP_LOCK_KEY))


async def release_sweep_lock(conn: Conn) -> None:
    """Give the sweeper's lock back."""
    await conn.execute("SELECT pg_advisory_unlock($1)", SWEEP_LOCK_KEY)
