"""/v1/projects/{id}/members: add by e-mail, change roles, remove, leave; one owner always stays."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from collab.close import CloseCode
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient
from tests.support.yclient import YClient

pytestmark = pytest.mark.shared_server


@pytest.fixture
async def people(api: ApiClient) -> tuple[RegisteredUser, RegisteredUser, RegisteredUser]:
    """Alice, Bob and Carol."""
    alice, bob, carol = await asyncio.gather(*(api.register(n) for n in ("Alice", "Bob", "Carol")))
    return alice, bob, carol


Trio = tuple[RegisteredUser, RegisteredUser, RegisteredUser]


async def roles(api: ApiClient, project: UUID, as_user: RegisteredUser) -> dict[str, str]:
    """The team as {name: role}."""
    reply = await api.call("GET", f"/v1/projects/{project}/members", as_user)
    assert reply.status == 200, reply.body
    assert reply.body["next_cursor"] is None
    return {m["name"]: m["role"] for m in reply.body["items"]}


async def test_the_team_is_paged_in_the_order_people_joined(api: ApiClient, people: Trio) -> None:
    alice, bob, carol = people
    project = await api.create_project(alice, "Paged team")
    for person in (bob, carol):
        body = {"email": person.email, "role": "member"}
        assert (
            await api.call("POST", f"/v1/projects/{project}/members", alice, json=body)
        ).status == 201
    path = f"/v1/projects/{project}/members"
    first = await api.call("GET", path, bob, params={"limit": 2})
    rest = await api.call(
        "GET", path, bob, params={"limit": 2, "cursor": first.body["next_cursor"]}
    )
    names = [m["name"] for m in first.body["items"] + rest.body["items"]]
    assert names == ["Alice", "Bob", "Carol"]
    assert rest.body["next_cursor"] is None


class TestAdd:
    async def test_an_owner_adds_people_by_email_in_any_case(
        self, api: ApiClient, people: Trio
    ) -> None:
        """The address is matched case-insensitively; the new member sees the project."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        reply = await api.call(
            "POST",
            f"/v1/projects/{project}/members",
            alice,
            json={"email": bob.email.upper(), "role": "viewer"},
        )
        assert reply.status == 201
        assert reply.body["user_id"] == str(bob.id)
        assert (reply.body["email"], reply.body["name"], reply.body["role"]) == (
            bob.email,
            "Bob",
            "viewer",
        )
        assert reply.headers["Location"] == f"/v1/projects/{project}/members/{bob.id}"
        seen = await api.call("GET", f"/v1/projects/{project}", bob)
        assert (seen.status, seen.body["role"]) == (200, "viewer")

    async def test_the_role_defaults_to_member(self, api: ApiClient, people: Trio) -> None:
        """Adding without a role makes a member (read and write)."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        body = {"email": bob.email}
        reply = await api.call("POST", f"/v1/projects/{project}/members", alice, json=body)
        assert (reply.status, reply.body["role"]) == (201, "member")

    async def test_an_unknown_address_is_invited(self, api: ApiClient, people: Trio) -> None:
        """Nobody has this address: it is invited (202, the invitation) instead of added;
        tests/http_api/v1/test_invitations.py follows it to the sign-up."""
        alice, _, _ = people
        project = await api.create_project(alice, "Team")
        reply = await api.call(
            "POST",
            f"/v1/projects/{project}/members",
            alice,
            json={"email": "nobody@example.com", "role": "member"},
        )
        assert reply.status == 202
        assert (reply.body["email"], reply.body["role"]) == ("nobody@example.com", "member")

    async def test_adding_a_member_twice_conflicts(self, api: ApiClient, people: Trio) -> None:
        """A second add (even with another role) is 409 and the first role stands."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "viewer")
        reply = await api.call(
            "POST",
            f"/v1/projects/{project}/members",
            alice,
            json={"email": bob.email, "role": "owner"},
        )
        assert reply.status == 409
        assert await roles(api, project, alice) == {"Alice": "owner", "Bob": "viewer"}

    @pytest.mark.parametrize(
        "body",
        [
            {"email": "not an address", "role": "member"},
            {"email": "x@example.com", "role": "admin"},
            {"email": "x@example.com", "role": "member", "note": "hi"},
        ],
    )
    async def test_invalid_bodies_are_refused(
        self, api: ApiClient, people: Trio, body: dict[str, str]
    ) -> None:
        """Bad addresses, the admin role (an account role) and unknown fields get 422."""
        alice, _, _ = people
        project = await api.create_project(alice, "Team")
        reply = await api.call("POST", f"/v1/projects/{project}/members", alice, json=body)
        assert reply.status == 422


