"""UpdateLog.load_many: many rooms read in one consistent statement, answered in order."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from typing import Any

import pytest

from persistence.compaction import compact
from persistence.db import create_pool
from persistence.errors import StorageError
from persistence.update_log import (
    StoredRoom,
    UpdateLog,
    _project_ids,
)
from tests.support.postgres import until_lock_waiters
from tests.support.updates import array_updates


@dataclass(frozen=True)
class Stored:
    """Three rooms: one with a snapshot and a tail, one with a tail only, one never written."""

    snap: str
    tail: str
    none: str
    #: the rows written after the snapshot, and the tail-only room's rows
    late: list[bytes]
    only: list[bytes]

    @property
    def names(self) -> tuple[str, str, str]:
        return self.snap, self.tail, self.none


@pytest.fixture
async def stored(pool: Any, room: str) -> Stored:
    """The three rooms, written; the two tails' rows interleaved in one statement."""
    log = UpdateLog(pool)
    rooms = Stored(f"{room}-snap", f"{room}-tail", f"{room}-none", array_updates(3, "late"), [])
    await log.append([rooms.snap] * 4, array_updates(4, "old"))
    assert await compact(pool, rooms.snap) is not None
    only = array_updates(3, "tail")
    # The rooms' rows alternate in the log: each room's tail keeps its own order.
    await log.append(
        [rooms.snap, rooms.tail] * 3,
        [payload for pair in zip(rooms.late, only, strict=True) for payload in pair],
    )
    return replace(rooms, only=only)


class TestLoadMany:
    async def test_each_kind_of_room_comes_back_as_stored(self, pool: Any, stored: Stored) -> None:
        """Snapshot plus tail (with its nesting index), tail only, and nothing at all."""
        got = await UpdateLog(pool).load_many(list(stored.names))
        assert len(got) == 3
        assert got[0].snapshot is not None
        assert got[0].nesting is not None  # compaction stores the nesting index with it
        assert got[0].updates == stored.late
        assert got[1] == StoredRoom(None, stored.only)
        assert got[2] == StoredRoom(None, [])

    @pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)])
    async def test_answers_follow_the_order_asked_and_equal_load(
        self, pool: Any, stored: Stored, order: tuple[int, int, int]
    ) -> None:
        """Whatever the order of ``rooms``, answer i is ``load(rooms[i])``."""
        log = UpdateLog(pool)
        rooms = [stored.names[i] for i in order]
        singles = [await log.load(name) for name in rooms]
        assert await log.load_many(rooms) == singles
        assert [s.snapshot is not None for s in singles] == [i == 0 for i in order]

    async def test_a_room_asked_twice_is_answered_twice(self, pool: Any, stored: Stored) -> None:
        """A repeated name gets the same answer at both places (its rows are not doubled)."""
        snap, tail = stored.snap, stored.tail
        log = UpdateLog(pool)
        got = await log.load_many([tail, snap, tail])
        assert got == [await log.load(tail), await log.load(snap), await log.load(tail)]
        assert got[0].updates == stored.only

    async def test_no_rooms_no_answers(self, pool: Any) -> None:
        """An empty list reads nothing and returns nothing."""
        assert await UpdateLog(pool).load_many([]) == []

    async def test_snapshot_and_tail_are_read_as_one_state(self, pool: Any, room: str) -> None:
        """A compaction that commits while a load waits is seen whole: the load gets the new
        snapshot and no rows, never the old state's missing snapshot with its rows deleted.

        The load is held on a table lock while another connection writes the snapshot,
        deletes the rows and commits; two statements outside one transaction could then see
        no snapshot and no rows (the room would load empty).
        """
        log = UpdateLog(pool)
        updates = array_updates(3, "u")
        await log.append([room] * 3, updates)
        merged = array_updates(1, "merged")[0]
        async with pool.acquire() as blocker:
            transaction = blocker.transaction()
            await transaction.start()
            try:
                await blocker.execute("LOCK TABLE room_updates IN ACCESS EXCLUSIVE MODE")
                loading = asyncio.create_task(log.load_many([room, f"{room}-other"]))
                await until_lock_waiters(blocker, 1)  # the load waits for the table
                await blocker.execute(
                    "INSERT INTO room_snapshots (room, snapshot) VALUES ($1, $2)", room, merged
                )
                await blocker.execute("DELETE FROM room_updates WHERE room = $1", room)
            except BaseException:
                await transaction.rollback()
                raise
            await transaction.commit()
        after, other = await loading
        assert after == StoredRoom(merged, [])
        assert other == StoredRoom(None, [])
        assert await log.load_many([room]) == [StoredRoom(merged, [])]


class TestStorageErrors:
    @pytest.mark.parametrize(
        ("rooms", "named"), [(["lonely"], "room 'lonely'"), (["a", "b", "c"], "3 rooms")]
    )
    async def test_an_unreachable_database_is_a_storage_error(
        self, database_url: str, rooms: list[str], named: str
    ) -> None:
        """A pool that cannot serve raises StorageError naming the room (or how many)."""
        closed = await create_pool(database_url, min_size=1, max_size=1)
        await closed.close()
        with pytest.raises(StorageError, match=f"cannot load {named}: "):
            await UpdateLog(closed).load_many(rooms)

    async def test_load_is_load_many_of_one(self, pool: Any) -> None:
        """load() of a room never written is the empty room."""
        assert await UpdateLog(pool).load(f"never-{uuid.uuid4().hex}") == StoredRoom(None, [])


def test_only_project_rooms_are_marked_for_events() -> None:
    """A project's room is named by its id; brainstorm and free-form rooms are not projects."""
    project = "9d5c8e0e-2a8e-4f57-9a61-4b0c7f7d1a11"
    rooms = [project, project, f"{project}:brainstorm", "x" * 36, "fanout-1"]
    assert [str(p) for p in _project_ids(rooms)] == [project]
