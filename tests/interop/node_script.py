"""A Node script of tests/interop run as a live client: started, waited on until it says it
is synced, optionally told to go on, then read for the JSON report it prints last."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.interop.conftest import HERE
from tests.support.timing import TIMEOUT


class NodeScript:
    """One running script (``SYNCED`` on stderr when live; one JSON line on stdout at the end)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, node: str, script: Path, *args: str) -> NodeScript:
        proc = await asyncio.create_subprocess_exec(
            node, str(script), *args, cwd=HERE.parent, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        client = cls(proc)
        assert proc.stderr is not None
        async with asyncio.timeout(TIMEOUT):
            while (line := await proc.stderr.readline()) != b"SYNCED\n":
                assert line, f"{script.name} ended before syncing: {await client.report()}"
        return client

    def tell(self, line: str) -> None:
        """Write ``line`` to the script's standard input."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")

    async def report(self) -> dict[str, Any]:
        """Wait for the script to end; its last line of output, parsed, with its exit code."""
        async with asyncio.timeout(TIMEOUT * 2):
            stdout, stderr = await self.proc.communicate()
        lines = stdout.decode().strip().splitlines()
        assert lines, f"the script printed nothing; stderr: {stderr.decode()[-2000:]}"
        report: dict[str, Any] = json.loads(lines[-1])
        report["returncode"] = self.proc.returncode
        return report
