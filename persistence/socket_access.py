"""The WebSocket access check for many sockets at once: session, account and membership.

A client opening a project's room presents an access token whose signature and expiry the
caller has already checked. What only the database knows is whether the login session behind
it is still live, whether the account still exists (and is a global admin), and the caller's
membership in the project. Read one at a time that is three round trips per socket; in a
reconnect storm thousands of sockets ask within a second, so :func:`check_sessions` answers a
whole batch in one statement (persistence/batching.py collects the batch).

Most sockets of a storm are a team coming back to its project's room, so a node can also ask
once per project for every live login session of its members (:func:`team_sessions`) and
answer the rest of the team from that (http_api/socket_grants.py). The same statement tells
whether the project's running brainstorm session holds a lock on its board, which the first
socket of a project would otherwise read in a round trip of its own (http_api/write_locks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from collab.permissions import Role
from persistence.conn import Conn, Executor

__all__ = [
    "SessionCheck",
    "SessionGrant",
    "Team",
    "TeamSession",
    "check_sessions",
    "team_sessions",
    "warm_up",
]


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """One socket's question: this login session of this user, towards this project."""

    session_id: UUID
    user_id: UUID
    project_id: UUID


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """The answer to one :class:`SessionCheck`, at the time of the query."""

    #: the session is neither revoked nor expired, and belongs to the user
    live: bool
    #: the account exists
    user_exists: bool
    is_admin: bool
    project_exists: bool
    #: the user's membership role, None when not a member
    membership: Role | None
    #: when the session expires (None when it is not live): no answer may be reused past it
    expires_at: datetime | None


# No session, account or project has this id (ids are random, version 4).
_NOBODY = UUID(int=0)

_CHECKED = """
SELECT s.expires_at, u.id IS NOT NULL AS user_exists, coalesce(u.is_admin, false) AS is_admin,
       p.id IS NOT NULL AS project_exists, m.role
FROM {checks}
LEFT JOIN auth_sessions s
       ON s.id = c.session_id AND s.user_id = c.user_id
      AND s.revoked_at IS NULL AND s.expires_at > $4
LEFT JOIN users u ON u.id = c.user_id
LEFT JOIN projects p ON p.id = c.project_id
LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = u.id
"""
# Many checks: arrays, one row per check in order. PostgreSQL plans this form afresh on each
# run (its generic plan assumes arrays of 10), which is fine for a batch but not for one.
_MANY = (
    _CHECKED.format(
        checks="unnest($1::uuid[], $2::uuid[], $3::uuid[])\n"
        "     WITH ORDINALITY AS c(session_id, user_id, project_id, i)"
    )
    + "ORDER BY c.i\n"
)
# One check (most batches, unless sockets arrive faster than a round trip): plain parameters,
# whose generic plan PostgreSQL keeps after a few runs (docs/benchmarks.md, "Re-planned
# statements").
_ONE = _CHECKED.format(
    checks="(VALUES ($1::uuid, $2::uuid, $3::uuid)) AS c(session_id, user_id, project_id)"
)


@dataclass(frozen=True, slots=True)
class TeamSession:
    """A live login session of a member of a project, at the time of the query."""

    session_id: UUID
    user_id: UUID
    #: the member's role in the project
    membership: Role
    is_admin: bool
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Team:
    """What one project's team read found, at the time of the query."""

    #: live sessions of the members; None for a missing project or a team past the limit
    sessions: list[TeamSession] | None
    #: the project's running brainstorm session locks the board or some notes
    lock_held: bool


# k: evaluated once per project (not per team row), as a lateral join before the team's.
_TEAMS = """
SELECT q.i, p.id IS NOT NULL AS project_exists, k.lock_held, t.session_id, t.user_id, t.role,
       t.is_admin, t.expires_at
FROM unnest($1::uuid[]) WITH ORDINALITY AS q(project_id, i)
LEFT JOIN projects p ON p.id = q.project_id
CROSS JOIN LATERAL (
    SELECT EXISTS (
        SELECT 1 FROM brainstorm_sessions b
        WHERE b.project_id = q.project_id AND b.ended_at IS NULL
          AND (b.board_locked OR cardinality(b.locked_notes) > 0)
    ) AS lock_held
) AS k
LEFT JOIN LATERAL (
    SELECT s.id AS session_id, s.user_id, m.role, u.is_admin, s.expires_at
    FROM project_members m
    JOIN users u ON u.id = m.user_id
    JOIN auth_sessions s
      ON s.user_id = m.user_id AND s.revoked_at IS NULL AND s.expires_at > $2
    WHERE m.project_id = p.id
    LIMIT $3
) AS t ON true
"""


async def team_sessions(
    db: Executor, project_ids: list[UUID], now: datetime, limit: int
) -> list[Team]:
    """For each project, in order, the live login sessions of its members, in one statement.

    A team's sessions are None for a project that does not exist, or whose members hold more
    than ``limit`` live sessions (a team that large is checked one socket at a time instead).
    """
    rows = await db.fetch(_TEAMS, project_ids, now, limit + 1)
    teams: list[list[TeamSession] | None] = [[] for _ in project_ids]
    locks = [False] * len(project_ids)
    for row in rows:
        index = row["i"] - 1
        locks[index] = row["lock_held"]
        team = teams[index]
        if team is None:
            continue
        if not row["project_exists"]:
            teams[index] = None
        elif row["session_id"] is not None:
            team.append(
                TeamSession(
                    row["session_id"],
                    row["user_id"],
                    Role(row["role"]),
                    row["is_admin"],
                    row["expires_at"],
                )
            )
    return [
        Team(None if team is not None and len(team) > limit else team, lock_held)
        for team, lock_held in zip(teams, locks, strict=True)
    ]


async def check_sessions(
    db: Executor, checks: list[SessionCheck], now: datetime
) -> list[SessionGrant]:
    """Answer every check in one statement; one grant per check, in order.

    Args:
        db: a pool or connection (asyncpg).
        now: sessions that expire at or before it are not live.
    """
    if len(checks) == 1:
        (check,) = checks
        rows = await db.fetch(_ONE, check.session_id, check.user_id, check.project_id, now)
    else:
        rows = await db.fetch(
            _MANY,
            [c.session_id for c in checks],
            [c.user_id for c in checks],
            [c.project_id for c in checks],
            now,
        )
    return [
        SessionGrant(
            live=row["expires_at"] is not None,
            user_exists=row["user_exists"],
            is_admin=row["is_admin"],
            project_exists=row["project_exists"],
            membership=None if row["role"] is None else Role(row["role"]),
            expires_at=row["expires_at"],
        )
        for row in rows
    ]


async def warm_up(conn: Conn) -> None:
    """Prepare the access check's statements on ``conn`` (persistence.db.warm), reading nothing."""
    now = datetime.now(UTC)
    await check_sessions(conn, [], now)
    await check_sessions(conn, [SessionCheck(_NOBODY, _NOBODY, _NOBODY)], now)
    await team_sessions(conn, [], now, 1)
