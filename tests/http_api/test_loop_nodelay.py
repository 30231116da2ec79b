"""loop-nodelay: aiohttp no longer sets TCP_NODELAY per connection; the event loop already has.

Canary for the shortcut in http_api/loop_nodelay.py: on both event loops we run on, a
connection an aiohttp server accepted has TCP_NODELAY on with the shortcut, so skipping
aiohttp's call loses nothing; and aiohttp still makes that call by the name we replace.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator

import pytest
import uvloop
from aiohttp import base_protocol, web

from http_api import loop_nodelay

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}


@pytest.fixture
def shortcut() -> Iterator[None]:
    """The shortcut on for the test, then as it was (the switch is process-wide)."""
    was = loop_nodelay.loop_nodelay_on()
    loop_nodelay.set_loop_nodelay(True)
    try:
        yield
    finally:
        loop_nodelay.set_loop_nodelay(was)


async def _nodelay_of_an_accepted_connection() -> tuple[int, int]:
    """(TCP_NODELAY of the server's side, how many times aiohttp asked to set it)."""
    seen: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        transport = request.transport
        assert transport is not None
        sock = transport.get_extra_info("socket")
        seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        return web.Response(text="ok")

    calls: list[bool] = []
    called = getattr(base_protocol, loop_nodelay.NAME)

    def counting(transport: asyncio.Transport, value: bool) -> None:
        calls.append(value)
        called(transport, value)

    setattr(base_protocol, loop_nodelay.NAME, counting)
    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        setattr(base_protocol, loop_nodelay.NAME, called)
        await runner.cleanup()
    [nodelay] = seen
    return nodelay, len(calls)


@pytest.mark.usefixtures("shortcut")
@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_the_loop_sets_nodelay_without_aiohttp(loop: str) -> None:
    """With the shortcut, aiohttp still asks (by the name we replace) and the option is on."""
    event_loop = LOOPS[loop]()
    try:
        nodelay, asked = event_loop.run_until_complete(_nodelay_of_an_accepted_connection())
    finally:
        event_loop.close()
    assert asked == 1  # aiohttp still calls base_protocol.tcp_nodelay once per connection
    assert nodelay != 0  # ... and the loop had set it: skipping that call changes nothing


def test_switching_restores_aiohttp_s_own_call() -> None:
    was = loop_nodelay.loop_nodelay_on()
    try:
        loop_nodelay.set_loop_nodelay(True)
        assert loop_nodelay.loop_nodelay_on()
        loop_nodelay.set_loop_nodelay(False)
        assert not loop_nodelay.loop_nodelay_on()
        assert getattr(base_protocol, loop_nodelay.NAME) is loop_nodelay._original
    finally:
        loop_nodelay.set_loop_nodelay(was)
