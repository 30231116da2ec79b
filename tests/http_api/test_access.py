"""The permission matrix of the project endpoints: every role, on its project and on another.

Admin everything; owner the project and its team; member read and write; viewer read (the
product guide). Someone not on a project's team gets 404 for it, exactly as for a project that
does not exist, so project ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

import pytest

from tests.support.api import RegisteredUser
from tests.support.projects import ROLES, ApiClient, Reply, Team, make_team

pytestmark = pytest.mark.shared_server


@pytest.fixture
async def team(api: ApiClient) -> Team:
    return await make_team(api)


Call = Callable[[ApiClient, Team, RegisteredUser, UUID], Awaitable[Reply]]


@dataclass(frozen=True)
class Endpoint:
    """One operation, how to call it on a project, and the status each role gets there."""

    name: str
    call: Call
    #: status for admin, owner, member, viewer, stranger on the team's project
    statuses: tuple[int, int, int, int, int]
    #: whether a successful call changes the project (each caller then gets a fresh one)
    changes: bool = False

    @property
    def admin_status(self) -> int:
        return self.statuses[0]


def _target(team: Team, project: UUID) -> UUID:
    """The member whose role is changed or who is removed (on either project)."""
    del project
    return team.outsider.id


def _newcomer(team: Team, project: UUID) -> str:
    """Someone not yet on ``project`` to add: the stranger to the team's, the viewer to others."""
    return team["viewer" if project in team.others else "stranger"].email


async def _update(api: ApiClient, team: Team, user: RegisteredUser, project: UUID) -> Reply:
    body = {"name": "renamed", "description": "", "phase": "define"}
    return await api.call("PUT", f"/v1/projects/{project}", user, json=body)


ENDPOINTS = [
    Endpoint(
        "GET project",
        lambda api, team, user, p: api.call("GET", f"/v1/projects/{p}", user),
        (200, 200, 200, 200, 404),
    ),
    Endpoint("PUT project", _update, (200, 200, 403, 403, 404), changes=True),
    Endpoint(
        "DELETE project",
        lambda api, team, user, p: api.call("DELETE", f"/v1/projects/{p}", user),
        (204, 204, 403, 403, 404),
        changes=True,
    ),
    Endpoint(
        "GET stats",
        lambda api, team, user, p: api.call("GET", f"/v1/projects/{p}/stats", user),
        (200, 200, 200, 200, 404),
    ),
    Endpoint(
        "GET members",
        lambda api, team, user, p: api.call("GET", f"/v1/projects/{p}/members", user),
        (200, 200, 200, 200, 404),
    ),
    Endpoint(
        "POST member",
        lambda api, team, user, p: api.call(
            "POST",
            f"/v1/projects/{p}/members",
            user,
            json={"email": _newcomer(team, p), "role": "viewer"},
        ),
        (201, 201, 403, 403, 404),
        changes=True,
    ),
    Endpoint(
        "PUT member",
        lambda api, team, user, p: api.call(
            "PUT", f"/v1/projects/{p}/members/{_target(team, p)}", user, json={"role": "owner"}
        ),
        (200, 200, 403, 403, 404),
        changes=True,
    ),
    Endpoint(
        "DELETE member",
        lambda api, team, user, p: api.call(
            "DELETE", f"/v1/projects/{p}/members/{_target(team, p)}", user
        ),
        (204, 204, 403, 403, 404),
        changes=True,
    ),
    Endpoint(
        "GET project audit",
        lambda api, team, user, p: api.call("GET", f"/v1/projects/{p}/audit", user),
        (200, 200, 403, 403, 404),
    ),
]


async def test_each_role_gets_exactly_its_status(api: ApiClient, team: Team) -> None:
    """On the team's project each role gets the table's status; on a project whose team they
    are not on, everyone but the admin gets 404, and the admin gets what they get anywhere.

    One test for the whole matrix (registering the team dominates its cost); the assertion
    lists every cell that differs, by endpoint, role and project.
    """
    got: dict[str, int] = {}
    expected: dict[str, int] = {}
    for endpoint in ENDPOINTS:
        for role, status in zip(ROLES, endpoint.statuses, strict=True):
            project = (await team.fresh_projects(api))[0] if endpoint.changes else team.project
            cell = f"{endpoint.name} by {role} on own"
            got[cell] = (await endpoint.call(api, team, team[role], project)).status
            expected[cell] = status
        for role in ("admin", "owner", "member", "viewer"):
            other = (await team.fresh_projects(api))[1] if endpoint.changes else team.other
            cell = f"{endpoint.name} by {role} on other"
            got[cell] = (await endpoint.call(api, team, team[role], other)).status
            expected[cell] = endpoint.admin_status if role == "admin" else 404
    assert got == expected


async def test_a_refusal_does_not_change_anything(api: ApiClient, team: Team) -> None:
    """A viewer's refused PUT and DELETE leave the project as it was."""
    before = await api.call("GET", f"/v1/projects/{team.project}", team["owner"])
    assert (await _update(api, team, team["viewer"], team.project)).status == 403
    deleted = await api.call("DELETE", f"/v1/projects/{team.project}", team["member"])
    assert deleted.status == 403
    after = await api.call("GET", f"/v1/projects/{team.project}", team["owner"])
    assert after.body == before.body


async def test_not_a_member_and_no_such_project_look_the_same(api: ApiClient, team: Team) -> None:
    """The stranger's 404 for an existing project is the 404 for a made-up id, word for word
    apart from the id."""
    made_up = UUID(int=12345)
    real = await api.call("GET", f"/v1/projects/{team.project}", team["stranger"])
    fake = await api.call("GET", f"/v1/projects/{made_up}", team["stranger"])
    assert (real.status, fake.status) == (404, 404)
    assert real.body["detail"].replace(str(team.project), "ID") == fake.body["detail"].replace(
        str(made_up), "ID"
    )


async def test_anyone_signed_in_may_create_and_list(api: ApiClient, team: Team) -> None:
    """Project roles are per project: every account may create projects and list its own."""
    for role in ROLES:
        user = team[role]
        created = await api.call("POST", "/v1/projects", user, json={"name": f"{role}'s own"})
        assert created.status == 201, role
        listing = await api.call("GET", "/v1/projects", user, params={"q": f"{role}'s own"})
        assert [item["id"] for item in listing.body["items"]] == [created.body["id"]], role


async def test_listings_show_each_caller_their_own_projects(api: ApiClient, team: Team) -> None:
    """The team's members list the team's project; the stranger lists only theirs; the admin
    lists both."""

    async def ids(role: str) -> set[UUID]:
        reply = await api.call("GET", "/v1/projects", team[role], params={"limit": 100})
        return {UUID(item["id"]) for item in reply.body["items"]}

    both = {team.project, team.other}
    for role in ("owner", "member", "viewer"):
        assert (await ids(role)) & both == {team.project}, role
    assert (await ids("stranger")) & both == {team.other}
    assert (await ids("admin")) >= both


async def test_only_admins_read_the_global_audit_log(api: ApiClient, team: Team) -> None:
    """GET /v1/audit is for admins; owners have their projects' logs instead."""
    statuses = {role: (await api.call("GET", "/v1/audit", team[role])).status for role in ROLES}
    assert statuses == {"admin": 200, "owner": 403, "member": 403, "viewer": 403, "stranger": 403}
