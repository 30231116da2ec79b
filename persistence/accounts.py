"""Users, login sessions, refresh tokens, password resets and API keys (SQL only, no policy).

Every secret arrives here already hashed (http_api/tokens.py); nothing in these tables can be
replayed by someone who reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID

import asyncpg

from collab.errors import Conflict
from collab.i18n import DEFAULT_LOCALE, msg
from persistence.conn import Conn, Executor

__all__ = [
    "UNUSABLE_PASSWORD",
    "refresh_token_session",
    "User",
    "ApiKey",
    "RefreshOutcome",
    "RefreshResult",
    "create_user",
    "get_user",
    "find_user_by_email",
    "set_password",
    "update_account",
    "AccountUpdate",
    "record_login",
    "create_session",
    "session_user",
    "revoke_session",
    "revoke_user_sessions",
    "add_refresh_token",
    "use_refresh_token",
    "create_reset",
    "create_reset_for_email",
    "consume_reset",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
    "find_api_key",
    "set_admin",
    "USER_COLUMNS",
]

#: A pool or a connection (inside a transaction): every function here takes either.


#: A well-formed argon2id hash that no password matches: guests, and accounts made by signing
#: in with OpenID Connect until their owner sets a password (forgotten-password link).
UNUSABLE_PASSWORD = (
    "$argon2id$v=19$m=65536,t=3,p=4$Z3Vlc3Qtbm8tbG9naW4$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"  # noqa: S105
)


@dataclass(frozen=True, slots=True)
class User:
    """An account (the password hash never leaves persistence and auth)."""

    id: UUID
    #: None for a guest (a person who joined one project through an invite link by name)
    email: str | None
    name: str
    password_hash: str
    is_admin: bool
    created_at: datetime
    last_login_at: datetime | None
    #: the language the person reads (a tag of collab.i18n.LOCALES)
    locale: str = DEFAULT_LOCALE
    #: the one project a guest joined; None for an account
    guest_project: UUID | None = None

    @property
    def is_guest(self) -> bool:
        """Whether this is a guest rather than an account (no e-mail, cannot sign in)."""
        return self.guest_project is not None


#: The columns a :class:`User` is read from, in every query that returns one.
USER_COLUMNS = (
    "id, email, name, password_hash, is_admin, created_at, last_login_at, locale, guest_project"
)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A personal API key's metadata (the key itself is shown once, at creation)."""

    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY_S = 60.0


def _user(row: asyncpg.Record | None) -> User | None:
    return None if row is None else User(**dict(row))


async def create_user(
    db: Executor,
    user_id: UUID,
    email: str,
    name: str,
    password_hash: str,
    locale: str = DEFAULT_LOCALE,
) -> User:
    """Insert a user who reads ``locale``.

    Raises:
        Conflict: the e-mail address is taken (compared case-insensitively).
    """
    try:
        row = await db.fetchrow(
            "INSERT INTO users (id, email, name, password_hash, locale) "  # noqa: S608
            "VALUES ($1, $2, $3, $4, $5) "
            f"RETURNING {USER_COLUMNS}",
            user_id,
            email,
            name,
            password_hash,
            locale,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(msg("an account with this e-mail address already exists")) from None
    user = _user(row)
    assert user is not None
    return user


async def get_user(db: Executor, user_id: UUID) -> User | None:
    """The user with ``user_id``, if any."""
    return _user(
        await db.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users WHERE id = $1",  # noqa: S608
            user_id,
        )
    )


async def find_user_by_email(db: Executor, email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), if any."""
    row = await db.fetchrow(
        f"SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)",  # noqa: S608
        email,
    )
    return _user(row)


async def set_password(db: Executor, user_id: UUID, password_hash: str) -> None:
    """Replace a user's password hash."""
    await db.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash)


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """An account after a change, and which of the fields asked for really changed."""

    user: User
    #: "name" and/or "locale", in that order, compared with the row the update replaced
    changed: tuple[str, ...]


