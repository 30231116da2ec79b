"""asyncpg pool factory, the readiness probe, and the one place outages are recognised.

While PostgreSQL is down every query fails, each with whatever the socket or asyncpg happened
to raise (refused connection, "cannot connect now" while it starts, a connection closed
mid-query, an acquire that timed out). :class:`Pool` turns all of those into
:class:`~persistence.errors.StorageUnavailable`, so callers handle one error (REST answers 503,
a new socket is closed with 4503), and logs one line when storage goes away and one when it
comes back, instead of a traceback per request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Generator, Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog
from asyncpg.exceptions import (
    AdminShutdownError,
    CannotConnectNowError,
    CrashShutdownError,
    PostgresConnectionError,
    TooManyConnectionsError,
)
from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy

from persistence.conn import Conn, PgPool
from persistence.errors import StorageError, StorageUnavailable
from persistence.metrics import STORAGE_AVAILABLE
from persistence.migrate import pending_migrations

__all__ = [
    "ACQUIRE_TIMEOUT_S",
    "CONNECT_TIMEOUT_S",
    "Pool",
    "create_pool",
    "check_ready",
    "warm",
    "is_outage",
]

_log = structlog.get_logger(__name__)

#: Opening a connection: asyncpg's default (60 s) would hold a request that long when the
#: database host drops packets instead of refusing.
CONNECT_TIMEOUT_S = 5.0
#: Waiting for a pooled connection (including opening one): past this, storage is not answering.
ACQUIRE_TIMEOUT_S = 10.0
#: What clients are told to wait before retrying during an outage.
RETRY_AFTER_S = 5.0
# Errors that say "the server is not there" rather than "this statement failed".
_SERVER_GONE = (
    PostgresConnectionError,  # class 08, and ConnectionDoesNotExistError (closed mid-query)
    CannotConnectNowError,  # starting up or shutting down
    AdminShutdownError,
    CrashShutdownError,
    TooManyConnectionsError,
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,  # connect, acquire or command timeout
)


def is_outage(exc: BaseException, *, connecting: bool = False) -> bool:
    """Whether ``exc`` means PostgreSQL cannot be reached, not that a statement failed.

    Any OSError counts while connecting (a missing Unix socket is FileNotFoundError, an unknown
    host a gaierror); inside a query only connection errors do, so an unrelated OSError raised
    by the caller's own code is not mistaken for an outage.
    """
    if isinstance(exc, _SERVER_GONE) or (connecting and isinstance(exc, OSError)):
        return True
    # A pooled connection the server closed while it sat idle.
    return isinstance(exc, asyncpg.InterfaceError) and str(exc) == "connection is closed"


class _QuietFloorRetries(logging.Filter):
    """Drop asyncpg's traceback for each failed attempt to reopen the pool's minimum connections.

    During an outage asyncpg retries that in the background 1, 2, 4... up to 60 s apart and
    logs a warning with a full traceback every time; the outage is reported once by
    :class:`_Outage` (and by /readyz and ``dttools_storage_available``) instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to restore the pool connection floor")


_QUIET_FLOOR_RETRIES = _QuietFloorRetries()


