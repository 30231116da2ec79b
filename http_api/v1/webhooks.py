"""/v1 webhooks: subscriptions per project (owners) and global ones (admins), their deliveries.

The same routes exist twice: under ``/v1/projects/{project_id}/webhooks`` for a project's
owners, and under ``/v1/webhooks`` for admins (events of every project). A subscription has a
URL, the event types it wants (collab/events.py; ``*`` for all), a description, an enabled
flag and a signing secret that is shown once, when it is made or rotated. Deliveries are
listed with every attempt (status code or error, duration); one delivery or all the failed
ones can be sent again. docs/webhooks.md tells receivers how to verify and deduplicate.
"""

from __future__ import annotations

import base64
import secrets as random_secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, Literal
from uuid import UUID, uuid4

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from collab.errors import Conflict, NotFound, PermissionDenied
from collab.events import ANY_EVENT, ENVELOPE_VERSION, EVENT_TYPES, TEST_EVENT
from collab.i18n import msg
from collab.permissions import Action
from http_api.access import Access, require_access
from http_api.endpoint import Api, Handler, json_response, path_uuid
from http_api.keys import DB, WEBHOOKS
from http_api.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageQuery,
    dated_page,
    decode_cursor,
    keyset_page,
    sortable_time,
    timestamp_and_id,
)
from http_api.principal import Principal
from http_api.problems import ValidationFailed
from http_api.v1.audit import record
from http_api.webhook_sender import RefusedAddress
from persistence import audit, webhooks
from persistence.conn import Conn
from persistence.webhooks import Attempt, Delivery, Webhook

__all__ = ["api", "WebhookIn", "WebhookOut", "DeliveryOut"]

api = Api()
_TAGS = ("webhooks",)
_PROJECT = "/v1/projects/{project_id}/webhooks"
_GLOBAL = "/v1/webhooks"
_SECRET_BYTES: Final = 24
#: Subscriptions per project (and global ones): every event fans out to each of them, so
#: an owner may not turn the server into a flood of requests to someone else's URL.
MAX_WEBHOOKS: Final = 20
MAX_GLOBAL_WEBHOOKS: Final = 100


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(random_secrets.token_bytes(_SECRET_BYTES)).decode()


def _known_events(events: list[str]) -> list[str]:
    unknown = sorted({e for e in events if e not in EVENT_TYPES and e != ANY_EVENT})
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(unknown)}")
    return sorted(set(events))


class WebhookIn(BaseModel):
    """A new subscription."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(
        min_length=8, max_length=2000, pattern=r"^https?://",
        description="http(s) URL; private and loopback addresses are refused",
    )  # fmt: skip
    events: list[str] = Field(
        min_length=1, max_length=len(EVENT_TYPES) + 1,
        description='event types (see docs/webhooks.md), or ["*"]',
    )  # fmt: skip
    description: str = Field(default="", max_length=500)
    enabled: bool = True

    _events = field_validator("events")(_known_events)


class WebhookPatch(BaseModel):
    """Changes to a subscription; ``rotate_secret`` makes a new secret (the old one keeps
    signing too until the next rotation, so receivers can switch without losing events)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str | None = Field(default=None, min_length=8, max_length=2000, pattern=r"^https?://")
    events: list[str] | None = Field(default=None, min_length=1,
                                     max_length=len(EVENT_TYPES) + 1)  # fmt: skip
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    rotate_secret: bool = False

    @field_validator("events")
    @classmethod
    def _events(cls, events: list[str] | None) -> list[str] | None:
        return None if events is None else _known_events(events)


class WebhookOut(BaseModel):
    """A subscription (``secret`` only in the answer that made or rotated it)."""

    id: UUID
    project_id: UUID | None
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: Literal["gone", "failing"] | None = Field(
        description="why the server turned it off: the receiver answered 410, or every "
        "retry of a delivery failed"
    )
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = Field(default=None, description="shown once: keep it")


class WebhookPage(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    """One event sent (or to send) to one subscription, with every attempt."""

    id: UUID
    webhook_id: UUID
    event_id: UUID = Field(description="the webhook-id header: the same on every attempt")
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    created_at: datetime
    finished_at: datetime | None
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Literal["pending", "delivered", "failed"] | None = None
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, max_length=200)


class Replayed(BaseModel):
    replayed: int


def _out(hook: Webhook, *, secret: str | None = None) -> WebhookOut:
    return WebhookOut(
        id=hook.id, project_id=hook.project_id, url=hook.url, events=hook.events,
        description=hook.description, enabled=hook.enabled,
        disabled_reason=hook.disabled_reason,  # type: ignore[arg-type]  # the two reasons
        created_by=hook.created_by, created_at=hook.created_at, updated_at=hook.updated_at,
        secret=secret,
    )  # fmt: skip


