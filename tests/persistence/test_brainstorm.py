"""Brainstorm storage: one running session, vote limits under concurrency, snapshots, outbox."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest

from collab.brainstorm import (
    Phase,
    Session,
    Timer,
    VoteRefused,
    brainstorm_room,
    check_vote,
    private_room,
)
from collab.errors import Conflict, NotFound
from persistence import brainstorm as store
from persistence import outbox, projects, update_log
from tests.persistence.test_projects import new_project, new_user
from tests.support.timing import TIMEOUT


async def start(pool: Any, project: UUID, by: UUID, **fields: Any) -> Session:
    async with pool.acquire() as conn, conn.transaction():
        now = await store.database_now(conn)
        session = Session(
            id=uuid.uuid4(), project_id=project, prompt="ideas?", phase=Phase.SILENT,
            timer=Timer.start(120, now), votes_per_person=3, allow_stacking=False,
            anonymous=False, tallies_visible=False, created_by=by, created_at=now,
        )  # fmt: skip
        return await store.create_session(conn, replace(session, **fields))


async def vote(pool: Any, session: Session, user: UUID, idea: str) -> bool:
    """What the vote endpoint does in its transaction; False when the rules refuse the dot."""
    async with pool.acquire() as conn, conn.transaction():
        locked = await store.lock_session(conn, session.project_id, session.id, share=True)
        await store.lock_voter(conn, session.id, user)
        mine = await store.votes_of(conn, session.id, user)
        try:
            check_vote(
                mine, idea,
                per_person=locked.votes_per_person, allow_stacking=locked.allow_stacking,
            )  # fmt: skip
        except VoteRefused:
            return False
        await store.add_vote(conn, session.id, user, idea)
        return True


class TestSessions:
    async def test_a_project_runs_one_session_at_a_time(self, pool: Any) -> None:
        """A second start is a conflict until the first ends; then a new one may start."""
        owner = await new_user(pool)
        project = await new_project(pool, owner)
        first = await start(pool, project, owner)
        with pytest.raises(Conflict, match="already has a brainstorm session running"):
            await start(pool, project, owner)
        async with pool.acquire() as conn, conn.transaction():
            now = await store.database_now(conn)
            await store.save_session(conn, replace(first, ended_at=now))
        second = await start(pool, project, owner)
        listed, _now = await store.list_sessions(pool, project)
        assert [s.id for s in listed] == [second.id, first.id]

    async def test_a_saved_session_reads_back_with_a_new_version(self, pool: Any) -> None:
        """Every field round-trips, facilitators included, and the version grows."""
        owner, helper = await new_user(pool), await new_user(pool)
        project = await new_project(pool, owner)
        session = await start(pool, project, owner, facilitators=(helper,))
        assert session.facilitators == (helper,)
        async with pool.acquire() as conn, conn.transaction():
            now = await store.database_now(conn)
            saved = await store.save_session(
                conn,
                replace(
                    session, phase=Phase.VOTING, timer=session.timer.pause(now),
                    tallies_visible=True, results={"votes": 1},
                ),
            )  # fmt: skip
            assert await store.remove_facilitator(conn, session.id, helper)
            assert not await store.remove_facilitator(conn, session.id, helper)
        read, clock = await store.read_session(pool, project, session.id)
        assert (read.phase, read.timer.paused_at, read.results) == (Phase.VOTING, now, {"votes": 1})
        assert (saved.version, read.version, read.facilitators) == (2, 2, ())
        assert clock >= now

    async def test_a_session_of_another_project_is_not_found(self, pool: Any) -> None:
        """Reading or locking through the wrong project finds nothing."""
        owner = await new_user(pool)
        project, other = await new_project(pool, owner), await new_project(pool, owner)
        session = await start(pool, project, owner)
        with pytest.raises(NotFound):
            await store.read_session(pool, other, session.id)
        async with pool.acquire() as conn, conn.transaction():
            with pytest.raises(NotFound):
                await store.lock_session(conn, other, session.id)


class TestVotes:
    async def test_concurrent_dots_of_one_person_never_exceed_the_limit(self, pool: Any) -> None:
        """Twelve simultaneous requests for three votes: exactly three dots are stored."""
        owner = await new_user(pool)
        session = await start(pool, await new_project(pool, owner), owner, phase=Phase.VOTING)
        placed = await asyncio.gather(*(vote(pool, session, owner, f"i{n}") for n in range(12)))
        assert sum(placed) == 3
        assert len(await store.votes_of(pool, session.id, owner)) == 3

    async def test_concurrent_dots_on_one_idea_without_stacking_store_one(self, pool: Any) -> None:
        """Eight simultaneous dots on one idea: one is stored."""
        owner = await new_user(pool)
        session = await start(pool, await new_project(pool, owner), owner, phase=Phase.VOTING)
        placed = await asyncio.gather(*(vote(pool, session, owner, "same") for _ in range(8)))
        assert sum(placed) == 1

    async def test_tallies_count_everyones_dots_and_a_retract_takes_the_newest(
        self, pool: Any
    ) -> None:
        """Dots per idea and voters are counted; retracting removes one dot of one person."""
        ana, ben = await new_user(pool), await new_user(pool)
        session = await start(
            pool, await new_project(pool, ana), ana, phase=Phase.VOTING, allow_stacking=True
        )
        for user, idea in [(ana, "a"), (ana, "a"), (ben, "a"), (ben, "b")]:
            assert await vote(pool, session, user, idea)
        assert await store.tallies(pool, session.id) == {"a": 3, "b": 1}
        assert await store.voter_count(pool, session.id) == 2
        async with pool.acquire() as conn, conn.transaction():
            assert await store.remove_vote(conn, session.id, ana, "a")
            assert not await store.remove_vote(conn, session.id, ana, "b")
        assert await store.tallies(pool, session.id) == {"a": 2, "b": 1}

    async def test_a_dot_waits_for_a_closing_phase_change_and_then_sees_it(self, pool: Any) -> None:
        """A facilitator's exclusive lock holds voters back; once committed, they see the
        session out of its voting phase."""
        owner = await new_user(pool)
        session = await start(pool, await new_project(pool, owner), owner, phase=Phase.VOTING)
        async with pool.acquire() as facilitator:
            tx = facilitator.transaction()
            await tx.start()
            locked = await store.lock_session(facilitator, session.project_id, session.id)
            await store.save_session(facilitator, replace(locked, phase=Phase.RESULTS))

            async def voter_sees() -> Phase:
                async with pool.acquire() as conn, conn.transaction():
                    s = await store.lock_session(conn, session.project_id, session.id, share=True)
                    return s.phase

            waiting = asyncio.create_task(voter_sees())
            await _until_blocked(pool)
            assert not waiting.done()
            await tx.commit()
            assert await waiting == Phase.RESULTS


async def _until_blocked(pool: Any) -> None:
    """Wait until some backend of this database waits on a row lock (no event exists)."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(TIMEOUT):
        while True:
            if await pool.fetchval(query):
                return
            await asyncio.sleep(0.01)


