"""Metrics of the node's background work: webhook deliveries and export jobs."""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge

__all__ = [
    "EXPORTS_FINISHED",
    "EXPORT_JOBS",
    "WEBHOOK_ATTEMPTS",
    "WEBHOOK_BACKLOG",
]

WEBHOOK_ATTEMPTS: Final = Counter(
    "dttools_webhook_attempts_total",
    "Webhook delivery attempts made by this node, by outcome (delivered, failed, gone)",
    ["outcome"],
)
WEBHOOK_BACKLOG: Final = Gauge(
    "dttools_webhook_backlog",
    "Work waiting for the webhook loops of every node, as this node last counted it: "
    "events not yet turned into deliveries (outbox) and deliveries not yet made (deliveries)",
    ["queue"],
)
EXPORT_JOBS: Final = Gauge(
    "dttools_export_jobs",
    "Export jobs of this node, waiting for a render slot (queued) or being made (running)",
    ["state"],
)
EXPORTS_FINISHED: Final = Counter(
    "dttools_exports_finished_total",
    "Export jobs of this node that ended, by format and outcome (done, failed)",
    ["format", "outcome"],
)
