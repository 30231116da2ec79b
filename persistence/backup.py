"""Backups of a deployment: the database (pg_dump) and the local files, with a manifest.

``dttools backup DEST`` and ``dttools restore SRC`` (http_api/cli.py) call :func:`backup`
and :func:`restore`. A backup folder holds:

* ``database.dump``: ``pg_dump --format=custom`` of the whole database. pg_dump reads one
  snapshot of it (a repeatable-read transaction), so a backup taken while the server runs is
  consistent: every update committed before the snapshot is in it, with the rows that go
  with it.
* ``files/``: a copy of the local file store (uploads, finished exports), made after the dump,
  so every file a dumped row names is there (files are written before their rows and only
  deleted by sweeps of rows already gone). With S3 storage, files stay in the bucket: keep
  bucket versioning on (docs/operations.md, "Backup and restore").
* ``manifest.json``, written last: the format, when, the PostgreSQL versions, and the size
  and SHA-256 of every other file. A folder without it is an unfinished backup.

pg_dump must be at least as new as the server it reads. The embedded server's own binaries
(pgserver's, PostgreSQL 16) are used when they are new enough, else the system's; if neither
is, the backup stops and says which version is needed. Restore checks every checksum before it
touches anything, and restores only into a database without DTTools tables and a files
folder that is empty.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import asyncpg

from persistence.embedded import pgserver_commands
from persistence.errors import StorageError

__all__ = ["BACKUP_FORMAT", "BackupError", "Progress", "backup", "restore", "verify"]

BACKUP_FORMAT: Final = "dttools-backup"
_VERSION: Final = 1
_MANIFEST: Final = "manifest.json"
_DUMP: Final = "database.dump"
_FILES: Final = "files"
_CHUNK: Final = 1 << 20

#: Told what is happening: (stage, done, total), e.g. ("files", 120, 400).
Progress = Callable[[str, int, int], None]


class BackupError(StorageError):
    """A backup or restore that cannot go on, with what to do about it."""


@dataclass(frozen=True, slots=True)
class _Tool:
    path: str
    major: int


def _pgserver_bin() -> Path:
    found: Path = pgserver_commands().POSTGRES_BIN_PATH
    return found


def _tool(name: str, server_major: int) -> _Tool:
    """The newest ``name`` (pg_dump, pg_restore) that is at least ``server_major``."""
    candidates = []
    embedded = _pgserver_bin()
    if (embedded / name).exists():
        candidates.append(str(embedded / name))
    system = shutil.which(name)
    if system is not None:
        candidates.append(system)
    found = []
    for path in candidates:
        out = subprocess.run(  # noqa: S603  # a PostgreSQL binary found above, no shell
            [path, "--version"], capture_output=True, text=True, check=False
        )
        match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
        if out.returncode == 0 and match is not None:
            found.append(_Tool(path, int(match.group(1))))
    usable = sorted((t for t in found if t.major >= server_major), key=lambda t: -t.major)
    if not usable:
        have = ", ".join(f"{t.path} ({t.major})" for t in found) or "none"
        raise BackupError(
            f"{name} {server_major} or newer is needed for this PostgreSQL {server_major} "
            f"server; found: {have}. Install the PostgreSQL {server_major} client tools."
        )
    return usable[0]


def _libpq_uri(dsn: str) -> str:
    """asyncpg and libpq read the same URIs; only the scheme alias differs."""
    return re.sub(r"^postgres(ql)?\+?[a-z]*://", "postgresql://", dsn)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


async def _server_version(dsn: str) -> tuple[int, str]:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        number = int(await conn.fetchval("SHOW server_version_num"))
        text = str(await conn.fetchval("SHOW server_version"))
        return number // 10000, text
    finally:
        await conn.close()


async def backup(
    dsn: str, files_dir: Path | None, dest: Path, progress: Progress
) -> dict[str, Any]:
    """Write a backup of the database at ``dsn`` and of ``files_dir`` (None: files in S3)
    into the new or empty folder ``dest``; return its manifest. The work runs in a thread.

    Raises:
        BackupError: ``dest`` is not empty, no suitable pg_dump, or pg_dump failed.
    """
    major, version = await _server_version(dsn)
    return await asyncio.to_thread(_write_backup, dsn, major, version, files_dir, dest, progress)


def _write_backup(
    dsn: str, major: int, version: str, files_dir: Path | None, dest: Path, progress: Progress
) -> dict[str, Any]:
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    pg_dump = _tool("pg_dump", major)
    progress("database", 0, 1)
    dump = dest / _DUMP
    done = subprocess.run(  # noqa: S603  # our pg_dump, arguments as a list, no shell
        [pg_dump.path, "--format=custom", "--no-owner", "--no-privileges",
         f"--file={dump}", f"--dbname={_libpq_uri(dsn)}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    progress("database", 1, 1)
    entries = []
    if files_dir is not None and files_dir.exists():
        sources = sorted(p for p in files_dir.rglob("*") if p.is_file())
        for index, source in enumerate(sources, 1):
            relative = source.relative_to(files_dir)
            target = dest / _FILES / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(source, target)
            except FileNotFoundError:
                continue  # swept since it was listed: no row names it any more
            entries.append(
                {"path": relative.as_posix(), "bytes": target.stat().st_size,
                 "sha256": _sha256(target)}
            )  # fmt: skip
            if index % 100 == 0 or index == len(sources):
                progress("files", index, len(sources))
    manifest = {
        "format": BACKUP_FORMAT,
        "version": _VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {
            "file": _DUMP,
            "bytes": dump.stat().st_size,
            "sha256": _sha256(dump),
            "server_version": version,
            "pg_dump": pg_dump.major,
        },
        "files": {"storage": "local" if files_dir is not None else "s3", "entries": entries},
    }
    written = dest / (_MANIFEST + ".part")
    written.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(written, dest / _MANIFEST)  # the manifest appears whole, last
    return manifest


def verify(src: Path, progress: Progress) -> dict[str, Any]:
    """The manifest of the backup in ``src`` once every file in it matches its checksum.

    Raises:
        BackupError: not a backup, an unknown format, or a file missing or changed.
    """
    try:
        manifest: dict[str, Any] = json.loads((src / _MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{src} holds no {_MANIFEST}: not a DTTools backup, or one that did not finish"
        ) from None
    except ValueError:
        raise BackupError(f"{src / _MANIFEST} is not valid JSON: the backup is damaged") from None
    if manifest.get("format") != BACKUP_FORMAT or manifest.get("version") != _VERSION:
        raise BackupError(
            f"{src} is not a DTTools backup of version {_VERSION} "
            f"(format {manifest.get('format')!r}, version {manifest.get('version')!r})"
        )
    checks = [(src / manifest["database"]["file"], manifest["database"]["sha256"])]
    checks += [(src / _FILES / e["path"], e["sha256"]) for e in manifest["files"]["entries"]]
    for index, (path, expected) in enumerate(checks, 1):
        if not path.resolve().is_relative_to(src.resolve()):
            raise BackupError(f"the manifest names {path}, outside the backup: refused")
        if not path.is_file():
            raise BackupError(f"the backup is incomplete: {path.relative_to(src)} is missing")
        if _sha256(path) != expected:
            raise BackupError(
                f"the backup is damaged: {path.relative_to(src)} does not match its checksum"
            )
        if index % 100 == 0 or index == len(checks):
            progress("verify", index, len(checks))
    return manifest


async def restore(dsn: str, files_dir: Path | None, src: Path, progress: Progress) -> None:
    """Restore the backup in ``src`` into the database at ``dsn`` (it must hold no DTTools
    tables) and into ``files_dir`` (it must be empty; None: files stay in S3).

    Raises:
        BackupError: the backup does not verify, the targets are not empty, or pg_restore
            failed (in one transaction: nothing restored).
    """
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        existing = await conn.fetchval("SELECT to_regclass('public.schema_migrations')")
    finally:
        await conn.close()
    if existing is not None:
        raise BackupError(
            "the target database already holds DTTools tables: restore into an empty one "
            "(a new DATABASE_URL, or a new DTTOOLS_DATA_DIR for the embedded database)"
        )
    major, _version = await _server_version(dsn)
    await asyncio.to_thread(_restore_backup, dsn, major, files_dir, src, progress)


def _restore_backup(
    dsn: str, major: int, files_dir: Path | None, src: Path, progress: Progress
) -> None:
    manifest = verify(src, progress)
    entries = manifest["files"]["entries"]
    if entries and files_dir is not None and files_dir.exists() and any(files_dir.iterdir()):
        raise BackupError(f"{files_dir} is not empty: restore the files into an empty folder")
    pg_restore = _tool("pg_restore", max(major, int(manifest["database"]["pg_dump"])))
    progress("database", 0, 1)
    done = subprocess.run(  # noqa: S603  # our pg_restore, arguments as a list, no shell
        [pg_restore.path, "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", f"--dbname={_libpq_uri(dsn)}", str(src / manifest["database"]["file"])],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing restored): {done.stderr.strip()[-500:]}")
    progress("database", 1, 1)
    if files_dir is None:
        return
    for index, entry in enumerate(entries, 1):
        target = files_dir / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / _FILES / entry["path"], target)
        if index % 100 == 0 or index == len(entries):
            progress("files", index, len(entries))
