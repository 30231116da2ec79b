"""The /collab/{room} endpoint with real sockets, a real PostgreSQL and pycrdt clients."""

from __future__ import annotations

import asyncio
import gc
import random
import resource
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import parse_qsl

import aiohttp
import pytest
import uvloop
import websockets
from aiohttp.test_utils import make_mocked_request
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text
from structlog.testing import capture_logs

from collab.awareness import AwarenessEntry, encode_awareness_entries
from collab.close import CloseCode
from collab.codec import encode
from collab.messages import AwarenessUpdate, Saved, SyncStep1, Update
from http_api.keys import DB, ROOMS
from http_api.ws import query_value
from http_api.ws_direct import DirectWebSocketResponse
from http_api.ws_transport import WebSocketTransport, frame, writable_fd
from rooms.connection import Connection, Outgoing
from rooms.room import Room
from tests.conftest import RunningServer, StartServer
from tests.support.postgres import until_lock_waiters
from tests.support.timing import TIMEOUT
from tests.support.yclient import YClient, append_item

pytestmark = pytest.mark.shared_server


def items(doc: Doc[Any]) -> list[str]:
    return [str(x) for x in doc.get("items", type=Array)]


def has_items(client: YClient, count: int) -> Callable[[], bool]:
    return lambda: len(items(client.doc)) == count


def snapshot(doc: Doc[Any]) -> tuple[list[str], str, Any]:
    return items(doc), str(doc.get("text", type=Text)), doc.get("map", type=Map).to_py()


class TestSync:
    async def test_two_clients_see_each_others_edits(
        self, server: RunningServer, room: str
    ) -> None:
        """An edit by one client reaches the other client of the room."""
        async with (
            await YClient.connect(server.ws_url, room) as a,
            await YClient.connect(server.ws_url, room) as b,
        ):
            await asyncio.gather(a.wait_synced(), b.wait_synced())
            await a.edit(lambda d: d.get("text", type=Text).insert(0, "hello"))
            await b.wait_for(lambda: str(b.doc.get("text", type=Text)) == "hello")

    async def test_clients_converge_under_concurrent_random_edits(
        self, server: RunningServer, room: str
    ) -> None:
        """Five clients editing an array, a text and a map at random converge to one state."""
        clients = [await YClient.connect(server.ws_url, room) for _ in range(5)]
        try:
            await asyncio.gather(*(c.wait_synced() for c in clients))
            rng = random.Random(7)

            async def work(index: int, client: YClient) -> None:
                for step in range(30):

                    def change(doc: Doc[Any], step: int = step) -> None:
                        array = doc.get("items", type=Array)
                        array.insert(rng.randint(0, len(array)), f"{index}-{step}")
                        text = doc.get("text", type=Text)
                        text.insert(rng.randint(0, len(text)), f"[{index}.{step}]")
                        doc.get("map", type=Map)[f"k{rng.randint(0, 5)}"] = f"{index}-{step}"

                    await client.edit(change)
                    if rng.random() < 0.3:
                        await asyncio.sleep(0)  # interleave the clients

            await asyncio.gather(*(work(i, c) for i, c in enumerate(clients)))
            total = 5 * 30
            for client in clients:
                await client.wait_for(has_items(client, total))
            reference = snapshot(clients[0].doc)
            for client in clients[1:]:
                assert snapshot(client.doc) == reference
        finally:
            for client in clients:
                await client.close()

    async def test_late_joiner_receives_full_state(self, server: RunningServer, room: str) -> None:
        """A client joining after edits receives the whole document in its sync step 2."""
        async with await YClient.connect(server.ws_url, room) as a:
            await a.wait_synced()
            for i in range(20):
                await a.edit(append_item(f"x{i}"))
            await a.wait_durable()
            async with await YClient.connect(server.ws_url, room) as late:
                await late.wait_synced()
                assert items(late.doc) == [f"x{i}" for i in range(20)]

    async def test_rooms_are_isolated(self, server: RunningServer, room: str) -> None:
        """An edit in one room never reaches a client of another room."""
        async with (
            await YClient.connect(server.ws_url, room) as a,
            await YClient.connect(server.ws_url, room + "-other") as other,
            await YClient.connect(server.ws_url, room) as b,
        ):
            await asyncio.gather(a.wait_synced(), other.wait_synced(), b.wait_synced())
            await a.edit(lambda d: d.get("items", type=Array).append("only-here"))
            await b.wait_for(lambda: items(b.doc) == ["only-here"])
            await a.wait_durable()
            assert items(other.doc) == []
            assert not any(f[0] == 0 and f[1] == 2 for f in other.frames)

    async def test_saved_acknowledges_durable_updates(
        self, server: RunningServer, room: str
    ) -> None:
        """An opted-in client receives SAVED counts reaching the number of updates it sent."""
        async with await YClient.connect(server.ws_url, room) as a:
            await a.wait_synced()
            for i in range(10):
                await a.edit(append_item(i))
            await a.wait_durable()
            assert a.saved == 10
            pool = server.app[DB]
            stored = await pool.fetchval("SELECT count(*) FROM room_updates WHERE room = $1", room)
            assert stored == 10

    async def test_stock_clients_get_no_extension_messages(
        self, server: RunningServer, room: str
    ) -> None:
        """Without ?ext=1 the server never sends message types from the extension range."""
        async with (
            await YClient.connect(server.ws_url, room, ext=False) as a,
            await YClient.connect(server.ws_url, room, ext=True) as probe,
        ):
            await asyncio.gather(a.wait_synced(), probe.wait_synced())
            await a.edit(lambda d: d.get("items", type=Array).append(1))
            await probe.wait_for(lambda: items(probe.doc) == ["1.0"] or len(items(probe.doc)) == 1)
            # The probe's own edit is acknowledged to it; by then a's ack would have been sent.
            await probe.edit(lambda d: d.get("items", type=Array).append(2))
            await probe.wait_durable()
            await a.wait_for(lambda: len(items(a.doc)) == 2)
            assert all(frame[0] < 100 for frame in a.frames)


