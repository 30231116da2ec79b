"""Brainstorm sessions over REST and live rooms: hidden notes, server-owned state, dot voting.

A facilitator (the owner) and participants (members, as REST callers and y-websocket clients)
run sessions on a real server with accounts (open_rooms off) and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from prometheus_client import REGISTRY
from pycrdt import Doc, Map

from collab.brainstorm import brainstorm_room, private_room
from collab.brainstorm_doc import read_snapshot
from collab.close import CloseCode
from collab.codec import decode, encode
from collab.messages import ServerNotice, Update
from http_api.keys import DB, ROOMS
from persistence import outbox
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, make_admin
from tests.support.projects import ApiClient, Reply
from tests.support.yclient import YClient

# One server for the module, with the product's default: rooms are projects, members only.
pytestmark = pytest.mark.shared_server(open_rooms=False)


@pytest.fixture
def locked(server: RunningServer) -> RunningServer:
    """The module's server (see pytestmark)."""
    return server


@pytest.fixture
async def rest(locked: RunningServer) -> AsyncIterator[ApiClient]:
    async with ApiClient.open(locked) as client:
        yield client


@dataclass
class Workshop:
    """An owner (who facilitates), three participants, a viewer and a stranger, one project."""

    api: ApiClient
    users: dict[str, RegisteredUser]
    project: UUID

    def __getitem__(self, name: str) -> RegisteredUser:
        return self.users[name]

    def path(self, suffix: str = "") -> str:
        return f"/v1/projects/{self.project}/brainstorm{suffix}"

    async def call(
        self, who: str, method: str, suffix: str = "", json: Any = None, want: int | None = None
    ) -> Reply:
        reply = await self.api.call(method, self.path(suffix), self[who], json=json)
        if want is not None:
            assert reply.status == want, reply.body
        return reply

    async def start(self, **body: Any) -> dict[str, Any]:
        """Start a session as the owner; the session's JSON."""
        reply = await self.call("owner", "POST", json={"prompt": "Shorter queues?", **body})
        assert reply.status == 201, reply.body
        assert reply.headers["Location"] == self.path(f"/{reply.body['id']}")
        session: dict[str, Any] = reply.body
        return session

    async def idea(self, text: str, who: str = "owner") -> str:
        """An idea created on the board through REST; its id."""
        reply = await self.api.call(
            "POST", f"/v1/projects/{self.project}/ideas", self[who], json={"text": text}
        )
        assert reply.status == 201, reply.body
        idea_id: str = reply.body["id"]
        return idea_id

    async def live(self, who: str, room: str) -> YClient:
        """``who``'s y-websocket client of ``room``, synced."""
        token = self[who].access_token
        client = await YClient.connect(self.api.server.ws_url, room, token=token)
        await client.wait_synced()
        return client


@pytest.fixture
async def workshop(rest: ApiClient) -> Workshop:
    names = ["owner", "p1", "p2", "p3", "viewer", "stranger"]
    users = dict(zip(names, await asyncio.gather(*(rest.register(n) for n in names)), strict=True))
    project = await rest.create_project(users["owner"], "Queue workshop")
    for name in ("p1", "p2", "p3"):
        await rest.add_member(users["owner"], project, users[name], "member")
    await rest.add_member(users["owner"], project, users["viewer"], "viewer")
    return Workshop(rest, users, project)


def add_note(note_id: str, text: str, x: float = 10.0) -> Callable[[Doc[Any]], None]:
    """A browser's new sticky note (docs/document-schema.md), in whatever room it writes to."""

    def change(doc: Doc[Any]) -> None:
        stamp = "2026-03-01T09:00:00.000Z"
        doc.get("ideas", type=Map)[note_id] = Map(
            {"id": note_id, "text": text, "color": "pink", "x": x, "y": 20.0, "clusterId": None,
             "authorId": "forged-author", "createdBy": "forged-author", "createdAt": stamp,
             "updatedAt": stamp}
        )  # fmt: skip

    return change


def ideas(client: YClient) -> dict[str, dict[str, Any]]:
    board = client.doc.get("ideas", type=Map)
    return {
        key: dict(value.to_py() or {}) for key, value in board.items() if isinstance(value, Map)
    }


def state(client: YClient) -> dict[str, Any]:
    return read_snapshot(client.doc) or {}


def refused() -> float:
    return REGISTRY.get_sample_value("dttools_readonly_writes_refused_total") or 0.0


