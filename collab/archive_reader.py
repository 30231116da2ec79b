"""Reading a project archive (:mod:`collab.export_archive`): nothing trusted unchecked.

The checks run in this order: the zip's directory (entry count, names, duplicates,
encryption, compression, declared sizes and ratios), then the manifest, then every small
entry against its digest, then ``files.json`` against the file entries. File bytes are not
read here: :meth:`Archive.open_file` streams one and checks its digest when it ends. Every
refusal is an :class:`~collab.export_archive.InvalidArchive` that says what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import IO, Any, Final, Self, TypeGuard

from collab.artifacts import FILE_ID_PATTERN, ID_PATTERN, KINDS, READABLE_SCHEMA_VERSIONS
from collab.export_archive import (
    BRAINSTORMS,
    CLUSTERS,
    DATA_ENTRIES,
    DOCUMENT,
    FILES_DIR,
    FILES_INDEX,
    FORMAT,
    FORMAT_VERSION,
    JSON_ENTRIES,
    MANIFEST,
    UNSAFE_NAME_CHARS,
    YDOC,
    ArchivedFile,
    ArchiveLimits,
    ArchiveProject,
    EntryDigest,
    InvalidArchive,
    Manifest,
    ManifestFields,
)
from collab.i18n import Text, msg

__all__ = ["VerifiedStream", "Archive", "read_archive"]

#: Below this, a high ratio is harmless (a JSON of repeated texts compresses well).
_RATIO_MIN_BYTES: Final = 1024 * 1024
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_DRIVE: Final = re.compile(r"[A-Za-z]:")


@contextmanager
def _zip_errors(path: str) -> Iterator[None]:
    # What zipfile and zlib raise on damaged data (bad CRC, bad header, truncated stream).
    # A ValueError also comes from seeking to an offset a forged header computes as negative.
    # Only zipfile calls run inside, so no InvalidArchive (a ValueError too) is caught here.
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise InvalidArchive(msg("entry {name!r} is damaged", name=path), path) from exc


class _Held:
    """Holds an open zip or zip entry: ``close()`` (or the end of ``with``) lets it go.

    An entry's stream closes only the entry, the archive only its zip: the file object under
    them belongs to the caller.
    """

    def __init__(self, held: IO[bytes] | zipfile.ZipFile) -> None:
        self._held = held

    def close(self) -> None:
        """Close what this holds."""
        self._held.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class VerifiedStream(_Held):
    """A file entry being read; the end of the stream checks its size and sha256.

    Read until :meth:`read` returns ``b""`` (``shutil.copyfileobj`` does): only then is the
    content known to be what the manifest promised. A mismatch raises :class:`InvalidArchive`
    instead of returning the end, so the caller throws away what it copied.
    """

    def __init__(self, raw: IO[bytes], expected: EntryDigest) -> None:
        super().__init__(raw)
        self._raw = raw
        self._expected = expected
        self._sha = hashlib.sha256()
        self._size = 0
        self._done = False

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if negative); ``b""`` at the end."""
        if self._done or size == 0:
            return b""
        path = self._expected.path
        # Never read(-1) from zipfile: it inflates a whole compressed chunk at once, bomb and
        # all, before cutting it to the declared size. One byte more than is left is enough.
        wanted = self._expected.size - self._size + 1 if size < 0 else size
        with _zip_errors(path):
            data = self._raw.read(wanted)
        self._size += len(data)
        # zipfile stops at the declared size; counting again keeps that from being a promise.
        if self._size > self._expected.size:
            raise InvalidArchive(
                msg(
                    "entry {name!r} holds more than the {size} bytes it declares",
                    name=path,
                    size=self._expected.size,
                ),
                path,
            )
        self._sha.update(data)
        if not data or size < 0:
            self._done = True
            self._verify()
        return data

    def _verify(self) -> None:
        path = self._expected.path
        if self._size != self._expected.size:
            raise InvalidArchive(
                msg(
                    "entry {name!r} holds {count} bytes, not the {size} it declares",
                    name=path,
                    count=self._size,
                    size=self._expected.size,
                ),
                path,
            )
        if self._sha.hexdigest() != self._expected.sha256:
            raise InvalidArchive(
                msg("entry {name!r} does not match its sha256 in the manifest", name=path), path
            )


