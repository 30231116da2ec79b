"""Projects, their members and their stats (SQL only; who may do what is http_api/access.py).

A project's workshop content is its Yjs document (room ``str(project_id)`` in room_updates and
room_snapshots); these tables hold its name, phase and team, so listing and permission checks
never have to open a document.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from uuid import UUID

import asyncpg

from collab.artifacts import Phase
from collab.errors import Conflict, NotFound
from collab.i18n import DEFAULT_LOCALE, Text, msg
from collab.permissions import Role
from persistence import update_log
from persistence.conn import Conn, Executor

__all__ = [
    "ProjectLimitReached",
    "purge_document",
    "MEMBERSHIP_ROLES",
    "Project",
    "ProjectRow",
    "Member",
    "ProjectStats",
    "create_project",
    "get_project",
    "lock_project",
    "membership",
    "list_projects",
    "update_project",
    "delete_project",
    "list_members",
    "get_member",
    "add_member",
    "set_member_role",
    "remove_member",
    "project_stats",
]

#: A pool or a connection (inside the caller's transaction): every function here takes either.

#: Roles a membership row can hold (admin belongs to the account, never to a membership).
MEMBERSHIP_ROLES: Final = frozenset({Role.OWNER, Role.MEMBER, Role.VIEWER})
# Advisory lock class ("DTTP"): one project creation at a time per account.
_CREATE_LOCK_CLASS: Final = 0x44545450
#: What every query that returns projects selects (the fields of :class:`Project`).
_COLUMNS: Final = (
    "p.id, p.name, p.description, p.phase, p.created_by, p.created_at, p.updated_at, "
    "p.version, p.archived, p.language, p.viewers_can_export"
)


class ProjectLimitReached(Conflict):
    """The account owns as many projects as one account may; nothing was created."""

    def __init__(self, owned: int, limit: int) -> None:
        self.owned = owned
        self.limit = limit
        super().__init__(
            msg(
                "you own {owned} projects, the most one account may ({limit}): "
                "delete one or hand its ownership over first",
                owned=owned,
                limit=limit,
            )
        )


@dataclass(frozen=True, slots=True)
class Project:
    """A project's metadata; ``version`` grows by one on every change (the ETag)."""

    id: UUID
    name: str
    description: str
    phase: Phase
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
    archived: bool = False
    #: the language the team works in (a tag of collab.i18n.LOCALES)
    language: str = DEFAULT_LOCALE
    #: whether viewers may export the project (members and owners always may)
    viewers_can_export: bool = True


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """A project as one user sees it in a listing: with their membership, if any."""

    project: Project
    membership: Role | None


@dataclass(frozen=True, slots=True)
class Member:
    """A member of a project's team."""

    user_id: UUID
    #: None for a guest (joined through an invite link by name)
    email: str | None
    name: str
    role: Role
    added_at: datetime
    guest: bool = False


@dataclass(frozen=True, slots=True)
class ProjectStats:
    """What the tables know about a project's team and its document's activity."""

    members_by_role: dict[Role, int]
    #: (UTC day, updates stored that day) for rows still in the update log, oldest first
    activity: list[tuple[date, int]]
    #: update rows not yet folded into the snapshot
    updates_stored: int
    #: updates folded into the snapshot by compaction (their days are no longer known)
    updates_compacted: int
    compacted_at: datetime | None
    #: when the newest update still in the log was stored (None once all are compacted)
    last_update_at: datetime | None