class TestSnapshotsAndOutbox:
    async def test_snapshot_numbers_grow_and_show_tallies_only_when_visible(
        self, pool: Any
    ) -> None:
        """No session, no snapshot; each read gets a larger number; hidden tallies are None."""
        owner = await new_user(pool)
        project = await new_project(pool, owner)
        assert await store.snapshot_state(pool, project) is None
        session = await start(pool, project, owner, phase=Phase.VOTING)
        assert await vote(pool, session, owner, "a")
        first = await store.snapshot_state(pool, project)
        assert first is not None
        assert (first.session.id, first.tallies) == (session.id, None)
        async with pool.acquire() as conn, conn.transaction():
            await store.save_session(conn, replace(session, tallies_visible=True))
        second = await store.snapshot_state(pool, project)
        assert second is not None
        assert second.seq > first.seq
        assert second.tallies == {"a": 1}

    async def test_an_event_is_stored_once_however_often_it_is_written(self, pool: Any) -> None:
        """The same event id is skipped; pending lists it until it is marked delivered."""
        project = uuid.uuid4()
        event = outbox.Event(outbox.event_id("idea.created", project, "i1"), "idea.created",
                             project, {"idea": {"id": "i1"}})  # fmt: skip
        async with pool.acquire() as conn, conn.transaction():
            assert await outbox.append(conn, [event]) == 1
            assert await outbox.append(conn, [event, event]) == 0
            assert await outbox.append(conn, []) == 0
        assert outbox.event_id("idea.created", project, "i1") == event.id
        [stored] = await outbox.pending(pool, project_id=project)
        envelope = stored.envelope()
        assert (envelope["id"], envelope["type"]) == (str(event.id), "idea.created")
        assert (envelope["project_id"], envelope["data"]) == (str(project), event.data)
        assert await outbox.pending(pool, project_id=project, type_prefix="brainstorm.") == []
        await outbox.delivered(pool, [stored.seq])
        assert await outbox.pending(pool, project_id=project) == []

    async def test_deleting_a_project_erases_its_brainstorm_rooms(self, pool: Any) -> None:
        """The server-owned room and every participant's private room go with the project."""
        owner = await new_user(pool)
        project, other = await new_project(pool, owner), await new_project(pool, owner)
        session = await start(pool, project, owner)
        await store.add_participant(pool, session.id, owner)
        assert await store.participants(pool, session.id) == [owner]
        kept = brainstorm_room(other)
        doomed = [brainstorm_room(project), private_room(project, session.id, owner)]
        async with pool.acquire() as conn, conn.transaction():
            for room in [*doomed, kept]:
                await update_log.store_update(conn, room, b"\x00\x00")
        await projects.delete_project(pool, project)
        rooms = await pool.fetch(
            "SELECT DISTINCT room FROM room_updates WHERE room = ANY($1::text[])", [*doomed, kept]
        )
        assert [row["room"] for row in rooms] == [kept]

    async def test_revealed_notes_are_remembered_per_session(self, pool: Any) -> None:
        """record_revealed stores note and idea ids; revealed_notes returns the note ids."""
        owner = await new_user(pool)
        session = await start(pool, await new_project(pool, owner), owner)
        async with pool.acquire() as conn, conn.transaction():
            await store.record_revealed(conn, session.id, [("n1", "n1", owner), ("n2", "x", None)])
        assert await store.revealed_notes(pool, session.id) == {"n1", "n2"}
        assert await store.user_names(pool, [owner]) == {owner: "user"}
