"""/v1/auth: register, login, logout, refresh, password reset, me, personal API keys.

Browsers (``client: "browser"``, the default) receive httpOnly SameSite=Strict cookies and a
CSRF token; other clients (``client: "token"``) receive the tokens in the body and send them
as ``Authorization: Bearer``. Integrators normally use a personal API key instead.

Nothing here tells a stranger which e-mail addresses have accounts: registering and asking
for a reset answer the same, in the same time, for any address (the difference goes out by
e-mail, in the background), and a wrong password costs the same as an unknown account. See
docs/security.md, "Password guessing and account enumeration".
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from collab.envelope import Revocation
from collab.errors import NotFound, PermissionDenied, Unauthenticated
from collab.i18n import DEFAULT_LOCALE, msg, negotiate
from http_api import revocation
from http_api.auth_throttle import admit_sign_in, limit
from http_api.client_address import client_address, is_https
from http_api.endpoint import Api, json_response, path_uuid
from http_api.i18n import LOCALES, LocaleTag, localised, translate
from http_api.keys import AUTH, DB, SETTINGS
from http_api.pagination import PageQuery, keyset_page, sortable_time
from http_api.passwords import hash_password, verify_password
from http_api.principal import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    Principal,
    check_csrf,
)
from http_api.tokens import API_KEY_PREFIX, hash_secret, new_secret
from http_api.v1.auth_mail import send_already_registered, send_reset_link, send_signup_link
from http_api.v1.fields import ONE_LINE, Email, Name
from http_api.v1.invitations import accept_pending
from persistence import accounts, audit, signups
from persistence.accounts import RefreshOutcome, User
from persistence.conn import Conn

__all__ = ["api"]

_log = structlog.get_logger(__name__)
api = Api()
_TAGS = ("auth",)
_REFRESH_PATH = "/v1/auth"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Passwords are taken verbatim: stripping them (the models' default) would silently change
# what the user typed and accept "secret " for "secret".
_NewPassword = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=10, max_length=256)
]
_Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=256)]


class RegisterRequest(_Input):
    email: Email
    name: Name
    password: _NewPassword
    locale: LocaleTag | None = Field(
        default=None,
        description="the language the account reads (e-mails, errors); omitted: the best "
        "match of Accept-Language, else en",
    )
    #: Accepted for older clients and ignored: the session starts at /v1/auth/verify-email.
    client: Literal["browser", "token"] = "browser"


class SignupRequested(BaseModel):
    """The answer to every well-formed sign-up request, whether or not the address is taken."""

    status: Literal["check-your-email"]
    detail: str


class VerifyEmailRequest(_Input):
    token: str = Field(min_length=1, max_length=200)
    client: Literal["browser", "token"] = "browser"


class LoginRequest(_Input):
    email: Email
    password: _Password
    client: Literal["browser", "token"] = "browser"


class RefreshRequest(_Input):
    refresh_token: str | None = Field(default=None, max_length=200)
    client: Literal["browser", "token"] = "browser"


class LogoutRequest(_Input):
    refresh_token: str | None = Field(default=None, max_length=200)


class ForgotPasswordRequest(_Input):
    email: Email


class ResetPasswordRequest(_Input):
    token: str = Field(min_length=1, max_length=200)
    password: _NewPassword


class UserOut(BaseModel):
    id: UUID
    email: str | None = Field(
        description="null for a guest (someone who joined one project through an invite link)"
    )
    name: str
    is_admin: bool
    created_at: datetime
    guest_project: UUID | None = Field(
        default=None,
        description="set for a guest (no account: a name for one session of the one project "
        "it joined through an invite link): that project",
    )
    locale: LocaleTag = Field(
        description="the language the person reads: e-mails, and errors of requests that "
        "send no Accept-Language"
    )


class AccountUpdate(_Input):
    """What a person may change of their own account; an omitted field is unchanged."""

    name: Name | None = None
    locale: LocaleTag | None = None


class SessionOut(BaseModel):
    """A signed-in session. Token fields are set only for ``client: "token"``."""

    user: UserOut
    access_expires_at: datetime
    csrf_token: str | None = None
    token_type: Literal["Bearer"] | None = None
    access_token: str | None = None
    refresh_token: str | None = None


class ApiKeyCreate(_Input):
    name: str = Field(min_length=1, max_length=100, pattern=ONE_LINE)


class ApiKeyOut(BaseModel):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """The new key; ``key`` is shown this once and never again."""

    key: str


def user_out(user: User) -> UserOut:
    """The public view of an account."""
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        created_at=user.created_at,
        locale=_locale(user.locale),
        guest_project=user.guest_project,
    )


def _locale(tag: str) -> str:
    """A stored tag as the API shows it: English if its catalogue has since been removed."""
    return tag if tag in LOCALES else DEFAULT_LOCALE


async def record_auth_event(
    request: web.Request, action: str, actor: UUID | None, **details: str
) -> None:
    """Audit an account event with the caller's address and user agent."""
    await audit.record(
        request.app[DB],
        action,
        actor_id=actor,
        ip=client_address(request),
        user_agent=request.headers.get("User-Agent"),
        details=dict(details),
    )


