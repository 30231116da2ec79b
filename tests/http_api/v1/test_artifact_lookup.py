"""Item routes find artifacts through the index, never by loading the caller's projects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from prometheus_client import REGISTRY

from collab.artifacts import KINDS
from collab.schema import create_item
from http_api.keys import ROOMS
from tests.conftest import RunningServer, StartServer
from tests.support.projects import ApiClient
from tests.support.yclient import YClient

IDEAS = KINDS["ideas"]


def rooms_loaded() -> float:
    """Rooms loaded from PostgreSQL by every node of this process so far."""
    return REGISTRY.get_sample_value("dttools_room_load_seconds_count") or 0.0


async def _fresh_node(start_server: StartServer) -> RunningServer:
    """Another node on the same database: nothing is open on it."""
    node = await start_server(open_rooms=False)
    assert node.app[ROOMS].rooms == {}
    return node


class TestLookupWithoutLoading:
    async def test_an_unknown_id_opens_no_room(self, start_server: StartServer) -> None:
        """A GET of an id nobody created is 404 with no room loaded, however many projects the
        caller has; a known id loads its own project's room and no other."""
        first = await start_server(open_rooms=False)
        async with ApiClient.open(first) as api:
            alice = await api.register("Alice")
            projects = [await api.create_project(alice, f"p{n}") for n in range(3)]
            ideas = []
            for project in projects:
                reply = await api.call(
                    "POST", f"/v1/projects/{project}/ideas", alice, json={"text": "x"}
                )
                assert reply.status == 201, reply.body
                ideas.append(reply.body["id"])
        node = await _fresh_node(start_server)
        async with ApiClient.open(node) as api:
            loaded = rooms_loaded()
            for path in (f"/v1/ideas/{uuid4().hex}", f"/v1/tests/{uuid4().hex}/results"):
                assert (await api.call("GET", path, alice)).status == 404
            assert node.app[ROOMS].rooms == {}
            assert rooms_loaded() == loaded
            found = await api.call("GET", f"/v1/ideas/{ideas[1]}", alice)
            assert found.status == 200, found.body
            assert list(node.app[ROOMS].rooms) == [str(projects[1])]

    async def test_an_artifact_created_in_a_browser_is_found_on_another_node(
        self, start_server: StartServer
    ) -> None:
        """An idea a socket wrote is found by id at once on its node, and on a node that never
        opened the project once the index has it."""
        first = await start_server(open_rooms=False)
        async with ApiClient.open(first) as api:
            alice = await api.register("Alice")
            project = await api.create_project(alice, "workshop")
            live_id = uuid4().hex

            def write(doc: Any) -> None:
                body = IDEAS.create(text="from a browser")
                create_item(
                    doc, IDEAS, body, author_id=None, now=datetime.now(UTC), item_id=live_id
                )

            browser = await YClient.connect(first.ws_url, str(project), token=alice.access_token)
            try:
                await browser.wait_synced()
                await browser.edit(write)
                await browser.wait_durable()
                here = await api.call("GET", f"/v1/ideas/{live_id}", alice)
                assert (here.status, here.body["text"]) == (200, "from a browser")
            finally:
                await browser.close()
        await first.app[ROOMS].artifacts.written()
        node = await _fresh_node(start_server)
        async with ApiClient.open(node) as api:
            there = await api.call("GET", f"/v1/ideas/{live_id}", alice)
        assert there.status == 200, there.body
        assert list(node.app[ROOMS].rooms) == [str(project)]

    async def test_someone_elses_artifact_is_not_found_and_loads_nothing(
        self, start_server: StartServer
    ) -> None:
        """An id in a project the caller is not on answers 404 before any room is read."""
        first = await start_server(open_rooms=False)
        async with ApiClient.open(first) as api:
            alice, mallory = await asyncio.gather(api.register("Alice"), api.register("Mal"))
            project = await api.create_project(alice, "private")
            reply = await api.call(
                "POST", f"/v1/projects/{project}/ideas", alice, json={"text": "x"}
            )
            idea = reply.body["id"]
        node = await _fresh_node(start_server)
        async with ApiClient.open(node) as api:
            assert (await api.call("GET", f"/v1/ideas/{idea}", mallory)).status == 404
        assert node.app[ROOMS].rooms == {}
