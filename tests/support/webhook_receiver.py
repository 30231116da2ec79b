"""A real webhook receiver on 127.0.0.1 that checks signatures with the standardwebhooks library.

It is what an integrator runs: every request is verified by the library (not by our code)
against the secrets it was given, and recorded. It can fail on purpose (answer 500 for the
next N requests, or 410 Gone) and be stopped, to exercise retries and disabling.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["Received", "Receiver", "webhook_receiver"]


@dataclass(frozen=True, slots=True)
class Received:
    """One request that passed verification."""

    webhook_id: str
    timestamp: str
    payload: dict[str, Any]


@dataclass
class Receiver:
    """The receiver's state: its URL, what it accepted, how it should answer next."""

    url: str = ""
    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    rejected: int = 0
    requests: int = 0
    #: answer 500 to this many more requests (after verifying them)
    fail_next: int = 0
    #: answer 410 to every request
    gone: bool = False
    arrivals: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)

    async def next(self) -> Received:
        """The next verified request (fails the test after 10 s without one)."""
        async with asyncio.timeout(10):
            return await self.arrivals.get()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.read()
        headers = {name.lower(): value for name, value in request.headers.items()}
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                break
            except WebhookVerificationError:
                continue
        else:
            self.rejected += 1
            return web.Response(status=400, text="bad signature")
        if self.gone:
            return web.Response(status=410)
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=500, text="failing on purpose")
        got = Received(headers["webhook-id"], headers["webhook-timestamp"], json.loads(body))
        self.received.append(got)
        self.arrivals.put_nowait(got)
        return web.Response(status=204)


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[tuple[Receiver, web.AppRunner]]:
    """A receiver listening on 127.0.0.1 (a free port); stop it with ``runner.cleanup()``."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver._handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}/hook"
    try:
        yield receiver, runner
    finally:
        await runner.cleanup()
