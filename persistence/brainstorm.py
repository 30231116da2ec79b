"""Brainstorm sessions, facilitators, participants, revealed notes and votes (SQL only).

What a participant must not forge is written here, by the server, on a request it has checked
(http_api/v1/brainstorm.py). Timer instants come from the database's clock
(``clock_timestamp()``), one clock for every node.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from collab.brainstorm import Phase, Session, Summon, Timer, TimeUp
from collab.errors import Conflict, NotFound
from collab.i18n import msg
from persistence.conn import Conn, Executor, PgPool

__all__ = [
    "SnapshotState",
    "database_now",
    "create_session",
    "read_session",
    "list_sessions",
    "lock_session",
    "save_session",
    "add_facilitator",
    "remove_facilitator",
    "add_participant",
    "running_session",
    "participants",
    "revealed_notes",
    "revealed_ideas",
    "record_revealed",
    "lock_voter",
    "votes_of",
    "add_vote",
    "remove_vote",
    "tallies",
    "voter_count",
    "snapshot_state",
    "Progress",
    "progress",
    "set_wrote",
    "timed_sessions",
    "board_exempt",
    "user_names",
]


_COLUMNS = (
    "s.id, s.project_id, s.prompt, s.phase, s.timer_duration_s, s.timer_started_at, "
    "s.timer_paused_at, s.timer_paused_s, s.votes_per_person, s.allow_stacking, s.anonymous, "
    "s.tallies_visible, s.summon, s.results, s.created_by, s.created_at, s.ended_at, s.version, "
    "s.on_time_up, s.time_up_handled, s.writing_locked, s.board_locked, s.locked_notes, "
    "ARRAY(SELECT f.user_id FROM brainstorm_facilitators f WHERE f.session_id = s.id "
    "ORDER BY f.added_at, f.user_id) AS facilitators"
)


def _summon(raw: str | None) -> Summon | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return Summon(
        data["x"], data["y"], data["zoom"], UUID(data["by"]), datetime.fromisoformat(data["at"])
    )


def _summon_json(summon: Summon | None) -> str | None:
    if summon is None:
        return None
    return json.dumps(
        {"x": summon.x, "y": summon.y, "zoom": summon.zoom, "by": str(summon.by),
         "at": summon.at.isoformat()}
    )  # fmt: skip


def _session(row: asyncpg.Record) -> Session:
    return Session(
        id=row["id"],
        project_id=row["project_id"],
        prompt=row["prompt"],
        phase=Phase(row["phase"]),
        timer=Timer(
            row["timer_duration_s"],
            row["timer_started_at"],
            row["timer_paused_at"],
            row["timer_paused_s"],
        ),
        votes_per_person=row["votes_per_person"],
        allow_stacking=row["allow_stacking"],
        anonymous=row["anonymous"],
        tallies_visible=row["tallies_visible"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        summon=_summon(row["summon"]),
        results=None if row["results"] is None else json.loads(row["results"]),
        facilitators=tuple(row["facilitators"]),
        version=row["version"],
        on_time_up=TimeUp(row["on_time_up"]),
        time_up_handled=row["time_up_handled"],
        writing_locked=row["writing_locked"],
        board_locked=row["board_locked"],
        locked_notes=tuple(row["locked_notes"]),
    )


async def database_now(db: Executor) -> datetime:
    """The database's clock: the one clock every node's timers are computed with."""
    now: datetime = await db.fetchval("SELECT clock_timestamp()")
    return now


async def create_session(conn: Conn, session: Session) -> Session:
    """Insert ``session`` and its facilitators (in the caller's transaction).

    Raises:
        Conflict: the project already has a session that has not ended.
    """
    timer = session.timer
    try:
        await conn.execute(
            "INSERT INTO brainstorm_sessions (id, project_id, prompt, phase, timer_duration_s, "
            "timer_started_at, timer_paused_at, timer_paused_s, votes_per_person, "
            "allow_stacking, anonymous, tallies_visible, created_by, created_at, on_time_up) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            session.id, session.project_id, session.prompt, session.phase.value,
            timer.duration_s, timer.started_at, timer.paused_at, timer.paused_s,
            session.votes_per_person, session.allow_stacking, session.anonymous,
            session.tallies_visible, session.created_by, session.created_at,
            session.on_time_up.value,
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        raise Conflict(
            msg("this project already has a brainstorm session running: end it first")
        ) from None
    for user_id in session.facilitators:
        await add_facilitator(conn, session.id, user_id)
    return await lock_session(conn, session.project_id, session.id)


async def read_session(
    db: Executor, project_id: UUID, session_id: UUID
) -> tuple[Session, datetime]:
    """A session of the project and the database's clock at the read.

    Raises:
        NotFound: the project has no such session.
    """
    row = await db.fetchrow(
        f"SELECT {_COLUMNS}, clock_timestamp() AS now FROM brainstorm_sessions s "  # noqa: S608
        "WHERE s.id = $1 AND s.project_id = $2",
        session_id,
        project_id,
    )
    if row is None:
        raise NotFound(msg("no such brainstorm session: {session_id}", session_id=session_id))
    return _session(row), row["now"]


async def list_sessions(
    db: Executor, project_id: UUID, *, limit: int = 50
) -> tuple[list[Session], datetime]:
    """The project's sessions, newest first, and the database's clock."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM brainstorm_sessions s WHERE s.project_id = $1 "  # noqa: S608
        "ORDER BY s.created_at DESC, s.id DESC LIMIT $2",
        project_id,
        limit,
    )
    return [_session(row) for row in rows], await database_now(db)


