"""collab.export_archive: what ArchiveWriter writes, read_archive reads back equal.

The format's contract is the round trip; collab/archive_writer.py's misuse and
collab/archive_reader.py's refusals have their own tests.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map

from collab.archive_reader import Archive, read_archive
from collab.archive_writer import ArchiveWriter
from collab.artifacts import SCHEMA_VERSION
from collab.export_archive import (
    BRAINSTORMS,
    CLUSTERS,
    DOCUMENT,
    FILES_INDEX,
    MANIFEST,
    YDOC,
    ArchiveLimits,
    ArchiveProject,
    ManifestFields,
    file_entry_path,
)
from tests.support.exports import realistic_source
from tests.support.files import png

FILE_A, FILE_B, FILE_C = (f"{n}0000000-0000-4000-8000-00000000000{n}" for n in "abc")
PROJECT = ArchiveProject(
    name="Escola & Famílias: comunicação",
    description="Oficina de design thinking com a rede municipal de ensino.",
    language="pt-BR",
    created_at=datetime(2026, 11, 24, 14, 30, 0, 123000, tzinfo=UTC),
)
FIELDS = ManifestFields(PROJECT, datetime(2026, 12, 6, 14, 30, tzinfo=UTC), "0123456789ab")
MiB = 1024 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(data: bytes) -> Archive:
    return read_archive(io.BytesIO(data), ArchiveLimits())


def _stream(archive: Archive, file_id: str) -> bytes:
    out = io.BytesIO()
    with archive.open_file(file_id) as stream:
        shutil.copyfileobj(stream, out, 64 * 1024)
    return out.getvalue()


# --- writing a real one ------------------------------------------------------------------------


def _chunks(size: int, seed: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """``size`` pseudo-random bytes, made a chunk at a time (never held whole)."""
    rng = random.Random(seed)
    left = size
    while left:
        n = min(chunk, left)
        yield rng.randbytes(n)
        left -= n


def _ydoc() -> bytes:
    doc: Doc[Any] = Doc(client_id=7)  # a fixed client id: the same bytes each time
    doc.get("ideas", type=Map)["i1"] = Map({"id": "i1", "text": "Quiosque"})
    return doc.get_update()


def _realistic() -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    source = realistic_source(ideas=60)
    stamp = "2026-11-24T14:30:00.000Z"
    clusters = {
        key: {"id": key, "name": name, "createdBy": "u-ana", "createdAt": stamp, "updatedAt": stamp}
        for key, name in source.clusters.items()
    }
    brainstorms = [
        {
            "id": session.id,
            "prompt": session.prompt,
            "ideas": [
                {"rank": r.rank, "ideaId": r.idea_id, "votes": r.votes} for r in session.ideas
            ],
        }
        for session in source.sessions
    ]
    return dict(source.document), clusters, brainstorms


_FILES = [
    (FILE_A, "especificação.pdf", "application/pdf", 3 * MiB + 17),
    (FILE_B, "esboço do painel.png", "image/png", None),
    (FILE_C, "notas.txt", "text/plain; charset=utf-8", None),
]


def _content(file_id: str) -> bytes:
    if file_id == FILE_B:
        return png(320, 200, "teal")
    if file_id == FILE_C:
        return "Notas da oficina: ação, atenção.\n".encode() * 5_000
    return b"".join(_chunks(3 * MiB + 17, seed=1))


def _write(out: io.BytesIO | Any, *, files: bool = True) -> tuple[dict[str, Any], Any, Any]:
    document, clusters, brainstorms = _realistic()
    writer = ArchiveWriter(out)
    writer.add_json(DOCUMENT, document)
    writer.add_json(CLUSTERS, clusters)
    writer.add_bytes(YDOC, _ydoc())
    writer.add_json(BRAINSTORMS, brainstorms)
    for file_id, name, content_type, size in _FILES if files else ():
        with writer.open_file(file_id, name, content_type) as sink:
            if size is None:
                sink.write(_content(file_id))
            else:
                for chunk in _chunks(size, seed=1):
                    sink.write(chunk)
    writer.finish(FIELDS)
    return document, clusters, brainstorms


class TestRoundTrip:
    def test_a_realistic_project_reads_back_equal_with_every_file_verified(self) -> None:
        """Document, clusters, Yjs state, brainstorms, manifest and 3 files come back equal."""
        out = io.BytesIO()
        document, clusters, brainstorms = _write(out)
        with _read(out.getvalue()) as archive:
            assert archive.document == document
            assert archive.clusters == clusters
            assert archive.brainstorms == brainstorms
            assert archive.ydoc == _ydoc()
            assert archive.manifest.fields == FIELDS
            assert list(archive.files) == [FILE_A, FILE_B, FILE_C]
            for file_id, name, content_type, _ in _FILES:
                expected = _content(file_id)
                file = archive.files[file_id]
                assert (file.name, file.content_type) == (name, content_type)
                assert (file.size, file.sha256) == (len(expected), _sha(expected))
                assert _stream(archive, file_id) == expected
            paths = set(archive.manifest.entries)
        assert paths == {DOCUMENT, CLUSTERS, YDOC, BRAINSTORMS, FILES_INDEX} | {
            file_entry_path(fid, name) for fid, name, _, _ in _FILES
        }

    def test_manifest_is_last_and_pictures_and_pdfs_are_stored_not_deflated(self) -> None:
        out = io.BytesIO()
        _write(out)
        with zipfile.ZipFile(out) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            assert archive.infolist()[-1].filename == MANIFEST
        methods = {name.split("/")[-1]: info.compress_type for name, info in infos.items()}
        assert methods["especificação.pdf"] == zipfile.ZIP_STORED
        assert methods["esboço do painel.png"] == zipfile.ZIP_STORED
        assert methods["notas.txt"] == zipfile.ZIP_DEFLATED
        assert methods[DOCUMENT] == zipfile.ZIP_DEFLATED

    def test_the_same_project_gives_the_same_bytes(self) -> None:
        """Entry dates are fixed, so two exports of one state are byte-identical."""
        first, second = io.BytesIO(), io.BytesIO()
        _write(first, files=False)
        _write(second, files=False)
        assert first.getvalue() == second.getvalue()

    def test_a_project_without_files_has_an_empty_file_list(self) -> None:
        out = io.BytesIO()
        _write(out, files=False)
        with _read(out.getvalue()) as archive:
            assert archive.files == {}

    def test_big_files_stream_through_without_being_held(self, tmp_path: Path) -> None:
        """Writing and reading 16 MiB in chunks never holds more than a few MiB at once."""
        path = tmp_path / "project.zip"
        tracemalloc.start()
        try:
            with path.open("wb") as out:
                writer = ArchiveWriter(out)
                for name, value in ((DOCUMENT, {"schemaVersion": SCHEMA_VERSION}), (CLUSTERS, {})):
                    writer.add_json(name, value)
                writer.add_json(BRAINSTORMS, [])
                writer.add_bytes(YDOC, b"\x00\x00")
                with writer.open_file(FILE_A, "vídeo.pdf", "application/pdf") as sink:
                    for chunk in _chunks(16 * MiB, seed=2):
                        sink.write(chunk)
                writer.finish(FIELDS)
            with path.open("rb") as source, read_archive(source, ArchiveLimits()) as archive:
                sha = hashlib.sha256()
                with archive.open_file(FILE_A) as stream:
                    while chunk := stream.read(256 * 1024):
                        sha.update(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert sha.hexdigest() == _sha(b"".join(_chunks(16 * MiB, seed=2)))
        assert peak < 4 * MiB

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("../../etc/passwd", "_.._etc_passwd"),
            ("C:\\Windows\\win.ini", "C__Windows_win.ini"),
            ("foto\x00.png", "foto_.png"),
            ("...", "file"),
            ("", "file"),
            (".bashrc", "bashrc"),
            ("a" * 300 + ".jpeg", "a" * 115 + ".jpeg"),
            ("b" * 300 + "." + "c" * 20, "b" * 120),
        ],
    )
    def test_file_names_are_made_safe_and_the_real_name_kept(
        self, name: str, expected: str
    ) -> None:
        assert file_entry_path(FILE_A, name) == f"files/{FILE_A}/{expected}"
        out = io.BytesIO()
        writer = ArchiveWriter(out)
        for path, value in (
            (DOCUMENT, {"schemaVersion": SCHEMA_VERSION}),
            (CLUSTERS, {}),
            (BRAINSTORMS, []),
        ):
            writer.add_json(path, value)
        writer.add_bytes(YDOC, b"")
        with writer.open_file(FILE_A, name, "image/png") as sink:
            sink.write(b"data")
        writer.finish(FIELDS)
        with _read(out.getvalue()) as archive:
            assert archive.files[FILE_A].name == name
            assert _stream(archive, FILE_A) == b"data"
