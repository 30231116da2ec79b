"""Durability across real process restarts, SIGTERM and kill -9 (invariant 1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from pycrdt import Array, Text

from collab.close import CloseCode
from tests.support.process import ServerProcess
from tests.support.yclient import YClient, append_item

Spawn = Callable[..., Awaitable[ServerProcess]]


async def query(database_url: str, sql: str, *args: object) -> Any:
    """One value from the database the servers write to."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


class TestRestart:
    async def test_restart_keeps_everything(self, spawn_server: Spawn, room: str) -> None:
        """After a clean restart, a new client receives every edit made before it."""
        node = await spawn_server()
        async with await YClient.connect(node.ws_url, room) as client:
            await client.wait_synced()
            for i in range(50):
                await client.edit(append_item(i))
            await client.edit(lambda d: d.get("text", type=Text).insert(0, "persisted"))
        assert await node.stop() == 0
        node = await spawn_server()
        async with await YClient.connect(node.ws_url, room) as reader:
            await reader.wait_synced()
            assert list(reader.doc.get("items", type=Array)) == [float(i) for i in range(50)]
            assert str(reader.doc.get("text", type=Text)) == "persisted"

    async def test_sigterm_flushes_then_says_going_away(
        self, spawn_server: Spawn, database_url: str, room: str
    ) -> None:
        """SIGTERM flushes pending updates, closes sockets with 1001, then compacts."""
        # A long commit window: updates are still queued when SIGTERM arrives.
        node = await spawn_server(DTTOOLS_COMMIT_DELAY_MS="2000")
        client = await YClient.connect(node.ws_url, room)
        await client.wait_synced()
        for i in range(20):
            await client.edit(append_item(i))
        # The server has the updates once a second client sees them.
        async with await YClient.connect(node.ws_url, room) as other:
            await other.wait_for(lambda: len(other.doc.get("items", type=Array)) == 20)
        assert client.saved == 0
        assert await node.stop() == 0
        await client.wait_closed()
        assert client.close_code == CloseCode.GOING_AWAY
        assert client.saved == 20  # the flush acknowledged them before the close frame
        snapshot_rows = await query(
            database_url, "SELECT updates_compacted FROM room_snapshots WHERE room = $1", room
        )
        assert snapshot_rows == 20  # compacted on the way out: the next load reads one snapshot
        node = await spawn_server()
        async with await YClient.connect(node.ws_url, room) as reader:
            await reader.wait_synced()
            assert len(reader.doc.get("items", type=Array)) == 20

    async def test_kill_9_loses_no_acknowledged_update(
        self, spawn_server: Spawn, database_url: str, room: str
    ) -> None:
        """Every update acknowledged as durable survives kill -9 of the server."""
        node = await spawn_server()
        client = await YClient.connect(node.ws_url, room)
        await client.wait_synced()
        for i in range(200):
            await client.edit(append_item(i))
        await client.wait_durable()
        acknowledged = client.saved
        assert acknowledged == 200
        await node.kill()
        await client.wait_closed()
        node = await spawn_server()
        async with await YClient.connect(node.ws_url, room) as reader:
            await reader.wait_synced()
            assert list(reader.doc.get("items", type=Array)) == [float(i) for i in range(200)]
        rows = await query(database_url, "SELECT count(*) FROM room_updates WHERE room = $1", room)
        assert rows >= acknowledged


class TestCompactionLive:
    async def test_compaction_while_editing_keeps_everything(
        self, spawn_server: Spawn, database_url: str, room: str
    ) -> None:
        """A node compacting a busy room loses nothing, across a restart."""
        node = await spawn_server(DTTOOLS_COMPACT_EVERY_UPDATES="25", DTTOOLS_LOG_LEVEL="info")
        async with await YClient.connect(node.ws_url, room) as client:
            await client.wait_synced()
            for i in range(120):
                await client.edit(append_item(i))
            await client.wait_durable()
            compacted = await node.wait_event("room_compacted")
            assert compacted["room"] == room
            for i in range(10):  # edits after the compaction land in the log tail
                await client.edit(append_item(f"after-{i}"))
            await client.wait_durable()
            expected = [str(x) for x in client.doc.get("items", type=Array)]
        assert await node.stop() == 0
        compacted_rows = await query(
            database_url, "SELECT updates_compacted FROM room_snapshots WHERE room = $1", room
        )
        assert compacted_rows >= 25
        node = await spawn_server()
        async with await YClient.connect(node.ws_url, room) as reader:
            await reader.wait_synced()
            assert [str(x) for x in reader.doc.get("items", type=Array)] == expected
