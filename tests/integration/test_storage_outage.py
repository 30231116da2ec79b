"""PostgreSQL goes away and comes back: 503 + Retry-After, 4503 at once, one log line each way."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets
from structlog.testing import capture_logs
from websockets.exceptions import ConnectionClosed

from collab.close import CloseCode
from tests.conftest import RunningServer, StartServer
from tests.support.stoppable_postgres import StoppablePostgres
from tests.support.timing import TIMEOUT, scaled
from tests.support.yclient import YClient

LOGIN = {"email": "nobody@example.com", "password": "correct horse battery staple"}


@pytest.fixture
def postgres() -> Iterator[StoppablePostgres]:
    """A PostgreSQL server of this test's own, which it may stop.

    Its folder is not under pytest's base temporary folder: pytest makes that one private to
    root again whenever a session starts, and the server runs as another user when we are root.
    """
    root = Path(tempfile.mkdtemp(prefix="dttools-outage-"))
    root.chmod(0o755)
    try:
        server = StoppablePostgres(root)
    except Exception as exc:  # pragma: no cover - depends on the machine
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot start a private PostgreSQL: {exc}")
    yield server
    server.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def node(start_server: StartServer, postgres: StoppablePostgres) -> RunningServer:
    """A server on the private PostgreSQL (rooms open to anyone, as in the live-core tests)."""
    return await start_server(database_url=postgres.dsn)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def login(http: aiohttp.ClientSession, node: RunningServer) -> tuple[int, Any, str | None]:
    """POST /v1/auth/login (it reads the database); status, body, Retry-After."""
    async with http.post(node.http_url + "/v1/auth/login", json=LOGIN) as response:
        body = await response.json(content_type=None)
        return response.status, body, response.headers.get("Retry-After")


async def ws_close(node: RunningServer, room: str) -> tuple[int | None, str, float]:
    """Open a socket; how and how fast the server closes it."""
    started = time.monotonic()
    async with websockets.connect(f"{node.ws_url}/{room}") as ws:
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(TIMEOUT):
                await ws.recv()
    received = ws.protocol.close_rcvd
    assert received is not None, "closed without a close frame"
    return received.code, received.reason, time.monotonic() - started


def events(logs: list[MutableMapping[str, Any]], name: str) -> list[MutableMapping[str, Any]]:
    return [record for record in logs if record["event"] == name]


class TestStorageOutage:
    async def test_outage_answers_and_recovers(
        self,
        node: RunningServer,
        postgres: StoppablePostgres,
        http: aiohttp.ClientSession,
        room: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """While PostgreSQL is down: REST 503 storage-unavailable with Retry-After, sockets
        closed at once with 4503, one log line for the outage and one for the recovery, no
        tracebacks; afterwards everything works again."""
        status, _, _ = await login(http, node)
        assert status == 401  # the database answered: no such account
        with capture_logs() as logs:
            await asyncio.to_thread(postgres.stop)
            answers = [await login(http, node) for _ in range(5)]
            closes = [await ws_close(node, f"{room}-{i}") for i in range(3)]
            await asyncio.to_thread(postgres.start)
            recovered, _, _ = await login(http, node)
            async with await YClient.connect(node.ws_url, room) as client:
                await client.wait_synced()
        for status, body, retry_after in answers:
            assert status == 503
            assert body["type"].endswith("/storage-unavailable")
            assert retry_after == "5"
        print(f"\nsocket close during the outage after {max(t for *_, t in closes):.3f} s")
        for code, reason, took in closes:
            assert code == CloseCode.STORAGE_UNAVAILABLE
            assert "storage unavailable" in reason
            assert took < scaled(1.0)
        assert recovered == 401
        down = events(logs, "storage_unavailable")
        up = events(logs, "storage_available")
        assert len(down) == 1
        assert len(up) == 1
        assert down[0]["log_level"] == "warning"
        assert logs.index(down[0]) < logs.index(up[0])
        assert not events(logs, "request_failed")  # no 500, no traceback
        assert not [r for r in caplog.records if r.exc_info]  # nor from asyncpg's pool