def seen(client: YClient, text: str) -> bool:
    """Whether any frame this client received carries ``text``."""
    return any(text.encode() in frame for frame in client.frames)


async def close_all(clients: list[YClient]) -> None:
    for client in clients:
        await client.close()


class TestFullSession:
    async def test_a_facilitator_and_three_participants_run_a_whole_session(
        self, workshop: Workshop, locked: RunningServer
    ) -> None:
        """Silent notes stay in their writers' rooms (no other client's document or frame has
        them) until the reveal puts them all on the board at once with their authors; then
        clustering, dot voting with hidden then revealed tallies, a summon, and ranked
        results with an event for each revealed note and one for the results."""
        w = workshop
        existing = await w.idea("Self-service kiosk")
        session = await w.start(duration_s=600, votes_per_person=2)
        sid = UUID(session["id"])
        assert session["private_room"] == private_room(w.project, sid, w["owner"].id)
        participants = ["p1", "p2", "p3"]
        boards = {n: await w.live(n, str(w.project)) for n in ["owner", *participants]}
        mirrors = {n: await w.live(n, brainstorm_room(w.project)) for n in ["owner", "viewer"]}
        privates = {n: await w.live(n, private_room(w.project, sid, w[n].id)) for n in participants}
        clients = [*boards.values(), *mirrors.values(), *privates.values()]
        try:
            for mirror in mirrors.values():
                await mirror.wait_for(lambda m=mirror: state(m).get("sessionId") == str(sid))  # type: ignore[misc]
            assert state(mirrors["viewer"])["phase"] == "silent"

            secrets = {n: f"secret note of {n} {uuid4().hex[:6]}" for n in participants}
            for n in participants:
                await privates[n].edit(add_note(f"note-{n}", secrets[n]))
                await privates[n].wait_durable()
            # Another participant's REST read of the board does not have them either.
            listed = await w.api.call("GET", f"/v1/projects/{w.project}/ideas", w["p1"])
            assert [i["id"] for i in listed.body["items"]] == [existing]
            for n in participants:
                others = [c for c in clients if c is not privates[n]]
                assert not any(seen(c, secrets[n]) for c in others), n
                assert all(f"note-{n}" not in ideas(c) for c in boards.values())

            revealed = await w.call(
                "owner", "POST", f"/{sid}/phase", {"phase": "reveal", "duration_s": 120}, want=200
            )
            assert revealed.body["phase"] == "reveal"
            assert revealed.body["timer"]["duration_s"] == 120
            for board in boards.values():
                await board.wait_for(lambda b=board: len(ideas(b)) == 4)  # type: ignore[misc]
            on_board = ideas(boards["p2"])
            for n in participants:
                note = on_board[f"note-{n}"]
                assert note["text"] == secrets[n]
                assert note["authorId"] == note["createdBy"] == str(w[n].id)
                assert note["color"] == "pink"
            # everyone wrote at (10, 20) of their own board: revealed, the notes do not stack
            spots = {(on_board[f"note-{n}"]["x"], on_board[f"note-{n}"]["y"]) for n in participants}
            assert len(spots) == len(participants)
            # Writable sockets of the private rooms were closed; they reopen read-only, empty.
            for n in participants:
                await privates[n].wait_closed()
                assert privates[n].close_code == 4403
            reopened = await w.live("p1", private_room(w.project, sid, w["p1"].id))
            clients.append(reopened)
            await reopened.wait_for(lambda: ideas(reopened) == {})
            await reopened.edit(add_note("late", "too late"))
            await reopened.wait_for(
                lambda: any(isinstance(decode(f), ServerNotice) for f in reopened.frames)
            )

            # Clustering happens live on the board.
            await w.call("owner", "POST", f"/{sid}/phase", {"phase": "clustering"}, want=200)

            def cluster(doc: Doc[Any]) -> None:
                doc.get("clusters", type=Map)["waiting"] = Map({"id": "waiting", "name": "Waiting"})
                for key in ("note-p1", "note-p2"):
                    doc.get("ideas", type=Map)[key]["clusterId"] = "waiting"

            await boards["p3"].edit(cluster)
            await boards["p3"].wait_durable()
            await w.call("owner", "POST", f"/{sid}/phase", {"phase": "voting"}, want=200)

            a, b, c = "note-p1", "note-p2", existing
            await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": a}, want=201)
            mine = await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": b}, want=201)
            assert mine.headers["Location"] == w.path(f"/{sid}/votes")
            assert (mine.body["votes"], mine.body["remaining"]) == ([a, b], 0)
            await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": c}, want=409)
            await w.call("p2", "POST", f"/{sid}/votes", {"idea_id": a}, want=201)
            await w.call("p2", "POST", f"/{sid}/votes", {"idea_id": a}, want=409)  # no stacking
            await w.call("p3", "POST", f"/{sid}/votes", {"idea_id": c}, want=201)
            back = await w.call("p3", "DELETE", f"/{sid}/votes/{c}", want=200)
            assert back.body["votes"] == []
            await w.call("p3", "POST", f"/{sid}/votes", {"idea_id": a}, want=201)

            hidden = await w.call("p1", "GET", f"/{sid}", want=200)
            assert (hidden.body["tallies"], hidden.body["tallies_visible"]) == (None, False)
            facilitating = await w.call("owner", "GET", f"/{sid}", want=200)
            assert facilitating.body["tallies"] == {a: 3, b: 1}
            assert state(mirrors["viewer"])["tallies"] is None
            await w.call("owner", "POST", f"/{sid}/reveal-tallies", want=200)
            await mirrors["viewer"].wait_for(
                lambda: state(mirrors["viewer"]).get("tallies") == {a: 3, b: 1}
            )
            await w.call("p3", "DELETE", f"/{sid}/votes/{a}", want=200)
            await mirrors["viewer"].wait_for(
                lambda: state(mirrors["viewer"]).get("tallies") == {a: 2, b: 1}
            )

            await w.call(
                "owner", "POST", f"/{sid}/summon", {"x": 5, "y": -7.5, "zoom": 2}, want=200
            )
            await mirrors["viewer"].wait_for(
                lambda: state(mirrors["viewer"]).get("summon") is not None
            )
            summon = state(mirrors["viewer"])["summon"]
            assert (summon["x"], summon["y"], summon["zoom"], summon["by"]) == (
                5, -7.5, 2, str(w["owner"].id),
            )  # fmt: skip

            ended = await w.call("owner", "POST", f"/{sid}/end", want=200)
            results = ended.body["results"]
            assert ended.body["ended"]
            assert [(i["idea_id"], i["rank"], i["votes"]) for i in results["ideas"]] == [
                (a, 1, 2), (b, 2, 1), ("note-p3", 3, 0),
            ]  # fmt: skip  # c is not the session's: it was on the board before, its dot taken back
            assert results["ideas"][0]["author_name"] == "p1"
            assert results["clusters"] == [
                {"cluster_id": "waiting", "name": "Waiting", "votes": 3, "ideas": 2}
            ]
            assert (results["voters"], results["votes"]) == (2, 3)
            await mirrors["viewer"].wait_for(lambda: state(mirrors["viewer"]).get("ended") is True)
            final = await w.call("p2", "GET", f"/{sid}", want=200)
            assert final.body["results"] == results

            events = [
                e
                for e in await outbox.pending(locked.app[DB], project_id=w.project, limit=1000)
                if e.type in ("brainstorm.results", "idea.created")  # the team's are elsewhere
            ]
            assert sorted(e.type for e in events) == ["brainstorm.results", *["idea.created"] * 3]
            created = {e.data["idea"]["id"]: e for e in events if e.type == "idea.created"}
            assert created["note-p2"].data["idea"]["text"] == secrets["p2"]
            assert created["note-p2"].id == outbox.event_id("idea.created", w.project, "note-p2")
            [done] = [e for e in events if e.type == "brainstorm.results"]
            assert (done.data["ideas"], done.data["clusters"]) == (
                results["ideas"],
                results["clusters"],
            )
            assert done.data["session_id"] == str(sid)
        finally:
            await close_all(clients)


