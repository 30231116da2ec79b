"""Sign-in with OpenID Connect against a real provider (Authlib, tests/support/oidc_provider.py).

Each test walks the flow as a browser does: our login route, the provider's sign-in page, its
redirect back, our callback; then the session it opened is used on the API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import aiohttp
import pytest
from yarl import URL

from http_api.keys import DB
from persistence import personal_exports
from tests.conftest import RunningServer, StartServer
from tests.support.api import audit_actions, call, read_problem, register, unique_email
from tests.support.oidc_provider import Person, Provider, oidc_provider


@pytest.fixture
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        yield running


@dataclass
class Oidc:
    """Our server configured with the provider, and a browser-like HTTP session."""

    server: RunningServer
    provider: Provider
    http: aiohttp.ClientSession
    #: the Set-Cookie headers of the latest login answer
    login_cookies: tuple[str, ...] = ()

    @property
    def base(self) -> str:
        return self.server.http_url

    async def start(self, next_path: str | None = None) -> str:
        """Our login route: answers the provider's authorization URL."""
        query = {} if next_path is None else {"next": next_path}
        async with self.http.get(
            f"{self.base}/v1/auth/oidc/test/login", params=query, allow_redirects=False
        ) as response:
            assert response.status == 303, await response.text()
            self.login_cookies = tuple(response.headers.getall("Set-Cookie", ()))
            return response.headers["Location"]

    async def at_provider(self, authorize_url: str, choice: dict[str, str]) -> str:
        """The provider's sign-in page, then the person's choice: answers the redirect back."""
        async with self.http.get(authorize_url) as page:
            assert page.status == 200, await page.text()
            assert "Sign in to Test ID" in await page.text()
        async with self.http.post(authorize_url, data=choice, allow_redirects=False) as answer:
            assert answer.status == 302, await answer.text()
            return answer.headers["Location"]

    async def back(self, callback_url: str) -> aiohttp.ClientResponse:
        """Follow the provider's redirect to our callback (not further)."""
        async with self.http.get(callback_url, allow_redirects=False) as response:
            await response.read()
            return response

    async def sign_in(self, person: Person, next_path: str | None = None) -> aiohttp.ClientResponse:
        callback = await self.at_provider(await self.start(next_path), {"user": person.username})
        return await self.back(callback)

    async def me(self) -> dict[str, Any] | None:
        async with self.http.get(f"{self.base}/v1/auth/me") as response:
            if response.status == 401:
                return None
            assert response.status == 200, await response.text()
            body: dict[str, Any] = await response.json()
            return body


async def _configured(
    start_server: StartServer, provider: Provider, **extra: Any
) -> AsyncIterator[Oidc]:
    server = await start_server(oidc_providers=json.dumps([provider.config(**extra)]))
    provider.redirect_uris.append(f"{server.http_url}/v1/auth/oidc/test/callback")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Oidc(server, provider, http)


@pytest.fixture
async def oidc(start_server: StartServer, provider: Provider) -> AsyncIterator[Oidc]:
    async for configured in _configured(start_server, provider):
        yield configured


def _signin_error(response: aiohttp.ClientResponse) -> str | None:
    location = urlsplit(response.headers["Location"])
    return parse_qs(location.query).get("signin_error", [None])[0]


class TestProviders:
    async def test_lists_the_configured_issuers_with_their_login_url(self, oidc: Oidc) -> None:
        async with oidc.http.get(f"{oidc.base}/v1/auth/oidc/providers") as response:
            assert response.status == 200
            body = await response.json()
        assert body == {
            "items": [{"id": "test", "name": "Test ID", "login_url": "/v1/auth/oidc/test/login"}],
            "next_cursor": None,
        }

    async def test_none_without_configuration(self, server: RunningServer) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{server.http_url}/v1/auth/oidc/providers") as response,
        ):
            assert (await response.json()) == {"items": [], "next_cursor": None}
            async with http.get(
                f"{server.http_url}/v1/auth/oidc/google/login", allow_redirects=False
            ) as login:
                body = await read_problem(login, 404)
        assert "google" in body["detail"]


