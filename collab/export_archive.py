"""The project archive's format: one zip that moves a whole project to another server.

Layout (format ``dttools-archive``, version 1)::

    manifest.json       what this is, and the size and sha256 of every other entry
    document.json       the v1 typed JSON (collab.schema.export_document)
    clusters.json       the ``clusters`` root: id -> {id, name, createdBy, createdAt, updatedAt}
    ydoc.bin            the full Yjs update of the document, as the CRDT holds it
    brainstorms.json    the results of ended brainstorm sessions (a JSON list, opaque here)
    files.json          uploaded files: [{id, name, content_type, size, sha256}, ...]
    files/<id>/<name>   each file's bytes, under its file id and a safe form of its name

``manifest.json`` is written last, since only then are the digests known::

    {"format": "dttools-archive", "format_version": 1, "schemaVersion": 1,
     "project": {"name": ..., "description": ..., "language": ..., "created_at": ...},
     "taken_at": ..., "state_hash": ...,
     "entries": [{"path": "document.json", "size": 1234, "sha256": "9f86..."}, ...]}

Dates are ISO-8601 in UTC as JS writes them. The typed JSON is what an import rebuilds the
project from (with fresh ids, :mod:`collab.import_remap`); ``ydoc.bin`` keeps the CRDT state for
a faithful copy, and is not needed to rebuild. File names inside the zip are only for a person
who unzips it: the real name is the one in ``files.json``.

This module is the format both sides agree on: entry names, the values a manifest holds, the
error an archive is refused with. :mod:`collab.archive_writer` streams one out and
:mod:`collab.archive_reader` checks one in; both import this module, never each other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from collab.artifacts import SCHEMA_VERSION
from collab.errors import DTToolsError
from collab.i18n import Text

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "DOCUMENT",
    "CLUSTERS",
    "YDOC",
    "BRAINSTORMS",
    "FILES_INDEX",
    "FILES_DIR",
    "JSON_ENTRIES",
    "BINARY_ENTRIES",
    "DATA_ENTRIES",
    "UNSAFE_NAME_CHARS",
    "InvalidArchive",
    "ArchiveLimits",
    "ArchiveProject",
    "ManifestFields",
    "EntryDigest",
    "Manifest",
    "ArchivedFile",
    "file_entry_path",
]

FORMAT: Final = "dttools-archive"
FORMAT_VERSION: Final = 1
MANIFEST: Final = "manifest.json"
DOCUMENT: Final = "document.json"
CLUSTERS: Final = "clusters.json"
YDOC: Final = "ydoc.bin"
BRAINSTORMS: Final = "brainstorms.json"
FILES_INDEX: Final = "files.json"
#: The folder of the uploaded files' entries.
FILES_DIR: Final = "files"
#: The JSON entries besides the manifest and ``files.json`` (what ArchiveWriter.add_json takes).
JSON_ENTRIES: Final = (DOCUMENT, CLUSTERS, BRAINSTORMS)
#: The binary entries (what ArchiveWriter.add_bytes takes).
BINARY_ENTRIES: Final = (YDOC,)
#: Every entry that is not an uploaded file.
DATA_ENTRIES: Final = (MANIFEST, *JSON_ENTRIES, *BINARY_ENTRIES, FILES_INDEX)
#: What a file's entry name never holds: separators, drive colons, controls, Windows-reserved.
UNSAFE_NAME_CHARS: Final = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_MAX_NAME_CHARS: Final = 120


class InvalidArchive(DTToolsError, ValueError):
    """An uploaded archive is not one this server can import (the HTTP layer answers 422).

    ``str(exc)`` says precisely what is wrong in English; the message is a :class:`Text`, so
    the edge can say it in the reader's language. ``entry`` names the zip entry at fault.
    """

    def __init__(self, message: Text, entry: str | None = None) -> None:
        self.entry = entry
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Bounds on what :func:`read_archive` accepts, checked before anything is inflated.

    ``max_data_bytes`` bounds the entries that hold the document (``document.json``,
    ``ydoc.bin``), so it is at least the largest document (Limits.max_document_bytes);
    ``max_index_bytes`` the other entries read into memory (manifest, clusters, files,
    brainstorms), which are small in any real project and cost many times their size once
    parsed; ``max_file_bytes`` bounds each file (Settings.files_max_bytes); ``max_total_bytes``
    all entries together.
    """

    max_entries: int = 10_000
    max_data_bytes: int = 64 * 1024 * 1024
    max_index_bytes: int = 4 * 1024 * 1024
    max_file_bytes: int = 1024 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    #: uncompressed / compressed, for entries over 1 MiB; deflate peaks near 1032:1 on zeros
    max_compression_ratio: int = 100


@dataclass(frozen=True, slots=True)
class ArchiveProject:
    """The project as the archive describes it (the importing server gives it a new id)."""

    name: str
    description: str
    language: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ManifestFields:
    """What the manifest says besides the digests; :meth:`ArchiveWriter.finish` writes it."""

    project: ArchiveProject
    taken_at: datetime
    state_hash: str
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class EntryDigest:
    """One entry as the manifest lists it."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """A validated ``manifest.json``."""

    fields: ManifestFields
    entries: Mapping[str, EntryDigest]


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    """An uploaded file of the archive: ``files.json``'s record and the entry holding it."""

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    path: str

    def record(self) -> dict[str, Any]:
        """The file as ``files.json`` lists it."""
        return {
            "id": self.id,
            "name": self.name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def file_entry_path(file_id: str, name: str) -> str:
    """The zip entry of a file: ``files/<id>/<name>`` with ``name`` made safe to unzip.

    Path separators, drive colons, control and Windows-reserved characters become ``_``;
    leading dots go (no hidden files, no ``..``); long names are cut, keeping the extension.
    """
    safe = UNSAFE_NAME_CHARS.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    if len(safe) > _MAX_NAME_CHARS:
        _, dot, suffix = safe.rpartition(".")
        keep = dot + suffix if dot and len(suffix) <= 16 else ""
        safe = safe[: _MAX_NAME_CHARS - len(keep)].rstrip(" .") + keep
    return f"{FILES_DIR}/{file_id}/{safe or 'file'}"