def _project(row: asyncpg.Record) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        phase=Phase(row["phase"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        archived=row["archived"],
        language=row["language"],
        viewers_can_export=row["viewers_can_export"],
    )


def _role(value: str | None) -> Role | None:
    return None if value is None else Role(value)


@asynccontextmanager
async def _transaction(db: Executor) -> AsyncIterator[Conn]:
    """A transaction on ``db`` (a savepoint when the caller already holds one)."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn, conn.transaction():
            yield conn
    else:
        async with db.transaction():
            yield db


async def create_project(
    db: Executor,
    project_id: UUID,
    *,
    name: str,
    description: str,
    phase: Phase,
    owner_id: UUID,
    max_owned: int | None = None,
    language: str = DEFAULT_LOCALE,
) -> Project:
    """Insert a project and make ``owner_id`` its first owner, atomically.

    Raises:
        ProjectLimitReached: ``owner_id`` already owns ``max_owned`` projects.
    """
    async with _transaction(db) as conn:
        if max_owned is not None:
            # Serialise this account's creations, so concurrent ones cannot pass the cap together.
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", _CREATE_LOCK_CLASS, str(owner_id)
            )
            owned: int = await conn.fetchval(
                "SELECT count(*) FROM project_members WHERE user_id = $1 AND role = 'owner'",
                owner_id,
            )
            if owned >= max_owned:
                raise ProjectLimitReached(owned, max_owned)
        row = await conn.fetchrow(
            "INSERT INTO projects AS p (id, name, description, phase, created_by, language) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + _COLUMNS,
            project_id,
            name,
            description,
            phase.value,
            owner_id,
            language,
        )
        await conn.execute(
            "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'owner')",
            project_id,
            owner_id,
        )
    assert row is not None  # RETURNING of an insert: always its one row
    return _project(row)


async def get_project(db: Executor, project_id: UUID) -> Project | None:
    """The project, if it exists."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM projects p WHERE p.id = $1",  # noqa: S608 (a constant)
        project_id,
    )
    return None if row is None else _project(row)


async def lock_project(conn: Conn, project_id: UUID) -> Project | None:
    """The project, row-locked until the caller's transaction ends.

    Every change to a project or its team takes this lock first, so concurrent changes are
    serialised: two owners cannot both step down and leave the project without an owner, and
    an If-Match check cannot be raced by another write.
    """
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM projects p WHERE p.id = $1 FOR UPDATE",  # noqa: S608 (a constant)
        project_id,
    )
    return None if row is None else _project(row)


async def membership(db: Executor, project_id: UUID, user_id: UUID) -> tuple[bool, Role | None]:
    """Whether the project exists, and the user's role in it (None: not a member)."""
    row = await db.fetchrow(
        "SELECT m.role FROM projects p LEFT JOIN project_members m "
        "ON m.project_id = p.id AND m.user_id = $2 WHERE p.id = $1",
        project_id,
        user_id,
    )
    if row is None:
        return False, None
    return True, _role(row["role"])


# The filters are shared; only the join differs. Members read through project_members_user,
# admins (who see every project) through projects_created. Both are literals: no SQL is built.
def _list_query(join: str) -> str:
    """The listing query; ``join`` decides whose projects (members only, or every one)."""
    # ``join`` is one of the two constants below, never input.
    return (
        f"SELECT {_COLUMNS}, m.role FROM projects p "  # noqa: S608
        f"{join} project_members m ON m.project_id = p.id AND m.user_id = $1"
        " WHERE ($2::text IS NULL OR strpos(lower(p.name), lower($2)) > 0)"
        " AND ($3::text IS NULL OR m.role = $3)"
        " AND ($4::text IS NULL OR p.phase = $4)"
        " AND ($5::timestamptz IS NULL OR p.created_at >= $5)"
        " AND ($6::timestamptz IS NULL OR p.created_at < $6)"
        " AND ($7::timestamptz IS NULL OR (p.created_at, p.id) < ($7, $8::uuid))"
        " AND ($10::boolean IS NULL OR p.archived = $10)"
        " ORDER BY p.created_at DESC, p.id DESC LIMIT $9"
    )


_LIST_MINE = _list_query("JOIN")
_LIST_ALL = _list_query("LEFT JOIN")


