"""collab.archive_writer: a writer used wrongly refuses, rather than write a bad archive.

What a writer used rightly writes is tested by the round trip (test_export_archive.py).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from collab.archive_writer import ArchiveWriter
from collab.export_archive import (
    BRAINSTORMS,
    CLUSTERS,
    DOCUMENT,
    YDOC,
    ArchiveProject,
    ManifestFields,
)

FILE_A = "a0000000-0000-4000-8000-00000000000a"
_AT = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)
FIELDS = ManifestFields(ArchiveProject("P", "", "en", _AT), _AT, "0123456789ab")


def _copy_failing_midway(writer: ArchiveWriter) -> None:
    with writer.open_file(FILE_A, "a", "x/y") as sink:
        sink.write(b"half")
        raise OSError("storage went away")


class TestWriterMisuse:
    def _writer(self) -> ArchiveWriter:
        return ArchiveWriter(io.BytesIO())

    def test_unknown_paths_are_refused(self) -> None:
        writer = self._writer()
        with pytest.raises(ValueError, match=r"notes\.json"):
            writer.add_json("notes.json", {})
        with pytest.raises(ValueError, match=r"document\.json"):
            writer.add_bytes(DOCUMENT, b"{}")
        with pytest.raises(ValueError, match="not a file id"):
            writer.open_file("../x", "x", "image/png")

    def test_an_entry_or_a_file_is_written_once(self) -> None:
        writer = self._writer()
        writer.add_json(DOCUMENT, {})
        with pytest.raises(ValueError, match="already in the archive"):
            writer.add_json(DOCUMENT, {})
        with writer.open_file(FILE_A, "a", "image/png") as sink:
            sink.write(b"x")
        with pytest.raises(ValueError, match="already in the archive"):
            writer.open_file(FILE_A, "b", "image/png")

    def test_finishing_without_every_entry_is_refused(self) -> None:
        writer = self._writer()
        writer.add_json(DOCUMENT, {})
        with pytest.raises(RuntimeError, match=r"clusters.json, brainstorms.json, ydoc.bin"):
            writer.finish(FIELDS)

    def test_a_file_that_failed_midway_makes_the_archive_unusable(self) -> None:
        """A truncated file would carry a digest of its truncated bytes: finish refuses."""
        writer = self._writer()
        with pytest.raises(OSError, match="storage"):
            _copy_failing_midway(writer)
        for path in (DOCUMENT, CLUSTERS, BRAINSTORMS):
            writer.add_json(path, {})
        writer.add_bytes(YDOC, b"")
        with pytest.raises(RuntimeError, match="failed"):
            writer.finish(FIELDS)

    def test_nan_is_not_written_as_json(self) -> None:
        with pytest.raises(ValueError, match="JSON"):
            self._writer().add_json(DOCUMENT, {"x": float("nan")})
