"""REST requests take turns with the sockets (http_api/rest_turns.py), on a real server."""

from __future__ import annotations

import asyncio

import aiohttp

from http_api.keys import ROOMS
from rooms.turn_budget import TurnBudget
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient


async def test_a_burst_of_requests_is_spread_over_turns_and_all_are_answered(
    server: RunningServer, api: ApiClient, alice: RegisteredUser
) -> None:
    """With no budget, one /v1 request starts per turn of the loop: a burst of eight waits
    its turns (counted) and every request is answered as usual."""
    project = await api.create_project(alice, "turns")
    server.app[ROOMS].turns = budget = TurnBudget(0.0)
    responses = await asyncio.gather(
        *(api.call("GET", f"/v1/projects/{project}", alice) for _ in range(8))
    )
    assert [response.status for response in responses] == [200] * 8
    assert budget.deferred > 0


async def test_other_paths_do_not_wait(server: RunningServer) -> None:
    """Health checks and pages are not REST work: they never wait for a turn."""
    server.app[ROOMS].turns = budget = TurnBudget(0.0)
    async with aiohttp.ClientSession() as http:

        async def get(path: str) -> int:
            async with http.get(f"{server.http_url}{path}") as response:
                return response.status

        statuses = await asyncio.gather(*(get("/healthz") for _ in range(8)))
    assert statuses == [200] * 8
    assert budget.deferred == 0
