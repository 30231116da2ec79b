"""The pure parts of OpenID Connect sign-in: provider settings, PKCE, the sealed flow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from collab.errors import Unauthenticated
from http_api.oidc import challenge_of, new_flow, parse_providers
from http_api.settings import settings_from
from http_api.tokens import TokenSigner

_GOOD = {
    "id": "keycloak",
    "name": "Keycloak",
    "issuer": "https://id.example.com/realms/dt/",
    "client_id": "dttools",
    "client_secret": "s3cret",
}


class TestProviders:
    def test_empty_means_none(self) -> None:
        assert parse_providers("") == ()
        assert parse_providers("  ") == ()

    def test_reads_a_list_with_defaults(self) -> None:
        [provider] = parse_providers(json.dumps([_GOOD]))
        assert provider.issuer == "https://id.example.com/realms/dt"  # no trailing slash
        assert provider.scopes == ("openid", "email", "profile")
        assert provider.trust_email is False

    def test_reads_a_file(self, tmp_path: Path) -> None:
        path = tmp_path / "oidc.json"
        path.write_text(json.dumps([_GOOD, {**_GOOD, "id": "google", "client_secret": None}]))
        assert [p.id for p in parse_providers(f"@{path}")] == ["keycloak", "google"]

    @pytest.mark.parametrize(
        ("value", "complaint"),
        [
            ("{", "not JSON"),
            (json.dumps(_GOOD), "list"),
            (json.dumps([{**_GOOD, "id": "Bad Id"}]), "id"),
            (json.dumps([{**_GOOD, "issuer": "http://id.example.com"}]), "https"),
            (json.dumps([{**_GOOD, "scopes": ["email"]}]), "openid"),
            (json.dumps([{**_GOOD, "extra": 1}]), "extra"),
            (json.dumps([_GOOD, _GOOD]), "share an id"),
            ("@/nonexistent/oidc.json", "cannot read"),
        ],
    )
    def test_refuses_what_cannot_work(self, value: str, complaint: str) -> None:
        with pytest.raises(ValueError, match=complaint):
            parse_providers(value)

    def test_the_setting_is_checked_at_start(self) -> None:
        with pytest.raises(ValueError, match="DTTOOLS_OIDC_PROVIDERS"):
            settings_from(None, {"DTTOOLS_OIDC_PROVIDERS": "[1]"})


def test_pkce_challenge_is_what_authlib_computes() -> None:
    flow = new_flow("keycloak", "/")
    assert 43 <= len(flow["verifier"]) <= 128
    assert challenge_of(flow["verifier"]) == create_s256_code_challenge(flow["verifier"])
    assert new_flow("keycloak", "/")["state"] != flow["state"]


class TestSeal:
    signer = TokenSigner([b"k" * 32, b"o" * 32], 900)

    def test_round_trip(self) -> None:
        opened = self.signer.unseal("oidc-flow", self.signer.seal("oidc-flow", {"state": "s"}, 60))
        assert opened is not None
        assert opened["state"] == "s"

    def test_sealed_for_one_purpose_only(self) -> None:
        sealed = self.signer.seal("oidc-flow", {"state": "s"}, 60)
        assert self.signer.unseal("other", sealed) is None

    def test_never_an_access_token(self) -> None:
        sealed = self.signer.seal("oidc-flow", {"sub": "x", "sid": "y"}, 60)
        with pytest.raises(Unauthenticated):
            self.signer.verify(sealed)

    def test_expired_or_foreign_is_refused(self) -> None:
        assert self.signer.unseal("oidc-flow", self.signer.seal("oidc-flow", {}, -1)) is None
        stranger = TokenSigner([b"z" * 32], 900)
        assert self.signer.unseal("oidc-flow", stranger.seal("oidc-flow", {}, 60)) is None
        assert self.signer.unseal("oidc-flow", "not.a.token") is None

    def test_old_key_still_opens(self) -> None:
        old = TokenSigner([b"o" * 32], 900)
        opened = self.signer.unseal("oidc-flow", old.seal("oidc-flow", {"a": 1}, 60))
        assert opened is not None
        assert opened["a"] == 1