class TestAwareness:
    async def test_awareness_is_relayed_and_removed_on_leave(
        self, server: RunningServer, room: str
    ) -> None:
        """Presence reaches other clients; when a client leaves, its state is removed at once."""
        async with await YClient.connect(server.ws_url, room) as watcher:
            leaver = await YClient.connect(server.ws_url, room)
            await asyncio.gather(watcher.wait_synced(), leaver.wait_synced())
            await leaver.set_awareness({"user": {"name": "Ana"}})
            leaver_id = leaver.doc.client_id
            await watcher.wait_for(lambda: leaver_id in watcher.peers())
            assert watcher.peers()[leaver_id] == {"user": {"name": "Ana"}}
            await leaver.close()
            await watcher.wait_for(lambda: leaver_id in watcher.removed_clients)
            assert leaver_id not in watcher.peers()

    async def test_joiner_receives_existing_awareness(
        self, server: RunningServer, room: str
    ) -> None:
        """A joiner receives the states of clients already present, and query-awareness works."""
        async with await YClient.connect(server.ws_url, room) as a:
            await a.wait_synced()
            await a.set_awareness({"user": "a"})
            async with await YClient.connect(server.ws_url, room) as b:
                await b.wait_for(lambda: a.doc.client_id in b.peers())
                b.awareness.clear()
                await b.query_awareness()
                await b.wait_for(lambda: a.doc.client_id in b.peers())


