"""/v1/auth with a real server and PostgreSQL: accounts, sessions, tokens, CSRF, keys, resets."""

from __future__ import annotations

import base64
import json
import random
import re
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from http.cookies import Morsel
from typing import Any
from uuid import UUID, uuid4

import aiohttp
import jwt
import pytest
from yarl import URL

from http_api.keys import AUTH, DB, MAILER
from http_api.principal import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from tests.conftest import IN_CI, RunningServer, StartServer
from tests.support.api import (
    PASSWORD,
    RegisteredUser,
    audit_actions,
    bearer,
    create_api_key,
    csrf,
    login,
    mailed_token,
    read_problem,
    register,
    unique_email,
    verify_email,
)
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.shared_server

#: The signing key of servers started with ``jwt_secret=KEY`` (so tests can forge tokens).
KEY = "test-signing-key-" + "0123456789abcdef" * 4


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client with a browser-like cookie jar (unsafe: the server's host is an IP)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


def browser() -> aiohttp.ClientSession:
    """Another browser, with its own cookie jar."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def cookie(http: aiohttp.ClientSession, name: str) -> str | None:
    """The value of a cookie in the jar, whatever its path."""
    values = [morsel.value for morsel in http.cookie_jar if morsel.key == name]
    return values[0] if values else None


def set_cookie(response: aiohttp.ClientResponse, name: str) -> Morsel[str]:
    """The Set-Cookie of ``name`` in a response."""
    assert name in response.cookies, list(response.cookies)
    return response.cookies[name]


async def me(http: aiohttp.ClientSession, server: RunningServer, **kwargs: Any) -> int:
    """The status of GET /v1/auth/me with these request options."""
    async with http.get(server.http_url + "/v1/auth/me", **kwargs) as response:
        return response.status


def claims_of(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified (to build forgeries from a real token)."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def loopback_address() -> str:
    """A random 127/8 source address: each one is a distinct client address to the server.

    Linux routes all of 127/8 to the loopback interface; elsewhere (macOS) only 127.0.0.1
    may be bound, and the tests that need distinct addresses are skipped (failed in CI).
    """
    address = f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
        except OSError as exc:  # pragma: no cover - depends on the machine
            if IN_CI:
                raise
            pytest.skip(f"cannot send from {address}: {exc}")
    return address


def client_at(address: str) -> aiohttp.ClientSession:
    """A client whose requests come from ``address``."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))


async def login_status(
    server: RunningServer, address: str, email: str, password: str
) -> aiohttp.ClientResponse:
    """POST /v1/auth/login from ``address``; the (read) response."""
    async with (
        client_at(address) as http,
        http.post(
            server.http_url + "/v1/auth/login",
            json={"email": email, "password": password, "client": "token"},
        ) as response,
    ):
        await response.read()
        return response


class TestRegister:
    async def test_register_then_the_mailed_link_creates_the_account_and_signs_in(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Registering answers 202 and signs nobody in; the e-mailed link's token, sent to
        verify-email, creates the account and answers 201 with working tokens (client: token)."""
        email = unique_email()
        async with http.post(
            server.http_url + "/v1/auth/register",
            json={"email": email, "name": "Ada", "password": PASSWORD, "client": "token"},
        ) as response:
            assert response.status == 202
            assert (await response.json())["status"] == "check-your-email"
            assert response.cookies == {}
        assert (
            await server.app[DB].fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
        )
        token = await mailed_token(server, email, "/verify-email")
        async with http.post(
            server.http_url + "/v1/auth/verify-email", json={"token": token, "client": "token"}
        ) as response:
            assert response.status == 201
            assert response.headers["Cache-Control"] == "no-store"
            assert response.headers["Location"] == "/v1/auth/me"
            body = await response.json()
        assert body["user"]["email"] == email
        assert body["user"]["name"] == "Ada"
        assert body["user"]["is_admin"] is False
        assert body["token_type"] == "Bearer"
        assert body["access_token"]
        assert body["refresh_token"]
        assert body["csrf_token"] is None
        assert "password" not in json.dumps(body)
        assert response.cookies == {}
        async with http.get(
            server.http_url + "/v1/auth/me", headers=bearer(body["access_token"])
        ) as response:
            assert response.status == 200
            assert await response.json() == body["user"]

    async def test_a_taken_email_in_any_case_gets_a_notice_not_an_account(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Registering a taken address, differently cased, answers 202 as for a new one: the
        owner is e-mailed a notice, no account or session is made, the password is unchanged."""
        email = unique_email("Case")
        owner = await register(http, server, email=email)
        async with http.post(
            server.http_url + "/v1/auth/register",
            json={"email": email.upper(), "name": "Twin", "password": "the twin's password"},
        ) as response:
            assert response.status == 202
            assert response.cookies == {}
        await server.app[MAILER].drain()
        notice = server.app[MAILER].logged[-1]
        assert notice["To"] == email.lower()
        assert notice["Subject"] == "You already have a DTTools account"
        assert "#token=" not in notice.get_content()
        assert (
            await server.app[DB].fetchval(
                "SELECT count(*) FROM users WHERE lower(email) = lower($1)", email
            )
            == 1
        )
        assert (await login(http, server.http_url, owner)).access_token

    async def test_sign_up_link_works_once_and_the_first_link_opened_wins(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Two pending sign-ups of one address: the first link opened creates the account;
        the other, and the first again, answer 401 (nobody can reserve an address)."""
        email = unique_email("twice")
        for name in ("First", "Second"):
            async with http.post(
                server.http_url + "/v1/auth/register",
                json={"email": email, "name": name, "password": PASSWORD},
            ) as response:
                assert response.status == 202
        await server.app[MAILER].drain()
        tokens = [
            m.get_content().split("#token=")[1].split()[0]
            for m in server.app[MAILER].logged
            if m["To"] == email
        ]
        assert len(tokens) == 2
        url = server.http_url + "/v1/auth/verify-email"
        async with http.post(url, json={"token": tokens[1], "client": "token"}) as response:
            assert response.status == 201
            assert (await response.json())["user"]["name"] == "Second"
        for token in tokens:
            async with http.post(url, json={"token": token}) as response:
                await read_problem(response, 401)

    async def test_expired_sign_up_link_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A sign-up link past its expiry answers 401 and creates no account."""
        email = unique_email("late")
        async with http.post(
            server.http_url + "/v1/auth/register",
            json={"email": email, "name": "Late", "password": PASSWORD},
        ) as response:
            assert response.status == 202
        token = await mailed_token(server, email, "/verify-email")
        await server.app[DB].execute(
            "UPDATE pending_signups SET expires_at = now() - interval '1 second' WHERE email = $1",
            email,
        )
        async with http.post(
            server.http_url + "/v1/auth/verify-email", json={"token": token}
        ) as response:
            await read_problem(response, 401)
        assert (
            await server.app[DB].fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
        )

    async def test_invalid_fields_are_listed_one_by_one(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Bad fields answer 422 with one {location, field, message} per problem."""
        async with http.post(
            server.http_url + "/v1/auth/register",
            json={"email": "not-an-email", "name": "", "password": "short", "role": "admin"},
        ) as response:
            body = await read_problem(response, 422)
        assert body["type"].endswith("/validation-error")
        fields = {error["field"] for error in body["errors"]}
        assert fields == {"email", "name", "password", "role"}
        for error in body["errors"]:
            assert error["location"] == "body"
            assert error["message"]

    async def test_missing_body_names_the_required_fields(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A POST without a body is validated as an empty object: 422 naming what is missing."""
        async with http.post(server.http_url + "/v1/auth/register") as response:
            body = await read_problem(response, 422)
        assert {error["field"] for error in body["errors"]} == {"email", "name", "password"}

    async def test_body_that_is_not_an_object_is_a_validation_error(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A JSON array where an object belongs answers 422, located in the body."""
        async with http.post(server.http_url + "/v1/auth/register", json=[1, 2]) as response:
            body = await read_problem(response, 422)
        assert body["errors"][0]["location"] == "body"

    async def test_invalid_json_is_a_bad_request(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A body that is not JSON answers 400 invalid-request."""
        async with http.post(
            server.http_url + "/v1/auth/register",
            data=b'{"email": ',
            headers={"Content-Type": "application/json"},
        ) as response:
            body = await read_problem(response, 400)
        assert body["type"].endswith("/invalid-request")

    async def test_other_content_types_are_unsupported(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A form-encoded body answers 415."""
        async with http.post(
            server.http_url + "/v1/auth/register",
            data={"email": unique_email(), "name": "Form", "password": PASSWORD},
        ) as response:
            await read_problem(response, 415)

    async def test_oversized_body_is_refused(self, start_server: StartServer) -> None:
        """A body over max_body_bytes answers 413 before it is parsed."""
        server = await start_server(max_body_bytes=1024)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                server.http_url + "/v1/auth/register",
                json={"email": unique_email(), "name": "x" * 4096, "password": PASSWORD},
            ) as response,
        ):
            await read_problem(response, 413)

    async def test_password_is_kept_verbatim(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Spaces around a password are part of it: the password without them is wrong."""
        user = await register(http, server, password="  spaced password  ")
        async with http.post(
            server.http_url + "/v1/auth/login",
            json={"email": user.email, "password": "spaced password", "client": "token"},
        ) as response:
            await read_problem(response, 401)
        assert (await login(http, server.http_url, user)).access_token


class TestLogin:
    async def test_browser_login_sets_hardened_cookies(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A browser gets httpOnly SameSite=Strict session cookies and a readable CSRF cookie."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/login",
            json={"email": user.email, "password": PASSWORD},
        ) as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "no-store"
            body = await response.json()
            access = set_cookie(response, ACCESS_COOKIE)
            refresh = set_cookie(response, REFRESH_COOKIE)
            csrf_cookie = set_cookie(response, CSRF_COOKIE)
        assert body["access_token"] is None
        assert body["refresh_token"] is None
        assert body["csrf_token"] == csrf_cookie.value
        for morsel in (access, refresh):
            assert morsel["httponly"]
            assert morsel["samesite"] == "Strict"
        assert not csrf_cookie["httponly"]
        assert csrf_cookie["samesite"] == "Strict"
        assert access["path"] == "/"
        assert refresh["path"] == "/v1/auth"
        assert csrf_cookie["path"] == "/"
        assert int(access["max-age"]) == 900
        # cookie_secure=auto over plain HTTP: not Secure (the browser would drop them)
        assert not access["secure"]

    async def test_cookies_are_secure_when_configured(self, start_server: StartServer) -> None:
        """With cookie_secure=true every session cookie is marked Secure."""
        server = await start_server(cookie_secure="true")
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            async with http.post(
                server.http_url + "/v1/auth/login",
                json={"email": user.email, "password": PASSWORD},
            ) as response:
                assert response.status == 200
                for name in (ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE):
                    assert set_cookie(response, name)["secure"]

    @pytest.mark.parametrize(
        ("proxies", "secure"),
        [("127.0.0.0/8", True), ("10.0.0.0/8", False)],
        ids=["trusted-proxy", "untrusted-peer"],
    )
    async def test_https_behind_a_proxy_is_believed_only_from_a_trusted_one(
        self, start_server: StartServer, proxies: str, secure: bool
    ) -> None:
        """X-Forwarded-Proto: https marks the cookies Secure when a trusted proxy sends it, and
        not when any other peer does (cookie_secure=auto, the default)."""
        server = await start_server(trusted_proxies=proxies)
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            async with http.post(
                server.http_url + "/v1/auth/login",
                json={"email": user.email, "password": PASSWORD},
                headers={"X-Forwarded-Proto": "https"},
            ) as response:
                assert response.status == 200
                for name in (ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE):
                    assert bool(set_cookie(response, name)["secure"]) is secure

    async def test_token_login_returns_tokens_in_the_body(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """client: token gets a new session's tokens in the body and no cookies."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/login",
            json={"email": user.email.upper(), "password": PASSWORD, "client": "token"},
        ) as response:
            assert response.status == 200
            body = await response.json()
            assert response.cookies == {}
        assert body["access_token"] != user.access_token
        assert body["refresh_token"] != user.refresh_token
        assert user.access_token is not None
        assert claims_of(body["access_token"])["sid"] != claims_of(user.access_token)["sid"]
        assert await me(http, server, headers=bearer(body["access_token"])) == 200

    async def test_wrong_password_and_unknown_account_look_the_same(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A wrong password and an unknown e-mail both answer 401 with the same body."""
        user = await register(http, server)
        answers = []
        for email, password in ((user.email, "wrong password!"), (unique_email(), PASSWORD)):
            async with http.post(
                server.http_url + "/v1/auth/login", json={"email": email, "password": password}
            ) as response:
                answers.append(await read_problem(response, 401))
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                assert response.cookies == {}
        assert answers[0] == answers[1]

    async def test_login_is_audited(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Successes and failures are in the audit log, failures for unknown e-mails too."""
        user = await register(http, server)
        nobody = unique_email("nobody")
        for email, password in ((user.email, "wrong password!"), (nobody, PASSWORD)):
            async with http.post(
                server.http_url + "/v1/auth/login", json={"email": email, "password": password}
            ) as response:
                assert response.status == 401
        await login(http, server.http_url, user)
        assert await audit_actions(server.app[DB], user.id) == [
            "auth.register",
            "auth.login.failed",
            "auth.login.succeeded",
        ]
        row = await server.app[DB].fetchrow(
            "SELECT actor_id, ip FROM audit_log "
            "WHERE action = 'auth.login.failed' AND details->>'email' = $1",
            nobody,
        )
        assert row is not None
        assert row["actor_id"] is None
        assert row["ip"] == "127.0.0.1"


class TestAuthentication:
    async def test_me_with_a_bearer_token(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """/me answers the account of a Bearer access token."""
        user = await register(http, server)
        async with http.get(server.http_url + "/v1/auth/me", headers=user.headers) as response:
            assert response.status == 200
            body = await response.json()
        assert body["id"] == str(user.id)
        assert body["email"] == user.email
        assert set(body) == {
            "id", "email", "name", "is_admin", "created_at", "locale", "guest_project",
        }  # fmt: skip
        assert body["guest_project"] is None  # an account, not a guest

    async def test_me_with_the_session_cookie(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """/me answers the account of the browser's session cookie (GET needs no CSRF)."""
        user = await register(http, server, client="browser")
        assert cookie(http, ACCESS_COOKIE)
        async with http.get(server.http_url + "/v1/auth/me") as response:
            assert response.status == 200
            assert (await response.json())["id"] == str(user.id)

    @pytest.mark.parametrize(
        "headers",
        [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}],
        ids=["none", "basic", "empty-bearer"],
    )
    async def test_missing_credentials_are_challenged(
        self, server: RunningServer, http: aiohttp.ClientSession, headers: dict[str, str]
    ) -> None:
        """No usable credentials answer 401 with a Bearer challenge."""
        async with http.get(server.http_url + "/v1/auth/me", headers=headers) as response:
            body = await read_problem(response, 401)
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="dttools"'
        assert body["type"].endswith("/unauthenticated")

    async def test_expired_access_token_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """An access token past its expiry answers 401, though its session is live."""
        user = await register(http, server)
        assert user.access_token is not None
        session_id = UUID(claims_of(user.access_token)["sid"])
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        expired, _ = server.app[AUTH].signer.issue(user.id, session_id, an_hour_ago)
        async with http.get(server.http_url + "/v1/auth/me", headers=bearer(expired)) as response:
            body = await read_problem(response, 401)
            assert "WWW-Authenticate" in response.headers
        assert "expired" in body["detail"]
        assert await me(http, server, headers=user.headers) == 200

    async def test_access_token_of_an_unknown_session_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A correctly signed token naming a session that never existed answers 401."""
        user = await register(http, server)
        token, _ = server.app[AUTH].signer.issue(user.id, uuid4(), datetime.now(UTC))
        assert await me(http, server, headers=bearer(token)) == 401

    async def test_access_token_names_its_session_user(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A signed token pairing a live session with another user answers 401."""
        alice = await register(http, server)
        bob = await register(http, server)
        assert alice.access_token is not None
        alice_session = UUID(claims_of(alice.access_token)["sid"])
        token, _ = server.app[AUTH].signer.issue(bob.id, alice_session, datetime.now(UTC))
        assert await me(http, server, headers=bearer(token)) == 401


def _resign(claims: dict[str, Any], key: str = KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


FORGERIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "alg-none": lambda c: _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(c) + ".",
    "wrong-key": lambda c: _resign(c, key="another-key-" + "fedcba9876543210" * 4),
    "hs512-right-key": lambda c: _resign(c, algorithm="HS512"),
    "wrong-audience": lambda c: _resign({**c, "aud": "someone-else"}),
    "no-audience": lambda c: _resign({k: v for k, v in c.items() if k != "aud"}),
    "wrong-issuer": lambda c: _resign({**c, "iss": "someone-else"}),
    "no-expiry": lambda c: _resign({k: v for k, v in c.items() if k != "exp"}),
    "no-session": lambda c: _resign({k: v for k, v in c.items() if k != "sid"}),
    "subject-not-a-uuid": lambda c: _resign({**c, "sub": "admin"}),
    "payload-swapped": lambda c: (
        _resign(c).split(".")[0]
        + "."
        + _b64({**c, "exp": c["exp"] + 86400})
        + "."
        + _resign(c).split(".")[2]
    ),
    "garbage": lambda c: "not.a.jwt",
}


class TestForgedTokens:
    @pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
    async def test_forged_token_is_refused(
        self, start_server: StartServer, forge: Callable[[dict[str, Any]], str]
    ) -> None:
        """A token we did not issue as is answers 401 with a challenge, even with our key."""
        server = await start_server(jwt_secret=KEY)
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            assert user.access_token is not None
            claims = claims_of(user.access_token)
            # The genuine token verifies with KEY: the forgery is refused for its flaw alone.
            assert _resign(claims) == user.access_token
            async with http.get(
                server.http_url + "/v1/auth/me", headers=bearer(forge(claims))
            ) as response:
                await read_problem(response, 401)
                assert response.headers["WWW-Authenticate"].startswith("Bearer")


class TestCsrf:
    async def test_cookie_post_needs_the_csrf_header(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A cookie-authenticated POST without, or with a wrong, X-CSRF-Token is forbidden."""
        user = await register(http, server, client="browser")
        assert cookie(http, CSRF_COOKIE) == user.csrf_token
        url = server.http_url + "/v1/auth/api-keys"
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
            async with http.post(url, json={"name": "k"}, headers=headers) as response:
                body = await read_problem(response, 403)
                assert "CSRF" in body["detail"]
        async with http.post(url, json={"name": "k"}, headers=csrf(user)) as response:
            assert response.status == 201
        async with http.get(url) as response:
            assert len((await response.json())["items"]) == 1

    async def test_header_without_the_cookie_is_forbidden(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """The header alone does not pass: it must match the CSRF cookie."""
        user = await register(http, server, client="browser")
        http.cookie_jar.clear(lambda morsel: morsel.key == CSRF_COOKIE)
        async with http.post(
            server.http_url + "/v1/auth/api-keys", json={"name": "k"}, headers=csrf(user)
        ) as response:
            await read_problem(response, 403)

    async def test_csrf_token_of_another_session_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A CSRF cookie and header pair that is valid for another session (as a sibling
        subdomain could plant) is refused, for API calls and for refresh; the victim's own
        token still works afterwards, and their refresh token was not spent."""
        victim = await register(http, server, client="browser")
        async with browser() as other:
            attacker = await register(other, server, client="browser")
        assert attacker.csrf_token is not None
        assert attacker.csrf_token != victim.csrf_token
        planted = {"X-CSRF-Token": attacker.csrf_token}
        http.cookie_jar.update_cookies(
            {CSRF_COOKIE: attacker.csrf_token}, response_url=URL(server.http_url)
        )
        async with http.post(
            server.http_url + "/v1/auth/api-keys", json={"name": "k"}, headers=planted
        ) as response:
            await read_problem(response, 403)
        async with http.post(server.http_url + "/v1/auth/refresh", headers=planted) as response:
            await read_problem(response, 403)
        async with http.post(server.http_url + "/v1/auth/logout", headers=planted) as response:
            await read_problem(response, 403)
        assert await me(http, server) == 200
        http.cookie_jar.update_cookies(
            {CSRF_COOKIE: victim.csrf_token or ""}, response_url=URL(server.http_url)
        )
        async with http.post(
            server.http_url + "/v1/auth/refresh", headers=csrf(victim)
        ) as response:
            assert response.status == 200
        async with http.post(
            server.http_url + "/v1/auth/api-keys", json={"name": "k"}, headers=csrf(victim)
        ) as response:
            assert response.status == 201

    async def test_each_session_has_its_own_csrf_token(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Two sign-ins of one account get different CSRF tokens, each bound to its session."""
        user = await register(http, server, client="browser")
        again = await login(http, server.http_url, user, client="browser")
        assert again.csrf_token != user.csrf_token

    async def test_bearer_post_needs_no_csrf_header(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A Bearer-authenticated POST is not subject to CSRF checks."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/api-keys", json={"name": "k"}, headers=user.headers
        ) as response:
            assert response.status == 201


class TestRefresh:
    async def test_refresh_rotates_the_refresh_token(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A refresh answers a new access token and a new refresh token of the same session."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/refresh",
            json={"refresh_token": user.refresh_token, "client": "token"},
        ) as response:
            assert response.status == 200
            body = await response.json()
        assert body["refresh_token"] != user.refresh_token
        assert user.access_token is not None
        assert claims_of(body["access_token"])["sid"] == claims_of(user.access_token)["sid"]
        assert await me(http, server, headers=bearer(body["access_token"])) == 200
        async with http.post(
            server.http_url + "/v1/auth/refresh",
            json={"refresh_token": body["refresh_token"], "client": "token"},
        ) as response:
            assert response.status == 200

    async def test_reused_refresh_token_revokes_the_whole_family(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Presenting a spent refresh token ends the session: every token of it stops working."""
        user = await register(http, server)
        other = await login(http, server.http_url, user)
        url = server.http_url + "/v1/auth/refresh"
        async with http.post(
            url, json={"refresh_token": user.refresh_token, "client": "token"}
        ) as response:
            rotated = await response.json()
            assert response.status == 200
        async with http.post(
            url, json={"refresh_token": user.refresh_token, "client": "token"}
        ) as response:
            body = await read_problem(response, 401)
        assert "reused" in body["detail"]
        assert await me(http, server, headers=user.headers) == 401
        assert await me(http, server, headers=bearer(rotated["access_token"])) == 401
        async with http.post(
            url, json={"refresh_token": rotated["refresh_token"], "client": "token"}
        ) as response:
            await read_problem(response, 401)
        # Another session of the same account is untouched.
        assert await me(http, server, headers=other.headers) == 200
        assert "auth.refresh.reused" in await audit_actions(server.app[DB], user.id)

    async def test_unknown_refresh_token_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A refresh token we never issued answers 401."""
        async with http.post(
            server.http_url + "/v1/auth/refresh",
            json={"refresh_token": "made-up", "client": "token"},
        ) as response:
            await read_problem(response, 401)

    async def test_refresh_without_a_token_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A refresh with neither a body token nor a cookie answers 401."""
        async with http.post(server.http_url + "/v1/auth/refresh", json={}) as response:
            await read_problem(response, 401)

    async def test_expired_session_cannot_refresh(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Once its session has expired, a refresh token answers 401."""
        user = await register(http, server)
        await server.app[DB].execute(
            "UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            user.id,
        )
        async with http.post(
            server.http_url + "/v1/auth/refresh",
            json={"refresh_token": user.refresh_token, "client": "token"},
        ) as response:
            body = await read_problem(response, 401)
        assert "expired" in body["detail"]
        assert await me(http, server, headers=user.headers) == 401

    async def test_cookie_refresh_needs_the_csrf_header(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A refresh with the refresh cookie is refused without X-CSRF-Token, then works."""
        user = await register(http, server, client="browser")
        url = server.http_url + "/v1/auth/refresh"
        async with http.post(url, json={}) as response:
            await read_problem(response, 403)
        # A fetch() without a body, as a browser script would send it.
        async with http.post(url, headers=csrf(user)) as response:
            assert response.status == 200
            body = await response.json()
            assert set_cookie(response, REFRESH_COOKIE)["path"] == "/v1/auth"
        assert body["access_token"] is None
        assert body["csrf_token"] == cookie(http, CSRF_COOKIE)
        # Bound to the session, not to one access token: the page's token stays valid.
        assert body["csrf_token"] == user.csrf_token
        assert cookie(http, ACCESS_COOKIE)
        assert await me(http, server) == 200


class TestLogout:
    async def test_token_logout_ends_the_session(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """After logout with the refresh token, its access and refresh tokens are refused."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/logout", json={"refresh_token": user.refresh_token}
        ) as response:
            assert response.status == 204
        assert await me(http, server, headers=user.headers) == 401
        async with http.post(
            server.http_url + "/v1/auth/refresh",
            json={"refresh_token": user.refresh_token, "client": "token"},
        ) as response:
            await read_problem(response, 401)
        assert "auth.logout" in await audit_actions(server.app[DB], user.id)

    async def test_bearer_logout_needs_no_body(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A bodyless POST /logout with the access token ends that session."""
        user = await register(http, server)
        async with http.post(server.http_url + "/v1/auth/logout", headers=user.headers) as response:
            assert response.status == 204
        assert await me(http, server, headers=user.headers) == 401

    async def test_browser_logout_clears_the_cookies(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A browser logout (with CSRF) ends the session and deletes the session cookies."""
        user = await register(http, server, client="browser")
        access = cookie(http, ACCESS_COOKIE)
        assert access is not None
        async with http.post(server.http_url + "/v1/auth/logout", headers=csrf(user)) as response:
            assert response.status == 204
        for name in (ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE):
            assert cookie(http, name) is None
        assert await me(http, server) == 401
        # The old cookie's token, replayed by hand, is refused too.
        assert await me(http, server, headers=bearer(access)) == 401

    async def test_browser_logout_without_csrf_is_forbidden(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A cross-site logout attempt (no CSRF header) is refused and the session lives on."""
        await register(http, server, client="browser")
        async with http.post(server.http_url + "/v1/auth/logout") as response:
            await read_problem(response, 403)
        assert await me(http, server) == 200

    async def test_logout_leaves_other_sessions(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Signing out on one device keeps the account's other sessions."""
        user = await register(http, server)
        laptop = await login(http, server.http_url, user)
        async with http.post(
            server.http_url + "/v1/auth/logout", json={"refresh_token": user.refresh_token}
        ) as response:
            assert response.status == 204
        assert await me(http, server, headers=laptop.headers) == 200


class TestRateLimits:
    async def test_login_guesses_back_off_per_account_and_address(
        self, start_server: StartServer
    ) -> None:
        """Past auth_attempts failures on one account from one address, that pair gets 429
        with Retry-After, even with the right password; other addresses are not slowed."""
        server = await start_server(auth_attempts=3)
        async with client_at(loopback_address()) as http:
            user = await register(http, server)
        guesser = loopback_address()
        for _ in range(3):
            response = await login_status(server, guesser, user.email, "wrong pass")
            assert response.status == 401
        response = await login_status(server, guesser, user.email, PASSWORD)
        assert response.status == 429
        assert response.content_type == "application/problem+json"
        assert 1 <= int(response.headers["Retry-After"]) <= 900
        response = await login_status(server, loopback_address(), user.email, PASSWORD)
        assert response.status == 200

    async def test_login_attempts_are_limited_per_address(self, start_server: StartServer) -> None:
        """Past auth_address_attempts from one address, over many accounts: 429 there only."""
        server = await start_server(auth_address_attempts=3)
        async with client_at(loopback_address()) as http:
            user = await register(http, server)
        address = loopback_address()
        for _ in range(3):
            response = await login_status(server, address, unique_email(), PASSWORD)
            assert response.status == 401
        response = await login_status(server, address, user.email, PASSWORD)
        assert response.status == 429
        assert "Retry-After" in response.headers
        response = await login_status(server, loopback_address(), user.email, PASSWORD)
        assert response.status == 200

    async def test_password_reset_requests_are_limited(self, start_server: StartServer) -> None:
        """Past auth_attempts reset requests for one account get 429 and send no e-mail."""
        server = await start_server(auth_attempts=3)
        async with client_at(loopback_address()) as http:
            user = await register(http, server)
            for status in (202, 202, 202, 429):
                async with http.post(
                    server.http_url + "/v1/auth/forgot-password", json={"email": user.email}
                ) as response:
                    assert response.status == status
        await server.app[MAILER].drain()
        resets = [m for m in server.app[MAILER].logged if m["Subject"].startswith("Reset")]
        assert [m["To"] for m in resets] == [user.email] * 3


async def reset_token(server: RunningServer, email: str) -> str:
    """The token in the last reset e-mail sent to ``email``."""
    await server.app[MAILER].drain()
    messages = [
        m
        for m in server.app[MAILER].logged
        if m["To"] == email and m["Subject"] == "Reset your DTTools password"
    ]
    assert messages, f"no e-mail to {email}"
    body = messages[-1].get_content()
    link = re.search(r"(\S+)#token=(\S+)", body)
    assert link is not None, body
    assert link.group(1) == server.http_url + "/reset-password"
    return link.group(2)


class TestPasswordReset:
    async def test_forgot_password_answers_202_for_anyone(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Known and unknown e-mails get the same 202; only the known one gets a message."""
        user = await register(http, server)
        before = len(server.app[MAILER].logged)
        for email in (unique_email("nobody"), user.email.upper()):
            async with http.post(
                server.http_url + "/v1/auth/forgot-password", json={"email": email}
            ) as response:
                assert response.status == 202
                assert await response.read() == b""
        await server.app[MAILER].drain()
        sent = server.app[MAILER].logged[before:]
        assert [m["To"] for m in sent] == [user.email]
        assert sent[0]["Subject"] == "Reset your DTTools password"
        assert await reset_token(server, user.email)

    async def test_reset_link_uses_the_public_url(self, start_server: StartServer) -> None:
        """With public_url set, the e-mailed link points there."""
        server = await start_server(public_url="https://workshops.example.org/")
        async with aiohttp.ClientSession() as http:
            user = await register(http, server)
            async with http.post(
                server.http_url + "/v1/auth/forgot-password", json={"email": user.email}
            ) as response:
                assert response.status == 202
        await server.app[MAILER].drain()
        body = server.app[MAILER].logged[-1].get_content()
        assert "https://workshops.example.org/reset-password#token=" in body

    async def test_reset_sets_the_password_once_and_ends_sessions(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A reset token sets a new password once, and every existing session ends."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/forgot-password", json={"email": user.email}
        ) as response:
            assert response.status == 202
        token = await reset_token(server, user.email)
        new_password = "a brand new passphrase"
        url = server.http_url + "/v1/auth/reset-password"
        async with http.post(url, json={"token": token, "password": new_password}) as response:
            assert response.status == 204
        assert await me(http, server, headers=user.headers) == 401
        async with http.post(
            server.http_url + "/v1/auth/refresh",
            json={"refresh_token": user.refresh_token, "client": "token"},
        ) as response:
            await read_problem(response, 401)
        async with http.post(
            server.http_url + "/v1/auth/login", json={"email": user.email, "password": PASSWORD}
        ) as response:
            await read_problem(response, 401)
        await login(http, server.http_url, RegisteredUser(user.id, user.email, "", new_password))
        async with http.post(url, json={"token": token, "password": "yet another one"}) as response:
            await read_problem(response, 401)
        actions = await audit_actions(server.app[DB], user.id)
        assert "auth.password_reset.requested" in actions
        assert "auth.password_reset.completed" in actions

    async def test_expired_reset_token_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A reset token past its expiry answers 401 and leaves the password unchanged."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/forgot-password", json={"email": user.email}
        ) as response:
            assert response.status == 202
        token = await reset_token(server, user.email)
        await server.app[DB].execute(
            "UPDATE password_resets SET expires_at = now() - interval '1 second' "
            "WHERE user_id = $1",
            user.id,
        )
        async with http.post(
            server.http_url + "/v1/auth/reset-password",
            json={"token": token, "password": "a brand new passphrase"},
        ) as response:
            await read_problem(response, 401)
        assert await me(http, server, headers=user.headers) == 200
        assert (await login(http, server.http_url, user)).access_token

    async def test_reset_spends_older_links_too(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Once a reset link has been used, links e-mailed before it no longer work."""
        user = await register(http, server)
        tokens = []
        for _ in range(2):
            async with http.post(
                server.http_url + "/v1/auth/forgot-password", json={"email": user.email}
            ) as response:
                assert response.status == 202
            tokens.append(await reset_token(server, user.email))
        url = server.http_url + "/v1/auth/reset-password"
        async with http.post(
            url, json={"token": tokens[1], "password": "a brand new passphrase"}
        ) as response:
            assert response.status == 204
        async with http.post(
            url, json={"token": tokens[0], "password": "an attacker's passphrase"}
        ) as response:
            await read_problem(response, 401)

    async def test_smtp_without_a_public_url_is_refused_at_start(
        self, start_server: StartServer
    ) -> None:
        """E-mailed links never come from a Host header: SMTP needs DTTOOLS_PUBLIC_URL."""
        with pytest.raises(ValueError, match="DTTOOLS_PUBLIC_URL"):
            await start_server(smtp_url="smtp://127.0.0.1:1")

    async def test_reset_link_is_mailed_over_smtp(self, start_server: StartServer) -> None:
        """With SMTP and public_url the link is mailed, pointing at public_url whatever the Host."""
        async with aiohttp.ClientSession() as http:
            # Signed up on a node that logs its mail (the same database), to read the link.
            user = await register(http, await start_server())
        async with SmtpSink() as sink:
            server = await start_server(
                smtp_url=f"smtp://127.0.0.1:{sink.port}", public_url="https://dt.example.org"
            )
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    server.http_url + "/v1/auth/forgot-password",
                    json={"email": user.email},
                    headers={"Host": "evil.example"},
                ) as response,
            ):
                assert response.status == 202
            await server.app[MAILER].drain()
        [message] = sink.messages
        assert message["To"] == user.email
        body = message.get_content()
        assert "https://dt.example.org/reset-password#token=" in body
        assert "evil.example" not in body
        assert server.app[MAILER].logged == []

    async def test_made_up_reset_token_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A token that was never issued answers 401."""
        async with http.post(
            server.http_url + "/v1/auth/reset-password",
            json={"token": "made-up", "password": "a brand new passphrase"},
        ) as response:
            await read_problem(response, 401)


class TestApiKeys:
    async def test_key_is_shown_once_and_authenticates(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A new key starts with dtt_, works as a Bearer token, and is never listed again."""
        user = await register(http, server)
        async with http.post(
            server.http_url + "/v1/auth/api-keys", json={"name": "CI"}, headers=user.headers
        ) as response:
            assert response.status == 201
            created = await response.json()
            location = response.headers["Location"]
        assert location == f"/v1/auth/api-keys/{created['id']}"
        async with http.get(server.http_url + location, headers=user.headers) as response:
            assert response.status == 200
            one = await response.json()
        assert one["id"] == created["id"]
        assert "key" not in one
        key = created["key"]
        assert key.startswith("dtt_")
        assert len(key) > 40
        assert key.startswith(created["prefix"])
        assert created["revoked_at"] is None
        async with http.get(server.http_url + "/v1/auth/me", headers=bearer(key)) as response:
            assert response.status == 200
            assert (await response.json())["id"] == str(user.id)
        async with http.get(
            server.http_url + "/v1/auth/api-keys", headers=user.headers
        ) as response:
            assert response.status == 200
            listed = (await response.json())["items"]
        assert len(listed) == 1
        assert listed[0]["id"] == created["id"]
        assert listed[0]["name"] == "CI"
        assert listed[0]["last_used_at"] is not None
        assert "key" not in listed[0]
        assert key not in json.dumps(listed)
        assert "auth.api_key.created" in await audit_actions(server.app[DB], user.id)

    async def test_revoked_key_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """After revocation a key answers 401; revoking it again is 404."""
        user = await register(http, server)
        key_id, key = await create_api_key(http, server.http_url, user)
        url = f"{server.http_url}/v1/auth/api-keys/{key_id}"
        async with http.delete(url, headers=user.headers) as response:
            assert response.status == 204
        async with http.get(server.http_url + "/v1/auth/me", headers=bearer(key)) as response:
            await read_problem(response, 401)
            assert "WWW-Authenticate" in response.headers
        async with http.delete(url, headers=user.headers) as response:
            await read_problem(response, 404)
        async with http.get(
            server.http_url + "/v1/auth/api-keys", headers=user.headers
        ) as response:
            [listed] = (await response.json())["items"]
        assert listed["revoked_at"] is not None
        assert "auth.api_key.revoked" in await audit_actions(server.app[DB], user.id)

    async def test_someone_elses_key_cannot_be_revoked(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Revoking another user's key answers 404, as for a missing key, and it keeps working."""
        alice = await register(http, server)
        mallory = await register(http, server)
        key_id, key = await create_api_key(http, server.http_url, alice)
        for target in (key_id, uuid4()):
            async with http.delete(
                f"{server.http_url}/v1/auth/api-keys/{target}", headers=mallory.headers
            ) as response:
                await read_problem(response, 404)
        assert await me(http, server, headers=bearer(key)) == 200

    async def test_malformed_key_id_is_not_found(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A key id that is not a UUID answers 404."""
        user = await register(http, server)
        async with http.delete(
            server.http_url + "/v1/auth/api-keys/not-a-uuid", headers=user.headers
        ) as response:
            await read_problem(response, 404)

    async def test_keys_cannot_mint_keys(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Creating a key with an API key is forbidden (a leaked key cannot multiply)."""
        user = await register(http, server)
        _, key = await create_api_key(http, server.http_url, user)
        async with http.post(
            server.http_url + "/v1/auth/api-keys", json={"name": "more"}, headers=bearer(key)
        ) as response:
            await read_problem(response, 403)

    async def test_made_up_key_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """A dtt_ key that was never issued answers 401."""
        assert await me(http, server, headers=bearer("dtt_" + "x" * 43)) == 401

    async def test_keys_are_listed_per_user(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        """Each user lists only their own keys, newest first."""
        alice = await register(http, server)
        bob = await register(http, server)
        first, _ = await create_api_key(http, server.http_url, alice, "first")
        second, _ = await create_api_key(http, server.http_url, alice, "second")
        await create_api_key(http, server.http_url, bob, "bob's")
        async with http.get(
            server.http_url + "/v1/auth/api-keys", headers=alice.headers
        ) as response:
            listed = (await response.json())["items"]
        assert [UUID(k["id"]) for k in listed] == [second, first]
        async with http.get(
            server.http_url + "/v1/auth/api-keys", params={"limit": 1}, headers=alice.headers
        ) as response:
            page = await response.json()
        assert [UUID(k["id"]) for k in page["items"]] == [second]
        async with http.get(
            server.http_url + "/v1/auth/api-keys",
            params={"limit": 1, "cursor": page["next_cursor"]},
            headers=alice.headers,
        ) as response:
            rest = await response.json()
        assert [UUID(k["id"]) for k in rest["items"]] == [first]
        assert rest["next_cursor"] is None
        async with http.get(
            f"{server.http_url}/v1/auth/api-keys/{first}", headers=bob.headers
        ) as response:
            await read_problem(response, 404)  # someone else's key is not found


class TestLocale:
    """The account's language: chosen at sign-up, read and changed at /me, used for e-mail."""

    async def _sign_up(
        self,
        server: RunningServer,
        http: aiohttp.ClientSession,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> tuple[str, dict[str, Any], aiohttp.ClientResponse]:
        email = unique_email("locale")
        payload = {"email": email, "name": "Ana", "password": PASSWORD, **fields}
        async with http.post(
            server.http_url + "/v1/auth/register", json=payload, headers=headers or {}
        ) as response:
            body = await response.json(content_type=None)
        return email, body, response

    async def _account_locale(
        self, server: RunningServer, http: aiohttp.ClientSession, email: str
    ) -> str:
        token = await mailed_token(server, email, "/verify-email")
        user = await verify_email(
            http, server.http_url, token, email=email, name="Ana", password=PASSWORD
        )
        async with http.get(server.http_url + "/v1/auth/me", headers=user.headers) as response:
            body = await response.json()
        locale: str = body["locale"]
        return locale

    @pytest.mark.parametrize(
        ("fields", "accept", "expected"),
        [
            ({}, None, "en"),
            ({}, "pt-PT,pt;q=0.9", "pt-BR"),
            ({}, "de, pt-br;q=0.5, en;q=0.4", "pt-BR"),
            ({}, "en-GB", "en"),
            ({}, "fr", "en"),
            ({"locale": "pt-BR"}, "en", "pt-BR"),  # the body wins over the header
            ({"locale": "en"}, "pt-BR", "en"),
        ],
    )
    async def test_sign_up_chooses_the_locale(
        self,
        server: RunningServer,
        http: aiohttp.ClientSession,
        fields: dict[str, str],
        accept: str | None,
        expected: str,
    ) -> None:
        headers = {"Accept-Language": accept} if accept else None
        email, _, response = await self._sign_up(server, http, headers, **fields)
        assert response.status == 202
        assert await self._account_locale(server, http, email) == expected

    async def test_an_unsupported_locale_at_sign_up_is_refused(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        _, body, response = await self._sign_up(server, http, locale="pt_BR")
        assert response.status == 422
        assert [e["field"] for e in body["errors"]] == ["locale"]

    async def test_the_sign_up_answer_and_link_are_in_its_language(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        email, body, response = await self._sign_up(server, http, locale="pt-BR")
        assert body["status"] == "check-your-email"
        assert body["detail"].startswith("Enviamos uma mensagem para este endereço.")
        assert response.headers["Content-Language"] == "pt-BR"
        await server.app[MAILER].drain()
        [message] = [m for m in server.app[MAILER].logged if m["To"] == email]
        assert message["Subject"] == "Conclua a criação da sua conta no DTTools"
        content = message.get_content()
        assert content.startswith("Olá, Ana,")
        assert "/verify-email#token=" in content
        assert "minutos" in content or "horas" in content

    async def test_patch_me_changes_the_locale_and_answers_like_get(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        user = await register(http, server)
        url = server.http_url + "/v1/auth/me"
        async with http.patch(url, json={"locale": "pt-BR"}, headers=user.headers) as response:
            assert response.status == 200
            patched = await response.json()
        async with http.get(url, headers=user.headers) as response:
            assert await response.json() == patched
        assert (patched["locale"], patched["name"]) == ("pt-BR", user.name)
        async with http.patch(url, json={"name": "Renamed"}, headers=user.headers) as response:
            assert (await response.json())["name"] == "Renamed"
            assert (await response.json())["locale"] == "pt-BR"  # omitted: unchanged
        assert "auth.account.updated" in await audit_actions(server.app[DB], user.id)

    @pytest.mark.parametrize("locale", ["fr", "pt_BR", "PT-BR", "", None])
    async def test_patch_me_refuses_an_unsupported_locale(
        self, server: RunningServer, http: aiohttp.ClientSession, locale: str | None
    ) -> None:
        user = await register(http, server)
        async with http.patch(
            server.http_url + "/v1/auth/me",
            json={"locale": locale} if locale is not None else {"locale": 1},
            headers={**user.headers, "Accept-Language": "pt-BR"},
        ) as response:
            body = await read_problem(response, 422)
        assert [(e["location"], e["field"]) for e in body["errors"]] == [("body", "locale")]
        assert body["type"] == "https://dttools.dev/problems/validation-error"
        assert body["title"] == "Dados inválidos"

    async def test_a_cookie_session_needs_csrf_to_patch_me(
        self, server: RunningServer, http: aiohttp.ClientSession
    ) -> None:
        await register(http, server, client="browser")
        async with http.patch(
            server.http_url + "/v1/auth/me", json={"locale": "pt-BR"}
        ) as response:
            await read_problem(response, 403)

    async def test_reset_and_notice_mails_are_in_the_account_language(
        self, start_server: StartServer
    ) -> None:
        """Through a real SMTP conversation: subject and body in the recipient's language."""
        async with aiohttp.ClientSession() as http:
            user = await register(http, await start_server())
            logged = await start_server()
            async with http.patch(
                logged.http_url + "/v1/auth/me", json={"locale": "pt-BR"}, headers=user.headers
            ) as response:
                assert response.status == 200
        async with SmtpSink() as sink:
            server = await start_server(
                smtp_url=f"smtp://127.0.0.1:{sink.port}", public_url="https://dt.example.org"
            )
            async with aiohttp.ClientSession() as http:
                # The reader's header does not matter: the mail goes to the account's owner.
                for path, payload in [
                    ("/v1/auth/forgot-password", {"email": user.email}),
                    ("/v1/auth/register", {"email": user.email, "name": "X", "password": PASSWORD}),
                ]:
                    async with http.post(
                        server.http_url + path, json=payload, headers={"Accept-Language": "en"}
                    ) as response:
                        assert response.status == 202
            await server.app[MAILER].drain()
        # the mailer sends concurrently: find each by its subject
        by_subject = {message["Subject"]: message for message in sink.messages}
        assert len(by_subject) == 2
        reset = by_subject["Redefina sua senha do DTTools"]
        notice = by_subject["Você já tem uma conta no DTTools"]
        assert reset.get_content().startswith(f"Olá, {user.name},\n\nPara escolher uma nova senha")
        assert "https://dt.example.org/reset-password#token=" in reset.get_content()
        assert "https://dt.example.org/#/forgot" in notice.get_content()
