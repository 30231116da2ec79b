"""rooms.Transport over aiohttp's WebSocketResponse, writing frames to the socket's descriptor.

The one place a frame meets the socket. ``write_now`` frames the message itself and, while the
transport holds no unsent bytes, writes a plain TCP socket with ``os.write`` on its descriptor:
the same system call the event loop would make, minus uvloop's own work per write, which is
measurable when one update goes to 1,000 sockets (docs/benchmarks.md). That bypass depends on
how the event loop's transport behaves (nothing buffered means nothing to overtake), so it can
be switched off (``DTTOOLS_FAST_PATHS`` without ``fd-write``), and
tests/http_api/test_ws.py (``TestWriteNow``) holds it to the transport's order on both loops.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct

from http_api.ws_direct import DirectWebSocketResponse, is_closed
from rooms.connection import Outgoing

__all__ = ["WebSocketTransport", "frame", "writable_fd", "set_fd_writes"]

# Past this many buffered bytes a socket is "busy": frames queue in its outbox instead.
_HIGH_WATER_BYTES = 64 * 1024
_HEADER16 = struct.Struct("!BBH")
_HEADER64 = struct.Struct("!BBQ")
_fd_writes = True


def set_fd_writes(enabled: bool) -> None:
    """Write frames to socket descriptors directly (the default), or always through uvloop.

    Process-wide; for sockets opened from now on (benchmarks toggle it, see
    ``DTTOOLS_FAST_PATHS``).
    """
    global _fd_writes
    _fd_writes = enabled


class WebSocketTransport:
    """rooms.Transport over aiohttp's WebSocketResponse.

    ``write_now`` frames the message itself (RFC 6455 5.2: FIN + binary opcode, unmasked, as a
    server sends) and writes it at once: the same frame bytes go to every socket of a room
    without a task switch per delivery. aiohttp writes each of its own frames synchronously
    too, so frames never interleave.

    While the transport holds no unsent bytes, a plain TCP socket is written with ``os.write``
    on its descriptor: the same system call the event loop would make, minus uvloop's own work
    per write, which is measurable when one update goes to 1,000 sockets (docs/benchmarks.md).
    What the kernel does not take at once goes to the transport, which then owns the order.
    A TLS transport encrypts what it writes, so it is always written through.
    """

    __slots__ = ("_fd", "_transport", "_ws")

    def __init__(self, ws: DirectWebSocketResponse, transport: asyncio.Transport | None) -> None:
        self._ws = ws
        self._transport = transport
        self._fd = writable_fd(transport)

    def write_now(self, message: Outgoing) -> bool:
        transport = self._transport
        # Checked before every write: a closing transport may have closed its descriptor, and
        # the number may already belong to another client's socket.
        if transport is None or is_closed(self._ws) or transport.is_closing():
            return False
        buffered = transport.get_write_buffer_size()
        if buffered > _HIGH_WATER_BYTES:
            return False
        wire = message.wire  # framed already, for every socket but a broadcast's first
        if wire is None:
            wire = message.wire = frame(message.data)
        if self._ws.held_headers is not None:  # the 101 and the first frame in one write
            wire = self._ws.take_headers() + wire
        if not buffered and self._fd >= 0:
            try:
                written = os.write(self._fd, wire)
            except OSError:  # full (EAGAIN), or reset: the transport retries and reports it
                written = 0
            if written == len(wire):
                return True
            wire = wire[written:]
        transport.write(wire)
        return True

    async def send(self, data: bytes) -> None:
        await self._ws.send_bytes(data)

    async def close(self, code: int, reason: str) -> None:
        # The handler stops waiting for messages first, so close() reads the peer's close
        # frame itself before closing the connection (http_api/ws_direct.py says why).
        self._ws.interrupt_reader()
        await self._ws.close(code=code, message=reason.encode())

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()


def writable_fd(transport: asyncio.BaseTransport | None) -> int:
    """The descriptor ``write_now`` may write frames to directly, or -1 (write through).

    Only an unencrypted socket qualifies: under TLS the descriptor carries ciphertext, and
    ``get_extra_info("socket")`` of a TLS transport is still the raw socket.
    """
    if not _fd_writes or transport is None or transport.get_extra_info("sslcontext") is not None:
        return -1
    sock = transport.get_extra_info("socket")
    if sock is None or sock.type != socket.SOCK_STREAM:
        return -1
    return int(sock.fileno())


def frame(data: bytes) -> bytes:
    """``data`` as one unmasked binary WebSocket message (RFC 6455 5.2), header and payload."""
    length = len(data)
    if length < 126:
        return bytes((0x82, length)) + data
    if length < 65536:
        return _HEADER16.pack(0x82, 126, length) + data
    return _HEADER64.pack(0x82, 127, length) + data
