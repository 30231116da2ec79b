"""Prometheus metrics of the persistence layer (names documented in docs/operations.md)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "PERSIST_BATCH_SECONDS",
    "PERSIST_BATCH_UPDATES",
    "PERSIST_QUEUE_DEPTH",
    "PERSIST_FAILURES",
    "COMPACTIONS",
    "STORAGE_AVAILABLE",
]

STORAGE_AVAILABLE = Gauge(
    "dttools_storage_available",
    "1 while PostgreSQL answers, 0 from the first failure to reach it until it answers again",
)
PERSIST_BATCH_SECONDS = Histogram(
    "dttools_persist_batch_seconds",
    "Time to commit one group-commit batch of updates to PostgreSQL",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
PERSIST_BATCH_UPDATES = Histogram(
    "dttools_persist_batch_updates",
    "Number of updates written per group-commit batch",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000),
)


#: Read at scrape time from the live group committers (persistence/group_commit.py), so
#: accepting an update costs no metric call.
PERSIST_QUEUE_DEPTH = Gauge(
    "dttools_persist_queue_depth", "Updates accepted but not yet committed to PostgreSQL"
)
PERSIST_FAILURES = Counter(
    "dttools_persist_failures_total", "Group-commit batches that failed and were retried"
)
COMPACTIONS = Counter(
    "dttools_compactions_total", "Room compactions by outcome", labelnames=("outcome",)
)
