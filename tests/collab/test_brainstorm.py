"""Brainstorm rules and documents, pure: phases, the timer, dots, results, reveal, snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pycrdt import Doc, Map

from collab import schema
from collab.artifacts import KINDS
from collab.brainstorm import (
    PHASES,
    InvalidTransition,
    Phase,
    RoomKind,
    RoomRef,
    Session,
    Summon,
    Timer,
    VoteRefused,
    brainstorm_room,
    check_retract,
    check_transition,
    check_vote,
    cluster_totals,
    parse_room,
    private_room,
    private_rooms_prefix,
    rank_ideas,
)
from collab.brainstorm_doc import (
    REVEAL_COLUMN,
    REVEAL_ROW,
    SNAPSHOTS,
    board_bottom,
    build_reveal,
    cluster_names,
    read_snapshot,
    remove_notes,
    results,
    snapshot,
    write_snapshot,
)
from collab.errors import Conflict, NotFound

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PROJECT = UUID("1a2b3c4d-1111-4111-8111-111111111111")
SESSION = UUID("22222222-2222-4222-8222-222222222222")
ANA = UUID("33333333-3333-4333-8333-333333333333")
BEN = UUID("44444444-4444-4444-8444-444444444444")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def session(**overrides: Any) -> Session:
    base = Session(
        id=SESSION, project_id=PROJECT, prompt="How might we shorten the queue?",
        phase=Phase.SILENT, timer=Timer.start(300, T0), votes_per_person=3,
        allow_stacking=False, anonymous=False, tallies_visible=False, created_by=ANA,
        created_at=T0,
    )  # fmt: skip
    return Session(**{**{f: getattr(base, f) for f in base.__slots__}, **overrides})


def note(note_id: str, text: str | None = "an idea", **fields: Any) -> dict[str, Any]:
    """A note as collab.schema.list_items reads it from a private room."""
    return {
        "id": note_id, "text": text, "color": "blue", "x": 10.0, "y": -4.5, "clusterId": None,
        "authorId": "someone-else", "createdBy": "someone-else",
        "createdAt": "2026-03-01T09:01:00.000Z", "updatedAt": "2026-03-01T09:01:00.000Z",
        **fields,
    }  # fmt: skip


class TestPhases:
    def test_phases_run_from_silent_ideation_to_results(self) -> None:
        """The order is silent, reveal, clustering, voting, results."""
        assert [p.value for p in PHASES] == ["silent", "reveal", "clustering", "voting", "results"]

    @pytest.mark.parametrize(
        ("current", "target"),
        [(Phase.SILENT, Phase.REVEAL), (Phase.REVEAL, Phase.VOTING), (Phase.SILENT, Phase.RESULTS)],
    )
    def test_a_session_moves_forward_skipping_phases_if_it_likes(
        self, current: Phase, target: Phase
    ) -> None:
        """Any later phase is allowed."""
        check_transition(current, target)

    @pytest.mark.parametrize(
        ("current", "target"), [(Phase.VOTING, Phase.CLUSTERING), (Phase.REVEAL, Phase.REVEAL)]
    )
    def test_a_session_never_moves_back_or_in_place(self, current: Phase, target: Phase) -> None:
        """Backwards and same-phase moves are conflicts that name both phases."""
        with pytest.raises(InvalidTransition, match=f"from {current.value} to {target.value}"):
            check_transition(current, target)


class TestTimer:
    def test_a_running_timer_counts_down_from_its_start(self) -> None:
        """Remaining time is the duration minus the time since the start; never below zero."""
        timer = Timer.start(300, T0)
        assert timer.running
        assert timer.remaining_s(at(0)) == 300
        assert timer.remaining_s(at(120.5)) == 179.5
        assert timer.remaining_s(at(400)) == 0
        assert timer.ends_at == at(300)

    def test_a_clock_behind_the_start_counts_nothing_yet(self) -> None:
        """A node whose clock is behind sees the whole duration, not more."""
        assert Timer.start(60, T0).remaining_s(at(-5)) == 60

    def test_a_pause_freezes_the_countdown_and_a_resume_moves_the_end(self) -> None:
        """Paused time does not count; the end is unknown while paused, later after resuming."""
        paused = Timer.start(300, T0).pause(at(100))
        assert not paused.running
        assert paused.ends_at is None
        assert paused.remaining_s(at(100)) == paused.remaining_s(at(1000)) == 200
        resumed = paused.resume(at(160))
        assert resumed.paused_s == 60
        assert resumed.ends_at == at(360)
        assert resumed.remaining_s(at(260)) == 100

    def test_a_resume_before_the_pause_counts_no_negative_pause(self) -> None:
        """Clock skew cannot give time back."""
        assert Timer.start(300, T0).pause(at(100)).resume(at(90)).paused_s == 0

    def test_pausing_twice_or_resuming_a_running_timer_is_a_conflict(self) -> None:
        """Both are refused with what is wrong."""
        timer = Timer.start(300, T0)
        with pytest.raises(Conflict, match="not paused"):
            timer.resume(at(1))
        with pytest.raises(Conflict, match="already paused"):
            timer.pause(at(1)).pause(at(2))

    def test_extending_adds_seconds_running_or_paused(self) -> None:
        """The end moves by the extension; a pause keeps the extra time for later."""
        assert Timer.start(300, T0).extend(60).ends_at == at(360)
        assert Timer.start(300, T0).pause(at(10)).extend(30).remaining_s(at(50)) == 320
        with pytest.raises(ValueError, match="positive"):
            Timer.start(300, T0).extend(0)

    def test_stopping_freezes_the_timer_once(self) -> None:
        """A running timer stops at ``now``; a paused one stays as it was."""
        stopped = Timer.start(300, T0).stop(at(50))
        assert stopped.paused_at == at(50)
        assert stopped.stop(at(90)) is stopped


class TestSession:
    def test_an_ended_session_refuses_changes(self) -> None:
        """check_open passes while running and names the session once it ended."""
        session().check_open()
        assert not session().ended
        ended = session(ended_at=at(10))
        assert ended.ended
        with pytest.raises(Conflict, match=f"{SESSION} has ended"):
            ended.check_open()

    def test_dots_go_on_only_in_the_voting_phase_of_a_running_session(self) -> None:
        """Other phases and ended sessions refuse votes."""
        session(phase=Phase.VOTING).check_voting()
        with pytest.raises(Conflict, match="in its clustering phase"):
            session(phase=Phase.CLUSTERING).check_voting()
        with pytest.raises(Conflict, match="has ended"):
            session(phase=Phase.VOTING, ended_at=at(1)).check_voting()


class TestVotes:
    def test_a_participant_places_dots_until_their_votes_are_used(self) -> None:
        """With stacking allowed, dots may share an idea; the per-person limit still holds."""
        check_vote([], "a", per_person=2, allow_stacking=True)
        check_vote(["a"], "a", per_person=2, allow_stacking=True)
        with pytest.raises(VoteRefused, match="placed 2 of 2"):
            check_vote(["a", "a"], "b", per_person=2, allow_stacking=True)

    def test_without_stacking_one_idea_takes_one_dot_per_person(self) -> None:
        """A second dot on the same idea is refused; another idea is fine."""
        check_vote(["a"], "b", per_person=3, allow_stacking=False)
        with pytest.raises(VoteRefused, match="one vote per idea"):
            check_vote(["a"], "a", per_person=3, allow_stacking=False)

    def test_only_a_dot_you_placed_can_be_taken_back(self) -> None:
        """Retracting from an idea without your dot is not found."""
        check_retract(["a"], "a")
        with pytest.raises(NotFound, match="no vote on idea 'b'"):
            check_retract(["a"], "b")


BOARD: list[dict[str, Any]] = [
    {"id": "i1", "text": "kiosk", "color": "yellow", "clusterId": "c1", "authorId": str(ANA)},
    {"id": "i2", "text": "app", "color": "blue", "clusterId": "c2", "authorId": str(BEN)},
    {"id": "i3", "text": "more staff", "color": "red", "clusterId": "c1", "authorId": None},
    {"id": "i4", "text": "signs", "color": "green", "clusterId": None, "authorId": str(ANA)},
]


class TestResults:
    def test_ideas_rank_by_votes_and_ties_share_a_rank_in_board_order(self) -> None:
        """Competition ranking (1, 2, 2, 4); ideas without votes are ranked too."""
        ranked = rank_ideas(BOARD, {"i2": 3, "i3": 1, "i4": 1, "gone": 9}, anonymous=False)
        assert [(r.idea_id, r.rank, r.votes) for r in ranked] == [
            ("i2", 1, 3), ("i3", 2, 1), ("i4", 2, 1), ("i1", 4, 0),
        ]  # fmt: skip
        assert ranked[0].author_id == str(BEN)
        assert (ranked[0].text, ranked[0].color, ranked[0].cluster_id) == ("app", "blue", "c2")

    def test_anonymous_results_name_no_author(self) -> None:
        """Every author is left out."""
        assert {r.author_id for r in rank_ideas(BOARD, {}, anonymous=True)} == {None}

    def test_clusters_add_up_their_ideas_votes(self) -> None:
        """Most voted cluster first, ties by id; ideas in no cluster are not a cluster."""
        ranked = rank_ideas(BOARD, {"i1": 1, "i2": 2, "i3": 1, "i4": 5}, anonymous=False)
        totals = cluster_totals(ranked)
        assert [(c.cluster_id, c.votes, c.ideas) for c in totals] == [("c1", 2, 2), ("c2", 2, 1)]

    def test_results_carry_ranked_ideas_clusters_and_author_names(self) -> None:
        """The results document counts voters and votes, including those on deleted ideas."""
        done = results(
            session(), BOARD, {"i1": 2, "gone": 1}, voters=2, names={str(ANA): "Ana"},
            clusters={"c1": "Waiting"}, now=at(9),
        )  # fmt: skip
        assert done["session_id"] == str(SESSION)
        assert done["project_id"] == str(PROJECT)
        assert (done["voters"], done["votes"], done["votes_on_deleted_ideas"]) == (2, 3, 1)
        assert done["taken_at"] == "2026-03-01T09:00:09.000Z"
        first = done["ideas"][0]
        assert (first["idea_id"], first["votes"], first["author_name"]) == ("i1", 2, "Ana")
        assert done["ideas"][1]["author_name"] is None  # Ben's name is unknown here
        assert done["ideas"][2]["author_id"] is None
        assert done["clusters"] == [
            {"cluster_id": "c1", "name": "Waiting", "votes": 2, "ideas": 2},
            {"cluster_id": "c2", "name": None, "votes": 0, "ideas": 1},
        ]

    def test_cluster_names_come_from_the_browsers_clusters_root_when_well_formed(self) -> None:
        """A Y.Map with a string name counts; anything else there is ignored."""
        doc: Doc[Any] = Doc()
        clusters = doc.get("clusters", type=Map)
        clusters["c1"] = Map({"id": "c1", "name": "Waiting"})
        clusters["c2"] = Map({"id": "c2", "name": 5})
        clusters["c3"] = "not a map"
        assert cluster_names(doc) == {"c1": "Waiting"}


class TestRoomNames:
    def test_a_projects_rooms_are_named_after_it(self) -> None:
        """Board, brainstorm state and private rooms round-trip through parse_room."""
        assert parse_room(str(PROJECT)) == RoomRef(RoomKind.PROJECT, PROJECT)
        assert brainstorm_room(PROJECT) == f"{PROJECT}:brainstorm"
        assert parse_room(brainstorm_room(PROJECT)) == RoomRef(RoomKind.BRAINSTORM, PROJECT)
        name = private_room(PROJECT, SESSION, ANA)
        assert name.startswith(private_rooms_prefix(PROJECT, SESSION) + ":")
        assert len(name) <= 128
        assert parse_room(name) == RoomRef(RoomKind.PRIVATE, PROJECT, SESSION, ANA)

    @pytest.mark.parametrize(
        "name",
        [
            "not-a-uuid",
            str(PROJECT).upper(),
            PROJECT.hex,
            f"{PROJECT}:other",
            f"{PROJECT}:brainstorm:x",
            f"{PROJECT}:private:{SESSION}",
            f"{PROJECT}:private:{SESSION}:nobody",
            f"{PROJECT}:private:nothing:{ANA}",
            f"{PROJECT}:secret:{SESSION}:{ANA}",
        ],
    )
    def test_other_names_designate_no_room_of_a_project(self, name: str) -> None:
        """Only canonical UUIDs and the known shapes name a project's room."""
        assert parse_room(name) is None


