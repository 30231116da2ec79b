"""A real redis-server child process on a free loopback port, restartable on the same port."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import redis.asyncio as redis

from tests.support.ports import free_port
from tests.support.timing import TIMEOUT

__all__ = ["RedisServer", "redis_server_binary"]


def redis_server_binary() -> str | None:
    """Path of redis-server, if installed."""
    return shutil.which("redis-server")


class RedisServer:
    """redis-server with no persistence, listening on 127.0.0.1 only."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> RedisServer:
        """Start the server and wait until it answers PING."""
        self.proc = await asyncio.create_subprocess_exec(
            self.binary,
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.workdir),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=self.port)
        try:
            async with asyncio.timeout(TIMEOUT):
                while True:
                    try:
                        if await client.ping():
                            return self
                    except (redis.ConnectionError, OSError):
                        # Readiness poll of a child process we just started (no event exists).
                        await asyncio.sleep(0.02)
        finally:
            await client.aclose()

    async def stop(self) -> None:
        """Kill the server (its clients see the connection drop)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    async def restart(self) -> None:
        """Kill and start again on the same port (an empty Redis: pub/sub state is gone)."""
        await self.stop()
        await self.start()
