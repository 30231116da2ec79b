"""Helpers for REST API tests: accounts, tokens, problem responses and audit rows.

Everything goes through the real HTTP API of a running server (or, for what the API does not
offer, such as granting the admin role, through the server's own persistence functions).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import aiohttp
import asyncpg

from http_api.keys import MAILER
from persistence.accounts import set_admin
from tests.conftest import RunningServer

__all__ = [
    "PASSWORD",
    "RegisteredUser",
    "unique_email",
    "register",
    "mailed_token",
    "verify_email",
    "login",
    "bearer",
    "csrf",
    "make_admin",
    "create_api_key",
    "read_problem",
    "audit_actions",
]

#: A password every test account gets unless a test says otherwise (10+ characters).
PASSWORD = "correct horse battery staple"

Client = Literal["browser", "token"]


@dataclass(frozen=True, slots=True)
class RegisteredUser:
    """An account created through the API and the credentials of its latest sign-in.

    ``access_token`` and ``refresh_token`` are set for ``client="token"``; ``csrf_token`` for
    ``client="browser"`` (whose tokens live in the session's cookie jar).
    """

    id: UUID
    email: str
    name: str
    password: str
    access_token: str | None = None
    refresh_token: str | None = None
    csrf_token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` with this user's access token."""
        assert self.access_token is not None, "signed in with client='browser': no token"
        return bearer(self.access_token)


def unique_email(prefix: str = "user") -> str:
    """An e-mail address no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def bearer(token: str) -> dict[str, str]:
    """Headers that authenticate with ``token`` (an access token or an API key)."""
    return {"Authorization": f"Bearer {token}"}


def csrf(user: RegisteredUser) -> dict[str, str]:
    """The CSRF header a browser session sends on unsafe requests."""
    assert user.csrf_token is not None, "signed in with client='token': no CSRF token"
    return {"X-CSRF-Token": user.csrf_token}


async def _signed_in(
    response: aiohttp.ClientResponse, status: int, email: str, name: str, password: str
) -> RegisteredUser:
    body: dict[str, Any] = await response.json()
    assert response.status == status, body
    return RegisteredUser(
        id=UUID(body["user"]["id"]),
        email=email,
        name=name,
        password=password,
        access_token=body.get("access_token"),
        refresh_token=body.get("refresh_token"),
        csrf_token=body.get("csrf_token"),
    )


async def mailed_token(server: RunningServer, to: str, page: str) -> str:
    """The token of the last link to ``page`` (``/verify-email``, ``/reset-password``) that
    ``server`` e-mailed to ``to``, once its mail queue has gone out (no SMTP: the log)."""
    await server.app[MAILER].drain()
    for message in reversed(server.app[MAILER].logged):
        if message["To"].lower() != to.lower():
            continue
        found = re.search(re.escape(page) + r"#token=(\S+)", message.get_content())
        if found is not None:
            return found.group(1)
    raise AssertionError(f"no e-mail to {to} with a {page} link")


async def verify_email(
    http: aiohttp.ClientSession,
    base_url: str,
    token: str,
    *,
    email: str,
    name: str,
    password: str,
    client: Client = "token",
) -> RegisteredUser:
    """Finish a sign-up with the e-mailed token: the account is created and signed in."""
    payload = {"token": token, "client": client}
    async with http.post(f"{base_url}/v1/auth/verify-email", json=payload) as response:
        return await _signed_in(response, 201, email, name, password)


async def register(
    http: aiohttp.ClientSession,
    server: RunningServer,
    *,
    email: str | None = None,
    name: str = "Test User",
    password: str = PASSWORD,
    client: Client = "token",
) -> RegisteredUser:
    """Create an account (a fresh e-mail address unless given) and sign it in.

    As a person would: ask for it, open the link the server e-mailed, and be signed in there.
    """
    email = email or unique_email()
    payload = {"email": email, "name": name, "password": password}
    async with http.post(f"{server.http_url}/v1/auth/register", json=payload) as response:
        body = await response.json()
        assert response.status == 202, body
    token = await mailed_token(server, email, "/verify-email")
    return await verify_email(
        http, server.http_url, token, email=email, name=name, password=password, client=client
    )


async def login(
    http: aiohttp.ClientSession, base_url: str, user: RegisteredUser, client: Client = "token"
) -> RegisteredUser:
    """Sign ``user`` in again: a new session, with its own tokens."""
    payload = {"email": user.email, "password": user.password, "client": client}
    async with http.post(f"{base_url}/v1/auth/login", json=payload) as response:
        signed_in = await _signed_in(response, 200, user.email, user.name, user.password)
    return dataclasses.replace(
        user,
        access_token=signed_in.access_token,
        refresh_token=signed_in.refresh_token,
        csrf_token=signed_in.csrf_token,
    )


async def make_admin(db: asyncpg.Pool, user: RegisteredUser) -> None:
    """Grant ``user`` the global admin role (the API has no way to, by design)."""
    assert await set_admin(db, user.email, True)


async def create_api_key(
    http: aiohttp.ClientSession, base_url: str, user: RegisteredUser, name: str = "test key"
) -> tuple[UUID, str]:
    """A new personal API key of ``user``: its id and the secret (shown only this once)."""
    async with http.post(
        f"{base_url}/v1/auth/api-keys", json={"name": name}, headers=user.headers
    ) as response:
        body: dict[str, Any] = await response.json()
        assert response.status == 201, body
    return UUID(body["id"]), body["key"]


async def read_problem(response: aiohttp.ClientResponse, status: int) -> dict[str, Any]:
    """Check that ``response`` is an RFC 9457 problem with ``status``; return its body."""
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "application/problem+json", text
    body: dict[str, Any] = await response.json(content_type="application/problem+json")
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    return body


async def audit_actions(db: asyncpg.Pool, actor_id: UUID) -> list[str]:
    """The audited actions of ``actor_id``, oldest first."""
    rows = await db.fetch("SELECT action FROM audit_log WHERE actor_id = $1 ORDER BY id", actor_id)
    return [row["action"] for row in rows]


async def call(
    base_url: str, user: RegisteredUser, method: str, path: str, body: Any = None
) -> Any:
    """Call the REST API as ``user`` (Bearer token); return the JSON body (2xx only)."""
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, base_url + path, json=body, headers=user.headers) as response,
    ):
        text = await response.text()
        assert response.status < 300, f"{method} {path}: {response.status} {text}"
        return await response.json(content_type=None) if text else None


async def create_project(base_url: str, owner: RegisteredUser, name: str) -> UUID:
    """A new project owned by ``owner``."""
    return UUID((await call(base_url, owner, "POST", "/v1/projects", {"name": name}))["id"])


async def add_member(
    base_url: str, owner: RegisteredUser, project: UUID | str, who: RegisteredUser, role: str
) -> None:
    """Put ``who`` on ``project``'s team with ``role`` (as its owner)."""
    body = {"email": who.email, "role": role}
    await call(base_url, owner, "POST", f"/v1/projects/{project}/members", body)