def fixed_ids() -> Any:
    counter = iter(range(1000))
    return lambda: f"new-{next(counter)}"


def _places(reveal: Any) -> dict[str, tuple[float, float]]:
    board: Doc[Any] = Doc()
    board.apply_update(reveal.update)
    return {i["id"]: (i["x"], i["y"]) for i in schema.list_items(board, KINDS["ideas"])}


def _at_minute(minute: int) -> str:
    return f"2026-03-01T09:{minute:02d}:00.000Z"


class TestRevealLayout:
    def test_each_author_gets_a_column_below_what_the_board_holds(self) -> None:
        """Everyone wrote at the same spot of their own board: revealed, the notes do not
        stack. Ana wrote first, so hers is the first column; each column in writing order."""
        reveal = build_reveal(
            {
                str(BEN): [
                    note("b2", createdAt=_at_minute(5)),
                    note("b1", createdAt=_at_minute(2)),
                ],
                str(ANA): [note("a1", createdAt=_at_minute(1))],
            },
            revealed=set(), on_board=set(), anonymous=False, now=at(90), new_id=fixed_ids(),
            top=480.0,
        )  # fmt: skip
        assert _places(reveal) == {
            "a1": (0.0, 480.0),
            "b1": (REVEAL_COLUMN, 480.0),
            "b2": (REVEAL_COLUMN, 480.0 + REVEAL_ROW),
        }

    def test_an_anonymous_reveal_lays_notes_out_in_the_order_written(self) -> None:
        """Columns by author would say who wrote what: an anonymous session's grid follows
        the time of writing, row by row, about as wide as it is tall (4 columns at least)."""
        notes = {
            str(ANA): [note(f"a{n}", createdAt=_at_minute(2 * n)) for n in range(5)],
            str(BEN): [note(f"b{n}", createdAt=_at_minute(2 * n + 1)) for n in range(5)],
        }
        reveal = build_reveal(
            notes, revealed=set(), on_board=set(), anonymous=True, now=at(90),
            new_id=fixed_ids(),
        )  # fmt: skip
        places = _places(reveal)
        order = ["a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4"]
        assert [places[key] for key in order] == [
            ((n % 4) * REVEAL_COLUMN, (n // 4) * REVEAL_ROW) for n in range(10)
        ]
        assert len(set(places.values())) == 10

    def test_a_later_reveal_starts_below_the_board(self) -> None:
        board: Doc[Any] = Doc()
        assert board_bottom(board) == 0.0
        first = build_reveal(
            {str(ANA): [note("a1"), note("a2", createdAt=_at_minute(3))]},
            revealed=set(), on_board=set(), anonymous=False, now=at(90), new_id=fixed_ids(),
        )  # fmt: skip
        board.apply_update(first.update)
        assert board_bottom(board) == 2 * REVEAL_ROW
        later = build_reveal(
            {str(BEN): [note("b1")]}, revealed=set(), on_board={"a1", "a2"}, anonymous=False,
            now=at(95), new_id=fixed_ids(), top=board_bottom(board),
        )  # fmt: skip
        assert _places(later) == {"b1": (0.0, 2 * REVEAL_ROW)}


class TestReveal:
    def test_every_participants_notes_land_on_the_board_in_one_update(self) -> None:
        """One update adds them all; the server sets the author from the room's owner and
        keeps text, colour and creation time (positions: see the grid tests below)."""
        reveal = build_reveal(
            {str(ANA): [note("n1", "kiosk")], str(BEN): [note("n2", "app", x=99.0)]},
            revealed=set(), on_board=set(), anonymous=False, now=at(90), new_id=fixed_ids(),
        )  # fmt: skip
        board: Doc[Any] = Doc()
        board.apply_update(reveal.update)
        ideas = {i["id"]: i for i in schema.list_items(board, KINDS["ideas"])}
        assert set(ideas) == {"n1", "n2"}
        assert ideas["n1"]["authorId"] == ideas["n1"]["createdBy"] == str(ANA)
        assert ideas["n2"]["color"] == "blue"
        assert ideas["n1"]["createdAt"] == "2026-03-01T09:01:00.000Z"
        assert ideas["n1"]["updatedAt"] == "2026-03-01T09:01:30.000Z"
        assert schema.validate_document(board) == []
        assert [(i.author, i.note_id, i.idea["id"]) for i in reveal.ideas] == [
            (str(ANA), "n1", "n1"), (str(BEN), "n2", "n2"),
        ]  # fmt: skip
        assert reveal.taken == {str(ANA): ["n1"], str(BEN): ["n2"]}

    def test_the_reveal_depends_on_nothing_already_on_the_board(self) -> None:
        """Applied to a board edited by others (or to an empty one), it integrates at once:
        it can be stored apart from the board's other updates and applied in any order."""
        reveal = build_reveal(
            {str(ANA): [note("n1")]}, revealed=set(), on_board={"x"}, anonymous=False,
            now=at(1), new_id=fixed_ids(),
        )  # fmt: skip
        board: Doc[Any] = Doc()
        board.get("ideas", type=Map)["x"] = Map({"id": "x", "text": "old"})
        before = board.get_update()
        board.apply_update(reveal.update)
        assert set(board.get("ideas", type=Map).keys()) == {"x", "n1"}
        later: Doc[Any] = Doc()
        later.apply_update(reveal.update)
        later.apply_update(before)
        assert set(later.get("ideas", type=Map).keys()) == {"x", "n1"}

    def test_an_anonymous_reveal_writes_no_author(self) -> None:
        """authorId and createdBy are null on the board; the reveal still knows the room."""
        reveal = build_reveal(
            {str(ANA): [note("n1")]}, revealed=set(), on_board=set(), anonymous=True,
            now=at(1), new_id=fixed_ids(),
        )  # fmt: skip
        idea = reveal.ideas[0].idea
        assert (idea["authorId"], idea["createdBy"], reveal.ideas[0].author) == (
            None,
            None,
            str(ANA),
        )

    def test_a_repeated_reveal_skips_notes_already_revealed_and_empty_ones(self) -> None:
        """Those are only taken out of the private room; with nothing new there is no update."""
        reveal = build_reveal(
            {str(ANA): [note("n1"), note("blank", None), note("empty", "")]},
            revealed={"n1"}, on_board={"n1"}, anonymous=False, now=at(1), new_id=fixed_ids(),
        )  # fmt: skip
        assert reveal.update == b""
        assert reveal.ideas == []
        assert reveal.taken == {str(ANA): ["n1", "blank", "empty"]}

    def test_a_note_claiming_an_existing_id_gets_a_new_one(self) -> None:
        """Neither the board's ideas nor another participant's note are overwritten."""
        reveal = build_reveal(
            {str(ANA): [note("same")], str(BEN): [note("same", "ben's")]},
            revealed=set(), on_board={"x"}, anonymous=False, now=at(1),
            new_id=fixed_ids(),
        )  # fmt: skip
        assert {(i.author, i.idea["id"]) for i in reveal.ideas} == {
            (str(ANA), "same"), (str(BEN), "new-0"),
        }  # fmt: skip
        clash = build_reveal(
            {str(ANA): [note("taken")]}, revealed=set(), on_board={"taken"}, anonymous=False,
            now=at(1), new_id=fixed_ids(),
        )  # fmt: skip
        assert clash.ideas[0].idea["id"] == "new-0"

    def test_a_note_without_a_creation_time_is_stamped_now(self) -> None:
        """createdAt falls back to the reveal time."""
        reveal = build_reveal(
            {str(ANA): [note("n1", createdAt=None)]}, revealed=set(), on_board=set(),
            anonymous=False, now=at(2), new_id=fixed_ids(),
        )  # fmt: skip
        assert reveal.ideas[0].idea["createdAt"] == "2026-03-01T09:00:02.000Z"

    def test_revealed_notes_leave_the_private_room(self) -> None:
        """remove_notes deletes those present and counts them."""
        private: Doc[Any] = Doc()
        ideas = private.get("ideas", type=Map)
        ideas["a"] = Map({"id": "a"})
        ideas["b"] = Map({"id": "b"})
        assert remove_notes(private, ["a", "gone"]) == 1
        assert list(ideas.keys()) == ["b"]


class TestSnapshots:
    def test_the_highest_numbered_snapshot_is_the_state(self) -> None:
        """Writing keeps one snapshot; an older number arriving late changes nothing."""
        doc: Doc[Any] = Doc()
        assert read_snapshot(doc) is None
        assert write_snapshot(doc, 5, {"phase": "silent"})
        assert write_snapshot(doc, 7, {"phase": "reveal"})
        assert not write_snapshot(doc, 6, {"phase": "stale"})
        assert not write_snapshot(doc, 7, {"phase": "same number"})
        assert list(doc.get(SNAPSHOTS, type=Map).keys()) == ["7"]
        assert read_snapshot(doc) == {"phase": "reveal"}

    def test_concurrent_writers_on_two_nodes_converge_on_the_later_snapshot(self) -> None:
        """Two documents that never saw each other's write merge to the higher number."""
        node_a: Doc[Any] = Doc()
        node_b: Doc[Any] = Doc()
        write_snapshot(node_a, 10, {"phase": "voting"})
        write_snapshot(node_b, 11, {"phase": "results"})
        node_a.apply_update(node_b.get_update())
        node_b.apply_update(node_a.get_update())
        assert read_snapshot(node_a) == read_snapshot(node_b) == {"phase": "results"}

    def test_other_keys_and_values_are_not_a_state(self) -> None:
        """Non-numeric keys are ignored by readers and cleared by the next write; a value that
        is not an object reads as no state."""
        doc: Doc[Any] = Doc()
        root = doc.get(SNAPSHOTS, type=Map)
        root["junk"] = {"phase": "x"}
        assert read_snapshot(doc) is None
        root["3"] = "not an object"
        assert read_snapshot(doc) is None
        write_snapshot(doc, 4, {"phase": "voting"})
        assert list(root.keys()) == ["4"]

    def test_a_snapshot_shows_phase_timer_tallies_and_summon_for_clients(self) -> None:
        """camelCase JSON with the timer's instants, the server's clock and the summon."""
        state = snapshot(
            session(
                phase=Phase.VOTING, facilitators=(BEN,), tallies_visible=True,
                summon=Summon(1.5, -2.0, 0.75, ANA, at(30)),
            ),
            seq=12, tallies={"i1": 2}, now=at(45),
        )  # fmt: skip
        assert state["seq"] == 12
        assert (state["sessionId"], state["phase"], state["ended"]) == (
            str(SESSION),
            "voting",
            False,
        )
        assert (state["lead"], state["facilitators"]) == (str(ANA), [str(BEN)])
        assert state["timer"] == {
            "durationS": 300, "startedAt": "2026-03-01T09:00:00.000Z", "pausedAt": None,
            "pausedS": 0.0, "endsAt": "2026-03-01T09:05:00.000Z", "remainingS": 255.0,
            "running": True,
        }  # fmt: skip
        assert state["serverTime"] == "2026-03-01T09:00:45.000Z"
        assert state["tallies"] == {"i1": 2}
        assert state["summon"] == {
            "x": 1.5, "y": -2.0, "zoom": 0.75, "by": str(ANA), "at": "2026-03-01T09:00:30.000Z"
        }  # fmt: skip
        doc: Doc[Any] = Doc()
        write_snapshot(doc, 12, state)
        assert read_snapshot(doc) == state

    def test_a_snapshot_of_an_ended_anonymous_session_hides_what_it_must(self) -> None:
        """No tallies while hidden, no summon, no lead when the starter's account is gone."""
        state = snapshot(
            session(ended_at=at(100), created_by=None, timer=Timer.start(60, T0).stop(at(100))),
            seq=1, tallies=None, now=at(200),
        )  # fmt: skip
        assert (state["ended"], state["endedAt"]) == (True, "2026-03-01T09:01:40.000Z")
        assert (state["tallies"], state["summon"], state["lead"]) == (None, None, None)
        assert state["timer"]["endsAt"] is None