class _Outage:
    """Whether storage is down, and one log line per change."""

    __slots__ = ("down_since",)

    def __init__(self) -> None:
        self.down_since: float | None = None

    def failed(self, exc: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            STORAGE_AVAILABLE.set(0)
            _log.warning("storage_unavailable", error=type(exc).__name__)

    def answered(self) -> None:
        if self.down_since is not None:
            down_for_s = round(time.monotonic() - self.down_since, 3)
            self.down_since = None
            STORAGE_AVAILABLE.set(1)
            _log.info("storage_available", down_for_s=down_for_s)


# asyncpg's classes are generic in its stubs only: subscripted for the type checker alone.
if TYPE_CHECKING:
    _AcquireBase = PoolAcquireContext[asyncpg.Record]
    _PoolBase = asyncpg.Pool[asyncpg.Record]
else:
    _AcquireBase = PoolAcquireContext
    _PoolBase = asyncpg.Pool


class _Acquire(_AcquireBase):
    """``pool.acquire()`` that translates outages, used with ``async with`` or ``await``."""

    __slots__ = ("_outage",)

    def __init__(self, pool: Pool, timeout: float) -> None:
        super().__init__(pool, timeout)
        self._outage = pool.outage

    async def __aenter__(self) -> PoolConnectionProxy[asyncpg.Record]:
        try:
            connection: PoolConnectionProxy[asyncpg.Record] = await super().__aenter__()
        except Exception as exc:
            if not is_outage(exc, connecting=True):
                raise
            self._outage.failed(exc)
            raise StorageUnavailable(retry_after_s=RETRY_AFTER_S) from exc
        return connection

    async def __aexit__(self, *exc_info: object) -> None:
        await super().__aexit__(*exc_info)
        exc = exc_info[1] if len(exc_info) > 1 else None
        if exc is None or (isinstance(exc, asyncpg.PostgresError) and not is_outage(exc)):
            self._outage.answered()  # the server answered (a constraint error is an answer)
        elif isinstance(exc, BaseException) and is_outage(exc):
            self._outage.failed(exc)
            raise StorageUnavailable(retry_after_s=RETRY_AFTER_S) from exc

    def __await__(self) -> Generator[Any, None, PoolConnectionProxy[asyncpg.Record]]:
        return self.__aenter__().__await__()


class Pool(_PoolBase):
    """asyncpg's pool whose ``acquire`` (and so ``fetch``, ``execute``...) reports outages.

    Every error that means PostgreSQL cannot be reached leaves it as StorageUnavailable, and
    the first such error after a success (and the first success after one) is logged.
    """

    __slots__ = ("outage",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outage = _Outage()

    def acquire(self, *, timeout: float | None = None) -> _Acquire:
        """A connection, waiting at most ``timeout`` (default ACQUIRE_TIMEOUT_S) for it."""
        return _Acquire(self, ACQUIRE_TIMEOUT_S if timeout is None else timeout)


async def _keep_session(_conn: Conn) -> None:
    """Release hook that skips asyncpg's reset query.

    By default every release runs ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL``: one more round trip per group-commit batch. Our code leaves no session state behind
    (advisory locks are transaction-scoped or released in ``finally``; no LISTEN, cursors or
    SET), so the reset is pure overhead.
    """


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 10) -> Pool:
    """Open a connection pool; statements are prepared once per connection by asyncpg.

    Raises:
        StorageUnavailable: PostgreSQL cannot be reached.
    """
    logging.getLogger("asyncpg.pool").addFilter(_QUIET_FLOOR_RETRIES)  # once: a filter is a set
    # asyncpg.create_pool(), with our pool class and its defaults spelled out.
    pool = Pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        # Connections stay open once warm (see warm()): a connection opened during a
        # reconnect storm costs that storm a connect and a prepare of every statement.
        max_inactive_connection_lifetime=0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        reset=_keep_session,
        command_timeout=30,
        timeout=CONNECT_TIMEOUT_S,
        server_settings={"application_name": "dttools"},
    )
    try:
        pool = await pool  # opens min_size connections
    except Exception as exc:
        if not is_outage(exc, connecting=True):
            raise
        raise StorageUnavailable(f"cannot connect to PostgreSQL: {type(exc).__name__}") from exc
    STORAGE_AVAILABLE.set(1)
    return pool


async def close_pool(pool: PgPool, timeout_s: float) -> None:
    """Close ``pool``, waiting at most ``timeout_s`` for borrowed connections to come back.

    asyncpg's ``close()`` waits for every connection without limit: one left mid-operation by
    a database that vanished under it (dropped, failed over) held a shutdown for minutes.
    After the budget the rest are closed without waiting.
    """
    try:
        async with asyncio.timeout(timeout_s):
            await pool.close()
    except TimeoutError:
        _log.warning("database_pool_close_timed_out", timeout_s=timeout_s)
        pool.terminate()


async def warm(pool: PgPool, warmers: Sequence[Callable[[Conn], Awaitable[None]]]) -> None:
    """Open every connection of ``pool`` and run each of ``warmers`` once on each of them.

    A node restart is followed by every client reconnecting at once, and the statements those
    reconnects run (access checks, room loads) hit each pool connection cold: a connect, then
    a prepare round trip per statement, during which every socket waiting on that batch waits
    too: most of the slowest joins of a storm (docs/benchmarks.md, "Cold connections"). Call
    after migrations; a warmer runs its
    statements with inputs that match nothing (asyncpg keeps each connection's statements).
    """
    async with AsyncExitStack() as stack:
        conns = await asyncio.gather(
            *(stack.enter_async_context(pool.acquire()) for _ in range(pool.get_max_size()))
        )
        for conn in conns:
            for warm_one in warmers:
                await warm_one(conn)


async def check_ready(pool: PgPool) -> str | None:
    """Return None when the database answers and is fully migrated, else the reason why not."""
    try:
        async with pool.acquire(timeout=2) as conn:
            pending = await pending_migrations(conn)
    except StorageUnavailable as exc:
        cause = exc.__cause__ or exc
        return f"database unreachable: {type(cause).__name__}"
    except (StorageError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return f"database unreachable: {type(exc).__name__}"
    if pending:
        return f"{len(pending)} migration(s) not applied"
    return None
