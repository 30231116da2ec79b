"""RevocationFeed: revocations read from PostgreSQL, so they reach this node when Redis is down.

Redis carries a revocation in milliseconds but at most once. Every change that ends access
also stores a row in ``revocations`` in its own transaction (persistence/revocations.py), and
this task applies the rows it has not seen: at once when the commit's NOTIFY arrives on its
listening connection, and every ``poll_s`` seconds whatever happens, which also covers a
notification lost with that connection. A row already applied through Redis or by this node's
own request is skipped (:meth:`rooms.manager.RoomManager.learn`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress

import asyncpg
import structlog

from collab.envelope import Revocation
from persistence import revocations
from persistence.conn import Executor, PgPool

__all__ = ["RevocationFeed"]

_log = structlog.get_logger(__name__)
#: How long rows stay in the table: far longer than any node's read interval.
_KEEP_S = 3600.0
#: How often a node deletes older rows (every node does; deleting twice is harmless).
_PRUNE_EVERY_S = 60.0
_DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class RevocationFeed:
    """Read new rows of ``revocations`` and hand each to ``apply``. Run :meth:`run` as a task."""

    def __init__(self, pool: PgPool, apply: Callable[[Revocation], int], poll_s: float) -> None:
        if poll_s <= 0:
            raise ValueError("the revocation poll interval must be positive")
        self._pool = pool
        self._apply = apply
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        #: set while the feed listens and has read once (cleared while the database is away)
        self.listening = asyncio.Event()
        self._horizon: int | None = None
        # Ids read at or after the horizon: the next read may return them again.
        self._seen: set[int] = set()
        self._pruned_at = time.monotonic()

    async def prime(self) -> None:
        """Read once, before this node accepts sockets, to fix where reading starts.

        The first read starts at the oldest transaction running at that moment: a revocation
        committed before it is not read. Priming at startup puts that moment before any socket
        of this node exists, so none of its sockets can miss one.
        """
        try:
            await self.read(self._pool)
        except _DATABASE_ERRORS as exc:  # run() reads again (from then on) once it answers
            _log.warning("revocation_feed_failed", error=type(exc).__name__)

    async def run(self) -> None:
        """Listen and poll until cancelled; survive PostgreSQL restarts and outages."""
        while True:
            try:
                async with revocations.notifications(self._pool, self._wake.set) as conn:
                    while True:
                        await self.read(conn)
                        if not self.listening.is_set():
                            self.listening.set()
                            _log.info("revocation_feed_listening")
                        with suppress(TimeoutError):
                            async with asyncio.timeout(self._poll_s):
                                await self._wake.wait()
                        self._wake.clear()
            except _DATABASE_ERRORS as exc:
                # The sockets stay as they are until the database answers again; Redis, when
                # up, still carries revocations meanwhile. One line per outage, not per try.
                if self.listening.is_set():
                    _log.warning("revocation_feed_failed", error=type(exc).__name__)
            self.listening.clear()
            await asyncio.sleep(self._poll_s)

    async def read(self, db: Executor) -> int:
        """Read once and apply what is new; return how many rows were new to this feed."""
        found = await revocations.read_new(db, self._horizon)
        new = [row for row in found.revocations if row.id not in self._seen]
        for row in new:
            self._apply(Revocation(row.user_id, row.session_id, row.room, row.reason, id=row.id))
        self._horizon = found.horizon
        self._seen = {row.id for row in found.revocations if row.xid >= found.horizon}
        now = time.monotonic()
        if now - self._pruned_at >= _PRUNE_EVERY_S:
            self._pruned_at = now
            await revocations.prune(db, _KEEP_S)
        return len(new)
