"""Several real server processes sharing PostgreSQL and a real Redis: no lost edit."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as redis
from aiohttp.test_utils import TestServer
from pycrdt import Array, Doc, Text

from http_api.keys import DB, ROOMS
from http_api.settings import Settings
from tests.support.access import access_from_query, connect, start_node
from tests.support.nginx import nginx_binary, nginx_prefix
from tests.support.ports import free_port
from tests.support.process import ServerProcess
from tests.support.redis_server import RedisServer
from tests.support.timing import TIMEOUT, scaled
from tests.support.yclient import YClient

Spawn = Callable[..., Awaitable[ServerProcess]]
MakeSettings = Callable[..., Settings]
AiohttpServer = Callable[..., Awaitable[TestServer]]


def items(client: YClient) -> list[str]:
    return [str(x) for x in client.doc.get("items", type=Array)]


def add(name: str, rng: random.Random) -> Callable[[Doc[Any]], None]:
    """An edit: insert an item at a random place and some text."""

    def change(doc: Doc[Any]) -> None:
        array = doc.get("items", type=Array)
        array.insert(rng.randint(0, len(array)), name)
        text = doc.get("text", type=Text)
        text.insert(rng.randint(0, len(text)), f"<{name}>")

    return change


async def nodes(spawn: Spawn, redis: RedisServer, count: int) -> list[ServerProcess]:
    return [await spawn(REDIS_URL=redis.url) for _ in range(count)]


async def converge(clients: list[YClient], total: int) -> None:
    for client in clients:
        await client.wait_for(lambda c=client: len(items(c)) == total)  # type: ignore[misc]
    reference = (items(clients[0]), str(clients[0].doc.get("text", type=Text)))
    for client in clients[1:]:
        assert (items(client), str(client.doc.get("text", type=Text))) == reference


class TestMultiNode:
    async def test_clients_on_three_nodes_converge_and_see_each_other(
        self, spawn_server: Spawn, redis_server: RedisServer, room: str
    ) -> None:
        """Six clients spread over three nodes edit at random and converge; presence crosses."""
        servers = await nodes(spawn_server, redis_server, 3)
        clients = [await YClient.connect(servers[i % 3].ws_url, room) for i in range(6)]
        try:
            await asyncio.gather(*(c.wait_synced() for c in clients))
            for i, client in enumerate(clients):
                await client.set_awareness({"user": f"u{i}"})
            rng = random.Random(3)

            async def work(i: int, client: YClient) -> None:
                for step in range(20):
                    await client.edit(add(f"{i}-{step}", rng))

            await asyncio.gather(*(work(i, c) for i, c in enumerate(clients)))
            await converge(clients, 6 * 20)
            ids = {c.doc.client_id for c in clients}
            for client in clients:
                others = ids - {client.doc.client_id}
                await client.wait_for(lambda c=client, o=others: o <= set(c.peers()))  # type: ignore[misc]
            for client in clients:
                await client.wait_durable()
        finally:
            for client in clients:
                await client.close()

    async def test_late_node_serves_a_room_live_elsewhere(
        self, spawn_server: Spawn, redis_server: RedisServer, room: str
    ) -> None:
        """A node started after editing began gives its client the full current state."""
        (first,) = await nodes(spawn_server, redis_server, 1)
        async with await YClient.connect(first.ws_url, room) as a:
            await a.wait_synced()
            for i in range(30):
                await a.edit(add(f"a{i}", random.Random(i)))
            late = await spawn_server(REDIS_URL=redis_server.url)
            async with await YClient.connect(late.ws_url, room) as b:
                await b.wait_for(lambda: len(items(b)) == 30)
                await b.edit(add("from-late", random.Random(0)))
                await a.wait_for(lambda: len(items(a)) == 31)
                assert items(a) == items(b)

    async def test_redis_restart_in_the_middle_of_editing(
        self, spawn_server: Spawn, redis_server: RedisServer, room: str
    ) -> None:
        """Redis dies and comes back while clients on two nodes edit: all converge, none lost."""
        servers = await nodes(spawn_server, redis_server, 2)
        a = await YClient.connect(servers[0].ws_url, room)
        b = await YClient.connect(servers[1].ws_url, room)
        try:
            await asyncio.gather(a.wait_synced(), b.wait_synced())
            for i in range(10):
                await a.edit(add(f"a-before-{i}", random.Random(i)))
                await b.edit(add(f"b-before-{i}", random.Random(i)))
            await converge([a, b], 20)
            await redis_server.stop()
            # Edits while Redis is away reach storage but not the other node...
            for i in range(10):
                await a.edit(add(f"a-during-{i}", random.Random(i)))
                await b.edit(add(f"b-during-{i}", random.Random(i)))
            await asyncio.gather(a.wait_durable(), b.wait_durable())
            await redis_server.start()
            # ...until the nodes reconnect, notice the gap and resync.
            for server in servers:
                await server.wait_event("bus_reconnected")
            await converge([a, b], 40)
            for i in range(5):
                await a.edit(add(f"a-after-{i}", random.Random(i)))
            await converge([a, b], 45)
        finally:
            await a.close()
            await b.close()

    async def test_kill_9_of_a_node_loses_no_acknowledged_update(
        self, spawn_server: Spawn, redis_server: RedisServer, room: str
    ) -> None:
        """A node dies mid-editing; its clients reconnect to another node; nothing is lost."""
        doomed, survivor = await nodes(spawn_server, redis_server, 2)
        a = await YClient.connect(doomed.ws_url, room)
        b = await YClient.connect(survivor.ws_url, room)
        try:
            await asyncio.gather(a.wait_synced(), b.wait_synced())
            for i in range(25):
                await a.edit(add(f"a{i}", random.Random(i)))
                await b.edit(add(f"b{i}", random.Random(i)))
            await a.wait_durable()
            acknowledged = set(items(a))
            await doomed.kill()
            await a.wait_closed()
            # The provider reconnects elsewhere with its document and resyncs both ways.
            a2 = await YClient.connect(survivor.ws_url, room, doc=a.doc)
            await a2.wait_synced()
            await a2.edit(add("a-after", random.Random(1)))
            await converge([a2, b], 51)
            assert acknowledged <= set(items(b))
            await a2.close()
        finally:
            await a.close()
            await b.close()


class TestBehindNginx:
    async def test_clients_through_nginx_converge_with_direct_clients(
        self, spawn_server: Spawn, redis_server: RedisServer, tmp_path: Path, room: str
    ) -> None:
        """deploy/nginx.conf in front of two nodes: WebSockets upgrade, a room's clients are
        hashed to one node, and they converge with a client of the other node."""
        servers = await nodes(spawn_server, redis_server, 2)
        port = free_port()
        prefix = nginx_prefix(tmp_path, [f"127.0.0.1:{s.port}" for s in servers])
        conf = prefix / "nginx.conf"
        conf.write_text(conf.read_text().replace("listen 8080;", f"listen 127.0.0.1:{port};"))
        nginx = await asyncio.create_subprocess_exec(
            nginx_binary(), "-p", str(prefix), "-c", str(conf),
            "-g", f"daemon off; pid {prefix}/nginx.pid;",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await wait_for_port(port)
            via_nginx = f"ws://127.0.0.1:{port}/collab"
            behind = [await YClient.connect(via_nginx, room) for _ in range(3)]
            direct = [await YClient.connect(s.ws_url, room) for s in servers]
            clients = behind + direct
            await asyncio.gather(*(c.wait_synced() for c in clients))
            for i, client in enumerate(clients):
                await client.edit(add(f"c{i}", random.Random(i)))
            await converge(clients, len(clients))
            # Consistent hashing: the three nginx clients landed on one node, so that node has
            # one more connection than the other.
            counts = [await connections(s) for s in servers]
            assert sorted(counts) == [1, 4]
            for client in clients:
                await client.close()
        finally:
            nginx.terminate()
            await nginx.wait()


async def connections(server: ServerProcess) -> float:
    """The node's dttools_connections gauge."""
    async with aiohttp.ClientSession() as http, http.get(server.http_url + "/metrics") as r:
        for line in (await r.text()).splitlines():
            if line.startswith("dttools_connections "):
                return float(line.split()[1])
    raise AssertionError("no dttools_connections metric")


