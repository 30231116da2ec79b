"""Per-account request budgets: the bucket arithmetic with an injected clock, then on a real
server the RateLimit headers, the 429 past the burst, and who shares a bucket."""

from __future__ import annotations

import argparse
import re

import aiohttp
import pytest

from http_api.rate_limits_http import Quota, RequestBudgets
from http_api.settings import OPTIONS, settings_from
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser, bearer, create_api_key, read_problem, register

_RATE_LIMIT = re.compile(r'"burst";r=(\d+);t=(\d+)')


class TestRequestBudgets:
    def test_a_full_bucket_admits_the_burst_then_refuses(self) -> None:
        budgets = RequestBudgets(rate_per_s=1.0, burst=3)
        assert [budgets.spend("a", 0.0) for _ in range(3)] == [
            Quota(True, 2, 1, 0),
            Quota(True, 1, 2, 0),
            Quota(True, 0, 3, 0),
        ]
        assert budgets.spend("a", 0.0) == Quota(False, 0, 3, 1)

    def test_tokens_come_back_at_the_rate(self) -> None:
        budgets = RequestBudgets(rate_per_s=2.0, burst=2)
        budgets.spend("a", 10.0)
        budgets.spend("a", 10.0)
        refused = budgets.spend("a", 10.25)  # half a token back: 0.25 s more for a whole one
        assert refused == Quota(False, 0, 1, 1)
        assert budgets.spend("a", 10.5).allowed
        assert not budgets.spend("a", 10.5).allowed
        assert budgets.spend("a", 20.0) == Quota(True, 1, 1, 0)  # full again, minus this one

    def test_refused_requests_spend_nothing(self) -> None:
        budgets = RequestBudgets(rate_per_s=1.0, burst=1)
        budgets.spend("a", 0.0)
        for _ in range(100):
            assert not budgets.spend("a", 0.5).allowed
        assert budgets.spend("a", 1.0).allowed

    def test_retry_after_is_the_wait_for_one_token(self) -> None:
        budgets = RequestBudgets(rate_per_s=0.25, burst=2)
        budgets.spend("a", 0.0)
        budgets.spend("a", 0.0)
        quota = budgets.spend("a", 2.0)  # half a token: 2 s more for one, 6 s to full
        assert quota == Quota(False, 0, 6, 2)

    def test_each_key_has_its_own_bucket(self) -> None:
        budgets = RequestBudgets(rate_per_s=1.0, burst=1)
        assert budgets.spend("a", 0.0).allowed
        assert not budgets.spend("a", 0.0).allowed
        assert budgets.spend("b", 0.0).allowed

    def test_an_earlier_clock_refills_nothing(self) -> None:
        budgets = RequestBudgets(rate_per_s=1.0, burst=1)
        budgets.spend("a", 10.0)
        assert not budgets.spend("a", 5.0).allowed
        assert not budgets.spend("a", 10.5).allowed
        assert budgets.spend("a", 11.0).allowed

    def test_idle_buckets_are_forgotten(self) -> None:
        """A bucket idle long enough to be full again is dropped: no one can tell."""
        budgets = RequestBudgets(rate_per_s=1.0, burst=5)  # full 5 s after its last use
        for n in range(10):
            budgets.spend(n, float(n) / 10)
        assert len(budgets) == 10
        budgets.spend("late", 5.5)  # keys 0..5 have been idle 5 s or more: two go per request
        assert len(budgets) == 9
        for _ in range(5):
            budgets.spend("late", 5.5)
        assert len(budgets) == 5  # 6..9 and "late" (6 was last used at 0.6: 4.9 s idle)
        budgets.spend("late", 100.0)
        budgets.spend("late", 100.0)
        assert len(budgets) == 1

    def test_memory_is_capped(self) -> None:
        budgets = RequestBudgets(rate_per_s=1.0, burst=5, max_buckets=3)
        for n in range(10):
            budgets.spend(n, 0.0)
        assert len(budgets) == 3
        # The least recently used went first: 9 is still known (and spent), 0 starts afresh.
        assert budgets.spend(9, 0.0).remaining == 3
        assert budgets.spend(0, 0.0).remaining == 4

    def test_headers_follow_the_draft(self) -> None:
        budgets = RequestBudgets(rate_per_s=50.0, burst=200)
        headers = budgets.headers(budgets.spend("a", 0.0))
        assert headers == {
            "RateLimit-Policy": '"burst";q=200;w=4',
            "RateLimit": '"burst";r=199;t=1',
        }

    @pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
    def test_a_budget_needs_a_rate_and_a_burst(self, rate: float, burst: int) -> None:
        with pytest.raises(ValueError):
            RequestBudgets(rate, burst)