class Archive(_Held):
    """A checked archive: its data read and verified, its files streamed on demand.

    It keeps the zip open for :meth:`open_file`: close it (or use ``with``) when done. The
    caller still owns the file object it was read from.
    """

    def __init__(
        self,
        zip_file: zipfile.ZipFile,
        manifest: Manifest,
        document: dict[str, Any],
        clusters: dict[str, Any],
        ydoc: bytes,
        brainstorms: list[Any],
        files: Mapping[str, ArchivedFile],
    ) -> None:
        super().__init__(zip_file)
        self._zip = zip_file
        self.manifest = manifest
        #: the v1 typed JSON; every known collection a list of objects with valid, unique ids
        self.document = document
        #: cluster id -> cluster object (ids valid)
        self.clusters = clusters
        self.ydoc = ydoc
        self.brainstorms = brainstorms
        #: by file id, in ``files.json`` order
        self.files = files

    def open_file(self, file_id: str) -> VerifiedStream:
        """Stream a file's bytes; its size and sha256 are checked when the stream ends.

        Raises:
            KeyError: the archive has no file ``file_id``.
            InvalidArchive: the entry is damaged (also while reading, see VerifiedStream).
        """
        file = self.files[file_id]
        with _zip_errors(file.path):
            raw = self._zip.open(self._zip.getinfo(file.path))
        return VerifiedStream(raw, EntryDigest(file.path, file.size, file.sha256))


_DEFAULT_LIMITS: Final = ArchiveLimits()


def read_archive(fileobj: IO[bytes], limits: ArchiveLimits = _DEFAULT_LIMITS) -> Archive:
    """Check an uploaded archive from its directory to its digests; return it open.

    ``fileobj`` must be seekable (a spooled upload). Nothing is inflated before the zip's
    directory passed the limits, and no entry is trusted before its digest matched.

    Raises:
        InvalidArchive: the first thing found wrong, precisely.
    """
    try:
        zip_file = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: zipfile's word for a header naming a zip version it lacks.
        raise InvalidArchive(msg("the file is not a zip archive")) from exc
    try:
        return _read(zip_file, limits)
    except BaseException:
        zip_file.close()
        raise


def _read(zip_file: zipfile.ZipFile, limits: ArchiveLimits) -> Archive:
    infos = _check_directory(zip_file.infolist(), limits)
    for name in DATA_ENTRIES:
        if name not in infos:
            raise InvalidArchive(msg("the archive has no {name}", name=name), name)
    manifest = _parse_manifest(_load_json(MANIFEST, _read_manifest(zip_file, infos[MANIFEST])))
    _check_listing(manifest, infos)
    data = {
        name: _read_entry(zip_file, infos[name], manifest.entries[name])
        for name in (*JSON_ENTRIES, YDOC, FILES_INDEX)
    }
    document = _load_json(DOCUMENT, data[DOCUMENT])
    _check_document(document, manifest.fields.schema_version)
    clusters = _load_json(CLUSTERS, data[CLUSTERS])
    _check_clusters(clusters)
    brainstorms = _load_json(BRAINSTORMS, data[BRAINSTORMS])
    if not isinstance(brainstorms, list):
        raise _not_a(BRAINSTORMS, msg("{name} is not a JSON list", name=BRAINSTORMS))
    files = _check_files(_load_json(FILES_INDEX, data[FILES_INDEX]), infos, manifest)
    return Archive(zip_file, manifest, document, clusters, data[YDOC], brainstorms, files)


def _not_a(name: str, message: Text) -> InvalidArchive:
    return InvalidArchive(message, name)


# --- the zip's directory -----------------------------------------------------------------------


def _check_directory(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits
) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_entries:
        raise InvalidArchive(
            msg(
                "the archive has {count} entries, more than the limit of {limit}",
                count=len(infos),
                limit=limits.max_entries,
            )
        )
    seen: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        _check_name(name)
        if name in seen:
            raise InvalidArchive(msg("entry {name!r} appears more than once", name=name), name)
        seen[name] = info
        if _is_file_entry(name):
            limit = limits.max_file_bytes
        elif name in (DOCUMENT, YDOC):
            limit = limits.max_data_bytes
        else:
            limit = limits.max_index_bytes
        _check_entry(info, limit, limits.max_compression_ratio)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise InvalidArchive(
                msg(
                    "the archive's entries declare more than the limit of {limit} bytes in all",
                    limit=limits.max_total_bytes,
                )
            )
    return seen


def _check_name(name: str) -> None:
    # Refused whatever the OS that unzips it: each of these can escape a target folder.
    if "\\" in name:
        reason = msg("it contains a backslash")
    elif name.startswith("/"):
        reason = msg("it is an absolute path")
    elif _DRIVE.match(name):
        reason = msg("it starts with a drive letter")
    elif any(part in ("", ".", "..") for part in name.split("/")):
        reason = msg("it has an empty, '.' or '..' part")
    elif re.search(r"[\x00-\x1f\x7f]", name):
        reason = msg("it contains a control character")
    else:
        return
    raise InvalidArchive(
        msg("entry name {name!r} is not allowed: {reason}", name=name, reason=reason), name
    )


