"""Schemathesis against /v1/openapi.json: no server error, no response that breaks the schema.

Every check runs except ``positive_data_acceptance``: it expects every schema-valid request to
succeed, but some refusals depend on state the schema cannot express (a persona id that does
not exist, an If-Match that is not the current ETag, an opaque cursor, an Idempotency-Key
reused with another body). Those refusals are documented responses, checked by the others.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import aiohttp

from tests.conftest import RunningServer
from tests.support.api import create_api_key, register
from tests.support.timing import TIMEOUT

_SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


async def test_the_api_keeps_its_contract_under_generated_requests(
    server: RunningServer, tmp_path: Path
) -> None:
    async with aiohttp.ClientSession() as http:
        user = await register(http, server)
        _key_id, key = await create_api_key(http, server.http_url, user)
        async with http.post(
            f"{server.http_url}/v1/projects", json={"name": "Fuzzed"}, headers=user.headers
        ) as response:
            assert response.status == 201
    binary = str(_SCHEMATHESIS) if _SCHEMATHESIS.exists() else shutil.which("schemathesis")
    assert binary, "schemathesis is a dev dependency: pip install -e '.[dev]'"
    proc = await asyncio.create_subprocess_exec(
        binary, "run", f"{server.http_url}/v1/openapi.json",
        "--header", f"Authorization: Bearer {key}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--max-examples", "10", "--workers", "1", "--seed", "20261124",
        "--report-dir", str(tmp_path), "--warnings", "off",
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    async with asyncio.timeout(TIMEOUT * 30):
        output, _ = await proc.communicate()
    text = output.decode(errors="replace")
    assert proc.returncode == 0, text[-6000:]
    assert "No issues found" in text or " passed" in text, text[-2000:]