class TestBadInput:
    async def _expect_close(
        self, server: RunningServer, room: str, frame: bytes | str, code: int
    ) -> YClient:
        bystander = await YClient.connect(server.ws_url, room)
        client = await YClient.connect(server.ws_url, room)
        await asyncio.gather(client.wait_synced(), bystander.wait_synced())
        await bystander.edit(lambda d: d.get("items", type=Array).append("kept"))
        await bystander.wait_durable()
        await client.send_raw(frame)
        await client.wait_closed()
        assert client.close_code == code, client.close_reason
        assert client.close_reason
        # The room is undisturbed: the bystander still edits, and a newcomer sees everything.
        await bystander.edit(lambda d: d.get("items", type=Array).append("after"))
        await bystander.wait_durable()
        async with await YClient.connect(server.ws_url, room) as newcomer:
            await newcomer.wait_synced()
            assert items(newcomer.doc) == ["kept", "after"]
        await bystander.close()
        return client

    async def test_a_bug_while_handling_a_frame_closes_only_that_socket(
        self, server: RunningServer, room: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An unexpected exception in the room's handling closes the sender with 1011.

        Frames are handled inside aiohttp's data_received (http_api/ws_direct.py), where an
        escaping exception would be aiohttp's problem; the adapter contains it instead.
        """
        original = Room.receive

        def receive(self: Room, conn: Connection, frame: bytes) -> None:
            if frame == b"\x00\x02\x01\x00":  # only this client's marker frame trips the bug
                raise RuntimeError("a bug")
            original(self, conn, frame)

        monkeypatch.setattr(Room, "receive", receive)
        with capture_logs() as logs:
            client = await self._expect_close(
                server, room, b"\x00\x02\x01\x00", CloseCode.INTERNAL_ERROR
            )
        assert client.close_reason == "internal error"
        assert any(e["event"] == "receive_failed" for e in logs)

    async def test_truncated_frame_closes_only_that_socket(
        self, server: RunningServer, room: str
    ) -> None:
        """A truncated varint closes the sender with 1007 and a reason."""
        client = await self._expect_close(server, room, b"\x00\x02\xff", CloseCode.INVALID_PAYLOAD)
        assert "length" in client.close_reason or "truncated" in client.close_reason

    async def test_unknown_message_type_is_a_protocol_error(
        self, server: RunningServer, room: str
    ) -> None:
        """An unknown message type closes with 1002."""
        await self._expect_close(server, room, b"\x09\x00", CloseCode.PROTOCOL_ERROR)

    async def test_garbage_update_is_refused(self, server: RunningServer, room: str) -> None:
        """A well-framed update whose bytes are not a Yjs update closes with 1007."""
        await self._expect_close(
            server, room, encode(Update(b"\x05\xff\xff\xff")), CloseCode.INVALID_PAYLOAD
        )

    async def test_text_frame_is_refused(self, server: RunningServer, room: str) -> None:
        """y-websocket is binary: a text frame closes with 1003."""
        await self._expect_close(server, room, "hello", CloseCode.UNSUPPORTED_DATA)

    async def test_client_cannot_send_server_messages(
        self, server: RunningServer, room: str
    ) -> None:
        """A SAVED message from a client is a protocol error."""
        await self._expect_close(server, room, encode(Saved(3)), CloseCode.PROTOCOL_ERROR)

    async def test_bad_state_vector_is_refused(self, server: RunningServer, room: str) -> None:
        """A sync step 1 whose state vector cannot be decoded closes with 1007."""
        await self._expect_close(
            server, room, encode(SyncStep1(b"\x03\xff")), CloseCode.INVALID_PAYLOAD
        )

    async def test_oversized_frame_closes_with_1009(
        self, start_server: StartServer, room: str
    ) -> None:
        """A frame over max_frame_bytes closes that socket with 1009 (message too big)."""
        server = await start_server(max_frame_bytes=4096)
        client = await self._expect_close(
            server, room, encode(Update(b"\x00" * 6_000)), CloseCode.MESSAGE_TOO_BIG
        )
        assert "exceeds limit of 4096" in client.close_reason

    async def test_huge_frame_is_cut_before_buffering(
        self, start_server: StartServer, room: str
    ) -> None:
        """A frame over twice the limit is refused by the transport itself, also with 1009."""
        server = await start_server(max_frame_bytes=4096)
        async with await YClient.connect(server.ws_url, room) as client:
            await client.wait_synced()
            await client.send_raw(encode(Update(b"\x00" * 20_000)))
            await client.wait_closed()
            assert client.close_code == CloseCode.MESSAGE_TOO_BIG

    async def test_update_rate_limit(self, start_server: StartServer, room: str) -> None:
        """A client sending updates faster than allowed is closed with 4429."""
        server = await start_server(updates_per_s=1.0, updates_burst=5)
        async with await YClient.connect(server.ws_url, room) as client:
            await client.wait_synced()
            for i in range(20):
                if client.closed.is_set():
                    break
                await client.edit(append_item(i))
            await client.wait_closed()
            assert client.close_code == CloseCode.RATE_LIMITED

    async def test_document_size_limit(self, start_server: StartServer, room: str) -> None:
        """An update that would grow the document past its limit is refused with 4413."""
        server = await start_server(max_document_bytes=2000)
        async with await YClient.connect(server.ws_url, room) as client:
            await client.wait_synced()
            await client.edit(lambda d: d.get("text", type=Text).insert(0, "small"))
            await client.wait_durable()
            await client.edit(lambda d: d.get("text", type=Text).insert(0, "x" * 5000))
            await client.wait_closed()
            assert client.close_code == CloseCode.DOCUMENT_TOO_LARGE
        async with await YClient.connect(server.ws_url, room) as again:
            await again.wait_synced()
            assert str(again.doc.get("text", type=Text)) == "small"

    async def test_invalid_room_name_is_a_problem(self, server: RunningServer) -> None:
        """A room name outside the allowed alphabet gets a 400 problem+json before upgrade."""
        async with aiohttp.ClientSession() as http:
            response = await http.get(server.http_url + "/collab/bad%20name!")
            assert response.status == 400
            assert response.content_type == "application/problem+json"
            body = await response.json()
            assert body["type"].endswith("/invalid-request")
            assert "room name" in body["detail"]

    async def test_connection_limit(self, start_server: StartServer, room: str) -> None:
        """Past max_connections, the upgrade itself is refused: 503, Retry-After, problem+json."""
        server = await start_server(max_connections=1)
        async with await YClient.connect(server.ws_url, room) as first:
            await first.wait_synced()
            status, headers, body = await _refused_upgrade(server, room)
            assert status == 503
            assert 5 <= int(headers["Retry-After"]) <= 10  # 5 s spread up to twice that
            assert body["type"].endswith("/node-full")
            assert "limit of 1 connections" in body["detail"]

    async def test_connection_cap_fits_the_open_files_limit(
        self, start_server: StartServer
    ) -> None:
        """A cap above what the process may open is lowered, so the node answers 503 instead
        of failing accept() with no answer."""
        server = await start_server(max_connections=10**9)
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert server.app[ROOMS].limits.max_connections <= soft - 256

    async def test_joining_backlog_is_refused_early(
        self, start_server: StartServer, room: str
    ) -> None:
        """While max_joining sockets wait for their rooms, the next upgrade gets 503 at once;
        the waiting ones join when storage answers, and the slot is free again after."""
        server = await start_server(max_joining=1)
        async with server.app[DB].acquire() as blocker:
            async with blocker.transaction():
                await blocker.execute("LOCK TABLE room_snapshots IN ACCESS EXCLUSIVE MODE")
                waiting = asyncio.create_task(YClient.connect(server.ws_url, room))
                await until_lock_waiters(blocker, 1)
                status, headers, body = await _refused_upgrade(server, f"{room}-other")
                assert status == 503
                assert 1 <= int(headers["Retry-After"]) <= 2
                assert "joining" in body["detail"]
            async with await waiting as first:
                await first.wait_synced()
                async with await YClient.connect(server.ws_url, f"{room}-other") as second:
                    await second.wait_synced()

    async def test_shutdown_refuses_upgrades_with_retry_after(
        self, start_server: StartServer, room: str
    ) -> None:
        """A node that is shutting down sends new clients elsewhere, with a short delay."""
        server = await start_server()
        server.app[ROOMS].accepting = False
        status, headers, body = await _refused_upgrade(server, room)
        assert status == 503
        assert 1 <= int(headers["Retry-After"]) <= 2
        assert "shutting down" in body["detail"]

    async def test_a_plain_get_is_answered_with_problem_json(
        self, server: RunningServer, room: str
    ) -> None:
        """Without upgrade headers the route says what is wrong, as every other route does."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{server.ws_url.replace('ws:', 'http:')}/{room}") as plain,
        ):
            assert plain.status == 400
            assert plain.content_type == "application/problem+json"
            assert (await plain.json())["status"] == 400
        assert server.app[ROOMS].connections == 0  # the slot went back

    async def test_room_limit_close_reason_says_when_to_retry(
        self, start_server: StartServer, room: str
    ) -> None:
        """Refused after the upgrade (here: max_rooms), the close reason carries the delay."""
        server = await start_server(max_rooms=1)
        async with await YClient.connect(server.ws_url, room) as first:
            await first.wait_synced()
            second = await YClient.connect(server.ws_url, f"{room}-2")
            await second.wait_closed()
            assert second.close_code == CloseCode.TRY_AGAIN_LATER
            reason = second.close_reason
            assert reason.startswith("node is at its limit of 1 rooms: retry in ")
            assert 5 <= int(reason.rsplit(" ", 2)[1]) <= 10


