"""A WebSocketResponse that can hand binary messages to a callback as aiohttp parses them.

aiohttp's frame parser runs in the protocol's ``data_received`` and puts every message in a
queue; ``receive()`` then wakes the handler's task to take it out. For a relay that is one
task switch, a future, a timeout context and a few Python frames per message, a measurable
share of the server's CPU (docs/architecture.md, decisions). Rooms never
await while handling a frame (a room never waits on a peer), so they can just as well run inside
``data_received``, which is what the npm reference server does with its ``message`` event.

Once :meth:`DirectWebSocketResponse.deliver_binary` is on, binary messages skip the queue
and go to the callback in arrival order. Everything else (close, ping, pong, text, errors)
still goes through the queue to ``receive()``, which keeps aiohttp's close handshake,
auto-pong and heartbeat exactly as they are.

This relies on three aiohttp internals (the queue class, the reader's constructor and the
protocol's ``_payload_parser`` / ``_message_tail``). If an aiohttp release changes them, the
swap is skipped with one warning and every message takes the ordinary queue: slower, never
wrong. :data:`is_closed` reads a fourth (the flag behind ``closed``) and falls back to the
property. tests/http_api/test_ws_direct.py fails when the installed aiohttp no longer takes
either fast path, so an upgrade cannot lose them silently.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from functools import partial
from operator import attrgetter
from typing import Any

import structlog
from aiohttp import WSMsgType, web
from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader
from aiohttp.web_request import BaseRequest

__all__ = [
    "BinaryTarget",
    "DirectWebSocketResponse",
    "is_closed",
    "direct_path_lost",
    "set_direct_path",
    "CLOSED_FLAG",
]

#: Receives the payload of each binary message; must not raise and must not block.
BinaryTarget = Callable[[bytes], None]

_log = structlog.get_logger(__name__)

#: What :data:`is_closed` reads: aiohttp's ``closed`` property returns its ``_closed`` flag.
CLOSED_FLAG = (
    "_closed" if isinstance(getattr(web.WebSocketResponse, "_closed", None), bool) else "closed"
)
#: ``ws.closed`` without a Python call: a broadcast asks it once per socket (1,000 times per
#: update for a room of 1,000). Falls back to the property if aiohttp renames the flag.
is_closed: Callable[[web.WebSocketResponse], bool] = attrgetter(CLOSED_FLAG)
# The queue's flow-control limit, as aiohttp sizes it (DEFAULT_CHUNK_SIZE, 64 KiB).
_QUEUE_LIMIT = 2**16
_warned = False
_enabled = True


class _NoMoreRequests:
    """Stands in for aiohttp's request queue (``RequestHandler._messages``) once upgraded.

    After the upgrade every byte goes to the WebSocket parser, so aiohttp only ever asks the
    queue whether it is empty; one shared stand-in saves an empty deque per socket (sizes in
    docs/benchmarks.md, "Memory of an idle connection"). Should
    aiohttp ever queue a request there, it fails loudly instead of sharing anything.
    """

    __slots__ = ()

    def __len__(self) -> int:
        return 0

    def append(self, _item: object) -> None:
        raise RuntimeError("an HTTP request was queued on an upgraded connection")

    def popleft(self) -> object:
        raise IndexError("no HTTP requests on an upgraded connection")


_NO_MORE_REQUESTS = _NoMoreRequests()


class _Shared:
    """What every uncompressed server-side writer can share instead of owning one each.

    aiohttp's ``WebSocketWriter`` makes a send lock and a task set (used only to compress)
    and a random-bits function (used only to mask, which clients do), per socket. Shared,
    they behave the same; only compressed sends would contend for the lock, and those
    writers keep their own.
    """

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.tasks: set[asyncio.Task[None]] = set()
        self.random_bits = partial(random.getrandbits, 32)


_shared = _Shared()


class _DirectQueue(WebSocketDataQueue):
    """aiohttp's message queue, except that binary messages go to ``target`` once it is set.

    It also counts every message the peer sent (pongs included): the node's heartbeat
    (http_api/heartbeat.py) reads the count to tell a live peer from a silent one.
    """

    __slots__ = ("target", "received", "interrupted", "_wake", "_event_loop")

    def __init__(self, protocol: Any, limit: int, *, loop: Any) -> None:
        super().__init__(protocol, limit, loop=loop)
        self._event_loop: asyncio.AbstractEventLoop = loop  # the compiled base hides its own
        self.target: BinaryTarget | None = None
        self.received = 0
        self.interrupted = False
        self._wake: asyncio.Future[bool] | None = None

    def feed_data(self, data: Any, size: int) -> None:
        self.received += 1
        target = self.target
        if target is not None and data[0] is WSMsgType.BINARY:
            target(data[1])
            return
        super().feed_data(data, size)
        self._wake_reader(True)

    def feed_eof(self) -> None:
        super().feed_eof()
        self._wake_reader(True)

    def set_exception(self, *args: Any) -> None:
        super().set_exception(*args)
        self._wake_reader(True)

    async def wait_readable(self) -> bool:
        """Wait until a message is queued or the stream ends; False once :meth:`interrupt`-ed."""
        if self._buffer or self.is_eof():
            return True
        if self.interrupted:
            return False
        wake: asyncio.Future[bool] = self._event_loop.create_future()  # asking: a getpid()
        self._wake = wake
        return await wake

    def interrupt(self) -> None:
        """Wake :meth:`wait_readable` with False (the server is closing the socket)."""
        self.interrupted = True
        self._wake_reader(False)

    def _wake_reader(self, value: bool) -> None:
        wake = self._wake
        if wake is not None:
            self._wake = None
            if not wake.done():
                wake.set_result(value)


class _HeadersFirst:
    """Stands in for the transport of aiohttp's frame writer while the 101 is held back.

    Whatever aiohttp writes itself (a close frame, a pong) sends the held response first;
    after that the writer gets its transport back.
    """

    __slots__ = ("_ws", "_transport")

    def __init__(self, ws: DirectWebSocketResponse, transport: Any) -> None:
        self._ws = ws
        self._transport = transport

    def write(self, data: Any) -> None:
        self._ws.flush_headers()
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class DirectWebSocketResponse(web.WebSocketResponse):
    """A WebSocketResponse whose binary messages can bypass ``receive()``.

    It also holds its 101 response back (with the direct path) until the first frame goes
    out, so that the handshake and the server's first message leave in one write: one system
    call and one TCP segment fewer per connection, on both ends. :meth:`take_headers` hands
    the held bytes to the socket's writer; every other path (a close, a ping, the node's
    heartbeat) sends them first through :meth:`flush_headers`, and a callback scheduled at
    the upgrade sends them at the loop's next turn if the handler is still busy (waiting on
    the database, say), so a client never waits on them.
    """

    _direct: _DirectQueue | None = None
    #: aiohttp writes a response's headers when asked, not when prepared (StreamResponse)
    _send_headers_immediately = False
    #: the 101 response while held back (None once sent, or never held)
    held_headers: bytes | None = None

    def take_headers(self) -> bytes:
        """The held 101 response, to be written before the next frame; b"" once sent."""
        held = self.held_headers
        if held is None:
            return b""
        self.held_headers = None
        writer: Any = self._writer  # its transport may be our stand-in
        if writer is not None and isinstance(writer.transport, _HeadersFirst):
            writer.transport = writer.transport._transport
        return held

    def flush_headers(self) -> None:
        """Send the held 101 response now, if it is still held and the socket is open."""
        held = self.take_headers()
        request = self._req
        transport = None if request is None else request.transport
        if held and transport is not None and not transport.is_closing():
            transport.write(held)

    def _post_start(self, request: BaseRequest, protocol: str | None, writer: Any) -> None:
        handler: Any = request.protocol
        tail = getattr(handler, "_message_tail", None)
        direct = None
        if tail is not None and _enabled:
            direct = _build(handler, self._loop, self._max_msg_size, bool(self._compress))
        payload_writer: Any = request._payload_writer
        # The loop as aiohttp set it in _pre_start: asking for it again is a getpid() call.
        if direct is None or not _hold_headers(self, payload_writer, writer, self._loop):
            send = getattr(payload_writer, "send_headers", None)
            if send is not None:  # an aiohttp that has it writes nothing until told to
                send()
        if direct is None:
            if tail is None:
                _warn_unavailable("RequestHandler._message_tail is gone")
            super()._post_start(request, protocol, writer)
            return
        queue, parser = direct
        # Bytes that came with (or after) the upgrade request, before any parser was set: kept
        # from aiohttp's parser (replaced below) and fed to ours, so none is parsed twice.
        handler._message_tail = b""
        super()._post_start(request, protocol, writer)
        self._reader, self._parser, handler._payload_parser = queue, parser, parser
        self._direct = queue
        if getattr(handler, "_upgraded", False) and hasattr(handler, "_parser"):
            # The HTTP parser is never used again on an upgraded connection (aiohttp checks
            # it for None where it could be): less memory per idle socket.
            handler._parser = None
            if hasattr(handler, "_messages") and not handler._messages:
                handler._messages = _NO_MORE_REQUESTS
        _share_idle_parts(writer)
        # The 101's headers are on the wire already; nothing reads them again.
        self.headers.clear()
        if tail:
            parser.feed_data(tail)

    @property
    def received(self) -> int:
        """Messages received so far (of every type), or -1 without the direct path."""
        direct = self._direct
        return -1 if direct is None else direct.received

    def wait_readable(self) -> Awaitable[bool]:
        """Wait, outside ``receive()``, until a message is queued; False once interrupted.

        The handler waits here while binary messages go straight to the room, not inside
        ``receive()``: aiohttp's ``close()`` called while a ``receive()`` is pending wakes it
        with a synthetic CLOSING message and then closes the TCP connection at once, without
        reading the peer's close frame. A peer still sending at that moment can lose our
        close frame and its reason to the reset. Waiting here instead, ``close()`` (after
        :meth:`interrupt_reader`) reads the peer's answer first, as RFC 6455 7.1.1 asks.

        Not a coroutine itself: it hands back the queue's, so an idle socket's stack is one
        frame shorter.
        """
        direct = self._direct
        assert direct is not None  # only with the direct path
        return direct.wait_readable()

    def interrupt_reader(self) -> None:
        """End the handler's :meth:`wait_readable` (before the server closes the socket)."""
        if self._direct is not None:
            self._direct.interrupt()

    def release_cycles(self, request: web.Request) -> None:
        """Break aiohttp's reference cycles around a closed socket, so refcounting frees it.

        Two cycles outlive every WebSocket in aiohttp 3.14 until a full collection: the
        request handler's data callback is a bound method of this response, which holds the
        request, which holds the handler; and an error stored when the peer vanished holds a
        traceback whose frame holds this response. Left to the collector, a storm of
        reconnects leaves tens of thousands of such objects for one long pause.
        """
        if not self.closed:
            return
        self._exception = None
        handler: Any = request.protocol
        if handler is not None and hasattr(handler, "_data_received_cb"):
            handler._data_received_cb = None

    @property
    def direct_available(self) -> bool:
        """Whether this response installed the direct path (False: every message is queued)."""
        return self._direct is not None

    def deliver_binary(self, target: BinaryTarget | None) -> bool:
        """Send binary messages straight to ``target`` from now on (None: stop).

        Returns True when delivery is direct. It is refused (False) while messages already
        wait in the queue, so that nothing overtakes them: read those with ``receive()`` and
        ask again. Also False when the direct path is unavailable.
        """
        direct = self._direct
        if direct is None:
            return False
        if target is not None and direct._buffer:
            return False
        direct.target = target
        return target is not None