async def lock_session(
    conn: Conn, project_id: UUID, session_id: UUID, *, share: bool = False
) -> Session:
    """Read and lock a session row until the caller's transaction ends.

    ``share`` takes a shared lock: voters share one, so they run side by side, while a
    facilitator's change (an exclusive lock) waits for the votes in flight, and votes wait
    for it, so no dot lands after voting closed.

    Raises:
        NotFound: the project has no such session.
    """
    mode = "SHARE" if share else "UPDATE"
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM brainstorm_sessions s "  # noqa: S608 - literals only
        f"WHERE s.id = $1 AND s.project_id = $2 FOR {mode} OF s",
        session_id,
        project_id,
    )
    if row is None:
        raise NotFound(msg("no such brainstorm session: {session_id}", session_id=session_id))
    return _session(row)


async def save_session(conn: Conn, session: Session) -> Session:
    """Write a session's changeable state (locked by the caller); its version grows by one."""
    timer = session.timer
    await conn.execute(
        "UPDATE brainstorm_sessions SET phase = $2, timer_duration_s = $3, "
        "timer_started_at = $4, timer_paused_at = $5, timer_paused_s = $6, "
        "tallies_visible = $7, summon = $8::jsonb, results = $9::jsonb, ended_at = $10, "
        "on_time_up = $11, time_up_handled = $12, writing_locked = $13, board_locked = $14, "
        "locked_notes = $15, version = version + 1 WHERE id = $1",
        session.id, session.phase.value, timer.duration_s, timer.started_at, timer.paused_at,
        timer.paused_s, session.tallies_visible, _summon_json(session.summon),
        None if session.results is None else json.dumps(session.results), session.ended_at,
        session.on_time_up.value, session.time_up_handled, session.writing_locked,
        session.board_locked, list(session.locked_notes),
    )  # fmt: skip
    return await lock_session(conn, session.project_id, session.id)


async def add_facilitator(conn: Conn, session_id: UUID, user_id: UUID) -> None:
    """Make ``user_id`` a facilitator of the session (again: no change)."""
    await conn.execute(
        "INSERT INTO brainstorm_facilitators (session_id, user_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING",
        session_id,
        user_id,
    )


async def remove_facilitator(conn: Conn, session_id: UUID, user_id: UUID) -> bool:
    """Stop ``user_id`` facilitating; return whether they did."""
    status: str = await conn.execute(
        "DELETE FROM brainstorm_facilitators WHERE session_id = $1 AND user_id = $2",
        session_id,
        user_id,
    )
    return status != "DELETE 0"


async def add_participant(db: Executor, session_id: UUID, user_id: UUID) -> bool:
    """Remember that ``user_id`` writes hidden notes in the session (their room is collected);
    return whether they are new to it."""
    status: str = await db.execute(
        "INSERT INTO brainstorm_participants (session_id, user_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING",
        session_id,
        user_id,
    )
    return status != "INSERT 0 0"


