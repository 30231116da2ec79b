"""LoopMetric and LoopHistogram: lock-free metrics read by the Prometheus registry when scraped."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY, CollectorRegistry

from rooms.loop_metrics import LoopHistogram, LoopMetric, LoopMetrics
from rooms.metrics import BYTES_IN, FANOUT_SECONDS


@pytest.fixture
def group() -> tuple[LoopMetrics, CollectorRegistry]:
    """A group of loop metrics in a registry of its own (the global one is documented)."""
    group, registry = LoopMetrics(), CollectorRegistry()
    registry.register(group)
    return group, registry


class TestLoopMetric:
    def test_a_counter_is_scraped_under_its_total_name(
        self, group: tuple[LoopMetrics, CollectorRegistry]
    ) -> None:
        """inc() adds up and the registry reads the sum as ``<name>_total``."""
        metrics, registry = group
        counter = LoopMetric("dttools_test_events", "test counter", group=metrics)
        counter.inc()
        counter.inc(41)
        assert registry.get_sample_value("dttools_test_events_total") == 42

    def test_a_gauge_goes_both_ways(self, group: tuple[LoopMetrics, CollectorRegistry]) -> None:
        """A gauge reports its current value after inc() and dec()."""
        metrics, registry = group
        gauge = LoopMetric("dttools_test_depth", "test gauge", kind="gauge", group=metrics)
        gauge.inc(5)
        gauge.dec(3)
        assert registry.get_sample_value("dttools_test_depth") == 2

    def test_unknown_kinds_are_refused(self, group: tuple[LoopMetrics, CollectorRegistry]) -> None:
        """Only the two kinds the collector can expose exist."""
        with pytest.raises(ValueError, match="histogram"):
            LoopMetric("dttools_test_x", "x", kind="histogram", group=group[0])

    def test_the_default_group_is_what_metrics_serves(self) -> None:
        """Loop metrics made without a group are in the global registry."""
        before = REGISTRY.get_sample_value("dttools_bytes_in_total")
        assert before is not None
        BYTES_IN.inc(7)
        assert REGISTRY.get_sample_value("dttools_bytes_in_total") == before + 7


class TestLoopHistogram:
    def test_buckets_are_cumulative_upper_bounds(
        self, group: tuple[LoopMetrics, CollectorRegistry]
    ) -> None:
        """A value lands in every bucket whose bound is at least it (le), plus +Inf."""
        metrics, registry = group
        hist = LoopHistogram("dttools_test_seconds", "test", buckets=(0.001, 0.01), group=metrics)
        for value in (0.0005, 0.001, 0.002, 5.0):
            hist.observe(value)

        def sample(suffix: str, **labels: str) -> float | None:
            return registry.get_sample_value(f"dttools_test_seconds{suffix}", labels)

        assert sample("_bucket", le="0.001") == 2
        assert sample("_bucket", le="0.01") == 3
        assert sample("_bucket", le="+Inf") == 4
        assert sample("_count") == 4
        assert sample("_sum") == pytest.approx(5.0035)

    @pytest.mark.parametrize("buckets", [(), (0.1, 0.01), (0.1, 0.1)])
    def test_buckets_must_increase(
        self, group: tuple[LoopMetrics, CollectorRegistry], buckets: tuple[float, ...]
    ) -> None:
        """Empty, decreasing or repeated bounds are refused."""
        with pytest.raises(ValueError, match="increasing"):
            LoopHistogram("dttools_test_bad", "x", buckets=buckets, group=group[0])

    def test_the_fanout_histogram_is_served(self) -> None:
        """dttools_fanout_latency_seconds is a loop histogram in the global registry."""
        before = REGISTRY.get_sample_value("dttools_fanout_latency_seconds_count")
        assert before is not None
        FANOUT_SECONDS.observe(0.0002)
        assert REGISTRY.get_sample_value("dttools_fanout_latency_seconds_count") == before + 1
        assert (
            REGISTRY.get_sample_value("dttools_fanout_latency_seconds_bucket", {"le": "0.00025"})
            is not None
        )
