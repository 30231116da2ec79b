"""Writing a project archive (collab/export_archive.py) from a snapshot and the blob store.

The archive holds every file the document refers to, which may be hundreds of MiB, so the
files are streamed: each chunk read from the store is written into the zip by a worker
thread (hashing and compressing off the event loop), and progress follows the bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

from collab.archive_writer import ArchiveWriter
from collab.export_archive import (
    BRAINSTORMS,
    CLUSTERS,
    DOCUMENT,
    YDOC,
    ArchiveProject,
    ManifestFields,
)
from http_api.export_render import MEDIA_TYPES, Rendered
from http_api.export_snapshot import Snapshot
from persistence.blobs import BlobMissing, BlobStore

__all__ = ["write_archive"]

_CHUNK: Final = 256 * 1024


async def write_archive(
    snapshot: Snapshot,
    store: BlobStore,
    folder: Path,
    report: Callable[[float], Awaitable[None]],
) -> Rendered:
    """Write the archive of ``snapshot`` into ``folder``; ``report`` hears progress (0 to 1).

    A file whose bytes are missing from the store (deleted meanwhile) is left out of the
    archive, as it is from the project.
    """
    path = folder / "export.dttools.zip"
    source = snapshot.source
    with path.open("wb") as out:
        writer = ArchiveWriter(out)

        def head() -> None:
            writer.add_json(DOCUMENT, dict(source.document))
            writer.add_json(CLUSTERS, snapshot.clusters)
            writer.add_json(BRAINSTORMS, list(snapshot.brainstorms))
            writer.add_bytes(YDOC, snapshot.ystate)

        await asyncio.to_thread(head)
        total = sum(row.size for row in snapshot.file_rows) or 1
        done = 0
        for row in snapshot.file_rows:
            chunks = aiter(store.read(row.key, chunk_size=_CHUNK))
            try:
                first = await anext(chunks, b"")
            except BlobMissing:
                continue
            with writer.open_file(str(row.id), row.name, row.media_type) as sink:
                await asyncio.to_thread(sink.write, first)
                async for chunk in chunks:
                    await asyncio.to_thread(sink.write, chunk)
            done += row.size
            await report(done / total)
        fields = ManifestFields(
            project=ArchiveProject(
                name=source.project.name,
                description=source.project.description,
                language=source.project.language,
                created_at=source.project.created_at,
            ),
            taken_at=source.taken_at,
            state_hash=source.state_hash,
        )
        await asyncio.to_thread(writer.finish, fields)
    return Rendered(path, MEDIA_TYPES["archive"])
