"""Prometheus metrics of the persistence layer (names documented in docs/operations.md).

Also :class:`LoopMetric` and :class:`LoopHistogram`, the lock-free counter and histogram that
the per-message metrics of both this layer and rooms use.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

__all__ = [
    "LoopMetric",
    "LoopHistogram",
    "LoopMetrics",
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


class LoopMetric:
    """A counter or gauge changed only on the event loop thread: a plain number, no lock.

    prometheus_client's Counter takes a lock and runs checks on every ``inc()``; on the relay
    path, several of those per message were a measurable share of its Python work. These are
    read when /metrics is scraped (``collect``), under the same names and types.
    """

    __slots__ = ("name", "documentation", "kind", "value")

    def __init__(
        self,
        name: str,
        documentation: str,
        *,
        kind: str = "counter",
        group: LoopMetrics | None = None,
    ) -> None:
        if kind not in ("counter", "gauge"):
            raise ValueError(f"unknown metric kind {kind!r}")
        self.name = name
        self.documentation = documentation
        self.kind = kind
        self.value = 0.0
        (group if group is not None else _DEFAULT_GROUP).metrics.append(self)

    def inc(self, amount: float = 1) -> None:
        """Add ``amount`` (a counter only ever goes up: callers pass counts and sizes)."""
        self.value += amount

    def dec(self, amount: float = 1) -> None:
        """Subtract ``amount`` (gauges)."""
        self.value -= amount

    def metric(self) -> Metric:
        """The sample as the Prometheus client exposes it."""
        if self.kind == "counter":
            return CounterMetricFamily(self.name, self.documentation, value=self.value)
        return GaugeMetricFamily(self.name, self.documentation, value=self.value)


class LoopHistogram:
    """A histogram observed only on the event loop thread: bucket counts in a list, no lock.

    prometheus_client's Histogram takes a lock and makes four Python calls per ``observe()``;
    this one makes one. Buckets are upper bounds (``le``), as in Prometheus; read at scrape time.
    """

    __slots__ = ("name", "documentation", "bounds", "counts", "sum")

    def __init__(
        self,
        name: str,
        documentation: str,
        *,
        buckets: Sequence[float],
        group: LoopMetrics | None = None,
    ) -> None:
        if list(buckets) != sorted(set(buckets)) or not buckets:
            raise ValueError("buckets must be distinct and increasing")
        self.name = name
        self.documentation = documentation
        self.bounds = tuple(float(b) for b in buckets)
        self.counts = [0] * (len(self.bounds) + 1)  # the last one is +Inf
        self.sum = 0.0
        (group if group is not None else _DEFAULT_GROUP).metrics.append(self)

    def observe(self, value: float) -> None:
        """Count one observation in the first bucket whose bound is at least ``value``."""
        self.sum += value
        self.counts[bisect_left(self.bounds, value)] += 1

    def metric(self) -> Metric:
        """The cumulative buckets, count and sum, as the Prometheus client exposes them."""
        buckets: list[tuple[str, float]] = []
        total = 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            total += count
            buckets.append((floatToGoString(bound), total))  # type: ignore[no-untyped-call]
        return HistogramMetricFamily(
            self.name, self.documentation, buckets=buckets, sum_value=self.sum
        )


class LoopMetrics(Collector):
    """The collector that exposes a group of LoopMetrics (the default group: in REGISTRY)."""

    def __init__(self) -> None:
        self.metrics: list[LoopMetric | LoopHistogram] = []

    def collect(self) -> Iterator[Metric]:
        for metric in self.metrics:
            yield metric.metric()


_DEFAULT_GROUP = LoopMetrics()
REGISTRY.register(_DEFAULT_GROUP)

PERSIST_QUEUE_DEPTH = LoopMetric(
    "dttools_persist_queue_depth",
    "Updates accepted but not yet committed to PostgreSQL",
    kind="gauge",
)
PERSIST_FAILURES = Counter(
    "dttools_persist_failures_total", "Group-commit batches that failed and were retried"
)
COMPACTIONS = Counter(
    "dttools_compactions_total", "Room compactions by outcome", labelnames=("outcome",)
)
