"""collab.archive_reader: a hostile or damaged archive is refused, precisely and early."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.archive_reader import Archive, VerifiedStream, read_archive
from collab.export_archive import (
    BRAINSTORMS,
    CLUSTERS,
    DOCUMENT,
    FILES_INDEX,
    FORMAT,
    MANIFEST,
    YDOC,
    ArchiveLimits,
    EntryDigest,
    InvalidArchive,
)
from tests.support.files import PDF

FILE_A, FILE_B = (f"{n}0000000-0000-4000-8000-00000000000{n}" for n in "ab")
MiB = 1024 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _read(data: bytes, limits: ArchiveLimits | None = None) -> Archive:
    return read_archive(io.BytesIO(data), limits or ArchiveLimits())


def _refused(data: bytes, limits: ArchiveLimits | None = None) -> InvalidArchive:
    with pytest.raises(InvalidArchive) as caught:
        _read(data, limits)
    return caught.value


def _stream(archive: Archive, file_id: str, chunk: int = 64 * 1024) -> bytes:
    out = io.BytesIO()
    with archive.open_file(file_id) as stream:
        shutil.copyfileobj(stream, out, chunk)
    return out.getvalue()


# --- forging archives by hand ------------------------------------------------------------------

_AUTO: Any = object()


def _record(file_id: str, data: bytes, name: str = "foto.png") -> dict[str, Any]:
    return {
        "id": file_id,
        "name": name,
        "content_type": "image/png",
        "size": len(data),
        "sha256": _sha(data),
    }


def _entries(
    *files: tuple[str, bytes], document: Any = None, records: Any = _AUTO, **data: bytes
) -> list[tuple[str, bytes]]:
    """The entries of a small valid archive (before its manifest), with some replaced."""
    if document is None:
        document = {"schemaVersion": 1, "ideas": [{"id": "i1", "text": "Quiosque"}]}
    if records is _AUTO:
        records = [_record(file_id, content) for file_id, content in files]
    base = {
        DOCUMENT: _json(document),
        CLUSTERS: _json({"c1": {"id": "c1", "name": "Acesso"}}),
        YDOC: b"\x00\x00",
        BRAINSTORMS: _json([]),
        FILES_INDEX: _json(records),
    }
    base.update({name.replace("_", "."): value for name, value in data.items()})  # clusters_json
    return [*base.items(), *((f"files/{fid}/foto.png", content) for fid, content in files)]


def _manifest(entries: Sequence[tuple[str, bytes]], /, **changes: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": 1,
        "schemaVersion": 1,
        "project": {
            "name": "P",
            "description": "",
            "language": "en",
            "created_at": "2026-12-01T10:00:00.000Z",
        },
        "taken_at": "2026-12-06T10:00:00.000Z",
        "state_hash": "abc",
        "entries": [{"path": n, "size": len(d), "sha256": _sha(d)} for n, d in entries],
    }
    for key, value in changes.items():
        if value is _AUTO:
            del manifest[key]
        else:
            manifest[key] = value
    return manifest


def _forge(
    entries: Sequence[tuple[str, bytes]],
    manifest: Any = _AUTO,
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip of exactly these entries (any names, duplicates too), plus a manifest."""
    out = io.BytesIO()
    if manifest is _AUTO:
        manifest = _manifest(entries)
    if isinstance(manifest, dict):
        manifest = _json(manifest)
    listed = [*entries, (MANIFEST, manifest)] if manifest is not None else list(entries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates some tests want
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in listed:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def _patch(data: bytes, name: str, size: int, crc: int | None = None) -> bytes:
    """Make the headers of entry ``name`` declare another uncompressed size (and CRC)."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
        position = archive.start_dir
    struct.pack_into("<I", buf, local + 22, size)
    if crc is not None:
        struct.pack_into("<I", buf, local + 14, crc)
    while buf[position : position + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, position + 28)
        if buf[position + 46 : position + 46 + name_len] == name.encode():
            struct.pack_into("<I", buf, position + 24, size)
            if crc is not None:
                struct.pack_into("<I", buf, position + 16, crc)
        position += 46 + name_len + extra_len + comment_len
    return bytes(buf)


def _template(exc: InvalidArchive) -> str:
    return str(exc.args[0].template)


class TestNotAnArchive:
    @pytest.mark.parametrize("data", [b"", b"hello", b"PK\x05\x06" + b"\x00" * 10, PDF])
    def test_what_is_not_a_zip_is_refused(self, data: bytes) -> None:
        exc = _refused(data)
        assert str(exc) == "the file is not a zip archive"
        assert exc.entry is None


class TestNames:
    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("../x", "it has an empty, '.' or '..' part"),
            ("files/../../x", "it has an empty, '.' or '..' part"),
            ("./manifest.json", "it has an empty, '.' or '..' part"),
            (f"files//{FILE_A}", "it has an empty, '.' or '..' part"),
            ("files/", "it has an empty, '.' or '..' part"),
            ("/etc/passwd", "it is an absolute path"),
            ("files\\..\\x", "it contains a backslash"),
            ("C:x", "it starts with a drive letter"),
            ("c:/x", "it starts with a drive letter"),
            ("doc\x01ument.json", "it contains a control character"),
        ],
    )
    def test_a_name_that_could_escape_the_folder_is_refused(self, name: str, reason: str) -> None:
        exc = _refused(_forge([*_entries(), (name, b"x")]))
        assert str(exc) == f"entry name {name!r} is not allowed: {reason}"
        assert exc.entry == name

    def test_a_duplicate_name_is_refused(self) -> None:
        """Two document.json: which one an unzip tool keeps is anyone's guess."""
        entries = _entries()
        exc = _refused(_forge([*entries, (DOCUMENT, b"{}")]))
        assert str(exc) == "entry 'document.json' appears more than once"

    @pytest.mark.parametrize(
        "name",
        [
            "notes.txt",
            "Document.json",
            "files/not-a-file-id/x.png",
            f"files/{FILE_A.upper()}/x.png",
            f"files/{FILE_A}",
            f"files/{FILE_A}/a/b.png",
            f"files/{FILE_A}/a:b.png",
            f"files/{FILE_A}/" + "x" * 256,
            f"other/{FILE_A}/x.png",
        ],
    )
    def test_an_unknown_entry_is_refused(self, name: str) -> None:
        exc = _refused(_forge([*_entries(), (name, b"x")]))
        assert str(exc) == f"entry {name!r} is not part of the archive format"


class TestLimits:
    def test_too_many_entries(self) -> None:
        data = _forge(_entries((FILE_A, b"a"), (FILE_B, b"b")))
        exc = _refused(data, ArchiveLimits(max_entries=7))
        assert str(exc) == "the archive has 8 entries, more than the limit of 7"
        with _read(data, ArchiveLimits(max_entries=8)) as archive:
            assert set(archive.files) == {FILE_A, FILE_B}

    def test_index_entries_have_their_own_small_limit(self) -> None:
        """clusters.json and the like are small in a real project, and cost many times their
        size once parsed: they are held to max_index_bytes, the document to max_data_bytes."""
        data = _forge(_entries())
        exc = _refused(data, ArchiveLimits(max_index_bytes=2))
        assert str(exc) == "entry 'clusters.json' declares 38 bytes, more than the limit of 2"
        with _read(data, ArchiveLimits(max_data_bytes=10_000_000, max_index_bytes=100_000)):
            pass

    def test_an_entry_declared_over_its_limit(self) -> None:
        data = _forge(_entries((FILE_A, b"x" * 2_000)))
        exc = _refused(data, ArchiveLimits(max_file_bytes=1_999))
        assert str(exc) == (
            f"entry 'files/{FILE_A}/foto.png' declares 2000 bytes, more than the limit of 1999"
        )
        exc = _refused(data, ArchiveLimits(max_data_bytes=30))
        assert (
            _template(exc) == "entry {name!r} declares {size} bytes, more than the limit of {limit}"
        )
        assert exc.entry == DOCUMENT

    def test_entries_declared_over_the_total(self) -> None:
        data = _forge(_entries((FILE_A, b"x" * 2_000), (FILE_B, b"y" * 2_000)))
        exc = _refused(data, ArchiveLimits(max_total_bytes=3_000))
        assert str(exc) == "the archive's entries declare more than the limit of 3000 bytes in all"

    def test_a_zip_bomb_is_stopped_by_its_ratio_before_inflating(self) -> None:
        """20 MiB of zeros deflate to 20 KiB: 1000:1 is refused without inflating anything."""
        bomb = b"\x00" * (20 * MiB)
        data = _forge(_entries((FILE_A, bomb)))
        assert len(data) < 100_000
        exc = _refused(data)
        assert (
            _template(exc) == "entry {name!r} inflates {ratio}:1, more than the limit of {limit}:1"
        )
        assert exc.entry == f"files/{FILE_A}/foto.png"
        assert exc.args[0].params["ratio"] > 900

    def test_a_zip_bomb_past_the_size_limit_is_stopped_by_its_declared_size(self) -> None:
        data = _forge(_entries((FILE_A, b"\x00" * (20 * MiB))))
        exc = _refused(data, ArchiveLimits(max_file_bytes=10 * MiB, max_compression_ratio=10**6))
        assert "more than the limit of 10485760" in str(exc)

    def test_a_bomb_whose_header_lies_small_never_inflates_past_its_declared_size(self) -> None:
        """Headers say 100 bytes, the data inflates to 50 MiB: no more than 100 come out."""
        entries = _entries(document=None)
        bomb = b"\x00" * (50 * MiB)
        small = bomb[:100]
        data = _forge(
            [*entries[1:], (DOCUMENT, bomb)], _manifest([*entries[1:], (DOCUMENT, small)])
        )
        data = _patch(data, DOCUMENT, 100)
        tracemalloc.start()
        try:
            exc = _refused(data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert str(exc) == "entry 'document.json' is damaged"  # its CRC is the bomb's
        assert peak < 4 * MiB
        # With a CRC forged for the first 100 bytes, those 100 bytes are all that is read.
        exc = _refused(_patch(data, DOCUMENT, 100, crc=zlib.crc32(small)))
        assert str(exc) == "entry 'document.json' is not valid JSON"

    def test_a_header_that_lies_big_is_caught_by_counting(self) -> None:
        """Headers (and the manifest) say 5000 bytes, the data holds fewer: the count tells."""
        entries = _entries()
        manifest = _manifest(entries)
        manifest["entries"][0]["size"] = 5_000
        data = _patch(_forge(entries, manifest), DOCUMENT, 5_000)
        exc = _refused(data)
        assert _template(exc) == "entry {name!r} holds {count} bytes, not the {size} it declares"
        assert exc.args[0].params["size"] == 5_000

    def test_a_manifest_whose_header_lies_big_is_caught_by_counting(self) -> None:
        exc = _refused(_patch(_forge(_entries()), MANIFEST, 90_000))
        assert exc.entry == MANIFEST
        assert exc.args[0].params["size"] == 90_000

    def test_an_encrypted_entry_is_refused(self) -> None:
        data = bytearray(_forge(_entries()))
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            position = archive.start_dir
        struct.pack_into("<H", data, position + 8, 0x1)  # the first entry's flags
        exc = _refused(bytes(data))
        assert str(exc) == "entry 'document.json' is encrypted"

    def test_only_stored_and_deflated_entries_are_read(self) -> None:
        exc = _refused(_forge(_entries(), compression=zipfile.ZIP_BZIP2))
        assert (
            str(exc) == "entry 'document.json' uses compression method 12, not stored or deflated"
        )

    def test_stored_entries_are_read(self) -> None:
        with _read(_forge(_entries((FILE_A, b"x")), compression=zipfile.ZIP_STORED)) as archive:
            assert _stream(archive, FILE_A) == b"x"


class TestManifest:
    @pytest.mark.parametrize("name", [MANIFEST, DOCUMENT, CLUSTERS, YDOC, BRAINSTORMS, FILES_INDEX])
    def test_a_missing_entry_is_named(self, name: str) -> None:
        entries = [(n, d) for n, d in _entries() if n != name]
        exc = _refused(_forge(entries, None if name == MANIFEST else _AUTO))
        assert str(exc) == f"the archive has no {name}"
        assert exc.entry == name

    @pytest.mark.parametrize(
        ("manifest", "message"),
        [
            (b"{not json", "entry 'manifest.json' is not valid JSON"),
            (b"\xff\xfe", "entry 'manifest.json' is not valid JSON"),
            (b"[]", "manifest.json does not describe a dttools-archive archive"),
            ({"format": "zip"}, "manifest.json does not describe a dttools-archive archive"),
        ],
    )
    def test_a_manifest_that_is_not_ours(self, manifest: Any, message: str) -> None:
        assert str(_refused(_forge(_entries(), manifest))) == message

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"format_version": 2}, "archive format_version 2 is not supported"),
            ({"format_version": "1"}, "archive format_version '1' is not supported"),
            ({"format_version": True}, "archive format_version True is not supported"),
            ({"format_version": _AUTO}, "archive format_version None is not supported"),
            ({"schemaVersion": 3}, "archive schemaVersion 3 is not supported"),
            ({"schemaVersion": 1.0}, "archive schemaVersion 1.0 is not supported"),
        ],
    )
    def test_an_unsupported_version(self, changes: dict[str, Any], message: str) -> None:
        exc = _refused(_forge(_entries(), _manifest(_entries(), **changes)))
        assert str(exc).startswith(message + " (this server reads")

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"project": "P"}, "project"),
            ({"project": {"description": "", "language": "en"}}, "project.name"),
            ({"taken_at": "yesterday"}, "taken_at"),
            ({"taken_at": "2026-12-06T10:00:00"}, "taken_at"),
            ({"taken_at": _AUTO}, "taken_at"),
            ({"state_hash": 12}, "state_hash"),
            ({"entries": {}}, "entries"),
            ({"entries": ["document.json"]}, "entries[0]"),
            (
                {"entries": [{"path": "document.json", "size": -1, "sha256": "0" * 64}]},
                "entries[0]",
            ),
            ({"entries": [{"path": "document.json", "size": 1, "sha256": "A" * 64}]}, "entries[0]"),
            (
                {"entries": [{"path": "document.json", "size": True, "sha256": "0" * 64}]},
                "entries[0]",
            ),
            ({"entries": [{"path": "manifest.json", "size": 1, "sha256": "0" * 64}]}, "entries[0]"),
        ],
    )
    def test_a_malformed_field_is_named(self, changes: dict[str, Any], field: str) -> None:
        exc = _refused(_forge(_entries(), _manifest(_entries(), **changes)))
        assert str(exc) == f"manifest.json has no valid {field}"
        assert exc.entry == MANIFEST

    def test_a_project_creation_date_must_be_a_date(self) -> None:
        project = {"name": "P", "description": "", "language": "en", "created_at": 3}
        exc = _refused(_forge(_entries(), _manifest(_entries(), project=project)))
        assert str(exc) == "manifest.json has no valid project.created_at"

    def test_an_entry_listed_twice(self) -> None:
        manifest = _manifest(_entries())
        manifest["entries"].append(manifest["entries"][0])
        exc = _refused(_forge(_entries(), manifest))
        assert str(exc) == "manifest.json lists 'document.json' twice"

    def test_an_entry_the_manifest_does_not_list(self) -> None:
        entries = _entries((FILE_A, b"a"))
        exc = _refused(_forge(entries, _manifest(entries[:-1])))
        assert str(exc) == f"entry 'files/{FILE_A}/foto.png' is not in the manifest"

    def test_a_listed_entry_that_is_absent(self) -> None:
        entries = _entries((FILE_A, b"a"))
        exc = _refused(_forge(entries[:-1], _manifest(entries)))
        assert str(exc) == (
            f"the manifest names 'files/{FILE_A}/foto.png', which is not in the archive"
        )

    def test_a_size_the_manifest_disagrees_with(self) -> None:
        entries = _entries()
        manifest = _manifest(entries)
        manifest["entries"][1]["size"] += 1
        exc = _refused(_forge(entries, manifest))
        assert (
            _template(exc) == "entry {name!r} declares {size} bytes, the manifest says {expected}"
        )
        assert exc.entry == CLUSTERS

    @pytest.mark.parametrize("name", [DOCUMENT, CLUSTERS, YDOC, BRAINSTORMS, FILES_INDEX])
    def test_a_checksum_mismatch_on_a_data_entry(self, name: str) -> None:
        entries = _entries()
        manifest = _manifest(entries)
        for listed in manifest["entries"]:
            if listed["path"] == name:
                listed["sha256"] = _sha(b"something else")
        exc = _refused(_forge(entries, manifest))
        assert str(exc) == f"entry {name!r} does not match its sha256 in the manifest"

    def test_a_damaged_entry(self) -> None:
        """Flipped bytes in the deflated data: zlib or the CRC notices, and we say so."""
        entries = _entries(document={"schemaVersion": 1, "text": "conteúdo " * 500})
        data = bytearray(_forge(entries))
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            start = archive.getinfo(DOCUMENT).header_offset + 30 + len(DOCUMENT)
        data[start + 20 : start + 40] = bytes(20)
        exc = _refused(bytes(data))
        assert str(exc) == "entry 'document.json' is damaged"


