"""`dttools backup` of a running server while people edit, and `dttools restore` into an empty
database and files folder: every edit acknowledged before the backup began is there."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any

from PIL import Image

from http_api.keys import SETTINGS
from tests.conftest import RunningServer, StartServer
from tests.support.projects import ApiClient
from tests.support.timing import TIMEOUT

_DTTOOLS = Path(sys.executable).with_name("dttools")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 90)).save(out, "PNG")
    return out.getvalue()


async def _dttools(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI; its exit code and its log (stderr)."""
    proc = await asyncio.create_subprocess_exec(
        str(_DTTOOLS), *args, env={**os.environ, "DTTOOLS_LOG_FORMAT": "json", **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(TIMEOUT * 6):
        _out, err = await proc.communicate()
    return proc.returncode or 0, err.decode()


async def _ideas(api: ApiClient, user: Any, project: Any) -> set[str]:
    texts, cursor = set(), None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = await api.call("GET", f"/v1/projects/{project}/ideas", user, params=params)
        assert page.status == 200, page.body
        texts |= {item["text"] for item in page.body["items"]}
        cursor = page.body["next_cursor"]
        if cursor is None:
            return texts


async def test_backup_while_editing_then_restore_elsewhere(
    empty_database_url: str, start_server: StartServer, database_url: str, tmp_path: Path
) -> None:
    # The empty database is asked for first so that it is dropped last: after the server on it
    # has stopped (dropping it terminates that server's connections).
    first: RunningServer = await start_server(open_rooms=False)
    settings = first.app[SETTINGS]
    backup_dir = tmp_path / "backup"
    async with ApiClient.open(first) as api:
        alice = await api.register("Alice")
        project = await api.create_project(alice, "backed up")
        acknowledged = set()
        for n in range(20):
            reply = await api.call(
                "POST", f"/v1/projects/{project}/ideas", alice, json={"text": f"idea {n}"}
            )
            assert reply.status == 201
            acknowledged.add(f"idea {n}")
        image = _png()
        uploaded = await api.upload(f"/v1/projects/{project}/files", alice, image)
        assert uploaded.status == 201, uploaded.body
        file_id = uploaded.body["id"]

        async def keep_editing() -> None:
            for n in range(10_000):
                await api.call(
                    "POST", f"/v1/projects/{project}/ideas", alice, json={"text": f"late {n}"}
                )

        editing = asyncio.create_task(keep_editing())
        try:
            code, log = await _dttools(
                "backup", str(backup_dir),
                env={"DATABASE_URL": database_url,
                     "DTTOOLS_FILES_DIR": str(settings.files_folder)},
            )  # fmt: skip
        finally:
            editing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await editing
        assert code == 0, log
        assert '"backup_progress"' in log
        assert (backup_dir / "manifest.json").exists()

    empty = empty_database_url
    files = tmp_path / "restored-files"
    code, log = await _dttools(
        "restore", str(backup_dir), env={"DATABASE_URL": empty, "DTTOOLS_FILES_DIR": str(files)}
    )
    assert code == 0, log
    second = await start_server(database_url=empty, files_dir=files, open_rooms=False)
    async with ApiClient.open(second) as api:
        restored = await _ideas(api, alice, project)  # the same account, token and session
        assert acknowledged <= restored
        async with api.http.get(
            f"{second.http_url}/v1/files/{file_id}/content", headers=alice.headers
        ) as response:
            assert response.status == 200
            assert await response.read() == image
    # Restoring again into the same, no longer empty, database is refused.
    code, log = await _dttools(
        "restore", str(backup_dir), env={"DATABASE_URL": empty, "DTTOOLS_FILES_DIR": str(files)}
    )
    assert code == 1
    assert "already holds DTTools tables" in log


async def test_a_damaged_backup_is_refused_before_anything_is_restored(
    empty_database_url: str, start_server: StartServer, database_url: str, tmp_path: Path
) -> None:
    await start_server(open_rooms=False)  # the database is migrated
    backup_dir = tmp_path / "backup"
    code, log = await _dttools("backup", str(backup_dir), env={"DATABASE_URL": database_url})
    assert code == 0, log
    dump = backup_dir / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    empty = empty_database_url
    code, log = await _dttools("restore", str(backup_dir), env={"DATABASE_URL": empty})
    assert code == 1
    assert "does not match its checksum" in log
    code, log = await _dttools("restore", str(tmp_path), env={"DATABASE_URL": empty})
    assert code == 1
    assert "not a DTTools backup" in log
