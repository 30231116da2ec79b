"""What a crash leaves in the embedded PostgreSQL's folder, settled before a start (the whole
lifecycle with real processes is tests/integration/test_embedded_lifecycle.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from persistence.embedded import EmbeddedPostgres
from persistence.errors import StorageError


@pytest.fixture
def dead_pid() -> int:
    """The PID of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The PID of a process that runs for the test (not a postgres)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _folder(tmp_path: Path, holders: object, postmaster_pid: int | None = None) -> EmbeddedPostgres:
    embedded = EmbeddedPostgres(tmp_path)
    embedded.data_dir.mkdir(parents=True)
    (embedded.data_dir / ".handle_pids.json").write_text(json.dumps(holders))
    if postmaster_pid is not None:
        (embedded.data_dir / "postmaster.pid").write_text(f"{postmaster_pid}\n/data\n")
    return embedded


def _holders(embedded: EmbeddedPostgres) -> list[int]:
    held: list[int] = json.loads((embedded.data_dir / ".handle_pids.json").read_text())
    return held


def test_dead_holders_are_forgotten_and_live_ones_kept(
    tmp_path: Path, dead_pid: int, live_pid: int
) -> None:
    embedded = _folder(tmp_path, [dead_pid, live_pid, os.getpid()], postmaster_pid=live_pid)
    embedded._settle_crashed_holders()
    assert _holders(embedded) == [live_pid, os.getpid()]  # the server is still theirs


def test_a_server_whose_holders_all_died_and_that_is_gone_is_left_alone(
    tmp_path: Path, dead_pid: int
) -> None:
    embedded = _folder(tmp_path, [dead_pid], postmaster_pid=dead_pid)
    embedded._settle_crashed_holders()
    assert _holders(embedded) == []
    embedded = _folder(tmp_path / "no-pid-file", [dead_pid])
    embedded._settle_crashed_holders()
    assert _holders(embedded) == []


def test_an_orphan_that_cannot_be_stopped_is_reported(
    tmp_path: Path, dead_pid: int, live_pid: int
) -> None:
    """A process named by postmaster.pid runs, its holders are dead: stopping it is tried
    (here it is no postgres, so pg_ctl fails) and the failure says what to do."""
    embedded = _folder(tmp_path, [dead_pid], postmaster_pid=live_pid)
    with pytest.raises(StorageError, match="could not be stopped"):
        embedded._settle_crashed_holders()


def test_nothing_to_settle(tmp_path: Path) -> None:
    embedded = EmbeddedPostgres(tmp_path)
    embedded.data_dir.mkdir(parents=True)
    embedded._settle_crashed_holders()  # no holder file yet: a first start
    (embedded.data_dir / ".handle_pids.json").write_text("not json")
    embedded._settle_crashed_holders()  # unreadable: no holder trusted
    embedded = _folder(tmp_path / "broken-pid", [999_999_999], postmaster_pid=None)
    (embedded.data_dir / "postmaster.pid").write_text("garbage\n")
    embedded._settle_crashed_holders()  # postgres itself will refuse that pid file
    assert _holders(embedded) == []