async def list_projects(
    db: Executor,
    user_id: UUID,
    *,
    every_project: bool,
    limit: int,
    after: tuple[datetime, UUID] | None = None,
    name_contains: str | None = None,
    role: Role | None = None,
    phase: Phase | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    archived: bool | None = False,
) -> list[ProjectRow]:
    """Newest first, keyset-paginated on (created_at, id).

    Args:
        every_project: list every project (an admin), not only the user's.
        after: the (created_at, id) of the last row of the previous page.
        role: only projects where the user holds this membership role.
        created_after: inclusive lower bound; ``created_before`` is an exclusive upper bound.
        archived: only archived (True) or only active (False) projects; None for both.
    """
    rows = await db.fetch(
        _LIST_ALL if every_project else _LIST_MINE,
        user_id,
        name_contains,
        None if role is None else role.value,
        None if phase is None else phase.value,
        created_after,
        created_before,
        None if after is None else after[0],
        None if after is None else after[1],
        limit,
        archived,
    )
    return [ProjectRow(_project(row), _role(row["role"])) for row in rows]


async def update_project(
    conn: Conn,
    project_id: UUID,
    *,
    name: str,
    description: str,
    phase: Phase,
    archived: bool,
    language: str | None = None,
    viewers_can_export: bool | None = None,
) -> Project:
    """Replace a project's metadata and bump its version (call :func:`lock_project` first).

    ``language`` and ``viewers_can_export`` None keep what the project has.

    Raises:
        NotFound: the project is gone.
    """
    row = await conn.fetchrow(
        "UPDATE projects AS p SET name = $2, description = $3, phase = $4, archived = $5, "  # noqa: S608
        "language = coalesce($6, language), "
        "viewers_can_export = coalesce($7, viewers_can_export), version = version + 1, "
        "updated_at = now() WHERE id = $1 RETURNING " + _COLUMNS,
        project_id,
        name,
        description,
        phase.value,
        archived,
        language,
        viewers_can_export,
    )
    if row is None:
        raise NotFound(msg("no such project: {project_id}", project_id=project_id))
    return _project(row)


async def delete_project(db: Executor, project_id: UUID) -> Project | None:
    """Delete a project, its team and its document (update log and snapshot), atomically.

    Returns the deleted project, or None if there was none.
    """
    async with _transaction(db) as conn:
        row = await conn.fetchrow(
            "DELETE FROM projects AS p WHERE p.id = $1 RETURNING " + _COLUMNS,  # noqa: S608
            project_id,
        )
        if row is None:
            return None
        await purge_document(conn, project_id)
    return _project(row)


async def purge_document(db: Executor, project_id: UUID) -> None:
    """Delete every stored row of a project's document (its room)."""
    await update_log.purge_room(db, str(project_id))


def _member(row: asyncpg.Record) -> Member:
    return Member(
        row["user_id"], row["email"], row["name"], Role(row["role"]), row["added_at"],
        row["guest"],
    )  # fmt: skip


async def list_members(db: Executor, project_id: UUID) -> list[Member]:
    """The team, in the order people joined (a workshop team is small: no pagination)."""
    rows = await db.fetch(
        "SELECT m.user_id, u.email, u.name, m.role, m.added_at, "
        "u.guest_project IS NOT NULL AS guest "
        "FROM project_members m JOIN users u ON u.id = m.user_id "
        "WHERE m.project_id = $1 ORDER BY m.added_at, m.user_id",
        project_id,
    )
    return [_member(row) for row in rows]


async def get_member(db: Executor, project_id: UUID, user_id: UUID) -> Member | None:
    """One member of the team, if the user is one."""
    row = await db.fetchrow(
        "SELECT m.user_id, u.email, u.name, m.role, m.added_at, "
        "u.guest_project IS NOT NULL AS guest "
        "FROM project_members m JOIN users u ON u.id = m.user_id "
        "WHERE m.project_id = $1 AND m.user_id = $2",
        project_id,
        user_id,
    )
    return None if row is None else _member(row)