class TestData:
    @pytest.mark.parametrize(
        ("document", "message"),
        [
            ([], "document.json is not a JSON object"),
            ({"ideas": []}, "document.json has schemaVersion None, the manifest says 1"),
            ({"schemaVersion": "1"}, "document.json has schemaVersion '1', the manifest says 1"),
            ({"schemaVersion": 1, "ideas": {}}, "document.json: ideas is not a list"),
            (
                {"schemaVersion": 1, "personas": [{"id": "p1"}, "p2"]},
                "document.json: personas[1] is not an object with a valid id",
            ),
            (
                {"schemaVersion": 1, "tests": [{"id": "../t"}]},
                "document.json: tests[0] is not an object with a valid id",
            ),
            (
                {"schemaVersion": 1, "ideas": [{"id": "i1"}, {"id": "i1"}]},
                "document.json: ideas holds id 'i1' twice",
            ),
        ],
    )
    def test_a_document_that_is_not_the_typed_json(self, document: Any, message: str) -> None:
        exc = _refused(_forge(_entries(document=document)))
        assert str(exc) == message
        assert exc.entry == DOCUMENT

    @pytest.mark.parametrize(
        "document", [b"[" * 100_000, b'{"schemaVersion": NaN}', b'{"x": Infinity}', b"\xc3("]
    )
    def test_what_is_not_json_is_refused(self, document: bytes) -> None:
        entries = [(n, document if n == DOCUMENT else d) for n, d in _entries()]
        assert str(_refused(_forge(entries))) == "entry 'document.json' is not valid JSON"

    @pytest.mark.parametrize(
        ("clusters", "message"),
        [
            ([], "clusters.json is not a JSON object"),
            ({"c 1": {}}, "clusters.json: 'c 1' is not a cluster object with a valid id"),
            ({"c1": "Acesso"}, "clusters.json: 'c1' is not a cluster object with a valid id"),
        ],
    )
    def test_clusters_that_are_not_a_cluster_map(self, clusters: Any, message: str) -> None:
        assert str(_refused(_forge(_entries(clusters_json=_json(clusters))))) == message

    def test_brainstorms_must_be_a_list(self) -> None:
        exc = _refused(_forge(_entries(brainstorms_json=b"{}")))
        assert str(exc) == "brainstorms.json is not a JSON list"

    @pytest.mark.parametrize(
        ("records", "message"),
        [
            ({}, "files.json is not a JSON list"),
            (["x"], "files.json: entry 0 is not a valid file record"),
            (
                [{**_record(FILE_A, b"a"), "id": "f-a"}],
                "files.json: entry 0 is not a valid file record",
            ),
            (
                [{**_record(FILE_A, b"a"), "size": "1"}],
                "files.json: entry 0 is not a valid file record",
            ),
            (
                [{**_record(FILE_A, b"a"), "sha256": "x"}],
                "files.json: entry 0 is not a valid file record",
            ),
            (
                [{**_record(FILE_A, b"a"), "name": None}],
                "files.json: entry 0 is not a valid file record",
            ),
            (
                [_record(FILE_A, b"a"), _record(FILE_A, b"a")],
                f"files.json lists file {FILE_A!r} twice",
            ),
            ([_record(FILE_B, b"a")], f"file {FILE_B!r} has no entry under files/"),
            ([], f"entry 'files/{FILE_A}/foto.png' is not listed in files.json"),
            (
                [_record(FILE_A, b"b")],
                f"files.json and the manifest disagree about file {FILE_A!r}",
            ),
        ],
    )
    def test_a_file_list_that_does_not_match_the_files(self, records: Any, message: str) -> None:
        assert str(_refused(_forge(_entries((FILE_A, b"a"), records=records)))) == message

    def test_two_entries_for_one_file(self) -> None:
        entries = [*_entries((FILE_A, b"a")), (f"files/{FILE_A}/copy.png", b"a")]
        exc = _refused(_forge(entries))
        assert str(exc) == f"file {FILE_A!r} has more than one entry under files/"


