"""DirectWebSocketResponse: binary messages straight from aiohttp's parser, in order, over sockets.

A small aiohttp app on 127.0.0.1 echoes every message it gets back to the client as
``<how>:<payload>`` (``direct`` from the callback, ``queued`` from ``receive()``), so the
client sees both the order and the path each message took.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
import websockets
from aiohttp import WSMsgType, web
from structlog.testing import capture_logs

from http_api import ws_direct
from http_api.ws_direct import DirectWebSocketResponse
from http_api.ws_transport import WebSocketTransport
from rooms.connection import Outgoing
from tests.support.timing import TIMEOUT


@dataclass
class Probe:
    """What the test app saw: every message, tagged with the path it came by."""

    compress: bool = False
    seen: list[tuple[str, bytes | str]] = field(default_factory=list)
    direct_available: list[bool] = field(default_factory=list)
    #: what aiohttp's request handler still holds once upgraded: (HTTP parser, request queue)
    handler_kept: list[tuple[object, object]] = field(default_factory=list)
    #: whether each socket's writer shares its compression parts (lock, task set)
    writer_shares: list[bool] = field(default_factory=list)
    #: /hold: the 101 as held right after prepare() (None: sent already), then once written
    held: list[bytes | None] = field(default_factory=list)
    #: /hold?mode=wait: set by the test to let the handler write its frame
    go: asyncio.Event = field(default_factory=asyncio.Event)


PROBE = web.AppKey("probe", Probe)


async def _echo(request: web.Request) -> web.WebSocketResponse:
    probe = request.app[PROBE]
    ws = DirectWebSocketResponse(compress=probe.compress)
    await ws.prepare(request)
    probe.direct_available.append(ws.direct_available)
    handler = request.protocol
    probe.handler_kept.append((handler._parser, handler._messages))
    writer = ws._writer
    assert writer is not None
    shared = writer._send_lock is ws_direct._shared.lock
    probe.writer_shares.append(shared and writer._background_tasks is ws_direct._shared.tasks)
    echoes: list[asyncio.Task[None]] = []

    def seen(how: str, data: bytes) -> None:
        probe.seen.append((how, data))
        if data == b"stop":
            ws.deliver_binary(None)
        echoes.append(asyncio.ensure_future(ws.send_bytes(how.encode() + b":" + data)))

    def target(data: bytes) -> None:
        seen("direct", data)

    direct = ws.deliver_binary(target)
    async for message in ws:
        if message.type is WSMsgType.BINARY:
            seen("queued", message.data)
            if not direct:
                direct = ws.deliver_binary(target)
        elif message.type is WSMsgType.TEXT:
            probe.seen.append(("text", message.data))
            await ws.send_str("text:" + message.data)
    ws.deliver_binary(None)
    await asyncio.gather(*echoes)
    return ws


async def _hold(request: web.Request) -> web.WebSocketResponse:
    """Write one frame (``hello``) right after the upgrade, or after ``go``, or close at once."""
    probe = request.app[PROBE]
    mode = request.query.get("mode", "write")
    ws = DirectWebSocketResponse()
    await ws.prepare(request)
    probe.held.append(ws.held_headers)
    if mode == "close":
        await ws.close(code=4403, message=b"not a member")
        return ws
    if mode == "wait":
        await probe.go.wait()
    transport = WebSocketTransport(ws, request.transport)
    assert transport.write_now(Outgoing(b"hello"))
    probe.held.append(ws.held_headers)
    async for _message in ws:
        pass
    return ws


@dataclass
class EchoServer:
    probe: Probe
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/echo"


async def _start(probe: Probe) -> tuple[web.AppRunner, EchoServer]:
    app = web.Application()
    app[PROBE] = probe
    app.router.add_get("/echo", _echo)
    app.router.add_get("/hold", _hold)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, EchoServer(probe, port)


@pytest.fixture
async def start_echo() -> AsyncIterator[Callable[..., Awaitable[EchoServer]]]:
    """Factory: an echo server on 127.0.0.1 (cleaned up after the test)."""
    runners: list[web.AppRunner] = []

    async def start(*, compress: bool = False) -> EchoServer:
        runner, server = await _start(Probe(compress=compress))
        runners.append(runner)
        return server

    try:
        yield start
    finally:
        for runner in runners:
            await runner.cleanup()


@pytest.fixture
async def echo_server(start_echo: Callable[..., Awaitable[EchoServer]]) -> EchoServer:
    return await start_echo()


@pytest.fixture
async def compressing_server(start_echo: Callable[..., Awaitable[EchoServer]]) -> EchoServer:
    return await start_echo(compress=True)


async def _recv_all(ws: websockets.ClientConnection, count: int) -> list[bytes]:
    got = []
    for _ in range(count):
        message = await asyncio.wait_for(ws.recv(), TIMEOUT)
        got.append(message if isinstance(message, bytes) else message.encode())
    return got


def _masked_frame(payload: bytes) -> bytes:
    """One binary client frame (RFC 6455 5.2: FIN, masked), for payloads under 126 bytes."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x82, 0x80 | len(payload))) + mask + body


