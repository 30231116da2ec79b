"""Who is calling: a Bearer JWT, a Bearer API key, or the browser's session cookie.

Cookie-authenticated requests that change state must also carry the CSRF token (double
submit: the ``dttools_csrf`` cookie, readable by our own page, echoed in ``X-CSRF-Token``).
The token is an HMAC of the login session's id (:meth:`TokenSigner.csrf_token`), checked
against the session the request authenticates with: a plain double submit only proves that
header and cookie agree, and a sibling subdomain can plant a cookie of its choosing. Bearer
requests need no CSRF token: a browser never attaches them on its own.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from aiohttp import web

from collab.errors import PermissionDenied, Unauthenticated
from collab.i18n import msg
from http_api.remembered_access import RememberedAccess
from http_api.tokens import API_KEY_PREFIX, TokenSigner, hash_secret
from persistence.accounts import User, find_api_key, get_user, session_user
from persistence.conn import PgPool

__all__ = [
    "Principal",
    "Authenticator",
    "ACCESS_COOKIE",
    "REFRESH_COOKIE",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "check_csrf",
]

ACCESS_COOKIE = "dttools_access"
REFRESH_COOKIE = "dttools_refresh"
CSRF_COOKIE = "dttools_csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    user: User
    via: Literal["cookie", "bearer", "api_key"]
    #: the login session (cookie or JWT) or the API key the request was made with
    credential_id: UUID

    @property
    def user_id(self) -> UUID:
        """The caller's user id."""
        return self.user.id

    @property
    def is_admin(self) -> bool:
        """Whether the caller holds the global admin role."""
        return self.user.is_admin


def check_csrf(request: web.Request, signer: TokenSigner, session_id: UUID) -> None:
    """Refuse a cookie-authenticated unsafe request without the CSRF token of its session.

    Raises:
        PermissionDenied: the header is missing, differs from the cookie, or is not the token
            of ``session_id`` (the login session the request's cookies belong to).
    """
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if (
        not cookie
        or not hmac.compare_digest(cookie.encode(), header.encode())
        or not signer.check_csrf_token(session_id, header)
    ):
        raise PermissionDenied(
            msg(
                "CSRF check failed: send the {cookie} cookie's value in the {header} header",
                cookie=CSRF_COOKIE,
                header=CSRF_HEADER,
            )
        )


class Authenticator:
    """Resolve credentials to a :class:`Principal` (one indexed lookup per request, or none
    while :attr:`remembered` holds the answer: http_api/remembered_access.py)."""

    def __init__(self, db: PgPool, signer: TokenSigner) -> None:
        self._db = db
        self.signer = signer
        #: set once the node's revocations can be asked (http_api/app.py)
        self.remembered: RememberedAccess | None = None

    async def require(self, request: web.Request, unsafe: bool) -> Principal:
        """The caller, or :class:`Unauthenticated`; enforces CSRF for cookies on ``unsafe``."""
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated(msg("use Authorization: Bearer <access token or API key>"))
            return await self.from_token(token.strip(), via="bearer")
        cookie = request.cookies.get(ACCESS_COOKIE)
        if cookie:
            principal = await self.from_token(cookie, via="cookie")
            if unsafe:
                check_csrf(request, self.signer, principal.credential_id)
            return principal
        raise Unauthenticated(msg("sign in, or send Authorization: Bearer <token>"))

    async def from_token(
        self, token: str, via: Literal["cookie", "bearer"] = "bearer"
    ) -> Principal:
        """Resolve an access token (JWT) or an API key.

        Raises:
            Unauthenticated: unknown, expired, forged or revoked.
        """
        now = datetime.now(UTC)
        remembered = self.remembered
        if token.startswith(API_KEY_PREFIX):
            key_hash = hash_secret(token)
            credential = key_hash.hex()
            if remembered is not None:
                known = remembered.caller(credential, time.monotonic())
                if known is not None:
                    return known
            checked_at = time.monotonic()
            found = await find_api_key(self._db, key_hash, now)
            if found is None:
                raise Unauthenticated(msg("unknown or revoked API key"))
            key_id, user_id = found
            principal = Principal(await self._user(user_id), "api_key", key_id)
        else:
            claims = self.signer.verify(token, now)
            # Every valid token of the session shares what is remembered of it.
            credential = str(claims.session_id)
            if remembered is not None:
                known = remembered.caller(credential, time.monotonic())
                if known is not None and known.user_id == claims.user_id:
                    return (
                        known
                        if known.via == via
                        else Principal(known.user, via, known.credential_id)
                    )
            checked_at = time.monotonic()
            # The JWT is valid; the session behind it must still be live (logout, reuse, reset).
            user = await session_user(self._db, claims.session_id, now)
            if user is None or user.id != claims.user_id:
                raise Unauthenticated(msg("session ended: sign in again"))
            principal = Principal(user, via, claims.session_id)
        if remembered is not None:
            remembered.keep_caller(credential, principal, checked_at)
        return principal

    async def current_user(self, principal: Principal) -> User:
        """The caller's account as stored now, for acting on its secrets or showing it (what
        is remembered of a caller may be a few seconds old).

        Raises:
            Unauthenticated: the account was deleted since.
        """
        return await self._user(principal.user_id)

    def forget_account(self, user_id: UUID) -> None:
        """The account changed on this node: read it afresh on its next request."""
        if self.remembered is not None:
            self.remembered.forget_account(user_id)

    async def _user(self, user_id: UUID) -> User:
        user = await get_user(self._db, user_id)
        if user is None:
            raise Unauthenticated(msg("account no longer exists"))
        return user
