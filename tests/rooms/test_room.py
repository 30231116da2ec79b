"""Room and RoomManager against a real PostgreSQL, with in-memory transports."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import pytest
from pycrdt import Array, Doc, Text

from collab.awareness import AwarenessEntry, encode_awareness_entries, parse_awareness
from collab.close import CloseCode
from collab.codec import decode, encode
from collab.limits import Limits
from collab.messages import AwarenessUpdate, SyncStep1, SyncStep2, Update
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.manager import RoomManager, RoomSettings
from rooms.room import Room, RoomState
from tests.rooms.conftest import Peer
from tests.support.updates import array_updates


def _manager(
    update_log: UpdateLog, committer: GroupCommitter, limits: Limits, **settings: Any
) -> RoomManager:
    return RoomManager(update_log, committer, limits, RoomSettings(**settings))


async def _authored(
    update_log: UpdateLog, committer: GroupCommitter, limits: Limits, room: str, items: int
) -> tuple[Room, Peer, list[bytes]]:
    """An open room, its author, and the updates by which the author appended ``items``."""
    opened = await _manager(update_log, committer, limits).open(room)
    author = Peer(limits)
    opened.join(author.conn)
    updates = array_updates(items, "x")
    for update in updates:
        opened.receive(author.conn, encode(Update(update)))
    return opened, author, updates


def _step2s(peer: Peer) -> list[bytes]:
    return [f for f in peer.transport.frames if f[:2] == b"\x00\x01"]


async def _joined(opened: Room, limits: Limits, count: int, state_vector: bytes) -> list[Peer]:
    """``count`` peers that joined with ``state_vector`` and got their step 2."""
    peers = [Peer(limits) for _ in range(count)]
    for peer in peers:
        opened.join(peer.conn)
        opened.receive(peer.conn, encode(SyncStep1(state_vector)))
    for peer in peers:
        await peer.until(lambda p=peer: len(_step2s(p)) == 1)
    return peers


class TestFanOut:
    async def test_slow_client_does_not_delay_others(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A stalled client is closed with 1013; the others receive every update meanwhile."""
        limits = Limits(outbox_frames=8)
        manager = _manager(update_log, committer, limits)
        opened = await manager.open(room)
        slow, fast, writer = Peer(limits), Peer(limits), Peer(limits)
        slow.transport.gate.clear()
        for peer in (slow, fast, writer):
            opened.join(peer.conn)
        for n, update in enumerate(array_updates(30, "x"), start=1):
            opened.receive(writer.conn, encode(Update(update)))
            await fast.until(lambda n=n: sum(isinstance(m, Update) for m in fast.messages()) == n)
        assert slow.conn.closed is not None
        assert slow.conn.closed.code is CloseCode.TRY_AGAIN_LATER
        slow.transport.gate.set()
        for peer in (slow, fast, writer):
            await peer.stop()

    async def test_a_broadcast_is_one_message_for_every_socket(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Every other socket is handed the same message, so the socket layer frames it once."""
        limits = Limits()
        manager = _manager(update_log, committer, limits)
        opened = await manager.open(room)
        writer, first, second = Peer(limits), Peer(limits), Peer(limits)
        for peer in (writer, first, second):
            opened.join(peer.conn)
        [update] = array_updates(1, "x")
        opened.receive(writer.conn, encode(Update(update)))
        relayed = [first.transport.outgoing[-1], second.transport.outgoing[-1]]
        assert relayed[0] is relayed[1]
        assert relayed[0].data == encode(Update(update))
        for peer in (writer, first, second):
            await peer.stop()

    async def test_joiners_share_one_encoding(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Joiners with empty documents receive the very same frame bytes, encoded once."""
        limits = Limits()
        opened, author, _ = await _authored(update_log, committer, limits, room, 50)
        joiners = await _joined(opened, limits, 3, b"\x00")
        step2 = [_step2s(p)[0] for p in joiners]
        assert step2[0] is step2[1] is step2[2]
        for peer in [author, *joiners]:
            await peer.stop()

    async def test_returning_clients_in_sync_share_one_reply(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Clients back from a blip with the room's state share one step 2 until it changes."""
        limits = Limits()
        opened, author, updates = await _authored(update_log, committer, limits, room, 20)
        state = opened.doc.get_state()
        returning = await _joined(opened, limits, 3, state)
        first, second, third = (_step2s(p)[0] for p in returning)
        assert first is second is third
        # The document changes: the next client with that state vector lacks the new update.
        extra = array_updates(1, "new")[0]  # another client's first item: applies on its own
        opened.receive(author.conn, encode(Update(extra)))
        (late,) = await _joined(opened, limits, 1, state)
        reply = decode(_step2s(late)[0])
        assert isinstance(reply, SyncStep2)
        assert reply.update != cast(SyncStep2, decode(first)).update
        caught_up: Doc[Any] = Doc()
        for update in [*updates, reply.update]:
            caught_up.apply_update(update)
        assert caught_up.get_state() == opened.doc.get_state()
        for peer in [author, *returning, late]:
            await peer.stop()

    async def test_large_document_is_sent_in_bounded_frames(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """A joiner of a large multi-author room gets several frames that rebuild the doc."""
        limits = Limits(sync_chunk_bytes=4096)
        manager = _manager(update_log, committer, limits)
        opened = await manager.open(room)
        author = Peer(limits)
        opened.join(author.conn)
        for n in range(12):
            doc: Doc[Any] = Doc()
            doc.get("text", type=Text).insert(0, f"<{n}>" + "y" * 1500)
            opened.receive(author.conn, encode(Update(doc.get_update())))
        joiner = Peer(limits)
        opened.join(joiner.conn)
        opened.receive(joiner.conn, encode(SyncStep1(b"\x00")))
        await joiner.until(lambda: any(isinstance(m, SyncStep2) for m in joiner.messages()))
        frames = [f for f in joiner.transport.frames if f[0] == 0 and f[1] in (1, 2)]
        assert len(frames) > 1
        assert max(len(f) for f in frames) < 4096 + 2000
        assert isinstance(decode(frames[-1]), SyncStep2)  # synced only after the last chunk
        rebuilt: Doc[Any] = Doc()
        for frame in frames:
            message = decode(frame)
            assert isinstance(message, (Update, SyncStep2))
            rebuilt.apply_update(message.update)
        assert str(rebuilt.get("text", type=Text)) == str(opened.doc.get("text", type=Text))
        for peer in (author, joiner):
            await peer.stop()


class TestAwarenessCoalescing:
    async def test_awareness_changes_are_coalesced(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Several presence updates within the window reach peers as one frame."""
        limits = Limits()
        manager = _manager(update_log, committer, limits, awareness_flush_ms=50)
        opened = await manager.open(room)
        peers = [Peer(limits) for _ in range(4)]
        for peer in peers:
            opened.join(peer.conn)
        for i, peer in enumerate(peers[:3]):
            entry = AwarenessEntry(100 + i, 1, f'{{"n":{i}}}')
            opened.receive(peer.conn, encode(AwarenessUpdate(encode_awareness_entries([entry]))))
        watcher = peers[3]
        await watcher.until(lambda: any(f[0] == 1 for f in watcher.transport.frames))
        awareness = [m for m in watcher.messages() if isinstance(m, AwarenessUpdate)]
        assert len(awareness) == 1
        assert {e.client_id for e in parse_awareness(awareness[0].payload)} == {100, 101, 102}
        for peer in peers:
            await peer.stop()

    async def test_a_room_where_many_move_flushes_less_often(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """250 cursors changed in one window: the next flush waits 250 ms (1,000 entries a
        second per connection at most); once few move again, the base interval returns."""
        limits = Limits()
        manager = _manager(update_log, committer, limits, awareness_flush_ms=20)
        opened = await manager.open(room)
        peers = [Peer(limits) for _ in range(251)]
        for peer in peers:
            opened.join(peer.conn)
        watcher = peers[-1]

        def move(i: int, clock: int) -> None:
            entry = AwarenessEntry(1000 + i, clock, f'{{"x":{clock}}}')
            opened.receive(
                peers[i].conn, encode(AwarenessUpdate(encode_awareness_entries([entry])))
            )

        def frames() -> int:
            return sum(1 for f in watcher.transport.frames if f[0] == 1)

        for i in range(250):
            move(i, 1)
        await watcher.until(lambda: frames() == 1)
        assert opened.awareness_delay_s == pytest.approx(0.25)
        loop = asyncio.get_running_loop()
        sent = loop.time()
        move(0, 2)
        await watcher.until(lambda: frames() == 2)
        assert loop.time() - sent >= 0.24  # held for the stretched interval, never less
        assert opened.awareness_delay_s == pytest.approx(0.02)  # one mover: the base again
        for peer in peers:
            await peer.stop()


class TestManager:
    async def test_corrupt_room_opens_in_error_state(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Corrupt stored history: joiners are closed with 4500, nothing is written."""
        good = array_updates(3, "x")
        await update_log.append([room] * 4, [*good, b"\x07\x07garbage"])
        manager = _manager(update_log, committer, Limits())
        broken = await manager.open(room)
        assert broken.state is RoomState.CORRUPT
        peer = Peer(Limits())
        broken.join(peer.conn)
        assert peer.conn.closed is not None
        assert peer.conn.closed.code is CloseCode.ROOM_CORRUPT
        await peer.until(lambda: peer.transport.closed is not None)
        assert await update_log.count_updates(room) == 4
        healthy = await manager.open(room + "-ok")
        assert healthy.state is RoomState.OPEN

    async def test_concurrent_opens_share_one_load(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Many joiners opening a cold room at once get the same Room object."""
        await update_log.append([room] * 5, array_updates(5, "x"))
        manager = _manager(update_log, committer, Limits())
        rooms = await asyncio.gather(*(manager.open(room) for _ in range(20)))
        assert all(r is rooms[0] for r in rooms)
        assert len(rooms[0].doc.get("items", type=Array)) == 5

    async def test_idle_room_is_evicted_after_flush(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """An empty room is evicted once idle for idle_timeout_s and fully flushed."""
        limits = Limits()
        manager = _manager(update_log, committer, limits, idle_timeout_s=30)
        opened = await manager.open(room)
        peer = Peer(limits)
        opened.join(peer.conn)
        opened.receive(peer.conn, encode(Update(array_updates(1, "x")[0])))
        opened.leave(peer.conn)
        manager.maintain(time.monotonic() + 10)
        assert room in manager.rooms  # not idle long enough
        await committer.flush()
        manager.maintain(time.monotonic() + 31)
        await manager.wait_compactions()
        manager.maintain(time.monotonic() + 31)
        assert room not in manager.rooms
        reopened = await manager.open(room)
        assert len(reopened.doc.get("items", type=Array)) == 1
        await peer.stop()

    async def test_busy_room_is_compacted(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Past compact_every_updates log rows, the room's log is folded into a snapshot."""
        limits = Limits()
        manager = _manager(update_log, committer, limits, compact_every_updates=10)
        opened = await manager.open(room)
        peer = Peer(limits)
        opened.join(peer.conn)
        for update in array_updates(12, "x"):
            opened.receive(peer.conn, encode(Update(update)))
        await committer.flush()
        manager.maintain(time.monotonic())
        await manager.wait_compactions()
        stored = await update_log.load(room)
        assert stored.snapshot is not None
        assert stored.updates == []
        await peer.stop()

    async def test_room_limit(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Past max_rooms, opening another room raises NodeFull."""
        from rooms.errors import NodeFull

        manager = _manager(update_log, committer, Limits(max_rooms=1))
        await manager.open(room)
        with pytest.raises(NodeFull, match="limit of 1 rooms"):
            await manager.open(room + "-2")


class TestScale:
    async def test_thousands_of_rooms_stay_isolated(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """2,000 open rooms on one node: each update reaches only its own room's peers."""
        limits = Limits()
        manager = _manager(update_log, committer, limits)
        names = [f"{room}-{i}" for i in range(2000)]
        opened = await asyncio.gather(*(manager.open(name) for name in names))
        peers = []
        for r in opened:
            pair = (Peer(limits), Peer(limits))
            for peer in pair:
                r.join(peer.conn)
            peers.append(pair)
        for i, (r, (author, _)) in enumerate(zip(opened, peers, strict=True)):
            doc: Doc[Any] = Doc()
            doc.get("items", type=Array).append(f"only-{i}")
            r.receive(author.conn, encode(Update(doc.get_update())))
        for i, (_, observer) in enumerate(peers):
            relayed = [m for m in observer.messages() if isinstance(m, Update)]
            assert len(relayed) == 1
            received: Doc[Any] = Doc()
            received.apply_update(relayed[0].update)
            assert list(received.get("items", type=Array)) == [f"only-{i}"]
        await committer.flush()
        assert len(manager.rooms) == 2000
        for pair in peers:
            for peer in pair:
                await peer.stop()
