"""Webhooks end to end: a real receiver verifies every request with the standardwebhooks library.

Events come from real changes (an export writes ``export.completed`` to the outbox), pass the
dispatcher and the sender, and arrive signed. The receiver fails on purpose, answers 410 and
is stopped, to exercise retries, disabling and replay; time is never waited for: a retry is
made due by moving its ``next_attempt_at``, which is what the clock would do. Two nodes on one
database deliver every event once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest
from pycrdt import Doc, Map

from http_api.keys import DB, ROOMS, WEBHOOKS
from rooms.item_events import watched_items
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser
from tests.support.projects import ApiClient, Reply, Team, make_team
from tests.support.webhook_receiver import Receiver, webhook_receiver
from tests.support.yclient import YClient

DELIVERY = {"webhook_delivery": True, "webhook_allowed_hosts": "127.0.0.1", "webhook_poll_s": 0.05}
pytestmark = pytest.mark.shared_server(open_rooms=False, **DELIVERY)


@pytest.fixture
async def team(api: ApiClient) -> Team:
    return await make_team(api)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with webhook_receiver() as (running, _runner):
        yield running


async def subscribe(
    api: ApiClient, user: RegisteredUser, project: UUID | None, receiver: Receiver,
    events: list[str], url: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    path = "/v1/webhooks" if project is None else f"/v1/projects/{project}/webhooks"
    reply = await api.call("POST", path, user, json={"url": url or receiver.url, "events": events})
    assert reply.status == 201, reply.body
    receiver.secrets.append(reply.body["secret"])
    return dict(reply.body)


def hook_path(project: UUID, hook: dict[str, Any]) -> str:
    return f"/v1/projects/{project}/webhooks/{hook['id']}"


async def deliveries(api: ApiClient, user: RegisteredUser, path: str) -> list[dict[str, Any]]:
    reply = await api.call("GET", f"{path}/deliveries", user)
    assert reply.status == 200, reply.body
    return list(reply.body["items"])


async def make_due(api: ApiClient) -> None:
    """What the clock does: every pending delivery's next attempt is now."""
    await api.server.app[DB].execute(
        "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE status = 'pending'"
    )
    api.server.app[WEBHOOKS].wake()


async def settled(
    api: ApiClient, user: RegisteredUser, path: str, *, attempts: int = 1
) -> dict[str, Any]:
    """The newest delivery once ``attempts`` attempts are recorded (the service runs now)."""
    service = api.server.app[WEBHOOKS]
    for _ in range(50):
        await service.run_once()
        [latest, *_] = await deliveries(api, user, path)
        if latest["attempts"] >= attempts:
            return latest
    raise AssertionError("the delivery was never attempted")


async def test_a_real_change_arrives_signed(api: ApiClient, team: Team, receiver: Receiver) -> None:
    owner = team["owner"]
    hook = await subscribe(api, owner, team.project, receiver, ["export.completed"])
    assert hook["secret"].startswith("whsec_")
    assert hook["enabled"] is True
    shown = await api.call("GET", hook_path(team.project, hook), owner)
    assert shown.body["secret"] is None  # shown once
    job = await api.call("POST", f"/v1/projects/{team.project}/export", owner,
                         json={"format": "json"})  # fmt: skip
    assert job.status == 201
    got = await receiver.next()
    assert got.payload["type"] == "export.completed"
    assert got.payload["version"] == 1
    assert got.payload["project_id"] == str(team.project)
    assert got.payload["data"]["export_id"] == job.body["id"]
    assert got.webhook_id == got.payload["id"]
    done = await settled(api, owner, hook_path(team.project, hook))
    assert (done["status"], done["attempt_log"][0]["status_code"]) == ("delivered", 204)


