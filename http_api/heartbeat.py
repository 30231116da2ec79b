"""One heartbeat for every WebSocket of the node, instead of a timer per socket.

A peer can vanish without a close (a laptop lid, a lost network), and its socket, room seat
and awareness state would stay until TCP gives up, hours later. aiohttp's own heartbeat
answers that with a timer per socket, re-armed on every message, plus a callback that ties
the socket's objects into a reference cycle; at 10,000 idle sockets that is 2 MiB and one
full garbage collection's worth of cycles (docs/benchmarks.md, idle memory).

Here one task sweeps every socket each ``interval_s / 2``, reading how many messages each has
received (http_api/ws_direct.py counts them, pongs included): a socket silent for a whole
sweep gets a ping; silent for the next one as well, it is cut. A dead peer is found after
one to one and a half intervals, as with aiohttp's (a ping after ``interval_s`` of silence,
then ``interval_s / 2`` for the pong); live sockets that talk are never pinged.
"""

from __future__ import annotations

import asyncio

import structlog

from http_api.ws_direct import DirectWebSocketResponse

__all__ = ["Heartbeat", "PING_FRAME"]

_log = structlog.get_logger(__name__)
#: A WebSocket ping with no payload, as a server sends it (FIN + opcode 9, unmasked).
PING_FRAME = b"\x89\x00"


class _Watch:
    __slots__ = ("transport", "seen", "pinged")

    def __init__(self, transport: asyncio.Transport, seen: int) -> None:
        self.transport = transport
        self.seen = seen
        self.pinged = False


class Heartbeat:
    """Pings silent sockets and cuts those that stay silent."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._sockets: dict[DirectWebSocketResponse, _Watch] = {}

    def __len__(self) -> int:
        return len(self._sockets)

    def track(self, ws: DirectWebSocketResponse, transport: asyncio.Transport) -> None:
        """Watch ``ws`` (its message count must be available: ``ws.received >= 0``)."""
        self._sockets[ws] = _Watch(transport, ws.received)

    def forget(self, ws: DirectWebSocketResponse) -> None:
        """Stop watching ``ws`` (its handler ended)."""
        self._sockets.pop(ws, None)

    def sweep(self) -> tuple[int, int]:
        """One pass: returns (pinged, cut)."""
        pinged = cut = 0
        for ws, watch in list(self._sockets.items()):
            received = ws.received
            if received != watch.seen:
                watch.seen = received
                watch.pinged = False
                continue
            transport = watch.transport
            if watch.pinged or transport.is_closing():
                del self._sockets[ws]
                transport.abort()  # the handler's read ends; the socket leaves its room
                cut += 1
                continue
            # A socket still holding its 101 (http_api/ws_direct.py) sends it first.
            transport.write(ws.take_headers() + PING_FRAME)
            watch.pinged = True
            pinged += 1
        return pinged, cut

    async def run(self) -> None:
        """Sweep forever (cancel to stop)."""
        while True:
            await asyncio.sleep(self.interval_s / 2)
            pinged, cut = self.sweep()
            if cut:
                _log.info("silent_sockets_cut", cut=cut, pinged=pinged, sockets=len(self))
