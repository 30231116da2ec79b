"""CORS on a real server: preflights allowed and refused, headers of actual responses, off by
default, and never on pages, health checks or anything outside /v1."""

from __future__ import annotations

import argparse
from uuid import uuid4

import aiohttp
import pytest

from http_api.cors import ALLOW_HEADERS, MAX_AGE_S, CorsPolicy, parse_origins
from http_api.settings import OPTIONS, settings_from
from tests.conftest import RunningServer, StartServer
from tests.support.api import read_problem, register

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
#: Response headers a cross-origin client needs to read.
READABLE = {
    "ETag",
    "Location",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "Content-Disposition",
    "Content-Language",
}


def preflight(
    origin: str, method: str = "POST", headers: str = "authorization,content-type"
) -> dict[str, str]:
    """The headers a browser's preflight carries."""
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def vary(response: aiohttp.ClientResponse) -> set[str]:
    """The header names of every Vary field, lower case."""
    return {
        name.strip().lower()
        for field in response.headers.getall("Vary", [])
        for name in field.split(",")
    }


@pytest.fixture
async def cors_server(start_server: StartServer) -> RunningServer:
    return await start_server(cors_origins=f"{APP}, https://second.example.com:8443")


class TestParseOrigins:
    def test_empty_is_off(self) -> None:
        assert parse_origins("") == frozenset()
        assert parse_origins(" , ") == frozenset()
        assert CorsPolicy.from_setting("") is None

    def test_origins_are_written_as_browsers_send_them(self) -> None:
        """Case folded, trailing slash and default port dropped; other ports kept."""
        assert parse_origins("HTTPS://App.Example.com:443/, http://localhost:5173, *") == {
            "https://app.example.com",
            "http://localhost:5173",
            "*",
        }
        assert parse_origins("http://127.0.0.1:80") == {"http://127.0.0.1"}

    @pytest.mark.parametrize(
        "spec", ["app.example.com", "https://app.example.com/path", "ftp://x", "https://"]
    )
    def test_what_is_not_an_origin_is_refused(self, spec: str) -> None:
        with pytest.raises(ValueError, match="not an origin"):
            parse_origins(spec)

    def test_a_bad_setting_names_the_variable(self) -> None:
        with pytest.raises(ValueError, match="DTTOOLS_CORS_ORIGINS"):
            settings_from(None, {"DTTOOLS_CORS_ORIGINS": "https://a.example/x"})
        [option] = [o for o in OPTIONS if o.name == "cors_origins"]
        with pytest.raises(argparse.ArgumentTypeError):
            option.kind("not-an-origin")

    def test_any_origin(self) -> None:
        policy = CorsPolicy.from_setting("*")
        assert policy is not None
        assert policy.allows("https://anything.example")
        assert not policy.allows(None)


class TestPreflight:
    async def test_an_allowed_origin_gets_the_route_methods_and_headers(
        self, cors_server: RunningServer
    ) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.options(f"{cors_server.http_url}/v1/projects", headers=preflight(APP)) as r,
        ):
            assert r.status == 204, await r.text()
            assert r.headers["Access-Control-Allow-Origin"] == APP
            methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
            assert methods == {"GET", "POST"}
            allowed = [h.strip() for h in r.headers["Access-Control-Allow-Headers"].split(",")]
            assert allowed == list(ALLOW_HEADERS)
            assert r.headers["Access-Control-Max-Age"] == str(MAX_AGE_S)
            assert "Access-Control-Allow-Credentials" not in r.headers
            assert "origin" in vary(r)

    async def test_methods_are_those_of_the_path(self, cors_server: RunningServer) -> None:
        url = f"{cors_server.http_url}/v1/projects/{uuid4()}"
        origin = "https://second.example.com:8443"
        async with (
            aiohttp.ClientSession() as http,
            http.options(url, headers=preflight(origin, "PATCH")) as r,
        ):
            assert r.status == 204
            assert r.headers["Access-Control-Allow-Origin"] == origin
            methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
            assert {"GET", "PUT", "PATCH"} <= methods
            assert "POST" not in methods

    async def test_another_origin_is_refused(self, cors_server: RunningServer) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.options(f"{cors_server.http_url}/v1/projects", headers=preflight(OTHER)) as r,
        ):
            body = await read_problem(r, 403)
            assert body["type"].endswith("/forbidden")
            assert not any(name.startswith("Access-Control-") for name in r.headers)

    async def test_an_unknown_path_fails_the_preflight(self, cors_server: RunningServer) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.options(f"{cors_server.http_url}/v1/nothing-here", headers=preflight(APP)) as r,
        ):
            await read_problem(r, 404)
            assert "Access-Control-Allow-Methods" not in r.headers

    async def test_off_by_default(self, server: RunningServer) -> None:
        """No origins configured: the preflight is an OPTIONS like any other (405)."""
        async with (
            aiohttp.ClientSession() as http,
            http.options(f"{server.http_url}/v1/projects", headers=preflight(APP)) as r,
        ):
            await read_problem(r, 405)
            assert not any(name.startswith("Access-Control-") for name in r.headers)


