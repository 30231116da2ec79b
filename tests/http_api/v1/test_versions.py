"""Restore points over REST, with real y-websocket clients in the room while they are taken
and restored (docs/history.md)."""

from __future__ import annotations

import asyncio
import zlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from pycrdt import Map

from collab.text_fields import set_text
from http_api.keys import DB
from http_api.versions import ACTIVITY, BULK_DELETES
from persistence.retention import RetentionPolicy, sweep
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient, Reply
from tests.support.yclient import YClient

pytestmark = pytest.mark.shared_server(open_rooms=False)


class Team:
    def __init__(self, api: ApiClient, project: UUID, people: dict[str, RegisteredUser]) -> None:
        self.api, self.project, self.people = api, project, people

    async def call(self, who: str, method: str, suffix: str = "", json: Any = None) -> Reply:
        path = f"/v1/projects/{self.project}/versions{suffix}"
        return await self.api.call(method, path, self.people[who], json=json)

    async def idea(self, text: str, who: str = "owner") -> str:
        reply = await self.api.call(
            "POST", f"/v1/projects/{self.project}/ideas", self.people[who], json={"text": text}
        )
        assert reply.status == 201, reply.body
        return str(reply.body["id"])

    async def texts(self) -> dict[str, str]:
        reply = await self.api.call(
            "GET", f"/v1/projects/{self.project}/ideas", self.people["owner"]
        )
        return {item["id"]: item["text"] for item in reply.body["items"]}

    async def live(self, who: str) -> YClient:
        token = self.people[who].access_token
        client = await YClient.connect(self.api.server.ws_url, str(self.project), token=token)
        await client.wait_synced()
        return client


@pytest.fixture
async def rest(server: RunningServer) -> Any:
    async with ApiClient.open(server) as client:
        yield client


@pytest.fixture
async def team(rest: ApiClient) -> Team:
    people = {
        name: await rest.register(name.title())
        for name in ("owner", "member", "viewer", "stranger")
    }
    project = await rest.create_project(people["owner"], "History")
    await rest.add_member(people["owner"], project, people["member"], "member")
    await rest.add_member(people["owner"], project, people["viewer"], "viewer")
    return Team(rest, project, people)


def live_texts(client: YClient) -> dict[str, str]:
    ideas = client.doc.get("ideas", type=Map)
    return {key: str(value.get("text")) for key, value in ideas.items() if isinstance(value, Map)}


class TestNamedPoints:
    async def test_a_named_point_keeps_the_content_as_it_was(self, team: Team) -> None:
        first = await team.idea("Kiosk")
        watcher = await team.live("viewer")
        try:
            made = await team.call("member", "POST", json={"name": "after day 1"})
            assert made.status == 201, made.body
            point = made.body
            assert made.headers["Location"].endswith(f"/versions/{point['id']}")
            assert (point["kind"], point["name"]) == ("named", "after day 1")
            assert point["created_by"] == str(team.people["member"].id)
            assert [p["name"] for p in point["present"]] == ["Viewer"]  # had it open
            assert point["summary"] == {"ideas": {"added": 1, "removed": 0, "changed": 0}}
            await team.idea("Later idea")
            await team.api.call(
                "PATCH", f"/v1/ideas/{first}", team.people["owner"], json={"text": "Kiosk v2"}
            )
            listed = await team.call("viewer", "GET")
            assert [v["id"] for v in listed.body["items"]] == [point["id"]]
            shown = await team.call("viewer", "GET", f"/{point['id']}")
            assert [i["text"] for i in shown.body["document"]["ideas"]] == ["Kiosk"]
        finally:
            await watcher.close()

    async def test_who_may_do_what(self, team: Team) -> None:
        made = await team.call("owner", "POST", json={"name": "v1"})
        one = f"/{made.body['id']}"
        assert (await team.call("viewer", "POST", json={"name": "no"})).status == 403
        assert (await team.call("stranger", "GET")).status == 404
        assert (await team.call("stranger", "GET", one)).status == 404
        assert (await team.call("member", "POST", one + "/restore")).status == 403
        assert (await team.call("viewer", "POST", one + "/restore")).status == 403
        missing = "/00000000-0000-4000-8000-000000000000"
        assert (await team.call("owner", "GET", missing)).status == 404
        assert (await team.call("owner", "POST", json={"name": "two\nlines"})).status == 422
        assert (await team.call("owner", "POST", json={})).status == 422


