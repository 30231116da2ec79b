"""/v1/auth/oidc: sign in with an OpenID Connect issuer the operator configured.

``GET /v1/auth/oidc/providers`` lists them for the sign-in page; ``.../{provider}/login``
sends the browser to the issuer; the issuer sends it back to ``.../{provider}/callback``,
which signs it in (cookies, as a password sign-in does) and redirects to where it started.
The protocol's checks live in http_api/oidc.py; docs/security.md, "Sign-in with OpenID
Connect", says what is checked and why.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.errors import NotFound
from collab.i18n import DEFAULT_LOCALE, msg, negotiate
from http_api.endpoint import Api
from http_api.i18n import LOCALES
from http_api.keys import AUTH, DB, OIDC, SETTINGS
from http_api.oidc import Identity, OidcClient, OidcFailure, new_flow
from http_api.pagination import PageQuery, keyset_page
from http_api.v1.auth import open_session, record_auth_event, secure_cookies, set_session_cookies
from http_api.v1.auth_mail import link_base
from http_api.v1.invitations import accept_pending
from persistence import accounts, identities
from persistence.identities import Claimed, Outcome

__all__ = ["api", "FLOW_COOKIE"]

_log = structlog.get_logger(__name__)
api = Api()
_TAGS = ("auth",)
#: The sealed flow cookie (state, nonce, PKCE verifier, where to return), path-scoped.
FLOW_COOKIE = "dttools_oidc"
_FLOW_PURPOSE = "oidc-flow"
#: How long a person may spend at the issuer before the flow is void.
FLOW_TTL_S = 600
_DEFAULT_NEXT = "/#/projects"
# A same-origin path: one "/", then no "/" or "\" (which browsers read as another host).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_NEXT = re.compile(r"^/(?![/\\])[\x21-\x7e]{0,500}$")


class ProviderOut(BaseModel):
    id: str = Field(description="what the routes name the provider by")
    name: str = Field(description="what the sign-in button says: Sign in with {name}")
    login_url: str = Field(description="open it in the browser to sign in")


class ProviderList(BaseModel):
    """The issuers, by id (a page like every list; one page holds them all in practice)."""

    items: list[ProviderOut]
    next_cursor: str | None


class LoginQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    next: str = Field(
        default=_DEFAULT_NEXT,
        max_length=500,
        description="a path of this site to return to after signing in (default /#/projects)",
    )


_VISIBLE_ASCII = r"^[\x20-\x7e]*$"


class CallbackQuery(BaseModel):
    # Issuers add parameters of their own (iss, session_state, scope, authuser...).
    model_config = ConfigDict(extra="ignore")

    # Codes, states and error codes are printable ASCII (RFC 6749, appendix A); bounded so
    # the whole redirect stays within one request line.
    code: str | None = Field(default=None, max_length=2048, pattern=_VISIBLE_ASCII)
    #: RFC 9207: the issuer names itself, so a response from another issuer is refused
    iss: str | None = Field(default=None, max_length=500, pattern=_VISIBLE_ASCII)
    state: str | None = Field(default=None, max_length=200, pattern=_VISIBLE_ASCII)
    error: str | None = Field(default=None, max_length=200, pattern=_VISIBLE_ASCII)


def _client(request: web.Request) -> OidcClient:
    provider_id = request.match_info["provider"]
    client = request.app[OIDC].get(provider_id)
    if client is None:
        raise NotFound(msg("no such sign-in provider: {provider}", provider=provider_id))
    return client


def _redirect_uri(request: web.Request, provider_id: str) -> str:
    """The callback the issuer must have registered for this client."""
    return f"{link_base(request)}/v1/auth/oidc/{provider_id}/callback"


def _login_path(provider_id: str) -> str:
    return f"/v1/auth/oidc/{provider_id}/login"


@api.route(
    "GET", "/v1/auth/oidc/providers", summary="The OpenID Connect issuers one can sign in with",
    tags=_TAGS, query=PageQuery, response=ProviderList, auth=False,
)  # fmt: skip
async def oidc_providers(request: web.Request, query: PageQuery) -> ProviderList:
    """Empty when the operator configured none (``DTTOOLS_OIDC_PROVIDERS``)."""
    configs = sorted((c.config for c in request.app[OIDC].values()), key=lambda c: c.id)
    page, next_cursor = keyset_page(configs, query.limit, lambda c: (c.id, c.id), query.cursor)
    items = [ProviderOut(id=c.id, name=c.name, login_url=_login_path(c.id)) for c in page]
    return ProviderList(items=items, next_cursor=next_cursor)


_REDIRECT = {
    "description": "to the issuer's sign-in page (or back to the sign-in page)",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


def _see_other(location: str) -> web.Response:
    """A 303 to ``location``, never cached (its body says where, for clients that show it)."""
    return web.Response(
        status=303,
        text=f"See {location}",
        headers={"Location": location, "Cache-Control": "no-store"},
    )


@api.route(
    "GET", "/v1/auth/oidc/{provider}/login", summary="Start signing in with an OpenID Connect issuer",  # noqa: E501
    tags=_TAGS, query=LoginQuery, auth=False, status=303, raw_responses={"303": _REDIRECT},
    errors=(404,),
    path_params={"provider": {"type": "string", "description": "a provider's id"}},
)  # fmt: skip
async def oidc_login(request: web.Request, query: LoginQuery) -> web.Response:
    """Redirect to the issuer with ``state``, ``nonce`` and a PKCE S256 challenge.

    The flow's secrets go into a sealed, httpOnly cookie scoped to the callback's path.
    """
    client = _client(request)
    provider_id = client.config.id
    next_path = query.next if _SAFE_NEXT.match(query.next) else _DEFAULT_NEXT
    flow = new_flow(provider_id, next_path) | {"issuer": client.config.issuer}
    try:
        target = await client.authorization_url(_redirect_uri(request, provider_id), flow)
    except OidcFailure as failure:
        _log.warning("oidc_discovery_failed", provider=provider_id, detail=failure.detail)
        return _back_to_sign_in("unavailable")
    response = _see_other(target)
    sealed = request.app[AUTH].signer.seal(_FLOW_PURPOSE, flow, FLOW_TTL_S)
    response.set_cookie(
        FLOW_COOKIE, sealed, max_age=FLOW_TTL_S, path=f"/v1/auth/oidc/{provider_id}/",
        httponly=True, samesite="Lax", secure=secure_cookies(request),
    )  # fmt: skip
    return response


@api.route(
    "GET", "/v1/auth/oidc/{provider}/callback",
    summary="Where the issuer returns: signs in and redirects back to the app",
    tags=_TAGS, query=CallbackQuery, auth=False, status=303, raw_responses={"303": _REDIRECT},
    errors=(404,),
    path_params={"provider": {"type": "string", "description": "a provider's id"}},
)  # fmt: skip
async def oidc_callback(request: web.Request, query: CallbackQuery) -> web.Response:
    """Check the flow, exchange the code, sign in (or say why not on the sign-in page).

    Every failure ends on the sign-in page with a reason code (``?signin_error=``), never on
    a JSON error: a person is at the other end of this redirect.
    """
    client = _client(request)
    provider_id = client.config.id
    try:
        flow, code = _returned(_flow(request, provider_id, query.state), query)
        identity = await client.sign_in(code, _redirect_uri(request, provider_id), flow)
        response = await _signed_in(request, client, identity, flow["next"])
    except OidcFailure as failure:
        _log.info("oidc_sign_in_failed", provider=provider_id, reason=failure.code)
        await record_auth_event(
            request, "auth.oidc.failed", None, provider=provider_id, reason=failure.code
        )
        response = _back_to_sign_in(failure.code)
    response.del_cookie(FLOW_COOKIE, path=f"/v1/auth/oidc/{provider_id}/")
    return response


def _returned(flow: dict[str, Any] | None, query: CallbackQuery) -> tuple[dict[str, Any], str]:
    """Our flow, and the authorization code the issuer returned to it.

    Raises:
        OidcFailure: no flow of ours, the issuer refused, or no code.
    """
    if flow is None:
        raise OidcFailure("expired", "no sign-in started here, or it took too long")
    if query.error is not None:
        code = "denied" if query.error == "access_denied" else "failed"
        raise OidcFailure(code, f"issuer answered {query.error}")
    if not query.code:
        raise OidcFailure("failed", "the issuer sent no code")
    if query.iss is not None and query.iss.rstrip("/") != flow["issuer"]:
        raise OidcFailure("failed", "the response names another issuer (mix-up)")
    return flow, query.code


def _flow(request: web.Request, provider_id: str, state: str | None) -> dict[str, Any] | None:
    """The flow this browser started with this provider, if ``state`` is its state."""
    sealed = request.cookies.get(FLOW_COOKIE)
    if sealed is None or state is None:
        return None
    flow = request.app[AUTH].signer.unseal(_FLOW_PURPOSE, sealed)
    if flow is None or flow.get("provider") != provider_id or flow.get("state") != state:
        return None
    return flow


async def _signed_in(
    request: web.Request, client: OidcClient, identity: Identity, next_path: str
) -> web.Response:
    config = client.config
    # The issuer's text, held to what a name typed here may be (one line, 200 characters).
    given = identity.name or (identity.email or "").partition("@")[0]
    name = " ".join(_CONTROL.sub(" ", given).split())[:200] or config.name
    claimed = Claimed(
        provider=config.id,
        subject=identity.subject,
        email=identity.email,
        email_verified=identity.email_verified or config.trust_email,
        name=name,
    )
    locale = negotiate(request.headers.get("Accept-Language"), LOCALES) or DEFAULT_LOCALE
    now = datetime.now(UTC)
    db = request.app[DB]
    async with db.acquire() as conn, conn.transaction():
        found = await identities.sign_in(conn, claimed, uuid.uuid4(), locale, now)
        if found.user is None:
            code = "no-email" if identity.email is None else "unverified-email"
            raise OidcFailure(code, "the issuer does not vouch for an e-mail address")
        if found.outcome is Outcome.CREATED:
            await accept_pending(conn, found.user, now)
        session = await open_session(
            conn, request, found.user.id, request.app[SETTINGS].refresh_token_ttl_s
        )
    user = found.user
    await record_auth_event(
        request, f"auth.oidc.{found.outcome.value}", user.id, provider=config.id
    )
    await accounts.record_login(db, user.id, now)
    access, _ = request.app[AUTH].signer.issue(user.id, session.id, now)
    response = _see_other(next_path)
    set_session_cookies(
        request, response, session.id, (access, session.refresh), session.expires_at
    )
    return response


def _back_to_sign_in(code: str) -> web.Response:
    return _see_other(f"/?signin_error={quote(code)}#/login")
