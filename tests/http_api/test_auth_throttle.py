"""Sign-in throttling: guesses back off per (account, address), owners are never locked out,
and a workshop behind one NAT address signs in under the default limits."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import aiohttp
import pytest

from http_api.auth_throttle import backoff_s
from http_api.keys import DB
from http_api.passwords import hash_password
from http_api.settings import Settings
from persistence.accounts import create_user
from tests.conftest import RunningServer, StartServer
from tests.http_api.v1.test_auth import client_at, login_status, loopback_address
from tests.support.api import PASSWORD, RegisteredUser, register, unique_email

DEFAULTS = Settings()


async def shift_last_attempt(server: RunningServer, email: str, address: str, to: str) -> None:
    """Move the pair's last counted attempt to ``to`` (an SQL time): an hour ago means its
    back-off has passed, ``now()`` that it just happened (no sleeping, and no reliance on how
    long a password hash takes on a loaded machine)."""
    await server.app[DB].execute(
        f"UPDATE rate_limits SET last_hit_at = {to} WHERE key = $1",
        f"login:pair:{email.lower()}|{address}",
    )


async def age_attempts(server: RunningServer, email: str, address: str) -> None:
    """The pair's back-off has passed."""
    await shift_last_attempt(server, email, address, "now() - interval '1 hour'")


async def touch_attempts(server: RunningServer, email: str, address: str) -> None:
    """The pair's last attempt happened just now."""
    await shift_last_attempt(server, email, address, "now()")


async def new_user(server: RunningServer) -> RegisteredUser:
    """An account signed up from an address of its own (not counted against the tests')."""
    async with client_at(loopback_address()) as http:
        return await register(http, server)


class TestBackoffPolicy:
    @pytest.mark.parametrize(
        ("attempts", "wait"),
        [(0, 0.0), (2, 0.0), (3, 1.0), (4, 2.0), (5, 4.0), (12, 512.0), (13, 900.0), (99, 900.0)],
    )
    def test_free_attempts_then_doubling_up_to_the_cap(self, attempts: int, wait: float) -> None:
        """With 3 free attempts and a 900 s cap: nothing, then 1 s, doubling, at most 900 s."""
        assert backoff_s(attempts, free=3, cap_s=900) == wait


