"""Invitations by e-mail to a project, for addresses that have no account yet.

An owner adds ``ana@example.com`` to the team; nobody has that address, so an invitation is
stored and mailed. When Ana creates her account with that address (which proves she reads its
mail), every invitation to it becomes a membership in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from collab.permissions import Role
from persistence.conn import Conn, Executor

__all__ = [
    "Invitation",
    "invite",
    "pending",
    "get",
    "cancel",
    "count_pending",
    "accept_all",
]

_COLUMNS = "id, project_id, email, role, invited_by, created_at, expires_at"


@dataclass(frozen=True, slots=True)
class Invitation:
    """A pending invitation of an address to a project, with a role."""

    id: UUID
    project_id: UUID
    email: str
    role: Role
    invited_by: UUID | None
    created_at: datetime
    expires_at: datetime


def _invitation(row: asyncpg.Record) -> Invitation:
    values = dict(row)
    values["role"] = Role(values["role"])
    return Invitation(**{k: values[k] for k in Invitation.__slots__})


async def invite(
    conn: Conn,
    invitation_id: UUID,
    project_id: UUID,
    email: str,
    role: Role,
    invited_by: UUID,
    now: datetime,
    expires_at: datetime,
    remail_after: timedelta,
) -> tuple[Invitation, bool]:
    """Store (or renew) the invitation of ``email``; whether to mail it now.

    Inviting the same address again changes its role and expiry; it is mailed again only if
    the last mail is older than ``remail_after`` (nobody can make us mail someone in a loop).
    """
    row = await conn.fetchrow(
        "INSERT INTO member_invitations AS i "  # noqa: S608
        "(id, project_id, email, role, invited_by, created_at, expires_at, mailed_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $6) "
        "ON CONFLICT (project_id, lower(email)) DO UPDATE SET role = EXCLUDED.role, "
        "invited_by = EXCLUDED.invited_by, expires_at = EXCLUDED.expires_at, "
        "mailed_at = CASE WHEN i.mailed_at < $6 - $8::interval THEN $6 ELSE i.mailed_at END "
        f"RETURNING {_COLUMNS}, mailed_at = $6 AS mail",
        invitation_id,
        project_id,
        email,
        role.value,
        invited_by,
        now,
        expires_at,
        remail_after,
    )
    assert row is not None
    return _invitation(row), bool(row["mail"])


async def count_pending(db: Executor, project_id: UUID, now: datetime) -> int:
    """How many unexpired invitations a project has."""
    count = await db.fetchval(
        "SELECT count(*) FROM member_invitations WHERE project_id = $1 AND expires_at > $2",
        project_id,
        now,
    )
    return int(count)


async def pending(db: Executor, project_id: UUID, now: datetime) -> list[Invitation]:
    """A project's unexpired invitations, oldest first."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM member_invitations "  # noqa: S608
        "WHERE project_id = $1 AND expires_at > $2 ORDER BY created_at, id",
        project_id,
        now,
    )
    return [_invitation(row) for row in rows]


async def get(
    db: Executor, project_id: UUID, invitation_id: UUID, now: datetime
) -> Invitation | None:
    """One unexpired invitation of the project."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM member_invitations "  # noqa: S608
        "WHERE project_id = $1 AND id = $2 AND expires_at > $3",
        project_id,
        invitation_id,
        now,
    )
    return None if row is None else _invitation(row)


async def cancel(db: Executor, project_id: UUID, invitation_id: UUID) -> bool:
    """Delete one invitation of the project; whether there was one."""
    status = await db.execute(
        "DELETE FROM member_invitations WHERE project_id = $1 AND id = $2",
        project_id,
        invitation_id,
    )
    return status != "DELETE 0"


async def accept_all(conn: Conn, user_id: UUID, email: str, now: datetime) -> list[Invitation]:
    """Turn every unexpired invitation of ``email`` into a membership of ``user_id``.

    Run in the transaction that creates the account with that (verified) address. Expired
    invitations of the address are deleted too. Returns the invitations that became
    memberships.
    """
    rows = await conn.fetch(
        f"DELETE FROM member_invitations WHERE lower(email) = lower($1) RETURNING {_COLUMNS}",  # noqa: S608
        email,
    )
    accepted = [_invitation(row) for row in rows if row["expires_at"] > now]
    for invitation in accepted:
        await conn.execute(
            "INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            invitation.project_id,
            user_id,
            invitation.role.value,
        )
    return accepted
