"""Where a busy room lives: which node's URL to forward a REST request for it to.

With several nodes, a REST request can reach a node that does not have the project's room
open. Loading a copy there costs a read of its history and then, for as long as the copy
lives (a minute after the last request), the apply of every update its editors make on the
other node. For a room people are editing, forwarding the request to a node that has it open
costs less: one more HTTP hop (docs/architecture.md, "Several nodes"). So every node that
has live sockets in a room advertises itself as that room's home in Redis
(``dttools:home:<room>`` = its URL, expiring after ``TTL_S`` unless refreshed), and a node
without the room open asks there before loading it.

Only rooms with sockets are advertised: a room open for REST alone is cheap to load anywhere,
and two nodes each forwarding to the other cannot happen (a forwarded request is never
forwarded again, http_api/forwarding.py). Redis being away only means no forwarding: every
node still serves every request from its own copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import redis.asyncio as redis
import structlog
from redis.exceptions import RedisError

__all__ = ["RoomHomes", "TTL_S"]

_log = structlog.get_logger(__name__)
_PREFIX: Final = "dttools:home:"
#: How long an advertisement lasts unless refreshed (nodes refresh every third of it).
TTL_S: Final = 30


class RoomHomes:
    """Advertise this node as the home of its busy rooms; look up other rooms' homes."""

    def __init__(self, url: str, node_url: str | None) -> None:
        self.node_url = node_url.rstrip("/") if node_url else None
        self._redis: Any = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    async def advertise(self, rooms: Iterable[str]) -> None:
        """Say that this node holds ``rooms`` with live sockets (no-op without a node URL)."""
        if self.node_url is None:
            return
        names = list(rooms)
        if not names:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.set(_PREFIX + name, self.node_url, ex=TTL_S)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            _log.warning("room_homes_unavailable", error=str(exc))

    async def home_of(self, room: str) -> str | None:
        """The URL of another node holding ``room`` with live sockets, if one says so."""
        try:
            raw = await self._redis.get(_PREFIX + room)
        except (RedisError, OSError) as exc:
            _log.warning("room_homes_unavailable", error=str(exc))
            return None
        if raw is None:
            return None
        home = raw.decode() if isinstance(raw, bytes) else str(raw)
        return None if home == self.node_url else home

    async def close(self) -> None:
        await self._redis.aclose()