def secure_cookies(request: web.Request) -> bool:
    """Whether cookies set in answer to ``request`` are marked Secure (DTTOOLS_COOKIE_SECURE)."""
    mode = request.app[SETTINGS].cookie_secure
    return is_https(request) if mode == "auto" else mode == "true"


@dataclasses.dataclass(frozen=True, slots=True)
class NewSession:
    """A login session just stored: its id and its first refresh token (shown once)."""

    id: UUID
    refresh: str
    expires_at: datetime


async def open_session(
    conn: Conn, request: web.Request, user_id: UUID, lifetime_s: float
) -> NewSession:
    """Store a login session and its first refresh token, in the caller's transaction."""
    session = NewSession(
        uuid.uuid4(), new_secret(), datetime.now(UTC) + timedelta(seconds=lifetime_s)
    )
    await accounts.create_session(
        conn,
        session.id,
        user_id,
        session.expires_at,
        request.headers.get("User-Agent"),
        client_address(request),
    )
    await accounts.add_refresh_token(
        conn, hash_secret(session.refresh), session.id, session.expires_at
    )
    return session


async def _start_session(request: web.Request, user: User, client: str) -> web.Response:
    """Open a login session and answer with its tokens (cookies or body)."""
    async with request.app[DB].acquire() as conn, conn.transaction():
        session = await open_session(
            conn, request, user.id, request.app[SETTINGS].refresh_token_ttl_s
        )
    return _session_response(request, user, session.id, session.refresh, session.expires_at, client)


def session_out(
    request: web.Request, user: User, session_id: UUID, refresh: str, client: str
) -> tuple[SessionOut, str]:
    """What a client learns of a session it just got, and the session's access token.

    The tokens are in the body only for ``client: "token"``; a browser gets them as cookies
    (:func:`session_response`) and a CSRF token in the body.
    """
    access, access_expires = request.app[AUTH].signer.issue(user.id, session_id, datetime.now(UTC))
    if client == "token":
        body = SessionOut(
            user=user_out(user),
            access_expires_at=access_expires,
            token_type="Bearer",  # noqa: S106  (the scheme name, not a secret)
            access_token=access,
            refresh_token=refresh,
        )
    else:
        csrf = request.app[AUTH].signer.csrf_token(session_id)
        body = SessionOut(user=user_out(user), access_expires_at=access_expires, csrf_token=csrf)
    return body, access


def session_response(
    request: web.Request,
    body: BaseModel,
    client: str,
    session_id: UUID,
    tokens: tuple[str, str],
    refresh_expires: datetime,
) -> web.Response:
    """``body`` as JSON (no-store); for a browser client, with the session's cookies.

    ``tokens``: the session's access and refresh tokens.
    """
    response = json_response(body, headers={"Cache-Control": "no-store"})
    if client != "token":
        set_session_cookies(request, response, session_id, tokens, refresh_expires)
    return response


