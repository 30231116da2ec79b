"""Every response carries nosniff and no-framing headers; HSTS only over HTTPS."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from http_api.app import create_app
from http_api.security_headers import HSTS
from http_api.settings import Settings
from tests.conftest import RunningServer, StartServer

pytestmark = pytest.mark.shared_server

#: One of each kind of response: JSON, problem+json, the /docs page, the browser page, a file.
PATHS = ["/v1/openapi.json", "/v1/projects", "/no/such/page", "/docs", "/", "/static/app/main.js"]


async def headers_of(
    url: str, headers: Mapping[str, str] | None = None, ssl_context: ssl.SSLContext | None = None
) -> Mapping[str, str]:
    """The response headers of GET ``url``."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            url, headers=headers, ssl=ssl_context if ssl_context is not None else True
        ) as response,
    ):
        await response.read()
        return response.headers


class TestEveryResponse:
    @pytest.mark.parametrize("path", PATHS)
    async def test_no_sniffing_and_no_framing(self, server: RunningServer, path: str) -> None:
        """JSON, errors, /docs, the page and static files: nosniff, DENY, frame-ancestors."""
        headers = await headers_of(server.http_url + path)
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]

    async def test_api_answers_load_nothing(self, server: RunningServer) -> None:
        """A JSON answer opened as a page may load or run nothing."""
        headers = await headers_of(server.http_url + "/v1/openapi.json")
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")

    async def test_docs_allow_only_their_inline_style(self, server: RunningServer) -> None:
        """/docs keeps its own CSP: its inline stylesheet, and nothing else."""
        policy = (await headers_of(server.http_url + "/docs"))["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "style-src 'unsafe-inline'" in policy
        assert "script" not in policy


class TestHsts:
    async def test_not_over_plain_http(self, server: RunningServer) -> None:
        """Plain HTTP from the client itself: no Strict-Transport-Security."""
        assert "Strict-Transport-Security" not in await headers_of(server.http_url + "/healthz")

    async def test_not_when_an_untrusted_peer_claims_https(self, start_server: StartServer) -> None:
        """X-Forwarded-Proto from a peer that is not a trusted proxy is ignored."""
        server = await start_server(trusted_proxies="10.0.0.0/8")
        headers = await headers_of(
            server.http_url + "/healthz", headers={"X-Forwarded-Proto": "https"}
        )
        assert "Strict-Transport-Security" not in headers

    async def test_when_a_trusted_proxy_says_https(self, start_server: StartServer) -> None:
        """Behind a trusted proxy that terminated TLS, HSTS is sent."""
        server = await start_server(trusted_proxies="127.0.0.0/8")
        headers = await headers_of(
            server.http_url + "/v1/openapi.json", headers={"X-Forwarded-Proto": "https"}
        )
        assert headers["Strict-Transport-Security"] == HSTS

    async def test_over_tls(
        self, make_settings: Callable[..., Settings], tls: tuple[ssl.SSLContext, ssl.SSLContext]
    ) -> None:
        """Served over TLS directly, HSTS is sent."""
        server_context, client_context = tls
        test_server = TestServer(create_app(make_settings()), host="127.0.0.1")
        await test_server.start_server(ssl=server_context)
        try:
            url = f"https://127.0.0.1:{test_server.port}/healthz"
            headers = await headers_of(url, ssl_context=client_context)
        finally:
            await test_server.close()
        assert headers["Strict-Transport-Security"] == HSTS
