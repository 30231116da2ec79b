"""/v1/projects: create, read, update with ETags, delete, list with cursors and filters, stats."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from pycrdt import Doc, Map

from collab.artifacts import KINDS
from collab.close import CloseCode
from collab.schema import create_item
from http_api.keys import DB, ROOMS, UPDATE_LOG
from persistence.compaction import compact
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser, make_admin
from tests.support.projects import ApiClient, Reply
from tests.support.yclient import YClient

pytestmark = pytest.mark.shared_server


async def create(api: ApiClient, user: RegisteredUser, **fields: Any) -> Reply:
    reply = await api.call("POST", "/v1/projects", user, json={"name": "Workshop", **fields})
    assert reply.status == 201, reply.body
    return reply


class TestCreate:
    async def test_the_creator_becomes_owner(self, api: ApiClient, alice: RegisteredUser) -> None:
        """A new project starts at version 1 with its creator as sole owner."""
        reply = await create(api, alice, name="Onboarding", description="new hires", phase="define")
        body = reply.body
        assert body["name"] == "Onboarding"
        assert body["description"] == "new hires"
        assert body["phase"] == "define"
        assert body["version"] == 1
        assert body["role"] == "owner"
        assert body["membership"] == "owner"
        assert body["created_by"] == str(alice.id)
        assert reply.headers["ETag"] == '"1"'
        assert reply.headers["Location"] == f"/v1/projects/{body['id']}"
        members = await api.call("GET", f"/v1/projects/{body['id']}/members", alice)
        assert [(m["user_id"], m["role"]) for m in members.body["items"]] == [
            (str(alice.id), "owner")
        ]

    async def test_description_and_phase_have_defaults(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Only the name is required: the description is empty and the phase is empathize."""
        body = (await create(api, alice)).body
        assert (body["description"], body["phase"]) == ("", "empathize")

    @pytest.mark.parametrize(
        ("fields", "bad"),
        [
            ({"name": ""}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "x" * 201}, "name"),
            ({"name": "two\nlines"}, "name"),
            ({"name": "bell\x07"}, "name"),
            ({"name": "ok", "description": "x" * 5001}, "description"),
            ({"name": "ok", "phase": "brainstorm"}, "phase"),
            ({"name": "ok", "owner": "someone"}, "owner"),
            ({}, "name"),
        ],
    )
    async def test_invalid_fields_are_named(
        self, api: ApiClient, alice: RegisteredUser, fields: dict[str, Any], bad: str
    ) -> None:
        """Each invalid or unknown field gets a 422 that names it; nothing is created."""
        reply = await api.call("POST", "/v1/projects", alice, json=fields)
        assert reply.status == 422
        assert [e["field"] for e in reply.body["errors"]] == [bad]
        listing = await api.call("GET", "/v1/projects", alice)
        assert listing.body["items"] == []

    async def test_anonymous_callers_are_refused(self, api: ApiClient) -> None:
        """Without credentials every project endpoint answers 401."""
        reply = await api.call("POST", "/v1/projects", None, json={"name": "x"})
        assert reply.status == 401
        assert (await api.call("GET", "/v1/projects", None)).status == 401


