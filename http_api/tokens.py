"""Credentials: signed JWT access tokens and opaque secrets (refresh, API key, reset).

Access tokens are short-lived HS256 JWTs. The algorithm is pinned on decode (``alg: none`` or
an RS/HS confusion is refused by PyJWT when only HS256 is allowed), and ``exp``, ``iat``,
``aud`` and ``iss`` are required and checked.

Every WebSocket join and every REST call verifies a token, and PyJWT spends about 80 µs on one
(most of it a per-character alphabet scan in Python), which is a tenth of a join's server CPU in
a connection storm. So the exact shape we issue is recognised first in about 10 µs: our header
byte for byte, our signature over the exact text (compared as text, so no other encoding of the
same bytes passes), our audience and issuer, an unexpired ``exp``, an ``iat`` not in the future,
no ``nbf``. Anything else, including every token that will be refused, goes to PyJWT, which stays
the judge of what is wrong: the shortcut only ever accepts tokens PyJWT accepts (tests check this
on mutated tokens). Opaque secrets are random, shown to the client
once, and stored only as SHA-256 hashes, so a database leak does not leak usable tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from collab.errors import Unauthenticated
from collab.i18n import msg

__all__ = [
    "AccessClaims",
    "TokenSigner",
    "new_secret",
    "hash_secret",
    "API_KEY_PREFIX",
]

_ALGORITHM = "HS256"
_AUDIENCE = "dttools"
_ISSUER = "dttools"
#: API keys are recognisable (for secret scanners and for us): dtt_<random>.
API_KEY_PREFIX = "dtt_"
_MIN_KEY_BYTES = 32
# The protected header PyJWT writes for HS256: the fast path accepts only this one, byte for byte.
_HEADER = jwt.encode({}, b"h" * _MIN_KEY_BYTES, algorithm=_ALGORITHM).partition(".")[0]
_CLAIMS = frozenset(("sub", "sid", "iat", "exp", "aud", "iss"))
# Verified tokens remembered (TokenSigner.verify): about 300 bytes each.
_VERIFIED_CACHE = 10_000
# Domain separation: a CSRF token is never a valid signature of anything else under the key.
_CSRF_LABEL = b"dttools-csrf-v1:"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says about its bearer."""

    user_id: UUID
    session_id: UUID
    expires_at: datetime


