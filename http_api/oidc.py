"""Sign-in with OpenID Connect: the relying party's side of the authorization code flow.

Any issuer the operator lists in ``DTTOOLS_OIDC_PROVIDERS`` (Google, Microsoft Entra,
Keycloak, Authentik...) works the same way: its discovery document names the endpoints, the
browser is sent to its authorization endpoint with ``state``, ``nonce`` and a PKCE S256
challenge, and the code that comes back is exchanged for an ID token whose signature (the
issuer's JWKS), issuer, audience, expiry and nonce are checked here before anyone is signed in.

Why it is built this way:

* **The flow's secrets ride in a sealed cookie, not in the database.** ``state``, ``nonce``,
  the PKCE verifier and where to return are signed with the access-token keys (a purpose of
  their own, :meth:`http_api.tokens.TokenSigner.seal`) into an httpOnly cookie that lives ten
  minutes, so any node can finish a flow another node started and nothing is left behind by
  flows people abandon. The cookie is SameSite=Lax: the provider's redirect back is a
  cross-site navigation, and a Strict cookie would not come with it.
* **Only ID tokens are believed, and only as the issuer signed them.** Algorithms are the
  asymmetric ones the issuer publishes (never ``none`` or an HMAC keyed by a public value);
  an unknown ``kid`` refetches the JWKS, at most once a minute, so a key rotation at the
  provider is followed without letting a stranger make us fetch on every request.
* **Accounts are linked by verified e-mail.** A new identity whose address matches an
  account is linked to it only when the issuer says the address is verified
  (``email_verified``), or the operator declared that the issuer's addresses always are
  (``trust_email``, e.g. a single-tenant Entra ID). Otherwise a stranger who registered
  someone else's address at a lax provider would take over that person's account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

import aiohttp
import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "ProviderConfig",
    "parse_providers",
    "OidcFailure",
    "Identity",
    "OidcClient",
    "challenge_of",
    "new_flow",
]

#: The algorithms an ID token may be signed with (asymmetric: a JWKS holds public keys).
_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
#: How long the discovery document and the JWKS are kept before they are read again.
METADATA_TTL_S = 3600.0
#: The shortest time between two JWKS reads caused by an unknown key id.
JWKS_REFETCH_S = 60.0
#: Seconds of clock difference with the issuer tolerated on ``iat``/``exp``.
LEEWAY_S = 60
_TIMEOUT = aiohttp.ClientTimeout(total=10)


class _ProviderModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_PROVIDER_ID.pattern)
    name: str = Field(min_length=1, max_length=60)
    issuer: str = Field(min_length=1, max_length=500)
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str | None = Field(default=None, max_length=2000)
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    trust_email: bool = False


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One issuer the operator configured."""

    id: str
    #: what the sign-in button says ("Sign in with {name}")
    name: str
    issuer: str
    client_id: str
    #: None for a public client (PKCE alone)
    client_secret: str | None
    scopes: tuple[str, ...]
    #: the issuer's addresses are verified even without ``email_verified``
    trust_email: bool


def parse_providers(raw: str) -> tuple[ProviderConfig, ...]:
    """Read ``DTTOOLS_OIDC_PROVIDERS``: a JSON list of providers, or ``@path`` of a file holding it.

    Raises:
        ValueError: the value is not such a list, an entry is invalid, or two share an id.
    """
    text = raw.strip()
    if not text:
        return ()
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read {text[1:]}: {exc.strerror}") from None
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from None
    if not isinstance(entries, list):
        raise ValueError("expected a JSON list of providers")  # noqa: TRY004  (settings' error)
    providers: list[ProviderConfig] = []
    for index, entry in enumerate(entries):
        try:
            model = _ProviderModel.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"provider {index}: {problems}") from None
        if "openid" not in model.scopes:
            raise ValueError(f"provider {model.id}: scopes must include openid")
        if not model.issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError(f"provider {model.id}: issuer must be an https:// URL")
        providers.append(
            ProviderConfig(
                model.id,
                model.name,
                model.issuer.rstrip("/"),
                model.client_id,
                model.client_secret,
                model.scopes,
                model.trust_email,
            )
        )
    ids = [p.id for p in providers]
    if len(set(ids)) != len(ids):
        raise ValueError("two providers share an id")
    return tuple(providers)