class TestSettings:
    def test_defaults(self) -> None:
        settings = settings_from(None, {})
        assert settings.api_rate_per_s == 50.0
        assert settings.api_burst == 200

    @pytest.mark.parametrize(
        ("name", "value"),
        [("api_rate_per_s", "-1"), ("api_rate_per_s", "nan"), ("api_burst", "0")],
    )
    def test_nonsense_is_refused(self, name: str, value: str) -> None:
        [option] = [o for o in OPTIONS if o.name == name]
        with pytest.raises(argparse.ArgumentTypeError):
            option.kind(value)


async def remaining(
    http: aiohttp.ClientSession, server: RunningServer, headers: dict[str, str]
) -> int:
    """Spend one request of the caller's budget (GET /v1/auth/me); the tokens left after it."""
    async with http.get(f"{server.http_url}/v1/auth/me", headers=headers) as response:
        assert response.status == 200, await response.text()
        assert response.headers["RateLimit-Policy"] == '"burst";q=4;w=400'
        found = _RATE_LIMIT.fullmatch(response.headers["RateLimit"])
        assert found is not None, response.headers["RateLimit"]
        return int(found[1])


async def assert_refused(
    http: aiohttp.ClientSession, server: RunningServer, headers: dict[str, str]
) -> None:
    async with http.get(f"{server.http_url}/v1/auth/me", headers=headers) as response:
        body = await read_problem(response, 429)
        assert body["type"].endswith("/rate-limited")
        assert 1 <= int(response.headers["Retry-After"]) <= 100
        assert response.headers["RateLimit"].startswith('"burst";r=0;')
        assert response.headers["RateLimit-Policy"] == '"burst";q=4;w=400'


@pytest.fixture
async def tight(start_server: StartServer) -> RunningServer:
    """A server admitting 4 requests per account, then one per 100 s (none during a test)."""
    return await start_server(api_burst=4, api_rate_per_s=0.01)


async def signed_in(http: aiohttp.ClientSession, server: RunningServer) -> RegisteredUser:
    return await register(http, server)  # sign-up and sign-in are not authenticated routes


class TestOnTheServer:
    async def test_headers_count_down_then_429_with_retry_after(self, tight: RunningServer) -> None:
        async with aiohttp.ClientSession() as http:
            user = await signed_in(http, tight)
            assert [await remaining(http, tight, user.headers) for _ in range(4)] == [3, 2, 1, 0]
            await assert_refused(http, tight, user.headers)
            await assert_refused(http, tight, user.headers)

    async def test_every_authenticated_answer_carries_them(self, tight: RunningServer) -> None:
        """Errors after authentication too (here a 404), not only successes."""
        async with aiohttp.ClientSession() as http:
            user = await signed_in(http, tight)
            url = f"{tight.http_url}/v1/projects/00000000-0000-0000-0000-000000000000"
            async with http.get(url, headers=user.headers) as response:
                assert response.status in (403, 404), await response.text()
                assert response.headers["RateLimit"].startswith('"burst";r=3;')

    async def test_unauthenticated_requests_neither_spend_nor_see_a_budget(
        self, tight: RunningServer
    ) -> None:
        async with aiohttp.ClientSession() as http:
            for _ in range(6):
                async with http.get(f"{tight.http_url}/v1/auth/me") as response:
                    await read_problem(response, 401)
                    assert "RateLimit" not in response.headers
            async with http.get(f"{tight.http_url}/healthz") as response:
                assert response.status == 200
                assert "RateLimit" not in response.headers

    async def test_another_account_is_unaffected(self, tight: RunningServer) -> None:
        async with aiohttp.ClientSession() as http:
            alice = await signed_in(http, tight)
            bob = await signed_in(http, tight)
            for _ in range(4):
                await remaining(http, tight, alice.headers)
            await assert_refused(http, tight, alice.headers)
            assert await remaining(http, tight, bob.headers) == 3

    async def test_api_keys_spend_their_account_budget(self, tight: RunningServer) -> None:
        async with aiohttp.ClientSession() as http:
            user = await signed_in(http, tight)
            _key_id, key = await create_api_key(http, tight.http_url, user)  # spends one
            assert await remaining(http, tight, bearer(key)) == 2
            assert await remaining(http, tight, user.headers) == 1
            assert await remaining(http, tight, bearer(key)) == 0
            await assert_refused(http, tight, user.headers)
            await assert_refused(http, tight, bearer(key))

    async def test_a_zero_rate_turns_it_off(self, start_server: StartServer) -> None:
        server = await start_server(api_rate_per_s=0.0, api_burst=1)
        async with aiohttp.ClientSession() as http:
            user = await signed_in(http, server)
            for _ in range(3):
                async with http.get(f"{server.http_url}/v1/auth/me", headers=user.headers) as r:
                    assert r.status == 200
                    assert "RateLimit" not in r.headers
                    assert "RateLimit-Policy" not in r.headers
