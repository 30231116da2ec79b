"""Request bodies of declared endpoints: JSON nested too deeply is refused before parsing."""

from __future__ import annotations

import aiohttp
import pytest

from http_api.endpoint import MAX_JSON_DEPTH, json_depth
from tests.conftest import RunningServer


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