async def running_session(db: Executor, project_id: UUID) -> Session | None:
    """The project's session that has not ended, if any."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM brainstorm_sessions s "  # noqa: S608 - literals only
        "WHERE s.project_id = $1 AND s.ended_at IS NULL",
        project_id,
    )
    return None if row is None else _session(row)


async def participants(db: Executor, session_id: UUID) -> list[UUID]:
    """Everyone who opened a private room of the session for writing, in joining order."""
    rows = await db.fetch(
        "SELECT user_id FROM brainstorm_participants WHERE session_id = $1 "
        "ORDER BY joined_at, user_id",
        session_id,
    )
    return [row["user_id"] for row in rows]


async def revealed_notes(db: Executor, session_id: UUID) -> set[str]:
    """Ids (in the private rooms) of the notes the session has put on the board."""
    rows = await db.fetch("SELECT note_id FROM brainstorm_ideas WHERE session_id = $1", session_id)
    return {row["note_id"] for row in rows}


async def revealed_ideas(db: Executor, session_id: UUID) -> set[str]:
    """Ids (on the board) of the ideas the session's reveals put there: part of its results."""
    rows = await db.fetch("SELECT idea_id FROM brainstorm_ideas WHERE session_id = $1", session_id)
    return {row["idea_id"] for row in rows}


async def record_revealed(
    conn: Conn,
    session_id: UUID,
    notes: Iterable[tuple[str, str, UUID | None]],
) -> None:
    """Remember notes put on the board: (note id, idea id, author or None if anonymous)."""
    rows = list(notes)
    await conn.execute(
        "INSERT INTO brainstorm_ideas (session_id, note_id, idea_id, author_id) "
        "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[])",
        session_id,
        [row[0] for row in rows],
        [row[1] for row in rows],
        [row[2] for row in rows],
    )


async def lock_voter(conn: Conn, session_id: UUID, user_id: UUID) -> None:
    """Serialise one person's votes in one session, on every node, until the transaction ends.

    Counting their dots and adding one then happen as one step: concurrent requests cannot
    both see a free vote.
    """
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        f"brainstorm-vote:{session_id}:{user_id}",
    )


async def votes_of(db: Executor, session_id: UUID, user_id: UUID) -> list[str]:
    """The ideas ``user_id`` put dots on, one entry per dot, oldest first."""
    rows = await db.fetch(
        "SELECT idea_id FROM brainstorm_votes WHERE session_id = $1 AND user_id = $2 ORDER BY id",
        session_id,
        user_id,
    )
    return [row["idea_id"] for row in rows]


async def add_vote(conn: Conn, session_id: UUID, user_id: UUID, idea_id: str) -> None:
    """Store one dot (after :func:`lock_voter` and the rule check)."""
    await conn.execute(
        "INSERT INTO brainstorm_votes (session_id, user_id, idea_id) VALUES ($1, $2, $3)",
        session_id,
        user_id,
        idea_id,
    )


async def remove_vote(conn: Conn, session_id: UUID, user_id: UUID, idea_id: str) -> bool:
    """Take back the newest of ``user_id``'s dots on ``idea_id``; return whether there was one."""
    status: str = await conn.execute(
        "DELETE FROM brainstorm_votes WHERE id = (SELECT id FROM brainstorm_votes "
        "WHERE session_id = $1 AND user_id = $2 AND idea_id = $3 ORDER BY id DESC LIMIT 1)",
        session_id,
        user_id,
        idea_id,
    )
    return status != "DELETE 0"


async def tallies(db: Executor, session_id: UUID) -> dict[str, int]:
    """Dots per idea (ideas with none are absent)."""
    rows = await db.fetch(
        "SELECT idea_id, count(*) AS votes FROM brainstorm_votes WHERE session_id = $1 "
        "GROUP BY idea_id ORDER BY idea_id",
        session_id,
    )
    return {row["idea_id"]: row["votes"] for row in rows}


async def voter_count(db: Executor, session_id: UUID) -> int:
    """How many people placed at least one dot."""
    count: int = await db.fetchval(
        "SELECT count(DISTINCT user_id) FROM brainstorm_votes WHERE session_id = $1", session_id
    )
    return count


@dataclass(frozen=True, slots=True)
class Progress:
    """How many take part, wrote a note, and voted (counts only: the snapshot names nobody)."""

    participants: int
    wrote: int
    voted: int


