"""The webhook sender against real sockets: what it refuses, what it signs, what it reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from collab.webhook_policy import AllowList, parse_allow_list
from http_api.webhook_sender import (
    Outcome,
    RefusedAddress,
    WebhookSender,
    _GuardedResolver,
    sign,
)
from tests.support.webhook_receiver import Receiver, webhook_receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with webhook_receiver() as (running, _runner):
        running.secrets.append(SECRET)
        yield running


async def _send(allowed: AllowList, url: str, timeout_s: float = 5.0) -> Outcome:
    sender = WebhookSender(allowed, timeout_s=timeout_s, concurrency=2)
    try:
        return await sender.send(url, msg_id="msg_1", body=b'{"a":1}', secrets=[SECRET])
    finally:
        await sender.close()


async def test_an_allowed_receiver_gets_a_verified_request(receiver: Receiver) -> None:
    outcome = await _send(parse_allow_list("127.0.0.1"), receiver.url)
    assert outcome.delivered
    assert outcome.status_code == 204
    assert receiver.received[0].webhook_id == "msg_1"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127。0。0。1", "①②⑦.0.0.1"])
async def test_loopback_is_refused_without_the_allow_list(receiver: Receiver, host: str) -> None:
    url = receiver.url.replace("127.0.0.1", host)
    outcome = await _send(AllowList(), url)
    assert outcome.error is not None
    assert outcome.error.startswith("refused")
    assert receiver.requests == 0


async def test_a_name_on_the_allow_list_passes(receiver: Receiver) -> None:
    outcome = await _send(
        parse_allow_list("localhost"), receiver.url.replace("127.0.0.1", "localhost")
    )
    assert outcome.status_code == 204


async def test_the_resolver_refuses_a_name_with_any_private_address() -> None:
    with pytest.raises(RefusedAddress):
        await _GuardedResolver(AllowList(), threads=1, timeout_s=5).resolve("localhost", 80)


async def test_failures_are_outcomes_not_exceptions(receiver: Receiver) -> None:
    allowed = parse_allow_list("127.0.0.1")
    receiver.fail_next = 1
    failed = await _send(allowed, receiver.url)
    assert failed.status_code == 500
    assert not failed.delivered
    receiver.gone = True
    gone = await _send(allowed, receiver.url)
    assert gone.gone
    closed = await _send(allowed, "http://127.0.0.1:9/nothing")
    assert closed.status_code is None
    assert closed.error
    ftp = await _send(allowed, "ftp://127.0.0.1/x")
    assert ftp.error is not None
    assert ftp.error.startswith("refused")


def test_every_secret_signs() -> None:
    other = "whsec_" + "A" * 32
    header = sign([SECRET, other], "msg_1", datetime(2026, 12, 6, tzinfo=UTC), b"{}")
    assert len(header.split(" ")) == 2
    assert all(part.startswith("v1,") for part in header.split(" "))
