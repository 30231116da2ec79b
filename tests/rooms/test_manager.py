"""RoomManager on a real PostgreSQL (and, between nodes, a real Redis): slots, loads, stored
updates, envelopes from other nodes, resyncs, revocations from storage and shutdown.

Opening, eviction, compaction and the room limit are in test_room.py (TestManager), admission
in test_admission.py, revocations in test_revoke.py, server transactions in test_transact.py.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY
from pycrdt import Array

from collab.board_lock import BoardLock
from collab.close import Close, CloseCode
from collab.codec import encode
from collab.envelope import Envelope, EnvelopeKind, Revocation, pack_envelope
from collab.errors import DocumentTooLarge
from collab.limits import Limits
from collab.messages import Update
from persistence.compaction import OFFLOAD_BYTES
from persistence.errors import StorageError, StorageUnavailable
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.errors import NodeFull
from rooms.fair_share import FairShareExceeded, Share
from rooms.manager import RoomManager, RoomSettings
from rooms.redis_bus import RedisBus
from rooms.room import RoomState
from rooms.worker_process import WorkerProcess
from tests.rooms.conftest import Peer
from tests.support.postgres import until_lock_waiters
from tests.support.redis_server import RedisServer
from tests.support.timing import TIMEOUT
from tests.support.updates import array_updates


def _manager(
    update_log: UpdateLog, committer: GroupCommitter, limits: Limits | None = None, **settings: Any
) -> RoomManager:
    return RoomManager(update_log, committer, limits or Limits(), RoomSettings(**settings))


def _items(manager: RoomManager, room: str) -> list[str]:
    return [str(x) for x in manager.rooms[room].doc.get("items", type=Array)]


def _updates(peer: Peer) -> list[bytes]:
    return [m.update for m in peer.messages() if isinstance(m, Update)]


def _from_elsewhere(room: str, kind: EnvelopeKind, payload: bytes, seq: int = 1) -> Envelope:
    return Envelope("other-node", room, kind, seq, time.time(), payload)


@asynccontextmanager
async def node(
    redis_url: str, update_log: UpdateLog, committer: GroupCommitter, **settings: Any
) -> AsyncIterator[RoomManager]:
    """A RoomManager on a RedisBus, wired as http_api/app.py wires them; bus connected."""
    manager: RoomManager | None = None

    def on_envelope(envelope: Envelope) -> None:
        assert manager is not None
        manager.on_envelope(envelope)

    def on_gap(rooms: set[str]) -> None:
        assert manager is not None
        manager.on_gap(rooms)

    bus = RedisBus(redis_url, on_envelope, on_gap)
    manager = RoomManager(update_log, committer, Limits(), RoomSettings(**settings), bus=bus)
    task = asyncio.get_running_loop().create_task(bus.run())
    try:
        async with asyncio.timeout(TIMEOUT):
            await bus.connected.wait()
        yield manager
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


class TestSlots:
    async def test_until_connections_waits_for_enough_releases(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A shutdown waiting for the last socket returns after the last release, not before;
        a release with the socket's room also takes it out of the room."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        peer = Peer(Limits())
        for _ in range(2):
            manager.admit()
            manager.joined()
        opened.join(peer.conn)
        waiting = asyncio.get_running_loop().create_task(manager.until_connections(0))
        manager.release(None, None)
        await asyncio.sleep(0)  # one loop step: the waiter sees one slot still taken
        assert not waiting.done()
        held_since = opened.idle_since
        assert held_since is None
        manager.release(opened, peer.conn)
        async with asyncio.timeout(TIMEOUT):
            await waiting
        assert manager.connections == 0
        assert peer.conn not in opened.connections
        assert opened.idle_since is not None
        await peer.stop()


async def _blocked_read(conn: Any) -> int:
    """The backend of a room load waiting on a lock (polled: no event exists)."""
    await until_lock_waiters(conn, 1)
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    pid: int = await conn.fetchval(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE '%room_snapshots%'"
    )
    return pid


class TestLoading:
    async def test_a_failed_load_fails_every_joiner_and_the_next_open_loads_again(
        self, update_log: UpdateLog, committer: GroupCommitter, database_url: str, room: str
    ) -> None:
        """Three joiners share a load that PostgreSQL cancels: each gets StorageError, the
        room is not open, and once storage answers again the next open loads it."""
        await update_log.append([room] * 2, array_updates(2, "x"))
        manager = _manager(update_log, committer)
        locker = await asyncpg.connect(database_url)
        try:
            async with locker.transaction():
                await locker.execute("LOCK TABLE room_snapshots IN ACCESS EXCLUSIVE MODE")
                joiners = [
                    asyncio.get_running_loop().create_task(manager.open(room)) for _ in range(3)
                ]
                pid = await _blocked_read(locker)
                assert await locker.fetchval("SELECT pg_cancel_backend($1)", pid)
                outcomes = await asyncio.gather(*joiners, return_exceptions=True)
            assert [type(o) for o in outcomes] == [StorageError] * 3
            assert room not in manager.rooms
            async with asyncio.timeout(TIMEOUT):
                reopened = await manager.open(room)
        finally:
            await locker.close()
        assert reopened.state is RoomState.OPEN
        assert _items(manager, room) == ["x0", "x1"]

    def test_each_failure_to_open_maps_to_its_close_frame(
        self, update_log: UpdateLog, committer: GroupCommitter
    ) -> None:
        """Full node: 1013 with the delay; fair share: 4429; storage: 4503; anything else: 1011."""
        manager = _manager(update_log, committer)
        full = manager.room_for_error(NodeFull("node is full", retry_after_s=2.5))
        assert full == Close(CloseCode.TRY_AGAIN_LATER, "node is full: retry in 3 s")
        share = manager.room_for_error(
            FairShareExceeded(Share.LOADS_PER_USER, "too many rooms loading", 1.0)
        )
        assert share == Close(CloseCode.RATE_LIMITED, "too many rooms loading")
        storage = manager.room_for_error(StorageUnavailable(retry_after_s=5.0))
        assert storage.code is CloseCode.STORAGE_UNAVAILABLE
        assert manager.room_for_error(RuntimeError("bug")) == Close(
            CloseCode.INTERNAL_ERROR, "internal error"
        )


class TestStoredUpdates:
    async def test_check_growth_measures_the_stored_room_against_the_limit(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """The room is opened to learn its size; growing to the limit is allowed, past it not."""
        stored = array_updates(3, "x")
        await update_log.append([room] * 3, stored)
        size = sum(map(len, stored))
        manager = _manager(update_log, committer, Limits(max_document_bytes=size + 100))
        await manager.check_growth(room, 100)
        assert room in manager.rooms
        with pytest.raises(DocumentTooLarge):
            await manager.check_growth(room, 101)

    async def test_an_update_stored_by_the_caller_goes_live(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """apply_stored: the room's clients get the update and it counts toward compaction;
        a room opened by the call loads it from storage and holds it once."""
        first, second = array_updates(2, "x")
        await update_log.append([room], [first])
        manager = _manager(update_log, committer)
        await manager.apply_stored(room, first)  # not open: the load already has it
        assert _items(manager, room) == ["x0"]
        opened = manager.rooms[room]
        peer = Peer(Limits())
        opened.join(peer.conn)
        before = opened.updates_since_compaction
        await update_log.append([room], [second])
        await manager.apply_stored(room, second)
        assert _updates(peer) == [second]
        assert _items(manager, room) == ["x0", "x1"]
        assert opened.updates_since_compaction == before + 1
        await peer.stop()


class TestEnvelopes:
    async def test_updates_for_rooms_not_open_here_are_ignored(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Another node's update for a room this node does not have open opens nothing."""
        manager = _manager(update_log, committer)
        manager.on_envelope(_from_elsewhere(room, EnvelopeKind.UPDATE, array_updates(1)[0]))
        assert room not in manager.rooms

    async def test_an_update_ahead_of_the_room_is_read_back_from_storage(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Another node committed two updates and only the second reached us: it cannot apply
        alone, so the room re-reads its log and its clients get both."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        peer = Peer(Limits())
        opened.join(peer.conn)
        updates = array_updates(2, "y")
        await update_log.append([room] * 2, updates)
        manager.on_envelope(_from_elsewhere(room, EnvelopeKind.UPDATE, updates[1], seq=2))
        assert _items(manager, room) == []  # not applied: it depends on the first
        await peer.until(lambda: len(_items(manager, room)) == 2)
        assert _items(manager, room) == ["y0", "y1"]
        assert _updates(peer)
        await peer.stop()

    async def test_a_new_node_gets_edits_not_yet_stored_from_the_node_that_has_them(
        self,
        update_log: UpdateLog,
        committer: GroupCommitter,
        redis_server: RedisServer,
        room: str,
    ) -> None:
        """Node A holds an edit its storage has not committed yet; node B opens the room,
        finds the log without it, asks the other nodes, and A's reply brings it."""
        stalled = GroupCommitter(update_log)  # never started: A's edit stays uncommitted
        async with (
            node(redis_server.url, update_log, stalled) as a,
            node(redis_server.url, update_log, committer) as b,
        ):
            on_a = await a.open(room)
            writer = Peer(Limits())
            on_a.join(writer.conn)
            edit = array_updates(1, "pending")[0]
            on_a.receive(writer.conn, encode(Update(edit)))
            assert stalled.depth == 1
            assert await update_log.count_updates(room) == 0
            await b.open(room)
            reader = Peer(Limits())
            b.rooms[room].join(reader.conn)  # before any envelope can be handled
            await reader.until(lambda: _updates(reader) != [])
            assert _items(b, room) == ["pending0"]
            for peer in (writer, reader):
                await peer.stop()

    async def test_a_room_evicted_and_reopened_at_once_stays_subscribed(
        self,
        update_log: UpdateLog,
        committer: GroupCommitter,
        redis_server: RedisServer,
        room: str,
    ) -> None:
        """Eviction unsubscribes in the background; a reopen right after waits for that, so
        the new room is subscribed when it serves and hears the other nodes."""
        async with node(redis_server.url, update_log, committer, idle_timeout_s=1) as manager:
            await manager.open(room)
            manager.maintain(time.monotonic() + 2)
            assert room not in manager.rooms
            reopened = await manager.open(room)
            peer = Peer(Limits())
            reopened.join(peer.conn)
            update = array_updates(1, "z")[0]
            envelope = _from_elsewhere(room, EnvelopeKind.UPDATE, update)
            client = redis.Redis.from_url(redis_server.url)
            try:
                receivers = await client.publish(f"dttools:room:{room}", pack_envelope(envelope))
            finally:
                await client.aclose()
            assert receivers == 1
            await peer.until(lambda: _updates(peer) == [update])
            await peer.stop()


class TestBoardLocks:
    async def test_a_lock_read_from_storage_is_learned_once(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A node that missed the bus learns a lock from an access check; the same lock
        again changes nothing, a different one replaces it."""
        manager = _manager(update_log, committer)
        locked = BoardLock(room, True, frozenset({"facilitator"}))
        started = time.monotonic()
        manager.learn_board_lock(locked)
        assert manager.board_lock(room) == locked
        assert manager.board_lock_since(started, room, "participant") is True
        assert manager.board_lock_since(started, room, "facilitator") is False
        relearned = time.monotonic()
        manager.learn_board_lock(BoardLock(room, True, frozenset({"facilitator"})))
        assert manager.board_lock_since(relearned, room, "participant") is None  # known already
        manager.learn_board_lock(BoardLock(room, False))
        assert manager.board_lock_since(relearned, room, "participant") is False

    async def test_a_malformed_lock_from_another_node_is_dropped_and_counted(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        manager = _manager(update_log, committer)
        before = REGISTRY.get_sample_value("dttools_bus_dropped_total", {"reason": "malformed"})
        manager.on_envelope(_from_elsewhere("", EnvelopeKind.BOARD_LOCK, b"\xc1 not msgpack"))
        after = REGISTRY.get_sample_value("dttools_bus_dropped_total", {"reason": "malformed"})
        assert (after or 0.0) == (before or 0.0) + 1
        assert manager.board_lock(room) is None


class TestRevocationsFromStorage:
    async def test_each_stored_revocation_applies_once(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """learn() closes what a stored revocation selects; the same row read again, or one
        this node issued itself, closes nothing more."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        first = Peer(Limits(), user_id="u1", session_id="s1")
        second = Peer(Limits(), user_id="u2", session_id="s2")
        for peer in (first, second):
            opened.join(peer.conn)
        assert manager.learn(Revocation(user_id="u1", reason="removed", id=41)) == 1
        assert first.conn.closed == Close(CloseCode.FORBIDDEN, "removed")
        assert manager.learn(Revocation(user_id="u1", reason="removed", id=41)) == 0
        assert manager.revoke(session_id="s9", revocation_id=42) == 0
        assert manager.learn(Revocation(user_id="u2", session_id="s2", id=42)) == 0
        assert second.conn.closed is None
        for peer in (first, second):
            await peer.stop()


class TestShutdown:
    async def test_close_all_flushes_then_closes_then_compacts(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Every pending edit is stored before the sockets close with the given frame; the
        room's new rows are then folded into a snapshot, and the node takes nobody new."""
        manager = _manager(update_log, committer)
        opened = await manager.open(room)
        peer = Peer(Limits())
        manager.admit()
        opened.join(peer.conn)
        for update in array_updates(3, "s"):
            opened.receive(peer.conn, encode(Update(update)))
        bye = Close(CloseCode.GOING_AWAY, "server shutting down")
        await manager.close_all(bye, flush_timeout_s=TIMEOUT)
        assert peer.conn.closed == bye
        assert opened.state is RoomState.CLOSED
        stored = await update_log.load(room)
        assert stored.snapshot is not None
        assert stored.updates == []
        with pytest.raises(NodeFull, match="shutting down"):
            manager.admit()
        with pytest.raises(NodeFull, match="shutting down"):
            await manager.transact(room, lambda doc: None)
        await peer.stop()

    async def test_a_flush_that_does_not_finish_in_time_still_closes_every_socket(
        self, update_log: UpdateLog, room: str
    ) -> None:
        """Storage is not committing: past the flush budget the sockets close anyway, and no
        compaction starts on a log that lacks the pending edits."""
        stalled = GroupCommitter(update_log)  # never started
        manager = _manager(update_log, stalled)
        opened = await manager.open(room)
        peer = Peer(Limits())
        opened.join(peer.conn)
        opened.receive(peer.conn, encode(Update(array_updates(1, "p")[0])))
        assert stalled.depth == 1
        bye = Close(CloseCode.GOING_AWAY, "server shutting down")
        async with asyncio.timeout(TIMEOUT):
            await manager.close_all(bye, flush_timeout_s=0.05)
        assert peer.conn.closed == bye
        assert opened.state is RoomState.CLOSED
        stored = await update_log.load(room)
        assert (stored.snapshot, stored.updates) == (None, [])
        await peer.stop()


class TestWorkerProcess:
    async def test_a_room_growing_large_starts_the_worker_before_its_first_compaction(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Starting the worker takes a second of CPU: a maintenance pass starts it once a
        room holds half the history that goes to it, not when the rooms wait for a fold."""
        worker = WorkerProcess()
        manager = RoomManager(update_log, committer, Limits(), RoomSettings(), worker=worker)
        before = set(multiprocessing.active_children())
        try:
            await manager.open(room)
            manager.maintain(time.monotonic())
            assert set(multiprocessing.active_children()) == before  # an empty room: not yet

            def write(doc: Any) -> None:
                doc.get("items", type=Array).append("x" * (OFFLOAD_BYTES // 2))

            await manager.transact(room, write)
            manager.maintain(time.monotonic())
            assert len(set(multiprocessing.active_children()) - before) == 1
        finally:
            await manager.close_all(Close(CloseCode.GOING_AWAY, "test over"))
            worker.close()