async def _refused_upgrade(server: RunningServer, room: str) -> tuple[int, Any, Any]:
    """Try to open a WebSocket that should be refused before the upgrade; its answer."""
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{server.ws_url}/{room}")
        async with http.get(f"{server.ws_url.replace('ws:', 'http:')}/{room}") as plain:
            # The same refusal to a plain GET shows the body a client can read.
            body = await plain.json(content_type=None)
    return refused.value.status, refused.value.headers, body


class TestLargeFrames:
    async def test_joiner_receives_documents_needing_16_and_64_bit_frame_lengths(
        self, server: RunningServer, room: str
    ) -> None:
        """Frames of every WebSocket length encoding reach a joiner intact."""
        sizes = {"small": 10, "medium": 1_000, "large": 200_000}
        async with await YClient.connect(server.ws_url, room) as author:
            await author.wait_synced()
            for name, size in sizes.items():
                await author.edit(lambda d, n=name, s=size: d.get(n, type=Text).insert(0, "z" * s))  # type: ignore[misc]
            await author.wait_durable()
            async with await YClient.connect(server.ws_url, room) as joiner:
                await joiner.wait_synced()
                for name, size in sizes.items():
                    assert len(str(joiner.doc.get(name, type=Text))) == size


class TestSlowClient:
    async def test_a_client_that_stops_reading_is_closed_and_delays_no_one(
        self, start_server: StartServer, room: str
    ) -> None:
        """A socket that stops reading fills its outbox and is closed with 1013 (counted);
        the other client of the room still receives every update."""
        server = await start_server(outbox_frames=8)
        closed_before = await slow_closures(server)
        # max_queue=1: once one frame waits unread, this client stops reading from TCP, so the
        # kernel buffers, then the server's transport buffer, then the outbox fill up.
        stalled = await websockets.connect(
            f"{server.ws_url}/{room}", max_queue=1, max_size=None, close_timeout=0.1
        )
        async with (
            await YClient.connect(server.ws_url, room) as author,
            await YClient.connect(server.ws_url, room) as reader,
        ):
            await asyncio.gather(author.wait_synced(), reader.wait_synced())
            for i in range(900):
                await author.edit(
                    lambda d, i=i: d.get("text", type=Text).insert(0, f"{i:04}" + "p" * 16000)  # type: ignore[misc]
                )
            await reader.wait_for(lambda: sum(f[:2] == b"\x00\x02" for f in reader.frames) == 900)
            assert len(str(reader.doc.get("text", type=Text))) == 900 * 16004
            assert await slow_closures(server) == closed_before + 1
        await stalled.close()


