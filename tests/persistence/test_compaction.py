"""Compaction keeps everything (invariant 2) and refuses corrupt history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from pycrdt import Array, Doc

from collab.artifacts import KINDS
from collab.schema import create_item
from collab.ydoc import build_doc
from persistence.artifact_index import candidates
from persistence.compaction import OFFLOAD_BYTES, compact
from persistence.errors import CorruptHistory
from persistence.update_log import UpdateLog
from rooms.worker_process import WorkerProcess
from tests.support.updates import array_updates


def _items(updates: list[bytes]) -> list[str]:
    return [str(x) for x in build_doc(updates).get("items", type=Array)]


class TestCompaction:
    async def test_compaction_keeps_everything(self, pool: Any, room: str) -> None:
        """After compaction the room loads to the same content from one snapshot."""
        log = UpdateLog(pool)
        updates = array_updates(300)
        await log.append([room] * len(updates), updates)
        result = await compact(pool, room)
        assert result is not None
        assert result.compacted == 300
        stored = await log.load(room)
        assert stored.snapshot is not None
        assert stored.updates == []
        assert _items(stored.all_updates()) == [f"u{i}" for i in range(300)]

    async def test_a_large_history_is_folded_in_the_worker_process(
        self, pool: Any, room: str
    ) -> None:
        """Past OFFLOAD_BYTES the work goes to the offload (the node's worker process: a real
        one here), and the snapshot is the same; a small history never starts the process."""
        log = UpdateLog(pool)
        small = array_updates(3, "s")
        await log.append([room] * 3, small)
        worker = WorkerProcess()
        calls: list[str] = []

        async def offload(fn: Callable[..., Any], *args: Any) -> Any:
            calls.append(fn.__name__)
            return await worker.run(fn, *args)

        try:
            assert await compact(pool, room, offload=offload) is not None
            assert calls == []
            big = array_updates(40, "b" * (OFFLOAD_BYTES // 40))
            await log.append([room] * len(big), big)
            result = await compact(pool, room, offload=offload)
            assert calls == ["_encode"]
        finally:
            worker.close()
        assert result is not None
        assert result.compacted == 40
        stored = await log.load(room)
        assert stored.updates == []
        assert len(_items(stored.all_updates())) == 43

    async def test_repeated_compaction_folds_new_updates(self, pool: Any, room: str) -> None:
        """A second compaction merges the new tail into the existing snapshot."""
        log = UpdateLog(pool)
        first = array_updates(10, "a")
        await log.append([room] * 10, first)
        await compact(pool, room)
        second = array_updates(5, "b")
        await log.append([room] * 5, second)
        await compact(pool, room)
        stored = await log.load(room)
        assert stored.updates == []
        assert sorted(_items(stored.all_updates())) == sorted(
            [f"a{i}" for i in range(10)] + [f"b{i}" for i in range(5)]
        )

    async def test_row_committed_during_compaction_survives(
        self, pool: Any, database_url: str, room: str
    ) -> None:
        """An update in flight while compaction runs is not deleted by it."""
        log = UpdateLog(pool)
        await log.append([room] * 5, array_updates(5, "old"))
        late = array_updates(1, "late")
        writer = await asyncpg.connect(database_url)
        try:
            transaction = writer.transaction()
            await transaction.start()
            await writer.execute(
                "INSERT INTO room_updates (room, payload) VALUES ($1, $2)", room, late[0]
            )
            result = await compact(pool, room)  # cannot see the uncommitted row
            assert result is not None
            assert result.compacted == 5
            await transaction.commit()
        finally:
            await writer.close()
        stored = await log.load(room)
        assert stored.updates == late
        assert sorted(_items(stored.all_updates())) == sorted(
            [f"old{i}" for i in range(5)] + ["late0"]
        )

    async def test_one_compactor_per_room(self, pool: Any, database_url: str, room: str) -> None:
        """While another node holds the room's compaction lock, compact() does nothing."""
        log = UpdateLog(pool)
        await log.append([room] * 3, array_updates(3))
        other = await asyncpg.connect(database_url)
        try:
            async with other.transaction():
                await other.execute(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2))", 0x44545432, room
                )
                assert await compact(pool, room) is None
        finally:
            await other.close()
        assert await log.count_updates(room) == 3

    async def test_corrupt_row_stops_compaction_and_deletes_nothing(
        self, pool: Any, room: str
    ) -> None:
        """A corrupt stored update raises CorruptHistory and leaves every row in place."""
        log = UpdateLog(pool)
        good = array_updates(4)
        await log.append([room] * 5, [*good, b"\x07garbage"])
        with pytest.raises(CorruptHistory, match="corrupt"):
            await compact(pool, room)
        assert await log.count_updates(room) == 5

    async def test_small_logs_can_be_left_alone(self, pool: Any, room: str) -> None:
        """With min_updates above the row count, compaction does nothing."""
        log = UpdateLog(pool)
        await log.append([room] * 2, array_updates(2))
        assert await compact(pool, room, min_updates=10) is None
        assert await log.count_updates(room) == 2


class TestArtifactIndex:
    async def test_compaction_indexes_artifacts_created_live(self, pool: Any) -> None:
        """A project's artifacts written by clients (not REST) are recorded in artifact_index,
        so item routes find them; rooms that are not projects index nothing."""
        project = uuid.uuid4()
        await pool.execute("INSERT INTO projects (id, name) VALUES ($1, 'Live')", project)
        doc: Doc[Any] = Doc()
        updates: list[bytes] = []
        doc.observe(lambda event: updates.append(event.update))
        now = datetime(2026, 1, 1, tzinfo=UTC)
        idea = create_item(
            doc,
            "ideas",
            KINDS["ideas"].create(text="Kiosk"),
            author_id=None,
            now=now,
            item_id=str(uuid.uuid4()),
        )
        log = UpdateLog(pool)
        await log.append([str(project)] * len(updates), updates)
        await log.append(["not-a-project"] * len(updates), updates)
        assert await compact(pool, str(project)) is not None
        assert await compact(pool, "not-a-project") is not None
        rows = await pool.fetch("SELECT item_id, project_id, kind FROM artifact_index")
        assert [tuple(r) for r in rows if r["project_id"] == project] == [
            (idea["id"], project, "ideas")
        ]
        assert await candidates(pool, "ideas", idea["id"]) == [project]
