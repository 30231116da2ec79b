"""Declared endpoints: JSON nested too deeply is refused before parsing, and so are query
parameters a route does not declare."""

from __future__ import annotations

import aiohttp
import pytest

from http_api.endpoint import MAX_JSON_DEPTH, json_depth
from tests.conftest import RunningServer
from tests.support.api import register


class TestJsonDepth:
    @pytest.mark.parametrize(
        ("raw", "depth"),
        [
            (b"1", 0),
            (b'"[[[["', 0),
            (b"[]", 1),
            (b'{"a": [1, {"b": []}], "c": {}}', 4),
            (b'{"a": "]]]", "b": [["\\"[["]]}', 3),
            (b"[" * 1000, 1000),
        ],
    )
    def test_depth_ignores_brackets_in_strings(self, raw: bytes, depth: int) -> None:
        """Brackets count only outside strings (escaped quotes included); malformed is fine."""
        assert json_depth(raw) == depth

    async def test_deep_body_is_a_400(self, server: RunningServer) -> None:
        """A body nested 100,000 deep answers 400 invalid-request, not a 500."""
        body = b"[" * 100_000 + b"]" * 100_000
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                server.http_url + "/v1/auth/login",
                data=body,
                headers={"Content-Type": "application/json"},
            ) as response,
        ):
            assert response.status == 400
            assert response.content_type == "application/problem+json"
            problem = await response.json(content_type=None)
        assert problem["type"].endswith("/invalid-request")
        assert str(MAX_JSON_DEPTH) in problem["detail"]

    async def test_body_at_the_limit_reaches_validation(self, server: RunningServer) -> None:
        """A body exactly MAX_JSON_DEPTH deep is parsed and validated as usual (422)."""
        body = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                server.http_url + "/v1/auth/login",
                data=body,
                headers={"Content-Type": "application/json"},
            ) as response,
        ):
            assert response.status == 422


class TestUnknownQueryParameters:
    """A parameter a route does not declare is refused (422 naming it), never ignored."""

    @pytest.mark.parametrize(
        ("path", "query"),
        [
            ("/v1/auth/me", {"verbose": "1"}),  # a route that declares no query at all
            ("/v1/projects", {"limt": "5"}),  # a misspelt parameter of a route with a model
        ],
    )
    async def test_unknown_parameter_is_a_422_naming_it(
        self, server: RunningServer, path: str, query: dict[str, str]
    ) -> None:
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            async with http.get(
                server.http_url + path, params=query, headers=user.headers
            ) as response:
                assert response.status == 422
                assert response.content_type == "application/problem+json"
                problem = await response.json(content_type=None)
            async with http.get(server.http_url + path, headers=user.headers) as response:
                assert response.status == 200
        (name,) = query
        assert problem["errors"] == [
            {"location": "query", "field": name, "message": "Extra inputs are not permitted"}
        ]

    async def test_declared_parameters_still_work(self, server: RunningServer) -> None:
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            async with http.get(
                server.http_url + "/v1/auth/api-keys", params={"limit": "1"}, headers=user.headers
            ) as response:
                assert response.status == 200
                assert await response.json() == {"items": [], "next_cursor": None}


async def test_a_method_of_a_fixed_path_is_not_taken_by_an_id_pattern(
    server: RunningServer,
) -> None:
    """PUT /v1/projects/import would match PUT /v1/projects/{project_id}; "import" is no id,
    so the answer is the import route's 405 with Allow, as for any method a path lacks."""
    async with aiohttp.ClientSession() as http:
        user = await register(http, server)
        async with http.put(
            server.http_url + "/v1/projects/import", json={}, headers=user.headers
        ) as response:
            assert response.status == 405
            assert response.headers["Allow"] == "POST"
        async with http.options(server.http_url + "/v1/projects/import") as response:
            assert response.headers.get("Allow") == "POST"
        # Where no fixed route names the segment, a malformed id is still a 404.
        async with http.get(
            server.http_url + "/v1/projects/not-a-uuid", headers=user.headers
        ) as response:
            assert response.status == 404
