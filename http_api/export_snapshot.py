"""Everything an export shows, read at one instant: the snapshot every format renders.

The document's state is taken in one transaction of its live room (``RoomManager.read``) and
read on a copy: the typed JSON, the cluster names and the full Yjs update all come from the
same state, so every page
of a PDF, every slide and every file of an archive shows the same moment, and the state hash
printed on them names it. The team, the brainstorm results and the file rows are read from
PostgreSQL right after; they change rarely and are not part of the CRDT.

Images are shown from their thumbnails (at most 320 px, made at upload), converted to PNG
here because PPTX readers do not take WebP. Each conversion is small and runs in a thread.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from PIL import Image
from pycrdt import Doc, Map

from collab import schema
from collab.artifacts import plain_value
from collab.brainstorm_doc import cluster_names
from collab.errors import NotFound
from collab.export_report import (
    ExportFile,
    ExportSource,
    ProjectInfo,
    RankedResult,
    SessionResults,
    TeamMember,
    state_hash,
)
from collab.file_refs import file_references
from collab.i18n import msg
from collab.pseudonyms import pseudonym_name, pseudonym_number
from collab.ydoc import build_doc
from http_api.i18n import translate
from persistence import brainstorm, files, projects
from persistence.blobs import BlobMissing, BlobStore
from persistence.conn import PgPool
from persistence.files import StoredFile
from rooms.manager import RoomManager

__all__ = ["Snapshot", "take_snapshot", "cluster_entries", "read_content"]

#: Thumbnails are small (320 px WebP); a bigger blob under a thumbnail key is not read.
_MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024
# Thumbnails read and converted at once for one snapshot.
_PICTURES_AT_ONCE = 4


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One project at one instant: the report's source plus what only an archive needs."""

    source: ExportSource
    #: the whole document as one Yjs update (``Y.applyUpdate`` of it rebuilds the state)
    ystate: bytes
    #: the clusters root as stored: id -> {id, name, createdBy, createdAt, updatedAt}
    clusters: dict[str, dict[str, Any]]
    #: ended sessions' results, as the brainstorm API returns them
    brainstorms: list[Mapping[str, Any]]
    #: the rows of the files the document refers to
    file_rows: list[StoredFile]


def cluster_entries(doc: Doc[Any]) -> dict[str, dict[str, Any]]:
    """The ``clusters`` root as plain JSON (entries that are not maps are left out)."""
    entries: dict[str, dict[str, Any]] = {}
    for key, entry in doc.get("clusters", type=Map).items():
        if isinstance(entry, Map):
            value = plain_value(entry)
            if isinstance(value, dict):
                entries[key] = value
    return entries


def _state(doc: Doc[Any]) -> bytes:
    return doc.get_update()


def _decode(ystate: bytes) -> tuple[dict[str, Any], dict[str, str], dict[str, Any], set[str]]:
    """The typed reads of a state, from a copy of the document made in this (worker) thread."""
    doc: Doc[Any] = build_doc([ystate])
    return (
        schema.export_document(doc),
        cluster_names(doc),
        cluster_entries(doc),
        file_references(doc),
    )


def _content(ystate: bytes) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    doc: Doc[Any] = build_doc([ystate])
    return schema.export_document(doc), cluster_entries(doc)


async def read_content(
    rooms: RoomManager, project_id: UUID
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The project's typed document and its board's clusters (read on a copy, in the node's
    worker process)."""
    ystate = await rooms.read(str(project_id), _state)
    return await rooms.offload(_content, ystate)


def _png(data: bytes) -> bytes | None:
    """The picture as PNG, or None if it cannot be decoded (it is then listed, not shown)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, format="PNG")
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


async def _picture(store: BlobStore, row: StoredFile) -> bytes | None:
    key = row.thumbnail_key
    if key is None or (row.thumbnail_size or 0) > _MAX_THUMBNAIL_BYTES:
        return None
    try:
        data = b"".join([chunk async for chunk in store.read(key)])
    except BlobMissing:
        return None
    return await asyncio.to_thread(_png, data)


