"""Server-side transactions and reads on live documents, against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pycrdt import Array, Doc, Text

from collab.close import CloseCode
from collab.codec import encode
from collab.errors import DocumentTooLarge
from collab.limits import Limits
from collab.messages import Update
from persistence.errors import CorruptHistory, StorageBusy, StorageError
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.errors import NodeFull, ViewChangedDocument
from rooms.manager import RoomManager, RoomSettings
from rooms.room import Room, RoomState
from rooms.turn_budget import TurnBudget
from tests.rooms.conftest import Peer
from tests.support.timing import TIMEOUT


def _manager(
    update_log: UpdateLog, committer: GroupCommitter, limits: Limits | None = None, **settings: Any
) -> RoomManager:
    return RoomManager(update_log, committer, limits or Limits(), RoomSettings(**settings))


def _stored_items(updates: list[bytes]) -> list[Any]:
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return list(doc.get("items", type=Array))


def _items(doc: Doc[Any]) -> list[Any]:
    return list(doc.get("items", type=Array))


def append(value: Any) -> Any:
    """A change that appends ``value`` to the items array and returns the new length."""

    def change(doc: Doc[Any]) -> int:
        items = doc.get("items", type=Array)
        items.append(value)
        return len(items)

    return change


def _loads() -> float:
    return REGISTRY.get_sample_value("dttools_room_load_seconds_count") or 0.0


def _idle(room: Room) -> bool:
    return room.idle_since is not None


def _updates_relayed(peer: Peer) -> list[bytes]:
    return [m.update for m in peer.messages() if isinstance(m, Update)]


class TestTransact:
    async def test_write_reaches_every_client_and_storage_before_returning(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """The update goes to every local client (none excluded) and is a stored row by the
        time transact returns change's result."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        peers = [Peer(Limits()), Peer(Limits())]
        for peer in peers:
            opened.join(peer.conn)
        result = await manager.transact(room, append("from-rest"))
        assert result == 1
        stored = await update_log.load(room)
        assert _stored_items(stored.updates) == ["from-rest"]
        for peer in peers:
            relayed = _updates_relayed(peer)
            assert len(relayed) == 1
            assert _stored_items(relayed) == ["from-rest"]
        assert _items(opened.doc) == ["from-rest"]
        assert opened.size_bytes == len(stored.updates[0])
        for peer in peers:
            await peer.stop()

    async def test_cold_room_is_loaded_with_its_stored_content(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A room no one has open is loaded from PostgreSQL; the change sees stored content."""
        seed: Doc[Any] = Doc()
        seed.get("items", type=Array).extend(["a", "b"])
        await update_log.append([room], [seed.get_update()])
        manager = _manager(update_log, committer)
        assert await manager.transact(room, append("c")) == 3
        assert _items(manager.rooms[room].doc) == ["a", "b", "c"]
        assert await update_log.count_updates(room) == 2

    async def test_concurrent_openers_share_one_load(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Transactions, reads and a joiner opening a cold room at once load it once."""
        manager = _manager(update_log, committer)
        before = _loads()
        results = await asyncio.gather(
            manager.transact(room, append(1)),
            manager.open(room),
            manager.read(room, lambda doc: "read"),
            manager.transact(room, append(2)),
        )
        assert _loads() == before + 1
        assert results[1] is manager.rooms[room]
        assert sorted(_items(manager.rooms[room].doc)) == [1, 2]

    async def test_concurrent_transactions_run_one_after_the_other(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Each of 20 concurrent writes sees the ones before it (lengths 1..20), and writes
        queued in the same turn of the loop are stored and relayed as one update."""
        manager = _manager(update_log, committer)
        manager.turns = TurnBudget(60.0)  # a budget no machine spends: one batch
        await manager.open(room)
        peer = Peer(Limits())
        manager.rooms[room].join(peer.conn)
        lengths = await asyncio.gather(*(manager.transact(room, append(i)) for i in range(20)))
        assert sorted(lengths) == list(range(1, 21))
        assert await update_log.count_updates(room) == 1
        stored = await update_log.load(room)
        assert sorted(_stored_items(stored.updates)) == list(range(20))
        assert len(_updates_relayed(peer)) == 1
        await peer.stop()

    async def test_a_batch_past_the_turns_budget_goes_on_in_the_next_turn(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Ten writes of 1 ms each queued together, a REST budget of 2 ms per turn: two run
        per turn (the sockets are served in between), in the order they came, and each
        turn's are stored and relayed as one update."""
        now = [100.0]
        manager = _manager(update_log, committer)
        manager.turns = TurnBudget(0.002, clock=lambda: now[0])
        await manager.open(room)
        peer = Peer(Limits())
        manager.rooms[room].join(peer.conn)

        def slow_append(value: int) -> Any:
            def change(doc: Doc[Any]) -> int:
                now[0] += 0.001
                return append(value)(doc)  # type: ignore[no-any-return]

            return change

        lengths = await asyncio.gather(*(manager.transact(room, slow_append(i)) for i in range(10)))
        assert lengths == list(range(1, 11))  # in order, each seeing the ones before
        assert await update_log.count_updates(room) == 5
        stored = await update_log.load(room)
        assert _stored_items(stored.updates) == list(range(10))
        assert len(_updates_relayed(peer)) == 5
        await peer.stop()

    async def test_a_change_refused_in_a_batch_leaves_the_others_written(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A change that fails before writing fails alone; the rest of its batch is stored."""
        manager = _manager(update_log, committer)
        await manager.open(room)

        def refuse(_doc: Doc[Any]) -> None:
            raise DocumentTooLarge(1, 0)

        results = await asyncio.gather(
            manager.transact(room, append("a")),
            manager.transact(room, refuse),
            manager.transact(room, append("b")),
            return_exceptions=True,
        )
        assert (results[0], results[2]) == (1, 2)
        assert isinstance(results[1], DocumentTooLarge)
        stored = await update_log.load(room)
        assert _stored_items(stored.updates) == ["a", "b"]

    async def test_a_change_cancelled_before_its_batch_runs_is_not_made(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        manager = _manager(update_log, committer)
        await manager.open(room)
        gone = asyncio.ensure_future(manager.transact(room, append("gone")))
        kept = asyncio.ensure_future(manager.transact(room, append("kept")))
        await asyncio.sleep(0)  # both queued: their tasks ran up to the wait
        gone.cancel()
        assert await kept == 1
        assert await manager.read(room, _items) == ["kept"]

    async def test_a_change_failing_after_writing_fails_its_whole_batch(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Yjs cannot roll back: the room is discarded, and no change of the batch stands."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)

        def write_then_fail(doc: Doc[Any]) -> None:
            doc.get("items", type=Array).append("half")
            raise RuntimeError("bug after writing")

        results = await asyncio.gather(
            manager.transact(room, append("a")),
            manager.transact(room, write_then_fail),
            manager.transact(room, append("c")),
            return_exceptions=True,
        )
        assert all(isinstance(r, RuntimeError) for r in results), results
        assert manager.rooms.get(room) is not opened
        await committer.flush()
        assert await update_log.count_updates(room) == 0
        assert await manager.read(room, _items) == []

    async def test_change_raising_before_writing_leaves_no_trace(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A change that validates and refuses leaves the doc, the clients and storage as
        they were, and the room stays open."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        await manager.transact(room, append("kept"))
        peer = Peer(Limits())
        opened.join(peer.conn)
        state = opened.doc.get_state()

        def refuse(doc: Doc[Any]) -> None:
            if len(doc.get("items", type=Array)) > 0:
                raise ValueError("title already taken")
            doc.get("items", type=Array).append("never")

        with pytest.raises(ValueError, match="title already taken"):
            await manager.transact(room, refuse)
        await committer.flush()
        assert await update_log.count_updates(room) == 1
        assert opened.doc.get_state() == state
        assert _updates_relayed(peer) == []
        assert peer.conn.closed is None
        assert manager.rooms[room] is opened
        await peer.stop()

    async def test_change_raising_after_writing_is_discarded_everywhere(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A change that writes and then fails breaks the contract: the room is dropped
        (clients reconnect with 1013) and reloaded without the change; nothing is stored."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        await manager.transact(room, append("kept"))
        peer = Peer(Limits())
        opened.join(peer.conn)

        def half_done(doc: Doc[Any]) -> None:
            doc.get("items", type=Array).append("half")
            raise RuntimeError("bug after writing")

        with pytest.raises(RuntimeError, match="bug after writing"):
            await manager.transact(room, half_done)
        assert opened.state is RoomState.CLOSED
        assert room not in manager.rooms
        assert peer.conn.closed is not None
        assert peer.conn.closed.code is CloseCode.TRY_AGAIN_LATER
        assert _updates_relayed(peer) == []
        reopened = await manager.open(room)
        assert _items(reopened.doc) == ["kept"]
        assert await update_log.count_updates(room) == 1
        await peer.stop()

    async def test_read_only_change_writes_nothing(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A change that only reads returns its result; no update, no row, no frame."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        peer = Peer(Limits())
        opened.join(peer.conn)
        frames = len(peer.transport.frames)
        assert await manager.transact(room, lambda doc: len(doc.get("items", type=Array))) == 0
        await committer.flush()
        assert await update_log.count_updates(room) == 0
        assert len(peer.transport.frames) == frames
        await peer.stop()

    async def test_corrupt_room_raises_a_storage_error_and_writes_nothing(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A room whose history is corrupt refuses reads and writes with CorruptHistory."""
        await update_log.append([room], [b"\x07\x07garbage"])
        manager = _manager(update_log, committer)
        called = []
        with pytest.raises(CorruptHistory) as raised:
            await manager.transact(room, lambda doc: called.append(1))
        assert isinstance(raised.value, StorageError)
        with pytest.raises(CorruptHistory):
            await manager.read(room, lambda doc: called.append(2))
        assert called == []
        await committer.flush()
        assert await update_log.count_updates(room) == 1

    async def test_full_document_refuses_before_running_the_change(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """At max_document_bytes, DocumentTooLarge is raised and the change never runs."""
        seed: Doc[Any] = Doc()
        seed.get("text", type=Text).insert(0, "x" * 50)
        await update_log.append([room], [seed.get_update()])  # stored before the limit shrank
        manager = _manager(update_log, committer, Limits(max_document_bytes=40))
        called = []
        with pytest.raises(DocumentTooLarge):
            await manager.transact(room, lambda doc: called.append(1))
        assert called == []

    async def test_update_over_the_size_limit_is_discarded(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A change whose update would pass max_document_bytes is refused and dropped."""
        manager = _manager(update_log, committer, Limits(max_document_bytes=200))
        await manager.transact(room, append("small"))
        opened = manager.rooms[room]
        with pytest.raises(DocumentTooLarge, match="exceed limit of 200"):
            await manager.transact(room, append("y" * 500))
        assert opened.state is RoomState.CLOSED
        await committer.flush()
        assert await update_log.count_updates(room) == 1
        assert await manager.read(room, _items) == ["small"]

    async def test_full_committer_refuses_with_storage_busy(
        self, update_log: UpdateLog, room: str
    ) -> None:
        """When max_pending updates wait for PostgreSQL, StorageBusy; the change never runs."""
        stalled = GroupCommitter(update_log, max_pending=1)  # not running: nothing commits
        manager = _manager(update_log, stalled)
        opened = await manager.open(room)
        stalled.submit(room, b"\x00\x00", None)
        called = []
        with pytest.raises(StorageBusy):
            await manager.transact(room, lambda doc: called.append(1))
        assert called == []
        assert manager.rooms[room] is opened

    async def test_room_is_held_until_the_write_is_durable(
        self, update_log: UpdateLog, room: str
    ) -> None:
        """While a transaction waits for its commit the room never idles, so no maintenance
        pass evicts it; once it returns, the room idles and is evicted as usual."""
        delayed = GroupCommitter(update_log, delay_ms=1)  # started below
        manager = _manager(update_log, delayed, idle_timeout_s=5)
        opened = await manager.open(room)
        assert _idle(opened)  # nobody in it
        listener = Peer(Limits())
        opened.join(listener.conn)
        write = asyncio.create_task(manager.transact(room, append("x")))
        await listener.until(lambda: len(_updates_relayed(listener)) == 1)
        opened.leave(listener.conn)
        assert not _idle(opened)  # held, although no client is left
        manager.maintain(time.monotonic() + 1000)
        assert manager.rooms[room] is opened
        assert not write.done()
        runner = asyncio.create_task(delayed.run())
        try:
            assert await asyncio.wait_for(write, TIMEOUT) == 1
            assert _idle(opened)
            manager.maintain(time.monotonic() + 1000)  # compacts the new row first
            await manager.wait_compactions()
            manager.maintain(time.monotonic() + 1000)
            assert room not in manager.rooms
        finally:
            runner.cancel()
            with suppress(asyncio.CancelledError):
                await runner
        await listener.stop()

    async def test_room_evicted_while_a_shared_load_finishes_is_reopened(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A transaction that joined a load resumes after the loader; if the room was evicted
        in between, it opens the room again and writes to the live one."""
        manager = _manager(update_log, committer, idle_timeout_s=0)
        first: list[Any] = []

        async def open_then_evict() -> None:
            first.append(await manager.open(room))
            manager.maintain(time.monotonic() + 1)  # the loader's caller evicts at once

        evicting = asyncio.create_task(open_then_evict())
        writing = asyncio.create_task(manager.transact(room, append("x")))
        await evicting
        assert await asyncio.wait_for(writing, TIMEOUT) == 1
        assert first[0].state is RoomState.CLOSED
        live = manager.rooms[room]
        assert live is not first[0]
        assert _items(live.doc) == ["x"]

    async def test_refused_while_shutting_down(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """After shutdown began, writes are refused (retry on another node)."""
        manager = _manager(update_log, committer)
        manager.accepting = False
        with pytest.raises(NodeFull, match="shutting down"):
            await manager.transact(room, append("late"))


class TestRead:
    async def test_read_sees_live_edits_not_yet_stored(
        self, update_log: UpdateLog, room: str
    ) -> None:
        """A read returns the live document, including a client's update still in flight."""
        stalled = GroupCommitter(update_log)  # not running: the client's update is not stored
        manager = _manager(update_log, stalled)
        opened = await manager.open(room)
        peer = Peer(Limits())
        opened.join(peer.conn)
        edit: Doc[Any] = Doc()
        edit.get("items", type=Array).append("typing")
        opened.receive(peer.conn, encode(Update(edit.get_update())))
        assert await manager.read(room, _items) == ["typing"]
        assert await update_log.count_updates(room) == 0
        await peer.stop()

    async def test_read_of_a_cold_room_loads_it_and_it_idles_out(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A read loads a cold room once; the room then idles and is evicted."""
        seed: Doc[Any] = Doc()
        seed.get("items", type=Array).append("stored")
        await update_log.append([room], [seed.get_update()])
        manager = _manager(update_log, committer, idle_timeout_s=30)
        before = _loads()
        assert await manager.read(room, _items) == ["stored"]
        assert await manager.read(room, lambda doc: len(_items(doc))) == 1
        assert _loads() == before + 1  # the second read used the open room
        assert room in manager.rooms
        manager.maintain(time.monotonic() + 31)
        await manager.wait_compactions()
        manager.maintain(time.monotonic() + 31)
        assert room not in manager.rooms

    async def test_view_that_writes_is_refused_and_discarded(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A view must not write: ViewChangedDocument, the change is dropped, nothing stored."""
        manager = _manager(update_log, committer)
        await manager.transact(room, append("kept"))
        with pytest.raises(ViewChangedDocument, match="use transact"):
            await manager.read(room, append("sneaky"))
        await committer.flush()
        assert await update_log.count_updates(room) == 1
        assert await manager.read(room, _items) == ["kept"]

    async def test_a_change_queued_before_its_room_is_discarded_is_refused(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A write queued for the next turn finds its room discarded by then (a read that
        wrote, here): StorageBusy, try again; the reloaded room has not got it."""
        manager = _manager(update_log, committer)
        await manager.transact(room, append("kept"))
        queued = asyncio.create_task(manager.transact(room, append("late")))
        await asyncio.sleep(0)  # the write is queued; its batch runs at the next turn
        with pytest.raises(ViewChangedDocument):
            await manager.read(room, append("sneaky"))
        with pytest.raises(StorageBusy, match="reloaded"):
            await queued
        await committer.flush()
        assert await manager.read(room, _items) == ["kept"]