class TestSignIn:
    async def test_first_sign_in_makes_an_account_and_a_browser_session(self, oidc: Oidc) -> None:
        db_pool = oidc.server.app[DB]
        ana = oidc.provider.add(Person("ana", "Ana Souza", unique_email("ana")))
        authorize = await oidc.start()
        query = parse_qs(urlsplit(authorize).query)
        assert authorize.startswith(f"{oidc.provider.issuer}/authorize?")
        assert query["code_challenge_method"] == ["S256"]
        assert query["nonce"][0]
        assert query["state"][0]
        assert query["code_challenge"][0]
        assert query["scope"] == ["openid email profile"]
        [flow_cookie] = oidc.login_cookies
        assert flow_cookie.startswith("dttools_oidc=")
        assert "HttpOnly" in flow_cookie
        assert "SameSite=Lax" in flow_cookie
        assert "Path=/v1/auth/oidc/test/" in flow_cookie

        back = await oidc.back(await oidc.at_provider(authorize, {"user": "ana"}))
        assert back.status == 303
        assert back.headers["Location"] == "/#/projects"
        me = await oidc.me()
        assert me is not None
        assert (me["email"], me["name"]) == (ana.email, "Ana Souza")
        assert "auth.oidc.created" in await audit_actions(db_pool, me["id"])
        # The flow is spent: its cookie is gone, and replaying the callback signs nobody in.
        assert "dttools_oidc" not in {c.key for c in oidc.http.cookie_jar}
        # The account has no usable password: signing in with one fails as any wrong password.
        async with oidc.http.post(
            f"{oidc.base}/v1/auth/login",
            json={"email": ana.email, "password": "anything-at-all", "client": "token"},
        ) as login:
            assert login.status == 401

    async def test_the_same_person_comes_back_to_the_same_account(self, oidc: Oidc) -> None:
        db_pool = oidc.server.app[DB]
        bia = oidc.provider.add(Person("bia", "Bia", unique_email("bia")))
        await oidc.sign_in(bia)
        first = await oidc.me()
        oidc.http.cookie_jar.clear()
        assert await oidc.me() is None
        second = await oidc.sign_in(bia, next_path="/#/projects/x/ideate")
        assert second.headers["Location"] == "/#/projects/x/ideate"
        again = await oidc.me()
        assert first is not None
        assert again is not None
        assert again["id"] == first["id"]
        assert "auth.oidc.known" in await audit_actions(db_pool, first["id"])
        count = await db_pool.fetchval(
            "SELECT count(*) FROM oidc_identities WHERE user_id = $1", first["id"]
        )
        assert count == 1
        # The person's own data export says which issuer they sign in with.
        about = await personal_exports.about(db_pool, UUID(first["id"]), first["email"])
        [identity] = about["sign_in_identities"]
        assert (identity["provider"], identity["subject"]) == ("test", bia.sub)

    async def test_links_an_existing_account_by_verified_email(self, oidc: Oidc) -> None:
        async with aiohttp.ClientSession() as http:
            carla = await register(http, oidc.server, name="Carla")
        oidc.provider.add(Person("carla", "Carla at Test ID", carla.email.upper()))
        await oidc.sign_in(oidc.provider.people["carla"])
        me = await oidc.me()
        assert me is not None
        assert me["id"] == str(carla.id)
        assert me["name"] == "Carla"  # the account's, not the issuer's

    async def test_an_invited_address_joins_its_project_on_first_sign_in(self, oidc: Oidc) -> None:
        async with aiohttp.ClientSession() as http:
            owner = await register(http, oidc.server, name="Owner")
            project = await call(oidc.base, owner, "POST", "/v1/projects", {"name": "Invited"})
            rosa = oidc.provider.add(Person("rosa", "Rosa", unique_email("rosa")))
            path = f"/v1/projects/{project['id']}/members"
            async with http.post(
                oidc.base + path, json={"email": rosa.email, "role": "viewer"},
                headers=owner.headers,
            ) as invited:  # fmt: skip
                assert invited.status == 202
            await oidc.sign_in(rosa)
            team = await call(oidc.base, owner, "GET", path)
        assert {m["name"]: m["role"] for m in team["items"]} == {"Owner": "owner", "Rosa": "viewer"}

    async def test_unverified_email_signs_nobody_in_and_takes_no_account(self, oidc: Oidc) -> None:
        db_pool = oidc.server.app[DB]
        async with aiohttp.ClientSession() as http:
            dora = await register(http, oidc.server, name="Dora")
        oidc.provider.add(Person("mallory", "Mallory", dora.email, email_verified=False))
        back = await oidc.sign_in(oidc.provider.people["mallory"])
        assert back.status == 303
        assert _signin_error(back) == "unverified-email"
        assert back.headers["Location"].endswith("#/login")
        assert await oidc.me() is None
        linked = await db_pool.fetchval(
            "SELECT count(*) FROM oidc_identities WHERE user_id = $1", dora.id
        )
        assert linked == 0
        # Nor does an unverified new address make an account.
        oidc.provider.add(Person("eve", "Eve", unique_email("eve"), email_verified=False))
        back = await oidc.sign_in(oidc.provider.people["eve"])
        assert _signin_error(back) == "unverified-email"
        users = await db_pool.fetchval(
            "SELECT count(*) FROM users WHERE email = $1", oidc.provider.people["eve"].email
        )
        assert users == 0

    async def test_deleting_the_account_forgets_the_identity(self, oidc: Oidc) -> None:
        """Someone who only ever signed in with the issuer can delete the account (no
        password: right after signing in), and the issuer's subject goes with it."""
        db_pool = oidc.server.app[DB]
        nina = oidc.provider.add(Person("nina", "Nina", unique_email("nina")))
        await oidc.sign_in(nina)
        first = await oidc.me()
        assert first is not None
        csrf = {c.key: c.value for c in oidc.http.cookie_jar}["dttools_csrf"]
        async with oidc.http.delete(
            f"{oidc.base}/v1/auth/me", json={}, headers={"X-CSRF-Token": csrf}
        ) as deleted:
            assert deleted.status == 204, await deleted.text()
        left = await db_pool.fetchval(
            "SELECT count(*) FROM oidc_identities WHERE subject = $1", nina.sub
        )
        assert left == 0
        oidc.http.cookie_jar.clear()
        await oidc.sign_in(nina)
        again = await oidc.me()
        assert again is not None
        assert again["id"] != first["id"]  # a new account, not the erased one

    async def test_the_issuers_name_is_kept_to_one_clean_line(self, oidc: Oidc) -> None:
        odd = oidc.provider.add(
            Person("odd", "  Ana\x00\n\tde  Souza\r " + "x" * 300, unique_email("odd"))
        )
        await oidc.sign_in(odd)
        me = await oidc.me()
        assert me is not None
        assert me["name"].startswith("Ana de Souza xxx")
        assert len(me["name"]) == 200

    async def test_no_email_at_all_is_refused_with_its_own_reason(self, oidc: Oidc) -> None:
        oidc.provider.add(Person("anon", "Anon", None))
        back = await oidc.sign_in(oidc.provider.people["anon"])
        assert _signin_error(back) == "no-email"

    async def test_trust_email_links_without_email_verified(
        self, start_server: StartServer, provider: Provider
    ) -> None:
        async for oidc in _configured(start_server, provider, trust_email=True):
            fabi = provider.add(Person("fabi", "Fabi", unique_email("fabi"), email_verified=False))
            back = await oidc.sign_in(fabi)
            assert back.headers["Location"] == "/#/projects"
            me = await oidc.me()
            assert me is not None
            assert me["email"] == fabi.email