async def slow_closures(server: RunningServer) -> float:
    """The server's count of connections closed with 1013."""
    async with aiohttp.ClientSession() as http, http.get(server.http_url + "/metrics") as r:
        for line in (await r.text()).splitlines():
            if line.startswith('dttools_connections_closed_total{code="1013"}'):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


class TestCorruptRoom:
    async def test_corrupt_room_closes_with_4500_and_others_work(
        self, server: RunningServer, room: str
    ) -> None:
        """A room with an undecodable stored row refuses clients with 4500 and writes nothing;
        another room on the same node works normally."""
        pool = server.app[DB]
        await pool.execute(
            "INSERT INTO room_updates (room, payload) VALUES ($1, $2)", room, b"\x07\x07junk"
        )
        client = await YClient.connect(server.ws_url, room)
        await client.wait_closed()
        assert client.close_code == CloseCode.ROOM_CORRUPT
        assert "corrupt" in client.close_reason
        rows = await pool.fetchval("SELECT count(*) FROM room_updates WHERE room = $1", room)
        assert rows == 1
        async with await YClient.connect(server.ws_url, room + "-healthy") as healthy:
            await healthy.wait_synced()
            await healthy.edit(append_item("fine"))
            await healthy.wait_durable()


class TestGarbage:
    async def test_connections_leave_no_reference_cycles(
        self, server: RunningServer, room: str
    ) -> None:
        """Sockets closed by the client, cut without a close, and closed by the server are
        freed by reference counting: nothing of theirs waits for the cycle collector (a full
        collection in a reconnect storm stalls the node)."""
        manager = server.app[ROOMS]
        gc.collect()
        clients = [await YClient.connect(server.ws_url, room) for _ in range(6)]
        for client in clients:
            await client.wait_synced()
        await clients[0].close()  # clean close
        clients[1].ws.transport.abort()  # vanished without a close
        await clients[2].ws.send("text frames are refused")  # closed by the server
        await clients[2].wait_closed()
        for client in clients[3:]:
            await client.close()
        async with asyncio.timeout(TIMEOUT):
            await manager.until_connections(0)  # handlers end just after their sockets
        for client in clients[1:3]:
            await client.close()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            ours = {
                type(o).__name__
                for o in gc.garbage
                if type(o).__module__.startswith(("http_api", "rooms", "aiohttp.web"))
            }
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert ours == set()


