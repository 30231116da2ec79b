"""Your account: who you are, your language, your API keys; and token sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from dttools_sdk.errors import ExportFailed
from dttools_sdk.models import ApiKey, ApiKeyCreated, DataExport, Language, Page, User
from dttools_sdk.resources._base import follow, page_params, read, segment
from dttools_sdk.resources.files import save
from dttools_sdk.transport import Transport

__all__ = ["Account", "Session", "sign_in", "refresh"]


@dataclass(frozen=True, slots=True)
class Session:
    """The tokens of a sign-in with ``client: "token"``."""

    user: User
    access_token: str
    refresh_token: str


def _session(data: dict[str, object]) -> Session:
    access, refresh_token = data.get("access_token"), data.get("refresh_token")
    if not isinstance(access, str) or not isinstance(refresh_token, str):
        raise TypeError("the server answered a token sign-in without tokens")
    return Session(User.model_validate(data["user"]), access, refresh_token)


async def sign_in(transport: Transport, email: str, password: str) -> Session:
    """Sign in with e-mail and password for Bearer tokens (a new login session).

    Raises:
        Unauthenticated: wrong e-mail or password (the server does not say which).
        RateLimited: too many failed attempts from here on this account.
    """
    body = {"email": email, "password": password, "client": "token"}
    response = await transport.request(
        "POST", "/v1/auth/login", json_body=body, authenticated=False
    )
    return _session(response.json())


async def refresh(transport: Transport, refresh_token: str) -> Session:
    """Trade a refresh token (it works once) for new access and refresh tokens."""
    body = {"refresh_token": refresh_token, "client": "token"}
    response = await transport.request(
        "POST", "/v1/auth/refresh", json_body=body, authenticated=False
    )
    return _session(response.json())


class Account:
    """The signed-in account (whoever the API key or token belongs to)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def me(self) -> User:
        """Your account."""
        return read(User, await self._http.request("GET", "/v1/auth/me"))

    async def update(self, *, name: str | None = None, locale: Language | None = None) -> User:
        """Change your name and/or the language of your e-mails and errors."""
        body = {
            key: value for key, value in (("name", name), ("locale", locale)) if value is not None
        }
        return read(User, await self._http.request("PATCH", "/v1/auth/me", json_body=body))

    async def create_api_key(self, name: str) -> ApiKeyCreated:
        """A new personal API key; its ``key`` is shown this once (needs a token sign-in)."""
        response = await self._http.request("POST", "/v1/auth/api-keys", json_body={"name": name})
        return read(ApiKeyCreated, response)

    async def api_keys(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[ApiKey]:
        """One page of your API keys (prefixes only), newest first."""
        response = await self._http.request(
            "GET", "/v1/auth/api-keys", params=page_params(limit, cursor)
        )
        return Page[ApiKey].model_validate(response.json())

    def iter_api_keys(self, *, page_size: int | None = None) -> AsyncIterator[ApiKey]:
        """Every API key of yours, newest first."""
        return follow(lambda cursor: self.api_keys(limit=page_size, cursor=cursor))

    async def api_key(self, key_id: str) -> ApiKey:
        """One of your API keys (its prefix; the secret is never shown again)."""
        return read(ApiKey, await self._http.request("GET", f"/v1/auth/api-keys/{segment(key_id)}"))

    async def revoke_api_key(self, key_id: str) -> None:
        """Revoke an API key: its requests fail and its live sockets close at once."""
        await self._http.request("DELETE", f"/v1/auth/api-keys/{segment(key_id)}")

    async def delete(self, *, password: str | None = None) -> None:
        """Delete your account: sessions, keys and sockets end; in every project your name
        and id become a pseudonym ("Removed participant N"). ``password`` is needed unless
        you signed in within the last 10 minutes.

        Raises:
            Conflict: you are the only owner of a project (hand it over or delete it).
            Forbidden: wrong password, not a recent sign-in, or an API key.
        """
        body = {} if password is None else {"password": password}
        await self._http.request("DELETE", "/v1/auth/me", json_body=body)

    async def delete_user(self, user_id: str) -> None:
        """Delete someone else's account, as :meth:`delete` does for your own (admins)."""
        await self._http.request("DELETE", f"/v1/admin/users/{segment(user_id)}")

    async def export_data(
        self, *, poll_interval_s: float = 0.5, timeout_s: float = 600.0
    ) -> DataExport:
        """Export everything the server keeps about you and wait until the zip is ready.

        Raises:
            ExportFailed: the job failed.
            TimeoutError: not finished within ``timeout_s``.
        """
        response = await self._http.request("POST", "/v1/auth/me/export")
        export = read(DataExport, response)
        async with asyncio.timeout(timeout_s):
            while export.status not in ("done", "failed"):
                await self._http.sleep(poll_interval_s)
                export = await self.data_export(export.id)
        if export.status == "failed":
            raise ExportFailed(export.id, export.error, None)
        return export

    async def data_export(self, export_id: str) -> DataExport:
        """One export of your data: status, progress and, once done, ``download_url``."""
        response = await self._http.request("GET", f"/v1/auth/me/export/{segment(export_id)}")
        return read(DataExport, response)

    async def download_data_export(
        self, export: DataExport, *, to: Path | None = None
    ) -> bytes | None:
        """The zip of a finished export of your data (or, with ``to``, saved there).

        Raises:
            ValueError: the export is not done yet.
        """
        if export.download_url is None:
            raise ValueError(f"export {export.id} is {export.status}, not done")
        return await save(self._http, export.download_url, to)