class TestHiddenNotes:
    async def test_nobody_but_its_participant_opens_a_private_room(
        self, workshop: Workshop, locked: RunningServer
    ) -> None:
        """Another participant, the owner, an admin, a viewer (even their own) and a stranger
        are refused with 4403; a room of a session that does not exist too."""
        w = workshop
        session = await w.start()
        room = private_room(w.project, UUID(session["id"]), w["p1"].id)
        await make_admin(locked.app[DB], w["stranger"])
        own_viewer_room = private_room(w.project, UUID(session["id"]), w["viewer"].id)
        nowhere = private_room(w.project, uuid4(), w["p1"].id)
        for who, target in [
            ("p2", room), ("owner", room), ("stranger", room), ("viewer", own_viewer_room),
            ("p1", nowhere),
        ]:  # fmt: skip
            token = w[who].access_token
            client = await YClient.connect(locked.ws_url, target, token=token)
            await client.wait_closed()
            assert client.close_code == 4403, (who, client.close_reason)

    async def test_leaving_the_team_closes_the_brainstorm_and_private_sockets_too(
        self, workshop: Workshop
    ) -> None:
        """Removing a member ends their sockets on the project's brainstorm rooms, on top of
        the board's; other participants stay connected."""
        w = workshop
        session = await w.start()
        sid = UUID(session["id"])
        mine = [
            await w.live("p1", str(w.project)),
            await w.live("p1", brainstorm_room(w.project)),
            await w.live("p1", private_room(w.project, sid, w["p1"].id)),
        ]
        other = await w.live("p2", private_room(w.project, sid, w["p2"].id))
        try:
            reply = await w.api.call(
                "DELETE", f"/v1/projects/{w.project}/members/{w['p1'].id}", w["owner"]
            )
            assert reply.status == 204, reply.body
            for client in mine:
                await client.wait_closed()
                assert client.close_code == 4403
            assert other.close_code is None
        finally:
            await close_all([*mine, other])

    async def test_a_note_written_after_the_reveal_is_revealed_by_the_next_phase_change(
        self, workshop: Workshop
    ) -> None:
        """A note that reached a private room after a reveal (as one typed on another node
        in the instant its socket was closing would) goes on the board at the next change."""
        w = workshop
        session = await w.start()
        sid = UUID(session["id"])
        private = await w.live("p1", private_room(w.project, sid, w["p1"].id))
        board = await w.live("p2", str(w.project))
        try:
            await w.call("owner", "POST", f"/{sid}/phase", {"phase": "reveal"}, want=200)
            await private.wait_closed()
            # The server itself stands in for the straggler: straight into the private room.
            await w.api.server.app[ROOMS].transact(
                private_room(w.project, sid, w["p1"].id), add_note("straggler", "late idea")
            )
            await w.call("owner", "POST", f"/{sid}/phase", {"phase": "clustering"}, want=200)
            await board.wait_for(lambda: "straggler" in ideas(board))
            assert ideas(board)["straggler"]["authorId"] == str(w["p1"].id)
        finally:
            await close_all([private, board])

    async def test_ending_a_silent_session_reveals_its_notes_first(
        self, workshop: Workshop
    ) -> None:
        """Nothing written is lost when a facilitator ends during silent ideation; an
        anonymous session puts the notes on the board without authors."""
        w = workshop
        session = await w.start(anonymous=True)
        sid = UUID(session["id"])
        private = await w.live("p2", private_room(w.project, sid, w["p2"].id))
        try:
            await private.edit(add_note("n", "an anonymous idea"))
            await private.wait_durable()
            ended = await w.call("owner", "POST", f"/{sid}/end", want=200)
            [idea] = ended.body["results"]["ideas"]
            assert (idea["text"], idea["author_id"], idea["author_name"]) == (
                "an anonymous idea", None, None,
            )  # fmt: skip
            listed = await w.api.call("GET", f"/v1/projects/{w.project}/ideas", w["p1"])
            assert [(i["text"], i["authorId"], i["createdBy"]) for i in listed.body["items"]] == [
                ("an anonymous idea", None, None)
            ]
        finally:
            await private.close()

    async def test_nested_content_in_a_private_room_is_refused_and_the_reveal_works(
        self, workshop: Workshop
    ) -> None:
        """A note nested 60,000 levels deep crashed the node when the reveal deleted it from
        the private room; it is refused on arrival, and nesting within the limit reveals."""
        w = workshop
        session = await w.start()
        sid = UUID(session["id"])
        room = private_room(w.project, sid, w["p1"].id)
        private = await w.live("p1", room)
        await private.send_raw(encode(Update(_nested_note("deep", 60_000))))
        await private.wait_closed()
        assert private.close_code == CloseCode.NESTING_TOO_DEEP
        private = await w.live("p1", room)
        try:
            await private.send_raw(encode(Update(_nested_note("ok", 50))))
            await private.edit(add_note("plain", "a plain idea"))
            await private.wait_durable()
            assert private.close_code is None
            await w.call("owner", "POST", f"/{sid}/phase", {"phase": "reveal"}, want=200)
            listed = await w.api.call("GET", f"/v1/projects/{w.project}/ideas", w["p2"])
            assert sorted(i["text"] for i in listed.body["items"]) == ["a plain idea", "nested 50"]
        finally:
            await private.close()


