"""Files rows and their blobs on a real PostgreSQL and a real folder: bytes before rows, the
quota under concurrency, the deletion queue (trigger, drainer, a re-upload racing a
deletion) and the sweeper's link / unreferenced / delete steps."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from collab.errors import QuotaExceeded
from persistence import files
from persistence.blobs import LocalBlobStore, blob_key
from persistence.files import NewFile
from tests.persistence.test_projects import new_project, new_user


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def new_file(
    tmp_path: Path, project: UUID, data: bytes, *, thumbnail: bytes | None = None
) -> NewFile:
    path = tmp_path / f"upload-{uuid.uuid4().hex}"
    path.write_bytes(data)
    return NewFile(
        id=uuid.uuid4(), project_id=project, name="a.pdf", media_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(), width=None, height=None, content=path,
        thumbnail=thumbnail, created_by=None,
    )  # fmt: skip


async def queued(pool: Any, project: UUID) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM blob_deletions WHERE project_id = $1", project
    )
    return count


async def test_the_row_comes_after_the_bytes_and_counts_against_the_quota(
    pool: Any, store: LocalBlobStore, tmp_path: Path
) -> None:
    project = await new_project(pool, await new_user(pool))
    seen_in_transaction: list[int | None] = []

    async def on_insert(conn: Any, row: files.StoredFile) -> None:
        seen_in_transaction.append(await store.size(row.key))

    new = new_file(tmp_path, project, b"%PDF-1.4 one", thumbnail=b"\x89PNG thumb")
    row = await files.store_file(pool, store, new, quota=1000, on_insert=on_insert)
    assert seen_in_transaction == [len(b"%PDF-1.4 one")]
    assert row.thumbnail_type == "image/png"
    assert row.thumbnail_key is not None
    assert await store.size(row.thumbnail_key) == len(b"\x89PNG thumb")
    assert await files.project_usage(pool, project) == row.stored_bytes
    assert await files.get_file(pool, row.id) == row


async def test_concurrent_uploads_cannot_overshoot_the_quota(
    pool: Any, store: LocalBlobStore, tmp_path: Path
) -> None:
    project = await new_project(pool, await new_user(pool))
    uploads = [new_file(tmp_path, project, bytes([n]) * 400) for n in range(5)]
    results = await asyncio.gather(
        *(files.store_file(pool, store, new, quota=1000) for new in uploads),
        return_exceptions=True,
    )
    stored = [r for r in results if isinstance(r, files.StoredFile)]
    assert len(stored) == 2
    assert all(isinstance(r, QuotaExceeded) for r in results if r not in stored)
    assert await files.project_usage(pool, project) == 800
    # the refused ones stored bytes before the second check: queued, and drained away
    await files.drain_blob_deletions(pool, store)
    for new in uploads:
        kept = any(row.sha256 == new.sha256 for row in stored)
        assert (await store.size(blob_key(project, new.sha256)) is not None) == kept


async def test_a_blob_goes_with_its_last_row_and_a_project_with_its_blobs(
    pool: Any, store: LocalBlobStore, tmp_path: Path
) -> None:
    project = await new_project(pool, await new_user(pool))
    one = await files.store_file(pool, store, new_file(tmp_path, project, b"same"), quota=10**6)
    two = await files.store_file(pool, store, new_file(tmp_path, project, b"same"), quota=10**6)
    other = await files.store_file(pool, store, new_file(tmp_path, project, b"other"), quota=10**6)
    assert await files.delete_file(pool, one.id) == one
    assert await queued(pool, project) == 1
    await files.drain_blob_deletions(pool, store)
    assert await queued(pool, project) == 0
    assert await store.size(two.key) == 4
    await pool.execute("DELETE FROM projects WHERE id = $1", project)
    assert await queued(pool, project) == 2
    await files.drain_blob_deletions(pool, store)
    assert await store.size(two.key) is None
    assert await store.size(other.key) is None


async def test_an_upload_racing_the_deletion_of_its_content_keeps_its_bytes(
    pool: Any, store: LocalBlobStore, tmp_path: Path
) -> None:
    """The drainer deletes the blob between the upload's write and its row: the upload,
    under the project's lock, finds it gone and writes it again."""
    project = await new_project(pool, await new_user(pool))
    first = await files.store_file(pool, store, new_file(tmp_path, project, b"racy"), quota=10**6)
    await files.delete_file(pool, first.id)
    original_put = store.put_file
    drained = False

    async def put_then_drain(key: str, path: Path, **kwargs: Any) -> None:
        nonlocal drained
        await original_put(key, path, **kwargs)
        if not drained:
            drained = True
            await files.drain_blob_deletions(pool, store)  # takes the bytes just written

    store.put_file = put_then_drain  # type: ignore[method-assign]
    again = await files.store_file(pool, store, new_file(tmp_path, project, b"racy"), quota=10**6)
    assert drained
    assert await store.size(again.key) == 4


async def test_references_link_mark_and_after_the_grace_delete(
    pool: Any, store: LocalBlobStore, tmp_path: Path
) -> None:
    project = await new_project(pool, await new_user(pool))
    rows = [
        await files.store_file(pool, store, new_file(tmp_path, project, bytes([n])), quota=10**6)
        for n in range(3)
    ]
    linked, alone, marked = rows
    await files.mark_linked(pool, project, [marked.id])
    deleted = await files.apply_references(pool, project, [linked.id], grace_s=0)
    assert [row.id for row in deleted] == [marked.id]
    linked_now = await files.get_file(pool, linked.id)
    assert linked_now is not None
    assert linked_now.linked_at is not None
    assert await files.apply_references(pool, project, [linked.id], grace_s=3600) == []
    assert await files.apply_references(pool, project, [], grace_s=3600) == []
    # referenced again within the grace period: the unreferenced mark is cleared
    assert await files.apply_references(pool, project, [linked.id], grace_s=0) == []
    assert [r.id for r in await files.apply_references(pool, project, [], grace_s=0)] == [linked.id]
    assert await files.get_file(pool, alone.id) is not None
    assert project in await files.projects_with_files(pool, after=None, limit=10**6)


async def test_one_sweeper_at_a_time(pool: Any) -> None:
    async with pool.acquire() as first, pool.acquire() as second:
        assert await files.try_sweep_lock(first)
        assert not await files.try_sweep_lock(second)
        await files.release_sweep_lock(first)
        assert await files.try_sweep_lock(second)
        await files.release_sweep_lock(second)