class TestKeepalive:
    async def test_server_pings_and_drops_a_silent_peer(
        self, start_server: StartServer, room: str
    ) -> None:
        """The server pings every heartbeat_s; a peer that never answers is disconnected and
        its awareness state is removed for the others."""
        # aiohttp expects a pong within heartbeat_s / 2: leave the live watcher ample time.
        server = await start_server(heartbeat_s=1.0)
        async with await YClient.connect(server.ws_url, room) as watcher:
            await watcher.wait_synced()
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(f"{server.ws_url}/{room}", autoping=False) as silent,
            ):
                await silent.send_bytes(
                    encode(AwarenessUpdate(encode_awareness_entries([AwarenessEntry(77, 1, "{}")])))
                )
                await watcher.wait_for(lambda: 77 in watcher.awareness)
                kinds = []
                async with asyncio.timeout(TIMEOUT):
                    async for message in silent:  # never answers the pings
                        kinds.append(message.type)
                assert aiohttp.WSMsgType.PING in kinds
            await watcher.wait_for(lambda: 77 in watcher.removed_clients)


# --- WebSocketTransport.write_now on real sockets, on both event loops ----------------------

LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


def wire(data: bytes) -> bytes:
    """An unmasked binary WebSocket frame, built here independently of http_api.ws_transport."""
    n = len(data)
    if n < 126:
        return bytes((0x82, n)) + data
    if n < 65536:
        return bytes((0x82, 126)) + n.to_bytes(2, "big") + data
    return bytes((0x82, 127)) + n.to_bytes(8, "big") + data