async def _read_server_frame(reader: asyncio.StreamReader) -> bytes:
    """One unmasked server frame's payload (payloads under 126 bytes only)."""
    head = await reader.readexactly(2)
    return await reader.readexactly(head[1] & 0x7F)


class TestDirectPath:
    async def test_installed_aiohttp_delivers_binary_directly(
        self, echo_server: EchoServer
    ) -> None:
        """With the aiohttp this project installs, binary messages skip the queue, in order."""
        async with websockets.connect(echo_server.url) as ws:
            for i in range(20):
                await ws.send(f"m{i}".encode())
            echoes = await _recv_all(ws, 20)
        assert echoes == [f"direct:m{i}".encode() for i in range(20)]
        assert echo_server.probe.direct_available == [True]

    async def test_an_upgraded_socket_drops_the_http_parser_and_request_queue(
        self, echo_server: EchoServer
    ) -> None:
        """An idle socket keeps neither (about 2.4 KiB): the queue's stand-in is shared, and
        fails loudly rather than hold a request for whichever socket asks next."""
        async with websockets.connect(echo_server.url) as ws:
            await ws.send(b"m")
            assert await _recv_all(ws, 1) == [b"direct:m"]
        [(parser, requests)] = echo_server.probe.handler_kept
        assert parser is None
        assert requests is ws_direct._NO_MORE_REQUESTS
        assert not requests
        with pytest.raises(RuntimeError, match="upgraded"):
            ws_direct._NO_MORE_REQUESTS.append(object())
        with pytest.raises(IndexError):
            ws_direct._NO_MORE_REQUESTS.popleft()
        assert echo_server.probe.writer_shares == [True]

    async def test_frames_sent_with_the_upgrade_keep_their_order(
        self, echo_server: EchoServer
    ) -> None:
        """Frames in the upgrade request's packet are queued, read in order, then direct.

        The client writes the upgrade request and 10 frames in one write, so aiohttp holds
        them as the bytes after the request until the parser is set; none may be lost,
        parsed twice or overtaken by the frames sent after them.
        """
        reader, writer = await asyncio.open_connection("127.0.0.1", echo_server.port)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{echo_server.port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        early = b"".join(_masked_frame(f"e{i}".encode()) for i in range(10))
        try:
            writer.write(request + early)
            status = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
            assert status.startswith(b"HTTP/1.1 101")
            first = [await asyncio.wait_for(_read_server_frame(reader), TIMEOUT) for _ in range(10)]
            writer.write(b"".join(_masked_frame(f"l{i}".encode()) for i in range(10)))
            later = [await asyncio.wait_for(_read_server_frame(reader), TIMEOUT) for _ in range(10)]
        finally:
            writer.close()
        assert [e.split(b":", 1)[1] for e in first] == [f"e{i}".encode() for i in range(10)]
        assert later == [f"direct:l{i}".encode() for i in range(10)]
        # The early frames were already parsed when the handler asked for direct delivery,
        # so at least the first of them came through receive().
        assert first[0] == b"queued:e0"

    async def test_stopping_sends_binary_back_through_receive(
        self, echo_server: EchoServer
    ) -> None:
        """After deliver_binary(None), binary messages take the queue again."""
        async with websockets.connect(echo_server.url) as ws:
            for payload in (b"a", b"stop", b"b", b"c"):
                await ws.send(payload)
            echoes = await _recv_all(ws, 4)
        assert echoes == [b"direct:a", b"direct:stop", b"queued:b", b"queued:c"]

    async def test_control_and_text_frames_still_go_through_aiohttp(
        self, echo_server: EchoServer
    ) -> None:
        """Ping gets its pong, text reaches receive(), and the close handshake completes."""
        async with websockets.connect(echo_server.url) as ws:
            await ws.send(b"x")
            pong = await ws.ping(b"are you there")
            await asyncio.wait_for(pong, TIMEOUT)
            await ws.send("hello")
            echoes = await _recv_all(ws, 2)
            await ws.close(1000, "bye")
        assert echoes == [b"direct:x", b"text:hello"]
        assert ws.close_code == 1000
        assert echo_server.probe.seen == [("direct", b"x"), ("text", "hello")]

    async def test_compressed_messages_arrive_decompressed(
        self, compressing_server: EchoServer
    ) -> None:
        """With permessage-deflate negotiated, the callback gets the original bytes."""
        payload = b"workshop " * 500
        async with websockets.connect(compressing_server.url) as ws:
            assert ws.response is not None
            assert "permessage-deflate" in ws.response.headers.get("Sec-WebSocket-Extensions", "")
            await ws.send(payload)
            (echo,) = await _recv_all(ws, 1)
        assert echo == b"direct:" + payload
        assert compressing_server.probe.writer_shares == [False]  # it locks to compress


async def _upgrade(port: int, query: str = "") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw client that has sent an upgrade request for /hold."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET /hold{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    return reader, writer


class TestHeldHandshake:
    async def test_the_101_leaves_with_the_first_frame(self, echo_server: EchoServer) -> None:
        """The 101 is held after prepare() and written in the same write as the first frame."""
        reader, writer = await _upgrade(echo_server.port)
        try:
            first = await asyncio.wait_for(reader.read(65536), TIMEOUT)
        finally:
            writer.close()
        head, _, rest = first.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        assert rest == b"\x82\x05hello"
        held, after = echo_server.probe.held
        assert held is not None
        assert held.startswith(b"HTTP/1.1 101")
        assert after is None

    async def test_a_busy_handler_does_not_keep_the_client_waiting(
        self, echo_server: EchoServer
    ) -> None:
        """A handler that awaits after the upgrade (a database read) lets the 101 go at the
        loop's next turn: the client is open while the handler has written nothing."""
        async with websockets.connect(echo_server.url.replace("/echo", "/hold?mode=wait")) as ws:
            assert not echo_server.probe.go.is_set()
            echo_server.probe.go.set()
            assert await _recv_all(ws, 1) == [b"hello"]

    async def test_a_close_before_any_frame_sends_the_101_first(
        self, echo_server: EchoServer
    ) -> None:
        """A refusal after the upgrade (a close frame written by aiohttp) follows the 101."""
        async with websockets.connect(echo_server.url.replace("/echo", "/hold?mode=close")) as ws:
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert ws.close_code == 4403
        assert ws.close_reason == "not a member"
        [held] = echo_server.probe.held
        assert held is not None  # it was held, and still came first

    async def test_without_the_direct_path_the_101_goes_at_once(
        self, echo_server: EchoServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(ws_direct, "_enabled", False)
        async with websockets.connect(echo_server.url.replace("/echo", "/hold")) as ws:
            assert await _recv_all(ws, 1) == [b"hello"]
        assert echo_server.probe.held == [None, None]


class TestFallback:
    async def test_without_the_internals_every_message_is_queued(
        self, echo_server: EchoServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If aiohttp's reader changed shape, the response works as a plain one and says so once."""

        def changed(*_args: object, **_kwargs: object) -> None:
            raise TypeError("WebSocketReader() takes different arguments now")

        monkeypatch.setattr(ws_direct, "WebSocketReader", changed)
        monkeypatch.setattr(ws_direct, "_warned", False)
        with capture_logs() as logs:
            for _ in range(2):
                async with websockets.connect(echo_server.url) as ws:
                    await ws.send(b"one")
                    await ws.send(b"two")
                    echoes = await _recv_all(ws, 2)
                assert echoes == [b"queued:one", b"queued:two"]
        assert echo_server.probe.direct_available == [False, False]
        warnings = [e for e in logs if e["event"] == "ws_direct_unavailable"]
        assert len(warnings) == 1
        assert "different arguments" in warnings[0]["why"]


def test_is_closed_reads_aiohttp_s_flag() -> None:
    """is_closed reads the flag behind aiohttp's ``closed`` property, without calling it.

    If an aiohttp release renames the flag, is_closed falls back to the property and this
    test fails, so the per-socket saving on every broadcast cannot be lost silently.
    """
    assert ws_direct.CLOSED_FLAG == "_closed"
    ws = DirectWebSocketResponse()
    assert ws_direct.is_closed(ws) is ws.closed is False
    ws._set_closed()  # what aiohttp does when it sends or receives a close frame
    assert ws_direct.is_closed(ws) is ws.closed is True
