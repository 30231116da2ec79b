"""Invite links of a project, and the guests who joined through them.

An invite link carries a random token; only its SHA-256 is stored (like refresh tokens and
API keys), so neither the database nor a backup holds a usable link. Redeeming one locks its
row, so ``max_uses`` holds however many people click at once.

A guest is a ``users`` row with a name, no e-mail address, an unusable password hash and the
one project it joined (migration 0020): every membership, session and erasure path that
serves accounts serves guests unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import asyncpg

from collab.permissions import Role
from persistence.accounts import UNUSABLE_PASSWORD, USER_COLUMNS, User
from persistence.conn import Conn, Executor

__all__ = [
    "Invite",
    "Refusal",
    "create",
    "create_guest",
    "expired_guests",
    "get",
    "guests_of",
    "list_invites",
    "preview",
    "redeem",
    "refusal",
    "revoke",
]


@dataclass(frozen=True, slots=True)
class Invite:
    """One invite link (without its token, which is shown once, when it is made)."""

    id: UUID
    project_id: UUID
    role: Role
    created_by: UUID | None
    created_at: datetime
    expires_at: datetime
    max_uses: int | None
    uses: int
    revoked_at: datetime | None


class Refusal(StrEnum):
    """Why a known link cannot be used any more."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    USED_UP = "used_up"


_COLUMNS = "id, project_id, role, created_by, created_at, expires_at, max_uses, uses, revoked_at"


def _invite(row: Mapping[str, Any] | asyncpg.Record) -> Invite:
    values = dict(row)
    values["role"] = Role(values["role"])
    return Invite(**values)


async def create(
    db: Executor,
    invite_id: UUID,
    project_id: UUID,
    token_hash: bytes,
    role: Role,
    created_by: UUID,
    expires_at: datetime,
    max_uses: int | None,
) -> Invite:
    """Store a new link (its token hashed)."""
    row = await db.fetchrow(
        "INSERT INTO project_invites "  # noqa: S608
        "(id, project_id, token_hash, role, created_by, expires_at, max_uses) "
        f"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}",
        invite_id,
        project_id,
        token_hash,
        role.value,
        created_by,
        expires_at,
        max_uses,
    )
    assert row is not None
    return _invite(row)


async def list_invites(db: Executor, project_id: UUID) -> list[Invite]:
    """Every link of a project, revoked and expired ones included (a project has few)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM project_invites WHERE project_id = $1",  # noqa: S608
        project_id,
    )
    return [_invite(row) for row in rows]


async def get(db: Executor, project_id: UUID, invite_id: UUID) -> Invite | None:
    """One link of the project, if it is one of its links."""
    row = await db.fetchrow(
        f"SELECT {_COLUMNS} FROM project_invites WHERE project_id = $1 AND id = $2",  # noqa: S608
        project_id,
        invite_id,
    )
    return None if row is None else _invite(row)


async def revoke(conn: Conn, project_id: UUID, invite_id: UUID, now: datetime) -> Invite | None:
    """Mark the link revoked (once: a second revocation keeps the first time)."""
    row = await conn.fetchrow(
        "UPDATE project_invites SET revoked_at = coalesce(revoked_at, $3) "  # noqa: S608
        f"WHERE project_id = $1 AND id = $2 RETURNING {_COLUMNS}",
        project_id,
        invite_id,
        now,
    )
    return None if row is None else _invite(row)


def refusal(invite: Invite, now: datetime) -> Refusal | None:
    """Why the link cannot be used at ``now``, or None if it can."""
    if invite.revoked_at is not None:
        return Refusal.REVOKED
    if invite.expires_at <= now:
        return Refusal.EXPIRED
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return Refusal.USED_UP
    return None


async def preview(
    db: Executor, token_hash: bytes, now: datetime
) -> tuple[Invite, str, Refusal | None] | None:
    """The link, its project's name and why it cannot be used (None: it can); None if unknown."""
    row = await db.fetchrow(
        f"SELECT {', '.join('i.' + c for c in _COLUMNS.split(', '))}, p.name AS project_name "  # noqa: S608
        "FROM project_invites i JOIN projects p ON p.id = i.project_id "
        "WHERE i.token_hash = $1",
        token_hash,
    )
    if row is None:
        return None
    values = dict(row)
    name = values.pop("project_name")
    invite = _invite(values)
    return invite, name, refusal(invite, now)


async def redeem(conn: Conn, token_hash: bytes, now: datetime) -> Invite | Refusal | None:
    """Count one use of the link (in the caller's transaction), or say why it cannot be used.

    None: no such link. The row stays locked until the transaction ends, so concurrent
    redemptions of a link with ``max_uses`` are counted one after the other.
    """
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM project_invites WHERE token_hash = $1 FOR UPDATE",  # noqa: S608
        token_hash,
    )
    if row is None:
        return None
    invite = _invite(row)
    refused = refusal(invite, now)
    if refused is not None:
        return refused
    await conn.execute("UPDATE project_invites SET uses = uses + 1 WHERE id = $1", invite.id)
    return invite


async def create_guest(conn: Conn, user_id: UUID, name: str, invite: Invite, locale: str) -> User:
    """A guest of the invite's project: a users row without e-mail or usable password."""
    row = await conn.fetchrow(
        "INSERT INTO users (id, email, name, password_hash, locale, guest_project, guest_invite) "  # noqa: S608
        f"VALUES ($1, NULL, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}",
        user_id,
        name,
        UNUSABLE_PASSWORD,
        locale,
        invite.project_id,
        invite.id,
    )
    assert row is not None
    return User(**dict(row))


async def guests_of(db: Executor, invite_id: UUID) -> list[UUID]:
    """The guests who joined through this link."""
    rows = await db.fetch("SELECT id FROM users WHERE guest_invite = $1", invite_id)
    return [row["id"] for row in rows]


async def expired_guests(db: Executor, now: datetime, limit: int) -> list[UUID]:
    """Guests none of whose login sessions is live any more: their time is over."""
    rows = await db.fetch(
        "SELECT u.id FROM users u WHERE u.guest_project IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM auth_sessions s WHERE s.user_id = u.id "
        "AND s.revoked_at IS NULL AND s.expires_at > $1) "
        "AND NOT EXISTS (SELECT 1 FROM account_erasures e WHERE e.user_id = u.id) "
        "ORDER BY u.created_at LIMIT $2",
        now,
        limit,
    )
    return [row["id"] for row in rows]
