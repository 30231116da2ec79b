"""A session's own results: only its notes ranked, its own frame on the board, and its results
kept and downloadable (JSON and CSV) after the next session starts.

Real server, PostgreSQL and y-websocket clients, as in test_brainstorm.py (whose helpers this
module shares).
"""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID, uuid4

import pytest
from pycrdt import Doc, Map

from collab.brainstorm import private_room
from collab.export_csv import unprotect
from tests.http_api.v1.test_brainstorm import Workshop, add_note, close_all, ideas

# the fixtures of test_brainstorm.py, used here under the same names
from tests.http_api.v1.test_brainstorm import locked as locked
from tests.http_api.v1.test_brainstorm import rest as rest
from tests.http_api.v1.test_brainstorm import workshop as workshop
from tests.support.api import RegisteredUser
from tests.support.yclient import YClient

pytestmark = pytest.mark.shared_server(open_rooms=False)


def board_note(note_id: str, text: str, session_id: str) -> Any:
    """What the browser writes for a note added on the board while a session runs."""

    def change(doc: Doc[Any]) -> None:
        stamp = "2026-03-01T09:30:00.000Z"
        doc.get("ideas", type=Map)[note_id] = Map(
            {"id": note_id, "text": text, "color": "blue", "x": 900.0, "y": 20.0,
             "clusterId": None, "authorId": None, "createdBy": None, "createdAt": stamp,
             "updatedAt": stamp, "sessionId": session_id}
        )  # fmt: skip

    return change


def frames(client: YClient) -> list[dict[str, Any]]:
    root = client.doc.get("frames", type=Map)
    return [dict(v.to_py() or {}) for v in root.values() if isinstance(v, Map)]


async def hide_and_reveal(w: Workshop, sid: str, who: str, note_id: str, text: str) -> None:
    """``who`` writes a hidden note in the session; the owner moves on to clustering."""
    private = await w.live(who, private_room(w.project, UUID(sid), w[who].id))
    try:
        await private.edit(add_note(note_id, text))
        await private.wait_durable()
    finally:
        await private.close()
    await w.call("owner", "POST", f"/{sid}/phase", {"phase": "clustering"}, want=200)


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


class TestOwnNotes:
    async def test_a_session_ranks_its_own_notes_and_keeps_older_results(
        self, workshop: Workshop
    ) -> None:
        """Session B ranks the note it revealed, the note written on the board while it ran
        and the older idea someone put one of its dots on; not session A's note nor an idea
        from outside any session. A's results, frozen at its end, stay as they were. Each
        reveal drew its session's own frame, one below the other."""
        w = workshop
        outside = await w.idea("On the board before any session")
        voted_outside = await w.idea("Older idea voted in B")
        a = (await w.start(prompt="Session A"))["id"]
        await hide_and_reveal(w, a, "p1", "note-a", "A's note")
        ended_a = await w.call("owner", "POST", f"/{a}/end", want=200)
        results_a = ended_a.body["results"]
        assert [i["idea_id"] for i in results_a["ideas"]] == ["note-a"]

        b = (await w.start(prompt="Session B"))["id"]
        board = await w.live("p3", str(w.project))
        try:
            await board.edit(board_note("live-b", "Written on the board in B", b))
            await board.wait_durable()
            await hide_and_reveal(w, b, "p2", "note-b", "B's note")
            await board.wait_for(lambda: "note-b" in ideas(board))
            on_board = ideas(board)
            assert on_board["note-b"]["sessionId"] == b
            assert on_board["note-a"]["sessionId"] == a
            await w.call("owner", "POST", f"/{b}/phase", {"phase": "voting"}, want=200)
            # an idea from before the session may get a dot: it then counts in B's results
            await w.call("p1", "POST", f"/{b}/votes", {"idea_id": voted_outside}, want=201)
            await w.call("p2", "POST", f"/{b}/votes", {"idea_id": "note-b"}, want=201)
            await w.call("p3", "POST", f"/{b}/votes", {"idea_id": "note-b"}, want=201)
            ended_b = await w.call("owner", "POST", f"/{b}/end", want=200)
            ranked = [
                (i["idea_id"], i["rank"], i["votes"]) for i in ended_b.body["results"]["ideas"]
            ]
            assert ranked == [("note-b", 1, 2), (voted_outside, 2, 1), ("live-b", 3, 0)]
            assert outside not in {i for i, _r, _v in ranked}

            # A's results are read as they were frozen, after B ran
            again = await w.call("viewer", "GET", f"/{a}/results", want=200)
            assert again.body == results_a
            listed = await w.call("p1", "GET", want=200)
            assert [s["id"] for s in listed.body["items"]] == [b, a]
            assert listed.body["items"][1]["results"] == results_a

            # one frame per session, titled with its prompt, not overlapping
            await board.wait_for(lambda: len(frames(board)) == 2)
            by_session = {f["sessionId"]: f for f in frames(board)}
            assert by_session[a]["title"] == "Session A"
            assert by_session[b]["title"] == "Session B"
            assert not overlap(by_session[a], by_session[b])
            assert by_session[b]["y"] >= by_session[a]["y"] + by_session[a]["height"]
            note_b = ideas(board)["note-b"]
            frame_b = by_session[b]
            assert frame_b["x"] <= note_b["x"] < frame_b["x"] + frame_b["width"]
            assert frame_b["y"] < note_b["y"] < frame_b["y"] + frame_b["height"]
        finally:
            await close_all([board])

    async def test_rest_reads_session_id_and_never_writes_it(self, workshop: Workshop) -> None:
        """REST shows ``sessionId`` (null for its own creates) and refuses it in a body."""
        w = workshop
        ideas_path = f"/v1/projects/{w.project}/ideas"
        made = await w.api.call("POST", ideas_path, w["p1"], json={"text": "plain"})
        assert made.status == 201, made.body
        assert made.body["sessionId"] is None
        forged = {"text": "forged", "sessionId": str(uuid4())}
        refused = await w.api.call("POST", ideas_path, w["p1"], json=forged)
        assert refused.status == 422, refused.body
        patched = await w.api.call(
            "PATCH", f"/v1/ideas/{made.body['id']}", w["p1"], json={"sessionId": "x"}
        )
        assert patched.status == 422, patched.body
        listed = await w.api.call("GET", ideas_path, w["p1"])
        assert [i["sessionId"] for i in listed.body["items"]] == [None]