def _session_results(raw: Mapping[str, Any]) -> SessionResults:
    return SessionResults(
        id=str(raw.get("session_id", "")),
        prompt=str(raw.get("prompt", "")),
        taken_at=datetime.fromisoformat(str(raw["taken_at"])),
        voters=int(raw.get("voters", 0)),
        votes=int(raw.get("votes", 0)),
        ideas=tuple(
            RankedResult(
                rank=int(idea["rank"]),
                idea_id=str(idea["idea_id"]),
                text=str(idea.get("text") or ""),
                votes=int(idea["votes"]),
                cluster_id=idea.get("cluster_id"),
            )
            for idea in raw.get("ideas", [])
        ),
    )


def _removed_participants(document: dict[str, Any], language: str) -> dict[str, str]:
    """Names for the pseudonyms of deleted accounts among the authors ("Removed participant 7"
    in the project's language)."""
    found = {}
    for collection in document.values():
        if not isinstance(collection, list):
            continue
        for item in collection:
            for author in (item.get("createdBy"), item.get("authorId")):
                number = pseudonym_number(author)
                if number is not None:
                    found[author] = translate(pseudonym_name(number), language)
    return found


def _uuid(value: object) -> UUID | None:
    """``value`` as a UUID; None for anything else (written live with a bad shape)."""
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


async def take_snapshot(
    pool: PgPool, rooms: RoomManager, store: BlobStore, project_id: UUID
) -> Snapshot:
    """Read the project at one instant (see the module's doc).

    Raises:
        NotFound: the project is gone.
    """
    project = await projects.get_project(pool, project_id)
    if project is None:
        raise NotFound(msg("no such project: {project_id}", project_id=project_id))
    # Only the state is taken on the event loop (one call into the CRDT's native code); the
    # typed reads of a big board take milliseconds of Python, done on a copy in the node's
    # worker process (in a thread they would hold the interpreter lock over every room).
    ystate = await rooms.read(str(project_id), _state)
    document, names, clusters, references = await rooms.offload(_decode, ystate)
    taken_at = datetime.now(UTC)
    members = await projects.list_members(pool, project_id)
    sessions, _now = await brainstorm.list_sessions(pool, project_id, limit=200)
    ended = [session.results for session in sessions if session.results is not None]
    authors = {str(member.user_id): member.name for member in members}
    missing = {
        user_id
        for collection in document.values()
        if isinstance(collection, list)
        for item in collection
        for author in (item.get("createdBy"), item.get("authorId"))
        if author not in authors and (user_id := _uuid(author)) is not None
    }
    if missing:
        departed = await brainstorm.user_names(pool, sorted(missing))
        authors.update({str(user_id): name for user_id, name in departed.items()})
    authors.update(_removed_participants(document, project.language))
    file_ids = [file_id for file_id in map(_uuid, references) if file_id is not None]
    rows = await files.files_of(pool, project_id, file_ids)
    reading = asyncio.Semaphore(_PICTURES_AT_ONCE)

    async def picture(row: StoredFile) -> bytes | None:
        async with reading:
            return await _picture(store, row)

    pictures = await asyncio.gather(*(picture(row) for row in rows))
    shown = {
        str(row.id): ExportFile(
            id=str(row.id),
            name=row.name,
            content_type=row.media_type,
            size=row.size,
            image=picture,
            image_type=None if picture is None else "image/png",
        )
        for row, picture in zip(rows, pictures, strict=True)
    }
    source = ExportSource(
        project=ProjectInfo(
            id=str(project.id),
            name=project.name,
            description=project.description,
            language=project.language,
            created_at=project.created_at,
        ),
        document=document,
        clusters=names,
        team=[TeamMember(member.name, member.role.value) for member in members],
        authors=authors,
        sessions=[_session_results(raw) for raw in ended],
        files=shown,
        taken_at=taken_at,
        state_hash=state_hash(document, names),
    )
    return Snapshot(source, ystate, clusters, ended, rows)
