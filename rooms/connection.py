"""One client's connection: its sync session, bounded outbox and on-demand writer task.

Fan-out never waits on a slow client: :meth:`Connection.send` never awaits.
When the outbox is empty and the socket's buffer has room, the frame is written at once (the
common case: no task switch per delivery); otherwise it joins a bounded deque that a writer
task, started for it and ended when the outbox is empty, drains with back-pressure. A client
whose outbox fills up is closed with 1013 and resyncs when its provider reconnects.

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
from collab.messages import AuthPermissionDenied, NoticeCode, Saved, ServerNotice
from collab.session import SyncSession
from rooms.metrics import (
    CONNECTIONS_CLOSED,
    FANOUT_SECONDS,
    LOCKED_NOTE_WRITES_REFUSED,
    READONLY_WRITES_REFUSED,
)

__all__ = ["Transport", "Connection", "CLOSE_GRACE_S"]

_ids = count(1)
#: How long a close may wait behind a write the client does not read before the socket is cut.
CLOSE_GRACE_S = 5.0
# y-protocols auth.js permission-denied: the stock y-websocket client logs it as a warning.
_READ_ONLY_DENIED = encode(AuthPermissionDenied("read-only access: changes are not saved"))
_NOTE_LOCKED_NOTICE = encode(
    ServerNotice(NoticeCode.NOTE_LOCKED, "a facilitator locked this note: the change was not saved")
)
_READ_ONLY_NOTICE = encode(
    ServerNotice(
        NoticeCode.READ_ONLY, "you can view this room but not change it; edits are not saved"
    )
)


class Outgoing:
    """One message on its way to one socket or many: its payload, and its form on the wire.

    The socket layer frames the payload for the first socket that takes it and keeps the
    bytes here, so a room's broadcast (one ``Outgoing`` for all its sockets) is framed once,
    and nothing outlives the broadcast.
    """

    __slots__ = ("data", "wire")

    def __init__(self, data: bytes) -> None:
        self.data = data
        #: the framed bytes, set by the first transport that writes them
        self.wire: bytes | None = None


class Transport(Protocol):
    """The socket under a connection (aiohttp in production, in-memory in unit tests)."""

    def write_now(self, message: Outgoing) -> bool:
        """Write one binary frame at once if the socket takes it without waiting.

        Returns False (writing nothing) when the socket's buffer is above its high-water mark
        or the socket is closing; the frame then goes through the outbox and :meth:`send`.
        """

    async def send(self, data: bytes) -> None:
        """Write one binary frame, waiting while the socket's buffer is full."""

    async def close(self, code: int, reason: str) -> None:
        """Close the socket with a WebSocket close code and reason."""

    def abort(self) -> None:
        """Cut the socket now (a client that stopped reading cannot hold a close forever)."""


