"""Webhook subscriptions, their deliveries and every attempt (docs/webhooks.md).

The flow, all in PostgreSQL so that any node can do any step and none does one twice:

1. :func:`dispatch` takes undispatched outbox events in order (``FOR UPDATE SKIP LOCKED``),
   inserts one delivery per enabled subscription that wants the event (the project's and the
   global ones), and marks the events dispatched, in one transaction.
2. :func:`claim_due` takes due deliveries (``SKIP LOCKED``) and moves their next attempt a
   lease into the future before committing, so another node does not take them while this
   one sends; a node that dies mid-send leaves them due again when the lease ends.
3. :func:`record_attempt` stores the attempt and the delivery's new state: delivered,
   pending again at the next retry time, or failed (retries spent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID, uuid4

import asyncpg

from persistence.conn import Conn, Executor, PgPool

__all__ = [
    "Webhook",
    "Delivery",
    "Attempt",
    "count_locked",
    "backlog",
    "create_webhook",
    "get_webhook",
    "list_webhooks",
    "update_webhook",
    "delete_webhook",
    "disable_webhook",
    "dispatch",
    "claim_due",
    "record_attempt",
    "list_deliveries",
    "get_delivery",
    "attempts_of",
    "replay",
    "replay_failed",
    "enqueue",
]

# Advisory lock class of a scope's subscription count (with hashtext of the project id).
_CAP_LOCK: Final = 0x5748434B
_HOOK_COLUMNS: Final = (
    "id, project_id, url, events, description, secrets, enabled, disabled_reason, created_by, "
    "created_at, updated_at"
)
_DELIVERY_COLUMNS: Final = (
    "id, webhook_id, event_id, event_type, payload, status, attempts, next_attempt_at, "
    "last_status_code, last_error, last_duration_ms, created_at, finished_at"
)


@dataclass(frozen=True, slots=True)
class Webhook:
    """A subscription: where to send which events, signed with which secrets."""

    id: UUID
    project_id: UUID | None
    url: str
    events: list[str]
    description: str
    secrets: list[str]
    enabled: bool
    disabled_reason: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one subscription, and how its sending went."""

    id: UUID
    webhook_id: UUID
    event_id: UUID
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at sending a delivery."""

    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


def _hook(row: asyncpg.Record) -> Webhook:
    return Webhook(**dict(row))


def _delivery(row: asyncpg.Record) -> Delivery:
    values = dict(row)
    values["payload"] = json.loads(values["payload"])
    return Delivery(**values)


# --- subscriptions -----------------------------------------------------------------------------


async def create_webhook(
    db: Executor,
    *,
    project_id: UUID | None,
    url: str,
    events: Sequence[str],
    description: str,
    secret: str,
    created_by: UUID | None,
) -> Webhook:
    """Insert an enabled subscription."""
    row = await db.fetchrow(
        "INSERT INTO webhooks (id, project_id, url, events, description, secrets, created_by) "  # noqa: S608 - constants
        f"VALUES ($1, $2, $3, $4, $5, ARRAY[$6], $7) RETURNING {_HOOK_COLUMNS}",
        uuid4(),
        project_id,
        url,
        list(events),
        description,
        secret,
        created_by,
    )
    assert row is not None  # RETURNING of an insert
    return _hook(row)


async def count_locked(conn: Conn, project_id: UUID | None) -> int:
    """How many subscriptions the project (None: the global scope) has, counted under a lock
    held until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _CAP_LOCK, str(project_id))
    count: int = await conn.fetchval(
        "SELECT count(*) FROM webhooks WHERE project_id IS NOT DISTINCT FROM $1", project_id
    )
    return count


async def get_webhook(db: Executor, project_id: UUID | None, webhook_id: UUID) -> Webhook | None:
    """The subscription of that project (None: a global one), if it exists."""
    row = await db.fetchrow(
        f"SELECT {_HOOK_COLUMNS} FROM webhooks WHERE id = $1 "  # noqa: S608 - constants
        "AND project_id IS NOT DISTINCT FROM $2",
        webhook_id,
        project_id,
    )
    return None if row is None else _hook(row)


async def list_webhooks(db: Executor, project_id: UUID | None) -> list[Webhook]:
    """A project's subscriptions (None: the global ones), oldest first."""
    rows = await db.fetch(
        f"SELECT {_HOOK_COLUMNS} FROM webhooks "  # noqa: S608 - constants
        "WHERE project_id IS NOT DISTINCT FROM $1 ORDER BY created_at, id LIMIT 100",
        project_id,
    )
    return [_hook(row) for row in rows]