class Sink(asyncio.Protocol):
    """The server side of a test socket: keeps its transport and its flow-control state."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.connected = asyncio.Event()
        self.writable = asyncio.Event()
        self.writable.set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass of it
        self.connected.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()


@asynccontextmanager
async def socket_pair(
    ssl_server: ssl.SSLContext | None = None, ssl_client: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[Sink, asyncio.Transport, asyncio.StreamReader]]:
    """A server transport on 127.0.0.1 and a client stream connected to it (closed after)."""
    loop = asyncio.get_running_loop()
    sink = Sink()
    server = await loop.create_server(lambda: sink, "127.0.0.1", 0, ssl=ssl_server)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl_client)
    try:
        await sink.connected.wait()
        assert sink.transport is not None
        yield sink, sink.transport, reader
    finally:
        if sink.transport is not None:
            sink.transport.abort()
        writer.transport.abort()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("loop_name", LOOPS)
class TestWriteNow:
    def run(self, loop_name: str, scenario: Callable[[], Any]) -> None:
        with asyncio.Runner(loop_factory=LOOPS[loop_name]) as runner:
            runner.run(asyncio.wait_for(scenario(), TIMEOUT))

    def test_frames_keep_their_order_when_the_kernel_takes_part_of_one(
        self, loop_name: str
    ) -> None:
        """A frame too big for the socket is split between os.write and the transport; the
        frames after it go through the transport while it holds bytes, then direct again."""
        big, middle, last = b"a" * (8 << 20), b"middle", b"last"

        async def scenario() -> None:
            async with socket_pair() as (sink, transport, reader):
                sock = transport.get_extra_info("socket")
                assert writable_fd(transport) == sock.fileno()  # plain TCP: direct writes
                sender = WebSocketTransport(DirectWebSocketResponse(), transport)
                expected = wire(big) + wire(middle) + wire(last)
                received = asyncio.ensure_future(reader.readexactly(len(expected)))

                assert sender.write_now(Outgoing(big))
                assert transport.get_write_buffer_size() > 0  # the kernel took only part of it
                assert not sender.write_now(
                    Outgoing(middle)
                )  # above the high-water mark: caller queues
                await sink.writable.wait()  # the transport drained below its low-water mark
                assert sender.write_now(Outgoing(middle))
                assert sender.write_now(Outgoing(last))
                assert await received == expected
                assert transport.get_write_buffer_size() == 0

        self.run(loop_name, scenario)

    def test_a_message_is_framed_once_whatever_the_sockets(self, loop_name: str) -> None:
        """The first write frames the message and keeps the bytes; later writes reuse them."""

        async def scenario() -> None:
            async with socket_pair() as (_sink, transport, reader):
                sender = WebSocketTransport(DirectWebSocketResponse(), transport)
                message = Outgoing(b"x" * 300)
                assert sender.write_now(message)
                framed = message.wire
                assert framed == wire(b"x" * 300)
                assert sender.write_now(message)
                assert message.wire is framed
                assert await reader.readexactly(2 * len(framed)) == framed * 2

        self.run(loop_name, scenario)

    def test_a_closing_transport_is_never_written(self, loop_name: str) -> None:
        async def scenario() -> None:
            async with socket_pair() as (_sink, transport, reader):
                sender = WebSocketTransport(DirectWebSocketResponse(), transport)
                assert sender.write_now(Outgoing(b"before"))
                transport.close()
                assert not sender.write_now(Outgoing(b"after"))
                assert await reader.read() == wire(b"before")  # then end of stream

        self.run(loop_name, scenario)

    def test_tls_is_written_through_the_transport(
        self, loop_name: str, tls: tuple[ssl.SSLContext, ssl.SSLContext]
    ) -> None:
        async def scenario() -> None:
            async with socket_pair(*tls) as (_sink, transport, reader):
                assert transport.get_extra_info("socket") is not None  # the raw socket shows
                assert writable_fd(transport) == -1
                sender = WebSocketTransport(DirectWebSocketResponse(), transport)
                assert sender.write_now(Outgoing(b"secret"))
                assert await reader.readexactly(len(wire(b"secret"))) == wire(b"secret")

        self.run(loop_name, scenario)


@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536])
def test_frame_matches_rfc_6455_at_each_length_boundary(length: int) -> None:
    assert frame(b"y" * length) == wire(b"y" * length)


class TestQueryValue:
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["token", "ext", "schema", "tok+en", "e%78t", ""]),
                st.text(alphabet="ab1=+% &;x", max_size=6),
            ),
            max_size=5,
        ),
        st.sampled_from(["token", "ext", "schema", "tok en"]),
    )
    def test_reads_as_parse_qsl(self, pairs: list[tuple[str, str]], name: str) -> None:
        """The first non-blank value of ``name``, decoded, exactly as ``parse_qsl`` reads it."""
        query = "&".join(f"{key}={value}" for key, value in pairs)
        request = make_mocked_request("GET", "/collab/r?" + query)
        expected = next((v for k, v in parse_qsl(request.query_string) if k == name), None)
        assert query_value(request, name) == expected
