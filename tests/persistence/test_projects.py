"""Project storage: keyset order with tied timestamps, per-room deletes, stats by UTC day."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from collab.artifacts import Phase
from collab.errors import Conflict, NotFound
from collab.permissions import Role
from persistence import accounts, projects


async def new_user(pool: Any, name: str = "user") -> UUID:
    user = await accounts.create_user(
        pool, uuid.uuid4(), f"{name}-{uuid.uuid4().hex[:10]}@example.com", name, "not-a-hash"
    )
    return user.id


async def new_project(pool: Any, owner: UUID, name: str = "p") -> UUID:
    project = await projects.create_project(
        pool, uuid.uuid4(), name=name, description="", phase=Phase.EMPATHIZE, owner_id=owner
    )
    return project.id


class TestListing:
    async def test_pages_break_ties_on_creation_time_by_id(self, pool: Any) -> None:
        """Projects created in the same microsecond are still paged once each, by id."""
        owner = await new_user(pool)
        ids = [await new_project(pool, owner) for _ in range(5)]
        same = datetime(2024, 5, 1, tzinfo=UTC)
        await pool.execute("UPDATE projects SET created_at = $2 WHERE id = ANY($1)", ids, same)
        seen: list[UUID] = []
        after = None
        while True:
            page = await projects.list_projects(
                pool, owner, every_project=False, limit=2, after=after
            )
            seen += [row.project.id for row in page]
            if len(page) < 2:
                break
            after = (page[-1].project.created_at, page[-1].project.id)
        assert seen == sorted(ids, reverse=True)

    async def test_every_project_includes_those_you_are_not_on(self, pool: Any) -> None:
        """every_project lists other people's projects too, with no membership."""
        me, other = await new_user(pool), await new_user(pool)
        tag = uuid.uuid4().hex
        theirs = await new_project(pool, other, name=f"theirs {tag}")
        rows = await projects.list_projects(
            pool, me, every_project=True, limit=10, name_contains=tag
        )
        assert [(row.project.id, row.membership) for row in rows] == [(theirs, None)]
        assert await projects.list_projects(pool, me, every_project=False, limit=10) == []


class TestTeam:
    async def test_the_last_owner_stays(self, pool: Any) -> None:
        """Removing or downgrading the only owner raises Conflict and changes nothing."""
        owner = await new_user(pool)
        project = await new_project(pool, owner)
        async with pool.acquire() as conn, conn.transaction():
            with pytest.raises(Conflict, match="last owner"):
                await projects.remove_member(conn, project, owner)
        async with pool.acquire() as conn, conn.transaction():
            with pytest.raises(Conflict, match="last owner"):
                await projects.set_member_role(conn, project, owner, Role.VIEWER)
        member = await projects.get_member(pool, project, owner)
        assert member is not None
        assert member.role is Role.OWNER

    async def test_admin_is_not_a_membership_role(self, pool: Any) -> None:
        """ADMIN belongs to accounts: a membership cannot hold it."""
        owner, other = await new_user(pool), await new_user(pool)
        project = await new_project(pool, owner)
        with pytest.raises(ValueError, match="account role"):
            await projects.add_member(pool, project, other, Role.ADMIN)

    async def test_changing_a_non_member_is_not_found(self, pool: Any) -> None:
        """set_member_role and remove_member need an existing membership."""
        owner, other = await new_user(pool), await new_user(pool)
        project = await new_project(pool, owner)
        async with pool.acquire() as conn, conn.transaction():
            with pytest.raises(NotFound):
                await projects.remove_member(conn, project, other)


class TestDeleteAndStats:
    async def test_delete_removes_only_that_projects_document(self, pool: Any) -> None:
        """Another room's update rows and snapshot survive the delete."""
        owner = await new_user(pool)
        doomed, kept = await new_project(pool, owner), await new_project(pool, owner)
        for project in (doomed, kept):
            await pool.execute(
                "INSERT INTO room_updates (room, payload) VALUES ($1, '\\x0000')", str(project)
            )
            await pool.execute(
                "INSERT INTO room_snapshots (room, snapshot) VALUES ($1, '\\x0000')", str(project)
            )
        deleted = await projects.delete_project(pool, doomed)
        assert deleted is not None
        assert deleted.id == doomed
        assert await projects.delete_project(pool, doomed) is None
        for table in ("room_updates", "room_snapshots"):
            rooms = await pool.fetch(
                f"SELECT room FROM {table} WHERE room = ANY($1)", [str(doomed), str(kept)]
            )
            assert [r["room"] for r in rooms] == [str(kept)], table

    async def test_activity_is_grouped_by_utc_day_within_the_window(self, pool: Any) -> None:
        """Rows either side of UTC midnight fall on two days, whatever the session time zone;
        rows before ``since`` are left out of the days but counted in the total."""
        owner = await new_user(pool)
        project = await new_project(pool, owner)
        midnight = datetime(2024, 3, 10, tzinfo=UTC)
        times = [
            midnight - timedelta(days=3),
            midnight - timedelta(minutes=30),
            midnight + timedelta(minutes=30),
            midnight + timedelta(hours=5),
        ]
        await pool.execute(
            "INSERT INTO room_updates (room, payload, created_at) "
            "SELECT $1, '\\x0000', unnest($2::timestamptz[])",
            str(project),
            times,
        )
        async with pool.acquire() as conn:
            await conn.execute("SET TIME ZONE 'America/Sao_Paulo'")
            try:
                stats = await projects.project_stats(
                    conn, project, since=midnight - timedelta(days=1)
                )
            finally:
                await conn.execute("RESET TIME ZONE")
        assert [(day.isoformat(), n) for day, n in stats.activity] == [
            ("2024-03-09", 1),
            ("2024-03-10", 2),
        ]
        assert stats.updates_stored == 4
        assert stats.last_update_at == times[-1]
        assert stats.members_by_role == {Role.OWNER: 1, Role.MEMBER: 0, Role.VIEWER: 0}


class TestOwnershipCap:
    async def test_concurrent_creations_never_pass_the_cap(self, pool: Any) -> None:
        """Five creations at once against a cap of two: exactly two projects are created."""
        owner = await new_user(pool)

        async def create() -> UUID:
            project = await projects.create_project(
                pool, uuid.uuid4(), name="p", description="", phase=Phase.EMPATHIZE,
                owner_id=owner, max_owned=2,
            )  # fmt: skip
            return project.id

        outcomes = await asyncio.gather(*(create() for _ in range(5)), return_exceptions=True)
        created = [o for o in outcomes if isinstance(o, UUID)]
        refused = [o for o in outcomes if isinstance(o, projects.ProjectLimitReached)]
        assert (len(created), len(refused)) == (2, 3)
        assert refused[0].limit == 2
        assert isinstance(refused[0], Conflict)

    async def test_only_owned_projects_count(self, pool: Any) -> None:
        """Being a member of others' projects does not use up one's own allowance."""
        owner, member = await new_user(pool), await new_user(pool)
        shared = await new_project(pool, owner)
        await projects.add_member(pool, shared, member, Role.MEMBER)
        mine = await projects.create_project(
            pool, uuid.uuid4(), name="m", description="", phase=Phase.EMPATHIZE,
            owner_id=member, max_owned=1,
        )  # fmt: skip
        assert mine.created_by == member