def _delivery_out(delivery: Delivery, log: list[Attempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id, webhook_id=delivery.webhook_id, event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,  # type: ignore[arg-type]  # the table's CHECK
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        last_status_code=delivery.last_status_code, last_error=delivery.last_error,
        last_duration_ms=delivery.last_duration_ms, created_at=delivery.created_at,
        finished_at=delivery.finished_at, payload=delivery.payload,
        attempt_log=[AttemptOut(attempted_at=a.attempted_at, status_code=a.status_code,
                                error=a.error, duration_ms=a.duration_ms) for a in log],
    )  # fmt: skip


# --- scope and access --------------------------------------------------------------------------


async def _scope(request: web.Request, principal: Principal) -> tuple[UUID | None, Access | None]:
    """The project of the path (None: global) and the caller's access; owners or admins."""
    if "project_id" not in request.match_info:
        if not principal.is_admin:
            raise PermissionDenied(msg("global webhooks are for admins; owners add their "
                                       "project's"))  # fmt: skip
        return None, None
    project_id = path_uuid(request, "project_id")
    return project_id, await require_access(request, principal, project_id, Action.MANAGE)


async def _audit(
    conn: Conn, request: web.Request, principal: Principal, access: Access | None,
    action: str, hook: Webhook,
) -> None:  # fmt: skip
    details = {"url": hook.url, "events": hook.events}
    if access is not None:
        await record(conn, request, principal, action, access, target=hook.id, **details)
    else:
        await audit.record(
            conn, action, actor_id=principal.user_id, target=str(hook.id), details=details
        )


def _check_url(request: web.Request, url: str) -> None:
    try:
        request.app[WEBHOOKS].sender.check(url)
    except RefusedAddress:
        raise ValidationFailed(
            [
                {
                    "location": "body",
                    "field": "url",
                    "message": msg(
                        "webhooks may not reach a private, loopback or link-local address"
                    ),
                }
            ]
        ) from None


async def _hook(request: web.Request, project_id: UUID | None) -> Webhook:
    webhook_id = path_uuid(request, "webhook_id")
    hook = await webhooks.get_webhook(request.app[DB], project_id, webhook_id)
    if hook is None:
        raise NotFound(msg("no such webhook: {id}", id=webhook_id))
    return hook


# --- routes (each declared for the project and the global prefix) ------------------------------


def _both(method: str, suffix: str, **declaration: Any) -> Callable[[Handler], Handler]:
    """Declare a handler under the project prefix and the global one."""

    def register(handler: Handler) -> Handler:
        api.route(method, _PROJECT + suffix, tags=_TAGS, **declaration)(handler)

        async def global_(request: web.Request, **kwargs: Any) -> Any:
            return await handler(request, **kwargs)

        # OpenAPI wants one operationId per operation: the handler's name, and this one's
        global_.__name__ = global_.__qualname__ = f"{handler.__name__}_global"
        global_.__doc__ = handler.__doc__
        api.route(method, _GLOBAL + suffix, tags=_TAGS, **declaration)(global_)
        return handler

    return register


@_both("POST", "", summary="Subscribe a URL to events (owners; admins globally)",
       body=WebhookIn, response=WebhookOut, status=201, errors=(409,),
       headers={"Location": "the subscription"})  # fmt: skip
async def create_webhook(
    request: web.Request, principal: Principal, body: WebhookIn
) -> web.Response:
    """The answer holds the signing ``secret``, shown this once."""
    project_id, access = await _scope(request, principal)
    _check_url(request, body.url)
    secret = _new_secret()
    async with request.app[DB].acquire() as conn, conn.transaction():
        # serialised per scope, so two requests cannot both pass the cap
        cap = MAX_WEBHOOKS if project_id is not None else MAX_GLOBAL_WEBHOOKS
        if await webhooks.count_locked(conn, project_id) >= cap:
            raise Conflict(msg("at most {limit} webhooks here: delete one first", limit=cap))
        hook = await webhooks.create_webhook(
            conn, project_id=project_id, url=body.url, events=body.events,
            description=body.description, secret=secret, created_by=principal.user_id,
        )  # fmt: skip
        if not body.enabled:
            hook = await webhooks.update_webhook(conn, hook.id, enabled=False) or hook
        await _audit(conn, request, principal, access, "webhook.created", hook)
    location = f"{request.path}/{hook.id}"
    return json_response(_out(hook, secret=secret), status=201, headers={"Location": location})


@_both("GET", "", summary="List the subscriptions, oldest first", query=PageQuery,
       response=WebhookPage)  # fmt: skip
async def list_webhooks(
    request: web.Request, principal: Principal, query: PageQuery
) -> WebhookPage:
    project_id, _access = await _scope(request, principal)
    hooks = await webhooks.list_webhooks(request.app[DB], project_id)
    page, next_cursor = keyset_page(
        hooks, query.limit, lambda h: (sortable_time(h.created_at), str(h.id)), query.cursor
    )
    return WebhookPage(items=[_out(hook) for hook in page], next_cursor=next_cursor)


@_both("GET", "/{webhook_id}", summary="A subscription", response=WebhookOut)
async def get_webhook(request: web.Request, principal: Principal) -> WebhookOut:
    project_id, _access = await _scope(request, principal)
    return _out(await _hook(request, project_id))


@_both("PATCH", "/{webhook_id}", summary="Change a subscription, turn it on or off, "
       "rotate its secret", body=WebhookPatch, response=WebhookOut)  # fmt: skip
async def update_webhook(
    request: web.Request, principal: Principal, body: WebhookPatch
) -> WebhookOut:
    """With ``rotate_secret`` the answer holds the new secret (shown this once); the previous
    one keeps signing as well until the next rotation."""
    project_id, access = await _scope(request, principal)
    hook = await _hook(request, project_id)
    if body.url is not None:
        _check_url(request, body.url)
    secret = _new_secret() if body.rotate_secret else None
    async with request.app[DB].acquire() as conn, conn.transaction():
        changed = await webhooks.update_webhook(
            conn, hook.id, url=body.url, events=body.events, description=body.description,
            enabled=body.enabled, new_secret=secret,
        )  # fmt: skip
        if changed is None:
            raise NotFound(msg("no such webhook: {id}", id=hook.id))
        await _audit(conn, request, principal, access, "webhook.updated", changed)
    return _out(changed, secret=secret)


@_both("DELETE", "/{webhook_id}", summary="Delete a subscription and its deliveries",
       status=204)  # fmt: skip
async def delete_webhook(request: web.Request, principal: Principal) -> None:
    project_id, access = await _scope(request, principal)
    hook = await _hook(request, project_id)
    async with request.app[DB].acquire() as conn, conn.transaction():
        await webhooks.delete_webhook(conn, hook.id)
        await _audit(conn, request, principal, access, "webhook.deleted", hook)


@_both("POST", "/{webhook_id}/test", summary="Send a test event to this subscription",
       response=DeliveryOut, status=202)  # fmt: skip
async def send_test(request: web.Request, principal: Principal) -> DeliveryOut:
    """Queued at once, also when the subscription is off or does not list ``webhook.test``;
    poll the delivery log for the outcome."""
    project_id, _access = await _scope(request, principal)
    hook = await _hook(request, project_id)
    event_id = uuid4()
    now = datetime.now(UTC)
    payload = {
        "id": str(event_id), "type": TEST_EVENT, "version": ENVELOPE_VERSION,
        "project_id": None if project_id is None else str(project_id),
        "created_at": now.isoformat(),
        "data": {"webhook_id": str(hook.id), "requested_by": str(principal.user_id)},
    }  # fmt: skip
    delivery = await webhooks.enqueue(
        request.app[DB], hook, event_id=event_id, event_type=TEST_EVENT, payload=payload
    )
    request.app[WEBHOOKS].wake()
    return _delivery_out(delivery, [])


@_both("GET", "/{webhook_id}/deliveries", summary="The delivery log, newest first",
       query=DeliveryQuery, response=DeliveryPage)  # fmt: skip
async def list_deliveries(
    request: web.Request, principal: Principal, query: DeliveryQuery
) -> DeliveryPage:
    project_id, _access = await _scope(request, principal)
    hook = await _hook(request, project_id)
    before = None if query.cursor is None else decode_cursor(query.cursor, timestamp_and_id)
    db = request.app[DB]
    rows = await webhooks.list_deliveries(
        db, hook.id, limit=query.limit + 1, status=query.status, before=before
    )
    page, next_cursor = dated_page(rows, query.limit, lambda row: row)
    logs = await webhooks.attempts_of(db, [delivery.id for delivery in page])
    items = [_delivery_out(delivery, logs.get(delivery.id, [])) for delivery in page]
    return DeliveryPage(items=items, next_cursor=next_cursor)


@_both("POST", "/{webhook_id}/deliveries/{delivery_id}/replay",
       summary="Send one delivery again", response=DeliveryOut, status=202)  # fmt: skip
async def replay_delivery(request: web.Request, principal: Principal) -> DeliveryOut:
    project_id, _access = await _scope(request, principal)
    hook = await _hook(request, project_id)
    delivery_id = path_uuid(request, "delivery_id")
    delivery = await webhooks.replay(request.app[DB], hook.id, delivery_id)
    if delivery is None:
        raise NotFound(msg("no such delivery: {id}", id=delivery_id))
    request.app[WEBHOOKS].wake()
    logs = await webhooks.attempts_of(request.app[DB], [delivery.id])
    return _delivery_out(delivery, logs.get(delivery.id, []))


@_both("POST", "/{webhook_id}/replay-failed", summary="Send every failed delivery again",
       response=Replayed, status=202)  # fmt: skip
async def replay_failed(request: web.Request, principal: Principal) -> Replayed:
    project_id, _access = await _scope(request, principal)
    hook = await _hook(request, project_id)
    count = await webhooks.replay_failed(request.app[DB], hook.id)
    request.app[WEBHOOKS].wake()
    return Replayed(replayed=count)
