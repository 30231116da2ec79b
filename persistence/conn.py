"""The types of what runs a statement, named once for every module of persistence/.

asyncpg lends pool connections as proxies that answer the same calls as a connection, so a
function that takes "a connection" takes either; one that runs a single statement may also
take the pool, which lends a connection for it.

The aliases are strings: asyncpg's classes are generic only in its type stubs, not at run
time, so they are for annotations (every module here defers them), not for ``isinstance``.
"""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

__all__ = ["Conn", "Executor", "PgPool"]

#: A connection: asyncpg's own, or the proxy a pool lends.
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
#: A connection pool (persistence.db.Pool in the server).
PgPool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"
#: Where one statement may run: a connection, or a pool (which lends one for it).
Executor: TypeAlias = "Conn | PgPool"
