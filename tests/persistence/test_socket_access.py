"""check_sessions and team_sessions: who may open a project's room, for many sockets at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import pytest

from collab.artifacts import Phase
from collab.permissions import Role
from persistence import accounts, brainstorm, projects
from persistence.conn import Executor
from persistence.socket_access import (
    SessionCheck,
    SessionGrant,
    Team,
    TeamSession,
    check_sessions,
    team_sessions,
)
from tests.persistence.test_brainstorm import start

#: The time every check here is asked at (sessions are placed around it).
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


async def new_user(pool: Any, name: str = "user") -> accounts.User:
    return await accounts.create_user(
        pool, uuid.uuid4(), f"{name}-{uuid.uuid4().hex[:10]}@example.com", name, "not-a-hash"
    )


async def new_session(pool: Any, user: UUID, expires_at: datetime = LATER) -> UUID:
    session = uuid.uuid4()
    await accounts.create_session(pool, session, user, expires_at, None, None)
    return session


async def new_project(pool: Any, owner: UUID) -> UUID:
    project = await projects.create_project(
        pool, uuid.uuid4(), name="p", description="", phase=Phase.EMPATHIZE, owner_id=owner
    )
    return project.id


@dataclass(frozen=True)
class World:
    """An owner's project with a viewer on its team, and an outsider; each signed in."""

    owner: UUID
    viewer: UUID
    outsider: UUID
    project: UUID
    owner_session: UUID
    viewer_session: UUID
    outsider_session: UUID


@pytest.fixture
async def world(pool: Any) -> World:
    owner, viewer, outsider = [await new_user(pool, n) for n in ("owner", "viewer", "outsider")]
    project = await new_project(pool, owner.id)
    await projects.add_member(pool, project, viewer.id, Role.VIEWER)
    return World(
        owner.id,
        viewer.id,
        outsider.id,
        project,
        await new_session(pool, owner.id),
        await new_session(pool, viewer.id),
        await new_session(pool, outsider.id),
    )


def live(role: Role | None, *, admin: bool = False, expires_at: datetime = LATER) -> SessionGrant:
    """The grant of a live session of an existing account on an existing project."""
    return SessionGrant(True, True, admin, True, role, expires_at)


