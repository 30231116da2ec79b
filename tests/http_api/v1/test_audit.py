"""The audit log of project and team changes, and the endpoints that read it."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from http_api.keys import DB
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, make_admin
from tests.support.projects import ApiClient

pytestmark = pytest.mark.shared_server


@pytest.fixture
async def people(
    server: RunningServer, api: ApiClient
) -> tuple[RegisteredUser, RegisteredUser, RegisteredUser]:
    """Alice (who owns projects), Bob, and Root (an admin on no team)."""
    alice, bob, root = await asyncio.gather(*(api.register(n) for n in ("Alice", "Bob", "Root")))
    await make_admin(server.app[DB], root)
    return alice, bob, root


Trio = tuple[RegisteredUser, RegisteredUser, RegisteredUser]


async def project_log(api: ApiClient, project: UUID, user: RegisteredUser) -> list[dict[str, Any]]:
    """A project's whole audit log, oldest first."""
    reply = await api.call("GET", f"/v1/projects/{project}/audit", user, params={"limit": 100})
    assert reply.status == 200, reply.body
    assert reply.body["next_cursor"] is None
    return list(reversed(reply.body["items"]))


class TestRecorded:
    async def test_project_and_team_changes_are_audited_with_their_details(
        self, api: ApiClient, people: Trio
    ) -> None:
        """Create, update, add, change role and remove each leave one entry naming who and what."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Audited")
        update = {"name": "Audited", "description": "new", "phase": "define"}
        await api.call("PUT", f"/v1/projects/{project}", alice, json=update)
        await api.add_member(alice, project, bob, "viewer")
        members = f"/v1/projects/{project}/members/{bob.id}"
        await api.call("PUT", members, alice, json={"role": "member"})
        await api.call("DELETE", members, alice)
        log = await project_log(api, project, alice)
        assert [(e["action"], e["actor_id"], e["target"]) for e in log] == [
            ("project.created", str(alice.id), None),
            ("project.updated", str(alice.id), None),
            ("member.added", str(alice.id), str(bob.id)),
            ("member.role_changed", str(alice.id), str(bob.id)),
            ("member.removed", str(alice.id), str(bob.id)),
        ]
        assert [e["details"] for e in log] == [
            {"name": "Audited"},
            {"fields": ["description", "phase"], "version": 2},
            {"role": "viewer"},
            {"old_role": "viewer", "new_role": "member"},
            {"old_role": "member", "left": False},
        ]
        assert {e["project_id"] for e in log} == {str(project)}

    async def test_leaving_is_audited_as_a_removal_by_yourself(
        self, api: ApiClient, people: Trio
    ) -> None:
        """A member who leaves is both actor and target of member.removed, with left: true."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        await api.call("DELETE", f"/v1/projects/{project}/members/{bob.id}", bob)
        last = (await project_log(api, project, alice))[-1]
        assert (last["action"], last["actor_id"], last["target"]) == (
            "member.removed",
            str(bob.id),
            str(bob.id),
        )
        assert last["details"] == {"old_role": "member", "left": True}

    async def test_refused_and_unchanged_requests_leave_no_entry(
        self, api: ApiClient, people: Trio
    ) -> None:
        """A 403, a 409 and a role 'change' to the same role record nothing."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "viewer")
        before = await project_log(api, project, alice)
        update = {"name": "x", "description": "", "phase": "define"}
        assert (await api.call("PUT", f"/v1/projects/{project}", bob, json=update)).status == 403
        me = f"/v1/projects/{project}/members/{alice.id}"
        assert (await api.call("DELETE", me, alice)).status == 409
        bob_path = f"/v1/projects/{project}/members/{bob.id}"
        assert (await api.call("PUT", bob_path, alice, json={"role": "viewer"})).status == 200
        assert await project_log(api, project, alice) == before

    async def test_an_admin_acting_on_a_foreign_project_is_flagged(
        self, api: ApiClient, people: Trio
    ) -> None:
        """Admin actions on a team they are not on carry as_admin; the owner's own do not."""
        alice, bob, root = people
        project = await api.create_project(alice, "Team")
        await api.add_member(root, project, bob, "member")
        update = {"name": "Fixed by admin", "description": "", "phase": "test"}
        assert (await api.call("PUT", f"/v1/projects/{project}", root, json=update)).status == 200
        log = await project_log(api, project, alice)
        assert [(e["action"], e["details"].get("as_admin")) for e in log] == [
            ("project.created", None),
            ("member.added", True),
            ("project.updated", True),
        ]
        assert {e["actor_id"] for e in log[1:]} == {str(root.id)}

    async def test_a_deleted_projects_history_stays_for_admins(
        self, api: ApiClient, people: Trio
    ) -> None:
        """After deletion the owner cannot read the log (404) but the admin still can."""
        alice, _, root = people
        project = await api.create_project(alice, "Short-lived")
        assert (await api.call("DELETE", f"/v1/projects/{project}", alice)).status == 204
        assert (await api.call("GET", f"/v1/projects/{project}/audit", alice)).status == 404
        reply = await api.call("GET", "/v1/audit", root, params={"project_id": str(project)})
        assert [e["action"] for e in reply.body["items"]] == ["project.deleted", "project.created"]
        assert reply.body["items"][0]["details"] == {"name": "Short-lived"}