class TokenSigner:
    """Issue and verify access tokens with a list of keys: the first signs, all verify.

    Several keys allow rotation: deploy the new key first in the list and the old one second,
    wait one access-token lifetime, then drop the old one.
    """

    def __init__(self, keys: list[bytes], ttl_s: float) -> None:
        if not keys or any(len(k) < _MIN_KEY_BYTES for k in keys):
            raise ValueError(f"JWT keys must be at least {_MIN_KEY_BYTES} bytes")
        self._keys = keys
        # HMAC-SHA256 keyed once per key: a copy per token costs half of keying it again
        # (OpenSSL 3 looks the algorithm up on every one-shot call).
        self._macs = [hmac.new(key, digestmod=hashlib.sha256) for key in keys]
        self.ttl_s = ttl_s
        # Tokens already verified, with their claims: a client sends the same token with
        # every request and every reconnect until it expires. Bounded; emptied when full.
        self._verified: dict[str, AccessClaims] = {}

    def issue(self, user_id: UUID, session_id: UUID, now: datetime) -> tuple[str, datetime]:
        """A signed access token for ``user_id`` in login session ``session_id``."""
        expires = now + timedelta(seconds=self.ttl_s)
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "aud": _AUDIENCE,
            "iss": _ISSUER,
        }
        return jwt.encode(claims, self._keys[0], algorithm=_ALGORITHM), expires

    def verify(self, token: str, now: datetime | None = None) -> AccessClaims:
        """Check signature, algorithm, expiry, audience and issuer.

        Raises:
            Unauthenticated: the token is not one we issued or is no longer valid.
        """
        known = self._verified.get(token)
        if known is not None:
            real = time.time()
            cutoff = max(real, now.timestamp()) if now is not None else real
            if known.expires_at.timestamp() > cutoff:
                return known
            del self._verified[token]
        fast = self._issued_by_us(token, now)
        claims = fast if fast is not None else self._verify_with_pyjwt(token, now)
        if len(self._verified) >= _VERIFIED_CACHE:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    def _verify_with_pyjwt(self, token: str, now: datetime | None) -> AccessClaims:
        """:meth:`verify` for any token: PyJWT's full checks and its reasons for refusing."""
        options = {"require": ["exp", "iat", "aud", "iss", "sub", "sid"]}
        last: Exception | None = None
        for key in self._keys:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[_ALGORITHM],
                    audience=_AUDIENCE,
                    issuer=_ISSUER,
                    options=options,  # type: ignore[arg-type]  # PyJWT types options loosely
                )
            except jwt.InvalidSignatureError as exc:
                last = exc
                continue
            except jwt.ExpiredSignatureError:
                raise Unauthenticated(msg("access token expired")) from None
            except jwt.PyJWTError as exc:
                raise Unauthenticated(
                    msg("invalid access token: {error}", error=str(exc))
                ) from None
            try:
                user_id, session_id = UUID(claims["sub"]), UUID(claims["sid"])
            except (TypeError, ValueError):
                raise Unauthenticated(msg("invalid access token: bad subject")) from None
            expires = datetime.fromtimestamp(claims["exp"], UTC)
            if now is not None and expires <= now:
                raise Unauthenticated(msg("access token expired"))
            return AccessClaims(user_id, session_id, expires)
        raise Unauthenticated(msg("invalid access token: {error}", error=str(last)))

    def _issued_by_us(self, token: str, now: datetime | None) -> AccessClaims | None:
        """The claims of ``token`` if it is exactly what :meth:`issue` writes and still valid.

        ``None`` means "let PyJWT decide", never "refused". Each check is at least as strict
        as PyJWT's: the clock used for expiry is the later of the real one and ``now``, and
        ``iat`` is judged against the real one, as PyJWT does.
        """
        head, _, rest = token.partition(".")
        body, _, signature = rest.partition(".")
        if head != _HEADER or not body or "." in signature or not token.isascii():
            return None
        signing_input = token[: len(head) + 1 + len(body)].encode()
        if not any(
            hmac.compare_digest(_signature(mac, signing_input), signature) for mac in self._macs
        ):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return None
        if not isinstance(claims, dict) or claims.keys() != _CLAIMS:
            return None
        issued, expires = claims["iat"], claims["exp"]
        real = time.time()
        cutoff = max(real, now.timestamp()) if now is not None else real
        if (
            type(issued) is not int
            or type(expires) is not int
            or issued > real
            or expires <= cutoff
            or claims["aud"] != _AUDIENCE
            or claims["iss"] != _ISSUER
            or not isinstance(claims["sub"], str)
            or not isinstance(claims["sid"], str)
        ):
            return None
        try:
            user_id, session_id = UUID(claims["sub"]), UUID(claims["sid"])
        except ValueError:
            return None
        return AccessClaims(user_id, session_id, datetime.fromtimestamp(expires, UTC))

    def seal(self, purpose: str, claims: dict[str, Any], ttl_s: float) -> str:
        """``claims`` signed for ``purpose`` only, valid for ``ttl_s`` (e.g. an OIDC flow cookie).

        The audience names the purpose, so a sealed value is never taken as an access token
        (whose audience is ``dttools``) nor for another purpose.
        """
        now = int(time.time())
        body = {**claims, "aud": f"{_AUDIENCE}:{purpose}", "iat": now, "exp": now + int(ttl_s)}
        return jwt.encode(body, self._keys[0], algorithm=_ALGORITHM)

    def unseal(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The claims :meth:`seal` wrote for ``purpose``, or None (forged, expired, other use)."""
        for key in self._keys:
            try:
                claims: dict[str, Any] = jwt.decode(
                    token, key, algorithms=[_ALGORITHM], audience=f"{_AUDIENCE}:{purpose}",
                    options={"require": ["exp", "iat", "aud"]},
                )  # fmt: skip
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError:
                return None
            return claims
        return None

    def csrf_token(self, session_id: UUID) -> str:
        """The CSRF token of login session ``session_id``: an HMAC of its id.

        Binding the token to the session means a token is worth nothing with another session:
        a cookie planted by a sibling subdomain (which can set cookies for the parent domain,
        but cannot read ours) cannot be paired with the victim's session.
        """
        return self._csrf(self._keys[0], session_id)

    def check_csrf_token(self, session_id: UUID, token: str) -> bool:
        """Whether ``token`` is the CSRF token of ``session_id`` under any current key."""
        given = token.encode()
        return any(
            hmac.compare_digest(self._csrf(k, session_id).encode(), given) for k in self._keys
        )

    @staticmethod
    def _csrf(key: bytes, session_id: UUID) -> str:
        mac = hmac.digest(key, _CSRF_LABEL + session_id.bytes, "sha256")
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _signature(keyed: hmac.HMAC, signing_input: bytes) -> str:
    """The JWS signature segment HS256 gives ``signing_input`` under ``keyed``'s key (unpadded)."""
    mac = keyed.copy()
    mac.update(signing_input)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (256 bits, URL-safe)."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    """What we store for an opaque secret: its SHA-256 (secrets have 256 bits of entropy)."""
    return hashlib.sha256(secret.encode()).digest()