class TestOneCheck:
    async def test_a_live_session_of_a_member(self, pool: Any, world: World) -> None:
        """The member's role comes back with the session's expiry; owners are members too."""
        got = await check_sessions(
            pool,
            [
                SessionCheck(world.viewer_session, world.viewer, world.project),
                SessionCheck(world.owner_session, world.owner, world.project),
            ],
            NOW,
        )
        assert got == [live(Role.VIEWER), live(Role.OWNER)]

    async def test_a_revoked_session_is_not_live(self, pool: Any, world: World) -> None:
        """Revoked (a logout): not live and no expiry, though account and membership stand."""
        await accounts.revoke_session(pool, world.viewer_session, "logout", NOW)
        got = await check_sessions(
            pool, [SessionCheck(world.viewer_session, world.viewer, world.project)], NOW
        )
        assert got == [SessionGrant(False, True, False, True, Role.VIEWER, None)]

    @pytest.mark.parametrize("expired_by", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
    async def test_an_expired_session_is_not_live(
        self, pool: Any, world: World, expired_by: timedelta
    ) -> None:
        """A session expiring at ``now`` or before is not live; a microsecond later it is."""
        ended = await new_session(pool, world.viewer, NOW - expired_by)
        lasting = await new_session(pool, world.viewer, NOW + timedelta(microseconds=1))
        got = await check_sessions(
            pool,
            [
                SessionCheck(ended, world.viewer, world.project),
                SessionCheck(lasting, world.viewer, world.project),
            ],
            NOW,
        )
        assert got == [
            SessionGrant(False, True, False, True, Role.VIEWER, None),
            live(Role.VIEWER, expires_at=NOW + timedelta(microseconds=1)),
        ]

    async def test_someone_elses_session_is_not_live(self, pool: Any, world: World) -> None:
        """A session presented with another user's id (a forged pairing) is not live for
        them, whoever of the two is on the team."""
        got = await check_sessions(
            pool,
            [
                SessionCheck(world.outsider_session, world.viewer, world.project),
                SessionCheck(world.viewer_session, world.outsider, world.project),
            ],
            NOW,
        )
        assert got == [
            SessionGrant(False, True, False, True, Role.VIEWER, None),
            SessionGrant(False, True, False, True, None, None),
        ]

    async def test_a_deleted_account(self, pool: Any, world: World) -> None:
        """A deleted user has no account, no live session and no membership any more."""
        await pool.execute("DELETE FROM users WHERE id = $1", world.viewer)
        got = await check_sessions(
            pool, [SessionCheck(world.viewer_session, world.viewer, world.project)], NOW
        )
        assert got == [SessionGrant(False, False, False, True, None, None)]

    async def test_a_missing_project(self, pool: Any, world: World) -> None:
        """No such project: the session is still live, the project does not exist."""
        missing = uuid.uuid4()
        got = await check_sessions(
            pool, [SessionCheck(world.owner_session, world.owner, missing)], NOW
        )
        assert got == [SessionGrant(True, True, False, False, None, LATER)]

    async def test_a_project_of_which_one_is_not_a_member(self, pool: Any, world: World) -> None:
        """An existing project, a live session, no membership."""
        got = await check_sessions(
            pool, [SessionCheck(world.outsider_session, world.outsider, world.project)], NOW
        )
        assert got == [live(None)]

    async def test_the_global_admin_flag(self, pool: Any, world: World) -> None:
        """The account's admin flag comes back whether or not it is on the team."""
        for user in (world.outsider, world.viewer):
            found = await accounts.get_user(pool, user)
            assert found is not None
            assert found.email is not None
            assert await accounts.set_admin(pool, found.email, True)
        got = await check_sessions(
            pool,
            [
                SessionCheck(world.outsider_session, world.outsider, world.project),
                SessionCheck(world.viewer_session, world.viewer, world.project),
                SessionCheck(world.owner_session, world.owner, world.project),
            ],
            NOW,
        )
        assert got == [live(None, admin=True), live(Role.VIEWER, admin=True), live(Role.OWNER)]


class TestManyChecks:
    async def test_mixed_checks_are_answered_in_order_each_as_alone(
        self, pool: Any, world: World
    ) -> None:
        """Every kind of check, in one list (a repeat included): each answer is the one that
        check gets when asked alone, at its own position."""
        other_project = await new_project(pool, world.outsider)
        revoked = await new_session(pool, world.viewer)
        await accounts.revoke_session(pool, revoked, "logout", NOW)
        expired = await new_session(pool, world.owner, NOW - timedelta(minutes=1))
        gone = await new_user(pool, "gone")
        gone_session = await new_session(pool, gone.id)
        await pool.execute("DELETE FROM users WHERE id = $1", gone.id)
        checks = [
            SessionCheck(world.viewer_session, world.viewer, world.project),
            SessionCheck(revoked, world.viewer, world.project),
            SessionCheck(world.outsider_session, world.outsider, other_project),
            SessionCheck(expired, world.owner, world.project),
            SessionCheck(gone_session, gone.id, world.project),
            SessionCheck(world.owner_session, world.owner, uuid.uuid4()),
            SessionCheck(world.outsider_session, world.outsider, world.project),
            SessionCheck(world.viewer_session, world.owner, world.project),
            SessionCheck(world.viewer_session, world.viewer, world.project),
        ]
        together = await check_sessions(pool, checks, NOW)
        alone = [(await check_sessions(pool, [check], NOW))[0] for check in checks]
        assert together == alone
        assert together == [
            live(Role.VIEWER),
            SessionGrant(False, True, False, True, Role.VIEWER, None),
            live(Role.OWNER),
            SessionGrant(False, True, False, True, Role.OWNER, None),
            SessionGrant(False, False, False, True, None, None),
            SessionGrant(True, True, False, False, None, LATER),
            live(None),
            SessionGrant(False, True, False, True, Role.OWNER, None),
            live(Role.VIEWER),
        ]

    async def test_many_checks_take_one_statement(self, pool: Any, world: World) -> None:
        """Fifty checks are one round trip to the database."""
        statements: list[str] = []

        class Counting:
            async def fetch(self, query: str, *args: Any) -> Any:
                statements.append(query)
                return await pool.fetch(query, *args)

        checks = [SessionCheck(world.viewer_session, world.viewer, world.project)] * 50
        got = await check_sessions(cast(Executor, Counting()), checks, NOW)
        assert got == [live(Role.VIEWER)] * 50
        assert len(statements) == 1

    async def test_no_checks_no_answers(self, pool: Any) -> None:
        """An empty list is answered with an empty list."""
        assert await check_sessions(pool, [], NOW) == []

    async def test_a_connection_in_a_transaction_sees_its_own_changes(
        self, pool: Any, world: World
    ) -> None:
        """``db`` may be a connection: a member added in its open transaction is seen."""
        async with pool.acquire() as conn, conn.transaction():
            await projects.add_member(conn, world.project, world.outsider, Role.MEMBER)
            got = await check_sessions(
                conn, [SessionCheck(world.outsider_session, world.outsider, world.project)], NOW
            )
            assert got == [live(Role.MEMBER)]


class TestTeamSessions:
    async def test_the_live_sessions_of_the_members_only(self, pool: Any, world: World) -> None:
        """Each member's live sessions with its role; revoked and expired sessions, and
        anyone outside the team, are left out."""
        second = await new_session(pool, world.viewer)
        revoked = await new_session(pool, world.viewer)
        await accounts.revoke_session(pool, revoked, "logout", NOW)
        await new_session(pool, world.owner, NOW)  # expires exactly now: not live
        admin = await new_user(pool, "admin")
        await pool.execute("UPDATE users SET is_admin = true WHERE id = $1", admin.id)
        await new_session(pool, admin.id)  # an admin, but not on the team
        [found] = await team_sessions(pool, [world.project], NOW, 10)
        team = found.sessions
        assert team is not None
        assert sorted(team, key=lambda s: (s.membership.value, str(s.session_id))) == sorted(
            [
                TeamSession(world.owner_session, world.owner, Role.OWNER, False, LATER),
                TeamSession(world.viewer_session, world.viewer, Role.VIEWER, False, LATER),
                TeamSession(second, world.viewer, Role.VIEWER, False, LATER),
            ],
            key=lambda s: (s.membership.value, str(s.session_id)),
        )

    async def test_projects_are_answered_in_order(self, pool: Any, world: World) -> None:
        """A missing project is None; a project whose team is signed out is empty."""
        other = await new_project(pool, world.outsider)
        await accounts.revoke_session(pool, world.outsider_session, "logout", NOW)
        got = [
            team.sessions
            for team in await team_sessions(pool, [other, uuid.uuid4(), world.project], NOW, 10)
        ]
        assert got[0] == []
        assert got[1] is None
        assert got[2] is not None
        assert {s.user_id for s in got[2]} == {world.owner, world.viewer}

    async def test_a_team_past_the_limit_is_none(self, pool: Any, world: World) -> None:
        """Two live sessions fit a limit of two; a third makes the team too large to hold."""
        assert len((await team_sessions(pool, [world.project], NOW, 2))[0].sessions or ()) == 2
        await new_session(pool, world.viewer)
        assert await team_sessions(pool, [world.project], NOW, 2) == [Team(None, False)]
        assert len((await team_sessions(pool, [world.project], NOW, 3))[0].sessions or ()) == 3

    async def test_a_lock_of_the_running_session_is_told(self, pool: Any, world: World) -> None:
        """Only a running session that locks the board or some notes holds a lock; an ended
        one does not, and a project without a session has none."""
        [before] = await team_sessions(pool, [world.project], NOW, 10)
        assert before.lock_held is False
        session = await start(pool, world.project, world.owner)
        for fields, held in (
            ({}, False),
            ({"board_locked": True}, True),
            ({"board_locked": False, "locked_notes": ("n1",)}, True),
            ({"ended_at": NOW}, False),
        ):
            async with pool.acquire() as conn, conn.transaction():
                session = await brainstorm.save_session(conn, replace(session, **fields))
            [team] = await team_sessions(pool, [world.project], NOW, 10)
            assert team.lock_held is held, fields
            assert team.sessions is not None
            assert len(team.sessions) == 2

    async def test_no_projects_no_answers(self, pool: Any) -> None:
        assert await team_sessions(pool, [], NOW, 10) == []
