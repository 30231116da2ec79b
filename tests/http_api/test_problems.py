"""The problem middleware: which failures become problem+json and which pass through."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.client_exceptions import ClientConnectionResetError
from aiohttp.test_utils import make_mocked_request

from http_api.problems import problem_middleware


async def test_a_client_that_went_away_is_not_an_error() -> None:
    """A WebSocket client that left mid-handshake raised a 500 with a traceback per client
    (1,000 of them in a connection storm); it passes through for aiohttp to end quietly."""

    async def handler(_request: web.Request) -> web.StreamResponse:
        raise ClientConnectionResetError("Cannot write to closing transport")

    with pytest.raises(ConnectionResetError):
        await problem_middleware(make_mocked_request("GET", "/collab/room"), handler)


async def test_an_unexpected_error_is_a_500_problem() -> None:
    async def handler(_request: web.Request) -> web.StreamResponse:
        raise RuntimeError("boom")

    response = await problem_middleware(make_mocked_request("GET", "/v1/x"), handler)
    assert response.status == 500
    assert response.content_type == "application/problem+json"