async def test_test_event_retries_with_the_same_id(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    hook = await subscribe(api, owner, team.project, receiver, ["project.updated"])
    path = hook_path(team.project, hook)
    receiver.fail_next = 1
    queued = await api.call("POST", f"{path}/test", owner)
    assert queued.status == 202, queued.body
    first = await settled(api, owner, path)
    assert first["status"] == "pending"
    assert first["last_status_code"] == 500
    assert first["next_attempt_at"] is not None
    assert receiver.received == []
    await make_due(api)
    got = await receiver.next()
    assert got.payload["type"] == "webhook.test"
    assert got.webhook_id == queued.body["event_id"]
    done = await settled(api, owner, path, attempts=2)
    assert done["status"] == "delivered"
    assert [a["status_code"] for a in done["attempt_log"]] == [500, 204]


async def test_gone_disables_and_owners_turn_it_back_on(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    hook = await subscribe(api, owner, team.project, receiver, ["*"])
    path = hook_path(team.project, hook)
    receiver.gone = True
    await api.call("POST", f"{path}/test", owner)
    await settled(api, owner, path)
    off = await api.call("GET", path, owner)
    assert (off.body["enabled"], off.body["disabled_reason"]) == (False, "gone")
    receiver.gone = False
    on = await api.call("PATCH", path, owner, json={"enabled": True})
    assert (on.body["enabled"], on.body["disabled_reason"]) == (True, None)
    replayed = await api.call("POST", f"{path}/replay-failed", owner)
    assert replayed.body == {"replayed": 1}
    api.server.app[WEBHOOKS].wake()
    assert (await receiver.next()).payload["type"] == "webhook.test"


async def test_a_receiver_gone_for_a_day_disables_the_endpoint(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    async with webhook_receiver() as (stopped, runner):
        hook = await subscribe(api, owner, team.project, stopped, ["*"])
        await runner.cleanup()  # the receiver goes away
    path = hook_path(team.project, hook)
    await api.call("POST", f"{path}/test", owner)
    first = await settled(api, owner, path)
    assert first["status"] == "pending"
    assert first["last_error"]
    # the day of retries passes: the last of the schedule's attempts fails too
    await api.server.app[DB].execute(
        "UPDATE webhook_deliveries SET attempts = 7 WHERE webhook_id = $1", UUID(hook["id"])
    )
    await make_due(api)
    last = await settled(api, owner, path, attempts=8)
    assert last["status"] == "failed"
    off = await api.call("GET", path, owner)
    assert (off.body["enabled"], off.body["disabled_reason"]) == (False, "failing")
    # the integrator fixes their receiver: point the hook at it, turn it on, replay
    receiver.secrets.extend(stopped.secrets)
    fixed = await api.call("PATCH", path, owner, json={"url": receiver.url, "enabled": True})
    assert fixed.status == 200, fixed.body
    one = await api.call("POST", f"{path}/deliveries/{last['id']}/replay", owner)
    assert one.status == 202
    assert one.body["status"] == "pending"
    api.server.app[WEBHOOKS].wake()
    assert (await receiver.next()).webhook_id == last["event_id"]


async def test_rotation_signs_with_both_secrets(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    hook = await subscribe(api, owner, team.project, receiver, ["*"])
    path = hook_path(team.project, hook)
    rotated = await api.call("PATCH", path, owner, json={"rotate_secret": True})
    new = rotated.body["secret"]
    assert new.startswith("whsec_")
    assert new != hook["secret"]
    for known in ([new], [hook["secret"]]):  # a receiver with either secret accepts it
        receiver.secrets[:] = known
        await api.call("POST", f"{path}/test", owner)
        api.server.app[WEBHOOKS].wake()
        await receiver.next()
    assert receiver.rejected == 0


async def test_private_addresses_are_refused(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    base = f"/v1/projects/{team.project}/webhooks"
    for url in (
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://100.64.0.1/x",
        "http://[::ffff:10.0.0.1]/x",
    ):
        refused = await api.call("POST", base, owner, json={"url": url, "events": ["*"]})
        assert refused.status == 422, (url, refused.body)
    assert receiver.requests == 0


async def test_bad_subscriptions_and_roles(api: ApiClient, team: Team, receiver: Receiver) -> None:
    base = f"/v1/projects/{team.project}/webhooks"
    for body in (
        {"url": receiver.url, "events": ["idea.exploded"]},
        {"url": "ftp://example.org/x", "events": ["*"]},
        {"url": receiver.url, "events": []},
        {"url": receiver.url},
    ):
        reply = await api.call("POST", base, team["owner"], json=body)
        assert reply.status == 422, (body, reply.body)
    body = {"url": receiver.url, "events": ["*"]}
    for role, status in (("member", 403), ("viewer", 403), ("stranger", 404)):
        assert (await api.call("POST", base, team[role], json=body)).status == status
    assert (await api.call("POST", "/v1/webhooks", team["owner"], json=body)).status == 403
    made: Reply = await api.call("POST", "/v1/webhooks", team["admin"], json=body)
    assert made.status == 201
    assert made.body["project_id"] is None
    listed = await api.call("GET", "/v1/webhooks", team["admin"])
    assert made.body["id"] in [h["id"] for h in listed.body["items"]]
    gone = await api.call("DELETE", f"/v1/webhooks/{made.body['id']}", team["admin"])
    assert gone.status == 204


async def test_two_nodes_deliver_each_event_once(
    api: ApiClient, team: Team, receiver: Receiver, start_server: StartServer
) -> None:
    second: RunningServer = await start_server(open_rooms=False, **DELIVERY)
    owner = team["owner"]
    await subscribe(api, owner, team.project, receiver, ["export.completed"])
    count = 12
    for n in range(count):
        node = api.server if n % 2 else second
        async with api.http.post(
            f"{node.http_url}/v1/projects/{team.project}/export",
            json={"format": "json"}, headers=owner.headers,
        ) as response:  # fmt: skip
            assert response.status == 201
    ids = {(await receiver.next()).webhook_id for _ in range(count)}
    assert len(ids) == count
    for node in (api.server, second):  # nothing more is due anywhere
        assert await node.app[WEBHOOKS].run_once() == 0
    assert receiver.requests == count


async def test_project_and_team_changes_are_events(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    project = await api.create_project(owner, "Eventos")
    await subscribe(api, owner, project, receiver, ["project.updated", "project.completed",
                                                   "member.added", "member.removed"])  # fmt: skip
    path = f"/v1/projects/{project}"
    moved = await api.call("PUT", path, owner, json={"name": "Eventos", "description": "",
                                                     "phase": "test"})  # fmt: skip
    assert moved.status == 200
    await api.add_member(owner, project, team["viewer"], "viewer")
    gone = await api.call("DELETE", f"{path}/members/{team['viewer'].id}", owner)
    assert gone.status == 204
    got = [await receiver.next() for _ in range(4)]
    types = sorted(g.payload["type"] for g in got)
    assert types == ["member.added", "member.removed", "project.completed", "project.updated"]
    updated = next(g for g in got if g.payload["type"] == "project.updated")
    assert updated.payload["data"]["fields"] == ["phase"]
    assert updated.payload["data"]["actor"] == str(owner.id)
    added = next(g for g in got if g.payload["type"] == "member.added")
    assert added.payload["data"] == {
        "user_id": str(team["viewer"].id),
        "role": "viewer",
        "actor": str(owner.id),
    }


ITEM_EVENTS = ["idea.created", "idea.updated", "idea.deleted", "persona.created",
               "test_result.added", "prototype.tested"]  # fmt: skip


async def settle_events(api: ApiClient) -> None:
    """End every burst of changes now (what DTTOOLS_ITEM_EVENTS_QUIET_S of quiet does)."""
    await api.server.app[ROOMS].item_events.settle()
    api.server.app[WEBHOOKS].wake()


async def test_artifact_events_from_rest_and_live_edits(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    project = await api.create_project(owner, "Itens")
    await subscribe(api, owner, project, receiver, ITEM_EVENTS)
    base = f"/v1/projects/{project}"
    idea = await api.call("POST", f"{base}/ideas", owner, json={"text": "primeira"})
    await settle_events(api)
    created = await receiver.next()
    assert created.payload["type"] == "idea.created"
    assert created.payload["data"]["item"]["text"] == "primeira"
    assert created.payload["data"]["actor"] == str(owner.id)
    # a burst of edits is one event, with the last state
    for n in range(5):
        reply = await api.call("PUT", f"/v1/ideas/{idea.body['id']}", owner, json={"text": f"v{n}"})
        assert reply.status == 200, reply.body
    await settle_events(api)
    updated = await receiver.next()
    assert updated.payload["type"] == "idea.updated"
    assert updated.payload["data"]["item"]["text"] == "v4"
    # an idea added live by a browser-like client produces the same event
    async with await YClient.connect(
        api.server.ws_url, str(project), token=owner.access_token
    ) as live:
        await live.wait_synced()

        def add(doc: Doc[Any]) -> None:
            fields = {"id": "live-1", "text": "ao vivo", "color": "yellow", "x": 0.0, "y": 0.0}
            doc.get("ideas", type=Map)["live-1"] = Map(fields)

        await live.edit(add)
        await live.wait_durable()
    await settle_events(api)
    live_created = await receiver.next()
    assert (live_created.payload["type"], live_created.payload["data"]["id"]) == (
        "idea.created", "live-1"
    )  # fmt: skip
    await api.call("DELETE", f"/v1/ideas/{idea.body['id']}", owner)
    await settle_events(api)
    deleted = await receiver.next()
    assert (deleted.payload["type"], deleted.payload["data"]["id"]) == (
        "idea.deleted", idea.body["id"]
    )  # fmt: skip
    # nothing more: one event per change, none twice
    await settle_events(api)
    assert await api.server.app[WEBHOOKS].run_once() == 0
    assert len(receiver.received) == 4


async def test_a_result_of_a_prototype_test_is_two_events(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    project = await api.create_project(owner, "Testes")
    await subscribe(api, owner, project, receiver, ITEM_EVENTS)
    base = f"/v1/projects/{project}"
    proto = await api.call("POST", f"{base}/prototypes", owner, json={"title": "Painel"})
    test = await api.call("POST", f"{base}/tests", owner,
                          json={"title": "T", "prototypeId": proto.body["id"]})  # fmt: skip
    await api.call("POST", f"{base}/test-results", owner,
                   json={"testId": test.body["id"], "outcome": "success"})  # fmt: skip
    await settle_events(api)
    got = sorted([(await receiver.next()).payload["type"] for _ in range(2)])
    assert got == ["prototype.tested", "test_result.added"]


async def test_projects_from_before_events_start_quietly(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    project = await api.create_project(owner, "Antigo")
    await api.call("POST", f"/v1/projects/{project}/ideas", owner, json={"text": "antiga"})
    await settle_events(api)
    # as if the project predated events: its first look records, and says nothing
    db = api.server.app[DB]
    await db.execute("UPDATE projects SET item_events_since = NULL WHERE id = $1", project)
    await db.execute("DELETE FROM item_states WHERE project_id = $1", project)
    await subscribe(api, owner, project, receiver, ITEM_EVENTS)
    await api.call("POST", f"/v1/projects/{project}/ideas", owner, json={"text": "nova"})
    await settle_events(api)
    assert await api.server.app[WEBHOOKS].run_once() == 0
    await api.call("POST", f"/v1/projects/{project}/ideas", owner, json={"text": "depois"})
    await settle_events(api)
    assert (await receiver.next()).payload["data"]["item"]["text"] == "depois"


async def test_a_brainstorm_start_is_an_event(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    owner = team["owner"]
    project = await api.create_project(owner, "Sessão")
    await subscribe(api, owner, project, receiver, ["brainstorm.started"])
    started = await api.call("POST", f"/v1/projects/{project}/brainstorm", owner,
                             json={"prompt": "Como poderíamos?", "duration_s": 300})  # fmt: skip
    assert started.status == 201, started.body
    got = await receiver.next()
    assert got.payload["type"] == "brainstorm.started"
    assert got.payload["data"]["session_id"] == started.body["id"]
    assert got.payload["data"]["prompt"] == "Como poderíamos?"


async def test_a_change_whose_node_stopped_before_looking_is_caught_up(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    """The change is stored with a mark; a node that never looked leaves it; a sweep finds it."""
    owner = team["owner"]
    project = await api.create_project(owner, "Queda")
    await subscribe(api, owner, project, receiver, ITEM_EVENTS)
    rooms = api.server.app[ROOMS]
    looks = rooms.item_events
    created = await api.call("POST", f"/v1/projects/{project}/ideas", owner, json={"text": "x"})
    assert created.status == 201
    # as if this node stopped right after the commit: its burst is dropped, never looked at
    room = rooms.rooms[str(project)]
    looks.forget(room, look=False)
    db = api.server.app[DB]
    dirty = await db.fetchval("SELECT item_events_dirty_at FROM projects WHERE id = $1", project)
    assert dirty is not None
    assert await api.server.app[WEBHOOKS].run_once() == 0
    assert await looks.catch_up(lambda name: rooms.read(name, watched_items),
                                older_than_s=0.0) >= 1  # fmt: skip
    api.server.app[WEBHOOKS].wake()
    got = await receiver.next()
    assert (got.payload["type"], got.payload["data"]["id"]) == ("idea.created", created.body["id"])
    clean = await db.fetchval("SELECT item_events_dirty_at FROM projects WHERE id = $1", project)
    assert clean is None


async def test_undo_and_back_and_forth_are_events_each_time(
    api: ApiClient, team: Team, receiver: Receiver
) -> None:
    """Each change has its own event: an idea deleted and brought back under its id (an undo)
    is created again; a text set back and forth is updated each time."""
    owner = team["owner"]
    project = await api.create_project(owner, "Desfazer")
    await subscribe(api, owner, project, receiver, ITEM_EVENTS)

    def add(doc: Doc[Any]) -> None:
        fields = {"id": "undo-1", "text": "A", "color": "yellow", "x": 0.0, "y": 0.0}
        doc.get("ideas", type=Map)["undo-1"] = Map(fields)

    async with await YClient.connect(
        api.server.ws_url, str(project), token=owner.access_token
    ) as live:
        await live.wait_synced()
        await live.edit(add)
        await live.wait_durable()
        await settle_events(api)
        assert (await receiver.next()).payload["type"] == "idea.created"
        for text in ("B", "A", "B"):
            reply = await api.call("PATCH", "/v1/ideas/undo-1", owner, json={"text": text})
            assert reply.status == 200, reply.body
            await settle_events(api)
            got = await receiver.next()
            assert (got.payload["type"], got.payload["data"]["item"]["text"]) == (
                "idea.updated", text
            )  # fmt: skip
        assert (await api.call("DELETE", "/v1/ideas/undo-1", owner)).status == 204
        await settle_events(api)
        assert (await receiver.next()).payload["type"] == "idea.deleted"
        await live.wait_for(lambda: "undo-1" not in live.doc.get("ideas", type=Map))
        await live.edit(add)  # the undo
        await live.wait_durable()
    await settle_events(api)
    back = await receiver.next()
    assert (back.payload["type"], back.payload["data"]["item"]["text"]) == ("idea.created", "A")


async def test_a_project_has_at_most_twenty_subscriptions(api: ApiClient, team: Team) -> None:
    owner = team["owner"]
    project = await api.create_project(owner, "Muitos")
    path = f"/v1/projects/{project}/webhooks"
    body = {"url": "https://example.org/hook", "events": ["*"], "enabled": False}
    for _ in range(20):
        assert (await api.call("POST", path, owner, json=body)).status == 201
    refused = await api.call("POST", path, owner, json=body)
    assert refused.status == 409, refused.body
    listed = await api.call("GET", path, owner, params={"limit": 100})
    assert len(listed.body["items"]) == 20
