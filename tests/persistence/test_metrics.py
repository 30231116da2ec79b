"""The persistence layer's metrics as /metrics serves them."""

from __future__ import annotations

import gc
from typing import Any

from prometheus_client import REGISTRY

from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog


def _queue_depth() -> float:
    value = REGISTRY.get_sample_value("dttools_persist_queue_depth")
    assert value is not None
    return value


async def test_the_queue_depth_is_read_from_the_live_committers(pool: Any) -> None:
    """Accepted updates count until committed; a committer that is gone counts no more.

    The committers are never started here, so nothing they hold is committed."""
    gc.collect()
    before = _queue_depth()
    first, second = GroupCommitter(UpdateLog(pool)), GroupCommitter(UpdateLog(pool))
    first.submit("room-a", b"\x00\x00", None)
    first.submit("room-a", b"\x00\x00", None)
    second.submit("room-b", b"\x00\x00", None)
    assert _queue_depth() == before + 3
    del first
    gc.collect()
    assert _queue_depth() == before + 1
    assert second.depth == 1
