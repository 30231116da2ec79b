"""Typed views of live rooms (RoomManager.read_views), against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc, Map

from collab import schema
from collab.artifacts import KINDS
from collab.doc_view import CollectionView
from collab.limits import Limits
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.manager import _VIEW_SLICE, RoomManager, RoomSettings

IDEAS = KINDS["ideas"]
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def _manager(update_log: UpdateLog, committer: GroupCommitter) -> RoomManager:
    return RoomManager(update_log, committer, Limits(), RoomSettings())


def _board(count: int, prefix: str = "i") -> bytes:
    """An update creating ``count`` ideas, as a browser would write them."""
    doc: Doc[Any] = Doc()
    ideas: Map[Any] = doc.get("ideas", type=Map)
    with doc.transaction():
        for n in range(count):
            key = f"{prefix}{n:04d}"
            ideas[key] = Map({"id": key, "text": f"note {n}", "createdAt": f"2026-12-06T{n:08d}"})
    return doc.get_update()


def _ids_and_truth(
    doc: Doc[Any], views: Mapping[str, CollectionView]
) -> tuple[list[str], list[str]]:
    """The view's listing and a full read of the same state, in the same transaction."""
    listed = [cached.item["id"] for cached in views["ideas"].ordered()]
    return listed, [item["id"] for item in schema.list_items(doc, IDEAS)]


class TestReadViews:
    async def test_a_first_read_of_a_large_board_yields_to_other_work(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """1,000 notes are read in slices: other tasks run between them, and edits made in
        between are in the answer, which matches a full read of the state it was taken in."""
        await update_log.append([room], [_board(1000)])
        manager = _manager(update_log, committer)
        await manager.open(room)
        ticks = 0
        reading = True

        async def other_room_work() -> None:
            nonlocal ticks
            while reading:
                ticks += 1
                if ticks == 3:  # a live edit lands while the view is being built
                    manager.rooms[room].apply_remote(_board(5, prefix="late"))
                await asyncio.sleep(0)

        ticker = asyncio.create_task(other_room_work())
        listed, truth = await manager.read_views(room, (IDEAS,), _ids_and_truth)
        reading = False
        await ticker
        assert ticks >= 1000 // _VIEW_SLICE - 1  # a turn of the loop per slice, at least
        assert listed == truth
        assert len(listed) == 1005

    async def test_concurrent_first_reads_catch_up_one_slice_per_turn(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Ten readers arrive together at a board of 1,000 notes: one catches the view up, a
        slice per turn of the loop, the others wait for it; all get the same full answer."""
        await update_log.append([room], [_board(1000)])
        manager = _manager(update_log, committer)
        await manager.open(room)
        collection = manager.views.of(manager.rooms[room], time.monotonic()).view(IDEAS)
        left: list[int] = []
        reading = True

        async def watch() -> None:
            while reading:
                left.append(collection.pending)
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        answers = await asyncio.gather(
            *(manager.read_views(room, (IDEAS,), _ids_and_truth) for _ in range(10))
        )
        reading = False
        await watcher
        read_per_turn = [before - after for before, after in itertools.pairwise(left)]
        assert max(read_per_turn) <= _VIEW_SLICE  # not ten slices in one turn
        assert len(read_per_turn) >= 1000 // _VIEW_SLICE
        for listed, truth in answers:
            assert listed == truth
            assert len(listed) == 1000

    async def test_a_live_change_shows_in_the_next_read(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        manager = _manager(update_log, committer)
        await manager.read_views(room, (IDEAS,), _ids_and_truth)
        live = manager.rooms[room]
        live.apply_remote(_board(3))  # from another node, through the fast apply path
        listed, truth = await manager.read_views(room, (IDEAS,), _ids_and_truth)
        assert listed == truth == ["i0000", "i0001", "i0002"]
        now = NOW

        def edit(doc: Doc[Any]) -> None:
            schema.delete_item(doc, IDEAS, "i0001", now=now)

        await manager.transact(room, edit)
        listed, truth = await manager.read_views(room, (IDEAS,), _ids_and_truth)
        assert listed == truth == ["i0000", "i0002"]

    async def test_views_go_with_their_room_and_after_idle(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        manager = _manager(update_log, committer)
        await manager.read_views(room, (IDEAS,), _ids_and_truth)
        assert len(manager.views) == 1
        manager.views.expire(float("inf"), manager.rooms)  # long unread
        assert len(manager.views) == 0
        await manager.read_views(room, (IDEAS,), _ids_and_truth)
        first = manager.rooms[room]
        manager.maintain(float("inf"))  # idle past any timeout: the room is evicted
        assert room not in manager.rooms
        assert len(manager.views) == 0
        await committer.flush()
        update = _board(2)
        await update_log.append([room], [update])
        listed, _truth = await manager.read_views(room, (IDEAS,), _ids_and_truth)
        assert manager.rooms[room] is not first
        assert listed == ["i0000", "i0001"]  # read from the reloaded copy, not a stale view
