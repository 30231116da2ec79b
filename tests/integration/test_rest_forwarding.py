"""REST requests for a room busy on another node are forwarded there, not loaded twice.

Two in-process nodes share PostgreSQL and a real Redis; a real Yjs client edits the project
on node A, and an integrator calls node B.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import redis.asyncio as redis
from aiohttp.test_utils import TestServer
from pycrdt import Map

from http_api.app import create_app
from http_api.forwarding import FORWARDED_HEADER
from http_api.keys import ROOMS
from http_api.settings import Settings
from rooms.manager import FORWARD_PER_WINDOW
from tests.conftest import RunningServer
from tests.support.ports import free_port
from tests.support.projects import ApiClient
from tests.support.redis_server import RedisServer
from tests.support.yclient import YClient

MakeSettings = Callable[..., Settings]
AiohttpServer = Callable[..., Awaitable[TestServer]]


async def _node(
    make_settings: MakeSettings, aiohttp_server: AiohttpServer, redis_url: str
) -> RunningServer:
    """A node that advertises its own URL (known before it starts: a free port)."""
    port = free_port()
    settings = make_settings(redis_url=redis_url, node_url=f"http://127.0.0.1:{port}")
    app = create_app(settings)
    return RunningServer(app, await aiohttp_server(app, host="127.0.0.1", port=port))


def _idea_texts(doc: Any) -> list[str]:
    ideas: Map[Any] = doc.get("ideas", type=Map)
    return sorted(str(entry.get("text")) for entry in ideas.values() if isinstance(entry, Map))


async def test_requests_for_a_busy_room_go_to_its_node(
    make_settings: MakeSettings, aiohttp_server: AiohttpServer, redis_server: RedisServer
) -> None:
    a = await _node(make_settings, aiohttp_server, redis_server.url)
    b = await _node(make_settings, aiohttp_server, redis_server.url)
    async with ApiClient.open(a) as on_a, ApiClient.open(b) as on_b:
        alice = await on_a.register("Alice")
        project = await on_a.create_project(alice, "workshop")
        room = str(project)
        browser = await YClient.connect(a.ws_url, room, token=alice.access_token)
        try:
            await browser.wait_synced()
            await a.app[ROOMS].advertise(time.monotonic())  # as its maintenance does
            made = await on_b.call(
                "POST", f"/v1/projects/{project}/ideas", alice, json={"text": "via B"}
            )
            assert made.status == 201, made.body
            assert made.headers["Location"] == f"/v1/ideas/{made.body['id']}"
            await browser.wait_for(lambda: _idea_texts(browser.doc) == ["via B"])
            listed = await on_b.call("GET", f"/v1/projects/{project}/ideas", alice)
            assert [item["text"] for item in listed.body["items"]] == ["via B"]
            again = await on_b.call(
                "GET",
                f"/v1/projects/{project}/ideas",
                alice,
                headers={"If-None-Match": listed.headers["ETag"]},
            )
            assert again.status == 304
            one = await on_b.call("GET", f"/v1/ideas/{made.body['id']}", alice)
            assert one.status == 200
            assert room not in b.app[ROOMS].rooms  # B never loaded a copy
            # A request already forwarded once is served where it lands.
            here = await on_b.call(
                "GET", f"/v1/projects/{project}/ideas", alice, headers={FORWARDED_HEADER: "x"}
            )
            assert here.status == 200
            assert room in b.app[ROOMS].rooms
        finally:
            await browser.close()


async def test_a_node_that_cannot_be_reached_is_not_waited_for(
    make_settings: MakeSettings, aiohttp_server: AiohttpServer, redis_server: RedisServer
) -> None:
    """The home node is gone (its advertisement not yet expired): B serves from its copy."""
    b = await _node(make_settings, aiohttp_server, redis_server.url)
    async with ApiClient.open(b) as on_b:
        alice = await on_b.register("Alice")
        project: UUID = await on_b.create_project(alice, "workshop")
        client: Any = redis.Redis.from_url(redis_server.url)
        try:
            dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
            await client.set(f"dttools:home:{project}", dead, ex=30)
        finally:
            await client.aclose()
        made = await on_b.call("POST", f"/v1/projects/{project}/ideas", alice, json={"text": "x"})
        assert made.status == 201, made.body
        assert str(project) in b.app[ROOMS].rooms


async def test_a_room_asked_for_often_gets_a_copy_here(
    make_settings: MakeSettings, aiohttp_server: AiohttpServer, redis_server: RedisServer
) -> None:
    """Forwarding pays for sparse requests; past FORWARD_PER_WINDOW in a window, a copy
    (one load, then the bus keeps it current) is cheaper, so B loads the room."""
    a = await _node(make_settings, aiohttp_server, redis_server.url)
    b = await _node(make_settings, aiohttp_server, redis_server.url)
    async with ApiClient.open(a) as on_a, ApiClient.open(b) as on_b:
        alice = await on_a.register("Alice")
        project = await on_a.create_project(alice, "workshop")
        browser = await YClient.connect(a.ws_url, str(project), token=alice.access_token)
        try:
            await browser.wait_synced()
            await a.app[ROOMS].advertise(time.monotonic())
            path = f"/v1/projects/{project}/ideas"
            for _ in range(FORWARD_PER_WINDOW):
                assert (await on_b.call("GET", path, alice)).status == 200
            assert str(project) not in b.app[ROOMS].rooms
            assert (await on_b.call("GET", path, alice)).status == 200
            assert str(project) in b.app[ROOMS].rooms
        finally:
            await browser.close()