async def update_account(
    db: Executor, user_id: UUID, *, name: str | None = None, locale: str | None = None
) -> AccountUpdate | None:
    """Change what a person may change of their account (None: unchanged); None if it is gone.

    What changed is judged against the row as it was just before this update (locked by it,
    in the same statement), never against a copy read earlier: another node may have changed
    the name in between.
    """
    columns = ", ".join(f"u.{column.strip()}" for column in USER_COLUMNS.split(","))
    row = await db.fetchrow(
        "WITH before AS (SELECT id, name, locale FROM users WHERE id = $1 FOR UPDATE) "  # noqa: S608
        "UPDATE users u SET name = coalesce($2, u.name), locale = coalesce($3, u.locale) "
        f"FROM before WHERE u.id = before.id RETURNING {columns}, "
        "u.name IS DISTINCT FROM before.name AS name_changed, "
        "u.locale IS DISTINCT FROM before.locale AS locale_changed",
        user_id,
        name,
        locale,
    )
    if row is None:
        return None
    fields = dict(row)
    changed = tuple(f for f in ("name", "locale") if fields.pop(f"{f}_changed"))
    return AccountUpdate(User(**fields), changed)


async def set_admin(db: Executor, email: str, is_admin: bool) -> bool:
    """Grant or withdraw the global admin role; False if there is no such user."""
    status = await db.execute(
        "UPDATE users SET is_admin = $2 WHERE lower(email) = lower($1)", email, is_admin
    )
    return bool(status != "UPDATE 0")


async def record_login(db: Executor, user_id: UUID, now: datetime) -> None:
    """Remember the time of the last successful login."""
    await db.execute("UPDATE users SET last_login_at = $2 WHERE id = $1", user_id, now)


# --- login sessions and refresh tokens -------------------------------------------------------


async def create_session(
    db: Executor,
    session_id: UUID,
    user_id: UUID,
    expires_at: datetime,
    user_agent: str | None,
    ip: str | None,
) -> None:
    """Start a login session (a refresh-token family)."""
    await db.execute(
        "INSERT INTO auth_sessions (id, user_id, expires_at, user_agent, ip) "
        "VALUES ($1, $2, $3, $4, $5)",
        session_id,
        user_id,
        expires_at,
        user_agent,
        ip,
    )


async def session_user(db: Executor, session_id: UUID, now: datetime) -> User | None:
    """The user of a session that is neither revoked nor expired, else None.

    One round trip for what every authenticated request asks: is the session live, and who
    is behind it.
    """
    return _user(
        await db.fetchrow(
            "SELECT u.id, u.email, u.name, u.password_hash, u.is_admin, u.created_at, "
            "u.last_login_at, u.locale, u.guest_project "
            "FROM auth_sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2",
            session_id,
            now,
        )
    )


async def session_started_at(db: Executor, session_id: UUID) -> datetime | None:
    """When a login session began (None: no such session, or an API key's id)."""
    started: datetime | None = await db.fetchval(
        "SELECT created_at FROM auth_sessions WHERE id = $1", session_id
    )
    return started


async def revoke_session(db: Executor, session_id: UUID, reason: str, now: datetime) -> bool:
    """Revoke one session; False if it was already revoked or does not exist."""
    status = await db.execute(
        "UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 "
        "WHERE id = $1 AND revoked_at IS NULL",
        session_id,
        now,
        reason,
    )
    return bool(status != "UPDATE 0")


async def revoke_user_sessions(
    db: Executor, user_id: UUID, reason: str, now: datetime
) -> list[UUID]:
    """Revoke every live session of a user (password reset); returns their ids."""
    rows = await db.fetch(
        "UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 "
        "WHERE user_id = $1 AND revoked_at IS NULL RETURNING id",
        user_id,
        now,
        reason,
    )
    return [row["id"] for row in rows]


async def add_refresh_token(
    db: Executor, token_hash: bytes, session_id: UUID, expires_at: datetime
) -> None:
    """Store a new refresh token of a session."""
    await db.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        session_id,
        expires_at,
    )


class RefreshOutcome(Enum):
    """What presenting a refresh token led to."""

    ROTATED = "rotated"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REUSED = "reused"


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """The outcome, with the session and user when the token was recognised."""

    outcome: RefreshOutcome
    session_id: UUID | None = None
    user_id: UUID | None = None