def set_session_cookies(
    request: web.Request,
    response: web.StreamResponse,
    session_id: UUID,
    tokens: tuple[str, str],
    refresh_expires: datetime,
) -> None:
    """Give a browser the session: access and refresh tokens (httpOnly) and the CSRF token."""
    access, refresh = tokens
    csrf = request.app[AUTH].signer.csrf_token(session_id)
    secure = secure_cookies(request)
    ttl = request.app[SETTINGS]
    refresh_age = int((refresh_expires - datetime.now(UTC)).total_seconds())
    response.set_cookie(
        ACCESS_COOKIE, access, max_age=int(ttl.access_token_ttl_s), path="/",
        httponly=True, samesite="Strict", secure=secure,
    )  # fmt: skip
    response.set_cookie(
        REFRESH_COOKIE, refresh, max_age=refresh_age, path=_REFRESH_PATH,
        httponly=True, samesite="Strict", secure=secure,
    )  # fmt: skip
    # Readable by our page's script (not httpOnly): it echoes it in X-CSRF-Token.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=refresh_age, path="/", samesite="Strict", secure=secure
    )


def _session_response(
    request: web.Request,
    user: User,
    session_id: UUID,
    refresh: str,
    refresh_expires: datetime,
    client: str,
) -> web.Response:
    body, access = session_out(request, user, session_id, refresh, client)
    return session_response(request, body, client, session_id, (access, refresh), refresh_expires)


def _clear_cookies(response: web.StreamResponse) -> None:
    response.del_cookie(ACCESS_COOKIE, path="/")
    response.del_cookie(REFRESH_COOKIE, path=_REFRESH_PATH)
    response.del_cookie(CSRF_COOKIE, path="/")


#: Why a refresh token was refused, by what presenting it led to.
_REFRESH_REFUSED = {
    RefreshOutcome.UNKNOWN: msg("refresh token unknown: sign in again"),
    RefreshOutcome.EXPIRED: msg("refresh token expired: sign in again"),
    RefreshOutcome.REVOKED: msg("refresh token revoked: sign in again"),
    RefreshOutcome.REUSED: msg("refresh token reused: sign in again"),
}

_SIGNUP_REQUESTED = msg(
    "We sent a message to this address. Open the link in it to finish signing up."
)


@api.route(
    "POST", "/v1/auth/register", summary="Ask for an account: a link to finish is e-mailed",
    tags=_TAGS, body=RegisterRequest, response=SignupRequested, status=202, auth=False,
)  # fmt: skip
async def register(request: web.Request, body: RegisterRequest) -> web.Response:
    """The same answer, after the same work, whether or not the address has an account.

    A new address gets a link that creates the account (whoever signs up must read the
    address's mail, so nobody can take someone else's address); an address with an account
    gets a notice instead, and nobody is signed in to it.
    """
    await limit(request, "register", body.email)
    settings = request.app[SETTINGS]
    now = datetime.now(UTC)
    # Hashed in both cases: the hash is most of the time this request takes.
    password_hash = await hash_password(body.password)
    token = new_secret()
    expires = now + timedelta(seconds=settings.signup_token_ttl_s)
    asked = negotiate(request.headers.get("Accept-Language"), LOCALES)
    locale = body.locale or asked or DEFAULT_LOCALE
    existing = await signups.request_signup(
        request.app[DB], hash_secret(token), body.email, body.name, password_hash, expires, now,
        locale,
    )  # fmt: skip
    if existing is None:
        await record_auth_event(request, "auth.register.requested", None, email=body.email)
        send_signup_link(request, body.email, body.name, token, locale)
    else:
        await record_auth_event(request, "auth.register.existing", existing.id)
        assert existing.email is not None  # found by its e-mail address
        send_already_registered(request, existing.email, existing.name, existing.locale)
    answer = SignupRequested(status="check-your-email", detail=translate(_SIGNUP_REQUESTED, locale))
    return localised(json_response(answer, status=202), locale)