class TestDownload:
    async def test_results_download_as_json_and_formula_safe_csv_anonymously(
        self, workshop: Workshop
    ) -> None:
        """409 before the results phase; then JSON by default and CSV on request (query or
        Accept), as attachments, cells that would run as formulas neutralised, no author named
        in an anonymous session; viewers read them, strangers get 404."""
        w = workshop
        sid = (await w.start(prompt="=1+1 prompt", anonymous=True))["id"]
        evil = '=HYPERLINK("http://evil.example","x")'
        await hide_and_reveal(w, sid, "p1", "evil", evil)
        await w.call("owner", "POST", f"/{sid}/phase", {"phase": "voting"}, want=200)
        await w.call("p2", "POST", f"/{sid}/votes", {"idea_id": "evil"}, want=201)
        early = await w.call("p1", "GET", f"/{sid}/results", want=409)
        assert early.headers["Content-Type"].startswith("application/problem+json")
        await w.call("owner", "POST", f"/{sid}/phase", {"phase": "results"}, want=200)

        as_json = await w.call("viewer", "GET", f"/{sid}/results", want=200)
        assert as_json.headers["Content-Type"].startswith("application/json")
        disposition = as_json.headers["Content-Disposition"]
        assert disposition == f'attachment; filename="brainstorm-results-{sid}.json"'
        [idea] = as_json.body["ideas"]
        assert (idea["idea_id"], idea["votes"], idea["text"]) == ("evil", 1, evil)
        assert idea["author_id"] is None
        assert idea["author_name"] is None

        for suffix, headers in ((f"/{sid}/results?format=csv", {}),
                                (f"/{sid}/results", {"Accept": "text/csv"})):  # fmt: skip
            raw = await w.api.call("GET", w.path(suffix), w["p3"], headers=headers)
            assert raw.status == 200
            assert raw.headers["Content-Type"] == "text/csv; charset=utf-8"
            assert raw.headers["Content-Disposition"] == (
                f'attachment; filename="brainstorm-results-{sid}.csv"'
            )
            rows = list(csv.reader(io.StringIO(raw.body.decode("utf-8-sig"))))
            assert rows[0] == [
                "rank", "idea_id", "text", "color", "votes", "cluster_id", "cluster_name",
                "author_name",
            ]  # fmt: skip
            assert rows[1] == ["1", "evil", "'" + evil, "pink", "1", "", "", ""]
            assert unprotect(rows[1][2]) == evil

        await w.call("stranger", "GET", f"/{sid}/results", want=404)
        bad = await w.call("p1", "GET", f"/{sid}/results?format=xml", want=422)
        assert bad.body["errors"][0]["field"] == "format"

    async def test_another_projects_session_and_a_guest(self, workshop: Workshop) -> None:
        """A session read through a project it is not in is 404, even for its own owner;
        a guest of the project reads the results like any member."""
        w = workshop
        sid = (await w.start(prompt="Guests too", phase="results"))["id"]
        mine = await w.api.create_project(w["stranger"], "Stranger's own")
        elsewhere = f"/v1/projects/{mine}/brainstorm/{sid}/results"
        assert (await w.api.call("GET", elsewhere, w["stranger"])).status == 404
        assert (await w.api.call("GET", elsewhere, w["owner"])).status == 404
        guest = await _guest(w)
        reply = await w.api.call("GET", w.path(f"/{sid}/results"), guest)
        assert reply.status == 200, reply.body
        assert reply.body["ideas"] == []


async def _guest(w: Workshop) -> RegisteredUser:
    made = await w.api.call(
        "POST", f"/v1/projects/{w.project}/invites", w["owner"], json={"role": "member"}
    )
    assert made.status == 201, made.body
    joined = await w.api.call(
        "POST", f"/v1/invites/{made.body['token']}/join", None,
        json={"name": "Gina", "client": "token"},
    )  # fmt: skip
    assert joined.status == 200, joined.body
    session = joined.body["session"]
    return RegisteredUser(
        UUID(session["user"]["id"]), "", "Gina", "", access_token=session["access_token"],
        refresh_token=session["refresh_token"],
    )  # fmt: skip
