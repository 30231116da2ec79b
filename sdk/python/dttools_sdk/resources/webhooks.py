"""Webhook subscriptions: a project's (owners) or global ones (admins), and their deliveries.

Every method takes ``project_id``: given, it manages that project's subscriptions; None, the
global ones (``/v1/webhooks``). To check what a subscription receives, see
:func:`dttools_sdk.verify_webhook`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from dttools_sdk.models import Delivery, Page, WebhookSubscription
from dttools_sdk.resources._base import follow, read, segment
from dttools_sdk.transport import Transport

__all__ = ["Webhooks"]


class Webhooks:
    """Subscribe URLs to events, and inspect and replay what was sent to them."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def create(
        self,
        url: str,
        events: Sequence[str],
        *,
        project_id: str | None = None,
        description: str = "",
        enabled: bool = True,
    ) -> WebhookSubscription:
        """Subscribe ``url`` to ``events`` (``["*"]``: all); keep the ``secret`` it answers.

        Raises:
            ValidationError: an unknown event type, or a URL the server may not reach.
        """
        body = {"url": url, "events": list(events), "description": description, "enabled": enabled}
        response = await self._http.request("POST", _base(project_id), json_body=body)
        return read(WebhookSubscription, response)

    async def list(
        self, *, project_id: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Page[WebhookSubscription]:
        """One page of subscriptions."""
        response = await self._http.request("GET", _base(project_id), params=_page(limit, cursor))
        return Page[WebhookSubscription].model_validate(response.json())

    def iter(
        self, *, project_id: str | None = None, page_size: int | None = None
    ) -> AsyncIterator[WebhookSubscription]:
        """Every subscription."""
        return follow(lambda c: self.list(project_id=project_id, limit=page_size, cursor=c))

    async def get(self, webhook_id: str, *, project_id: str | None = None) -> WebhookSubscription:
        """One subscription (without its secret)."""
        response = await self._http.request("GET", _one(project_id, webhook_id))
        return read(WebhookSubscription, response)

    async def update(
        self,
        webhook_id: str,
        *,
        project_id: str | None = None,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = None,
        enabled: bool | None = None,
        rotate_secret: bool = False,
    ) -> WebhookSubscription:
        """Change what you pass; ``rotate_secret`` answers with a new ``secret`` (the old one
        keeps signing too for a while, so receivers can switch)."""
        body: dict[str, object] = {}
        for name, value in (("url", url), ("description", description), ("enabled", enabled)):
            if value is not None:
                body[name] = value
        if events is not None:
            body["events"] = list(events)
        if rotate_secret:
            body["rotate_secret"] = True
        response = await self._http.request("PATCH", _one(project_id, webhook_id), json_body=body)
        return read(WebhookSubscription, response)

    async def delete(self, webhook_id: str, *, project_id: str | None = None) -> None:
        """Unsubscribe (the delivery log goes too)."""
        await self._http.request("DELETE", _one(project_id, webhook_id))

    async def send_test(self, webhook_id: str, *, project_id: str | None = None) -> Delivery:
        """Queue a ``webhook.test`` event to this subscription only."""
        path = f"{_one(project_id, webhook_id)}/test"
        return read(Delivery, await self._http.request("POST", path))

    async def deliveries(
        self,
        webhook_id: str,
        *,
        project_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Delivery]:
        """One page of the delivery log, newest first; ``status="failed"`` filters."""
        params = _page(limit, cursor)
        if status is not None:
            params["status"] = status
        path = f"{_one(project_id, webhook_id)}/deliveries"
        response = await self._http.request("GET", path, params=params)
        return Page[Delivery].model_validate(response.json())

    def iter_deliveries(
        self,
        webhook_id: str,
        *,
        project_id: str | None = None,
        status: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Delivery]:
        """Every delivery of the log."""
        return follow(
            lambda c: self.deliveries(
                webhook_id, project_id=project_id, status=status, limit=page_size, cursor=c
            )
        )

    async def replay(
        self, webhook_id: str, delivery_id: str, *, project_id: str | None = None
    ) -> Delivery:
        """Send one delivery again."""
        path = f"{_one(project_id, webhook_id)}/deliveries/{segment(delivery_id)}/replay"
        return read(Delivery, await self._http.request("POST", path))

    async def replay_failed(self, webhook_id: str, *, project_id: str | None = None) -> int:
        """Send every failed delivery again; returns how many."""
        path = f"{_one(project_id, webhook_id)}/replay-failed"
        replayed: int = (await self._http.request("POST", path)).json()["replayed"]
        return replayed


def _base(project_id: str | None) -> str:
    if project_id is None:
        return "/v1/webhooks"
    return f"/v1/projects/{segment(project_id)}/webhooks"


def _one(project_id: str | None, webhook_id: str) -> str:
    return f"{_base(project_id)}/{segment(webhook_id)}"


def _page(limit: int | None, cursor: str | None) -> dict[str, str]:
    params: dict[str, str] = {}
    if limit is not None:
        params["limit"] = str(limit)
    if cursor is not None:
        params["cursor"] = cursor
    return params
