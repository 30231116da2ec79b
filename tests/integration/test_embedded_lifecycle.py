"""The embedded PostgreSQL after a crash: found, stopped cleanly, taken over; never left running.

Real `dttools serve` processes on the embedded default (no DATABASE_URL), one data folder.
"""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from tests.support.process import ServerProcess
from tests.support.timing import TIMEOUT


def _postgres_of(data_dir: Path) -> list[psutil.Process]:
    """The postgres processes serving ``data_dir`` (their command line names the folder)."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and any(str(data_dir) in part for part in cmdline):
            found.append(proc)
    return found


def _node(data_dir: Path) -> ServerProcess:
    return ServerProcess({"DTTOOLS_DATA_DIR": str(data_dir), "DTTOOLS_OPEN_ROOMS": "true"}, [])


async def test_a_crash_leaves_nothing_behind_after_the_next_clean_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the embedded default
    data_dir = tmp_path / "data"
    first = await _node(data_dir).start()
    assert _postgres_of(data_dir)
    await first.kill()  # kill -9: the embedded server outlives it
    orphans = _postgres_of(data_dir)
    assert orphans, "expected the crash to leave the embedded server running"

    second = await _node(data_dir).start()
    try:
        stopped = second.events("embedded_postgres_orphan_stopped")
        assert stopped, second.logs[-5:]
        assert stopped[0]["crashed_holders"]
    finally:
        assert await second.stop() == 0
    _gone, alive = psutil.wait_procs(_postgres_of(data_dir), timeout=TIMEOUT)
    assert not alive, [p.pid for p in alive]
    assert not _postgres_of(data_dir)
