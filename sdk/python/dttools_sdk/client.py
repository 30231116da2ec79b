"""The entry point: ``DTTools``, one signed-in client with every resource and live documents."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Self

import aiohttp

from dttools_sdk.content import (
    EmpathyMap,
    EmpathyMapCreate,
    EmpathyMapPatch,
    HmwQuestion,
    HmwQuestionCreate,
    HmwQuestionPatch,
    Idea,
    IdeaCreate,
    IdeaPatch,
    Persona,
    PersonaCreate,
    PersonaPatch,
    PovStatement,
    PovStatementCreate,
    PovStatementPatch,
    Prototype,
    PrototypeCreate,
    PrototypePatch,
    UserTestResult,
    UserTestResultCreate,
    UserTestResultPatch,
)
from dttools_sdk.errors import Unauthenticated
from dttools_sdk.live import LiveDocument, open_live
from dttools_sdk.resources import account
from dttools_sdk.resources.account import Account
from dttools_sdk.resources.artifacts import ArtifactResource, UserTests
from dttools_sdk.resources.brainstorm import Brainstorms
from dttools_sdk.resources.exports import Exports
from dttools_sdk.resources.files import Files
from dttools_sdk.resources.projects import (
    Audit,
    Invitations,
    Invites,
    Members,
    Projects,
    Templates,
    Versions,
)
from dttools_sdk.resources.webhooks import Webhooks
from dttools_sdk.retry import RetryPolicy
from dttools_sdk.transport import Sleep, Transport

__all__ = ["DTTools"]


class DTTools:
    """An async client of one DTTools server, used as ``async with DTTools(...) as client``.

    Authenticate with exactly one of ``api_key`` (``dtt_...``), ``token`` (an access token
    you obtained yourself) or ``email`` and ``password`` (signed in on entry; the access
    token is then refreshed by itself when it expires).

    Args:
        base_url: the server, such as ``https://dttools.example.com``.
        retry: how to retry (429, 502-504 and broken connections; ``Retry-After`` honoured).
        session: an aiohttp session to use (the client then leaves it open on exit).
        headers: extra headers for every request, such as ``Accept-Language`` for the
            language of error messages.
        sleep, clock, jitter: injectable for tests (defaults: asyncio.sleep, time.time,
            random.random).
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        ways = sum(x is not None for x in (api_key, token, email))
        if ways > 1:
            raise ValueError("pass one of api_key, token or email/password, not several")
        if (email is None) != (password is None):
            raise ValueError("email and password go together")
        self._login = None if email is None or password is None else (email, password)
        self._own_session = session is None
        self._refresh_token: str | None = None
        self._user_id: str | None = None
        self.http = Transport(
            base_url,
            session,
            token=api_key or token,
            retry=retry or RetryPolicy(),
            sleep=sleep,
            clock=clock,
            jitter=jitter,
            headers=headers,
        )
        """The transport, for calls the SDK does not wrap (``await client.http.request(...)``)."""
        self._bind(self.http)

    async def __aenter__(self) -> Self:
        if self.http.session is None:
            self.http.session = aiohttp.ClientSession()
        if self._login is not None:
            try:
                signed_in = await account.sign_in(self.http, *self._login)
            except BaseException:
                await self._close()
                raise
            self.http.token = signed_in.access_token
            self._refresh_token = signed_in.refresh_token
            self._user_id = signed_in.user.id
            self.http.refresher = self._refresh
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    def _bind(self, http: Transport) -> None:
        self.projects = Projects(http)
        self.members = Members(http)
        self.invitations = Invitations(http)
        self.versions = Versions(http)
        self.invites = Invites(http)
        self.templates = Templates(http)
        self.account = Account(http)
        self.files = Files(http)
        self.exports = Exports(http)
        self.brainstorms = Brainstorms(http)
        self.audit = Audit(http)
        self.webhooks = Webhooks(http)
        self.personas = ArtifactResource[Persona, PersonaCreate, PersonaPatch](
            http, "personas", Persona
        )
        self.empathy_maps = ArtifactResource[EmpathyMap, EmpathyMapCreate, EmpathyMapPatch](
            http, "empathy-maps", EmpathyMap
        )
        self.pov_statements = ArtifactResource[PovStatement, PovStatementCreate, PovStatementPatch](
            http, "pov-statements", PovStatement
        )
        self.hmw_questions = ArtifactResource[HmwQuestion, HmwQuestionCreate, HmwQuestionPatch](
            http, "hmw-questions", HmwQuestion
        )
        self.ideas = ArtifactResource[Idea, IdeaCreate, IdeaPatch](http, "ideas", Idea)
        self.prototypes = ArtifactResource[Prototype, PrototypeCreate, PrototypePatch](
            http, "prototypes", Prototype
        )
        self.tests = UserTests(http)
        self.test_results = ArtifactResource[
            UserTestResult, UserTestResultCreate, UserTestResultPatch
        ](http, "test-results", UserTestResult)

    async def _close(self) -> None:
        if self._own_session and self.http.session is not None:
            await self.http.session.close()
            self.http.session = None

    async def sign_out(self) -> None:
        """End the session signed in with e-mail and password: its tokens stop working.

        Its live sockets close too. A client made with ``api_key`` or ``token`` has no
        session of its own to end (revoke the key instead).
        """
        body = {} if self._refresh_token is None else {"refresh_token": self._refresh_token}
        await self.http.request("POST", "/v1/auth/logout", json_body=body)
        self._refresh_token = None

    async def _refresh(self, refused: str | None) -> str | None:
        """Trade the refresh token for a new access token (the transport calls it on a 401)."""
        if self._refresh_token is None:
            return None
        try:
            renewed = await account.refresh(self.http, self._refresh_token)
        except Unauthenticated:  # the session ended (logout, reuse, expiry): sign in again
            self._refresh_token = None
            return None
        self._refresh_token = renewed.refresh_token
        return renewed.access_token

    def live(
        self, project_id: str, *, sync_timeout_s: float = 30.0
    ) -> AbstractAsyncContextManager[LiveDocument]:
        """Open the project's document live: ``async with client.live(project_id) as doc``.

        The block starts once the document is synced; changes made anywhere (browsers,
        REST) arrive as they happen, and ``doc.add_idea(...)`` returns once saved.

        Raises:
            LiveClosed: refused (4401: not signed in; 4403: not a member), or closed later.
        """
        return self._live(project_id, sync_timeout_s)

    @asynccontextmanager
    async def _live(self, project_id: str, sync_timeout_s: float) -> AsyncIterator[LiveDocument]:
        if self._user_id is None:
            # authorship of live writes: the server does not fill it in for socket edits
            self._user_id = (await self.account.me()).id
        async with open_live(
            self.http, project_id, self._user_id, sync_timeout_s=sync_timeout_s
        ) as document:
            yield document
