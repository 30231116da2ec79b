"""RoomHomes against a real redis-server: advertise, look up, and Redis away."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rooms.homes import RoomHomes
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer


@asynccontextmanager
async def homes(url: str, node_url: str | None) -> AsyncIterator[RoomHomes]:
    made = RoomHomes(url, node_url)
    try:
        yield made
    finally:
        await made.close()


class TestHomes:
    async def test_a_node_finds_the_home_another_advertised_and_never_itself(
        self, redis_server: RedisServer, room: str
    ) -> None:
        async with (
            homes(redis_server.url, "http://10.0.0.1:8080/") as first,
            homes(redis_server.url, "http://10.0.0.2:8080") as second,
        ):
            assert await second.home_of(room) is None  # nobody advertised it
            await first.advertise([room])
            assert await second.home_of(room) == "http://10.0.0.1:8080"
            assert await first.home_of(room) is None  # its own: nothing to forward to

    async def test_without_a_node_url_or_rooms_nothing_is_advertised(
        self, redis_server: RedisServer, room: str
    ) -> None:
        async with (
            homes(redis_server.url, None) as anonymous,
            homes(redis_server.url, "http://10.0.0.3:8080") as other,
        ):
            await anonymous.advertise([room])
            await other.advertise([])
            assert await other.home_of(room) is None

    async def test_redis_away_means_no_forwarding_and_no_error(self, room: str) -> None:
        nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
        async with homes(nowhere, "http://10.0.0.4:8080") as node:
            await node.advertise([room])  # logged, not raised
            assert await node.home_of(room) is None
