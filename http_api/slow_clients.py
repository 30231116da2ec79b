"""Slow and half-open connections: a header deadline and caps on connections still pending.

A connection costs a descriptor from the moment it is accepted, and aiohttp waits as long as a
client likes for the first request's headers. One client opening 20,000 connections that never
finish a request therefore takes every descriptor the process has, and nobody else (not even
the load balancer's /healthz probe) can connect until it lets go. :class:`GuardedSite` listens
in place of aiohttp's ``TCPSite`` and wraps each accepted connection in a :class:`_Pending`
protocol until its first request's headers have arrived:

* **Deadline.** A connection that has not sent complete request headers within
  ``DTTOOLS_HEADER_TIMEOUT_S`` is closed. aiohttp's ``keepalive_timeout`` is set to the same
  value, so a kept-alive connection gets the same deadline for each later request.
* **Per address.** At most ``DTTOOLS_MAX_PENDING_PER_ADDRESS`` pending connections per client
  address; the next one is answered ``503`` (``too-many-connections``, ``Retry-After``) and
  closed at once. Trusted proxies are exempt: every client behind them shares their address,
  and the proxy applies its own header timeout.
* **Per node.** At most ``DTTOOLS_MAX_PENDING`` pending connections in all (and never more than
  half the process's descriptor limit). A new connection past the cap closes the *oldest*
  pending one instead of being refused: legitimate clients send their headers within a round
  trip, so the oldest pending connection is almost always an attacker's, and a newcomer such
  as a health probe still gets in.

Once the headers are in, the wrapper steps out of the way (``transport.set_protocol``), so
WebSocket frames reach aiohttp's protocol without an extra call. The one aiohttp internal read
here is ``RequestHandler._request_count`` (requests parsed on the connection);
tests/http_api/test_slow_clients.py fails if it disappears. Without it, the first byte received
counts as complete headers: the deadline then only covers connections that send nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import resource
import socket
from collections import Counter as Tally
from collections.abc import Callable
from typing import cast

import structlog
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from prometheus_client import Counter, Gauge

from http_api.settings import Settings, parse_networks

__all__ = [
    "GuardedSite",
    "PendingGuard",
    "PENDING_CONNECTIONS",
    "PENDING_CLOSED",
    "raise_descriptor_limit",
    "REFUSAL",
]

_log = structlog.get_logger(__name__)

PENDING_CONNECTIONS = Gauge(
    "dttools_http_pending_connections",
    "Accepted TCP connections whose first request's headers have not arrived yet",
)
PENDING_CLOSED = Counter(
    "dttools_http_pending_closed_total",
    "Pending connections closed by the server: address_limit (refused with 503), node_limit "
    "(the oldest one, to admit a newer one) or header_timeout",
    labelnames=("reason",),
)
_RETRY_AFTER_S = 10
# Listen backlog (aiohttp's default is 128; the kernel caps it at net.core.somaxconn).
_BACKLOG = 2048
# How long a refused connection is read (and discarded) before it is closed.
_LINGER_S = 1.0
_REFUSAL_BODY = json.dumps(
    {
        "type": "https://dttools.dev/problems/too-many-connections",
        "title": "Too many connections",
        "status": 503,
        "detail": "too many connections from your address are waiting to send a request",
    }
).encode()
#: What a connection past the per-address cap receives before it is closed.
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/problem+json\r\n"
    + f"Content-Length: {len(_REFUSAL_BODY)}\r\nRetry-After: {_RETRY_AFTER_S}\r\n".encode()
    + b"Connection: close\r\n\r\n"
    + _REFUSAL_BODY
)


def raise_descriptor_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; return the new soft limit.

    Distributions start processes with a soft limit of 1,024 descriptors while allowing far
    more; a node serving thousands of sockets needs the higher one.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - refused by the platform
            pass
    return soft


def _requests_parsed(handler: RequestHandler) -> int | None:
    """Requests aiohttp has parsed on this connection, or None if aiohttp no longer says."""
    count = getattr(handler, "_request_count", None)
    return count if isinstance(count, int) else None


class PendingGuard:
    """The pending connections of one listening site, by address and in arrival order."""

    def __init__(
        self,
        *,
        header_timeout_s: float,
        max_per_address: int,
        max_total: int,
        exempt: str = "",
    ) -> None:
        self.header_timeout_s = header_timeout_s
        self.max_per_address = max_per_address
        self.max_total = max_total
        self._exempt = parse_networks(exempt)
        self._by_address: Tally[str] = Tally()
        #: refused connections still open until their answer is read (see _Pending._refuse)
        self.lingering = 0
        # Insertion-ordered: the first key is the oldest pending connection.
        self._pending: dict[_Pending, None] = {}

    @classmethod
    def from_settings(cls, settings: Settings, descriptor_limit: int) -> PendingGuard:
        """The guard for ``settings``, its node cap kept below half of ``descriptor_limit``."""
        return cls(
            header_timeout_s=settings.header_timeout_s,
            max_per_address=settings.max_pending_per_address,
            max_total=max(1, min(settings.max_pending, descriptor_limit // 2)),
            exempt=settings.trusted_proxies,
        )

    @property
    def pending(self) -> int:
        """Connections waiting for their first request's headers."""
        return len(self._pending)

    def protocol_factory(self, server: web.Server) -> Callable[[], asyncio.Protocol]:
        """The factory ``loop.create_server`` calls: aiohttp's protocol inside a wrapper.

        Called on the running loop; the wrappers get that loop from here, since asking for
        the running loop is a system call (``getpid``) on Python 3.11, once per connection.
        """
        loop = asyncio.get_running_loop()
        return lambda: _Pending(self, server(), loop)

    def _is_exempt(self, address: str) -> bool:
        if not self._exempt:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._exempt)

    def admit(self, conn: _Pending) -> bool:
        """Count ``conn`` as pending; False (and nothing counted) past its address's cap."""
        address = conn.address
        if self._by_address[address] >= self.max_per_address and not self._is_exempt(address):
            PENDING_CLOSED.labels("address_limit").inc()
            return False
        while len(self._pending) >= self.max_total:
            oldest = next(iter(self._pending))
            PENDING_CLOSED.labels("node_limit").inc()
            self.release(oldest)
            oldest.drop()
        self._by_address[address] += 1
        self._pending[conn] = None
        PENDING_CONNECTIONS.inc()
        return True

    def release(self, conn: _Pending) -> None:
        """``conn`` is no longer pending (headers complete, closed, or dropped)."""
        if conn not in self._pending:
            return
        del self._pending[conn]
        PENDING_CONNECTIONS.dec()
        address = conn.address
        self._by_address[address] -= 1
        if not self._by_address[address]:
            del self._by_address[address]