def _hold_headers(ws: DirectWebSocketResponse, payload_writer: Any, writer: Any, loop: Any) -> bool:
    """Take the unsent 101 out of aiohttp's payload writer into ``ws``; False if it cannot.

    Relies on ``StreamWriter._headers_buf`` / ``_headers_written`` and the frame writer's
    ``transport`` attribute; if they changed shape, the 101 is sent at once, as before.
    """
    held = getattr(payload_writer, "_headers_buf", None)
    if (
        not isinstance(held, bytes | bytearray)
        or getattr(payload_writer, "_headers_written", True)
        or not hasattr(writer, "transport")
    ):
        return False
    payload_writer._headers_buf = None
    payload_writer._headers_written = True
    ws.held_headers = bytes(held)
    writer.transport = _HeadersFirst(ws, writer.transport)
    loop.call_soon(ws.flush_headers)
    return True


def _share_idle_parts(writer: Any) -> None:
    """Point an uncompressed server writer's compression and masking parts at shared ones."""
    if writer.compress or getattr(writer, "use_mask", True):
        return
    for name, shared in (
        ("_send_lock", _shared.lock),
        ("_background_tasks", _shared.tasks),
        ("get_random_bits", _shared.random_bits),
    ):
        if hasattr(writer, name):
            setattr(writer, name, shared)


