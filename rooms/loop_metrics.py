"""Lock-free counters, gauges and histograms for the event loop's hot paths.

prometheus_client's metrics take a lock and run checks on every call; on the relay path,
several of those per message were a measurable share of its Python work. These are plain
numbers changed only on the event loop thread and read when /metrics is scraped, under the
same names and types. rooms/metrics.py declares the ones in use.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from prometheus_client import REGISTRY
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

__all__ = ["LoopMetric", "LoopHistogram", "LoopMetrics"]


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
