"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog

from persistence.errors import StorageError

__all__ = ["EmbeddedPostgres"]

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
        try:
            self._server = get_server(self.data_dir, cleanup_mode="stop")
        except Exception as exc:
            raise StorageError(f"embedded postgres failed to start in {self.data_dir}") from exc
        dsn = str(self._server.get_uri())
        _log.info("embedded_postgres_started", data_dir=str(self.data_dir))
        return dsn

    def stop(self) -> None:
        """Stop the server if this process started it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
            _log.info("embedded_postgres_stopped")
