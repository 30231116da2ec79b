"""Delivering webhooks: every node dispatches outbox events and sends what is due.

One loop per node (persistence/webhooks.py holds the steps): dispatch new outbox events into
deliveries, claim due deliveries (leased, ``SKIP LOCKED``: several nodes never send the same
attempt), send them at most ``DTTOOLS_WEBHOOK_CONCURRENCY`` at a time, record each attempt.
Then the loop sleeps ``DTTOOLS_WEBHOOK_POLL_S`` unless there is more to do, or until
:meth:`WebhookService.wake` (this node just wrote events or queued a test).

After a failed attempt the delivery is due again after the next delay of the retry schedule
(collab/webhook_policy.py); when the schedule is spent the delivery fails and its endpoint is
disabled (``failing``); a ``410`` disables it at once (``gone``). Delivery is at least once:
a node that dies after sending but before recording sends again when the lease ends, with
the same ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final

import structlog

from collab.webhook_policy import next_delay, parse_allow_list
from http_api.service_metrics import WEBHOOK_ATTEMPTS, WEBHOOK_BACKLOG
from http_api.settings import Settings
from http_api.webhook_sender import Outcome, WebhookSender
from persistence import webhooks
from persistence.conn import PgPool
from persistence.errors import StorageError
from persistence.webhooks import Delivery, Webhook

__all__ = ["WebhookService", "running"]

_log = structlog.get_logger(__name__)
#: How long a claimed delivery is kept from other nodes beyond the request's own deadline.
_LEASE_MARGIN: Final = timedelta(seconds=30)
# How often the loop counts the backlog for dttools_webhook_backlog (two counts, cluster-wide).
_BACKLOG_EVERY_S: Final = 15.0


class WebhookService:
    """A node's webhook loop (see the module's doc)."""

    def __init__(self, pool: PgPool, settings: Settings) -> None:
        self._pool = pool
        self.settings = settings
        self.sender = WebhookSender(
            parse_allow_list(settings.webhook_allowed_hosts),
            timeout_s=settings.webhook_timeout_s,
            concurrency=max(1, settings.webhook_concurrency),
        )
        self._wake = asyncio.Event()
        self._lease = timedelta(seconds=settings.webhook_timeout_s) + _LEASE_MARGIN
        self._counted_at = float("-inf")

    def wake(self) -> None:
        """Look for work now (events were written, a test was queued)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Dispatch what is new, send what is due; how many deliveries were attempted."""
        now = asyncio.get_running_loop().time()
        if now - self._counted_at >= _BACKLOG_EVERY_S:
            self._counted_at = now
            events, deliveries = await webhooks.backlog(self._pool)
            WEBHOOK_BACKLOG.labels("outbox").set(events)
            WEBHOOK_BACKLOG.labels("deliveries").set(deliveries)
        while await webhooks.dispatch(self._pool):
            pass
        due = await webhooks.claim_due(
            self._pool, limit=max(1, self.settings.webhook_concurrency), lease=self._lease
        )
        outcomes = await asyncio.gather(
            *(self._deliver(delivery, hook) for delivery, hook in due), return_exceptions=True
        )
        for failed in outcomes:
            if isinstance(failed, Exception):  # one delivery's trouble is not the others'
                _log.error("webhook_delivery_failed", exc_info=failed)
        return len(due)

    async def _deliver(self, delivery: Delivery, hook: Webhook) -> None:
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        outcome = await self.sender.send(
            hook.url, msg_id=str(delivery.event_id), body=body, secrets=hook.secrets
        )
        await self._record(delivery, hook, outcome)

    async def _record(self, delivery: Delivery, hook: Webhook, outcome: Outcome) -> None:
        retry_in = None if outcome.delivered or outcome.gone else next_delay(delivery.attempts + 1)
        result = "delivered" if outcome.delivered else "gone" if outcome.gone else "failed"
        WEBHOOK_ATTEMPTS.labels(result).inc()
        async with self._pool.acquire() as conn, conn.transaction():
            await webhooks.record_attempt(
                conn, delivery.id, status_code=outcome.status_code, error=outcome.error,
                duration_ms=outcome.duration_ms, delivered=outcome.delivered, retry_in=retry_in,
            )  # fmt: skip
            if outcome.gone:
                await webhooks.disable_webhook(conn, hook.id, "gone")
            elif not outcome.delivered and retry_in is None:
                await webhooks.disable_webhook(conn, hook.id, "failing")
        _log.info(
            "webhook_attempt", webhook_id=str(hook.id), delivery_id=str(delivery.id),
            event_type=delivery.event_type, status=outcome.status_code, error=outcome.error,
            duration_ms=outcome.duration_ms,
        )  # fmt: skip

    async def loop(self) -> None:
        """Run until cancelled; storage trouble is logged and retried at the next tick."""
        while True:
            busy = 0
            try:
                busy = await self.run_once()
            except (StorageError, OSError) as exc:
                _log.warning("webhook_loop_failed", error=str(exc))
            except Exception:  # never let one bad row stop this node's deliveries for good
                _log.exception("webhook_loop_failed")
            if busy:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_s)


@contextlib.asynccontextmanager
async def running(settings: Settings, pool: PgPool) -> AsyncIterator[WebhookService]:
    """The node's webhook service and, with DTTOOLS_WEBHOOK_DELIVERY, its loop; stopped
    (connections closed) on exit. Without the loop the routes still work: other nodes send."""
    service = WebhookService(pool, settings)
    task = None
    if settings.webhook_delivery:
        task = asyncio.create_task(service.loop(), name="webhooks")
    try:
        yield service
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await service.sender.close()