@api.route(
    "POST", "/v1/auth/verify-email", summary="Finish a sign-up with the e-mailed link and sign in",
    tags=_TAGS, body=VerifyEmailRequest, response=SessionOut, status=201, auth=False,
    errors=(401, 409),
)  # fmt: skip
async def verify_email(request: web.Request, body: VerifyEmailRequest) -> web.Response:
    await limit(request, "verify")
    now = datetime.now(UTC)
    async with request.app[DB].acquire() as conn, conn.transaction():
        user = await signups.complete_signup(conn, hash_secret(body.token), uuid.uuid4(), now)
        if user is not None:
            await accept_pending(conn, user, now)
    if user is None:
        raise Unauthenticated(msg("sign-up link invalid, used or expired: sign up again"))
    await record_auth_event(request, "auth.register", user.id)
    response = await _start_session(request, user, body.client)
    response.set_status(201)
    # What was created is the account: it is the signed-in one from now on.
    response.headers["Location"] = "/v1/auth/me"
    return response


@api.route(
    "POST", "/v1/auth/login", summary="Sign in with e-mail and password", tags=_TAGS,
    body=LoginRequest, response=SessionOut, auth=False, errors=(401,),
)  # fmt: skip
async def login(request: web.Request, body: LoginRequest) -> web.Response:
    email = body.email
    attempt = await admit_sign_in(request, email)
    user = await accounts.find_user_by_email(request.app[DB], email)
    # An unknown account is checked against a dummy hash: the same time as a wrong password.
    if not await verify_password(user.password_hash if user else None, body.password) or not user:
        await record_auth_event(
            request, "auth.login.failed", user.id if user else None, email=email
        )
        raise Unauthenticated(msg("wrong e-mail or password"))
    await attempt.succeeded()
    await accounts.record_login(request.app[DB], user.id, datetime.now(UTC))
    await record_auth_event(request, "auth.login.succeeded", user.id)
    return await _start_session(request, user, body.client)


@api.route(
    "POST", "/v1/auth/refresh", summary="Rotate the refresh token and get a new access token",
    tags=_TAGS, body=RefreshRequest, response=SessionOut, auth=False, errors=(401, 403),
)  # fmt: skip
async def refresh(request: web.Request, body: RefreshRequest) -> web.Response:
    token = body.refresh_token
    from_cookie = token is None
    if token is None:
        token = request.cookies.get(REFRESH_COOKIE)
        if token is None:
            raise Unauthenticated(msg("no refresh token: sign in again"))
    now = datetime.now(UTC)
    settings = request.app[SETTINGS]
    new_token = new_secret()
    expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    revoked: Revocation | None = None
    async with request.app[DB].acquire() as conn, conn.transaction():
        result = await accounts.use_refresh_token(conn, hash_secret(token), now)
        if from_cookie and result.session_id is not None:
            # The CSRF token is bound to the session, known only now. Raised inside the
            # transaction, a forged request spends and revokes nothing.
            check_csrf(request, request.app[AUTH].signer, result.session_id)
        if result.outcome is RefreshOutcome.ROTATED:
            assert result.session_id is not None
            await accounts.add_refresh_token(
                conn, hash_secret(new_token), result.session_id, expires
            )
        elif result.outcome is RefreshOutcome.REUSED:
            assert result.session_id is not None
            revoked = await revocation.record(
                conn, session_id=result.session_id, reason="session revoked"
            )
    if revoked is not None:
        await record_auth_event(
            request, "auth.refresh.reused", result.user_id, session=str(result.session_id)
        )
        revocation.announce(request.app, revoked)
    if result.outcome is not RefreshOutcome.ROTATED:
        raise Unauthenticated(_REFRESH_REFUSED[result.outcome])
    assert result.user_id is not None
    assert result.session_id is not None
    user = await accounts.get_user(request.app[DB], result.user_id)
    if user is None:
        raise Unauthenticated(msg("account no longer exists"))
    return _session_response(request, user, result.session_id, new_token, expires, body.client)


@api.route(
    "POST", "/v1/auth/logout", guests=True, summary="End the current session", tags=_TAGS,
    body=LogoutRequest, auth=False, status=204,
)  # fmt: skip
async def logout(request: web.Request, body: LogoutRequest) -> web.Response:
    session_id, user_id = await _current_session(request, body)
    if session_id is not None:
        async with request.app[DB].acquire() as conn, conn.transaction():
            await accounts.revoke_session(conn, session_id, "logout", datetime.now(UTC))
            revoked = await revocation.record(conn, session_id=session_id, reason="signed out")
        await record_auth_event(request, "auth.logout", user_id)
        revocation.announce(request.app, revoked)
    response = web.Response(status=204)
    _clear_cookies(response)
    return response


