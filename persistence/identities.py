"""Accounts' identities at OpenID Connect issuers: (issuer, subject) to account.

Only the pair that names the person at the issuer is stored; the e-mail address and name the
issuer sends are used once, to find or make the account, and not kept here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from collab.i18n import DEFAULT_LOCALE
from persistence.accounts import UNUSABLE_PASSWORD, USER_COLUMNS, User, find_user_by_email
from persistence.conn import Conn

__all__ = ["Claimed", "Outcome", "SignIn", "sign_in"]

_USER_COLUMNS_U = ", ".join(f"u.{c.strip()}" for c in USER_COLUMNS.split(","))


class Outcome(enum.Enum):
    """What :func:`sign_in` did."""

    #: the identity was known: its account
    KNOWN = "known"
    #: an account with the verified address existed: the identity is now linked to it
    LINKED = "linked"
    #: nobody had the address: a new account, with the identity linked
    CREATED = "created"
    #: the address is not verified (or missing): nobody is signed in
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class SignIn:
    """The account an identity signs in to, and how it was found."""

    outcome: Outcome
    user: User | None


@dataclass(frozen=True, slots=True)
class Claimed:
    """What the issuer says about the person (used once, not stored)."""

    provider: str
    subject: str
    email: str | None
    #: the issuer vouches for the address (``email_verified``, or an issuer the operator trusts)
    email_verified: bool
    name: str


async def sign_in(
    conn: Conn, claimed: Claimed, new_user_id: UUID, locale: str, now: datetime
) -> SignIn:
    """The account ``claimed`` signs in to: known, linked by verified e-mail, or created.

    Run in a transaction. Two first sign-ins at once (the same identity twice, or two
    identities with one address) end on one account: the second insert of each row waits for
    the first's transaction and then finds what it wrote.
    """
    user = await _user_of(conn, claimed, now)
    if user is not None:
        return SignIn(Outcome.KNOWN, user)
    if claimed.email is None or not claimed.email_verified:
        return SignIn(Outcome.UNVERIFIED, None)
    outcome = Outcome.LINKED
    user = await find_user_by_email(conn, claimed.email)
    if user is None:
        created = await conn.fetchrow(
            "INSERT INTO users (id, email, name, password_hash, locale) "  # noqa: S608
            f"VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING {USER_COLUMNS}",
            new_user_id,
            claimed.email,
            claimed.name,
            UNUSABLE_PASSWORD,
            locale or DEFAULT_LOCALE,
        )
        if created is not None:
            outcome, user = Outcome.CREATED, User(**dict(created))
        else:  # someone made the account meanwhile
            user = await find_user_by_email(conn, claimed.email)
            assert user is not None
    inserted = await conn.fetchval(
        "INSERT INTO oidc_identities (provider, subject, user_id, created_at, last_used_at) "
        "VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING RETURNING true",
        claimed.provider,
        claimed.subject,
        user.id,
        now,
    )
    if inserted is None:  # the same identity signed in at the same time and won
        known = await _user_of(conn, claimed, now)
        assert known is not None
        return SignIn(Outcome.KNOWN, known)
    return SignIn(outcome, user)


async def _user_of(conn: Conn, claimed: Claimed, now: datetime) -> User | None:
    row = await conn.fetchrow(
        "UPDATE oidc_identities i SET last_used_at = $3 FROM users u "  # noqa: S608
        "WHERE i.provider = $1 AND i.subject = $2 AND u.id = i.user_id "
        f"RETURNING {_USER_COLUMNS_U}",
        claimed.provider,
        claimed.subject,
        now,
    )
    return None if row is None else User(**dict(row))
