"""Shared fixtures: a real PostgreSQL database, settings, in-process and child-process servers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from argon2 import Parameters, Type

from http_api import passwords
from http_api.app import create_app
from http_api.settings import Settings
from tests.support.postgres import admin_dsn, fresh_database
from tests.support.process import ServerProcess
from tests.support.redis_server import RedisServer, redis_server_binary

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

#: argon2id at its lowest cost (8 KiB, one pass, one lane): hundreds of accounts are made and
#: signed in during a run, at ~0.15 s each with the production parameters. Servers started by
#: the tests in this process hash with these; child-process servers and any deployment use
#: http_api.passwords.STRONG (tests/http_api/test_passwords.py checks both).
CHEAP_PASSWORD_HASHING = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=1,
    memory_cost=8,
    parallelism=1,
)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Every test hashes passwords with CHEAP_PASSWORD_HASHING unless it asks for more."""
    previous = passwords.use_parameters(CHEAP_PASSWORD_HASHING)
    yield
    passwords.use_parameters(previous)


@pytest.fixture
def production_password_hashing() -> Iterator[None]:
    """This test hashes with the production parameters (timing tests: their cost is the point)."""
    previous = passwords.use_parameters(passwords.STRONG)
    yield
    passwords.use_parameters(previous)


@pytest.fixture(scope="session")
def admin_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A DSN on a real PostgreSQL server allowed to create databases."""
    try:
        with admin_dsn(tmp_path_factory.mktemp("pg")) as admin:
            yield admin
    except Exception as exc:  # pragma: no cover - depends on the machine
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL available: {exc}")


@pytest.fixture(scope="session")
def database_url(admin_database_url: str) -> Iterator[str]:
    """A fresh database for this test session (servers migrate it on start)."""
    with fresh_database(admin_database_url) as dsn:
        yield dsn


@pytest.fixture
def empty_database_url(admin_database_url: str) -> Iterator[str]:
    """A fresh, unmigrated database for one test."""
    with fresh_database(admin_database_url) as dsn:
        yield dsn


@pytest.fixture
def room() -> str:
    """A room name no other test uses."""
    return f"room-{uuid.uuid4().hex[:12]}"


def server_settings(database_url: str, data_dir: Path) -> Settings:
    """Default settings of a test server on a free loopback port."""
    return Settings(
        host="127.0.0.1",
        port=0,
        database_url=database_url,
        data_dir=data_dir,
        log_level="warning",
        idle_timeout_s=60.0,
        commit_delay_ms=2.0,
        # Every test client is 127.0.0.1 and the database lives for the whole session, so
        # per-address auth limits would trip after a few registrations; tests of the
        # limits pass a small value (and their own client addresses).
        auth_attempts=100_000,
        auth_address_attempts=100_000,
        # The live-core tests use free-form room names without accounts; tests of access
        # control pass open_rooms=False (the product's default).
        open_rooms=True,
        # The database is shared by the session: a dispatcher in every test server would
        # take other tests' outbox events. Webhook tests turn delivery on.
        webhook_delivery=False,
        # One test account makes hundreds of requests (the permission matrix, schemathesis);
        # the per-account budget has its own tests (tests/http_api/test_rate_limits_http.py).
        api_rate_per_s=0.0,
    )


@pytest.fixture
def make_settings(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    """Factory of Settings for a test server on a free loopback port."""

    def make(**overrides: Any) -> Settings:
        return replace(server_settings(database_url, tmp_path / "data"), **overrides)

    return make


@dataclass
class RunningServer:
    """An in-process server and the URLs to reach it."""

    app: web.Application
    server: TestServer

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}/collab"


StartServer = Callable[..., Awaitable[RunningServer]]


@pytest.fixture
async def start_server(
    make_settings: Callable[..., Settings],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> StartServer:
    """Factory: start an in-process server with setting overrides."""

    async def start(**overrides: Any) -> RunningServer:
        app = create_app(make_settings(**overrides))
        try:
            server = await aiohttp_server(app, host="127.0.0.1")
        except BaseException:
            # A start that fails half-way (tests of refused settings) closes what it opened
            # (the pool) now, not when its generators are collected during a later test.
            await app.cleanup()
            raise
        return RunningServer(app, server)

    return start


@pytest.fixture
async def locked_server(start_server: StartServer) -> RunningServer:
    """An in-process server with the product's default access rules: rooms need accounts."""
    return await start_server(open_rooms=False)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> RunningServer:
    """An in-process server with default test settings.

    The test's own, or in a module marked ``shared_server`` the module's (``module_server``,
    with the marker's settings if it has any).
    """
    if request.node.get_closest_marker("shared_server") is not None:
        shared: RunningServer = request.getfixturevalue("module_server")
        return shared
    own: RunningServer = request.getfixturevalue("own_server")
    return own


@pytest.fixture
async def own_server(start_server: StartServer) -> RunningServer:
    """A server with default test settings for this test alone."""
    return await start_server()


@pytest.fixture(scope="module")
async def module_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AsyncIterator[RunningServer]:
    """One server for every test of a module that asks for it.

    Starting a server (pool, migrations, warm-up) costs about 0.2 s; a module of a hundred
    tests against an identical server pays that once. A module is marked
    ``pytestmark = pytest.mark.shared_server`` (or ``shared_server(open_rooms=False)``: the
    marker's keywords override the default test settings) only when its tests change nothing
    of the server but their own rows (each registers its own users and makes its own projects
    and rooms: the database is shared by the whole session anyway) and assert nothing about
    the server as a whole (totals of open rooms or connections, caches). A test that needs
    other settings still calls ``start_server``. The server lives in the event loop it started
    in, the module's: pyproject.toml sets one loop per module, for tests and fixtures alike.
    """
    marker = request.node.get_closest_marker("shared_server")
    overrides = {} if marker is None else marker.kwargs
    settings = server_settings(database_url, tmp_path_factory.mktemp("data"))
    app = create_app(replace(settings, **overrides))
    test_server = TestServer(app, host="127.0.0.1")
    try:
        await test_server.start_server()
    except BaseException:
        await app.cleanup()
        raise
    try:
        yield RunningServer(app, test_server)
    finally:
        await test_server.close()


@pytest.fixture
async def spawn_server(database_url: str) -> AsyncIterator[Callable[..., Awaitable[ServerProcess]]]:
    """Factory: run `dttools serve` as a child process; every one started is stopped after."""
    started: list[ServerProcess] = []

    async def spawn(*args: str, port: int = 0, **env: str) -> ServerProcess:
        # Webhook delivery off, as for in-process servers (server_settings): the session's
        # database holds the events of every test before, which a delivering node would
        # start dispatching at once (a test turns it back on by passing the variable).
        base = {
            "DATABASE_URL": database_url,
            "DTTOOLS_OPEN_ROOMS": "true",
            "DTTOOLS_WEBHOOK_DELIVERY": "false",
        }
        proc = ServerProcess({**base, **env}, list(args))
        proc.port = port
        started.append(proc)
        return await proc.start()

    yield spawn
    for proc in started:
        if proc.proc is not None and proc.proc.returncode is None:
            await proc.kill()


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A real redis-server of this test's own (a failure in CI when it is not installed)."""
    binary = redis_server_binary()
    if binary is None:  # pragma: no cover - depends on the machine
        if IN_CI:
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    server = await RedisServer(binary, tmp_path).start()
    yield server
    await server.stop()
