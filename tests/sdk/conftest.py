"""Fixtures for the SDK tests: signed-in accounts on the module's server, and SDK clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from dttools_sdk import DTTools, Project

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, register

MakeUser = Callable[[], Awaitable[RegisteredUser]]


@pytest.fixture
async def make_user(server: RunningServer) -> MakeUser:
    """Factory: a new account on ``server``, signed in for Bearer tokens."""

    async def make() -> RegisteredUser:
        async with aiohttp.ClientSession() as http:
            return await register(http, server)

    return make


@pytest.fixture
async def user(make_user: MakeUser) -> RegisteredUser:
    """An account of this test's own."""
    return await make_user()


@pytest.fixture
async def client(server: RunningServer, user: RegisteredUser) -> AsyncIterator[DTTools]:
    """An SDK client signed in as ``user`` with its access token."""
    async with DTTools(server.http_url, token=user.access_token) as sdk:
        yield sdk


@pytest.fixture
async def project(client: DTTools) -> Project:
    """A project that ``user`` owns."""
    return await client.projects.create("SDK workshop", description="made by the SDK tests")
