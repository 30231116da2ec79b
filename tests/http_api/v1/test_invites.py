"""Invite links: owners make and revoke them; people join as members or as guests by name.

Guests are real sessions against a real server: their token opens the project's room with a
real Yjs client, and everything a guest must not do is tried and refused.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from pycrdt import Doc, Map

from collab.close import CloseCode
from http_api.keys import DB, ERASER
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient, Reply
from tests.support.yclient import YClient

pytestmark = pytest.mark.shared_server(open_rooms=False)


@pytest.fixture
async def owner(api: ApiClient) -> RegisteredUser:
    return await api.register("Olga")


async def make_invite(
    api: ApiClient, owner: RegisteredUser, project: UUID, **body: Any
) -> dict[str, Any]:
    reply = await api.call("POST", f"/v1/projects/{project}/invites", owner, json=body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def join(api: ApiClient, token: str, name: str | None, **extra: Any) -> Reply:
    body: dict[str, Any] = {"client": "token", **extra}
    if name is not None:
        body["name"] = name
    return await api.call("POST", f"/v1/invites/{token}/join", None, json=body)


def guest_user(joined: Reply, name: str) -> RegisteredUser:
    """The guest as a caller of the API (its session's access token)."""
    session = joined.body["session"]
    user = session["user"]
    return RegisteredUser(
        UUID(user["id"]), "", name, "", access_token=session["access_token"],
        refresh_token=session["refresh_token"],
    )  # fmt: skip


class TestLinks:
    async def test_an_owner_makes_lists_reads_and_revokes_a_link(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Workshop")
        made = await make_invite(api, owner, project, role="viewer", expires_in_s=3600, max_uses=5)
        assert made["role"] == "viewer"
        assert made["max_uses"] == 5
        assert made["uses"] == 0
        assert made["status"] == "active"
        assert made["token"].startswith("dti_")
        assert made["url"].endswith("/join#token=" + made["token"])
        listed = await api.call("GET", f"/v1/projects/{project}/invites", owner)
        assert [i["id"] for i in listed.body["items"]] == [made["id"]]
        assert "token" not in listed.body["items"][0]  # shown once, never again
        one = await api.call("GET", f"/v1/projects/{project}/invites/{made['id']}", owner)
        assert one.status == 200
        assert one.body["uses"] == 0
        gone = await api.call("DELETE", f"/v1/projects/{project}/invites/{made['id']}", owner)
        assert gone.status == 204
        after = await api.call("GET", f"/v1/projects/{project}/invites/{made['id']}", owner)
        assert after.body["status"] == "revoked"
        refused = await join(api, made["token"], "Late")
        assert refused.status == 410
        assert "revoked" in refused.body["detail"]

    async def test_links_are_stored_hashed(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Hashed")
        made = await make_invite(api, owner, project)
        stored = await server.app[DB].fetchval(
            "SELECT token_hash FROM project_invites WHERE id = $1", UUID(made["id"])
        )
        assert made["token"].encode() not in stored
        assert len(stored) == 32

    async def test_only_owners_make_or_see_links_and_never_for_owner(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Owners only")
        member = await api.register("Mel")
        await api.add_member(owner, project, member, "member")
        stranger = await api.register("Stan")
        path = f"/v1/projects/{project}/invites"
        assert (await api.call("POST", path, member, json={})).status == 403
        assert (await api.call("GET", path, member)).status == 403
        assert (await api.call("POST", path, stranger, json={})).status == 404
        owner_link = await api.call("POST", path, owner, json={"role": "owner"})
        assert owner_link.status == 422
        too_long = await api.call("POST", path, owner, json={"expires_in_s": 31 * 24 * 3600})
        assert too_long.status == 422

    async def test_the_preview_says_where_a_link_leads_without_signing_in(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Preview me")
        made = await make_invite(api, owner, project, role="member")
        seen = await api.call("GET", f"/v1/invites/{made['token']}", None)
        assert seen.status == 200
        assert seen.body["project_name"] == "Preview me"
        assert seen.body["status"] == "active"
        unknown = await api.call("GET", "/v1/invites/dti_not-a-real-link", None)
        assert unknown.status == 404


class TestGuests:
    async def test_a_guest_joins_by_name_and_edits_the_room_live(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Live with guests")
        made = await make_invite(api, owner, project, role="member")
        joined = await join(api, made["token"], "Gina")
        assert joined.status == 200, joined.body
        assert joined.body["guest"] is True
        assert joined.body["role"] == "member"
        assert joined.body["project_id"] == str(project)
        user = joined.body["session"]["user"]
        assert user["email"] is None
        assert user["guest_project"] == str(project)
        gina = guest_user(joined, "Gina")
        assert owner.access_token is not None
        assert gina.access_token is not None
        async with (
            await YClient.connect(
                server.ws_url, f"{project}?token={owner.access_token}", ext=False
            ) as watching,
            await YClient.connect(
                server.ws_url, f"{project}?token={gina.access_token}", ext=False
            ) as socket,
        ):
            await watching.wait_synced()
            await socket.wait_synced()

            def sign(doc: Doc[Any]) -> None:
                doc.get("guestbook", type=Map)["hi"] = "Gina"

            await socket.edit(sign)
            guestbook = watching.doc.get("guestbook", type=Map)
            await watching.wait_for(lambda: guestbook.get("hi") == "Gina")
            team = await api.call("GET", f"/v1/projects/{project}/members", owner)
            guests = [m for m in team.body["items"] if m["guest"]]
            assert [(m["name"], m["email"], m["role"]) for m in guests] == [
                ("Gina", None, "member")
            ]
            idea = await api.call(
                "POST", f"/v1/projects/{project}/ideas", gina, json={"text": "by a guest"}
            )
            assert idea.status == 201, idea.body
            assert not socket.closed.is_set()
        me = await api.call("GET", "/v1/auth/me", gina)
        assert me.status == 200
        assert me.body["guest_project"] == str(project)
        uses = await api.call("GET", f"/v1/projects/{project}/invites/{made['id']}", owner)
        assert uses.body["uses"] == 1

    async def test_a_guest_is_kept_to_its_project_and_cannot_export_or_administer(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Fenced")
        elsewhere = await api.create_project(owner, "Elsewhere")
        made = await make_invite(api, owner, project, role="member")
        gina = guest_user(await join(api, made["token"], "Gina"), "Gina")
        refused = {
            ("POST", "/v1/projects"): {"name": "Mine"},
            ("POST", f"/v1/projects/{project}/export"): {"format": "csv"},
            ("GET", f"/v1/projects/{project}/exports"): None,
            ("POST", "/v1/auth/api-keys"): {"name": "k"},
            ("POST", "/v1/auth/me/export"): None,
            ("POST", f"/v1/projects/{project}/invites"): {},
            ("GET", f"/v1/projects/{project}/audit"): None,
            ("POST", f"/v1/projects/{project}/webhooks"): {"url": "https://example.com/h"},
        }
        for (method, path), body in refused.items():
            reply = await api.call(method, path, gina, json=body)
            assert reply.status == 403, (method, path, reply.status, reply.body)
        assert (await api.call("GET", f"/v1/projects/{elsewhere}", gina)).status == 404
        mine = await api.call("GET", "/v1/projects", gina)
        assert [p["id"] for p in mine.body["items"]] == [str(project)]
        promote = await api.call(
            "PUT", f"/v1/projects/{project}/members/{gina.id}", owner, json={"role": "owner"}
        )
        assert promote.status == 409
        async with await YClient.connect(
            server.ws_url, f"{elsewhere}?token={gina.access_token}", ext=False
        ) as outside:
            await outside.wait_closed()
            assert outside.close_code == CloseCode.FORBIDDEN

    async def test_a_viewer_link_gives_read_only_guests(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Look only")
        made = await make_invite(api, owner, project, role="viewer")
        vic = guest_user(await join(api, made["token"], "Vic"), "Vic")
        assert (await api.call("GET", f"/v1/projects/{project}/ideas", vic)).status == 200
        write = await api.call("POST", f"/v1/projects/{project}/ideas", vic, json={"text": "x"})
        assert write.status == 403

    async def test_max_uses_holds_when_many_join_at_once(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Three seats")
        made = await make_invite(api, owner, project, max_uses=3)
        replies = await asyncio.gather(*(join(api, made["token"], f"G{n}") for n in range(8)))
        statuses = sorted(r.status for r in replies)
        assert statuses == [200] * 3 + [410] * 5
        assert all("used" in r.body["detail"] for r in replies if r.status == 410)
        team = await api.call("GET", f"/v1/projects/{project}/members", owner)
        assert sum(1 for m in team.body["items"] if m["guest"]) == 3

    async def test_an_expired_link_is_gone_and_a_name_is_required(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Expiring")
        made = await make_invite(api, owner, project, expires_in_s=60)
        nameless = await join(api, made["token"], None)
        assert nameless.status == 422
        blank = await join(api, made["token"], "   ")
        assert blank.status == 422
        await server.app[DB].execute(
            "UPDATE project_invites SET expires_at = now() - interval '1 second' WHERE id = $1",
            UUID(made["id"]),
        )
        late = await join(api, made["token"], "Late")
        assert late.status == 410
        assert "expired" in late.body["detail"]
        assert (await api.call("GET", f"/v1/invites/{made['token']}", None)).body[
            "status"
        ] == "expired"

    async def test_revoking_a_link_removes_its_guests_and_closes_their_sockets(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Leaked link")
        made = await make_invite(api, owner, project)
        gina = guest_user(await join(api, made["token"], "Gina"), "Gina")
        async with await YClient.connect(
            server.ws_url, f"{project}?token={gina.access_token}", ext=False
        ) as socket:
            await socket.wait_synced()
            gone = await api.call("DELETE", f"/v1/projects/{project}/invites/{made['id']}", owner)
            assert gone.status == 204
            await socket.wait_closed()
            assert socket.close_code in (CloseCode.FORBIDDEN, CloseCode.UNAUTHORIZED)
        assert (await api.call("GET", f"/v1/projects/{project}", gina)).status == 401
        team = await api.call("GET", f"/v1/projects/{project}/members", owner)
        assert not [m for m in team.body["items"] if m["guest"]]

    async def test_a_guest_whose_time_is_over_is_erased(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Day workshop")
        made = await make_invite(api, owner, project)
        joined = await join(api, made["token"], "Zelda Quasimodo")
        zelda = guest_user(joined, "Zelda Quasimodo")
        idea = await api.call("POST", f"/v1/projects/{project}/ideas", zelda, json={"text": "z"})
        assert idea.status == 201
        db = server.app[DB]
        await db.execute(
            "UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            zelda.id,
        )
        assert await server.app[ERASER].erase_expired_guests() >= 1
        assert await db.fetchval("SELECT count(*) FROM users WHERE id = $1", zelda.id) == 0
        kept = await api.call("GET", f"/v1/ideas/{idea.body['id']}", owner)
        assert kept.status == 200
        assert kept.body["createdBy"].startswith("removed-participant-")
        names = await db.fetchval(
            "SELECT count(*) FROM audit_log WHERE details::text LIKE '%Zelda Quasimodo%'"
        )
        assert names == 0


class TestAccounts:
    async def test_a_signed_in_person_joins_as_a_member(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Come in")
        made = await make_invite(api, owner, project, role="member")
        ada = await api.register("Ada")
        reply = await api.call(
            "POST", f"/v1/invites/{made['token']}/join", ada, json={"client": "token"}
        )
        assert reply.status == 200, reply.body
        assert reply.body == {
            "project_id": str(project), "role": "member", "guest": False, "session": None,
        }  # fmt: skip
        assert (await api.call("GET", f"/v1/projects/{project}", ada)).status == 200

    async def test_joining_never_lowers_a_role(self, api: ApiClient, owner: RegisteredUser) -> None:
        project = await api.create_project(owner, "Keep my role")
        made = await make_invite(api, owner, project, role="viewer")
        reply = await api.call(
            "POST", f"/v1/invites/{made['token']}/join", owner, json={"client": "token"}
        )
        assert reply.status == 200
        assert reply.body["role"] == "owner"

    async def test_a_bad_credential_is_refused_not_turned_into_a_guest(
        self, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "No silent guests")
        made = await make_invite(api, owner, project)
        reply = await api.call(
            "POST", f"/v1/invites/{made['token']}/join", None,
            json={"name": "Eve", "client": "token"},
            headers={"Authorization": "Bearer forged"},
        )  # fmt: skip
        assert reply.status == 401

    async def test_the_browser_gets_cookies(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        project = await api.create_project(owner, "Cookies")
        made = await make_invite(api, owner, project)
        jar = aiohttp.CookieJar(unsafe=True)  # cookies of an address host (127.0.0.1)
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:
            url = f"{server.http_url}/v1/invites/{made['token']}/join"
            async with browser.post(url, json={"name": "Bea"}) as response:
                assert response.status == 200
                body = await response.json()
            assert body["session"]["access_token"] is None
            assert body["session"]["csrf_token"]
            names = {cookie.key for cookie in browser.cookie_jar}
            assert {"dttools_access", "dttools_refresh", "dttools_csrf"} <= names
            async with browser.get(f"{server.http_url}/v1/projects/{project}") as response:
                assert response.status == 200

    async def test_a_browser_whose_guest_session_ended_joins_again(
        self, server: RunningServer, api: ApiClient, owner: RegisteredUser
    ) -> None:
        """The old guest's cookies (its session revoked with its link) do not stand in the
        way: opening a new link joins as a new guest, whose cookies replace them."""
        project = await api.create_project(owner, "Second chance")
        first = await make_invite(api, owner, project)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:

            async def join_as(token: str, name: str) -> dict[str, Any]:
                url = f"{server.http_url}/v1/invites/{token}/join"
                csrf = {c.key: c.value for c in jar}.get("dttools_csrf", "")
                async with browser.post(
                    url, json={"name": name}, headers={"X-CSRF-Token": csrf}
                ) as response:
                    assert response.status == 200, await response.text()
                    return dict(await response.json())

            old = await join_as(first["token"], "Gil")
            await api.call("DELETE", f"/v1/projects/{project}/invites/{first['id']}", owner)
            second = await make_invite(api, owner, project)
            new = await join_as(second["token"], "Gil again")
            assert new["guest"] is True
            assert new["session"]["user"]["id"] != old["session"]["user"]["id"]
            async with browser.get(f"{server.http_url}/v1/projects/{project}") as response:
                assert response.status == 200
