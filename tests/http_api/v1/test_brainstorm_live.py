"""Brainstorm at workshop size: time's-up rules, live progress counts, the board lock.

Real REST calls and y-websocket clients on a real server with accounts and PostgreSQL. The
time-up tests move a session's end to about a second from now in the database (the API keeps
its 10-second minimum) and let the node's scheduler find it, as it does every sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from prometheus_client import REGISTRY
from pycrdt import Doc, Map

from collab.brainstorm import brainstorm_room, private_room
from collab.codec import decode
from collab.messages import ServerNotice
from http_api.brainstorm_live import BRAINSTORM_LIVE, TIME_UP, WRITING_OPEN
from http_api.keys import DB
from tests.http_api.v1 import test_brainstorm as base
from tests.http_api.v1.test_brainstorm import Workshop, add_note, ideas, refused, state
from tests.support.yclient import YClient

pytestmark = pytest.mark.shared_server(open_rooms=False)
# The brainstorm tests' fixtures: the module's server, a REST client, a workshop project.
locked, rest, workshop = base.locked, base.rest, base.workshop


async def ends_soon(workshop: Workshop, session_id: str, seconds: float = 1.0) -> None:
    """Move the session's end to ``seconds`` from now (database clock); the node's sweep
    schedules it, as it would a session changed on another node."""
    app = workshop.api.server.app
    await app[DB].execute(
        "UPDATE brainstorm_sessions SET timer_started_at = clock_timestamp() "
        "- make_interval(secs => timer_duration_s + timer_paused_s - $2) WHERE id = $1",
        UUID(session_id),
        seconds,
    )
    await app[BRAINSTORM_LIVE].sweep()


async def refused_notice(client: YClient) -> None:
    """Wait for the notice a refused write gets (the write is counted, applied nowhere)."""
    await client.wait_for(lambda: any(isinstance(decode(f), ServerNotice) for f in client.frames))


def note_text(client: YClient) -> set[str]:
    return {idea.get("text") or "" for idea in ideas(client).values()}


class TestTimeUpLock:
    async def test_at_zero_private_rooms_turn_read_only_until_a_facilitator_extends(
        self, workshop: Workshop
    ) -> None:
        session = await workshop.start(duration_s=10, on_time_up="lock")
        sid = session["id"]
        assert session["on_time_up"] == "lock"
        assert session["writing_locked"] is False
        room = private_room(workshop.project, UUID(sid), workshop["p1"].id)
        writer = await workshop.live("p1", room)
        watcher = await workshop.live("p2", brainstorm_room(workshop.project))
        try:
            assert state(watcher)["onTimeUp"] == "lock"
            await writer.edit(add_note("n1", "before zero"))
            await writer.wait_durable()
            await ends_soon(workshop, sid)
            await writer.wait_closed()
            assert (writer.close_code, writer.close_reason) == (4403, TIME_UP)
            await watcher.wait_for(lambda: state(watcher).get("writingLocked") is True)
            got = await workshop.call("p1", "GET", f"/{sid}", want=200)
            assert got.body["writing_locked"] is True
            assert got.body["phase"] == "silent"

            again = await workshop.live("p1", room)  # reconnects read-only
            before = refused()
            await again.edit(add_note("n2", "after zero"))
            await refused_notice(again)
            assert refused() > before
            await again.close()

            # More time opens writing again: read-only sockets are closed to reconnect.
            reader = await workshop.live("p1", room)
            extended = await workshop.call("owner", "POST", f"/{sid}/extend", {"seconds": 60})
            assert extended.status == 200
            assert extended.body["writing_locked"] is False
            await reader.wait_closed()
            assert (reader.close_code, reader.close_reason) == (4403, WRITING_OPEN)
            reopened = await workshop.live("p1", room)
            await reopened.edit(add_note("n3", "more time"))
            await reopened.wait_durable()
            await reopened.close()
            # Only what was written while writing was open reaches the board.
            await workshop.call("owner", "POST", f"/{sid}/phase", {"phase": "reveal"}, want=200)
            board = await workshop.live("owner", str(workshop.project))
            await board.wait_for(lambda: {"before zero", "more time"} <= note_text(board))
            assert "after zero" not in note_text(board)
            await board.close()
        finally:
            await writer.close()
            await watcher.close()

    async def test_at_zero_in_voting_dots_are_refused_and_a_pause_keeps_the_lock(
        self, workshop: Workshop
    ) -> None:
        idea = await workshop.idea("Kiosk")
        session = await workshop.start(duration_s=10, phase="voting", on_time_up="lock")
        sid = session["id"]
        await workshop.call("p1", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
        watcher = await workshop.live("p2", brainstorm_room(workshop.project))
        try:
            await ends_soon(workshop, sid)
            await watcher.wait_for(lambda: state(watcher).get("writingLocked") is True)
            refused_vote = await workshop.call("p2", "POST", f"/{sid}/votes", {"idea_id": idea})
            assert refused_vote.status == 409
            assert "time is up" in refused_vote.body["detail"]
            paused = await workshop.call("owner", "POST", f"/{sid}/pause", want=200)
            assert paused.body["writing_locked"] is True  # no time was given
            await workshop.call("owner", "POST", f"/{sid}/resume", want=200)
            await workshop.call("owner", "POST", f"/{sid}/extend", {"seconds": 30}, want=200)
            await workshop.call("p2", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
        finally:
            await watcher.close()


class TestTimeUpAdvance:
    async def test_at_zero_silent_moves_to_reveal_and_the_notes_appear_once(
        self, workshop: Workshop
    ) -> None:
        session = await workshop.start(duration_s=10, on_time_up="advance")
        sid = session["id"]
        writer = await workshop.live(
            "p1", private_room(workshop.project, UUID(sid), workshop["p1"].id)
        )
        board = await workshop.live("p2", str(workshop.project))
        watcher = await workshop.live("p3", brainstorm_room(workshop.project))
        try:
            await writer.edit(add_note("n1", "Self-service kiosk"))
            await writer.wait_durable()
            version = state(watcher)["version"]
            await ends_soon(workshop, sid)
            await board.wait_for(lambda: "Self-service kiosk" in note_text(board))
            await writer.wait_closed()
            assert writer.close_code == 4403
            await watcher.wait_for(lambda: state(watcher).get("phase") == "reveal")
            got = await workshop.call("p1", "GET", f"/{sid}", want=200)
            assert got.body["phase"] == "reveal"
            assert got.body["version"] == version + 1
            # The countdown is handled: another look (any node's) changes nothing.
            live = workshop.api.server.app[BRAINSTORM_LIVE]
            assert await live.fire(workshop.project, UUID(sid)) is None
            await live.sweep()
            again = await workshop.call("p1", "GET", f"/{sid}", want=200)
            assert again.body["phase"] == "reveal"
            assert again.body["version"] == version + 1
            assert list(note_text(board)).count("Self-service kiosk") == 1
        finally:
            for client in (writer, board, watcher):
                await client.close()

    async def test_voting_moves_to_results_and_a_paused_timer_waits(
        self, workshop: Workshop
    ) -> None:
        session = await workshop.start(duration_s=10, phase="voting", on_time_up="advance")
        sid = session["id"]
        watcher = await workshop.live("p2", brainstorm_room(workshop.project))
        try:
            await workshop.call("owner", "POST", f"/{sid}/pause", want=200)
            await ends_soon(workshop, sid)  # paused: the end keeps moving, nothing happens
            live = workshop.api.server.app[BRAINSTORM_LIVE]
            assert await live.fire(workshop.project, UUID(sid)) is None
            await workshop.call("owner", "POST", f"/{sid}/resume", want=200)
            await ends_soon(workshop, sid)
            await watcher.wait_for(lambda: state(watcher).get("phase") == "results")
            assert state(watcher)["talliesVisible"] is True
        finally:
            await watcher.close()


class TestRules:
    async def test_facilitators_change_the_rule_and_others_cannot(self, workshop: Workshop) -> None:
        session = await workshop.start()
        sid = session["id"]
        assert session["on_time_up"] == "nothing"
        changed = await workshop.call("owner", "POST", f"/{sid}/rules", {"on_time_up": "advance"})
        assert changed.status == 200
        assert changed.body["on_time_up"] == "advance"
        for who, status in (("p1", 403), ("viewer", 403), ("stranger", 404)):
            reply = await workshop.call(who, "POST", f"/{sid}/rules", {"on_time_up": "lock"})
            assert reply.status == status, (who, reply.body)
        for body in ({"on_time_up": "explode"}, {}, {"on_time_up": "lock", "x": 1}):
            reply = await workshop.call("owner", "POST", f"/{sid}/rules", body)
            assert reply.status == 422, body
        bad_start = await workshop.call(
            "owner", "POST", json={"prompt": "x", "on_time_up": "later"}
        )
        assert bad_start.status == 422
        await workshop.call("owner", "POST", f"/{sid}/end", want=200)
        ended = await workshop.call("owner", "POST", f"/{sid}/rules", {"on_time_up": "lock"})
        assert ended.status == 409


class TestProgress:
    async def test_counts_who_joined_wrote_and_voted_and_never_who(
        self, workshop: Workshop
    ) -> None:
        session = await workshop.start(anonymous=True)
        sid = UUID(session["id"])
        watcher = await workshop.live("owner", brainstorm_room(workshop.project))
        rooms = {
            name: await workshop.live(name, private_room(workshop.project, sid, workshop[name].id))
            for name in ("p1", "p2", "p3")
        }

        def progress() -> dict[str, Any]:
            return state(watcher).get("progress") or {}

        try:
            await watcher.wait_for(lambda: progress().get("participants") == 3)
            assert progress() == {"participants": 3, "wrote": 0, "voted": 0}
            await rooms["p1"].edit(add_note("a", "Kiosk"))
            await rooms["p2"].edit(add_note("b", "   "))  # a blank note is not writing
            await watcher.wait_for(lambda: progress().get("wrote") == 1)
            await rooms["p2"].edit(add_note("c", "Queue app"))
            await watcher.wait_for(lambda: progress().get("wrote") == 2)

            def delete(doc: Any) -> None:
                del doc.get("ideas", type=Map)["c"]

            await rooms["p2"].edit(delete)
            await watcher.wait_for(lambda: progress().get("wrote") == 1)
            # Counts only: the snapshot never names a participant.
            for user in workshop.users.values():
                assert str(user.id) not in str(progress())
            await workshop.call("owner", "POST", f"/{sid}/phase", {"phase": "voting"}, want=200)
            await watcher.wait_for(lambda: state(watcher).get("phase") == "voting")
            assert progress()["wrote"] == 1  # what the reveal found stays
            idea = next(iter(ideas(await workshop.live("owner", str(workshop.project)))))
            await workshop.call("p3", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
            await watcher.wait_for(lambda: progress().get("voted") == 1)
            await workshop.call("owner", "POST", f"/{sid}/votes", {"idea_id": idea}, want=201)
            await watcher.wait_for(lambda: progress() == {"participants": 4, "wrote": 1,
                                                          "voted": 2})  # fmt: skip
        finally:
            for client in (watcher, *rooms.values()):
                await client.close()


class TestBoardLock:
    async def test_a_locked_board_refuses_non_facilitators_live_and_ending_unlocks(
        self, workshop: Workshop
    ) -> None:
        session = await workshop.start(phase="clustering", facilitators=[str(workshop["p2"].id)])
        sid = session["id"]
        board = str(workshop.project)
        owner = await workshop.live("owner", board)
        p1 = await workshop.live("p1", board)
        p2 = await workshop.live("p2", board)
        quiet = await workshop.live("p3", board)  # writes nothing while the board is locked
        watcher = await workshop.live("p3", brainstorm_room(workshop.project))
        clients = [owner, p1, p2, quiet, watcher]
        try:
            locked_reply = await workshop.call("owner", "POST", f"/{sid}/lock", want=200)
            assert locked_reply.body["board_locked"] is True
            await watcher.wait_for(lambda: state(watcher).get("boardLocked") is True)
            before = refused()
            await p1.edit(add_note("p1-locked", "refused"))
            await refused_notice(p1)
            await owner.edit(add_note("owner-locked", "facilitator writes"))
            await p2.edit(add_note("p2-locked", "named facilitator writes"))
            await p1.wait_for(lambda: {"owner-locked", "p2-locked"} <= set(ideas(p1)))
            assert refused() > before
            assert "p1-locked" not in ideas(owner)
            late = await workshop.live("p3", board)  # a socket opened while locked
            clients.append(late)
            before = refused()
            await late.edit(add_note("late-locked", "refused too"))
            await refused_notice(late)
            assert refused() > before

            for who in ("p1", "viewer"):
                reply = await workshop.call(who, "POST", f"/{sid}/unlock")
                assert reply.status == 403, who
            assert (await workshop.call("stranger", "POST", f"/{sid}/unlock")).status == 404

            await workshop.call("owner", "POST", f"/{sid}/unlock", want=200)
            await watcher.wait_for(lambda: state(watcher).get("boardLocked") is False)
            # Unlocked in place: the same socket writes again, without a reconnect.
            await quiet.edit(add_note("quiet-open", "writes again"))
            await owner.wait_for(lambda: "quiet-open" in ideas(owner))

            await workshop.call("owner", "POST", f"/{sid}/lock", want=200)
            await workshop.call("owner", "POST", f"/{sid}/end", want=200)
            await watcher.wait_for(lambda: state(watcher).get("ended") is True)
            assert state(watcher)["boardLocked"] is False
            await quiet.edit(add_note("quiet-end", "after the end"))
            await owner.wait_for(lambda: "quiet-end" in ideas(owner))
            got = await workshop.call("p1", "GET", f"/{sid}", want=200)
            assert got.body["board_locked"] is False
        finally:
            for client in clients:
                await client.close()


def locked_note_refusals() -> float:
    return REGISTRY.get_sample_value("dttools_locked_note_writes_refused_total") or 0.0


def set_text(note_id: str, text: str) -> Callable[[Doc[Any]], None]:
    def change(doc: Doc[Any]) -> None:
        doc.get("ideas", type=Map)[note_id]["text"] = text

    return change


def delete_note(note_id: str) -> Callable[[Doc[Any]], None]:
    def change(doc: Doc[Any]) -> None:
        doc.get("ideas", type=Map).pop(note_id)

    return change


class TestNoteLock:
    async def test_locked_notes_refuse_others_live_and_over_rest(self, workshop: Workshop) -> None:
        """A facilitator locks two notes: participants' edits of them are refused live and
        over REST, edits of other notes go through, facilitators keep editing them, and
        unlocking (or ending the session) frees them."""
        pinned = await workshop.idea("Pinned idea")
        other = await workshop.idea("Free idea")
        gone = await workshop.idea("Keep me")
        session = await workshop.start(phase="clustering", facilitators=[str(workshop["p2"].id)])
        sid = session["id"]
        board = str(workshop.project)
        owner = await workshop.live("owner", board)
        p1 = await workshop.live("p1", board)
        p2 = await workshop.live("p2", board)
        watcher = await workshop.live("p3", brainstorm_room(workshop.project))
        clients = [owner, p1, p2, watcher]
        try:
            reply = await workshop.call(
                "owner", "POST", f"/{sid}/notes/lock", {"idea_ids": [pinned, gone]}, want=200
            )
            assert reply.body["locked_notes"] == sorted([pinned, gone])
            assert reply.body["board_locked"] is False
            await watcher.wait_for(
                lambda: set(state(watcher).get("lockedNotes", [])) == {pinned, gone}
            )

            before = locked_note_refusals()
            await p1.edit(set_text(pinned, "hijacked"))
            await refused_notice(p1)
            assert locked_note_refusals() == before + 1
            p3 = await workshop.live("p3", board)  # a fresh page, not desynchronised
            clients.append(p3)
            await p3.edit(delete_note(gone))
            await p3.wait_for(lambda: locked_note_refusals() >= before + 2)
            await p3.edit(set_text(other, "free to change"))
            await owner.wait_for(lambda: ideas(owner)[other].get("text") == "free to change")
            await p2.edit(set_text(pinned, "the facilitator's wording"))
            await owner.wait_for(
                lambda: ideas(owner)[pinned].get("text") == "the facilitator's wording"
            )
            assert gone in ideas(owner)
            assert ideas(owner)[pinned]["text"] == "the facilitator's wording"

            # REST is no way around it.
            patch = {"text": "over REST"}
            refused_patch = await workshop.api.call(
                "PATCH", f"/v1/ideas/{pinned}", workshop["p1"], json=patch
            )
            assert refused_patch.status == 409, refused_patch.body
            assert "locked this note" in refused_patch.body["detail"]
            deleting = await workshop.api.call("DELETE", f"/v1/ideas/{gone}", workshop["p3"])
            assert deleting.status == 409
            allowed = await workshop.api.call(
                "PATCH", f"/v1/ideas/{other}", workshop["p1"], json=patch
            )
            assert allowed.status == 200
            by_owner = await workshop.api.call(
                "PATCH", f"/v1/ideas/{pinned}", workshop["owner"], json=patch
            )
            assert by_owner.status == 200

            # Who may lock, and what.
            for who in ("p1", "viewer"):
                denied = await workshop.call(
                    who, "POST", f"/{sid}/notes/lock", {"idea_ids": [other]}
                )
                assert denied.status == 403, who
            unknown = await workshop.call(
                "owner", "POST", f"/{sid}/notes/lock", {"idea_ids": ["nope"]}
            )
            assert unknown.status == 422
            assert (
                await workshop.call(
                    "stranger", "POST", f"/{sid}/notes/unlock", {"idea_ids": [pinned]}
                )
            ).status == 404

            await workshop.call(
                "owner", "POST", f"/{sid}/notes/unlock", {"idea_ids": [pinned]}, want=200
            )
            await watcher.wait_for(lambda: state(watcher).get("lockedNotes") == [gone])
            # p3 writes over the owner's REST wording: a write that has not reached p3 yet
            # would be a concurrent one, and Yjs settles those by client id, not by time.
            await p3.wait_for(lambda: ideas(p3)[pinned].get("text") == "over REST")
            await p3.edit(set_text(pinned, "unlocked: mine now"))
            await owner.wait_for(lambda: ideas(owner)[pinned].get("text") == "unlocked: mine now")

            await workshop.call("owner", "POST", f"/{sid}/end", want=200)
            await watcher.wait_for(lambda: state(watcher).get("ended") is True)
            assert state(watcher)["lockedNotes"] == []
            assert (
                await workshop.api.call("DELETE", f"/v1/ideas/{gone}", workshop["p3"])
            ).status == 204
        finally:
            for client in clients:
                await client.close()

    async def test_a_locked_board_holds_rest_writes_too(self, workshop: Workshop) -> None:
        """REST is no way around a board lock: others' creates, changes and deletes are 409
        while it holds; facilitators write; unlocking opens REST again."""
        idea = await workshop.idea("Before the lock")
        session = await workshop.start(phase="clustering")
        sid = session["id"]
        await workshop.call("owner", "POST", f"/{sid}/lock", want=200)
        create = f"/v1/projects/{workshop.project}/ideas"
        blocked = await workshop.api.call("POST", create, workshop["p1"], json={"text": "no"})
        assert blocked.status == 409
        assert "locked the board" in blocked.body["detail"]
        patch = {"text": "no"}
        assert (
            await workshop.api.call("PATCH", f"/v1/ideas/{idea}", workshop["p1"], json=patch)
        ).status == 409
        assert (
            await workshop.api.call("DELETE", f"/v1/ideas/{idea}", workshop["p1"])
        ).status == 409
        persona = f"/v1/projects/{workshop.project}/personas"
        assert (
            await workshop.api.call("POST", persona, workshop["p1"], json={"name": "Ana"})
        ).status == 409
        owner = await workshop.api.call("POST", create, workshop["owner"], json={"text": "yes"})
        assert owner.status == 201
        await workshop.call("owner", "POST", f"/{sid}/unlock", want=200)
        opened = await workshop.api.call("POST", create, workshop["p1"], json={"text": "open"})
        assert opened.status == 201