async def update_webhook(
    db: Executor,
    webhook_id: UUID,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    new_secret: str | None = None,
) -> Webhook | None:
    """Change what is given (None keeps it). Turning it on clears the reason it was off;
    a new secret goes first and the previous one stays valid (rotation), keeping three."""
    row = await db.fetchrow(
        "UPDATE webhooks SET url = coalesce($2, url), events = coalesce($3, events), "  # noqa: S608 - constants
        "description = coalesce($4, description), enabled = coalesce($5, enabled), "
        "disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END, "
        "secrets = CASE WHEN $6::text IS NULL THEN secrets ELSE (ARRAY[$6] || secrets)[1:2] END, "
        f"updated_at = now() WHERE id = $1 RETURNING {_HOOK_COLUMNS}",
        webhook_id,
        url,
        None if events is None else list(events),
        description,
        enabled,
        new_secret,
    )
    return None if row is None else _hook(row)


async def delete_webhook(db: Executor, webhook_id: UUID) -> bool:
    """Delete a subscription and its delivery log; whether there was one."""
    status = await db.execute("DELETE FROM webhooks WHERE id = $1", webhook_id)
    return status.endswith(" 1")


async def disable_webhook(db: Executor, webhook_id: UUID, reason: str) -> None:
    """Turn a subscription off (gone, failing); its pending deliveries fail with it."""
    await db.execute(
        "UPDATE webhooks SET enabled = false, disabled_reason = $2, updated_at = now() "
        "WHERE id = $1",
        webhook_id,
        reason,
    )
    await db.execute(
        "UPDATE webhook_deliveries SET status = 'failed', finished_at = now(), "
        "last_error = coalesce(last_error, $2) WHERE webhook_id = $1 AND status = 'pending'",
        webhook_id,
        f"endpoint disabled: {reason}",
    )


# --- dispatching and sending -------------------------------------------------------------------


async def dispatch(pool: PgPool, *, limit: int = 200) -> int:
    """Turn undispatched outbox events into deliveries (see the module's doc); how many events.

    An event goes to every enabled subscription of its project and every enabled global one
    whose ``events`` name its type (or ``*``). Events nobody wants are marked all the same.
    """
    async with pool.acquire() as conn, conn.transaction():
        events = await conn.fetch(
            "SELECT id, event_id, type, project_id, payload, created_at FROM outbox "
            "WHERE delivered_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
            limit,
        )
        if not events:
            return 0
        await conn.execute(
            "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload) "
            "SELECT gen_random_uuid(), w.id, e.event_id, e.type, jsonb_build_object("
            "'id', e.event_id, 'type', e.type, 'version', 1, 'project_id', e.project_id, "
            "'created_at', e.created_at, 'data', e.payload) "
            "FROM outbox e JOIN webhooks w ON w.enabled "
            "AND (w.project_id = e.project_id OR w.project_id IS NULL) "
            "AND (e.type = ANY(w.events) OR '*' = ANY(w.events)) "
            "WHERE e.id = ANY($1::bigint[]) ORDER BY e.id "
            "ON CONFLICT (webhook_id, event_id) DO NOTHING",
            [event["id"] for event in events],
        )
        await conn.execute(
            "UPDATE outbox SET delivered_at = now() WHERE id = ANY($1::bigint[])",
            [event["id"] for event in events],
        )
        return len(events)


async def backlog(db: Executor) -> tuple[int, int]:
    """(events not yet dispatched, deliveries not yet made): what the webhook loops owe."""
    row = await db.fetchrow(
        "SELECT (SELECT count(*) FROM outbox WHERE delivered_at IS NULL) AS events, "
        "(SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS deliveries"
    )
    assert row is not None  # a SELECT without FROM returns one row
    return int(row["events"]), int(row["deliveries"])


