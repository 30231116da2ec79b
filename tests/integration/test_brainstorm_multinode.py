"""Brainstorm sessions on two nodes sharing PostgreSQL and Redis: one truth, one timer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pycrdt import Map

from collab.brainstorm import brainstorm_room, private_room
from collab.brainstorm_doc import read_snapshot
from http_api.keys import DB, ROOMS
from http_api.settings import Settings
from tests.support.access import start_node
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient, Reply
from tests.support.redis_server import RedisServer
from tests.support.yclient import YClient

MakeSettings = Callable[..., Settings]
AiohttpServer = Callable[..., Awaitable[TestServer]]


@dataclass
class TwoNodes:
    """Node A and node B, a REST client of each, an owner and a participant on one project."""

    a: ApiClient
    b: ApiClient
    owner: RegisteredUser
    member: RegisteredUser
    project: UUID

    def path(self, suffix: str = "") -> str:
        return f"/v1/projects/{self.project}/brainstorm{suffix}"

    async def call(
        self, node: ApiClient, who: RegisteredUser, method: str, suffix: str = "", json: Any = None
    ) -> Reply:
        return await node.call(method, self.path(suffix), who, json=json)

    async def live(self, node: ApiClient, who: RegisteredUser, room: str) -> YClient:
        client = await YClient.connect(node.server.ws_url, room, token=who.access_token)
        await client.wait_synced()
        return client


@pytest.fixture
async def nodes(
    make_settings: MakeSettings, aiohttp_server: AiohttpServer, redis_server: RedisServer
) -> AsyncIterator[TwoNodes]:
    first, second = [
        await start_node(
            make_settings, aiohttp_server, redis_url=redis_server.url, open_rooms=False
        )
        for _ in range(2)
    ]
    async with aiohttp.ClientSession() as http:
        a, b = ApiClient(first, http), ApiClient(second, http)
        owner, member = await asyncio.gather(a.register("Owner"), b.register("Member"))
        project = await a.create_project(owner, "Two-node workshop")
        await a.add_member(owner, project, member, "member")
        yield TwoNodes(a, b, owner, member, project)


async def ideas_on_board(nodes: TwoNodes, count: int) -> list[str]:
    ids = []
    for n in range(count):
        reply = await nodes.a.call(
            "POST", f"/v1/projects/{nodes.project}/ideas", nodes.owner, json={"text": f"idea {n}"}
        )
        assert reply.status == 201, reply.body
        ids.append(reply.body["id"])
    return ids


def snapshot_of(client: YClient) -> dict[str, Any]:
    return read_snapshot(client.doc) or {}


class TestVotingAcrossNodes:
    async def test_concurrent_votes_on_two_nodes_keep_each_persons_limit(
        self, nodes: TwoNodes
    ) -> None:
        """Twelve dots sent at once, half to each node, for three votes: three are stored;
        then eight dots on one idea (no stacking) by the owner: one is stored."""
        ideas = await ideas_on_board(nodes, 6)
        body = {"prompt": "vote!", "phase": "voting", "votes_per_person": 3}
        started = await nodes.call(nodes.a, nodes.owner, "POST", json=body)
        assert started.status == 201, started.body
        votes = f"/{started.body['id']}/votes"

        async def dot(n: int, who: RegisteredUser, idea: str) -> int:
            node = nodes.a if n % 2 else nodes.b
            return (await nodes.call(node, who, "POST", votes, {"idea_id": idea})).status

        statuses = await asyncio.gather(*(dot(n, nodes.member, ideas[n % 6]) for n in range(12)))
        assert sorted(statuses) == [201] * 3 + [409] * 9
        same = await asyncio.gather(*(dot(n, nodes.owner, ideas[0]) for n in range(8)))
        assert sorted(same) == [201] + [409] * 7
        mine = await nodes.call(nodes.b, nodes.member, "GET", votes)
        assert len(mine.body["votes"]) == len(set(mine.body["votes"])) == 3
        stored = await nodes.a.server.app[DB].fetchval(
            "SELECT count(*) FROM brainstorm_votes WHERE session_id = $1",
            UUID(started.body["id"]),
        )
        assert stored == 4


class TestOneTimer:
    async def test_both_nodes_show_the_same_timer_and_converge_on_the_latest_state(
        self, nodes: TwoNodes
    ) -> None:
        """Changes made on both nodes at once end in one state: both nodes' REST answers give
        the same end time, and clients of each node hold the same, latest snapshot."""
        started = await nodes.call(nodes.a, nodes.owner, "POST", json={"prompt": "timer"})
        sid = started.body["id"]
        watch_a = await nodes.live(nodes.a, nodes.member, brainstorm_room(nodes.project))
        watch_b = await nodes.live(nodes.b, nodes.owner, brainstorm_room(nodes.project))
        try:
            changes = await asyncio.gather(
                nodes.call(nodes.a, nodes.owner, "POST", f"/{sid}/extend", {"seconds": 30}),
                nodes.call(
                    nodes.b, nodes.owner, "POST", f"/{sid}/summon", {"x": 1, "y": 2, "zoom": 1}
                ),
                nodes.call(nodes.b, nodes.owner, "POST", f"/{sid}/extend", {"seconds": 15}),
            )
            assert [reply.status for reply in changes] == [200] * 3
            on_a = await nodes.call(nodes.a, nodes.member, "GET", f"/{sid}")
            on_b = await nodes.call(nodes.b, nodes.member, "GET", f"/{sid}")
            timer_a, timer_b = on_a.body["timer"], on_b.body["timer"]
            assert timer_a["ends_at"] == timer_b["ends_at"]
            assert timer_a["duration_s"] == timer_b["duration_s"] == 300 + 45
            # Each node computes the remaining time with the database's clock at its read.
            clock_a = datetime.fromisoformat(on_a.body["server_time"])
            clock_b = datetime.fromisoformat(on_b.body["server_time"])
            elapsed = (clock_b - clock_a).total_seconds()
            assert timer_a["remaining_s"] - timer_b["remaining_s"] == pytest.approx(
                elapsed, abs=1e-3
            )
            version = on_a.body["version"]
            for client in (watch_a, watch_b):
                await client.wait_for(lambda c=client: snapshot_of(c).get("version") == version)  # type: ignore[misc]
            assert snapshot_of(watch_a) == snapshot_of(watch_b)
            assert snapshot_of(watch_a)["timer"]["durationS"] == 345
            assert snapshot_of(watch_a)["summon"]["x"] == 1
        finally:
            await watch_a.close()
            await watch_b.close()


class TestRevealAcrossNodes:
    async def test_a_reveal_on_one_node_closes_private_sockets_and_fills_boards_on_the_other(
        self, nodes: TwoNodes
    ) -> None:
        """The participant writes on node B; the facilitator reveals on node A: B closes the
        writable private socket and B's board clients receive the note."""
        started = await nodes.call(nodes.a, nodes.owner, "POST", json={"prompt": "reveal"})
        sid = UUID(started.body["id"])
        private = await nodes.live(
            nodes.b, nodes.member, private_room(nodes.project, sid, nodes.member.id)
        )
        board = await nodes.live(nodes.b, nodes.owner, str(nodes.project))
        try:

            def note(doc: Any) -> None:
                doc.get("ideas", type=Map)["n1"] = Map({"id": "n1", "text": "written on B"})

            await private.edit(note)
            await private.wait_durable()
            revealed = await nodes.call(
                nodes.a, nodes.owner, "POST", f"/{sid}/phase", {"phase": "reveal"}
            )
            assert revealed.status == 200, revealed.body
            await private.wait_closed()
            assert private.close_code == 4403
            await board.wait_for(lambda: "n1" in board.doc.get("ideas", type=Map))
            assert board.doc.get("ideas", type=Map)["n1"]["authorId"] == str(nodes.member.id)
        finally:
            await private.close()
            await board.close()


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Poll ``condition`` (for server state no client sees) until it holds."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - no event exists for it
            await asyncio.sleep(0.01)