class TestGuessing:
    async def test_owner_signs_in_while_an_attacker_is_throttled_on_the_account(
        self, start_server: StartServer
    ) -> None:
        """An attacker who has used up the guesses on an account keeps getting 429 from their
        address; the owner, from theirs, signs in at once, again and again."""
        server = await start_server(auth_attempts=3)
        user = await new_user(server)
        attacker, owner = loopback_address(), loopback_address()
        for n in range(3):
            assert (await login_status(server, attacker, user.email, f"guess {n}")).status == 401
        # Six more guesses, each after its back-off: the next one must wait 64 s.
        for n in range(6):
            await age_attempts(server, user.email, attacker)
            assert (await login_status(server, attacker, user.email, f"more {n}")).status == 401
        for n in range(3):
            refused = await login_status(server, attacker, user.email, f"again {n}")
            assert refused.status == 429
            assert 60 <= int(refused.headers["Retry-After"]) <= 64
        for _ in range(3):
            assert (await login_status(server, owner, user.email, PASSWORD)).status == 200
        # The right password from the attacker's address waits too: no oracle there.
        assert (await login_status(server, attacker, user.email, PASSWORD)).status == 429

    async def test_back_off_doubles_with_every_further_failure(
        self, start_server: StartServer
    ) -> None:
        """Past the free attempts each failure makes the pair wait twice as long as the last:
        Retry-After 1, 2, 4 seconds; a request inside the wait is refused and not counted."""
        server = await start_server(auth_attempts=2)
        user = await new_user(server)
        address = loopback_address()
        for _ in range(2):
            assert (await login_status(server, address, user.email, "wrong")).status == 401
        waits = []
        details = []
        for _ in range(3):
            await touch_attempts(server, user.email, address)
            refused = await login_status(server, address, user.email, "wrong")
            assert refused.status == 429
            again = await login_status(server, address, user.email, "wrong")
            assert again.status == 429
            assert again.headers["Retry-After"] == refused.headers["Retry-After"]
            waits.append(int(refused.headers["Retry-After"]))
            details.append((await refused.json())["detail"])
            await age_attempts(server, user.email, address)
            assert (await login_status(server, address, user.email, "wrong")).status == 401
        assert waits == [1, 2, 4]
        # the message says how long, as Retry-After does
        assert details == [
            "Too many attempts: try again in 1 second",
            "Too many attempts: try again in 2 seconds",
            "Too many attempts: try again in 4 seconds",
        ]

    async def test_success_clears_the_back_off(self, start_server: StartServer) -> None:
        """Once the right password gets through, the pair starts again with free attempts."""
        server = await start_server(auth_attempts=2)
        user = await new_user(server)
        address = loopback_address()
        for _ in range(2):
            assert (await login_status(server, address, user.email, "wrong")).status == 401
        await age_attempts(server, user.email, address)
        assert (await login_status(server, address, user.email, PASSWORD)).status == 200
        for _ in range(2):
            assert (await login_status(server, address, user.email, "wrong")).status == 401

    async def test_a_burst_of_parallel_guesses_gets_no_more_than_the_free_attempts(
        self, start_server: StartServer
    ) -> None:
        """Twenty guesses sent at once: three are checked, the rest refused (they queue on
        one row lock instead of all passing the check before any is counted)."""
        server = await start_server(auth_attempts=3)
        user = await new_user(server)
        address = loopback_address()
        async with client_at(address) as http:

            async def guess(n: int) -> int:
                async with http.post(
                    server.http_url + "/v1/auth/login",
                    json={"email": user.email, "password": f"guess {n}", "client": "token"},
                ) as response:
                    await response.read()
                    return response.status

            statuses = await asyncio.gather(*(guess(n) for n in range(20)))
        assert sorted(statuses) == [401] * 3 + [429] * 17

    async def test_failures_per_address_are_capped_over_all_accounts(
        self, start_server: StartServer
    ) -> None:
        """One address spraying many accounts is stopped at auth_address_attempts failures;
        successful sign-ins from it were not counted."""
        server = await start_server(auth_address_attempts=3)
        user = await new_user(server)
        address = loopback_address()
        for _ in range(3):
            assert (await login_status(server, address, user.email, PASSWORD)).status == 200
        for n in range(3):
            other = f"sprayed-{n}-{user.email}"
            assert (await login_status(server, address, other, PASSWORD)).status == 401
        assert (await login_status(server, address, user.email, PASSWORD)).status == 429


class TestWorkshop:
    async def test_fifty_people_behind_one_address_sign_in_with_default_limits(
        self, start_server: StartServer
    ) -> None:
        """A 50-person workshop behind one NAT address, under the shipped limits: everyone
        signs in, ten of them after mistyping their password once."""
        server = await start_server(
            auth_attempts=DEFAULTS.auth_attempts,
            auth_address_attempts=DEFAULTS.auth_address_attempts,
            auth_window_s=DEFAULTS.auth_window_s,
        )
        # Accounts straight into the database with one shared hash: each sign-up through the
        # API would cost an argon2id hash, and sign-in is what is under test.
        shared_hash = await hash_password(PASSWORD)
        emails = [unique_email(f"participant-{n}") for n in range(50)]
        for n, email in enumerate(emails):
            await create_user(server.app[DB], uuid4(), email, f"Participant {n}", shared_hash)
        async with client_at(loopback_address()) as http:

            async def sign_in(email: str, mistype: bool) -> list[int]:
                statuses = []
                if mistype:
                    statuses.append(await _login(http, server, email, "typo " + PASSWORD))
                statuses.append(await _login(http, server, email, PASSWORD))
                return statuses

            results = await asyncio.gather(
                *(sign_in(email, n % 5 == 0) for n, email in enumerate(emails))
            )
        assert [r[-1] for r in results] == [200] * 50
        assert sum(r == [401, 200] for r in results) == 10


async def _login(http: aiohttp.ClientSession, server: RunningServer, email: str, pw: str) -> int:
    async with http.post(
        server.http_url + "/v1/auth/login",
        json={"email": email, "password": pw, "client": "token"},
    ) as response:
        await response.read()
        return response.status