class TestRestore:
    async def test_restore_is_a_forward_change_everyone_receives_and_can_undo(
        self, team: Team
    ) -> None:
        kept = await team.idea("Kiosk")
        gone_later = await team.idea("Queue display")
        point = (await team.call("owner", "POST", json={"name": "before the mess"})).body
        member = await team.live("member")
        other = await team.live("owner")
        try:
            await team.api.call("DELETE", f"/v1/ideas/{gone_later}", team.people["member"])
            await team.api.call(
                "PATCH", f"/v1/ideas/{kept}", team.people["member"], json={"text": "Kiosk?!"}
            )
            mess = await team.idea("Mess")
            await member.wait_for(lambda: mess in live_texts(member))

            restored = await team.call("owner", "POST", f"/{point['id']}/restore")
            assert restored.status == 200, restored.body
            assert restored.body["restored"] == point["id"]
            assert restored.body["changes"] == {"ideas": {"added": 1, "removed": 1, "changed": 1}}
            want = {kept: "Kiosk", gone_later: "Queue display"}
            await member.wait_for(lambda: live_texts(member) == want)
            assert not member.closed.is_set()  # nobody was disconnected
            assert await team.texts() == want

            # an edit made right after, by someone else, is an ordinary edit on top
            def again(doc: Any) -> None:
                set_text(doc.get("ideas", type=Map)[kept]["text"], "Kiosk, again")

            await other.edit(again)
            await member.wait_for(lambda: live_texts(member)[kept] == "Kiosk, again")

            undo = restored.body["undo"]
            listed = await team.call("owner", "GET")
            kinds = [(v["id"], v["kind"]) for v in listed.body["items"]]
            assert kinds[0] == (undo, "restore")
            back = await team.call("owner", "POST", f"/{undo}/restore")
            assert back.status == 200
            await member.wait_for(lambda: mess in live_texts(member))
            audited = await team.api.server.app[DB].fetchval(
                "SELECT count(*) FROM audit_log "
                "WHERE action = 'project.restored' AND project_id = $1",
                team.project,
            )
            assert audited == 2
        finally:
            await member.close()
            await other.close()

    async def test_edits_two_people_make_during_a_restore_survive_it(self, team: Team) -> None:
        """While the restore runs, one person types at the end of a note the restore changes
        back and the other recolours it; neither had seen the restore. Both edits stay on top
        of the restored content, and both clients and REST agree."""
        kept = await team.idea("Kiosk")
        gone_later = await team.idea("Queue display")
        point = (await team.call("owner", "POST", json={"name": "before"})).body
        await team.api.call(
            "PATCH", f"/v1/ideas/{kept}", team.people["member"], json={"text": "Kiosk?!"}
        )
        await team.api.call("DELETE", f"/v1/ideas/{gone_later}", team.people["member"])
        member = await team.live("member")
        owner = await team.live("owner")
        try:
            await member.wait_for(lambda: live_texts(member) == {kept: "Kiosk?!"})
            await owner.wait_for(lambda: live_texts(owner) == {kept: "Kiosk?!"})
            # made locally, not sent yet: concurrent with the restore
            with member.doc.transaction():
                text = member.doc.get("ideas", type=Map)[kept]["text"]
                text.insert(len(str(text).encode()), " for the elderly")
            with owner.doc.transaction():
                owner.doc.get("ideas", type=Map)[kept]["color"] = "green"
            restored = await team.call("owner", "POST", f"/{point['id']}/restore")
            assert restored.status == 200, restored.body
            await member.flush()
            await owner.flush()
            want = {kept: "Kiosk for the elderly", gone_later: "Queue display"}

            def agreed(client: YClient) -> bool:
                color = client.doc.get("ideas", type=Map)[kept]["color"]
                return live_texts(client) == want and color == "green"

            await member.wait_for(lambda: agreed(member))
            await owner.wait_for(lambda: agreed(owner))
            await member.wait_durable()
            await owner.wait_durable()
            assert await team.texts() == want
            color = await team.api.call("GET", f"/v1/ideas/{kept}", team.people["owner"])
            assert color.body["color"] == "green"
        finally:
            await member.close()
            await owner.close()


class TestAutomaticPoints:
    async def test_phase_changes_and_reveals_take_points_identical_ones_are_skipped(
        self, team: Team
    ) -> None:
        await team.idea("Something")
        path = f"/v1/projects/{team.project}"
        owner = team.people["owner"]
        assert (await team.api.call("PATCH", path, owner, json={"phase": "define"})).status == 200
        assert (await team.api.call("PATCH", path, owner, json={"phase": "ideate"})).status == 200
        listed = (await team.call("owner", "GET")).body["items"]
        assert [(v["kind"], v["name"]) for v in listed] == [("phase", "empathize → define")]
        brainstorm = f"{path}/brainstorm"
        session = await team.api.call("POST", brainstorm, owner, json={"prompt": "Queues?"})
        await team.idea("Another")
        moved = await team.api.call(
            "POST", f"{brainstorm}/{session.body['id']}/phase", owner, json={"phase": "reveal"}
        )
        assert moved.status == 200, moved.body
        listed = (await team.call("owner", "GET")).body["items"]
        assert listed[0]["kind"] == "reveal"
        assert listed[0]["summary"] == {"ideas": {"added": 1, "removed": 0, "changed": 0}}