async def wait_for_port(port: int) -> None:
    """Wait until a child process we started accepts connections (no event exists for it)."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.02)
                continue
            writer.close()
            await writer.wait_closed()
            return


class TestBadEnvelopes:
    async def test_garbage_on_a_room_channel_is_dropped_and_counted(
        self, spawn_server: Spawn, redis_server: RedisServer, room: str
    ) -> None:
        """Bytes that are not an envelope, published on a room's channel, are dropped and
        counted; the room keeps working across nodes."""
        servers = await nodes(spawn_server, redis_server, 2)
        a = await YClient.connect(servers[0].ws_url, room)
        b = await YClient.connect(servers[1].ws_url, room)
        try:
            await asyncio.gather(a.wait_synced(), b.wait_synced())
            publisher = redis.Redis.from_url(redis_server.url)
            try:
                receivers = await publisher.publish(f"dttools:room:{room}", b"\xc1 not msgpack")
            finally:
                await publisher.aclose()
            assert receivers == 2
            for server in servers:
                await server.wait_event("bus_envelope_rejected")
            await a.edit(add("still-fine", random.Random(0)))
            await converge([a, b], 1)
        finally:
            await a.close()
            await b.close()


class TestServerSideAcrossNodes:
    async def test_revocation_on_one_node_closes_sockets_on_another_within_a_second(
        self,
        make_settings: MakeSettings,
        aiohttp_server: AiohttpServer,
        redis_server: RedisServer,
        room: str,
    ) -> None:
        """A user disabled on node A, which has none of their rooms open, loses every socket
        on node B (4403) within a second; other users' sockets stay."""
        a = await start_node(make_settings, aiohttp_server, redis_url=redis_server.url)
        b = await start_node(
            make_settings, aiohttp_server, access_from_query, redis_url=redis_server.url
        )
        first = await connect(b, room + "-x", user="u1", session="s1")
        second = await connect(b, room + "-y", user="u1", session="s2")
        other = await connect(b, room + "-x", user="u2", session="s3", ext="1")
        clients = [first, second, other]
        try:
            await asyncio.gather(*(c.wait_synced() for c in clients))
            # The envelope cannot ride a room channel of A's. (A may hold other rooms: a new
            # node resumes the running brainstorm sessions it finds in the shared database.)
            assert not [name for name in a.app[ROOMS].rooms if name.startswith(room)]
            assert a.app[ROOMS].revoke(user_id="u1", reason="account disabled") == 0
            async with asyncio.timeout(scaled(1.0)):
                await asyncio.gather(first.closed.wait(), second.closed.wait())
            for client in (first, second):
                assert (client.close_code, client.close_reason) == (4403, "account disabled")
            await other.edit(lambda doc: doc.get("items", type=Array).append("still here"))
            await other.wait_durable()
            assert other.close_code is None
        finally:
            for client in clients:
                await client.close()

    async def test_server_write_on_one_node_reaches_clients_on_another(
        self,
        make_settings: MakeSettings,
        aiohttp_server: AiohttpServer,
        spawn_server: Spawn,
        redis_server: RedisServer,
        room: str,
    ) -> None:
        """A server-side transaction on node A is stored when it returns and reaches a client
        of node B through the bus."""
        a = await start_node(make_settings, aiohttp_server, redis_url=redis_server.url)
        (b,) = await nodes(spawn_server, redis_server, 1)
        async with await YClient.connect(b.ws_url, room) as client:
            await client.wait_synced()

            def add_item(doc: Doc[Any]) -> int:
                array = doc.get("items", type=Array)
                array.append("from-rest")
                return len(array)

            assert await a.app[ROOMS].transact(room, add_item) == 1
            stored = await a.app[DB].fetchval(
                "SELECT count(*) FROM room_updates WHERE room = $1", room
            )
            assert stored == 1
            await client.wait_for(lambda: items(client) == ["from-rest"])
