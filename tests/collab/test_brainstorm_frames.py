"""A session's own area and results, pure: its frame, its notes' ``sessionId``, which ideas
are its own, and its results as a spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import uuid4

from pycrdt import Doc, Map

from collab import schema
from collab.artifacts import KINDS
from collab.brainstorm_doc import (
    FRAME_PAD,
    FRAME_TITLE,
    FRAMES,
    REVEAL_ROW,
    board_bottom,
    build_reveal,
    session_ideas,
)
from collab.export_csv import SESSION_RESULTS_COLUMNS, session_results_csv, unprotect
from tests.collab.test_brainstorm import ANA, BEN, at, fixed_ids, note

SID_A = "11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
SID_B = "22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


def _frames(doc: Doc[Any]) -> list[dict[str, Any]]:
    return [dict(v.to_py()) for v in doc.get(FRAMES, type=Map).values()]


def _reveal(doc: Doc[Any], notes: dict[str, list[dict[str, Any]]], sid: str, title: str) -> None:
    reveal = build_reveal(
        notes, revealed=set(), on_board=set(), anonymous=False, now=at(90),
        new_id=lambda: f"{sid}-{uuid4().hex[:6]}", top=board_bottom(doc), session_id=sid,
        title=title,
    )  # fmt: skip
    doc.apply_update(reveal.update)


def _box(frame: dict[str, Any]) -> tuple[float, float, float, float]:
    return frame["x"], frame["y"], frame["x"] + frame["width"], frame["y"] + frame["height"]


class TestFrames:
    def test_a_reveal_frames_its_notes_under_the_prompt(self) -> None:
        board: Doc[Any] = Doc()
        _reveal(board, {str(ANA): [note("a1")], str(BEN): [note("b1")]}, SID_A, "Queues?")
        [frame] = _frames(board)
        assert (frame["sessionId"], frame["title"], frame["y"]) == (SID_A, "Queues?", 0.0)
        x0, y0, x1, y1 = _box(frame)
        for idea in schema.list_items(board, KINDS["ideas"]):
            assert idea["sessionId"] == SID_A
            # inside the frame, below its title band
            assert x0 < idea["x"] < idea["x"] + 200 < x1
            assert y0 + FRAME_TITLE <= idea["y"] < idea["y"] + 140 < y1

    def test_successive_sessions_get_successive_frames_that_never_overlap(self) -> None:
        board: Doc[Any] = Doc()
        _reveal(board, {str(ANA): [note("a1"), note("a2"), note("a3")]}, SID_A, "First")
        _reveal(board, {str(BEN): [note("b1")]}, SID_B, "Second")
        first, second = sorted(_frames(board), key=lambda f: f["y"])
        assert (first["title"], second["title"]) == ("First", "Second")
        assert second["y"] >= first["y"] + first["height"] + FRAME_PAD
        assert board_bottom(board) >= second["y"] + second["height"]

    def test_without_a_session_there_is_no_frame_and_no_session_id(self) -> None:
        reveal = build_reveal(
            {str(ANA): [note("a1")]}, revealed=set(), on_board=set(), anonymous=False,
            now=at(90), new_id=fixed_ids(),
        )  # fmt: skip
        board: Doc[Any] = Doc()
        board.apply_update(reveal.update)
        assert _frames(board) == []
        assert schema.list_items(board, KINDS["ideas"])[0]["y"] == 0.0
        assert schema.list_items(board, KINDS["ideas"])[0]["sessionId"] is None

    def test_a_broken_frame_written_by_a_client_is_skipped(self) -> None:
        board: Doc[Any] = Doc()
        with board.transaction():
            board.get(FRAMES, type=Map)["x"] = Map({"y": "far", "height": 10})
            board.get(FRAMES, type=Map)["y"] = "not a map"
        assert board_bottom(board) == 0.0

    def test_a_frame_is_below_the_lowest_note_too(self) -> None:
        board: Doc[Any] = Doc()
        with board.transaction():
            board.get("ideas", type=Map)["n"] = Map({"id": "n", "text": "t", "y": 1000.0})
        _reveal(board, {str(ANA): [note("a1")]}, SID_A, "Below")
        [frame] = _frames(board)
        assert frame["y"] == 1000.0 + REVEAL_ROW


class TestSessionIdeas:
    def test_a_session_owns_what_it_revealed_wrote_or_got_dots_on(self) -> None:
        ideas: list[dict[str, Any]] = [
            {"id": "revealed", "sessionId": None},
            {"id": "written", "sessionId": SID_B},
            {"id": "voted", "sessionId": SID_A},
            {"id": "other", "sessionId": SID_A},
            {"id": "outside", "sessionId": None},
        ]
        own = session_ideas(ideas, SID_B, revealed={"revealed"}, voted={"voted", "deleted"})
        assert [i["id"] for i in own] == ["revealed", "written", "voted"]


class TestResultsCsv:
    def test_one_sessions_results_are_a_protected_table(self) -> None:
        results = {
            "anonymous": False,
            "ideas": [
                {"rank": 1, "idea_id": "i1", "text": "=SUM(A1)", "color": "red", "votes": 2,
                 "cluster_id": "c1", "author_id": "u", "author_name": "@Ana"},
                {"rank": 2, "idea_id": "i2", "text": "Ônibus, fila\n2", "color": "blue",
                 "votes": 0, "cluster_id": None, "author_id": None, "author_name": None},
            ],
            "clusters": [{"cluster_id": "c1", "name": "+Acesso", "votes": 2, "ideas": 1}],
        }  # fmt: skip
        data = session_results_csv(results)
        assert data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows[0] == list(SESSION_RESULTS_COLUMNS)
        assert rows[1] == ["1", "i1", "'=SUM(A1)", "red", "2", "c1", "'+Acesso", "'@Ana"]
        assert rows[2] == ["2", "i2", "Ônibus, fila\n2", "blue", "0", "", "", ""]
        assert [unprotect(cell) for cell in rows[1][6:]] == ["+Acesso", "@Ana"]

    def test_an_anonymous_session_names_no_author(self) -> None:
        results = {
            "anonymous": True,
            "ideas": [{"rank": 1, "idea_id": "i1", "text": "t", "color": "red", "votes": 1,
                       "cluster_id": None, "author_id": None, "author_name": "Leaked"}],
            "clusters": [],
        }  # fmt: skip
        rows = list(csv.reader(io.StringIO(session_results_csv(results).decode("utf-8-sig"))))
        assert rows[1][-1] == ""