async def progress(db: Executor, session_id: UUID) -> Progress:
    """The session's progress: participants are those who opened their private room for
    writing or placed a dot; ``wrote`` those whose private room held a note with text (frozen
    at the reveal: the server empties the rooms then); ``voted`` the distinct voters."""
    row = await db.fetchrow(
        "SELECT (SELECT count(*) FROM (SELECT user_id FROM brainstorm_participants "
        "WHERE session_id = $1 UNION SELECT user_id FROM brainstorm_votes WHERE session_id = $1)"
        " AS everyone) AS participants, "
        "(SELECT count(*) FROM brainstorm_participants WHERE session_id = $1 AND wrote) AS wrote, "
        "(SELECT count(DISTINCT user_id) FROM brainstorm_votes WHERE session_id = $1) AS voted",
        session_id,
    )
    assert row is not None  # an aggregate always answers one row
    return Progress(row["participants"], row["wrote"], row["voted"])


async def set_wrote(db: Executor, session_id: UUID, user_id: UUID, wrote: bool) -> bool:
    """Record whether the participant's private room holds a note with text; return whether
    that changed anything (only a change needs a new snapshot). Only while the session is
    silent: afterwards the count stays what the reveal found."""
    status: str = await db.execute(
        "UPDATE brainstorm_participants p SET wrote = $3 FROM brainstorm_sessions s "
        "WHERE p.session_id = $1 AND p.user_id = $2 AND p.wrote <> $3 "
        "AND s.id = p.session_id AND s.phase = 'silent' AND s.ended_at IS NULL",
        session_id,
        user_id,
        wrote,
    )
    return status != "UPDATE 0"


async def timed_sessions(db: Executor) -> tuple[list[Session], datetime]:
    """Running sessions with a time-up rule, and the database's clock, for a node's
    scheduler (http_api/brainstorm_live.py)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM brainstorm_sessions s "  # noqa: S608 - literals only
        "WHERE s.ended_at IS NULL AND s.on_time_up <> 'nothing'"
    )
    return [_session(row) for row in rows], await database_now(db)


async def board_exempt(db: Executor, project_id: UUID, session: Session) -> list[UUID]:
    """Who keeps editing a locked board: the project's owners, every admin, and the members
    named facilitators of ``session`` (with a role that writes)."""
    rows = await db.fetch(
        "SELECT user_id FROM project_members WHERE project_id = $1 AND "
        "(role = 'owner' OR (role = 'member' AND user_id = ANY($2::uuid[]))) "
        "UNION SELECT id FROM users WHERE is_admin",
        project_id,
        list(session.facilitators),
    )
    return [row["user_id"] for row in rows]


@dataclass(frozen=True, slots=True)
class SnapshotState:
    """What the next snapshot of a project's brainstorm room shows (:func:`snapshot_state`)."""

    seq: int
    session: Session
    #: votes per idea, or None while they are hidden
    tallies: dict[str, int] | None
    now: datetime
    #: counts only, never who: see :func:`progress`
    progress: Progress | None = None


async def snapshot_state(pool: PgPool, project_id: UUID) -> SnapshotState | None:
    """Number and read the project's brainstorm state for the next snapshot, or None if it has
    never had a session.

    A transaction-level advisory lock per project makes numbering and reading one step across
    every node: a larger number always comes with a state at least as new. The session shown
    is the running one, or else the latest.
    """
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            f"brainstorm-snapshot:{project_id}",
        )
        seq: int = await conn.fetchval("SELECT nextval('brainstorm_snapshot_seq')")
        row = await conn.fetchrow(
            f"SELECT {_COLUMNS}, clock_timestamp() AS now FROM brainstorm_sessions s "  # noqa: S608
            "WHERE s.project_id = $1 ORDER BY s.ended_at IS NULL DESC, s.created_at DESC LIMIT 1",
            project_id,
        )
        if row is None:
            return None
        session = _session(row)
        shown = await tallies(conn, session.id) if session.tallies_visible else None
        return SnapshotState(seq, session, shown, row["now"], await progress(conn, session.id))


async def user_names(db: Executor, user_ids: Sequence[UUID]) -> dict[UUID, str]:
    """Display names of these accounts (deleted ones are absent)."""
    rows = await db.fetch("SELECT id, name FROM users WHERE id = ANY($1::uuid[])", list(user_ids))
    return {row["id"]: row["name"] for row in rows}
