"""LoopMetric: lock-free counters and gauges read by the Prometheus registry at scrape time."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY, CollectorRegistry

from persistence.metrics import PERSIST_QUEUE_DEPTH, LoopMetric, LoopMetrics


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
        before = REGISTRY.get_sample_value("dttools_persist_queue_depth")
        assert before is not None
        PERSIST_QUEUE_DEPTH.inc(7)
        try:
            assert REGISTRY.get_sample_value("dttools_persist_queue_depth") == before + 7
        finally:
            PERSIST_QUEUE_DEPTH.dec(7)