def _nested_note(note_id: str, levels: int) -> bytes:
    """A sticky note whose extra field holds Y.Maps nested ``levels`` deep, as one update."""
    doc: Doc[Any] = Doc()
    with doc.transaction():
        note: Map[Any] = Map({"id": note_id, "text": f"nested {levels}", "x": 1.0, "y": 2.0})
        doc.get("ideas", type=Map)[note_id] = note
        node = note
        for _ in range(levels):
            child: Map[Any] = Map()
            node["extra"] = child
            node = child
    return doc.get_update()


class TestServerOwnedState:
    async def test_a_forged_write_to_the_brainstorm_room_is_refused(
        self, workshop: Workshop, locked: RunningServer
    ) -> None:
        """Even the owner's client connects read-only: a write claiming another phase and
        tallies is refused with a notice, reaches nobody and is not stored."""
        w = workshop
        session = await w.start()
        forger = await w.live("owner", brainstorm_room(w.project))
        refused_before = refused()
        try:
            await forger.wait_for(lambda: state(forger).get("phase") == "silent")

            def forge(doc: Doc[Any]) -> None:
                doc.get("brainstorm", type=Map)["999999999"] = {"phase": "results", "tallies": {}}

            await forger.edit(forge)
            await forger.wait_for(
                lambda: any(isinstance(decode(f), ServerNotice) for f in forger.frames)
            )
            watcher = await w.live("p1", brainstorm_room(w.project))
            try:
                await watcher.wait_for(lambda: state(watcher).get("sessionId") == session["id"])
                assert state(watcher)["phase"] == "silent"
            finally:
                await watcher.close()
            assert refused() == refused_before + 1
        finally:
            await forger.close()

    async def test_a_vote_names_no_voter_and_counts_only_for_the_caller(
        self, workshop: Workshop
    ) -> None:
        """A body naming someone else is refused (422); each person sees only their dots."""
        w = workshop
        idea = await w.idea("kiosk")
        session = await w.start(phase="voting")
        sid = session["id"]
        forged = {"idea_id": idea, "user_id": str(w["p2"].id)}
        await w.call("p1", "POST", f"/{sid}/votes", forged, want=422)
        await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
        theirs = await w.call("p2", "GET", f"/{sid}/votes", want=200)
        assert theirs.body["votes"] == []
        mine = await w.call("p1", "GET", f"/{sid}/votes", want=200)
        assert (mine.body["votes"], mine.body["remaining"]) == ([idea], 2)