class TestBulkDelete:
    async def test_deleting_many_notes_at_once_keeps_them_in_a_point(self, team: Team) -> None:
        ids = [await team.idea(f"note {n}") for n in range(7)]
        client = await team.live("member")
        watcher = await team.live("owner")
        try:
            # one at a time: no point (a note's deletion is ordinary work)
            await client.edit(lambda doc: doc.get("ideas", type=Map).pop(ids[0]))

            # six in one change (a browser's "delete selected"): a point of what was there
            def delete_six(doc: Any) -> None:
                board = doc.get("ideas", type=Map)
                for idea in ids[1:]:
                    board.pop(idea)

            await client.edit(delete_six)
            await client.edit(lambda doc: doc.get("ideas", type=Map).__setitem__(
                "marker", Map({"text": "after"})))  # fmt: skip
            # the marker went through the room after the deletions: they were applied by then
            await watcher.wait_for(lambda: "marker" in live_texts(watcher))
            await team.api.server.app[BULK_DELETES].settle()
            listed = (await team.call("owner", "GET")).body["items"]
            assert [v["kind"] for v in listed] == ["bulk-delete"]
            shown = await team.call("owner", "GET", f"/{listed[0]['id']}")
            kept = sorted(i["text"] for i in shown.body["document"]["ideas"])
            assert kept == [f"note {n}" for n in range(1, 7)]
            assert listed[0]["summary"] == {"ideas": {"added": 6, "removed": 0, "changed": 0}}
        finally:
            await client.close()
            await watcher.close()


async def test_activity_points_follow_the_editing(start_server: StartServer) -> None:
    server = await start_server(open_rooms=False, restore_point_every_s=0.01)
    async with ApiClient.open(server) as api:
        owner = await api.register("Owner")
        project = await api.create_project(owner, "Busy")
        team = Team(api, project, {"owner": owner})
        client = await team.live("owner")
        try:
            activity = server.app[ACTIVITY]
            clock = asyncio.get_running_loop().time()
            assert await activity.check(clock) == 0  # first look: nothing to compare with
            await team.idea("typed")
            await client.wait_for(lambda: len(live_texts(client)) == 1)
            assert await activity.check(clock + 1) == 1
            assert await activity.check(clock + 2) == 0  # no change since
            listed = (await team.call("owner", "GET")).body["items"]
            assert [v["kind"] for v in listed] == ["activity"]
        finally:
            await client.close()


class TestPrivacyAndRetention:
    async def test_erasing_a_person_reaches_their_restore_points(self, team: Team) -> None:
        member = team.people["member"]
        await team.idea("Member's note", who="member")
        watcher = await team.live("member")
        point = (await team.call("owner", "POST", json={"name": "with the member"})).body
        await watcher.close()
        assert [p["id"] for p in point["present"]] == [str(member.id)]
        db = team.api.server.app[DB]
        stored = await db.fetchval(
            "SELECT state FROM restore_points WHERE id = $1", UUID(point["id"])
        )
        assert str(member.id).encode() in zlib.decompress(stored)
        gone = await team.api.call(
            "DELETE", "/v1/auth/me", member, json={"password": member.password}
        )
        assert gone.status == 204, gone.body
        row = await db.fetchrow(
            "SELECT state, present FROM restore_points WHERE id = $1", UUID(point["id"])
        )
        assert row is not None
        assert str(member.id).encode() not in zlib.decompress(row["state"])
        assert list(row["present"]) == []
        shown = await team.call("owner", "GET", f"/{point['id']}")
        [idea] = shown.body["document"]["ideas"]
        assert idea["authorId"].startswith("removed-participant-")

    async def test_old_automatic_points_go_named_ones_stay(self, team: Team) -> None:
        path = f"/v1/projects/{team.project}"
        await team.idea("x")
        await team.api.call("PATCH", path, team.people["owner"], json={"phase": "define"})
        await team.call("owner", "POST", json={"name": "keep me"})
        db = team.api.server.app[DB]
        await db.execute(
            "UPDATE restore_points SET created_at = now() - interval '100 days' "
            "WHERE project_id = $1",
            team.project,
        )
        await sweep(db, RetentionPolicy(restore_point_days=90), datetime.now(UTC))
        kinds = [v["kind"] for v in (await team.call("owner", "GET")).body["items"]]
        assert kinds == ["named"]