class TestFileStreams:
    def test_a_file_whose_bytes_do_not_match_fails_at_the_end_of_its_stream(self) -> None:
        """The listing is consistent, only the bytes differ: read_archive cannot know yet."""
        entries = _entries((FILE_A, b"real bytes"), records=[_record(FILE_A, b"real bytez")])
        manifest = _manifest(entries)
        manifest["entries"][-1]["sha256"] = _sha(b"real bytez")
        with _read(_forge(entries, manifest)) as archive, archive.open_file(FILE_A) as stream:
            assert stream.read(4) == b"real"
            with pytest.raises(InvalidArchive) as caught:
                stream.read()
        assert str(caught.value) == (
            f"entry 'files/{FILE_A}/foto.png' does not match its sha256 in the manifest"
        )
        assert caught.value.entry == f"files/{FILE_A}/foto.png"

    def test_a_stream_reads_to_its_end_once(self) -> None:
        with _read(_forge(_entries((FILE_A, b"abc")))) as archive:
            with archive.open_file(FILE_A) as stream:
                assert stream.read(0) == b""
                assert stream.read(2) == b"ab"
                assert stream.read(5) == b"c"
                assert stream.read(5) == b""
                assert stream.read() == b""
            with pytest.raises(KeyError):
                archive.open_file(FILE_B)

    def test_a_stream_that_gives_more_than_declared_is_stopped(self) -> None:
        """zipfile stops at the declared size; the stream does not count on it."""
        stream = VerifiedStream(io.BytesIO(b"x" * 10), EntryDigest("files/x", 4, _sha(b"xxxx")))
        with pytest.raises(InvalidArchive) as caught:
            stream.read(8)
        assert str(caught.value) == "entry 'files/x' holds more than the 4 bytes it declares"

    def test_a_stream_that_gives_less_than_declared_is_refused(self) -> None:
        stream = VerifiedStream(io.BytesIO(b"xx"), EntryDigest("files/x", 4, _sha(b"xxxx")))
        assert stream.read(2) == b"xx"
        with pytest.raises(InvalidArchive, match="holds 2 bytes, not the 4 it declares"):
            stream.read(2)


_SMALL = _forge(_entries((FILE_A, b"picture bytes " * 20)))


class TestFuzz:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.integers(0, len(_SMALL) - 1), st.integers(0, 255)), max_size=4))
    def test_damaged_bytes_are_read_or_refused_never_anything_else(
        self, flips: list[tuple[int, int]]
    ) -> None:
        """Any byte of a valid archive changed: either it still reads, or InvalidArchive."""
        data = bytearray(_SMALL)
        for position, value in flips:
            data[position] = value
        try:
            with _read(bytes(data)) as archive:
                for file_id in archive.files:
                    _stream(archive, file_id)
        except InvalidArchive:
            pass

    def test_limits_can_be_replaced(self) -> None:
        """ArchiveLimits is a value: a server derives its own from the defaults."""
        limits = replace(ArchiveLimits(), max_entries=1)
        assert str(_refused(_SMALL, limits)).startswith("the archive has 7 entries")
