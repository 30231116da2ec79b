"""Helpers for project tests: one call per request, and a ready-made team on two projects.

The team has a user for every role: on ``project`` an owner, a member, a viewer and a spare
viewer (``outsider``, the target of member changes); an admin and a ``stranger`` who are not on
it. ``other`` is the stranger's own project (with ``outsider`` as a member), which nobody else
in the team belongs to.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import aiohttp

from http_api.keys import DB
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, make_admin, register

__all__ = ["Reply", "ApiClient", "Team", "make_team", "ROLES"]

#: The callers a permission matrix covers, by the role they hold on the team's project.
ROLES = ("admin", "owner", "member", "viewer", "stranger")


@dataclass(frozen=True, slots=True)
class Reply:
    """A response, read: status, JSON body (None when empty) and headers."""

    status: int
    body: Any
    headers: Mapping[str, str]


class ApiClient:
    """Calls the REST API of one server as a given user."""

    def __init__(self, server: RunningServer, http: aiohttp.ClientSession) -> None:
        self.server = server
        self.http = http

    @classmethod
    @asynccontextmanager
    async def open(cls, server: RunningServer) -> AsyncIterator[ApiClient]:
        """A client for ``server``; its connections are closed on exit."""
        async with aiohttp.ClientSession() as http:
            yield cls(server, http)

    async def call(
        self,
        method: str,
        path: str,
        user: RegisteredUser | None,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        allow_redirects: bool = True,
    ) -> Reply:
        """Send one request (as ``user``, or anonymously) and read the whole response."""
        all_headers = dict(user.headers if user is not None else {})
        all_headers.update(headers or {})
        async with self.http.request(
            method,
            self.server.http_url + path,
            json=json,
            params=params,
            headers=all_headers,
            allow_redirects=allow_redirects,
        ) as response:
            return await _reply(response)

    async def upload(
        self,
        path: str,
        user: RegisteredUser | None,
        data: bytes,
        name: str = "photo.png",
        content_type: str = "image/png",
    ) -> Reply:
        """POST ``data`` to ``path`` as multipart/form-data, in the part ``file``."""
        form = aiohttp.FormData()
        form.add_field("file", io.BytesIO(data), filename=name, content_type=content_type)
        headers = user.headers if user is not None else {}
        async with self.http.post(self.server.http_url + path, data=form, headers=headers) as r:
            return await _reply(r)

    async def register(self, name: str) -> RegisteredUser:
        """A new account, signed in with a Bearer token."""
        return await register(self.http, self.server, name=name)

    async def create_project(self, owner: RegisteredUser, name: str, **fields: Any) -> UUID:
        """A new project owned by ``owner``; its id."""
        reply = await self.call("POST", "/v1/projects", owner, json={"name": name, **fields})
        assert reply.status == 201, reply.body
        return UUID(reply.body["id"])

    async def add_member(
        self, by: RegisteredUser, project_id: UUID, user: RegisteredUser, role: str
    ) -> None:
        """Put ``user`` on the project's team with ``role``."""
        reply = await self.call(
            "POST",
            f"/v1/projects/{project_id}/members",
            by,
            json={"email": user.email, "role": role},
        )
        assert reply.status == 201, reply.body


@dataclass(frozen=True, slots=True)
class Team:
    """Users in every role, the project they share and a project of someone else's."""

    users: Mapping[str, RegisteredUser]
    outsider: RegisteredUser
    project: UUID
    other: UUID
    #: every project made as ``other`` (the stranger's), including fresh ones
    others: set[UUID] = field(default_factory=set)

    def __getitem__(self, role: str) -> RegisteredUser:
        return self.users[role]

    async def fresh_projects(self, api: ApiClient) -> tuple[UUID, UUID]:
        """Another pair like ``project`` and ``other``, for calls that change or delete them."""
        project = await api.create_project(self["owner"], "team project")
        for role in ("member", "viewer"):
            await api.add_member(self["owner"], project, self[role], role)
        await api.add_member(self["owner"], project, self.outsider, "viewer")
        other = await api.create_project(self["stranger"], "someone else's project")
        await api.add_member(self["stranger"], other, self.outsider, "member")
        self.others.add(other)
        return project, other


async def make_team(api: ApiClient) -> Team:
    """Register the team (concurrently: password hashing dominates) and build its projects."""
    names = [*ROLES, "outsider"]
    users = await asyncio.gather(*(api.register(name) for name in names))
    by_name = dict(zip(names, users, strict=True))
    await make_admin(api.server.app[DB], by_name["admin"])
    outsider = by_name.pop("outsider")
    draft = Team(by_name, outsider, UUID(int=0), UUID(int=0))
    project, other = await draft.fresh_projects(api)
    return Team(by_name, outsider, project, other, draft.others)


async def _reply(response: aiohttp.ClientResponse) -> Reply:
    """The status, the body (JSON when it is JSON, else the bytes) and the headers."""
    raw = await response.read()
    body: Any = None
    if raw:
        try:
            body = await response.json(content_type=None)
        except ValueError:  # a file's bytes (GET /v1/files/{id}/content)
            body = raw
    return Reply(response.status, body, response.headers)
