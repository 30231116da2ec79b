"""Idempotency-Key on POST: retries replay the first response; a reused key is refused."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest

from tests.conftest import RunningServer
from tests.support.api import register

pytestmark = pytest.mark.shared_server


async def _token(session: aiohttp.ClientSession, server: RunningServer) -> str:
    user = await register(session, server, email=f"idem-{uuid.uuid4().hex[:8]}@example.com")
    assert user.access_token is not None
    return user.access_token


async def _create_key(
    session: aiohttp.ClientSession, server: RunningServer, token: str, name: str, key: str | None
) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    async with session.post(
        f"{server.http_url}/v1/auth/api-keys", json={"name": name}, headers=headers
    ) as response:
        return response.status, await response.json(content_type=None), dict(response.headers)


class TestIdempotencyKey:
    async def test_a_retry_with_the_same_key_replays_the_first_response(
        self, server: RunningServer
    ) -> None:
        async with aiohttp.ClientSession() as session:
            token = await _token(session, server)
            first = await _create_key(session, server, token, "ci", "retry-1")
            again = await _create_key(session, server, token, "ci", "retry-1")
            async with session.get(
                f"{server.http_url}/v1/auth/api-keys", headers={"Authorization": f"Bearer {token}"}
            ) as response:
                keys = (await response.json())["items"]
        assert first[0] == again[0] == 201
        assert again[1] == first[1]
        assert again[2]["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first[2]
        assert [k["id"] for k in keys] == [first[1]["id"]]

    async def test_the_same_key_with_a_different_body_is_refused(
        self, server: RunningServer
    ) -> None:
        async with aiohttp.ClientSession() as session:
            token = await _token(session, server)
            await _create_key(session, server, token, "one", "reused")
            status, body, headers = await _create_key(session, server, token, "two", "reused")
        assert status == 422
        assert body["type"].endswith("/idempotency-key-reused")
        assert headers["Content-Type"].startswith("application/problem+json")

    async def test_without_a_key_each_post_acts(self, server: RunningServer) -> None:
        async with aiohttp.ClientSession() as session:
            token = await _token(session, server)
            first = await _create_key(session, server, token, "same", None)
            second = await _create_key(session, server, token, "same", None)
        assert first[1]["id"] != second[1]["id"]

    async def test_keys_are_scoped_to_the_caller(self, server: RunningServer) -> None:
        async with aiohttp.ClientSession() as session:
            alice = await _token(session, server)
            bob = await _token(session, server)
            a = await _create_key(session, server, alice, "k", "shared-key")
            b = await _create_key(session, server, bob, "k", "shared-key")
        assert a[1]["id"] != b[1]["id"]
        assert "Idempotent-Replayed" not in b[2]

    async def test_a_failed_request_frees_its_key(self, server: RunningServer) -> None:
        """A request that failed (here: validation) stores nothing, so the retry acts."""
        async with aiohttp.ClientSession() as session:
            token = await _token(session, server)
            bad = await _create_key(session, server, token, "x" * 101, "after-error")
            good = await _create_key(session, server, token, "fixed", "after-error")
        assert bad[0] == 422
        assert good[0] == 201
        assert good[1]["name"] == "fixed"
        assert "Idempotent-Replayed" not in good[2]
