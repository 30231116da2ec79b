"""Webhook subscriptions through the SDK, end to end: the server signs, verify_webhook checks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from dttools_sdk import DTTools, Project, ValidationError, WebhookVerificationError, verify_webhook

from http_api.keys import DB
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, make_admin
from tests.support.timing import TIMEOUT

pytestmark = pytest.mark.shared_server(
    webhook_delivery=True, webhook_allowed_hosts="127.0.0.1", webhook_poll_s=0.05
)

Received = asyncio.Queue[tuple[bytes, dict[str, str]]]


@pytest.fixture
async def receiver(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> tuple[str, Received]:
    """A webhook receiver on loopback: its URL and the (raw body, headers) it got."""
    received: Received = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        await received.put((await request.read(), dict(request.headers)))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", receive)
    server = await aiohttp_server(app, host="127.0.0.1")
    return f"http://127.0.0.1:{server.port}/hook", received


class TestSubscriptions:
    async def test_test_event_arrives_signed(
        self, client: DTTools, project: Project, receiver: tuple[str, Received]
    ) -> None:
        """A subscription made with the SDK gets a test event that verify_webhook accepts."""
        url, received = receiver
        hook = await client.webhooks.create(url, ["webhook.test"], project_id=project.id)
        assert hook.secret is not None
        assert hook.secret.startswith("whsec_")
        await client.webhooks.send_test(hook.id, project_id=project.id)
        async with asyncio.timeout(TIMEOUT):
            body, headers = await received.get()
        event = verify_webhook(body, headers, hook.secret)
        assert event["type"] == "webhook.test"
        assert event["project_id"] == project.id
        with pytest.raises(WebhookVerificationError):
            verify_webhook(body + b" ", headers, hook.secret)
        deliveries = [
            d async for d in client.webhooks.iter_deliveries(hook.id, project_id=project.id)
        ]
        assert [d.event_type for d in deliveries] == ["webhook.test"]

    async def test_manage(
        self, client: DTTools, project: Project, receiver: tuple[str, Received]
    ) -> None:
        """List, read, disable, rotate, replay and delete a subscription."""
        url, _ = receiver
        hook = await client.webhooks.create(
            url, ["project.updated"], project_id=project.id, description="CRM"
        )
        listed = [h.id async for h in client.webhooks.iter(project_id=project.id)]
        assert listed == [hook.id]
        read = await client.webhooks.get(hook.id, project_id=project.id)
        assert (read.description, read.secret) == ("CRM", None)
        off = await client.webhooks.update(hook.id, project_id=project.id, enabled=False)
        assert not off.enabled
        rotated = await client.webhooks.update(
            hook.id, project_id=project.id, events=["*"], rotate_secret=True
        )
        assert rotated.secret not in {None, hook.secret}
        assert rotated.events == ["*"]
        assert await client.webhooks.replay_failed(hook.id, project_id=project.id) == 0
        await client.webhooks.delete(hook.id, project_id=project.id)
        assert (await client.webhooks.list(project_id=project.id)).items == []

    async def test_replay_one_delivery(
        self, client: DTTools, project: Project, receiver: tuple[str, Received]
    ) -> None:
        """Replaying a delivery sends the same event again (same webhook-id)."""
        url, received = receiver
        hook = await client.webhooks.create(url, ["webhook.test"], project_id=project.id)
        delivery = await client.webhooks.send_test(hook.id, project_id=project.id)
        async with asyncio.timeout(TIMEOUT):
            _, first = await received.get()
            replayed = await client.webhooks.replay(hook.id, delivery.id, project_id=project.id)
            _, second = await received.get()
        assert replayed.id == delivery.id
        assert first["webhook-id"] == second["webhook-id"]

    async def test_unknown_event_type(self, client: DTTools, project: Project) -> None:
        """An event type the server does not know is a ValidationError naming ``events``."""
        with pytest.raises(ValidationError) as caught:
            await client.webhooks.create(
                "https://example.com/hook", ["no.such.event"], project_id=project.id
            )
        assert any(error.field.startswith("events") for error in caught.value.errors)


class TestAdmin:
    async def test_global_subscriptions_and_audit(
        self, server: RunningServer, client: DTTools, user: RegisteredUser
    ) -> None:
        """An admin manages global subscriptions (no project id) and reads the audit log."""
        await make_admin(server.app[DB], user)
        hook = await client.webhooks.create("https://example.com/hook", ["project.created"])
        assert hook.project_id is None
        assert hook.id in [h.id async for h in client.webhooks.iter(page_size=100)]
        page = await client.audit.list(limit=1, actor_id=str(user.id), action="webhook.")
        assert [entry.action for entry in page.items] == ["webhook.created"]
        mine = [e.action async for e in client.audit.iter(page_size=50, actor_id=str(user.id))]
        assert "webhook.created" in mine
        await client.webhooks.delete(hook.id)
