"""Sign-up and password reset do not tell which e-mail addresses have accounts.

The answers are compared byte for byte, and their timing over repeated, interleaved requests
(medians, so one slow request on a loaded machine does not decide), against a mail server that
has stalled: a request that waited for mail would never answer.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from http_api.keys import MAILER
from tests.conftest import RunningServer, StartServer
from tests.support.api import PASSWORD, RegisteredUser, register, unique_email
from tests.support.smtp import SmtpSink
from tests.support.timing import TIMEOUT, scaled

# Hashing is most of what these requests cost, and the point is that every path pays it: with
# the suite's cheap parameters a path that skipped it would hide in the tolerance.
pytestmark = pytest.mark.usefixtures("production_password_hashing")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a caller can observe of one response."""

    status: int
    content_type: str
    body: bytes
    seconds: float


@dataclass(frozen=True, slots=True)
class StalledMail:
    """A server whose mail server accepts connections and never answers, and an account."""

    server: RunningServer
    sink: SmtpSink
    user: RegisteredUser


@pytest.fixture
async def stalled(start_server: StartServer) -> AsyncIterator[StalledMail]:
    """A server sending mail over SMTP to a sink that holds every connection until teardown."""
    async with aiohttp.ClientSession() as http:
        # Signed up through a node that logs its mail (same database), to read the link.
        user = await register(http, await start_server())
    hold = asyncio.Event()
    async with SmtpSink(hold=hold) as sink:
        server = await start_server(
            smtp_url=f"smtp://127.0.0.1:{sink.port}", public_url="https://dt.example.org"
        )
        yield StalledMail(server, sink, user)
        hold.set()
        await server.app[MAILER].drain()


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Answer:
    """POST ``body`` and time it from the client's side, as an attacker would."""
    start = time.perf_counter()
    async with http.post(url, json=body) as response:
        raw = await response.read()
    return Answer(response.status, response.content_type, raw, time.perf_counter() - start)


async def compare(
    http: aiohttp.ClientSession,
    url: str,
    taken: Callable[[], dict[str, Any]],
    new: Callable[[], dict[str, Any]],
    rounds: int,
) -> tuple[list[Answer], list[Answer]]:
    """``rounds`` requests of each kind, interleaved in a random order per round."""
    for body in (taken(), new()):  # warm-up: connections, caches, first-use costs
        await post(http, url, body)
    taken_answers: list[Answer] = []
    new_answers: list[Answer] = []
    for _ in range(rounds):
        pair = [(taken, taken_answers), (new, new_answers)]
        random.shuffle(pair)
        for make, answers in pair:
            answers.append(await post(http, url, make()))
    return taken_answers, new_answers


def assert_alike(taken: list[Answer], new: list[Answer]) -> None:
    """Same status, type and bytes every time, and medians within a tolerance.

    The tolerance (5 ms, scaled on slow machines, plus 25 % of the slower median) is far below
    what waiting on a mail server costs (an SMTP exchange, or here a stalled one: forever).
    """
    observed = {(a.status, a.content_type, a.body) for a in taken + new}
    assert len(observed) == 1, observed
    slow, fast = sorted(
        (statistics.median(a.seconds for a in answers) for answers in (taken, new)),
        reverse=True,
    )
    assert slow - fast <= scaled(0.005) + 0.25 * slow, (slow, fast)


class TestSignUp:
    async def test_taken_and_new_addresses_get_the_same_answer_in_the_same_time(
        self, stalled: StalledMail
    ) -> None:
        """Registering a taken address and a new one answer the same 202 and body, in times
        whose medians agree, while the mail server (which gets both messages) has stalled."""
        url = stalled.server.http_url + "/v1/auth/register"

        def taken() -> dict[str, Any]:
            return {"email": stalled.user.email, "name": "Twin", "password": PASSWORD}

        def new() -> dict[str, Any]:
            return {"email": unique_email("new"), "name": "New", "password": PASSWORD}

        async with aiohttp.ClientSession() as http:
            answers = await compare(http, url, taken, new, rounds=12)
        assert answers[0][0].status == 202
        assert_alike(*answers)
        async with asyncio.timeout(TIMEOUT):
            await stalled.sink.connected.wait()
        assert stalled.sink.messages == []


class TestForgotPassword:
    async def test_known_and_unknown_addresses_get_the_same_answer_in_the_same_time(
        self, stalled: StalledMail
    ) -> None:
        """forgot-password answers a known and an unknown address with the same empty 202,
        in times whose medians agree, while the mail server (holding the link) has stalled."""
        url = stalled.server.http_url + "/v1/auth/forgot-password"

        def known() -> dict[str, Any]:
            return {"email": stalled.user.email}

        def unknown() -> dict[str, Any]:
            return {"email": unique_email("nobody")}

        async with aiohttp.ClientSession() as http:
            answers = await compare(http, url, known, unknown, rounds=25)
        assert answers[0][0].status == 202
        assert answers[0][0].body == b""
        assert_alike(*answers)
        async with asyncio.timeout(TIMEOUT):
            await stalled.sink.connected.wait()
        assert stalled.sink.messages == []


class TestSignIn:
    async def test_wrong_password_and_unknown_account_take_the_same_time(
        self, server: RunningServer
    ) -> None:
        """A wrong password and an unknown account both hash a password (a dummy one for
        nobody): same 401 body, medians that agree."""
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            answers = await compare(
                http,
                server.http_url + "/v1/auth/login",
                lambda: {"email": user.email, "password": "a wrong password"},
                lambda: {"email": unique_email("nobody"), "password": "a wrong password"},
                rounds=12,
            )
        assert answers[0][0].status == 401
        assert_alike(*answers)