async def use_refresh_token(conn: Conn, token_hash: bytes, now: datetime) -> RefreshResult:
    """Spend a refresh token, in the caller's transaction.

    A token works once. Presenting an already-used token means it was copied: the whole
    session (every token of the family, and the sockets opened with it) is revoked.
    """
    row = await conn.fetchrow(
        "SELECT t.session_id, t.expires_at, t.used_at, s.user_id, s.revoked_at, "
        "s.expires_at AS session_expires FROM refresh_tokens t "
        "JOIN auth_sessions s ON s.id = t.session_id WHERE t.token_hash = $1 FOR UPDATE",
        token_hash,
    )
    if row is None:
        return RefreshResult(RefreshOutcome.UNKNOWN)
    session_id, user_id = row["session_id"], row["user_id"]
    if row["revoked_at"] is not None:
        return RefreshResult(RefreshOutcome.REVOKED, session_id, user_id)
    if row["used_at"] is not None:
        await revoke_session(conn, session_id, "refresh token reused", now)
        return RefreshResult(RefreshOutcome.REUSED, session_id, user_id)
    if row["expires_at"] <= now or row["session_expires"] <= now:
        return RefreshResult(RefreshOutcome.EXPIRED, session_id, user_id)
    await conn.execute(
        "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", token_hash, now
    )
    return RefreshResult(RefreshOutcome.ROTATED, session_id, user_id)


async def refresh_token_session(db: Executor, token_hash: bytes) -> tuple[UUID, UUID] | None:
    """The (session id, user id) a refresh token belongs to, spent or not; None if unknown."""
    row = await db.fetchrow(
        "SELECT s.id, s.user_id FROM refresh_tokens t JOIN auth_sessions s "
        "ON s.id = t.session_id WHERE t.token_hash = $1",
        token_hash,
    )
    return None if row is None else (row["id"], row["user_id"])


# --- password resets -------------------------------------------------------------------------


async def create_reset(
    db: Executor, token_hash: bytes, user_id: UUID, expires_at: datetime
) -> None:
    """Store a password-reset token."""
    await db.execute(
        "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        user_id,
        expires_at,
    )


async def create_reset_for_email(
    db: Executor, token_hash: bytes, email: str, expires_at: datetime
) -> User | None:
    """Store a reset token for the account of ``email``, if there is one; return that account.

    One statement either way, so the time it takes does not tell whether the account exists.
    """
    return _user(
        await db.fetchrow(
            f"WITH found AS (SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($2)), "  # noqa: S608
            "stored AS (INSERT INTO password_resets (token_hash, user_id, expires_at) "
            "SELECT $1, id, $3 FROM found) SELECT * FROM found",
            token_hash,
            email,
            expires_at,
        )
    )


async def consume_reset(db: Executor, token_hash: bytes, now: datetime) -> UUID | None:
    """Mark a reset token used and return its user, or None if unknown, used or expired.

    The user's other outstanding reset tokens are spent with it: once the password has been
    reset, an older e-mailed link must not reset it again.
    """
    value: UUID | None = await db.fetchval(
        "WITH spent AS (UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 "
        "AND used_at IS NULL AND expires_at > $2 RETURNING user_id), "
        "others AS (UPDATE password_resets SET used_at = $2 WHERE user_id IN "
        "(SELECT user_id FROM spent) AND token_hash <> $1 AND used_at IS NULL) "
        "SELECT user_id FROM spent",
        token_hash,
        now,
    )
    return value


# --- API keys --------------------------------------------------------------------------------


async def create_api_key(
    db: Executor, key_id: UUID, user_id: UUID, name: str, prefix: str, key_hash: bytes
) -> ApiKey:
    """Store a new API key (hashed)."""
    row = await db.fetchrow(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
        key_id,
        user_id,
        name,
        prefix,
        key_hash,
    )
    assert row is not None  # RETURNING of an insert: always its one row
    return ApiKey(**dict(row))


async def list_api_keys(db: Executor, user_id: UUID) -> list[ApiKey]:
    """A user's keys, newest first (revoked ones included, marked)."""
    rows = await db.fetch(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at "
        "FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id",
        user_id,
    )
    return [ApiKey(**dict(row)) for row in rows]


async def revoke_api_key(db: Executor, user_id: UUID, key_id: UUID, now: datetime) -> bool:
    """Revoke one of the user's keys; False if it is not theirs or already revoked."""
    status = await db.execute(
        "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        key_id,
        user_id,
        now,
    )
    return bool(status != "UPDATE 0")


async def find_api_key(db: Executor, key_hash: bytes, now: datetime) -> tuple[UUID, UUID] | None:
    """(key id, user id) of a live key with this hash; records its use once a minute at most."""
    row = await db.fetchrow(
        "SELECT id, user_id, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        key_hash,
    )
    if row is None:
        return None
    last = row["last_used_at"]
    if last is None or (now - last).total_seconds() > _TOUCH_EVERY_S:
        await db.execute("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", row["id"], now)
    return row["id"], row["user_id"]