class TestTimeUpOnTwoNodes:
    async def test_both_nodes_wake_at_zero_and_the_session_advances_once(
        self, nodes: TwoNodes
    ) -> None:
        """Both nodes schedule the end of a session with the advance rule; at zero one of
        them reveals the note and moves to reveal, the other finds it done. Repeated
        wake-ups on both nodes at once change nothing more."""
        from http_api.brainstorm_live import BRAINSTORM_LIVE

        started = await nodes.call(
            nodes.a, nodes.owner, "POST", json={"prompt": "t", "duration_s": 10,
                                                "on_time_up": "advance"},
        )  # fmt: skip
        assert started.status == 201, started.body
        sid = UUID(started.body["id"])
        private = await nodes.live(
            nodes.b, nodes.member, private_room(nodes.project, sid, nodes.member.id)
        )
        board = await nodes.live(nodes.a, nodes.owner, str(nodes.project))
        try:

            def note(doc: Any) -> None:
                doc.get("ideas", type=Map)["n1"] = Map({"id": "n1", "text": "once"})

            await private.edit(note)
            await private.wait_durable()
            db = nodes.a.server.app[DB]
            await db.execute(
                "UPDATE brainstorm_sessions SET timer_started_at = clock_timestamp() "
                "- make_interval(secs => timer_duration_s - 1) WHERE id = $1",
                sid,
            )
            lives = [node.server.app[BRAINSTORM_LIVE] for node in (nodes.a, nodes.b)]
            for live in lives:
                await live.sweep()  # both nodes now wait for the end
            await board.wait_for(lambda: "once" in str(board.doc.get("ideas", type=Map).to_py()))
            await private.wait_closed()
            got = await nodes.call(nodes.b, nodes.member, "GET", f"/{sid}")
            assert got.body["phase"] == "reveal"
            assert got.body["version"] == started.body["version"] + 1
            again = await asyncio.gather(
                *(live.fire(nodes.project, sid) for live in lives for _ in range(3))
            )
            assert again == [None] * 6
            after = await nodes.call(nodes.a, nodes.member, "GET", f"/{sid}")
            assert after.body["version"] == started.body["version"] + 1
            events = await db.fetchval(
                "SELECT count(*) FROM outbox WHERE type = 'idea.created' AND project_id = $1",
                nodes.project,
            )
            assert events == 1
            texts = [idea.get("text") for idea in board.doc.get("ideas", type=Map).to_py().values()]
            assert texts.count("once") == 1
        finally:
            await private.close()
            await board.close()

    async def test_a_board_lock_made_on_one_node_holds_sockets_on_the_other(
        self, nodes: TwoNodes
    ) -> None:
        started = await nodes.call(nodes.a, nodes.owner, "POST", json={"prompt": "lock"})
        sid = started.body["id"]
        member_b = await nodes.live(nodes.b, nodes.member, str(nodes.project))
        owner_b = await nodes.live(nodes.b, nodes.owner, str(nodes.project))
        try:
            locked = await nodes.call(nodes.a, nodes.owner, "POST", f"/{sid}/lock")
            assert locked.status == 200, locked.body
            room = nodes.b.server.app[ROOMS].rooms[str(nodes.project)]
            # No event tells a test that a socket turned read-only: look until it has.
            await until(lambda: sorted(c.locked for c in room.connections) == [False, True])
            await nodes.call(nodes.a, nodes.owner, "POST", f"/{sid}/unlock")

            def member_note(doc: Any) -> None:
                doc.get("ideas", type=Map)["m1"] = Map({"id": "m1", "text": "after unlock"})

            await until(lambda: not any(c.locked for c in room.connections))
            await member_b.edit(member_note)
            await owner_b.wait_for(lambda: "m1" in owner_b.doc.get("ideas", type=Map))
        finally:
            await member_b.close()
            await owner_b.close()
