"""A real OpenID Connect provider on 127.0.0.1, served by Authlib (Flask integration).

The server's OIDC sign-in is tested against it the way it meets Google, Microsoft or
Keycloak: discovery document, a JWKS, an authorization endpoint with a sign-in page, a token
endpoint that checks the client's secret and the PKCE verifier, RS256-signed ID tokens and a
userinfo endpoint. Nothing of ours runs inside it. The sign-in page lists the provider's
people; choosing one (a POST of ``user``) approves, ``deny`` refuses.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import grants as oidc_grants
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, Response, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

__all__ = ["Person", "Provider", "oidc_provider"]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who can sign in at the provider."""

    username: str
    name: str
    email: str | None
    email_verified: bool = True
    #: the stable subject; defaults to a random one
    sub: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class _Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class Provider:
    """The running provider: its issuer URL, client registration and what it has done."""

    issuer: str
    client_id: str
    client_secret: str
    people: dict[str, Person]
    key: RSAKey
    redirect_uris: list[str] = field(default_factory=list)
    codes: dict[str, _Code] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    #: token requests answered, and refused
    token_requests: int = 0
    #: the nonce and PKCE method of the latest authorization request
    last_authorize: dict[str, str] = field(default_factory=dict)

    def add(self, person: Person) -> Person:
        """Let ``person`` sign in here."""
        self.people[person.username] = person
        return person

    def config(
        self, provider_id: str = "test", name: str = "Test ID", **extra: Any
    ) -> dict[str, Any]:
        """This provider as one entry of DTTOOLS_OIDC_PROVIDERS."""
        return {
            "id": provider_id,
            "name": name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            **extra,
        }


def _app(provider: Provider) -> Flask:
    app = Flask("oidc-provider")
    server = AuthorizationServer(app)
    client = _Client(provider.client_id, provider.client_secret, provider.redirect_uris)
    server._query_client = lambda client_id: client if client_id == client.client_id else None
    server._save_token = lambda token, req: provider.tokens.__setitem__(
        token["access_token"], req.user
    )

    class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            provider.codes[code] = _Code(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.payload.scope,
                person=req.user,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                auth_time=int(time.time()),
                expires_at=time.time() + 60,
            )

        def query_authorization_code(self, code: str, query_client: Any) -> _Code | None:
            found = provider.codes.get(code)
            if (
                found
                and found.client_id == query_client.client_id
                and time.time() < found.expires_at
            ):
                return found
            return None

        def delete_authorization_code(self, authorization_code: _Code) -> None:
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: _Code) -> Person:
            return authorization_code.person

    class OpenIDCode(oidc_grants.OpenIDCode):  # type: ignore[misc]
        def resolve_client_private_key(self, client: _Client) -> RSAKey:
            return provider.key

        def get_client_claims(self, client: _Client) -> dict[str, Any]:
            return {"iss": provider.issuer, "aud": [client.client_id]}

        def get_encode_header(self, client: _Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": provider.key.kid or ""}

        def exists_nonce(self, nonce: str, req: Any) -> bool:
            return False

        def generate_user_info(self, user: Person, scope: str) -> dict[str, Any]:
            return _claims(user, scope)

    server.register_grant(CodeGrant, [CodeChallenge(required=True), OpenIDCode(require_nonce=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        base = provider.issuer
        return jsonify(
            issuer=base,
            authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token",
            userinfo_endpoint=f"{base}/userinfo",
            jwks_uri=f"{base}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
        )

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)  # browsers ask; a 404 would be a console error

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        provider.last_authorize = {
            k: request.args.get(k, "") for k in ("nonce", "code_challenge_method", "state")
        }
        if request.method == "GET":
            server.get_consent_grant(end_user=None)  # validates the request (raises if bad)
            buttons = "".join(
                f'<button name="user" value="{html.escape(p.username)}">'
                f"{html.escape(p.name)}</button>"
                for p in provider.people.values()
            )
            return (
                "<!doctype html><title>Test ID</title><h1>Sign in to Test ID</h1>"
                f'<form method="post">{buttons}<button name="deny" value="1">Cancel</button></form>'
            )
        person = None if request.form.get("deny") else provider.people.get(request.form["user"])
        grant = server.get_consent_grant(end_user=person)
        return server.create_authorization_response(grant_user=person, grant=grant)

    @app.post("/token")
    def token() -> Any:
        provider.token_requests += 1
        return server.create_token_response()

    @app.get("/userinfo")
    def userinfo() -> Any:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        person = provider.tokens.get(bearer)
        if person is None:
            return Response(status=401)
        return jsonify(_claims(person, "openid email profile"))

    return app


def _claims(person: Person, scope: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": person.sub}
    if "profile" in scope.split():
        claims["name"] = person.name
    if "email" in scope.split() and person.email is not None:
        claims["email"] = person.email
        claims["email_verified"] = person.email_verified
    return claims


@contextmanager
def oidc_provider(redirect_uris: list[str] | None = None) -> Iterator[Provider]:
    """A provider listening on a free port of 127.0.0.1, stopped on exit.

    ``redirect_uris`` may be filled in later (the provider reads the list on each request).
    """
    provider = Provider(
        issuer="",
        client_id="dttools-" + secrets.token_hex(4),
        client_secret=secrets.token_urlsafe(24),
        people={},
        key=RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(4)}),
        redirect_uris=redirect_uris if redirect_uris is not None else [],
    )
    http = make_server("127.0.0.1", 0, _app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{http.server_port}"
    thread = threading.Thread(target=http.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        http.shutdown()
        thread.join(timeout=5)
