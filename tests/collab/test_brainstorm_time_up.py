"""Time's-up rules, the "has written" test and the board lock's wire form (pure)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import msgpack
import pytest
from pycrdt import Doc, Map

from collab.board_lock import BoardLock, pack_board_lock, unpack_board_lock
from collab.brainstorm import Phase, Timer, TimeUp
from collab.brainstorm_progress import has_note
from collab.brainstorm_time_up import due, moved, next_phase, run_key, settle, time_up
from collab.errors import Conflict, MalformedMessage
from tests.collab.test_brainstorm import at, session


class TestTimeUp:
    def test_nothing_happens_before_zero_without_a_rule_while_paused_or_ended(self) -> None:
        lock = session(on_time_up=TimeUp.LOCK, timer=Timer.start(60, at(0)))
        assert time_up(lock, at(59)) is None
        assert time_up(replace(lock, on_time_up=TimeUp.NOTHING), at(61)) is None
        assert time_up(replace(lock, timer=lock.timer.pause(at(30))), at(90)) is None
        assert time_up(replace(lock, ended_at=at(10)), at(61)) is None
        assert due(lock, at(60))

    def test_lock_locks_once_per_countdown(self) -> None:
        lock = session(on_time_up=TimeUp.LOCK, timer=Timer.start(60, at(0)))
        after = time_up(lock, at(61))
        assert after is not None
        assert after.writing_locked
        assert after.phase is lock.phase
        assert after.time_up_handled == run_key(lock.timer)
        assert time_up(after, at(62)) is None  # the second node, or a second look
        # Paused and resumed at zero: the same countdown, nothing more.
        resumed = replace(after, timer=after.timer.pause(at(63)).resume(at(70)))
        assert time_up(resumed, at(71)) is None
        # More time is a new countdown: it acts again when that one ends.
        extended = settle(replace(after, timer=after.timer.extend(30)), at(62))
        assert not extended.writing_locked
        assert time_up(extended, at(89)) is None
        again = time_up(extended, at(91))
        assert again is not None
        assert again.writing_locked

    def test_a_countdown_still_at_zero_keeps_the_lock(self) -> None:
        locked = replace(
            session(timer=Timer.start(60, at(0))), writing_locked=True, on_time_up=TimeUp.LOCK
        )
        assert settle(locked, at(61)).writing_locked
        assert settle(replace(locked, writing_locked=False), at(10)).writing_locked is False

    @pytest.mark.parametrize(
        ("phase", "target"),
        [(Phase.SILENT, Phase.REVEAL), (Phase.CLUSTERING, Phase.VOTING),
         (Phase.VOTING, Phase.RESULTS)],
    )  # fmt: skip
    def test_advance_moves_to_the_next_phase_once(self, phase: Phase, target: Phase) -> None:
        running = session(on_time_up=TimeUp.ADVANCE, phase=phase, timer=Timer.start(60, at(0)))
        after = time_up(running, at(60))
        assert after is not None
        assert after.phase is target
        assert after.timer == running.timer
        assert after.tallies_visible is (target is Phase.RESULTS)
        assert time_up(after, at(61)) is None  # the new phase does not move on by itself

    def test_advance_in_the_last_phase_only_marks_the_countdown(self) -> None:
        last = session(on_time_up=TimeUp.ADVANCE, phase=Phase.RESULTS, timer=Timer.start(1, at(0)))
        after = time_up(last, at(2))
        assert after is not None
        assert after.phase is Phase.RESULTS
        assert time_up(after, at(3)) is None
        assert next_phase(Phase.RESULTS) is None

    def test_moving_ends_a_lock(self) -> None:
        locked = replace(session(), writing_locked=True)
        assert not moved(locked, Phase.CLUSTERING, locked.timer).writing_locked

    def test_voting_refuses_dots_while_writing_is_locked(self) -> None:
        voting = session(phase=Phase.VOTING)
        voting.check_voting()
        with pytest.raises(Conflict, match="time is up"):
            replace(voting, writing_locked=True).check_voting()


class TestHasNote:
    def test_a_note_with_text_counts_blanks_and_strays_do_not(self) -> None:
        doc: Doc[Any] = Doc()
        ideas = doc.get("ideas", type=Map)
        assert not has_note(doc)
        ideas["a"] = Map({"id": "a", "text": "   "})
        ideas["b"] = Map({"id": "b", "text": 5})
        ideas["c"] = "not a map"
        assert not has_note(doc)
        ideas["d"] = Map({"id": "d", "text": "Kiosk"})
        assert has_note(doc)


class TestBoardLockWire:
    def test_round_trip_and_who_it_blocks(self) -> None:
        lock = BoardLock("p", True, frozenset({"owner", "facilitator"}))
        assert unpack_board_lock(pack_board_lock(lock)) == lock
        assert lock.blocks("member")
        assert lock.blocks(None)
        assert not lock.blocks("owner")
        assert not BoardLock("p", False).blocks("member")

    def test_locked_notes_travel_and_an_older_node_sends_none(self) -> None:
        lock = BoardLock("p", False, frozenset({"owner"}), frozenset({"n1", "n2"}))
        assert unpack_board_lock(pack_board_lock(lock)) == lock
        assert not lock.blocks("member")  # notes locked, not the board
        older = msgpack.packb(["p", True, ["owner"]])  # a node from before note locks
        assert unpack_board_lock(older) == BoardLock("p", True, frozenset({"owner"}))

    @pytest.mark.parametrize(
        "payload",
        [b"\xc1", msgpack.packb([1, 2]), msgpack.packb(["p", "yes", []]),
         msgpack.packb(["p", True, [1]]), msgpack.packb(["p", True, "x"]),
         msgpack.packb({"room": "p"}), msgpack.packb(["p", True, [], "n1"]),
         msgpack.packb(["p", True, [], [1]]), msgpack.packb(["p", True, [], [], "extra"])],
    )  # fmt: skip
    def test_malformed_payloads_are_refused(self, payload: bytes) -> None:
        with pytest.raises(MalformedMessage):
            unpack_board_lock(payload)
