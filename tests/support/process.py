"""Run `dttools serve` as a real child process (for restart, SIGTERM and kill -9 tests)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.support.timing import TIMEOUT

__all__ = ["ServerProcess"]

_DTTOOLS = Path(sys.executable).with_name("dttools")


class ServerProcess:
    """One server node on 127.0.0.1, started on a free port; its JSON logs are collected."""

    def __init__(self, env: dict[str, str], args: list[str]) -> None:
        self._env = env
        self._args = args
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0
        self.logs: list[dict[str, Any]] = []
        self._started: asyncio.Future[int] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._logged = asyncio.Condition()

    @property
    def http_url(self) -> str:
        """Base HTTP URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """Base URL of the collaboration endpoint (append ``/room``)."""
        return f"ws://127.0.0.1:{self.port}/collab"

    async def start(self) -> ServerProcess:
        """Start the process and wait for its ``server_started`` log line."""
        env = {**os.environ, **self._env, "DTTOOLS_LOG_FORMAT": "json"}
        self._started = asyncio.get_running_loop().create_future()
        self.proc = await asyncio.create_subprocess_exec(
            str(_DTTOOLS),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *self._args,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._pump = asyncio.create_task(self._read_logs(self.proc, self._started))
        async with asyncio.timeout(TIMEOUT * 3):
            self.port = await self._started
        return self

    async def _read_logs(
        self, proc: asyncio.subprocess.Process, started: asyncio.Future[int]
    ) -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            line = raw.decode(errors="replace").strip()
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {"event": "raw", "line": line}
            self.logs.append(record)
            async with self._logged:
                self._logged.notify_all()
            if record.get("event") == "server_started" and not started.done():
                started.set_result(int(record["port"]))
        if not started.done():
            started.set_exception(RuntimeError(f"server exited early: {self.logs[-5:]}"))

    def events(self, name: str) -> list[dict[str, Any]]:
        """Log records with ``event == name``."""
        return [r for r in self.logs if r.get("event") == name]

    async def wait_event(self, name: str) -> dict[str, Any]:
        """Wait until the server logs ``event == name``; return that record."""
        async with asyncio.timeout(TIMEOUT), self._logged:
            await self._logged.wait_for(lambda: bool(self.events(name)))
        return self.events(name)[0]

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the process to exit; return its exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        async with asyncio.timeout(TIMEOUT * 3):
            code = await self.proc.wait()
            if self._pump is not None:
                await self._pump
        return code

    async def kill(self) -> int:
        """kill -9: no flush, no goodbye."""
        return await self.stop(signal.SIGKILL)