class TestRefusals:
    async def test_cancelling_at_the_provider_returns_to_sign_in(self, oidc: Oidc) -> None:
        oidc.provider.add(Person("gil", "Gil", unique_email("gil")))
        callback = await oidc.at_provider(await oidc.start(), {"deny": "1"})
        back = await oidc.back(callback)
        assert _signin_error(back) == "denied"
        assert await oidc.me() is None

    async def test_a_callback_without_our_flow_cookie_is_expired(self, oidc: Oidc) -> None:
        """Login CSRF: a code pushed into someone else's browser finds no flow there."""
        hugo = oidc.provider.add(Person("hugo", "Hugo", unique_email("hugo")))
        callback = await oidc.at_provider(await oidc.start(), {"user": hugo.username})
        oidc.http.cookie_jar.clear()
        back = await oidc.back(callback)
        assert _signin_error(back) == "expired"
        assert await oidc.me() is None

    async def test_a_forged_flow_cookie_is_expired(self, oidc: Oidc) -> None:
        ines = oidc.provider.add(Person("ines", "Ines", unique_email("ines")))
        callback = await oidc.at_provider(await oidc.start(), {"user": ines.username})
        forged = (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdGF0ZSI6IiIsInByb3ZpZGVyIjoidGVzdCJ9."
            "c2lnbmF0dXJlLW9mLW5vYm9keQ"
        )
        oidc.http.cookie_jar.clear()
        oidc.http.cookie_jar.update_cookies({"dttools_oidc": forged}, response_url=URL(oidc.base))
        back = await oidc.back(callback)
        assert _signin_error(back) == "expired"

    async def test_a_code_from_another_flow_fails_pkce(self, oidc: Oidc) -> None:
        """Our flow's state with a code issued to another flow: the provider refuses the
        exchange (the PKCE verifier is not the one the code was bound to)."""
        joao = oidc.provider.add(Person("joao", "João", unique_email("joao")))
        other = await oidc.at_provider(await oidc.start(), {"user": joao.username})
        stolen_code = parse_qs(urlsplit(other).query)["code"][0]
        mine = await oidc.at_provider(await oidc.start(), {"deny": "1"})
        my_state = parse_qs(urlsplit(mine).query)["state"][0]
        callback = f"{oidc.base}/v1/auth/oidc/test/callback?code={stolen_code}&state={my_state}"
        refused_before = oidc.provider.token_requests
        back = await oidc.back(callback)
        assert _signin_error(back) == "failed"
        assert oidc.provider.token_requests == refused_before + 1
        assert await oidc.me() is None

    async def test_a_response_naming_another_issuer_is_refused(self, oidc: Oidc) -> None:
        """RFC 9207: a code that comes back saying another issuer sent it (mix-up) is not
        exchanged with this one."""
        olga = oidc.provider.add(Person("olga", "Olga", unique_email("olga")))
        callback = await oidc.at_provider(await oidc.start(), {"user": olga.username})
        exchanges = oidc.provider.token_requests
        back = await oidc.back(f"{callback}&iss=https%3A%2F%2Fevil.example")
        assert _signin_error(back) == "failed"
        assert oidc.provider.token_requests == exchanges
        assert await oidc.me() is None

    async def test_next_must_be_a_path_of_this_site(self, oidc: Oidc) -> None:
        kim = oidc.provider.add(Person("kim", "Kim", unique_email("kim")))
        for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            oidc.http.cookie_jar.clear()
            back = await oidc.sign_in(kim, next_path=hostile)
            assert back.headers["Location"] == "/#/projects", hostile

    async def test_an_issuer_that_is_down_sends_people_back_with_a_reason(
        self, start_server: StartServer
    ) -> None:
        with oidc_provider() as gone:
            config = gone.config()
        server = await start_server(oidc_providers=json.dumps([config]))
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{server.http_url}/v1/auth/oidc/test/login", allow_redirects=False
            ) as response,
        ):
            assert response.status == 303
            assert _signin_error(response) == "unavailable"
