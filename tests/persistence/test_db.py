"""The pool's warm-up (every connection open, with the statements of a reconnect storm ready)
and its bounded close."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from persistence import socket_access, update_log
from persistence.db import close_pool, create_pool, warm


async def _held_at_once(pool: Any, stack: AsyncExitStack) -> list[Any]:
    """Every connection of the pool, held together (so none is handed out twice)."""
    return [await stack.enter_async_context(pool.acquire()) for _ in range(pool.get_max_size())]


async def test_warm_runs_each_warmer_on_every_connection(pool: Any) -> None:
    backends: list[tuple[str, int]] = []

    def recorder(name: str) -> Any:
        async def warmer(conn: Any) -> None:
            backends.append((name, await conn.fetchval("SELECT pg_backend_pid()")))

        return warmer

    await warm(pool, [recorder("a"), recorder("b")])
    size = pool.get_max_size()
    assert size == 4  # the fixture's pool: more than the one connection it opened with
    assert len({pid for _, pid in backends}) == size
    assert sorted(name for name, _ in backends) == ["a"] * size + ["b"] * size
    async with AsyncExitStack() as stack:  # the pool kept them open: the same backends
        conns = await _held_at_once(pool, stack)
        pids = {await conn.fetchval("SELECT pg_backend_pid()") for conn in conns}
    assert pids == {pid for _, pid in backends}


async def test_every_connection_has_the_storm_statements_prepared(pool: Any) -> None:
    """The access checks (one and many) and the room load, on each connection's own session."""
    await warm(pool, [socket_access.warm_up, update_log.warm_up])
    hot = [socket_access._ONE, socket_access._MANY, update_log._LOAD]
    async with AsyncExitStack() as stack:
        for conn in await _held_at_once(pool, stack):
            prepared = await conn.fetch("SELECT statement FROM pg_prepared_statements")
            texts = {row["statement"] for row in prepared}
            assert all(statement in texts for statement in hot)


async def test_close_does_not_wait_forever_for_a_connection_never_given_back(
    database_url: str,
) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=2)
    borrowed = await pool.acquire()  # its holder never gives it back
    blocked = asyncio.create_task(borrowed.fetchval("SELECT pg_sleep(60)"))
    await close_pool(pool, timeout_s=0.2)
    assert pool.is_closing()
    async with asyncio.timeout(5):  # the query it was running ends with the connection
        outcome = await asyncio.gather(blocked, return_exceptions=True)
    assert isinstance(outcome[0], Exception)