class OidcFailure(Exception):
    """The flow cannot sign anyone in; ``code`` tells the sign-in page which message to show."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        #: ``denied`` (the person cancelled), ``expired`` (flow too old or from another
        #: browser), ``unverified-email``, ``no-email`` or ``failed`` (the provider misbehaved)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the issuer says signed in."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def new_flow(provider_id: str, next_path: str) -> dict[str, str]:
    """The secrets of one sign-in attempt, as the sealed flow cookie holds them."""
    return {
        "provider": provider_id,
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),  # 64 characters: RFC 7636 asks for 43 to 128
        "next": next_path,
    }


def challenge_of(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier`` (RFC 7636, 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class _Metadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    auth_methods: tuple[str, ...]
    algorithms: frozenset[str]


class OidcClient:
    """One configured issuer: its discovery document and keys (cached), and the flow's steps."""

    def __init__(self, config: ProviderConfig, http: aiohttp.ClientSession) -> None:
        self.config = config
        self._http = http
        self._metadata: _Metadata | None = None
        self._metadata_at = 0.0
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_at = float("-inf")

    async def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self._http.get(url, timeout=_TIMEOUT, **kwargs) as response:
                if response.status != 200:
                    raise OidcFailure("failed", f"{url} answered {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise OidcFailure("failed", f"{url}: {type(exc).__name__}") from None
        if not isinstance(body, dict):
            raise OidcFailure("failed", f"{url} did not answer a JSON object")
        return body

    async def metadata(self) -> _Metadata:
        """The issuer's endpoints, from its discovery document (read at most hourly).

        Raises:
            OidcFailure: the document cannot be read, or names another issuer.
        """
        now = time.monotonic()
        if self._metadata is not None and now - self._metadata_at < METADATA_TTL_S:
            return self._metadata
        issuer = self.config.issuer
        doc = await self._get_json(f"{issuer}/.well-known/openid-configuration")
        if str(doc.get("issuer", "")).rstrip("/") != issuer:
            raise OidcFailure("failed", f"discovery document of {issuer} names another issuer")
        try:
            metadata = _Metadata(
                authorization_endpoint=str(doc["authorization_endpoint"]),
                token_endpoint=str(doc["token_endpoint"]),
                jwks_uri=str(doc["jwks_uri"]),
                userinfo_endpoint=doc.get("userinfo_endpoint"),
                auth_methods=tuple(
                    doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
                ),
                algorithms=frozenset(doc.get("id_token_signing_alg_values_supported") or ["RS256"])
                & _ALGORITHMS,
            )
        except KeyError as exc:
            raise OidcFailure("failed", f"discovery document of {issuer} lacks {exc}") from None
        self._metadata, self._metadata_at = metadata, now
        return metadata

    async def authorization_url(self, redirect_uri: str, flow: dict[str, str]) -> str:
        """Where to send the browser to sign in."""
        metadata = await self.metadata()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(self.config.scopes),
                "state": flow["state"],
                "nonce": flow["nonce"],
                "code_challenge": challenge_of(flow["verifier"]),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in metadata.authorization_endpoint else "?"
        return f"{metadata.authorization_endpoint}{separator}{query}"

    async def sign_in(self, code: str, redirect_uri: str, flow: dict[str, str]) -> Identity:
        """Exchange ``code`` and check the ID token it brings.

        Raises:
            OidcFailure: the exchange failed or the token does not hold.
        """
        metadata = await self.metadata()
        tokens = await self._exchange(metadata, code, redirect_uri, flow["verifier"])
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise OidcFailure("failed", "the token response has no ID token")
        claims = await self._verify(metadata, id_token, flow["nonce"])
        identity = _identity(claims)
        if identity.email is None and metadata.userinfo_endpoint:
            access = tokens.get("access_token")
            if isinstance(access, str):
                info = await self._get_json(
                    metadata.userinfo_endpoint, headers={"Authorization": f"Bearer {access}"}
                )
                if info.get("sub") != identity.subject:
                    raise OidcFailure("failed", "userinfo names another subject")
                identity = _identity({**info, **claims})
        return identity

    async def _exchange(
        self, metadata: _Metadata, code: str, redirect_uri: str, verifier: str
    ) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        headers = {"Accept": "application/json"}
        secret = self.config.client_secret
        if secret is None:
            form["client_id"] = self.config.client_id
        elif "client_secret_basic" in metadata.auth_methods:
            # RFC 6749 2.3.1: both parts form-urlencoded before the Basic encoding.
            pair = f"{quote_plus(self.config.client_id)}:{quote_plus(secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        else:
            form |= {"client_id": self.config.client_id, "client_secret": secret}
        try:
            async with self._http.post(
                metadata.token_endpoint, data=form, headers=headers, timeout=_TIMEOUT
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise OidcFailure("failed", f"token endpoint: {type(exc).__name__}") from None
        if status != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise OidcFailure("failed", f"token endpoint answered {status} {error or ''}".strip())
        return body

    async def _key(self, metadata: _Metadata, kid: str | None) -> jwt.PyJWK:
        age = time.monotonic() - self._keys_at
        if age >= METADATA_TTL_S or (kid not in self._keys and age >= JWKS_REFETCH_S):
            self._keys = _key_set(await self._get_json(metadata.jwks_uri))
            self._keys_at = time.monotonic()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        key = self._keys.get(kid) if kid is not None else None
        if key is None:
            raise OidcFailure("failed", "the ID token is signed with an unknown key")
        return key

    async def _verify(self, metadata: _Metadata, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise OidcFailure("failed", "the ID token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in metadata.algorithms:
            raise OidcFailure("failed", f"ID token algorithm {algorithm!r} is not accepted")
        key = await self._key(metadata, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=[algorithm], audience=self.config.client_id,
                issuer=self.config.issuer, leeway=LEEWAY_S,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )  # fmt: skip
        except jwt.PyJWTError as exc:
            raise OidcFailure("failed", f"ID token refused: {exc}") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OidcFailure("failed", "ID token nonce does not match this sign-in")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcFailure("failed", "ID token was issued to another party (azp)")
        return claims


def _key_set(jwks: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for entry in jwks.get("keys") or []:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            continue  # an algorithm or key type we do not use
        keys[str(entry.get("kid", ""))] = key
    if "" in keys and len(keys) > 1:
        del keys[""]
    return keys


def _identity(claims: dict[str, Any]) -> Identity:
    email = claims.get("email")
    name = claims.get("name") or claims.get("preferred_username")
    verified = claims.get("email_verified")
    return Identity(
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) and "@" in email else None,
        # Some issuers send the string "true".
        email_verified=verified is True or verified == "true",
        name=name if isinstance(name, str) and name.strip() else None,
    )