class TestFacilitation:
    async def test_only_facilitators_steer_and_owners_name_them(self, workshop: Workshop) -> None:
        """A member may not pause until an owner names them; a viewer cannot be named; a
        named member may steer but not name others; removing them takes it back."""
        w = workshop
        session = await w.start()
        sid = session["id"]
        await w.call("p1", "POST", f"/{sid}/pause", want=403)
        await w.call("owner", "POST", f"/{sid}/facilitators", {"user_id": str(w["viewer"].id)},
                     want=422)  # fmt: skip
        named = await w.call(
            "owner", "POST", f"/{sid}/facilitators", {"user_id": str(w["p1"].id)}, want=200
        )
        assert named.body["facilitators"] == [str(w["p1"].id)]
        paused = await w.call("p1", "POST", f"/{sid}/pause", want=200)
        assert paused.body["you_facilitate"]
        await w.call("p1", "POST", f"/{sid}/facilitators", {"user_id": str(w["p2"].id)}, want=403)
        await w.call("owner", "DELETE", f"/{sid}/facilitators/{w['p1'].id}", want=204)
        await w.call("owner", "DELETE", f"/{sid}/facilitators/{w['p1'].id}", want=404)
        await w.call("p1", "POST", f"/{sid}/resume", want=403)

    async def test_the_timer_pauses_resumes_and_extends_on_the_servers_clock(
        self, workshop: Workshop
    ) -> None:
        """Paused, the remaining time holds still between reads; resumed, the end moved by
        the pause; an extension moves it further; pausing twice is a conflict."""
        w = workshop
        session = await w.start(duration_s=100)
        sid = session["id"]
        paused = await w.call("owner", "POST", f"/{sid}/pause", want=200)
        timer = paused.body["timer"]
        assert (timer["running"], timer["ends_at"]) == (False, None)
        await w.call("owner", "POST", f"/{sid}/pause", want=409)
        later = await w.call("p2", "GET", f"/{sid}", want=200)
        assert later.body["timer"]["remaining_s"] == timer["remaining_s"]
        resumed = await w.call("owner", "POST", f"/{sid}/resume", want=200)
        ends = datetime.fromisoformat(resumed.body["timer"]["ends_at"])
        started = datetime.fromisoformat(resumed.body["timer"]["started_at"])
        paused_s = resumed.body["timer"]["paused_s"]
        assert paused_s > 0
        assert (ends - started).total_seconds() == pytest.approx(100 + paused_s)
        extended = await w.call("owner", "POST", f"/{sid}/extend", {"seconds": 60}, want=200)
        assert extended.body["timer"]["duration_s"] == 160
        remaining = extended.body["timer"]["remaining_s"]
        server_time = datetime.fromisoformat(extended.body["server_time"])
        ends = datetime.fromisoformat(extended.body["timer"]["ends_at"])
        assert remaining == pytest.approx((ends - server_time).total_seconds(), abs=0.01)

    async def test_phases_move_forward_and_an_ended_session_refuses_changes(
        self, workshop: Workshop
    ) -> None:
        """Backwards is a conflict; after the end every change is, and a new session may
        start (only one runs at a time)."""
        w = workshop
        session = await w.start(phase="clustering")
        sid = session["id"]
        await w.call("owner", "POST", json={"prompt": "second"}, want=409)
        await w.call("owner", "POST", f"/{sid}/phase", {"phase": "reveal"}, want=409)
        await w.call("owner", "POST", f"/{sid}/phase", {"phase": "results"}, want=200)
        await w.call("owner", "POST", f"/{sid}/end", want=200)
        for suffix, body in [("/pause", None), ("/end", None), ("/extend", {"seconds": 5})]:
            await w.call("owner", "POST", f"/{sid}{suffix}", body, want=409)
        second = await w.start(prompt="again")
        listed = await w.call("viewer", "GET", want=200)
        assert [s["id"] for s in listed.body["items"]] == [second["id"], sid]
        assert listed.body["items"][1]["results"] is not None
        assert listed.body["next_cursor"] is None
        newest = await w.api.call("GET", w.path(), w["viewer"], params={"limit": 1})
        assert [s["id"] for s in newest.body["items"]] == [second["id"]]
        older = await w.api.call(
            "GET", w.path(), w["viewer"], params={"limit": 1, "cursor": newest.body["next_cursor"]}
        )
        assert ([s["id"] for s in older.body["items"]], older.body["next_cursor"]) == ([sid], None)