class _Pending(asyncio.Protocol):
    """aiohttp's protocol for one connection, until that connection's headers are complete."""

    __slots__ = ("_guard", "_inner", "_loop", "_timer", "_transport", "address", "_admitted")

    def __init__(
        self, guard: PendingGuard, inner: RequestHandler, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._guard = guard
        self._inner = inner
        self._loop = loop
        self._timer: asyncio.TimerHandle | None = None
        self._transport: asyncio.Transport | None = None
        self._admitted = False
        self.address = "unknown"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, they only behave like one.
        self._transport = transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self.address = str(peer[0])
        if not self._guard.admit(self):
            self._refuse(transport)
            return
        self._admitted = True
        self._timer = self._loop.call_later(self._guard.header_timeout_s, self._expire)
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self._admitted:
            return
        self._inner.data_received(data)
        if _requests_parsed(self._inner) != 0:
            # Headers complete (or aiohttp no longer tells us): aiohttp's protocol takes over.
            self._settle()
            if self._transport is not None and not self._transport.is_closing():
                self._transport.set_protocol(self._inner)

    def eof_received(self) -> None:
        if self._admitted:
            self._inner.eof_received()  # None: the transport closes

    def pause_writing(self) -> None:
        if self._admitted:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._admitted:
            self._inner.resume_writing()

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self._admitted:
            if self._timer is not None:  # a refusal that was lingering
                self._timer.cancel()
                self._timer = None
                self._guard.lingering -= 1
            return
        self._settle()
        self._admitted = False
        self._inner.connection_lost(exc)

    def _refuse(self, transport: asyncio.Transport) -> None:
        """Answer 503 and close; linger briefly so the answer is read, not reset.

        Closing a socket whose client data is still unread makes the kernel send a reset,
        and a client that receives a reset may drop the answer before reading it. So the
        write side is shut after the answer, and what the client sends is read and discarded
        for up to a second. At most half ``max_total`` refusals linger at once (so waiting and
        lingering connections together stay under three quarters of the descriptor limit);
        past that they are closed at once.
        """
        transport.write(REFUSAL)
        if self._guard.lingering >= self._guard.max_total // 2 or not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        self._guard.lingering += 1
        self._timer = self._loop.call_later(_LINGER_S, transport.abort)

    def _settle(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._guard.release(self)

    def _expire(self) -> None:
        self._timer = None
        PENDING_CLOSED.labels("header_timeout").inc()
        self.drop()

    def drop(self) -> None:
        """Close the connection now (its descriptor is freed when the loop reports it lost)."""
        self._guard.release(self)
        if self._transport is not None:
            self._transport.abort()


class GuardedSite(web.BaseSite):
    """aiohttp's TCP site, with every accepted connection under a :class:`PendingGuard`.

    Its listening sockets have SO_KEEPALIVE on, which every accepted connection inherits, so
    the runner can be made with ``tcp_keepalive=False``: aiohttp would otherwise set it again
    on each connection (a socket object and a ``setsockopt`` call per connection, measurable
    in a connection storm).
    """

    __slots__ = ("_guard", "_host", "_port")

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: PendingGuard) -> None:
        super().__init__(runner)
        self._guard = guard
        self._host = host
        self._port = port

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._guard.protocol_factory(server),
            self._host,
            self._port,
            reuse_address=True,
            # A flood of connections overflows a short accept queue: the kernel then holds
            # connections the client believes open, and they reach us (and our caps) late.
            backlog=_BACKLOG,
        )
        for sock in self._server.sockets:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
