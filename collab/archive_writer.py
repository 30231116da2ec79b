"""Writing a project archive (:mod:`collab.export_archive`), streaming, digests on the way.

Files may be hundreds of MiB: each goes straight into the zip as it is read, hashed on the
way, so nothing is held whole and the manifest, written last, lists what was really written.
The writer only makes names and entries that :func:`collab.archive_reader.read_archive`
accepts, so an archive this server writes is one any server of this version imports.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any, Final, Self

from collab.artifacts import FILE_ID_PATTERN, format_timestamp
from collab.export_archive import (
    BINARY_ENTRIES,
    FILES_DIR,
    FILES_INDEX,
    FORMAT,
    FORMAT_VERSION,
    JSON_ENTRIES,
    MANIFEST,
    ArchivedFile,
    EntryDigest,
    ManifestFields,
    file_entry_path,
)

__all__ = ["ArchiveWriter", "EntrySink"]

#: Already compressed: deflating them again costs CPU and saves nothing.
_STORED_TYPES: Final = re.compile(
    r"image/(png|jpeg|gif|webp|avif|heic)|application/(pdf|zip|gzip)|(audio|video)/.*"
)
# Fixed entry dates: the same project gives the same bytes (and the zip reveals nothing extra).
_ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
#: Told that an entry was closed, and whether its writing went through.
_OnClose = Callable[[EntryDigest, bool], None]


class EntrySink:
    """A zip entry being written: :meth:`write` hashes and counts each chunk on its way in."""

    def __init__(self, raw: IO[bytes], path: str, on_close: _OnClose) -> None:
        self._raw = raw
        self._path = path
        self._on_close = on_close
        self._sha = hashlib.sha256()
        self._size = 0

    def write(self, data: bytes) -> int:
        """Append ``data`` to the entry."""
        self._sha.update(data)
        self._size += len(data)
        return self._raw.write(data)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._raw.close()
        self._on_close(EntryDigest(self._path, self._size, self._sha.hexdigest()), exc is None)


class ArchiveWriter:
    """Write an archive to a binary file, one entry at a time, streaming (sync: run it in a
    worker thread when the files come from async storage).

    Call :meth:`add_json` for ``document.json``, ``clusters.json`` and ``brainstorms.json``,
    :meth:`add_bytes` for ``ydoc.bin``, :meth:`open_file` for each file, then :meth:`finish`,
    which writes ``files.json`` and ``manifest.json`` and closes the zip (not ``fileobj``).
    """

    def __init__(self, fileobj: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(fileobj, "w")
        self._digests: dict[str, EntryDigest] = {}
        self._files: list[ArchivedFile] = []
        self._failed = False

    def add_json(self, path: str, value: Any) -> None:
        """Write ``value`` as the JSON entry ``path`` (one of the layout's JSON entries)."""
        if path not in JSON_ENTRIES:
            raise ValueError(f"{path!r} is not one of {JSON_ENTRIES}")
        self._write(path, _dump(value))

    def add_bytes(self, path: str, data: bytes) -> None:
        """Write ``data`` as the binary entry ``path`` (``ydoc.bin``)."""
        if path not in BINARY_ENTRIES:
            raise ValueError(f"{path!r} is not one of {BINARY_ENTRIES}")
        self._write(path, data)

    def open_file(self, file_id: str, name: str, content_type: str) -> EntrySink:
        """Start the entry of an uploaded file; write its bytes in chunks, then close it.

        The entry's path comes from the id and name (:func:`file_entry_path`), so the writer
        never makes a name :func:`read_archive` refuses; its size and sha256 go to
        ``files.json`` and the manifest. Pictures and PDFs are stored, the rest deflated.
        """
        if not FILE_ID_PATTERN.fullmatch(file_id):
            raise ValueError(f"{file_id!r} is not a file id")
        if any(f.id == file_id for f in self._files):
            raise ValueError(f"file {file_id!r} is already in the archive")
        path = file_entry_path(file_id, name)
        stored = _STORED_TYPES.fullmatch(content_type.split(";")[0].strip().lower())
        raw = self._open(path, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)

        def closed(digest: EntryDigest, ok: bool) -> None:
            self._closed(digest, ok)
            if ok:
                self._files.append(
                    ArchivedFile(file_id, name, content_type, digest.size, digest.sha256, path)
                )

        return EntrySink(raw, path, closed)

    def finish(self, fields: ManifestFields) -> None:
        """Write ``files.json`` and ``manifest.json`` last and close the zip.

        Raises:
            RuntimeError: an entry is missing, or one failed while it was written (the
                archive would hold a truncated file with a digest that matches it).
        """
        if self._failed:
            raise RuntimeError("an entry failed while it was written; the archive is unusable")
        missing = [p for p in (*JSON_ENTRIES, *BINARY_ENTRIES) if p not in self._digests]
        if missing:
            raise RuntimeError(f"the archive lacks {', '.join(missing)}")
        self._write(FILES_INDEX, _dump([f.record() for f in self._files]))
        project = fields.project
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schemaVersion": fields.schema_version,
            "project": {
                "name": project.name,
                "description": project.description,
                "language": project.language,
                "created_at": format_timestamp(project.created_at),
            },
            "taken_at": format_timestamp(fields.taken_at),
            "state_hash": fields.state_hash,
            "entries": [
                {"path": d.path, "size": d.size, "sha256": d.sha256} for d in self._digests.values()
            ],
        }
        with self._open(MANIFEST, zipfile.ZIP_DEFLATED) as raw:
            raw.write(_dump(manifest))
        self._zip.close()

    def _open(self, path: str, compression: int) -> IO[bytes]:
        if path in self._digests:
            raise ValueError(f"{path!r} is already in the archive")
        info = zipfile.ZipInfo(path, date_time=_ZIP_EPOCH)
        info.compress_type = compression
        info.external_attr = 0o644 << 16  # rw-r--r-- for whoever unzips it
        # Sizes are unknown until the end: ZIP64 headers let a file pass 2 GiB.
        return self._zip.open(info, "w", force_zip64=path.startswith(FILES_DIR + "/"))

    def _write(self, path: str, data: bytes) -> None:
        with EntrySink(self._open(path, zipfile.ZIP_DEFLATED), path, self._closed) as sink:
            sink.write(data)

    def _closed(self, digest: EntryDigest, ok: bool) -> None:
        self._digests[digest.path] = digest
        self._failed = self._failed or not ok


def _dump(value: Any) -> bytes:
    # allow_nan=False: NaN is not JSON, and another server's reader would refuse it.
    return (json.dumps(value, ensure_ascii=False, allow_nan=False, indent=1) + "\n").encode()