async def claim_due(
    pool: PgPool, *, limit: int, lease: timedelta
) -> list[tuple[Delivery, Webhook]]:
    """Due deliveries of enabled subscriptions, leased to the caller for ``lease``."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.enabled "
            "ORDER BY d.next_attempt_at, d.created_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED",
            limit,
        )
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        claimed = await conn.fetch(
            "UPDATE webhook_deliveries SET next_attempt_at = now() + $2::interval "  # noqa: S608 - constants
            f"WHERE id = ANY($1::uuid[]) RETURNING {_DELIVERY_COLUMNS}",
            ids,
            lease,
        )
        hooks = await conn.fetch(
            f"SELECT {_HOOK_COLUMNS} FROM webhooks WHERE id = ANY($1::uuid[])",  # noqa: S608
            list({row["webhook_id"] for row in claimed}),
        )
    by_id = {row["id"]: _hook(row) for row in hooks}
    deliveries = sorted((_delivery(row) for row in claimed), key=lambda d: d.created_at)
    return [(delivery, by_id[delivery.webhook_id]) for delivery in deliveries]


async def record_attempt(
    conn: Conn,
    delivery_id: UUID,
    *,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    delivered: bool,
    retry_in: timedelta | None,
) -> None:
    """Store an attempt; the delivery is delivered, due again in ``retry_in``, or failed."""
    # the subscription (or its project) may have been deleted while the request was out
    await conn.execute(
        "INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms) "
        "SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1)",
        delivery_id,
        status_code,
        error,
        duration_ms,
    )
    status = "delivered" if delivered else ("pending" if retry_in is not None else "failed")
    await conn.execute(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, "
        "last_status_code = $3, last_error = $4, last_duration_ms = $5, "
        "next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + $6::interval "
        "ELSE next_attempt_at END, "
        "finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END WHERE id = $1",
        delivery_id,
        status,
        status_code,
        error,
        duration_ms,
        retry_in or timedelta(0),
    )


async def enqueue(
    db: Executor, webhook: Webhook, *, event_id: UUID, event_type: str, payload: dict[str, Any]
) -> Delivery:
    """A delivery made directly (a test event), due now."""
    row = await db.fetchrow(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload) "  # noqa: S608 - constants
        f"VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING {_DELIVERY_COLUMNS}",
        uuid4(),
        webhook.id,
        event_id,
        event_type,
        json.dumps(payload),
    )
    assert row is not None
    return _delivery(row)


# --- the delivery log --------------------------------------------------------------------------


async def list_deliveries(
    db: Executor,
    webhook_id: UUID,
    *,
    limit: int,
    status: str | None = None,
    before: tuple[datetime, UUID] | None = None,
) -> list[Delivery]:
    """A subscription's deliveries, newest first, keyset-paginated on (created_at, id)."""
    rows = await db.fetch(
        f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 "  # noqa: S608
        "AND ($2::text IS NULL OR status = $2) "
        "AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid)) "
        "ORDER BY created_at DESC, id DESC LIMIT $5",
        webhook_id,
        status,
        None if before is None else before[0],
        None if before is None else before[1],
        limit,
    )
    return [_delivery(row) for row in rows]


async def get_delivery(db: Executor, webhook_id: UUID, delivery_id: UUID) -> Delivery | None:
    """One delivery of the subscription."""
    row = await db.fetchrow(
        f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries "  # noqa: S608 - constants
        "WHERE id = $1 AND webhook_id = $2",
        delivery_id,
        webhook_id,
    )
    return None if row is None else _delivery(row)


async def attempts_of(db: Executor, delivery_ids: Sequence[UUID]) -> dict[UUID, list[Attempt]]:
    """Every attempt of these deliveries, oldest first."""
    rows = await db.fetch(
        "SELECT delivery_id, attempted_at, status_code, error, duration_ms FROM webhook_attempts "
        "WHERE delivery_id = ANY($1::uuid[]) ORDER BY id",
        list(delivery_ids),
    )
    found: dict[UUID, list[Attempt]] = {}
    for row in rows:
        found.setdefault(row["delivery_id"], []).append(
            Attempt(row["attempted_at"], row["status_code"], row["error"], row["duration_ms"])
        )
    return found


async def replay(db: Executor, webhook_id: UUID, delivery_id: UUID) -> Delivery | None:
    """Send a delivery again now (whatever its state), as a new round of retries."""
    row = await db.fetchrow(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "  # noqa: S608 - constants
        f"finished_at = NULL WHERE id = $1 AND webhook_id = $2 RETURNING {_DELIVERY_COLUMNS}",
        delivery_id,
        webhook_id,
    )
    return None if row is None else _delivery(row)


async def replay_failed(db: Executor, webhook_id: UUID) -> int:
    """Send every failed delivery of the subscription again; how many."""
    status = await db.execute(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
        "finished_at = NULL WHERE webhook_id = $1 AND status = 'failed'",
        webhook_id,
    )
    return int(status.split()[-1])