class TestActualResponses:
    async def test_an_allowed_origin_may_read_the_answer(self, cors_server: RunningServer) -> None:
        async with aiohttp.ClientSession() as http:
            user = await register(http, cors_server)
            headers = {**user.headers, "Origin": APP}
            async with http.get(f"{cors_server.http_url}/v1/projects", headers=headers) as r:
                assert r.status == 200
                assert r.headers["Access-Control-Allow-Origin"] == APP
                exposed = set(r.headers["Access-Control-Expose-Headers"].split(", "))
                assert exposed >= READABLE
                assert "Access-Control-Allow-Credentials" not in r.headers
                assert "origin" in vary(r)

    async def test_errors_are_readable_too(self, cors_server: RunningServer) -> None:
        """A 401 problem reaches the script, which can then tell why."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{cors_server.http_url}/v1/projects", headers={"Origin": APP}) as r,
        ):
            await read_problem(r, 401)
            assert r.headers["Access-Control-Allow-Origin"] == APP
            # Vary keeps the language's entry (problem responses vary by Accept-Language).
            assert {"origin", "accept-language"} <= vary(r)

    async def test_another_origin_gets_no_cors_headers(self, cors_server: RunningServer) -> None:
        """Served as before (the browser, not the server, withholds it), but varied by Origin."""
        async with aiohttp.ClientSession() as http:
            user = await register(http, cors_server)
            for headers in ({**user.headers, "Origin": OTHER}, user.headers):
                async with http.get(f"{cors_server.http_url}/v1/projects", headers=headers) as r:
                    assert r.status == 200
                    assert not any(name.startswith("Access-Control-") for name in r.headers)
                    assert "origin" in vary(r)

    async def test_any_origin(self, start_server: StartServer) -> None:
        server = await start_server(cors_origins="*")
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{server.http_url}/v1/projects", headers={"Origin": OTHER}) as r,
        ):
            assert r.status == 401
            assert r.headers["Access-Control-Allow-Origin"] == OTHER
            assert "Access-Control-Allow-Credentials" not in r.headers

    @pytest.mark.parametrize("path", ["/", "/healthz", "/metrics", "/static/app/i18n.js", "/docs"])
    async def test_nothing_outside_v1(self, cors_server: RunningServer, path: str) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.get(cors_server.http_url + path, headers={"Origin": APP}) as r,
        ):
            assert r.status < 400, path
            assert not any(name.startswith("Access-Control-") for name in r.headers)
            assert "origin" not in vary(r)

    async def test_no_cors_on_the_collab_socket(self, cors_server: RunningServer) -> None:
        """The socket checks origins itself; its answers carry no CORS header."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{cors_server.http_url}/collab/cors-room", headers={"Origin": APP}) as r,
        ):
            assert not any(name.startswith("Access-Control-") for name in r.headers)
            assert "origin" not in vary(r)

    async def test_off_by_default(self, server: RunningServer) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{server.http_url}/v1/projects", headers={"Origin": APP}) as r,
        ):
            assert r.status == 401
            assert not any(name.startswith("Access-Control-") for name in r.headers)
            assert "origin" not in vary(r)
