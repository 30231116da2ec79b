"""A member's valid but hostile Yjs updates against a real node process.

Before the nesting limit, two of these updates killed the node with SIGSEGV (every room on it
dropped). The node here is a child process, so a crash fails the test instead of the suite.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from pycrdt import Array, Doc, Map

from collab.close import CloseCode
from collab.codec import encode
from collab.messages import Update
from tests.support.process import ServerProcess
from tests.support.yclient import YClient, append_item

Spawn = Callable[..., Awaitable[ServerProcess]]


def _deep_map_update(levels: int, client_id: int) -> bytes:
    doc: Doc[Any] = Doc(client_id=client_id)
    node: Map[Any] = doc.get("root", type=Map)
    with doc.transaction():
        node["first"] = "a harmless entry"
        for _ in range(levels):
            child: Map[Any] = Map()
            node["c"] = child
            node = child
    return doc.get_update()


def _delete_first_struct(client_id: int) -> bytes:
    """No structs; a delete set removing the client's clock 0 (the outer entry)."""
    return bytes([0, 1, client_id, 1, 0, 2])


def _deep_value_update() -> bytes:
    """One ContentAny in root array "r": [[[...null...]]] 100,000 deep."""
    deep = bytes([117, 1]) * 100_000 + bytes([126])
    return b"\x01\x01\x05\x00\x08\x01\x01r\x01" + deep + b"\x00"


def _appender(parent: Array[Any], child: Array[Any]) -> Callable[[Doc[Any]], None]:
    def change(_doc: Doc[Any]) -> None:
        parent.append(child)

    return change


async def _healthy(node: ServerProcess) -> None:
    async with aiohttp.ClientSession() as http, http.get(node.http_url + "/healthz") as reply:
        assert reply.status == 200
    assert node.proc is not None
    assert node.proc.returncode is None


class TestHostileMember:
    async def test_deep_nesting_then_delete_keeps_the_node_up(
        self, spawn_server: Spawn, room: str
    ) -> None:
        node = await spawn_server()
        async with await YClient.connect(node.ws_url, room + "-bystander") as bystander:
            await bystander.wait_synced()
            attacker = await YClient.connect(node.ws_url, room)
            await attacker.wait_synced()
            await attacker.send_raw(encode(Update(_deep_map_update(60_000, 9))))
            await attacker.send_raw(encode(Update(_delete_first_struct(9))))
            await attacker.wait_closed()
            assert attacker.close_code == CloseCode.NESTING_TOO_DEEP
            assert "deeper than 100 levels" in attacker.close_reason
            await _healthy(node)
            # other rooms go on, and the attacked room still loads and takes edits
            await bystander.edit(append_item("after the attack"))
            await bystander.wait_durable()
            async with await YClient.connect(node.ws_url, room) as member:
                await member.wait_synced()
                await member.edit(append_item("still editable"))
                await member.wait_durable()
                assert "root" not in member.doc.get_update().decode("latin-1")

    async def test_deep_value_keeps_the_node_up(self, spawn_server: Spawn, room: str) -> None:
        node = await spawn_server()
        attacker = await YClient.connect(node.ws_url, room)
        await attacker.wait_synced()
        await attacker.send_raw(encode(Update(_deep_value_update())))
        await attacker.wait_closed()
        assert attacker.close_code == CloseCode.NESTING_TOO_DEEP
        await _healthy(node)

    async def test_nesting_built_over_many_updates_is_refused(
        self, spawn_server: Spawn, room: str
    ) -> None:
        node = await spawn_server("--max-nesting-depth", "12")
        async with await YClient.connect(node.ws_url, room) as client:
            await client.wait_synced()
            parent: Array[Any] = client.doc.get("root", type=Array)
            for _ in range(20):
                child: Array[Any] = Array()
                await client.edit(_appender(parent, child))
                parent = child
                if client.closed.is_set():
                    break
            await client.wait_closed()
            assert client.close_code == CloseCode.NESTING_TOO_DEEP
        await _healthy(node)
