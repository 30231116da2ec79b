"""Inviting by e-mail people who have no account yet, one at a time or in bulk.

The invited person signs up for real (the e-mailed sign-up link) and is on the team at once;
the invitation's own e-mail is read from the server's mail log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import aiohttp
import pytest

from http_api.keys import DB, MAILER
from http_api.v1 import invitations as invitations_module
from persistence.retention import RetentionPolicy, sweep
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, register, unique_email
from tests.support.projects import ApiClient

pytestmark = pytest.mark.shared_server


async def _mails_to(server: RunningServer, address: str) -> list[EmailMessage]:
    await server.app[MAILER].drain()
    return [m for m in server.app[MAILER].logged if m["To"].lower() == address.lower()]


async def _sign_up(server: RunningServer, email: str, name: str) -> RegisteredUser:
    async with aiohttp.ClientSession() as http:
        return await register(http, server, email=email, name=name)


async def _team(api: ApiClient, owner: RegisteredUser, project: UUID) -> dict[str, str]:
    reply = await api.call("GET", f"/v1/projects/{project}/members", owner)
    return {m["email"]: m["role"] for m in reply.body["items"]}


class TestInviteOne:
    async def test_an_address_without_account_is_invited_and_joins_on_sign_up(
        self, api: ApiClient, server: RunningServer
    ) -> None:
        olga = await api.register("Olga")
        project = await api.create_project(olga, "Field research")
        ana = unique_email("ana")
        reply = await api.call(
            "POST", f"/v1/projects/{project}/members", olga, json={"email": ana, "role": "viewer"}
        )
        assert reply.status == 202, reply.body
        invitation = reply.body
        assert (invitation["email"], invitation["role"]) == (ana, "viewer")
        assert invitation["invited_by"] == str(olga.id)
        assert reply.headers["Location"] == f"/v1/projects/{project}/invitations/{invitation['id']}"
        [mail] = await _mails_to(server, ana)
        assert "Olga invited you to Field research" in mail["Subject"]
        body = mail.get_content()
        assert "/#/signup" in body
        assert "as viewer" in body

        joined = await _sign_up(server, ana, "Ana")
        assert (await _team(api, olga, project))[ana] == "viewer"
        listed = await api.call("GET", f"/v1/projects/{project}/invitations", olga)
        assert listed.body["items"] == []
        # As an owner's add would: audited, and a member.added event for webhooks.
        events = await server.app[DB].fetch(
            "SELECT payload::text AS data FROM outbox "
            "WHERE project_id = $1 AND type = 'member.added'",
            project,
        )
        assert any(str(joined.id) in row["data"] for row in events)
        audited = await server.app[DB].fetchval(
            "SELECT details->>'via' FROM audit_log WHERE action = 'member.added' AND target = $1",
            str(joined.id),
        )
        assert audited == "invitation"

    async def test_inviting_again_renews_without_mailing_twice(
        self, api: ApiClient, server: RunningServer
    ) -> None:
        olga = await api.register("Olga")
        project = await api.create_project(olga, "Renewals")
        bia = unique_email("bia")
        path = f"/v1/projects/{project}/members"
        first = await api.call("POST", path, olga, json={"email": bia, "role": "viewer"})
        again = await api.call("POST", path, olga, json={"email": bia.upper(), "role": "member"})
        assert again.status == 202
        assert again.body["id"] == first.body["id"]
        assert again.body["role"] == "member"
        assert len(await _mails_to(server, bia)) == 1
        await _sign_up(server, bia, "Bia")
        assert (await _team(api, olga, project))[bia] == "member"

    async def test_a_cancelled_invitation_lets_nobody_in(
        self, api: ApiClient, server: RunningServer
    ) -> None:
        olga = await api.register("Olga")
        project = await api.create_project(olga, "Cancelled")
        caio = unique_email("caio")
        made = await api.call("POST", f"/v1/projects/{project}/members", olga, json={"email": caio})
        one = f"/v1/projects/{project}/invitations/{made.body['id']}"
        assert (await api.call("GET", one, olga)).body["email"] == caio
        assert (await api.call("DELETE", one, olga)).status == 204
        assert (await api.call("GET", one, olga)).status == 404
        assert (await api.call("DELETE", one, olga)).status == 404
        await _sign_up(server, caio, "Caio")
        assert caio not in await _team(api, olga, project)

    async def test_an_expired_invitation_is_void_and_swept(
        self, api: ApiClient, server: RunningServer
    ) -> None:
        olga = await api.register("Olga")
        project = await api.create_project(olga, "Expired")
        dani = unique_email("dani")
        made = await api.call("POST", f"/v1/projects/{project}/members", olga, json={"email": dani})
        db = server.app[DB]
        await db.execute(
            "UPDATE member_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1",
            made.body["id"],
        )
        assert (await api.call("GET", f"/v1/projects/{project}/invitations", olga)).body[
            "items"
        ] == []
        swept = await sweep(db, RetentionPolicy(), datetime.now(UTC) + timedelta(seconds=1))
        assert swept["member_invitations"] >= 1
        await _sign_up(server, dani, "Dani")
        assert dani not in await _team(api, olga, project)

    async def test_only_owners_invite_and_see_invitations(
        self, api: ApiClient, server: RunningServer
    ) -> None:
        olga = await api.register("Olga")
        member = await api.register("Mia")
        stranger = await api.register("Sal")
        project = await api.create_project(olga, "Closed")
        await api.call(
            "POST", f"/v1/projects/{project}/members", olga, json={"email": member.email}
        )
        body = {"email": unique_email("eli")}
        path = f"/v1/projects/{project}/members"
        assert (await api.call("POST", path, member, json=body)).status == 403
        assert (await api.call("POST", path, stranger, json=body)).status == 404
        listing = f"/v1/projects/{project}/invitations"
        assert (await api.call("GET", listing, member)).status == 403
        assert (await api.call("GET", listing, stranger)).status == 404
        assert await _mails_to(server, body["email"]) == []

    async def test_a_project_holds_a_bounded_number_of_invitations(
        self, api: ApiClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(invitations_module, "MAX_PENDING", 2)
        olga = await api.register("Olga")
        project = await api.create_project(olga, "Spam guard")
        path = f"/v1/projects/{project}/members"
        for _ in range(2):
            ok = await api.call("POST", path, olga, json={"email": unique_email("x")})
            assert ok.status == 202
        refused = await api.call("POST", path, olga, json={"email": unique_email("x")})
        assert refused.status == 409
        assert "pending invitations" in refused.body["detail"]


class TestBulk:
    async def test_adds_invites_and_leaves_members_in_one_go(
        self, api: ApiClient, server: RunningServer
    ) -> None:
        olga = await api.register("Olga")
        bruno = await api.register("Bruno")
        carla = await api.register("Carla")
        project = await api.create_project(olga, "Workshop of 50")
        await api.call("POST", f"/v1/projects/{project}/members", olga, json={"email": carla.email})
        new = [unique_email(f"p{i}") for i in range(3)]
        emails = [bruno.email, new[0], carla.email, new[1], new[0].upper(), new[2]]
        reply = await api.call(
            "POST", f"/v1/projects/{project}/members/bulk", olga,
            json={"emails": emails, "role": "member"},
        )  # fmt: skip
        assert reply.status == 200, reply.body
        outcomes = [(r["email"], r["outcome"]) for r in reply.body["results"]]
        assert outcomes == [
            (bruno.email, "added"),
            (new[0], "invited"),
            (carla.email, "already_member"),
            (new[1], "invited"),
            (new[2], "invited"),
        ]
        team = await _team(api, olga, project)
        assert team[bruno.email] == "member"
        pending = await api.call("GET", f"/v1/projects/{project}/invitations", olga)
        assert sorted(i["email"] for i in pending.body["items"]) == sorted(new)
        for address in new:
            assert len(await _mails_to(server, address)) == 1

    @pytest.mark.parametrize(
        ("body", "where"),
        [
            ({"emails": []}, "emails"),
            ({"emails": ["ok@example.com", "not an address"]}, "emails.1"),
            ({"emails": [f"p{i}@example.com" for i in range(101)]}, "emails"),
            ({"emails": ["ok@example.com"], "role": "admin"}, "role"),
        ],
    )
    async def test_bad_input_changes_nothing(
        self, api: ApiClient, body: dict[str, Any], where: str
    ) -> None:
        olga = await api.register("Olga")
        project = await api.create_project(olga, "Strict")
        reply = await api.call("POST", f"/v1/projects/{project}/members/bulk", olga, json=body)
        assert reply.status == 422, reply.body
        assert any(e["field"].startswith(where) for e in reply.body["errors"]), reply.body
        pending = await api.call("GET", f"/v1/projects/{project}/invitations", olga)
        assert pending.body["items"] == []
