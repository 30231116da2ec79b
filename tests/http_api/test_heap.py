"""Full garbage collections on the node's schedule (http_api/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from http_api.heap import HeapKeeper, settle


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_settle_freezes_start_up_and_stops_automatic_full_collections(
    restored_gc: None,
) -> None:
    young, middle, _ = gc.get_threshold()
    settle()
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold()[:2] == (young, middle)  # young generations as CPython runs them
    assert gc.get_threshold()[2] >= 10**9


def test_due_when_quiet_after_the_interval_or_regardless_after_four() -> None:
    quiet = False
    keeper = HeapKeeper(60.0, lambda: quiet)
    start = keeper.last
    assert not keeper.due(start + 30)
    assert not keeper.due(start + 61)  # busy: a storm is joining
    quiet = True
    assert not keeper.due(start + 59)
    assert keeper.due(start + 61)
    quiet = False
    assert keeper.due(start + 241)  # busy for too long: collect anyway (240 + float slack)


def test_collect_reclaims_cycles_and_restarts_the_interval() -> None:
    keeper = HeapKeeper(60.0, lambda: True)

    class Node:
        other: object

    def make_cycle() -> None:
        a, b = Node(), Node()
        a.other, b.other = b, a

    for _ in range(100):
        make_cycle()
    assert keeper.collect(keeper.last + 100) >= 200
    assert keeper.collections == 1
    assert not keeper.due(keeper.last + 30)