class Connection:
    """A peer in a room. Hashable by identity; also the room's durability listener.

    ``read_only`` connections (viewers) sync and send awareness, but the room refuses their
    document changes (invariant 5). ``user_id`` and ``session_id`` are set by the
    access check so that a revocation can find the connection.

    An idle connection owns no task, event or buffer: thousands of them sit in a node
    (docs/benchmarks.md, idle memory). A writer task exists only while frames wait in the
    outbox or a close is being sent; the socket adapter reads in its own task.
    """

    __slots__ = (
        "id",
        "ext",
        "read_only",
        "locked",
        "user_id",
        "session_id",
        "writes_refused",
        "session",
        "durable",
        "closed",
        "direct",
        "_transport",
        "_max_frames",
        "_out",
        "_drain_before_close",
        "_writer",
        "_grace",
        "__weakref__",
    )

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
        #: held read-only by a facilitator's lock of the board (collab/board_lock.py); unlike
        #: ``read_only`` it ends without a reconnect
        self.locked = False
        self.user_id = user_id
        self.session_id = session_id
        self.writes_refused = 0
        self.session = SyncSession(limits, now)
        self.durable = 0
        self.closed: Close | None = None
        self._transport = transport
        self._max_frames = limits.outbox_frames
        self._out: deque[tuple[bytes, float]] | None = None  # made when first needed
        self._drain_before_close = False
        self._writer: asyncio.Task[None] | None = None
        self._grace: asyncio.TimerHandle | None = None
        #: ``transport.write_now`` while the outbox is empty, no writer is busy and the
        #: connection is not closing (then a frame may skip :meth:`send`), else None. When it
        #: returns False (the socket's buffer is full), call :meth:`send`.
        self.direct: Callable[[Outgoing], bool] | None = transport.write_now

    def __repr__(self) -> str:
        return f"<Connection {self.id}>"

    @property
    def closing(self) -> bool:
        """Whether :meth:`close` was called (the socket may still be open, draining)."""
        return self.closed is not None

    @property
    def queued(self) -> int:
        """Frames waiting in the outbox."""
        return len(self._out) if self._out is not None else 0

    @property
    def writer(self) -> asyncio.Task[None] | None:
        """The task writing queued frames (and the close frame), while there is one."""
        return self._writer

    def send(self, frame: bytes, received_at: float = 0.0) -> bool:
        """Queue a frame without blocking; close the connection if its outbox is full.

        ``received_at`` (perf_counter) marks relayed updates: when such a frame has to wait in
        the outbox, the writer observes its fan-out latency once it is written.
        """
        if self.closed is not None:
            return False
        out = self._out
        if not out and self._writer is None and self._transport.write_now(Outgoing(frame)):
            return True  # the room observes fan-out latency once per broadcast
        if out is None:
            out = self._out = deque()
        if len(out) >= self._max_frames:
            self.close(Close(CloseCode.TRY_AGAIN_LATER, "client too slow: outbox full"))
            return False
        self.direct = None  # until the writer has drained the outbox
        out.append((frame, received_at))
        self._start_writer()
        return True

    def close(self, close: Close, *, drain: bool = False) -> None:
        """Request a close; with ``drain`` the frames already queued are written first.

        The close frame goes out from the writer task. If a write is already in progress it
        may never finish (a client that stopped reading): the socket is cut after
        ``CLOSE_GRACE_S``.
        """
        if self.closed is not None:
            return
        self.closed = close
        self.direct = None
        self._drain_before_close = drain
        CONNECTIONS_CLOSED.labels(str(int(close.code))).inc()
        busy = self._writer is not None
        self._start_writer()
        if busy:
            loop = asyncio.get_running_loop()
            self._grace = loop.call_later(CLOSE_GRACE_S, self._transport.abort)

    def stop(self) -> None:
        """The socket is gone: cancel the grace timer and the writer (the adapter calls it)."""
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None  # a task cancelled before its first step runs no ``finally``

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

    def refuse_locked_note(self) -> None:
        """Count a change to a locked note refused to this client; tell it (each time: the
        page may let someone try another locked note)."""
        LOCKED_NOTE_WRITES_REFUSED.inc()
        self.writes_refused += 1
        if self.ext:
            self.send(_NOTE_LOCKED_NOTICE)

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        """Drain the outbox; on close, send the close frame. Ends when there is nothing left."""
        transport = self._transport
        try:
            out = self._out
            while out and (self.closed is None or self._drain_before_close):
                frame, received_at = out.popleft()
                await transport.send(frame)
                if received_at:
                    FANOUT_SECONDS.observe(time.perf_counter() - received_at)
            if self.closed is not None:
                if out:
                    out.clear()
                await transport.close(int(self.closed.code), self.closed.reason)
        except (ConnectionError, RuntimeError):  # the peer vanished mid-write
            pass
        finally:
            self._writer = None
            if self._grace is not None:  # the close went out (or failed): nothing to cut
                self._grace.cancel()
                self._grace = None
            if self.closed is None:
                self.direct = transport.write_now  # the outbox is empty: straight writes again
