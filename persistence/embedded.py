"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given.

pgserver shares one server among the processes that open the same data folder: each adds
its PID to ``.handle_pids.json`` and the last one to leave stops the server. A process
killed with -9 never leaves, so its PID stayed there for good, and every later clean stop
saw another holder and left the server running. Before opening the folder this module
therefore settles what a crash left behind (:meth:`EmbeddedPostgres.start`): holders that
no longer run are forgotten, and a server that only they held (an orphan) is stopped
cleanly and started again under this process. Holders that still run keep sharing it, as
pgserver intends (``dttools backup`` or ``dttools admin`` beside a running ``serve``).
"""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

import psutil
import structlog

from persistence.errors import StorageError

__all__ = ["EmbeddedPostgres", "pgserver_commands"]

_log = structlog.get_logger(__name__)


class EmbeddedPostgres:
    """A PostgreSQL server in ``data_dir/postgres``, started on demand and stopped on exit.

    pgserver ships PostgreSQL binaries in its wheel and listens on a Unix socket inside the
    data folder only, so nothing is exposed on the network.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir / "postgres"
        self._server: Any = None

    def start(self) -> str:
        """Start (or reuse) the server and return its DSN."""
        from pgserver import get_server  # type: ignore[attr-defined]  # lazy: embedded only

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._settle_crashed_holders()
        try:
            self._server = get_server(self.data_dir, cleanup_mode="stop")
        except Exception as exc:
            raise StorageError(f"embedded postgres failed to start in {self.data_dir}") from exc
        dsn = str(self._server.get_uri())
        _log.info("embedded_postgres_started", data_dir=str(self.data_dir))
        return dsn

    def _settle_crashed_holders(self) -> None:
        """Forget holders that died; stop a server that only they held (see the module doc).

        Raises:
            StorageError: the orphaned server could not be stopped.
        """
        handles = self.data_dir / ".handle_pids.json"
        try:
            held_by = [int(pid) for pid in json.loads(handles.read_text())]
        except FileNotFoundError:
            held_by = []
        except (ValueError, TypeError):
            held_by = []  # unreadable: no holder can be trusted to be alive
        dead = [pid for pid in held_by if pid != os.getpid() and not _runs(pid)]
        if not dead:
            return
        alive = [pid for pid in held_by if pid not in dead]
        handles.write_text(json.dumps(alive))
        postmaster = self.data_dir / "postmaster.pid"
        if alive or not postmaster.exists():
            return  # shared with live holders: the last of them stops it
        try:
            orphan = int(postmaster.read_text().split("\n", 1)[0])
        except ValueError:
            return  # postgres itself refuses a broken pid file with a clear message
        if not _runs(orphan):
            return
        _log.warning("embedded_postgres_orphan_stopped", pid=orphan, crashed_holders=dead)
        pg_ctl: Any = getattr(pgserver_commands(), "pg_ctl")  # noqa: B009  # made at import, untyped
        # pgserver runs the server as user "pgserver" when started by root: stop it as that
        user = "pgserver" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=user)
        except (subprocess.CalledProcessError, KeyError) as exc:
            # KeyError: pgserver looks the user up, and a machine where it never ran as root
            # has no "pgserver" user; the orphan is then not one pg_ctl can stop as that user
            raise StorageError(
                f"an embedded PostgreSQL left running in {self.data_dir} by a crash "
                f"(pid {orphan}) could not be stopped: stop it, then start again"
            ) from exc

    def stop(self) -> None:
        """Stop the server if this process started it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
            _log.info("embedded_postgres_stopped")


def _runs(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        status: str = psutil.Process(pid).status()
    except psutil.Error:
        return False
    return status != psutil.STATUS_ZOMBIE


def pgserver_commands() -> Any:
    """pgserver's module of PostgreSQL commands (``POSTGRES_BIN_PATH``, ``pg_ctl``...).

    Imported late (only the embedded server and backups need it) and quietly: platformdirs
    warns, on import, when XDG_RUNTIME_DIR is not set, which is harmless here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from pgserver import _commands

    return _commands
