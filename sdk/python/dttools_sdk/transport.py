"""HTTP for the resources: auth headers, retries, idempotency keys and problem errors.

Every resource goes through :class:`Transport`, so these rules hold for every call alike:

* ``Authorization: Bearer`` carries the API key or the access token; a signed-in client
  (e-mail and password) trades its refresh token for a new access token once on a 401.
* A ``POST`` gets an ``Idempotency-Key`` (a UUID4) that is the same on every retry of that
  call, so a retry after a lost answer replays the first response instead of acting twice
  (docs/api.md, "Retries: Idempotency-Key").
* 429, 502, 503 and 504 are retried as :class:`~dttools_sdk.retry.RetryPolicy` says,
  honouring ``Retry-After``; so are connection failures of requests that are safe to repeat.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

import aiohttp
from multidict import CIMultiDictProxy

from dttools_sdk.errors import ConnectionFailed, Unauthenticated, problem_from_response
from dttools_sdk.retry import RetryPolicy, parse_retry_after

__all__ = ["Transport", "Response", "Sleep", "Refresher", "USER_AGENT"]

USER_AGENT: Final = "dttools-sdk-python/0.1.0"

#: ``await sleep(seconds)``: injectable so tests check waits without waiting.
Sleep = Callable[[float], Awaitable[None]]
#: Called once on a 401 with the token that was refused; returns the new token, or None.
Refresher = Callable[[str | None], Awaitable[str | None]]
#: Builds a request body afresh for each attempt (a multipart form can be sent only once).
BodyFactory = Callable[[], Any]

_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer, read whole."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None for an empty body, such as a 204)."""
        return json.loads(self.body) if self.body else None


class Transport:
    """Sends requests for one client: one aiohttp session, one credential, one retry policy."""

    def __init__(
        self,
        base_url: str,
        session: aiohttp.ClientSession | None,
        *,
        token: str | None,
        retry: RetryPolicy,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.token = token
        self.retry = retry
        self.refresher: Refresher | None = None
        self.sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self._refreshing = asyncio.Lock()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        authenticated: bool = True,
    ) -> Response:
        """Send a request (retrying as the policy allows) and read the answer whole.

        Raises:
            ProblemError: the final answer was an error status (the matching subclass).
            ConnectionFailed: the server could not be reached.
        """
        async with self.open(
            method,
            path,
            params=params,
            json_body=json_body,
            body=body,
            headers=headers,
            idempotency_key=idempotency_key,
            authenticated=authenticated,
        ) as response:
            return Response(response.status, response.headers, await response.read())

    @asynccontextmanager
    async def open(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        authenticated: bool = True,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """Send a request as :meth:`request` does; yield the successful response unread.

        For downloads: the caller streams the body.
        """
        method = method.upper()
        sent = dict(self._headers)
        sent.update(headers or {})
        if method == "POST" and body is None and "Idempotency-Key" not in sent:
            # Multipart uploads take no key (docs/api.md, "Files"): replaying one would need
            # the whole body stored on the server.
            sent["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        # A connection that broke mid-request may have been acted on: repeat only what the
        # server makes safe to repeat.
        safe = method in _IDEMPOTENT_METHODS or "Idempotency-Key" in sent
        data = None if json_body is None else json.dumps(json_body).encode()
        if data is not None:
            sent["Content-Type"] = "application/json"
        url = self.base_url + path
        if self.session is None:
            raise RuntimeError("use the client inside `async with DTTools(...) as client`")
        session = self.session
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            used_token = self.token if authenticated else None
            if used_token is not None:
                sent["Authorization"] = f"Bearer {used_token}"
            payload = body() if body is not None else data
            error_body = b""
            try:
                response = await session.request(
                    method, url, params=params, data=payload, headers=sent
                )
                if response.status >= 400:
                    try:
                        error_body = await response.read()
                    finally:
                        response.release()
            except aiohttp.ClientConnectionError as exc:
                if not (safe and await self.backoff(attempt, None)):
                    raise ConnectionFailed(f"{method} {path}: {exc}") from exc
                continue
            if response.status < 400:
                # Outside the try: a failure while the caller reads must not start a retry.
                try:
                    yield response
                finally:
                    response.release()
                return
            problem = problem_from_response(
                response.status,
                response.reason or "",
                error_body,
                self.retry_after_s(response.headers),
            )
            if isinstance(problem, Unauthenticated) and not refreshed and used_token is not None:
                refreshed = True
                if await self._refresh(used_token):
                    continue
            retryable = self._retryable(problem.status, attempt, "Idempotency-Key" in sent)
            if not (retryable and await self.backoff(attempt, problem.retry_after_s)):
                raise problem

    async def backoff(self, attempt: int, retry_after_s: float | None) -> bool:
        """Wait before attempt ``attempt + 1`` as the policy says; False: give up instead."""
        delay = self.retry.delay_s(attempt, retry_after_s, self._jitter())
        if delay is None:
            return False
        await self.sleep(delay)
        return True

    def retry_after_s(self, headers: Mapping[str, str]) -> float | None:
        """The ``Retry-After`` of an answer, in seconds from now."""
        return parse_retry_after(headers.get("Retry-After"), self._clock())

    def _retryable(self, status: int, attempt: int, keyed: bool) -> bool:
        if status in self.retry.retry_statuses:
            return True
        # A retry that reaches the server while the first attempt still runs gets 409
        # ("still being processed"): wait for the first to finish, then get its replay.
        return status == 409 and keyed and attempt > 1

    async def _refresh(self, refused: str) -> bool:
        """Get a new access token after ``refused`` got a 401; True if there is one to try.

        One refresh at a time: a refresh token works once, and presenting it twice would
        revoke the whole session (docs/api.md, "Tokens and sessions").
        """
        if self.refresher is None:
            return False
        async with self._refreshing:
            if self.token != refused:  # another call refreshed meanwhile
                return self.token is not None
            self.token = await self.refresher(refused)
            return self.token is not None