async def add_member(db: Executor, project_id: UUID, user_id: UUID, role: Role) -> Member:
    """Add a user to the team.

    Raises:
        Conflict: the user is already a member.
    """
    _check_membership_role(role)
    try:
        await db.execute(
            "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3)",
            project_id,
            user_id,
            role.value,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            msg("user {user_id} is already a member of this project", user_id=user_id)
        ) from None
    member = await get_member(db, project_id, user_id)
    assert member is not None  # inserted just above, in the same transaction or committed
    return member


async def set_member_role(
    conn: Conn, project_id: UUID, user_id: UUID, role: Role
) -> tuple[Role, Member]:
    """Change a member's role; returns the old role and the member (call lock_project first).

    Raises:
        NotFound: the user is not a member.
        Conflict: this would leave the project without an owner, or make a guest an owner.
    """
    _check_membership_role(role)
    if role is Role.OWNER and await conn.fetchval(
        "SELECT guest_project IS NOT NULL FROM users WHERE id = $1", user_id
    ):
        raise Conflict(msg("a guest cannot be an owner: they need an account first"))
    old = await _current_role(conn, project_id, user_id)
    if old is Role.OWNER and role is not Role.OWNER:
        await _keep_an_owner(
            conn,
            project_id,
            msg(
                "cannot change the role of the last owner: a project must keep at least one "
                "owner, so make someone else owner first"
            ),
        )
    await conn.execute(
        "UPDATE project_members SET role = $3 WHERE project_id = $1 AND user_id = $2",
        project_id,
        user_id,
        role.value,
    )
    member = await get_member(conn, project_id, user_id)
    assert member is not None  # the row is ours: the project is locked
    return old, member


async def remove_member(conn: Conn, project_id: UUID, user_id: UUID) -> Role:
    """Remove a member; returns the role they had (call lock_project first).

    Raises:
        NotFound: the user is not a member.
        Conflict: they are the last owner.
    """
    old = await _current_role(conn, project_id, user_id)
    if old is Role.OWNER:
        await _keep_an_owner(
            conn,
            project_id,
            msg(
                "cannot remove the last owner: a project must keep at least one owner, "
                "so make someone else owner first"
            ),
        )
    await conn.execute(
        "DELETE FROM project_members WHERE project_id = $1 AND user_id = $2", project_id, user_id
    )
    return old


def _check_membership_role(role: Role) -> None:
    if role not in MEMBERSHIP_ROLES:
        raise ValueError(f"{role.value} is an account role, not a membership role")


async def _current_role(conn: Conn, project_id: UUID, user_id: UUID) -> Role:
    value = await conn.fetchval(
        "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2",
        project_id,
        user_id,
    )
    if value is None:
        raise NotFound(msg("user {user_id} is not a member of this project", user_id=user_id))
    return Role(value)


async def _keep_an_owner(conn: Conn, project_id: UUID, refusal: Text) -> None:
    owners = await conn.fetchval(
        "SELECT count(*) FROM project_members WHERE project_id = $1 AND role = 'owner'",
        project_id,
    )
    if owners <= 1:
        raise Conflict(refusal)


async def project_stats(db: Executor, project_id: UUID, *, since: datetime) -> ProjectStats:
    """Team size by role and document activity per UTC day since ``since``.

    Activity comes from the update log (:func:`persistence.update_log.log_activity`).
    """
    room = str(project_id)
    async with _transaction(db) as conn:
        roles = await conn.fetch(
            "SELECT role, count(*) AS n FROM project_members WHERE project_id = $1 GROUP BY role",
            project_id,
        )
        log = await update_log.log_activity(conn, room, since)
    by_role = dict.fromkeys((Role.OWNER, Role.MEMBER, Role.VIEWER), 0)
    by_role.update({Role(row["role"]): row["n"] for row in roles})
    return ProjectStats(
        members_by_role=by_role,
        activity=log.per_day,
        updates_stored=log.updates_stored,
        updates_compacted=log.updates_compacted,
        compacted_at=log.compacted_at,
        last_update_at=log.last_update_at,
    )
