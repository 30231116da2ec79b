"""A private PostgreSQL (pgserver's binaries) that a test may stop and start again.

The session's shared server must never go down under other tests, so outage tests run their
own: initialised and first started by pgserver (which knows how to run it as a non-root user),
then stopped and restarted with ``pg_ctl`` on the same data folder and Unix socket, so the DSN
stays valid across an outage.
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["StoppablePostgres"]


class StoppablePostgres:
    """One PostgreSQL server in ``root``; :meth:`stop` and :meth:`start` at will."""

    def __init__(self, root: Path) -> None:
        self.pgdata = (root / "pgdata").resolve()
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
            warnings.simplefilter("ignore")
            from pgserver import get_server  # type: ignore[attr-defined]

            self._server: Any = get_server(self.pgdata, cleanup_mode=None)
        self.dsn = str(self._server.get_uri())
        self._socket_dir = parse_qs(urlsplit(self.dsn).query)["host"][0]
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(list(args), pgdata=self.pgdata, user=self._server.system_user, timeout=60)

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are terminated, nothing is lost)."""
        self._pg_ctl("-w", "-m", "fast", "stop")
        self.running = False

    def start(self) -> None:
        """Start it again, on the same socket."""
        self._pg_ctl(
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {self._socket_dir}",
            "-l",
            str(self.pgdata / "log"),
            "start",
        )
        self.running = True

    def close(self) -> None:
        """Stop the server if it runs."""
        if self.running:
            try:
                self.stop()
            except subprocess.CalledProcessError:  # pragma: no cover - already stopped
                self.running = False
        self._server.cleanup()