class TestRead:
    async def test_a_project_shows_the_callers_role_and_etag(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """GET returns what POST returned, with the same ETag."""
        created = await create(api, alice)
        reply = await api.call("GET", f"/v1/projects/{created.body['id']}", alice)
        assert reply.status == 200
        assert reply.body == created.body
        assert reply.headers["ETag"] == '"1"'

    async def test_if_none_match_saves_the_body(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """A client holding the current ETag gets 304; after a change, the new version."""
        project = (await create(api, alice)).body["id"]
        path = f"/v1/projects/{project}"
        assert (await api.call("GET", path, alice, headers={"If-None-Match": '"1"'})).status == 304
        update = {"name": "Renamed", "description": "", "phase": "ideate"}
        assert (await api.call("PUT", path, alice, json=update)).status == 200
        reply = await api.call("GET", path, alice, headers={"If-None-Match": '"1"'})
        assert reply.status == 200
        assert reply.body["name"] == "Renamed"

    @pytest.mark.parametrize("project_id", [str(uuid4()), "not-a-uuid"])
    async def test_unknown_ids_are_not_found(
        self, api: ApiClient, alice: RegisteredUser, project_id: str
    ) -> None:
        """An id that does not exist, or cannot, is a problem+json 404."""
        reply = await api.call("GET", f"/v1/projects/{project_id}", alice)
        assert reply.status == 404
        assert reply.body["type"].endswith("/not-found")


class TestUpdate:
    async def test_put_replaces_every_field_and_bumps_the_version(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """PUT is a full replacement; version and ETag move to 2; GET sees the change."""
        created = (await create(api, alice, description="old")).body
        path = f"/v1/projects/{created['id']}"
        update = {"name": "Renamed", "description": "", "phase": "prototype"}
        reply = await api.call("PUT", path, alice, json=update)
        assert reply.status == 200
        assert reply.headers["ETag"] == '"2"'
        assert {k: reply.body[k] for k in update} == update
        assert reply.body["version"] == 2
        assert reply.body["updated_at"] > created["updated_at"]
        assert (await api.call("GET", path, alice)).body == reply.body

    async def test_put_resets_what_it_leaves_out(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Optional fields a PUT omits take a new project's values: not archived, viewers may
        export."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        changed = {"archived": True, "viewers_can_export": False}
        assert (await api.call("PATCH", path, alice, json=changed)).status == 200
        fields = {"name": "Whole", "description": "d", "phase": "define"}
        reply = await api.call("PUT", path, alice, json=fields)
        assert reply.status == 200
        assert (reply.body["archived"], reply.body["viewers_can_export"]) == (False, True)

    async def test_patch_changes_only_the_fields_sent(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """PATCH writes what it is given, honours If-Match, is audited and bumps the version;
        an empty PATCH changes nothing at all."""
        created = (await create(api, alice, description="kept")).body
        path = f"/v1/projects/{created['id']}"
        reply = await api.call(
            "PATCH", path, alice, json={"phase": "ideate"}, headers={"If-Match": '"1"'}
        )
        assert reply.status == 200, reply.body
        assert (reply.body["phase"], reply.body["description"]) == ("ideate", "kept")
        assert (reply.body["name"], reply.headers["ETag"]) == (created["name"], '"2"')
        stale = await api.call(
            "PATCH", path, alice, json={"name": "x"}, headers={"If-Match": '"1"'}
        )
        assert stale.status == 412
        empty = await api.call("PATCH", path, alice, json={})
        assert (empty.status, empty.headers["ETag"]) == (200, '"2"')
        audit = await api.call("GET", f"{path}/audit", alice)
        updates = [e for e in audit.body["items"] if e["action"] == "project.updated"]
        assert len(updates) == 1

    @pytest.mark.parametrize(
        "body", [{"name": None}, {"archived": None}, {"phase": "nowhere"}, {"owner": "me"}]
    )
    async def test_patch_refuses_null_and_unknown_fields(
        self, api: ApiClient, alice: RegisteredUser, body: dict[str, object]
    ) -> None:
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        reply = await api.call("PATCH", path, alice, json=body)
        assert reply.status == 422
        assert [e["field"] for e in reply.body["errors"]] == list(body)

    async def test_put_needs_every_field(self, api: ApiClient, alice: RegisteredUser) -> None:
        """A PUT that leaves out a field is refused rather than guessing its value."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        reply = await api.call("PUT", path, alice, json={"name": "Only a name"})
        assert reply.status == 422
        assert sorted(e["field"] for e in reply.body["errors"]) == ["description", "phase"]

    async def test_a_stale_if_match_is_refused_and_changes_nothing(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Two editors hold version 1: the second to write gets 412; the first one's edit stays."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        first = {"name": "First", "description": "", "phase": "define"}
        second = {"name": "Second", "description": "", "phase": "test"}
        ok = await api.call("PUT", path, alice, json=first, headers={"If-Match": '"1"'})
        assert ok.status == 200
        stale = await api.call("PUT", path, alice, json=second, headers={"If-Match": '"1"'})
        assert stale.status == 412
        assert stale.body["type"].endswith("/precondition-failed")
        assert '"2"' in stale.body["detail"]
        current = await api.call("GET", path, alice)
        assert (current.body["name"], current.body["version"]) == ("First", 2)

    @pytest.mark.parametrize(
        ("if_match", "status"),
        [('"1"', 200), ('"7", "1"', 200), ("*", 200), ('W/"1"', 412), ('"2"', 412), ("1", 412)],
    )
    async def test_if_match_compares_strong_etags(
        self, api: ApiClient, alice: RegisteredUser, if_match: str, status: int
    ) -> None:
        """If-Match takes a list or ``*``; weak or unquoted tags never match (RFC 9110)."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        update = {"name": "x", "description": "", "phase": "define"}
        reply = await api.call("PUT", path, alice, json=update, headers={"If-Match": if_match})
        assert reply.status == status

    async def test_without_if_match_the_last_writer_wins(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """If-Match is optional (documented): an unconditional PUT overwrites any version."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        for name in ("One", "Two"):
            update = {"name": name, "description": "", "phase": "define"}
            assert (await api.call("PUT", path, alice, json=update)).status == 200
        assert (await api.call("GET", path, alice)).body["version"] == 3

    async def test_concurrent_conditional_puts_let_exactly_one_win(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Ten editors holding version 1 write at once: one succeeds, nine get 412."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        replies = await asyncio.gather(
            *(
                api.call(
                    "PUT",
                    path,
                    alice,
                    headers={"If-Match": '"1"'},
                    json={"name": f"Editor {i}", "description": "", "phase": "define"},
                )
                for i in range(10)
            )
        )
        assert sorted(r.status for r in replies) == [200] + [412] * 9
        assert (await api.call("GET", path, alice)).body["version"] == 2


class TestDelete:
    async def test_delete_removes_the_project_its_team_and_its_document(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """After DELETE the project, its memberships and its stored updates are gone."""
        project = (await create(api, alice)).body["id"]
        db = server.app[DB]
        doc: Doc[Any] = Doc()
        doc["notes"] = Map({"a": 1})
        await server.app[UPDATE_LOG].append([project, project], [doc.get_update(), b"\x00\x00"])
        assert await compact(db, project) is not None  # one snapshot row ...
        await server.app[UPDATE_LOG].append([project], [doc.get_update()])  # ... and a tail
        reply = await api.call("DELETE", f"/v1/projects/{project}", alice)
        assert reply.status == 204
        assert (await api.call("GET", f"/v1/projects/{project}", alice)).status == 404
        for table in ("room_updates", "room_snapshots"):
            rows = await db.fetchval(f"SELECT count(*) FROM {table} WHERE room = $1", project)
            assert rows == 0, table
        members = await db.fetchval(
            "SELECT count(*) FROM project_members WHERE project_id = $1", UUID(project)
        )
        assert members == 0

    async def test_delete_closes_every_socket_on_the_project(
        self, start_server: StartServer
    ) -> None:
        """Everyone connected to a deleted project is closed with 4403 and cannot come back."""
        server = await start_server(open_rooms=False)  # the product's default: rooms check
        async with ApiClient.open(server) as api:
            owner, alice = await asyncio.gather(api.register("Owner"), api.register("Alice"))
            project = (await create(api, owner)).body["id"]
            await api.add_member(owner, UUID(project), alice, "viewer")
            room = f"{project}?token={{}}"
            async with (
                await YClient.connect(
                    server.ws_url, room.format(owner.access_token), ext=False
                ) as a,
                await YClient.connect(
                    server.ws_url, room.format(alice.access_token), ext=False
                ) as b,
            ):
                await a.wait_synced()
                await b.wait_synced()
                assert (await api.call("DELETE", f"/v1/projects/{project}", owner)).status == 204
                for client in (a, b):
                    await client.wait_closed()
                    assert client.close_code == CloseCode.FORBIDDEN
            async with await YClient.connect(
                server.ws_url, room.format(owner.access_token), ext=False
            ) as again:
                await again.wait_closed()
                assert again.close_code == CloseCode.FORBIDDEN

    async def test_deleting_twice_is_not_found(self, api: ApiClient, alice: RegisteredUser) -> None:
        """The second DELETE finds nothing."""
        path = f"/v1/projects/{(await create(api, alice)).body['id']}"
        assert (await api.call("DELETE", path, alice)).status == 204
        assert (await api.call("DELETE", path, alice)).status == 404


class TestList:
    async def test_pages_cover_every_project_once_newest_first(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Walking 25 projects 7 at a time yields 4 pages, no duplicate and no gap."""
        created = [(await create(api, alice, name=f"P{i:02}")).body["id"] for i in range(25)]
        seen: list[str] = []
        pages = 0
        params: dict[str, str | int] = {"limit": 7}
        while True:
            reply = await api.call("GET", "/v1/projects", alice, params=params)
            assert reply.status == 200
            pages += 1
            assert len(reply.body["items"]) == (7 if pages < 4 else 4)
            seen += [item["id"] for item in reply.body["items"]]
            if reply.body["next_cursor"] is None:
                break
            params["cursor"] = reply.body["next_cursor"]
        assert pages == 4
        assert seen == created[::-1]

    async def test_a_page_is_stable_while_projects_are_added(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Projects created after the first page do not shift the later pages (keyset cursor)."""
        first_ids = [(await create(api, alice, name=f"Old {i}")).body["id"] for i in range(4)]
        page = await api.call("GET", "/v1/projects", alice, params={"limit": 2})
        await create(api, alice, name="Newer")
        rest = await api.call(
            "GET", "/v1/projects", alice, params={"limit": 5, "cursor": page.body["next_cursor"]}
        )
        assert [i["id"] for i in rest.body["items"]] == first_ids[1::-1]
        assert rest.body["next_cursor"] is None

    async def test_the_default_page_is_fifty(self, api: ApiClient, alice: RegisteredUser) -> None:
        """Without ?limit a page holds 50 projects, as every list (docs/api.md, Pagination)."""
        for i in range(51):
            await create(api, alice, name=f"P{i}")
        reply = await api.call("GET", "/v1/projects", alice)
        assert len(reply.body["items"]) == 50
        assert reply.body["next_cursor"] is not None

    @pytest.mark.parametrize(
        ("params", "status"),
        [
            ({"limit": 0}, 422),
            ({"limit": 101}, 422),
            ({"limit": "many"}, 422),
            ({"cursor": "garbage!"}, 400),
            ({"cursor": "WyJ4Il0"}, 400),  # base64url of ["x"]: valid encoding, wrong key
            ({"role": "admin"}, 422),
            ({"created_after": "yesterday"}, 422),
            ({"created_after": "2024-01-01T00:00:00"}, 422),  # no timezone: ambiguous
            ({"sort": "name"}, 422),
        ],
    )
    async def test_bad_parameters_are_refused(
        self, api: ApiClient, alice: RegisteredUser, params: dict[str, str | int], status: int
    ) -> None:
        """Out-of-range limits, forged cursors and unknown parameters get a problem, not a guess."""
        reply = await api.call("GET", "/v1/projects", alice, params=params)
        assert reply.status == status, reply.body

    async def test_only_your_projects_are_listed_but_admins_see_all(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Bob sees his project only; an admin sees both, acting as admin, not on either team."""
        bob, admin = await asyncio.gather(api.register("Bob"), api.register("Admin"))
        await make_admin(server.app[DB], admin)
        tag = uuid4().hex
        mine = (await create(api, alice, name=f"{tag} Alice")).body["id"]
        bobs = (await create(api, bob, name=f"{tag} Bob")).body["id"]
        listing = await api.call("GET", "/v1/projects", bob)
        assert [i["id"] for i in listing.body["items"]] == [bobs]
        everything = await api.call("GET", "/v1/projects", admin, params={"q": tag})
        items = everything.body["items"]
        assert [i["id"] for i in items] == [bobs, mine]
        assert {(i["role"], i["membership"]) for i in items} == {("admin", None)}

    async def test_q_matches_part_of_the_name_in_any_case(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """?q is a case-insensitive substring; % and _ are plain characters."""
        ids = {
            name: (await create(api, alice, name=name)).body["id"]
            for name in ("Onboarding Journey", "JOURNEY mapping", "Pricing", "100% coverage")
        }
        assert await self._names(api, alice, q="journey") == {
            "Onboarding Journey",
            "JOURNEY mapping",
        }
        assert await self._names(api, alice, q="%") == {"100% coverage"}
        assert await self._names(api, alice, q="_") == set()
        assert len(ids) == 4

    async def test_role_filters_by_your_membership(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """?role keeps the projects where you hold that role."""
        bob = await api.register("Bob")
        await create(api, alice, name="Alice owns")
        for role in ("member", "viewer"):
            project = (await create(api, bob, name=f"Alice is {role}")).body["id"]
            await api.add_member(bob, UUID(project), alice, role)
        assert await self._names(api, alice, role="owner") == {"Alice owns"}
        assert await self._names(api, alice, role="member") == {"Alice is member"}
        assert await self._names(api, alice, role="viewer") == {"Alice is viewer"}
        listing = await api.call("GET", "/v1/projects", alice, params={"role": "viewer"})
        assert [(i["role"], i["membership"]) for i in listing.body["items"]] == [
            ("viewer", "viewer")
        ]

    async def test_phase_filter(self, api: ApiClient, alice: RegisteredUser) -> None:
        """?phase keeps the projects in that phase."""
        for phase in ("empathize", "ideate", "test"):
            await create(api, alice, name=phase, phase=phase)
        assert await self._names(api, alice, phase="ideate") == {"ideate"}
        assert (
            await api.call("GET", "/v1/projects", alice, params={"phase": "launch"})
        ).status == 422

    async def test_archived_projects_leave_the_default_listing(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """PATCH archived=true hides a project from the default list; ?archived=true|any shows
        it; a PATCH of the name keeps it archived, a PUT without the field restores it."""
        kept = (await create(api, alice, name="kept")).body
        old = (await create(api, alice, name="old")).body
        path = f"/v1/projects/{old['id']}"
        fields = {"name": "old", "description": "", "phase": "empathize"}
        archived = await api.call("PATCH", path, alice, json={"archived": True})
        assert archived.status == 200
        assert archived.body["archived"] is True
        assert await self._names(api, alice) == {kept["name"]}
        assert await self._names(api, alice, archived="true") == {"old"}
        assert await self._names(api, alice, archived="any") == {"kept", "old"}
        renamed = await api.call("PATCH", path, alice, json={"name": "older"})
        assert (renamed.body["name"], renamed.body["archived"]) == ("older", True)
        restored = await api.call("PUT", path, alice, json=fields)
        assert restored.body["archived"] is False
        assert await self._names(api, alice) == {"kept", "old"}

    async def test_created_after_is_inclusive_and_created_before_exclusive(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """The creation-time window splits the projects at the boundary without overlap."""
        made = [(await create(api, alice, name=f"P{i}")).body for i in range(3)]
        boundary = made[1]["created_at"]
        assert await self._names(api, alice, created_after=boundary) == {"P1", "P2"}
        assert await self._names(api, alice, created_before=boundary) == {"P0"}
        both = {"created_after": made[0]["created_at"], "created_before": made[2]["created_at"]}
        assert await self._names(api, alice, **both) == {"P0", "P1"}

    async def test_filters_and_cursors_combine(self, api: ApiClient, alice: RegisteredUser) -> None:
        """Paging through a filtered listing stays inside the filter."""
        for i in range(5):
            await create(api, alice, name=f"keep {i}", phase="define")
            await create(api, alice, name=f"drop {i}")
        seen: list[str] = []
        params: dict[str, str | int] = {"limit": 2, "phase": "define"}
        while True:
            reply = await api.call("GET", "/v1/projects", alice, params=params)
            seen += [i["name"] for i in reply.body["items"]]
            if reply.body["next_cursor"] is None:
                break
            params["cursor"] = reply.body["next_cursor"]
        assert seen == [f"keep {i}" for i in reversed(range(5))]

    @staticmethod
    async def _names(api: ApiClient, user: RegisteredUser, **params: str) -> set[str]:
        reply = await api.call("GET", "/v1/projects", user, params={"limit": 100, **params})
        assert reply.status == 200, reply.body
        assert reply.body["next_cursor"] is None
        return {item["name"] for item in reply.body["items"]}


class TestStats:
    async def test_a_new_project_has_its_team_and_no_activity(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Stats count the team by role; contributors are those who may edit; nothing happened."""
        bob, carol = await asyncio.gather(api.register("Bob"), api.register("Carol"))
        project = (await create(api, alice)).body["id"]
        await api.add_member(alice, UUID(project), bob, "member")
        await api.add_member(alice, UUID(project), carol, "viewer")
        reply = await api.call("GET", f"/v1/projects/{project}/stats", carol)
        assert reply.status == 200
        stats = reply.body
        assert stats["members_by_role"] == {"owner": 1, "member": 1, "viewer": 1}
        assert stats["member_count"] == 3
        assert {(c["name"], c["role"]) for c in stats["contributors"]} == {
            ("Alice", "owner"),
            ("Bob", "member"),
        }
        assert stats["artifacts_per_phase"] == dict.fromkeys(
            ("empathize", "define", "ideate", "prototype", "test"), 0
        )
        assert stats["activity"] == []
        assert (stats["updates_stored"], stats["updates_compacted"]) == (0, 0)
        assert stats["last_update_at"] is None

    async def test_artifacts_and_activity_come_from_the_document(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """Artifacts written to the live document are counted per phase and per day."""
        project = (await create(api, alice)).body["id"]
        personas, ideas = KINDS["personas"], KINDS["ideas"]
        now = datetime.now(UTC)

        def add(doc: Doc[Any]) -> None:
            ana = personas.create(name="Ana")
            create_item(doc, personas, ana, author_id=None, now=now, item_id=str(uuid4()))
            for text in ("a", "b"):
                idea = ideas.create(text=text)
                create_item(doc, ideas, idea, author_id=None, now=now, item_id=str(uuid4()))

        await server.app[ROOMS].transact(project, add)
        stats = (await api.call("GET", f"/v1/projects/{project}/stats", alice)).body
        assert stats["artifacts_per_phase"]["empathize"] == 1
        assert stats["artifacts_per_phase"]["ideate"] == 2
        assert stats["activity"] == [{"day": now.date().isoformat(), "updates": 1}]
        assert stats["updates_stored"] == 1
        assert stats["last_update_at"] is not None

    async def test_compacted_updates_are_counted_without_their_days(
        self, server: RunningServer, api: ApiClient, alice: RegisteredUser
    ) -> None:
        """After compaction the log rows are gone from ``activity`` but kept in the total."""
        project = (await create(api, alice)).body["id"]
        doc: Doc[Any] = Doc()
        doc["notes"] = Map({"a": 1})
        await server.app[UPDATE_LOG].append([project] * 3, [doc.get_update()] * 3)
        assert await compact(server.app[DB], project) is not None
        await server.app[UPDATE_LOG].append([project], [doc.get_update()])
        stats = (await api.call("GET", f"/v1/projects/{project}/stats", alice)).body
        assert (stats["updates_stored"], stats["updates_compacted"]) == (1, 3)
        assert sum(day["updates"] for day in stats["activity"]) == 1
        assert stats["compacted_at"] is not None

    @pytest.mark.parametrize("days", [0, 367])
    async def test_the_activity_window_is_bounded(
        self, api: ApiClient, alice: RegisteredUser, days: int
    ) -> None:
        """?days runs from 1 to 366."""
        project = (await create(api, alice)).body["id"]
        reply = await api.call("GET", f"/v1/projects/{project}/stats", alice, params={"days": days})
        assert reply.status == 422


class TestLanguage:
    """A project's language: the creator's locale unless given; PATCH without it keeps it, PUT
    without it sets the caller's locale (the value a new project gets)."""

    async def test_a_new_project_speaks_its_creators_language(self, api: ApiClient) -> None:
        bia = await api.register("Bia")
        assert (await create(api, bia)).body["language"] == "en"
        reply = await api.call("PATCH", "/v1/auth/me", bia, json={"locale": "pt-BR"})
        assert reply.status == 200
        assert (await create(api, bia)).body["language"] == "pt-BR"
        assert (await create(api, bia, language="en")).body["language"] == "en"

    async def test_patch_keeps_it_and_put_replaces_it(
        self, api: ApiClient, alice: RegisteredUser
    ) -> None:
        project = (await create(api, alice, language="pt-BR")).body
        path = f"/v1/projects/{project['id']}"
        fields = {"name": "Oficina", "description": "", "phase": "empathize"}
        kept = await api.call("PATCH", path, alice, json={"name": "Oficina"})
        assert (kept.status, kept.body["language"]) == (200, "pt-BR")
        reset = await api.call("PUT", path, alice, json=fields)
        assert (reset.status, reset.body["language"]) == (200, "en")  # alice's locale
        back = await api.call("PUT", path, alice, json={**fields, "language": "pt-BR"})
        assert back.body["language"] == "pt-BR"
        changed = await api.call("PATCH", path, alice, json={"language": "en"})
        assert changed.body["language"] == "en"
        assert (await api.call("GET", path, alice)).body["language"] == "en"
        listed = await api.call("GET", "/v1/projects", alice, params={"q": "Oficina"})
        assert {p["language"] for p in listed.body["items"]} == {"en"}

    @pytest.mark.parametrize("language", ["es", "pt", "en-US", ""])
    async def test_an_unsupported_language_is_refused(
        self, api: ApiClient, alice: RegisteredUser, language: str
    ) -> None:
        reply = await api.call(
            "POST", "/v1/projects", alice, json={"name": "X", "language": language}
        )
        assert reply.status == 422
        assert [e["field"] for e in reply.body["errors"]] == ["language"]
