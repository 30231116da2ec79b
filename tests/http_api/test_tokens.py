"""Access tokens (JWT, HS256 pinned, exp/iat/aud/iss required) and opaque secrets."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.errors import Unauthenticated
from http_api.tokens import API_KEY_PREFIX, AccessClaims, TokenSigner, hash_secret, new_secret

KEY = b"k" * 64
OLD_KEY = b"o" * 64


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, Any] = {
        "sub": str(uuid4()),
        "sid": str(uuid4()),
        "iat": now,
        "exp": now + 60,
        "aud": "dttools",
        "iss": "dttools",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


class TestTokenSigner:
    def test_issued_token_verifies_to_its_claims(self) -> None:
        """A token we issue verifies to its user, session and expiry."""
        signer = TokenSigner([KEY], ttl_s=900)
        user, session = uuid4(), uuid4()
        now = datetime.now(UTC)
        token, expires = signer.issue(user, session, now)
        assert expires == now + timedelta(seconds=900)
        claims = signer.verify(token, now)
        assert claims == AccessClaims(user, session, claims.expires_at)
        assert abs((claims.expires_at - expires).total_seconds()) < 1

    def test_token_issued_in_the_past_has_expired(self) -> None:
        """A token whose expiry has passed is refused as expired."""
        signer = TokenSigner([KEY], ttl_s=60)
        token, _ = signer.issue(uuid4(), uuid4(), datetime.now(UTC) - timedelta(hours=1))
        with pytest.raises(Unauthenticated, match="expired"):
            signer.verify(token)

    def test_expiry_is_judged_at_the_given_time(self) -> None:
        """verify(now=...) refuses a token that has expired by then."""
        signer = TokenSigner([KEY], ttl_s=60)
        now = datetime.now(UTC)
        user = uuid4()
        token, _ = signer.issue(user, uuid4(), now)
        assert signer.verify(token, now + timedelta(seconds=30)).user_id == user
        with pytest.raises(Unauthenticated, match="expired"):
            signer.verify(token, now + timedelta(seconds=61))

    def test_old_key_still_verifies_during_rotation(self) -> None:
        """With [new, old] keys, tokens signed with the old key verify; new ones use the new."""
        old = TokenSigner([OLD_KEY], ttl_s=60)
        rotating = TokenSigner([KEY, OLD_KEY], ttl_s=60)
        user = uuid4()
        token, _ = old.issue(user, uuid4(), datetime.now(UTC))
        assert rotating.verify(token).user_id == user
        fresh, _ = rotating.issue(user, uuid4(), datetime.now(UTC))
        assert TokenSigner([KEY], ttl_s=60).verify(fresh).user_id == user
        with pytest.raises(Unauthenticated, match="invalid access token"):
            TokenSigner([KEY], ttl_s=60).verify(token)

    @pytest.mark.parametrize(
        "keys", [[], [b"short"], [KEY, b"x" * 31]], ids=["none", "short", "one-short"]
    )
    def test_weak_keys_are_refused(self, keys: list[bytes]) -> None:
        """Fewer than 32 bytes of key (or no key at all) is a configuration error."""
        with pytest.raises(ValueError, match="32 bytes"):
            TokenSigner(keys, ttl_s=60)

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param(
                _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims()) + ".", id="alg-none"
            ),
            pytest.param(jwt.encode(_claims(), KEY, algorithm="HS512"), id="hs512"),
            pytest.param(jwt.encode(_claims(), b"w" * 64, algorithm="HS256"), id="wrong-key"),
            pytest.param(jwt.encode(_claims(aud="other"), KEY, algorithm="HS256"), id="wrong-aud"),
            pytest.param(jwt.encode(_claims(iss="other"), KEY, algorithm="HS256"), id="wrong-iss"),
            pytest.param(jwt.encode(_claims(exp=None), KEY, algorithm="HS256"), id="no-exp"),
            pytest.param(jwt.encode(_claims(iat=None), KEY, algorithm="HS256"), id="no-iat"),
            pytest.param(jwt.encode(_claims(aud=None), KEY, algorithm="HS256"), id="no-aud"),
            pytest.param(jwt.encode(_claims(sid=None), KEY, algorithm="HS256"), id="no-sid"),
            pytest.param(jwt.encode(_claims(sub="root"), KEY, algorithm="HS256"), id="bad-sub"),
            pytest.param(jwt.encode(_claims(sid="x"), KEY, algorithm="HS256"), id="bad-sid"),
            pytest.param("garbage", id="garbage"),
            pytest.param("", id="empty"),
        ],
    )
    def test_forged_or_malformed_tokens_are_refused(self, token: str) -> None:
        """Anything but an HS256 token with our key, audience, issuer and claims is refused."""
        # The same claims, properly signed, pass: each case fails for its one flaw.
        genuine = _claims()
        verified = TokenSigner([KEY], ttl_s=60).verify(jwt.encode(genuine, KEY, algorithm="HS256"))
        assert str(verified.session_id) == genuine["sid"]
        with pytest.raises(Unauthenticated):
            TokenSigner([KEY], ttl_s=60).verify(token)


def _token_variants() -> st.SearchStrategy[str]:
    """Tokens as we issue them, or with one thing altered: a claim, the header, key or text."""
    now = int(datetime.now(UTC).timestamp())
    flaws: dict[str, st.SearchStrategy[Any]] = {
        "sub": st.one_of(st.uuids().map(str), st.just("root"), st.just(7)),
        "sid": st.one_of(st.uuids().map(str), st.just(""), st.just(None)),
        "iat": st.one_of(st.integers(now - 120, now + 120), st.floats(now - 120, now + 120)),
        "exp": st.one_of(st.integers(now - 120, now + 120), st.floats(now - 120, now + 120)),
        "nbf": st.integers(now - 120, now + 120),
        "aud": st.sampled_from(["other", ["dttools"], ["other"], None]),
        "iss": st.sampled_from(["other", "DTTOOLS", None]),
        "extra": st.text(max_size=3),
    }
    headers: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
        [{"kid": "1"}, {"typ": "at+jwt"}, {"typ": None}]
    )

    @st.composite
    def build(draw: st.DrawFn) -> str:
        claims = _claims()
        header: dict[str, Any] | None = None
        key = KEY
        flaw = draw(st.sampled_from(["none", "header", "key", "text", *flaws]))
        if flaw in flaws:
            claims[flaw] = draw(flaws[flaw])
            claims = {k: v for k, v in claims.items() if v is not None}
        elif flaw == "header":
            header = draw(headers)
        elif flaw == "key":
            key = draw(st.sampled_from([OLD_KEY, b"w" * 64]))
        token = jwt.encode(claims, key, algorithm="HS256", headers=header)
        if flaw == "text":
            at = draw(st.integers(0, len(token)))
            token = token[:at] + draw(st.sampled_from("Aa0_-.=+/é \n")) + token[at + 1 :]
        return token

    return build()


class TestShortcut:
    """The shortcut for tokens shaped as we issue them never accepts what PyJWT refuses."""

    def test_issued_tokens_skip_pyjwt(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A token we issued verifies without PyJWT; an altered one is still judged by it."""
        signer = TokenSigner([KEY, OLD_KEY], ttl_s=60)
        user = uuid4()
        token, _ = signer.issue(user, uuid4(), datetime.now(UTC))
        old, _ = TokenSigner([OLD_KEY], ttl_s=60).issue(user, uuid4(), datetime.now(UTC))
        judged: list[str] = []

        def refuse(token: str, *args: Any, **kwargs: Any) -> None:
            judged.append(token)
            raise jwt.InvalidTokenError("judged by PyJWT")

        monkeypatch.setattr(jwt, "decode", refuse)
        assert signer.verify(token).user_id == user
        assert signer.verify(old).user_id == user  # rotation keys take the shortcut too
        assert judged == []
        with pytest.raises(Unauthenticated, match="judged by PyJWT"):
            signer.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
        assert len(judged) == 1

    def test_expiry_at_the_given_time_is_not_shortcut(self) -> None:
        """A later ``now`` refuses a token the real clock would still accept."""
        signer = TokenSigner([KEY], ttl_s=60)
        token, _ = signer.issue(uuid4(), uuid4(), datetime.now(UTC))
        assert signer._issued_by_us(token, datetime.now(UTC) + timedelta(seconds=61)) is None
        with pytest.raises(Unauthenticated, match="expired"):
            signer.verify(token, datetime.now(UTC) + timedelta(seconds=61))

    def test_a_verified_token_is_remembered_until_it_expires(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The second check of a token does no cryptography; past its expiry it is refused."""
        signer = TokenSigner([KEY], ttl_s=60)
        token, _ = signer.issue(uuid4(), uuid4(), datetime.now(UTC))
        first = signer.verify(token)
        checks: list[str] = []
        monkeypatch.setattr(signer, "_issued_by_us", lambda t, now: checks.append(t))
        assert signer.verify(token) is first
        assert checks == []
        with pytest.raises(Unauthenticated, match="expired"):
            signer.verify(token, datetime.now(UTC) + timedelta(seconds=61))
        assert checks == [token]  # judged afresh, and forgotten
        with pytest.raises(Unauthenticated, match="invalid access token"):
            signer.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(token=_token_variants())
    def test_shortcut_accepts_only_what_pyjwt_accepts(self, token: str) -> None:
        """Whatever the shortcut accepts, PyJWT accepts too, with the same claims."""
        signer = TokenSigner([KEY, OLD_KEY], ttl_s=60)
        now = datetime.now(UTC)
        fast = signer._issued_by_us(token, now)
        if fast is not None:
            assert signer._verify_with_pyjwt(token, now) == fast

    def test_variants_exercise_both_outcomes(self) -> None:
        """The variants above include tokens the shortcut takes and ones it leaves to PyJWT."""
        signer = TokenSigner([KEY, OLD_KEY], ttl_s=60)
        taken = left = 0

        @settings(max_examples=100, deadline=None, database=None)
        @given(token=_token_variants())
        def count(token: str) -> None:
            nonlocal taken, left
            if signer._issued_by_us(token, None) is None:
                left += 1
            else:
                taken += 1

        count()
        assert taken > 0
        assert left > 0


class TestSecrets:
    def test_secrets_are_random_and_url_safe(self) -> None:
        """Each secret is new, 256 bits in URL-safe base64, after the optional prefix."""
        secrets = {new_secret() for _ in range(100)}
        assert len(secrets) == 100
        for secret in secrets:
            assert len(secret) == 43
            assert set(secret) <= set(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            )
        assert new_secret(API_KEY_PREFIX).startswith("dtt_")

    def test_hash_is_sha256_and_deterministic(self) -> None:
        """A secret always hashes to the same 32 bytes; different secrets do not collide."""
        secret = new_secret()
        assert hash_secret(secret) == hash_secret(secret)
        assert len(hash_secret(secret)) == 32
        assert hash_secret(secret) != hash_secret(new_secret())
