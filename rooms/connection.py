"""One client's connection: its sync session, bounded outbox and single writer loop.

Fan-out never waits on a slow client (STYLE.md rule 7): :meth:`Connection.send` never awaits.
When the outbox is empty and the socket's buffer has room, the frame is written at once (the
common case: no task switch per delivery); otherwise it joins a bounded deque that one writer
task per connection drains with back-pressure. A client whose outbox fills up is closed with
1013 and resyncs when its provider reconnects.

A room's broadcast calls :attr:`Connection.direct` (the transport's ``write_now``, present only
while a frame may go straight to the socket) before falling back to :meth:`Connection.send`:
one Python call per socket instead of two, which is a few percent of a broadcast to a room of
1,000 (load_tests/relay_micro.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from itertools import count
from typing import Protocol

from collab.close import Close, CloseCode
from collab.codec import encode
from collab.limits import Limits
from collab.messages import AuthPermissionDenied, Saved, ServerNotice
from collab.session import SyncSession
from rooms.metrics import CONNECTIONS_CLOSED, FANOUT_SECONDS, READONLY_WRITES_REFUSED

__all__ = ["Transport", "Connection"]

_ids = count(1)
# y-protocols auth.js permission-denied: the stock y-websocket client logs it as a warning.
_READ_ONLY_DENIED = encode(AuthPermissionDenied("read-only access: changes are not saved"))
_READ_ONLY_NOTICE = encode(
    ServerNotice("read-only", "you can view this room but not change it; edits are not saved")
)


class Transport(Protocol):
    """The socket under a connection (aiohttp in production, in-memory in unit tests)."""

    def write_now(self, data: bytes) -> bool:
        """Write one binary frame at once if the socket takes it without waiting.

        Returns False (writing nothing) when the socket's buffer is above its high-water mark
        or the socket is closing; the frame then goes through the outbox and :meth:`send`.
        """

    async def send(self, data: bytes) -> None:
        """Write one binary frame, waiting while the socket's buffer is full."""

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with a WebSocket close code and reason."""


class Connection:
    """A peer in a room. Hashable by identity; also the room's durability listener.

    ``read_only`` connections (viewers) sync and send awareness, but the room refuses their
    document changes (invariant 5). ``user_id`` and ``session_id`` are set by the
    access check so that a revocation can find the connection.
    """

    def __init__(
        self,
        transport: Transport,
        limits: Limits,
        *,
        ext: bool,
        now: float,
        read_only: bool = False,
        user_id: str | None = None,
        session_id: str | None = None,
    ) -> None:
        self.id = next(_ids)
        self.ext = ext
        self.read_only = read_only
        self.user_id = user_id
        self.session_id = session_id
        self.writes_refused = 0
        self.session = SyncSession(limits, now)
        self.durable = 0
        self.closed: Close | None = None
        self._transport = transport
        self._max_frames = limits.outbox_frames
        self._out: deque[tuple[bytes, float]] = deque()
        self._wake = asyncio.Event()
        self._closing = asyncio.Event()
        self._drain_before_close = False
        self._writing = False
        #: ``transport.write_now`` while the outbox is empty, no writer is busy and the
        #: connection is not closing (then a frame may skip :meth:`send`), else None. When it
        #: returns False (the socket's buffer is full), call :meth:`send`.
        self.direct: Callable[[bytes], bool] | None = transport.write_now

    def __repr__(self) -> str:
        return f"<Connection {self.id}>"

    @property
    def closing(self) -> bool:
        """Whether :meth:`close` was called (the socket may still be open, draining)."""
        return self.closed is not None

    @property
    def queued(self) -> int:
        """Frames waiting in the outbox."""
        return len(self._out)

    def send(self, frame: bytes, received_at: float = 0.0) -> bool:
        """Queue a frame without blocking; close the connection if its outbox is full.

        ``received_at`` (perf_counter) marks relayed updates: when such a frame has to wait in
        the outbox, the writer observes its fan-out latency once it is written.
        """
        if self.closed is not None:
            return False
        if not self._out and not self._writing and self._transport.write_now(frame):
            return True  # the room observes fan-out latency once per broadcast
        if len(self._out) >= self._max_frames:
            self.close(Close(CloseCode.TRY_AGAIN_LATER, "client too slow: outbox full"))
            return False
        self.direct = None  # until the writer has drained the outbox
        self._out.append((frame, received_at))
        self._wake.set()
        return True

    def close(self, close: Close, *, drain: bool = False) -> None:
        """Request a close; with ``drain`` the frames already queued are written first."""
        if self.closed is not None:
            return
        self.closed = close
        self.direct = None
        self._drain_before_close = drain
        CONNECTIONS_CLOSED.labels(str(int(close.code))).inc()
        self._wake.set()
        self._closing.set()

    async def wait_close_requested(self) -> Close:
        """Return once :meth:`close` was called (the transport adapter then enforces it)."""
        await self._closing.wait()
        assert self.closed is not None
        return self.closed

    def on_durable(self, count: int) -> None:
        """Group commit made ``count`` more of our updates durable: tell an opted-in client."""
        self.durable += count
        if self.ext:
            self.send(encode(Saved(self.durable)))

    def refuse_write(self) -> None:
        """Count a document change refused to this read-only client; tell the client once."""
        READONLY_WRITES_REFUSED.inc()
        self.writes_refused += 1
        if self.writes_refused == 1:
            self.send(_READ_ONLY_DENIED)
            if self.ext:
                self.send(_READ_ONLY_NOTICE)

    async def run_writer(self) -> None:
        """Drain the outbox into the transport until closed (then close the transport)."""
        out, transport = self._out, self._transport
        while True:
            await self._wake.wait()
            self._writing = True
            while out and (self.closed is None or self._drain_before_close):
                frame, received_at = out.popleft()
                await transport.send(frame)
                if received_at:
                    FANOUT_SECONDS.observe(time.perf_counter() - received_at)
            self._writing = False
            if self.closed is not None:
                out.clear()
                await transport.close(int(self.closed.code), self.closed.reason)
                return
            self._wake.clear()
            self.direct = transport.write_now  # the outbox is empty: straight writes again
