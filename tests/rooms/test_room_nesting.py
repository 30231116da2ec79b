"""Deep nesting never reaches a live room's doc: from a client, a viewer, a node or storage."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis.asyncio as redis
from pycrdt import Doc, Map, Text

from collab.close import CloseCode
from collab.codec import encode
from collab.envelope import Envelope, EnvelopeKind, pack_envelope
from collab.errors import NestingTooDeep
from collab.limits import Limits
from collab.messages import SyncStep2, Update
from collab.nesting import NestingIndex
from collab.stored import restore_doc
from http_api.keys import ROOMS
from persistence.compaction import compact
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.manager import RoomManager, RoomSettings
from rooms.room import Room, RoomState
from tests.conftest import StartServer
from tests.rooms.conftest import Peer
from tests.support.redis_server import RedisServer
from tests.support.yclient import YClient, append_item

LIMITS = Limits(max_nesting_depth=10)


def _chain(levels: int, client_id: int = 77) -> list[bytes]:
    """One update per level: Y.Map inside Y.Map under the root map "root" (level 1)."""
    doc: Doc[Any] = Doc(client_id=client_id)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    node: Map[Any] = doc.get("root", type=Map)
    for _ in range(levels - 1):
        child: Map[Any] = Map()
        node["c"] = child
        node = child
    return updates


def _deep(levels: int) -> bytes:
    """Y.Maps nested ``levels`` deep under the root map "root", in one transaction."""
    doc: Doc[Any] = Doc()
    node: Map[Any] = doc.get("root", type=Map)
    with doc.transaction():
        for _ in range(levels - 1):
            child: Map[Any] = Map()
            node["c"] = child
            node = child
    return doc.get_update()


def _in_one(updates: list[bytes]) -> bytes:
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc.get_update()


def _text_update(text: str) -> bytes:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    doc.get("notes", type=Text).insert(0, text)
    return updates[0]


async def _closed(peer: Peer) -> tuple[int, str]:
    await peer.until(lambda: peer.transport.closed is not None)
    assert peer.transport.closed is not None
    return peer.transport.closed


class TestClientUpdates:
    async def test_deep_update_closes_only_its_socket_and_changes_nothing(
        self, committer: GroupCommitter, update_log: UpdateLog, room: str
    ) -> None:
        live = Room(room, None, committer=committer, limits=LIMITS)
        attacker, bystander = Peer(LIMITS), Peer(LIMITS)
        live.join(attacker.conn)
        live.join(bystander.conn)
        live.receive(bystander.conn, encode(Update(_text_update("still here"))))
        before = live.doc.get_update()
        live.receive(attacker.conn, encode(SyncStep2(_in_one(_chain(30)))))
        code, reason = await _closed(attacker)
        assert code == CloseCode.NESTING_TOO_DEEP
        assert "deeper than 10 levels" in reason
        assert live.doc.get_update() == before
        assert bystander.transport.closed is None
        await committer.flush()
        stored = await update_log.load(room)
        assert len(stored.updates) == 1  # the bystander's edit only
        await bystander.stop()

    async def test_nesting_built_one_level_per_update_stops_at_the_limit(
        self, committer: GroupCommitter, room: str
    ) -> None:
        live = Room(room, None, committer=committer, limits=LIMITS)
        peer = Peer(LIMITS)
        live.join(peer.conn)
        for level, update in enumerate(_chain(15), start=2):
            live.receive(peer.conn, encode(Update(update)))
            if level > 10:
                break
            assert peer.conn.closed is None, f"refused at level {level}"
        code, _ = await _closed(peer)
        assert code == CloseCode.NESTING_TOO_DEEP
        # what was accepted can be deleted again: deleting the outer map is safe
        with live.doc.transaction():
            del live.doc.get("root", type=Map)["c"]

    async def test_update_that_would_wait_asks_the_client_to_resync(
        self, committer: GroupCommitter, room: str
    ) -> None:
        live = Room(room, None, committer=committer, limits=LIMITS)
        peer = Peer(LIMITS)
        live.join(peer.conn)
        live.receive(peer.conn, encode(Update(_chain(3)[1])))  # its parent never came
        code, reason = await _closed(peer)
        assert code == CloseCode.TRY_AGAIN_LATER
        assert reason.startswith("resync needed")
        assert live.nesting.pending == 0

    async def test_viewer_with_a_deep_value_is_closed_before_pycrdt_reads_it(
        self, committer: GroupCommitter, room: str
    ) -> None:
        live = Room(room, None, committer=committer, limits=LIMITS)
        viewer = Peer(LIMITS, read_only=True)
        live.join(viewer.conn)
        # one ContentAny in root array "r" holding [[[...]]] 100,000 deep (crashed yrs' decoder)
        deep = bytes([117, 1]) * 100_000 + bytes([126])
        update = b"\x01\x01\x05\x00\x08\x01\x01r\x01" + deep + b"\x00"
        live.receive(viewer.conn, encode(Update(update)))
        code, _ = await _closed(viewer)
        assert code == CloseCode.NESTING_TOO_DEEP


class TestOtherPaths:
    async def test_update_from_another_node_is_refused(
        self, committer: GroupCommitter, room: str
    ) -> None:
        live = Room(room, None, committer=committer, limits=LIMITS)
        assert not live.apply_remote(_in_one(_chain(30)))
        assert live.apply_remote(_in_one(_chain(5)))
        assert live.doc.get("root", type=Map)["c"] is not None

    async def test_server_write_too_deep_is_refused(
        self, committer: GroupCommitter, room: str
    ) -> None:
        live = Room(room, None, committer=committer, limits=LIMITS)
        with pytest.raises(NestingTooDeep):
            live.commit_server_update(_in_one(_chain(30)))
        assert committer.depth == 0  # nothing queued for storage

    async def test_deep_rows_in_storage_are_set_aside_and_kept(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        """Rows stored before the limit existed: the room opens without them, nothing lost."""
        good = _text_update("workshop notes")
        deep = _in_one(_chain(30))
        await update_log.append([room] * 2, [good, deep])
        manager = RoomManager(update_log, committer, LIMITS, RoomSettings())
        live = await manager.open(room)
        assert live.state is RoomState.OPEN
        assert str(live.doc.get("notes", type=Text)) == "workshop notes"
        assert "root" not in live.doc.get_update().decode("latin-1")
        # compaction folds the good row into the snapshot and keeps the deep one
        result = await compact(update_log.pool, room, max_depth=10)
        assert result is not None
        assert result.compacted == 1
        stored = await update_log.load(room)
        assert stored.updates == [deep]
        assert stored.nesting is not None
        again = restore_doc(stored.snapshot, stored.nesting, stored.updates, 10)
        assert str(again.doc.get("notes", type=Text)) == "workshop notes"
        assert list(again.set_aside) == [0]

    async def test_snapshot_index_is_used_at_load(
        self, update_log: UpdateLog, committer: GroupCommitter, room: str
    ) -> None:
        levels = _chain(12)
        await update_log.append([room] * 8, levels[:8])  # levels 2..9
        await compact(update_log.pool, room, max_depth=10)
        manager = RoomManager(update_log, committer, LIMITS, RoomSettings())
        live = await manager.open(room)
        peer = Peer(LIMITS)
        live.join(peer.conn)
        live.receive(peer.conn, encode(Update(levels[8])))  # level 10: allowed
        assert peer.conn.closed is None
        live.receive(peer.conn, encode(Update(levels[9])))  # level 11: refused
        code, _ = await _closed(peer)
        assert code == CloseCode.NESTING_TOO_DEEP

    def test_limits_default_is_far_above_the_schema(self) -> None:
        assert Limits().max_nesting_depth == NestingIndex().max_depth == 100


class TestFromRedis:
    async def test_deep_update_from_another_node_is_refused_and_the_node_goes_on(
        self, start_server: StartServer, redis_server: RedisServer, room: str
    ) -> None:
        """An UPDATE envelope nesting 60,000 levels (a node running older code, or a bug):
        not applied, not relayed, and the room still takes and relays edits."""
        server = await start_server(redis_url=redis_server.url)
        async with await YClient.connect(server.ws_url, room) as client:
            await client.wait_synced()
            deep = _deep(60_000)
            envelope = Envelope("rogue", room, EnvelopeKind.UPDATE, 1, time.time(), deep)
            publisher = redis.Redis.from_url(redis_server.url)
            try:
                assert await publisher.publish(f"dttools:room:{room}", pack_envelope(envelope))
            finally:
                await publisher.aclose()
            async with await YClient.connect(server.ws_url, room) as other:
                await other.wait_synced()
                await other.edit(append_item("after the envelope"))
                await client.wait_for(lambda: "after the envelope" in str(client.doc.get_update()))
            assert "root" not in client.doc.get_update().decode("latin-1")
            live = server.app[ROOMS].rooms[room]
            assert "root" not in live.doc.get_update().decode("latin-1")