class TestReading:
    async def test_owners_do_not_see_addresses_and_browsers_admins_do(
        self, api: ApiClient, people: Trio
    ) -> None:
        """ip and user_agent are personal data: shown in the project log to admins only."""
        alice, _, root = people
        project = await api.create_project(alice, "Team")
        owner_view = (await project_log(api, project, alice))[0]
        admin_view = (await project_log(api, project, root))[0]
        assert (owner_view["ip"], owner_view["user_agent"]) == (None, None)
        assert admin_view["ip"] == "127.0.0.1"
        assert admin_view["user_agent"]
        assert {k: v for k, v in admin_view.items() if k not in ("ip", "user_agent")} == {
            k: v for k, v in owner_view.items() if k not in ("ip", "user_agent")
        }

    async def test_the_global_log_pages_and_filters(self, api: ApiClient, people: Trio) -> None:
        """Filtering by actor and action prefix, 2 per page, walks exactly the matching entries."""
        alice, bob, root = people
        projects = [await api.create_project(bob, f"P{i}") for i in range(3)]
        for project in projects:
            await api.add_member(bob, project, alice, "viewer")
        seen: list[tuple[str, str]] = []
        params: dict[str, str | int] = {"limit": 2, "actor_id": str(bob.id), "action": "member."}
        pages = 0
        while True:
            reply = await api.call("GET", "/v1/audit", root, params=params)
            assert reply.status == 200, reply.body
            pages += 1
            seen += [(e["action"], e["project_id"]) for e in reply.body["items"]]
            if reply.body["next_cursor"] is None:
                break
            params["cursor"] = reply.body["next_cursor"]
        assert pages == 2
        assert seen == [("member.added", str(p)) for p in reversed(projects)]

    async def test_the_project_filter_of_the_global_log(self, api: ApiClient, people: Trio) -> None:
        """?project_id keeps that project's entries only."""
        alice, _, root = people
        first = await api.create_project(alice, "One")
        await api.create_project(alice, "Two")
        reply = await api.call("GET", "/v1/audit", root, params={"project_id": str(first)})
        assert [(e["action"], e["project_id"]) for e in reply.body["items"]] == [
            ("project.created", str(first))
        ]

    @pytest.mark.parametrize(
        ("params", "status"),
        [
            ({"limit": 0}, 422),
            ({"limit": 101}, 422),
            ({"project_id": "nope"}, 422),
            ({"x": "1"}, 422),
            ({"cursor": "WyJ4Il0"}, 400),  # base64url of ["x"]: not an entry id
        ],
    )
    async def test_bad_parameters_are_refused(
        self, api: ApiClient, people: Trio, params: dict[str, str | int], status: int
    ) -> None:
        """Out-of-range limits, malformed ids, unknown parameters and forged cursors."""
        _, _, root = people
        reply = await api.call("GET", "/v1/audit", root, params=params)
        assert reply.status == status, reply.body
