"""The problem middleware: which failures become problem+json and which pass through."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.client_exceptions import ClientConnectionResetError
from aiohttp.test_utils import make_mocked_request
from aiohttp.web_urldispatcher import UrlMappingMatchInfo

from http_api.problems import problem_middleware


async def _unused(_request: web.Request) -> web.StreamResponse:
    raise AssertionError("the middleware is given its own handler")


def _request(pattern: str, path: str) -> web.Request:
    """A request for ``path``, matched to a route of ``pattern`` as aiohttp's router would."""
    route = web.Application().router.add_get(pattern, _unused)
    request = make_mocked_request("GET", path)
    request._match_info = UrlMappingMatchInfo({}, route)  # the mock's route is a Mock
    return request


async def test_a_client_that_went_away_is_not_an_error() -> None:
    """A WebSocket client that left mid-handshake raised a 500 with a traceback per client
    (1,000 of them in a connection storm); it passes through for aiohttp to end quietly."""

    async def handler(_request: web.Request) -> web.StreamResponse:
        raise ClientConnectionResetError("Cannot write to closing transport")

    with pytest.raises(ConnectionResetError):
        await problem_middleware(_request("/collab/{room}", "/collab/room"), handler)


async def test_an_unexpected_error_is_a_500_problem() -> None:
    async def handler(_request: web.Request) -> web.StreamResponse:
        raise RuntimeError("boom")

    response = await problem_middleware(_request("/v1/{x}", "/v1/x"), handler)
    assert response.status == 500
    assert response.content_type == "application/problem+json"


async def test_a_socket_route_is_handed_its_own_coroutine() -> None:
    """No middleware frame stays on an idle socket's stack: the handler's coroutine comes back
    as it is, and the socket's request keeps no decoded path (``request.path`` is cached)."""

    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.Response()

    request = _request("/collab/{room}", "/collab/room")
    coroutine = problem_middleware(request, handler)
    assert getattr(coroutine, "cr_code", None) is handler.__code__
    await coroutine
    assert "path" not in request._cache