async def _current_session(
    request: web.Request, body: LogoutRequest
) -> tuple[UUID | None, UUID | None]:
    """The session named by a refresh token or an access token, if any (best effort)."""
    db = request.app[DB]
    refresh_token = body.refresh_token or request.cookies.get(REFRESH_COOKIE)
    if refresh_token is not None:
        found = await accounts.refresh_token_session(db, hash_secret(refresh_token))
        if found is not None:
            session_id, user_id = found
            if body.refresh_token is None:
                check_csrf(request, request.app[AUTH].signer, session_id)
            return session_id, user_id
    try:
        principal = await request.app[AUTH].require(request, True)
    except Unauthenticated:
        return None, None
    if principal.via == "api_key":
        return None, None
    return principal.credential_id, principal.user_id


@api.route(
    "POST", "/v1/auth/forgot-password", summary="E-mail a password-reset link", tags=_TAGS,
    body=ForgotPasswordRequest, auth=False, status=202,
)  # fmt: skip
async def forgot_password(request: web.Request, body: ForgotPasswordRequest) -> web.Response:
    """202 for any address, after the same work: one statement, one audit row, no waiting on
    mail (it is queued), so neither the answer nor its timing tells whether the account exists.
    """
    email = body.email
    await limit(request, "reset", email)
    token = new_secret()
    expires = datetime.now(UTC) + timedelta(seconds=request.app[SETTINGS].reset_token_ttl_s)
    user = await accounts.create_reset_for_email(
        request.app[DB], hash_secret(token), email, expires
    )
    if user is None:
        await record_auth_event(request, "auth.password_reset.unknown", None, email=email)
    else:
        await record_auth_event(request, "auth.password_reset.requested", user.id)
        assert user.email is not None  # found by its e-mail address
        send_reset_link(request, user.email, user.name, token, user.locale)
    return web.Response(status=202)


@api.route(
    "POST", "/v1/auth/reset-password", summary="Set a new password with a reset token",
    tags=_TAGS, body=ResetPasswordRequest, auth=False, status=204, errors=(401,),
)  # fmt: skip
async def reset_password(request: web.Request, body: ResetPasswordRequest) -> web.Response:
    await limit(request, "reset-use")
    now = datetime.now(UTC)
    password_hash = await hash_password(body.password)
    db = request.app[DB]
    async with db.acquire() as conn, conn.transaction():
        user_id = await accounts.consume_reset(conn, hash_secret(body.token), now)
        if user_id is None:
            raise Unauthenticated(msg("reset link invalid, used or expired: ask for a new one"))
        await accounts.set_password(conn, user_id, password_hash)
        sessions = await accounts.revoke_user_sessions(conn, user_id, "password reset", now)
        revoked = [
            await revocation.record(conn, session_id=session_id, reason="password changed")
            for session_id in sessions
        ]
    await record_auth_event(request, "auth.password_reset.completed", user_id)
    for one in revoked:
        revocation.announce(request.app, one)
    return web.Response(status=204)


@api.route(
    "GET", "/v1/auth/me", guests=True, summary="The signed-in account", tags=_TAGS, response=UserOut
)
async def me(request: web.Request, principal: Principal) -> UserOut:
    # As stored now: a change of name or language made through another node shows at once.
    return user_out(await request.app[AUTH].current_user(principal))