class TestChangeRole:
    async def test_an_owner_changes_a_role(self, api: ApiClient, people: Trio) -> None:
        """PUT sets the role; the member's next request acts with it."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "viewer")
        path = f"/v1/projects/{project}/members/{bob.id}"
        reply = await api.call("PUT", path, alice, json={"role": "owner"})
        assert (reply.status, reply.body["role"]) == (200, "owner")
        update = {"name": "Bob renamed it", "description": "", "phase": "define"}
        assert (await api.call("PUT", f"/v1/projects/{project}", bob, json=update)).status == 200

    async def test_the_last_owner_cannot_step_down(self, api: ApiClient, people: Trio) -> None:
        """Downgrading the only owner is 409; with a second owner it works."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        path = f"/v1/projects/{project}/members/{alice.id}"
        refused = await api.call("PUT", path, alice, json={"role": "member"})
        assert refused.status == 409
        assert "last owner" in refused.body["detail"]
        bob_path = f"/v1/projects/{project}/members/{bob.id}"
        assert (await api.call("PUT", bob_path, alice, json={"role": "owner"})).status == 200
        assert (await api.call("PUT", path, alice, json={"role": "member"})).status == 200
        assert await roles(api, project, bob) == {"Alice": "member", "Bob": "owner"}

    async def test_two_owners_stepping_down_at_once_leave_one(
        self, api: ApiClient, people: Trio
    ) -> None:
        """Concurrent downgrades of both owners: one succeeds, one gets 409."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "owner")
        replies = await asyncio.gather(
            *(
                api.call(
                    "PUT",
                    f"/v1/projects/{project}/members/{user.id}",
                    user,
                    json={"role": "viewer"},
                )
                for user in (alice, bob)
            )
        )
        assert sorted(r.status for r in replies) == [200, 409]
        team = await roles(api, project, alice)
        assert sorted(team.values()) == ["owner", "viewer"]

    async def test_changing_someone_not_on_the_team_is_not_found(
        self, api: ApiClient, people: Trio
    ) -> None:
        """PUT for a user who is not a member is 404."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        reply = await api.call(
            "PUT", f"/v1/projects/{project}/members/{bob.id}", alice, json={"role": "member"}
        )
        assert reply.status == 404


class TestRemove:
    async def test_an_owner_removes_a_member_who_then_loses_access(
        self, api: ApiClient, people: Trio
    ) -> None:
        """After removal the project is, to them, not found."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        reply = await api.call("DELETE", f"/v1/projects/{project}/members/{bob.id}", alice)
        assert reply.status == 204
        assert (await api.call("GET", f"/v1/projects/{project}", bob)).status == 404
        assert await roles(api, project, alice) == {"Alice": "owner"}

    @pytest.mark.parametrize("role", ["viewer", "member", "owner"])
    async def test_anyone_may_leave(self, api: ApiClient, people: Trio, role: str) -> None:
        """Removing yourself needs no manage right, whatever your role (an owner if not last)."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, role)
        reply = await api.call("DELETE", f"/v1/projects/{project}/members/{bob.id}", bob)
        assert reply.status == 204
        assert await roles(api, project, alice) == {"Alice": "owner"}

    async def test_the_last_owner_cannot_leave_or_be_removed(
        self, server: RunningServer, api: ApiClient, people: Trio
    ) -> None:
        """The sole owner leaving is 409, and the team is unchanged."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        reply = await api.call("DELETE", f"/v1/projects/{project}/members/{alice.id}", alice)
        assert reply.status == 409
        assert await roles(api, project, alice) == {"Alice": "owner", "Bob": "member"}

    async def test_a_member_cannot_remove_someone_else(self, api: ApiClient, people: Trio) -> None:
        """Only owners manage the team: a member removing a viewer gets 403."""
        alice, bob, carol = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        await api.add_member(alice, project, carol, "viewer")
        reply = await api.call("DELETE", f"/v1/projects/{project}/members/{carol.id}", bob)
        assert reply.status == 403
        assert await roles(api, project, alice) == {
            "Alice": "owner",
            "Bob": "member",
            "Carol": "viewer",
        }

    async def test_removing_a_non_member_is_not_found(self, api: ApiClient, people: Trio) -> None:
        """DELETE for someone not on the team is 404."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        reply = await api.call("DELETE", f"/v1/projects/{project}/members/{bob.id}", alice)
        assert reply.status == 404


class TestLiveSockets:
    """Access that shrinks takes effect on open sockets too, not only on the next request."""

    @pytest.fixture
    async def server(self, start_server: StartServer) -> RunningServer:
        """A server that checks room access (the product's default)."""
        return await start_server(open_rooms=False)

    @staticmethod
    async def connect(server: RunningServer, project: UUID, user: RegisteredUser) -> YClient:
        assert user.access_token is not None
        client = await YClient.connect(
            server.ws_url, f"{project}?token={user.access_token}", ext=False
        )
        await client.wait_synced()
        return client

    async def test_a_removed_member_is_disconnected(
        self, server: RunningServer, api: ApiClient, people: Trio
    ) -> None:
        """Removing Bob closes his socket with 4403; Alice's stays open."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        async with (
            await self.connect(server, project, alice) as owner,
            await self.connect(server, project, bob) as removed,
        ):
            reply = await api.call("DELETE", f"/v1/projects/{project}/members/{bob.id}", alice)
            assert reply.status == 204
            await removed.wait_closed()
            assert removed.close_code == CloseCode.FORBIDDEN
            assert "removed" in removed.close_reason
            assert not owner.closed.is_set()

    async def test_a_role_change_disconnects_so_the_member_rejoins_with_it(
        self, server: RunningServer, api: ApiClient, people: Trio
    ) -> None:
        """Bob, downgraded to viewer, is closed with 4403 and may connect again (as a viewer)."""
        alice, bob, _ = people
        project = await api.create_project(alice, "Team")
        await api.add_member(alice, project, bob, "member")
        async with await self.connect(server, project, bob) as before:
            reply = await api.call(
                "PUT", f"/v1/projects/{project}/members/{bob.id}", alice, json={"role": "viewer"}
            )
            assert reply.status == 200
            await before.wait_closed()
            assert before.close_code == CloseCode.FORBIDDEN
        async with await self.connect(server, project, bob) as after:
            assert not after.closed.is_set()
