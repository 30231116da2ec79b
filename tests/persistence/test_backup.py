"""Backups in process (the CLI around them: tests/integration/test_backup.py): a dump and the
files with a manifest, checked whole before a restore into an empty database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from persistence import backup
from persistence.backup import BackupError, verify
from persistence.update_log import UpdateLog

Steps = list[tuple[str, int, int]]


def _recorder() -> tuple[Steps, Any]:
    steps: Steps = []
    return steps, lambda stage, done, total: steps.append((stage, done, total))


async def test_a_backup_restores_into_an_empty_database(
    pool: Any, database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    room = f"backup-{uuid4().hex[:8]}"
    await UpdateLog(pool).append([room], [b"\x01\x02\x03"])
    files = tmp_path / "files"
    (files / "ab").mkdir(parents=True)
    (files / "ab" / "blob").write_bytes(b"file content")
    steps, progress = _recorder()
    manifest = await backup.backup(database_url, files, tmp_path / "out", progress)
    assert manifest["files"]["entries"][0]["path"] == "ab/blob"
    assert ("database", 1, 1) in steps
    assert ("files", 1, 1) in steps
    with pytest.raises(BackupError, match="not empty"):
        await backup.backup(database_url, files, tmp_path / "out", progress)

    restored = tmp_path / "restored"
    await backup.restore(empty_database_url, restored, tmp_path / "out", progress)
    assert (restored / "ab" / "blob").read_bytes() == b"file content"
    conn = await asyncpg.connect(empty_database_url)
    try:
        payload = await conn.fetchval("SELECT payload FROM room_updates WHERE room = $1", room)
    finally:
        await conn.close()
    assert payload == b"\x01\x02\x03"
    with pytest.raises(BackupError, match="already holds DTTools tables"):
        await backup.restore(empty_database_url, tmp_path / "again", tmp_path / "out", progress)


async def test_files_are_restored_only_into_an_empty_folder(
    pool: Any, database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "blob").write_bytes(b"x")
    _steps, progress = _recorder()
    await backup.backup(database_url, files, tmp_path / "out", progress)
    with pytest.raises(BackupError, match="is not empty"):
        await backup.restore(empty_database_url, files, tmp_path / "out", progress)


def _manifest(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return loaded


def _write(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest))


async def test_a_backup_that_is_not_whole_is_refused(
    pool: Any, database_url: str, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "blob").write_bytes(b"x")
    _steps, progress = _recorder()
    out = tmp_path / "out"
    await backup.backup(database_url, files, out, progress)
    good = _manifest(out)
    assert verify(out, progress) == good

    _write(out, {**good, "version": 99})
    with pytest.raises(BackupError, match="not a DTTools backup of version"):
        verify(out, progress)
    outside = {**good, "files": {"storage": "local", "entries": [
        {"path": "../../etc/passwd", "bytes": 1, "sha256": "0"}]}}  # fmt: skip
    _write(out, outside)
    with pytest.raises(BackupError, match="outside the backup"):
        verify(out, progress)
    _write(out, good)
    (out / "files" / "blob").unlink()
    with pytest.raises(BackupError, match="is missing"):
        verify(out, progress)
    (out / "manifest.json").write_text("{")
    with pytest.raises(BackupError, match="not valid JSON"):
        verify(out, progress)
    (out / "manifest.json").unlink()
    with pytest.raises(BackupError, match="did not finish"):
        verify(out, progress)


async def test_an_old_pg_dump_is_not_used_on_a_newer_server() -> None:
    with pytest.raises(BackupError, match="pg_dump 99 or newer is needed"):
        backup._tool("pg_dump", 99)
