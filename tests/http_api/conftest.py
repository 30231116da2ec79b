"""Fixtures of the HTTP API tests: a REST client bound to the test server, and a user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient


@pytest.fixture
async def api(server: RunningServer) -> AsyncIterator[ApiClient]:
    """A REST client of the test server (closed after the test)."""
    async with ApiClient.open(server) as client:
        yield client


@pytest.fixture
async def alice(api: ApiClient) -> RegisteredUser:
    """A signed-in user (token mode)."""
    return await api.register("Alice")