@api.route(
    "PATCH", "/v1/auth/me", guests=True, summary="Change your name or language", tags=_TAGS,
    body=AccountUpdate, response=UserOut,
)  # fmt: skip
async def update_me(request: web.Request, body: AccountUpdate, principal: Principal) -> UserOut:
    """Only the fields sent change; the answer is the account as ``GET /v1/auth/me`` shows it."""
    updated = await accounts.update_account(
        request.app[DB], principal.user_id, name=body.name, locale=body.locale
    )
    if updated is None:  # deleted since the request was authenticated
        raise Unauthenticated(msg("account no longer exists"))
    request.app[AUTH].forget_account(principal.user_id)  # its next request reads the change
    user, changed = updated.user, updated.changed
    if changed:
        # Which fields, and the language (not the name: the log keeps no more than it needs).
        await record_auth_event(
            request, "auth.account.updated", principal.user_id,
            fields=",".join(changed), locale=user.locale,
        )  # fmt: skip
    return user_out(user)


@api.route(
    "POST", "/v1/auth/api-keys", summary="Create a personal API key (shown once)", tags=_TAGS,
    body=ApiKeyCreate, response=ApiKeyCreated, status=201,
)  # fmt: skip
async def create_api_key(
    request: web.Request, body: ApiKeyCreate, principal: Principal
) -> web.Response:
    if principal.via == "api_key":
        # A leaked key must not be able to mint more keys.
        raise PermissionDenied(msg("API keys are created from a signed-in session, not with a key"))
    secret = new_secret(API_KEY_PREFIX)
    key = await accounts.create_api_key(
        request.app[DB], uuid.uuid4(), principal.user_id, body.name,
        secret[: len(API_KEY_PREFIX) + 6], hash_secret(secret),
    )  # fmt: skip
    await record_auth_event(request, "auth.api_key.created", principal.user_id, key=str(key.id))
    created = ApiKeyCreated(**_key_fields(key), key=secret)
    return json_response(created, status=201, headers={"Location": f"{request.path}/{key.id}"})


class ApiKeyPage(BaseModel):
    """A page of your keys, newest first; pass ``next_cursor`` back for the next one."""

    items: list[ApiKeyOut]
    next_cursor: str | None


def _key_order(key: accounts.ApiKey) -> tuple[str, str]:
    return sortable_time(key.created_at), str(key.id)


@api.route(
    "GET", "/v1/auth/api-keys", summary="List your API keys, newest first", tags=_TAGS,
    query=PageQuery, response=ApiKeyPage,
)  # fmt: skip
async def list_api_keys(request: web.Request, principal: Principal, query: PageQuery) -> ApiKeyPage:
    keys = await accounts.list_api_keys(request.app[DB], principal.user_id)
    page, next_cursor = keyset_page(keys, query.limit, _key_order, query.cursor, descending=True)
    return ApiKeyPage(items=[ApiKeyOut(**_key_fields(k)) for k in page], next_cursor=next_cursor)


@api.route(
    "GET", "/v1/auth/api-keys/{key_id}", summary="One of your API keys (without the secret)",
    tags=_TAGS, response=ApiKeyOut,
)  # fmt: skip
async def get_api_key(request: web.Request, principal: Principal) -> ApiKeyOut:
    """Where ``Location`` of a new key points; someone else's key is not found."""
    key_id = path_uuid(request, "key_id")
    keys = await accounts.list_api_keys(request.app[DB], principal.user_id)
    for key in keys:
        if key.id == key_id:
            return ApiKeyOut(**_key_fields(key))
    raise NotFound(msg("no such API key: {key_id}", key_id=key_id))


@api.route(
    "DELETE", "/v1/auth/api-keys/{key_id}", summary="Revoke an API key", tags=_TAGS,
    status=204,
)  # fmt: skip
async def revoke_api_key(request: web.Request, principal: Principal) -> None:
    key_id = path_uuid(request, "key_id")
    async with request.app[DB].acquire() as conn, conn.transaction():
        if not await accounts.revoke_api_key(conn, principal.user_id, key_id, datetime.now(UTC)):
            # Someone else's key and a missing key look the same (no IDOR oracle).
            raise NotFound(msg("no such API key: {key_id}", key_id=key_id))
        revoked = await revocation.record(conn, session_id=key_id, reason="API key revoked")
    await record_auth_event(request, "auth.api_key.revoked", principal.user_id, key=str(key_id))
    revocation.announce(request.app, revoked)


def _key_fields(key: accounts.ApiKey) -> dict[str, Any]:
    return dataclasses.asdict(key)
