"""Admission control of RoomManager: connection cap, joining backlog, shutdown, spread delays."""

from __future__ import annotations

import pytest

from collab.limits import Limits
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.errors import NodeFull
from rooms.manager import RoomManager, RoomSettings, spread_delay


def test_spread_delay_covers_base_to_twice_base() -> None:
    assert spread_delay(5.0, lambda: 0.0) == 5.0
    assert spread_delay(5.0, lambda: 0.5) == 7.5
    assert spread_delay(5.0, lambda: 0.999) == pytest.approx(9.995)
    drawn = {round(spread_delay(1.0), 1) for _ in range(200)}
    assert len(drawn) > 5  # really spread, not one value


def test_retry_seconds_rounds_up_to_at_least_one() -> None:
    assert NodeFull("x", retry_after_s=0.2).retry_seconds == 1
    assert NodeFull("x", retry_after_s=1.01).retry_seconds == 2
    assert NodeFull("x", retry_after_s=7.0).retry_seconds == 7


async def test_joining_backlog_and_connection_cap(
    update_log: UpdateLog, committer: GroupCommitter
) -> None:
    manager = RoomManager(
        update_log, committer, Limits(max_connections=3, max_joining=2), RoomSettings()
    )
    manager.admit()
    manager.admit()
    with pytest.raises(NodeFull, match="2 connections joining") as busy:
        manager.admit()
    assert 1.0 <= busy.value.retry_after_s < 2.0
    manager.joined()  # one joined its room: room for one more joiner
    manager.admit()
    assert (manager.connections, manager.joining) == (3, 2)
    manager.joined()
    with pytest.raises(NodeFull, match="limit of 3 connections") as full:
        manager.admit()
    assert 5.0 <= full.value.retry_after_s < 10.0
    manager.release(None, None)
    manager.admit()
    manager.accepting = False
    with pytest.raises(NodeFull, match="shutting down"):
        manager.admit()