def _build(
    handler: Any, loop: Any, max_msg_size: int, compress: bool
) -> tuple[_DirectQueue, Any] | None:
    """Our queue and a parser feeding it, or None if aiohttp's internals changed shape."""
    if not hasattr(handler, "_payload_parser"):
        _warn_unavailable("RequestHandler._payload_parser is gone")
        return None
    try:
        queue = _DirectQueue(handler, _QUEUE_LIMIT, loop=loop)
        parser = WebSocketReader(queue, max_msg_size, compress=compress, decode_text=True)
    except (AttributeError, TypeError) as exc:
        _warn_unavailable(f"{type(exc).__name__}: {exc}")
        return None
    return queue, parser


def direct_path_lost() -> bool:
    """Whether responses use aiohttp's queue: its internals changed, or the path is off."""
    return _warned or not _enabled


def set_direct_path(enabled: bool) -> None:
    """Use the direct path where aiohttp allows it (the default), or never.

    Process-wide; for sockets opened from now on (benchmarks toggle it, see
    ``DTTOOLS_FAST_PATHS``). Off, every message takes aiohttp's queue and ``receive()``,
    and sockets get aiohttp's own heartbeat.
    """
    global _enabled
    _enabled = enabled


def _warn_unavailable(why: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        _log.warning("ws_direct_unavailable", why=why)
