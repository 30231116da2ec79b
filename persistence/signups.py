"""Sign-ups waiting for their e-mail address to be confirmed (SQL only, no policy).

An account exists only once someone opened the link mailed to its address, so an address
cannot be taken by someone who does not read its mail, and the answer to a sign-up request is
the same whether or not the address already has an account (no enumeration).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from collab.i18n import DEFAULT_LOCALE
from persistence.accounts import USER_COLUMNS, User, create_user
from persistence.conn import Conn, Executor

__all__ = ["request_signup", "complete_signup"]


async def request_signup(
    db: Executor,
    token_hash: bytes,
    email: str,
    name: str,
    password_hash: str,
    expires_at: datetime,
    now: datetime,
    locale: str = DEFAULT_LOCALE,
) -> User | None:
    """Store a pending sign-up for ``email``, unless an account has it: then return that account.

    ``locale`` is the language the sign-up was asked in: the account is created with it.

    One statement does the same work either way (look up, maybe insert, sweep expired rows), so
    the time it takes does not tell which case it was.
    """
    row = await db.fetchrow(
        f"WITH existing AS (SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($2)), "  # noqa: S608
        "swept AS (DELETE FROM pending_signups WHERE expires_at <= $6), "
        "stored AS (INSERT INTO pending_signups (token_hash, email, name, password_hash, "
        "expires_at, locale) SELECT $1, $2, $3, $4, $5, $7 "
        "WHERE NOT EXISTS (SELECT 1 FROM existing)) "
        "SELECT * FROM existing",
        token_hash,
        email,
        name,
        password_hash,
        expires_at,
        now,
        locale,
    )
    return None if row is None else User(**dict(row))


async def complete_signup(
    conn: Conn, token_hash: bytes, user_id: UUID, now: datetime
) -> User | None:
    """Create the account of a pending sign-up, in the caller's transaction.

    Returns None when the token is unknown, used or expired. Every other pending sign-up of
    the same address is spent with it: the first link opened wins.

    Raises:
        Conflict: the address got an account in the meantime.
    """
    row = await conn.fetchrow(
        "DELETE FROM pending_signups WHERE token_hash = $1 AND expires_at > $2 "
        "RETURNING email, name, password_hash, locale",
        token_hash,
        now,
    )
    if row is None:
        return None
    await conn.execute("DELETE FROM pending_signups WHERE lower(email) = lower($1)", row["email"])
    return await create_user(
        conn, user_id, row["email"], row["name"], row["password_hash"], row["locale"]
    )