class TestVoting:
    async def test_votes_follow_the_phase_the_roles_and_the_board(self, workshop: Workshop) -> None:
        """Before voting opens and after it closes dots are refused (409); an idea that is
        not on the board is a 422; viewers may not vote (403); strangers see nothing (404)."""
        w = workshop
        idea = await w.idea("kiosk")
        session = await w.start(phase="clustering", allow_stacking=True)
        sid = session["id"]
        await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": idea}, want=409)
        await w.call("owner", "POST", f"/{sid}/phase", {"phase": "voting"}, want=200)
        await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": "no-such-idea"}, want=422)
        await w.call("viewer", "POST", f"/{sid}/votes", {"idea_id": idea}, want=403)
        await w.call("stranger", "POST", f"/{sid}/votes", {"idea_id": idea}, want=404)
        await w.call("stranger", "GET", f"/{sid}", want=404)
        await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
        stacked = await w.call("p1", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
        assert stacked.body["votes"] == [idea, idea]
        await w.call("p1", "DELETE", f"/{sid}/votes/other-idea", want=404)
        await w.call("owner", "POST", f"/{sid}/phase", {"phase": "results"}, want=200)
        await w.call("p1", "DELETE", f"/{sid}/votes/{idea}", want=409)
        results = await w.call("p3", "GET", f"/{sid}", want=200)
        assert results.body["tallies"] == {idea: 2}
        assert results.body["results"]["ideas"][0]["votes"] == 2
