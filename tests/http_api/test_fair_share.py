"""Fair share between accounts over real sockets: sockets per account and per address, room
loads per account, projects per account; each refusal is clear and counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import websockets
from prometheus_client import REGISTRY

from collab.close import CloseCode
from collab.codec import encode
from collab.messages import SyncStep1
from http_api.keys import AUTH, DB, ROOMS
from persistence import accounts
from rooms.fair_share import Share
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser, read_problem, unique_email
from tests.support.postgres import until_lock_waiters
from tests.support.projects import ApiClient
from tests.support.timing import TIMEOUT
from tests.support.yclient import YClient


def refusals(share: Share) -> float:
    """How many refusals ``dttools_fair_share_refusals_total`` counted for ``share``."""
    value = REGISTRY.get_sample_value("dttools_fair_share_refusals_total", {"limit": share.value})
    return value or 0.0


@asynccontextmanager
async def socket(
    server: RunningServer,
    room: UUID | str,
    user: RegisteredUser | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[YClient]:
    """A y-websocket client of ``room`` (as ``user``, or anonymous), closed on exit."""
    url = f"{server.ws_url}/{room}" + (f"?token={user.access_token}" if user else "")
    ws = await websockets.connect(url, open_timeout=TIMEOUT, additional_headers=headers or {})
    client = YClient(ws)
    with suppress(websockets.ConnectionClosed):  # refused at once: see close_code
        await ws.send(encode(SyncStep1(client.doc.get_state())))
    try:
        yield client
    finally:
        await client.close()


async def _refused(client: YClient) -> str:
    """The reason ``client`` was closed with 4429."""
    await client.wait_closed()
    assert client.close_code == CloseCode.RATE_LIMITED, (client.close_code, client.close_reason)
    return client.close_reason


class TestSocketsPerAccount:
    async def test_an_account_past_its_cap_is_refused_while_another_connects(
        self, start_server: StartServer
    ) -> None:
        """Alice's third socket is closed with 4429 before its room is loaded; Bob, on the same
        address and project, still connects."""
        server = await start_server(open_rooms=False, max_sockets_per_user=2)
        async with ApiClient.open(server) as api:
            alice, bob = await asyncio.gather(api.register("Alice"), api.register("Bob"))
            project = await api.create_project(alice, "workshop")
            unopened = await api.create_project(alice, "another")
            await api.add_member(alice, project, bob, "member")
        before = refusals(Share.SOCKETS_PER_USER)
        async with socket(server, project, alice) as one, socket(server, project, alice) as two:
            await asyncio.gather(one.wait_synced(), two.wait_synced())
            async with socket(server, unopened, alice) as third:
                assert "account" in await _refused(third)
            assert str(unopened) not in server.app[ROOMS].rooms
            async with socket(server, project, bob) as bobs:
                await bobs.wait_synced()
        assert refusals(Share.SOCKETS_PER_USER) == before + 1

    async def test_a_workshop_of_fifty_behind_one_address_all_connect(
        self, start_server: StartServer
    ) -> None:
        """Fifty accounts on 127.0.0.1, one socket each, all sync under the default caps."""
        server = await start_server(open_rooms=False)
        people = [await _signed_in(server, f"P{n}") for n in range(50)]
        async with ApiClient.open(server) as api:
            project = await api.create_project(people[0], "workshop")
            for person in people[1:]:
                await api.add_member(people[0], project, person, "member")
        async with asyncio.TaskGroup() as group:
            clients = [group.create_task(_synced(server, project, p)) for p in people]
        shares = server.app[ROOMS].fair_share
        try:
            assert shares.sockets_per_address.held("127.0.0.1") == 50
        finally:
            for client in clients:
                await client.result().close()

    async def test_an_address_past_its_cap_is_refused_but_proxied_clients_count_apart(
        self, start_server: StartServer, room: str
    ) -> None:
        """Anonymous sockets from one address stop at its cap; behind a trusted proxy each
        client is counted by its own address (X-Forwarded-For)."""
        server = await start_server(max_sockets_per_address=2, trusted_proxies="127.0.0.1")
        before = refusals(Share.SOCKETS_PER_ADDRESS)
        forwarded = {"X-Forwarded-For": "198.51.100.7"}
        async with (
            socket(server, room, headers=forwarded) as one,
            socket(server, room, headers=forwarded) as two,
        ):
            await asyncio.gather(one.wait_synced(), two.wait_synced())
            async with socket(server, room, headers=forwarded) as third:
                assert "address" in await _refused(third)
            async with socket(server, room, headers={"X-Forwarded-For": "203.0.113.9"}) as other:
                await other.wait_synced()
        assert refusals(Share.SOCKETS_PER_ADDRESS) == before + 1


async def _signed_in(server: RunningServer, name: str) -> RegisteredUser:
    """An account and a login session, written as sign-up and login write them but without
    hashing a password (fifty real sign-ups spend twenty seconds in argon2)."""
    db, now = server.app[DB], datetime.now(UTC)
    user = await accounts.create_user(db, uuid4(), unique_email(), name, "not-a-hash")
    session = uuid4()
    await accounts.create_session(db, session, user.id, now + timedelta(hours=1), None, None)
    token, _expires = server.app[AUTH].signer.issue(user.id, session, now)
    assert user.email is not None
    return RegisteredUser(user.id, user.email, name, password="", access_token=token)


async def _synced(server: RunningServer, project: UUID, user: RegisteredUser) -> YClient:
    client = await YClient.connect(server.ws_url, str(project), token=user.access_token)
    await client.wait_synced()
    return client


async def until_loads_held(server: RunningServer, user: RegisteredUser, count: int) -> None:
    """Wait until ``count`` room loads of ``user`` are under way (no event exists: polled)."""
    loads = server.app[ROOMS].fair_share.loads_per_user
    async with asyncio.timeout(TIMEOUT):
        while True:
            if loads.held(str(user.id)) >= count:
                return
            await asyncio.sleep(0.01)


class TestLoadsPerAccount:
    async def test_concurrent_loads_past_the_cap_are_429_with_retry_after(
        self, start_server: StartServer
    ) -> None:
        """While two of Alice's reads wait for PostgreSQL to load their rooms, her third read
        of a room not open is refused (429, Retry-After); Bob's load goes ahead."""
        server = await start_server(open_rooms=False, max_loads_per_user=2)
        async with ApiClient.open(server) as api:
            alice, bob = await asyncio.gather(api.register("Alice"), api.register("Bob"))
            mine = [await api.create_project(alice, f"p{n}") for n in range(3)]
            bobs = await api.create_project(bob, "bob's")
            before = refusals(Share.LOADS_PER_USER)

            def read(user: RegisteredUser, project: UUID) -> Any:
                return api.call("GET", f"/v1/projects/{project}/document", user)

            async with server.app[DB].acquire() as blocker, blocker.transaction():
                # Loads read room_snapshots: hold them there.
                await blocker.execute("LOCK TABLE room_snapshots IN ACCESS EXCLUSIVE MODE")
                waiting = [asyncio.create_task(read(alice, p)) for p in mine[:2]]
                # Both loads started; they may share one statement (loads are batched).
                await until_loads_held(server, alice, 2)
                await until_lock_waiters(blocker, 1)
                async with api.http.get(
                    f"{server.http_url}/v1/projects/{mine[2]}/document", headers=alice.headers
                ) as response:
                    problem = await read_problem(response, 429)
                    assert int(response.headers["Retry-After"]) >= 1
                assert problem["type"].endswith("/fair-share-exceeded")
                waiting.append(asyncio.create_task(read(bob, bobs)))
                await until_loads_held(server, bob, 1)
                await until_lock_waiters(blocker, 2)  # Alice's batch is in flight: Bob's own
            replies = await asyncio.gather(*waiting)
        assert [reply.status for reply in replies] == [200, 200, 200]
        assert str(mine[2]) not in server.app[ROOMS].rooms
        assert refusals(Share.LOADS_PER_USER) == before + 1


class TestProjectsPerAccount:
    async def test_creating_past_the_cap_is_a_409_problem(self, start_server: StartServer) -> None:
        """Alice's third project is refused with a clear problem; Bob may still create one,
        and Alice may again once she deleted one."""
        server = await start_server(max_projects_per_user=2)
        async with ApiClient.open(server) as api:
            alice, bob = await asyncio.gather(api.register("Alice"), api.register("Bob"))
            first = await api.create_project(alice, "one")
            await api.create_project(alice, "two")
            before = refusals(Share.PROJECTS_PER_USER)
            async with api.http.post(
                f"{server.http_url}/v1/projects", json={"name": "three"}, headers=alice.headers
            ) as response:
                problem = await read_problem(response, 409)
            assert problem["type"].endswith("/project-limit-reached")
            assert "2" in problem["detail"]
            assert refusals(Share.PROJECTS_PER_USER) == before + 1
            await api.create_project(bob, "bob's")
            assert (await api.call("DELETE", f"/v1/projects/{first}", alice)).status == 204
            await api.create_project(alice, "three")