def _is_file_entry(name: str) -> bool:
    if name in DATA_ENTRIES:
        return False
    parts = name.split("/")
    if (
        len(parts) == 3
        and parts[0] == FILES_DIR
        and FILE_ID_PATTERN.fullmatch(parts[1])
        and len(parts[2]) <= 255
        and not UNSAFE_NAME_CHARS.search(parts[2])
    ):
        return True
    raise InvalidArchive(msg("entry {name!r} is not part of the archive format", name=name), name)


def _check_entry(info: zipfile.ZipInfo, limit: int, max_ratio: int) -> None:
    name = info.filename
    if info.flag_bits & 0x1:
        raise InvalidArchive(msg("entry {name!r} is encrypted", name=name), name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InvalidArchive(
            msg(
                "entry {name!r} uses compression method {method}, not stored or deflated",
                name=name,
                method=info.compress_type,
            ),
            name,
        )
    if info.file_size > limit:
        raise InvalidArchive(
            msg(
                "entry {name!r} declares {size} bytes, more than the limit of {limit}",
                name=name,
                size=info.file_size,
                limit=limit,
            ),
            name,
        )
    if info.file_size >= _RATIO_MIN_BYTES and info.file_size > info.compress_size * max_ratio:
        raise InvalidArchive(
            msg(
                "entry {name!r} inflates {ratio}:1, more than the limit of {limit}:1",
                name=name,
                ratio=info.file_size // max(info.compress_size, 1),
                limit=max_ratio,
            ),
            name,
        )


# --- the manifest ------------------------------------------------------------------------------


def _read_manifest(zip_file: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # Nothing to check it against but its declared size (already within max_data_bytes).
    with _zip_errors(MANIFEST), zip_file.open(info) as raw:
        data = raw.read(info.file_size + 1)  # bounded: see VerifiedStream.read
    if len(data) != info.file_size:
        raise InvalidArchive(
            msg(
                "entry {name!r} holds {count} bytes, not the {size} it declares",
                name=MANIFEST,
                count=len(data),
                size=info.file_size,
            ),
            MANIFEST,
        )
    return data


def _no_field(field: str) -> InvalidArchive:
    return InvalidArchive(msg("manifest.json has no valid {field}", field=field), MANIFEST)


def _string(value: Mapping[str, Any], key: str, field: str) -> str:
    found = value.get(key)
    if not isinstance(found, str):
        raise _no_field(field)
    return found


def _time(value: Mapping[str, Any], key: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(_string(value, key, field))
    except ValueError:
        raise _no_field(field) from None
    if parsed.tzinfo is None:
        raise _no_field(field)
    return parsed


def _is_size(value: object) -> TypeGuard[int]:
    return type(value) is int and value >= 0  # True is an int, but no size


def _parse_manifest(value: Any) -> Manifest:
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise InvalidArchive(
            msg("manifest.json does not describe a {format} archive", format=FORMAT), MANIFEST
        )
    versions = (("format_version", (FORMAT_VERSION,)), ("schemaVersion", READABLE_SCHEMA_VERSIONS))
    for key, known in versions:
        version = value.get(key)
        if type(version) is not int or version not in known:
            raise InvalidArchive(
                msg(
                    "archive {field} {version!r} is not supported (this server reads {known})",
                    field=key,
                    version=version,
                    known=" or ".join(map(str, known)),
                ),
                MANIFEST,
            )
    project = value.get("project")
    if not isinstance(project, dict):
        raise _no_field("project")
    fields = ManifestFields(
        project=ArchiveProject(
            name=_string(project, "name", "project.name"),
            description=_string(project, "description", "project.description"),
            language=_string(project, "language", "project.language"),
            created_at=_time(project, "created_at", "project.created_at"),
        ),
        taken_at=_time(value, "taken_at", "taken_at"),
        state_hash=_string(value, "state_hash", "state_hash"),
        schema_version=value["schemaVersion"],
    )
    entries = value.get("entries")
    if not isinstance(entries, list):
        raise _no_field("entries")
    digests: dict[str, EntryDigest] = {}
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(path := entry.get("path"), str)
            and path != MANIFEST
            and _is_size(size := entry.get("size"))
            and isinstance(sha := entry.get("sha256"), str)
            and _SHA256.fullmatch(sha)
        ):
            raise _no_field(f"entries[{index}]")
        if path in digests:
            raise InvalidArchive(msg("manifest.json lists {name!r} twice", name=path), MANIFEST)
        digests[path] = EntryDigest(path, size, sha)
    return Manifest(fields, digests)


def _check_listing(manifest: Manifest, infos: Mapping[str, zipfile.ZipInfo]) -> None:
    for name in infos:
        if name != MANIFEST and name not in manifest.entries:
            raise InvalidArchive(msg("entry {name!r} is not in the manifest", name=name), name)
    for path, digest in manifest.entries.items():
        info = infos.get(path)
        if info is None:
            raise InvalidArchive(
                msg("the manifest names {name!r}, which is not in the archive", name=path), path
            )
        if info.file_size != digest.size:
            raise InvalidArchive(
                msg(
                    "entry {name!r} declares {size} bytes, the manifest says {expected}",
                    name=path,
                    size=info.file_size,
                    expected=digest.size,
                ),
                path,
            )


# --- the data entries --------------------------------------------------------------------------


def _read_entry(zip_file: zipfile.ZipFile, info: zipfile.ZipInfo, digest: EntryDigest) -> bytes:
    with _zip_errors(info.filename):
        raw = zip_file.open(info)
    with VerifiedStream(raw, digest) as stream:
        return stream.read()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _load_json(name: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidArchive(msg("entry {name!r} is not valid JSON", name=name), name) from exc


def _check_document(document: Any, schema_version: int) -> None:
    if not isinstance(document, dict):
        raise _not_a(DOCUMENT, msg("{name} is not a JSON object", name=DOCUMENT))
    version = document.get("schemaVersion")
    if type(version) is not int or version != schema_version:
        raise InvalidArchive(
            msg(
                "document.json has schemaVersion {version!r}, the manifest says {expected}",
                version=version,
                expected=schema_version,
            ),
            DOCUMENT,
        )
    for collection in KINDS:
        items = document.get(collection, [])
        if not isinstance(items, list):
            raise InvalidArchive(
                msg("document.json: {collection} is not a list", collection=collection), DOCUMENT
            )
        seen: set[str] = set()
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str) or not ID_PATTERN.fullmatch(item_id):
                raise InvalidArchive(
                    msg(
                        "document.json: {collection}[{index}] is not an object with a valid id",
                        collection=collection,
                        index=index,
                    ),
                    DOCUMENT,
                )
            if item_id in seen:
                raise InvalidArchive(
                    msg(
                        "document.json: {collection} holds id {id!r} twice",
                        collection=collection,
                        id=item_id,
                    ),
                    DOCUMENT,
                )
            seen.add(item_id)


def _check_clusters(clusters: Any) -> None:
    if not isinstance(clusters, dict):
        raise _not_a(CLUSTERS, msg("{name} is not a JSON object", name=CLUSTERS))
    for key, cluster in clusters.items():
        if not ID_PATTERN.fullmatch(key) or not isinstance(cluster, dict):
            raise InvalidArchive(
                msg("clusters.json: {id!r} is not a cluster object with a valid id", id=key),
                CLUSTERS,
            )


def _is_file_record(record: object) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(file_id := record.get("id"), str)
        and FILE_ID_PATTERN.fullmatch(file_id) is not None
        and isinstance(record.get("name"), str)
        and isinstance(record.get("content_type"), str)
        and _is_size(record.get("size"))
        and isinstance(sha := record.get("sha256"), str)
        and _SHA256.fullmatch(sha) is not None
    )


def _check_files(
    records: Any, infos: Mapping[str, zipfile.ZipInfo], manifest: Manifest
) -> dict[str, ArchivedFile]:
    if not isinstance(records, list):
        raise _not_a(FILES_INDEX, msg("{name} is not a JSON list", name=FILES_INDEX))
    entries: dict[str, str] = {}  # file id -> its entry
    for name in infos:
        if name.startswith(FILES_DIR + "/"):
            file_id = name.split("/")[1]
            if file_id in entries:
                raise InvalidArchive(
                    msg("file {id!r} has more than one entry under files/", id=file_id), name
                )
            entries[file_id] = name
    files: dict[str, ArchivedFile] = {}
    for index, record in enumerate(records):
        if not _is_file_record(record):
            raise InvalidArchive(
                msg("files.json: entry {index} is not a valid file record", index=index),
                FILES_INDEX,
            )
        file_id = record["id"]
        if file_id in files:
            raise InvalidArchive(msg("files.json lists file {id!r} twice", id=file_id), FILES_INDEX)
        path = entries.get(file_id)
        if path is None:
            raise InvalidArchive(
                msg("file {id!r} has no entry under files/", id=file_id), FILES_INDEX
            )
        digest = manifest.entries[path]
        if (digest.size, digest.sha256) != (record["size"], record["sha256"]):
            raise InvalidArchive(
                msg("files.json and the manifest disagree about file {id!r}", id=file_id), path
            )
        files[file_id] = ArchivedFile(
            file_id, record["name"], record["content_type"], digest.size, digest.sha256, path
        )
    for file_id, path in entries.items():
        if file_id not in files:
            raise InvalidArchive(msg("entry {name!r} is not listed in files.json", name=path), path)
    return files
