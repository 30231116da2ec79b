"""Retries, Retry-After, idempotency keys and error mapping, against tiny scripted servers.

The scripted server answers each request with the next response of its script and records
what it got; the client's sleep is a recorder, so every wait is asserted and none is waited.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pydantic
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from dttools_sdk import (
    ConnectionFailed,
    DTTools,
    ExportFailed,
    Idea,
    IdeaCreate,
    LiveClosed,
    NotFound,
    ProjectLimitReached,
    RateLimited,
    ReadOnly,
    RetryPolicy,
    ServerError,
    ServiceUnavailable,
    ValidationError,
)
from dttools_sdk.errors import problem_from_response
from dttools_sdk.live import _tolerant
from dttools_sdk.retry import parse_retry_after

NOW = 1_800_000_000.0
PROJECT_ID = "8e0f9a39-2f2b-4c55-9a43-5a1b1a7c0f00"
IDEA = {"id": "i1", "text": "Kiosk", "createdAt": "2026-01-01T00:00:00.000Z"}


@dataclass
class Scripted:
    """Answers requests from a script, in order; records what each request carried."""

    script: list[web.Response]
    seen: list[web.Request] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request)
        self.bodies.append(await request.read())
        self.keys.append(request.headers.get("Idempotency-Key"))
        return self.script.pop(0)


def problem(status: int, slug: str, **headers: str) -> web.Response:
    body = {"type": f"https://dttools.dev/problems/{slug}", "title": slug, "status": status}
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/problem+json",
        headers=headers,
    )


def created(item: dict[str, Any]) -> web.Response:
    return web.json_response(item, status=201, headers={"ETag": '"v1"'})


Start = Callable[[list[web.Response]], Awaitable[tuple[Scripted, str]]]


@pytest.fixture
async def scripted(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> Start:
    """Factory: a scripted server; returns it and its base URL."""

    async def start(script: list[web.Response]) -> tuple[Scripted, str]:
        fake = Scripted(script)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", fake.handle)
        server = await aiohttp_server(app, host="127.0.0.1")
        return fake, f"http://127.0.0.1:{server.port}"

    return start


@dataclass
class Sleeps:
    """A fake asyncio.sleep that only records."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def sdk(base_url: str, sleeps: Sleeps, **policy: Any) -> DTTools:
    return DTTools(
        base_url,
        api_key="dtt_test",
        retry=RetryPolicy(**policy),
        sleep=sleeps,
        clock=lambda: NOW,
        jitter=lambda: 0.5,
    )


class TestRetryAfter:
    async def test_429_waits_as_told_then_succeeds(self, scripted: Start) -> None:
        """A 429 with Retry-After: 7 is retried after exactly 7 s, with the same key."""
        fake, url = await scripted(
            [problem(429, "rate-limited", **{"Retry-After": "7"}), created(IDEA)]
        )
        sleeps = Sleeps()
        async with sdk(url, sleeps) as client:
            idea = await client.ideas.create(PROJECT_ID, IdeaCreate(text="Kiosk"))
        assert idea.id == "i1"
        assert idea.etag == '"v1"'
        assert sleeps.waits == [7.0]
        assert len(fake.keys) == 2
        assert fake.keys[0] is not None
        assert fake.keys[0] == fake.keys[1]
        assert fake.seen[0].headers["Authorization"] == "Bearer dtt_test"

    async def test_http_date(self, scripted: Start) -> None:
        """Retry-After as an HTTP-date waits until that moment."""
        moment = datetime.fromtimestamp(NOW, UTC) + timedelta(seconds=12)
        retry_after = format_datetime(moment, usegmt=True)
        _, url = await scripted(
            [problem(503, "storage-unavailable", **{"Retry-After": retry_after}), created(IDEA)]
        )
        sleeps = Sleeps()
        async with sdk(url, sleeps) as client:
            await client.ideas.create(PROJECT_ID, IdeaCreate(text="Kiosk"))
        assert sleeps.waits == [12.0]

    async def test_too_long_is_not_waited(self, scripted: Start) -> None:
        """A Retry-After over max_delay_s is raised at once, with retry_after_s set."""
        fake, url = await scripted([problem(429, "rate-limited", **{"Retry-After": "900"})])
        sleeps = Sleeps()
        async with sdk(url, sleeps, max_delay_s=30) as client:
            with pytest.raises(RateLimited) as caught:
                await client.ideas.get("i1")
        assert caught.value.retry_after_s == 900.0
        assert sleeps.waits == []
        assert len(fake.seen) == 1

    async def test_back_off_without_retry_after_then_give_up(self, scripted: Start) -> None:
        """Without Retry-After the waits double from base_delay_s; the last error is raised."""
        script = [problem(503, "node-full") for _ in range(4)]
        fake, url = await scripted(script)
        sleeps = Sleeps()
        async with sdk(url, sleeps, base_delay_s=1.0, max_attempts=4) as client:
            with pytest.raises(ServiceUnavailable):
                await client.projects.get(PROJECT_ID)
        # jitter 0.5 takes three quarters of each back-off: 1, 2, 4 -> 0.75, 1.5, 3
        assert sleeps.waits == [0.75, 1.5, 3.0]
        assert len(fake.seen) == 4

    async def test_other_errors_are_not_retried(self, scripted: Start) -> None:
        """A 404 is raised after one attempt."""
        fake, url = await scripted([problem(404, "not-found")])
        sleeps = Sleeps()
        async with sdk(url, sleeps) as client:
            with pytest.raises(NotFound):
                await client.ideas.get("i1")
        assert (len(fake.seen), sleeps.waits) == (1, [])

    async def test_conflict_of_a_retry_waits_for_the_first(self, scripted: Start) -> None:
        """A retry answered 409 (the first attempt still runs) is retried with the same key."""
        fake, url = await scripted(
            [problem(503, "storage-unavailable"), problem(409, "conflict"), created(IDEA)]
        )
        sleeps = Sleeps()
        async with sdk(url, sleeps) as client:
            await client.ideas.create(PROJECT_ID, IdeaCreate(text="Kiosk"))
        assert len(set(fake.keys)) == 1
        assert len(sleeps.waits) == 2

    async def test_uploads_carry_no_key(self, scripted: Start) -> None:
        """Multipart uploads are sent without Idempotency-Key (the server takes none)."""
        info = {
            "id": "f1", "project_id": PROJECT_ID, "name": "a.pdf", "media_type": "application/pdf",
            "size": 3, "sha256": "00", "width": None, "height": None, "has_thumbnail": False,
            "created_by": None, "created_at": "2026-01-01T00:00:00Z",
            "content_url": "/v1/files/f1/content", "thumbnail_url": None,
        }  # fmt: skip
        fake, url = await scripted([problem(503, "node-full"), created(info)])
        sleeps = Sleeps()
        async with sdk(url, sleeps) as client:
            stored = await client.files.upload(PROJECT_ID, b"%PDF-", "a.pdf")
        assert stored.id == "f1"
        assert fake.keys == [None, None]


class TestConnectionFailures:
    @staticmethod
    def closed_port() -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def test_safe_requests_are_retried(self) -> None:
        """A GET to a dead server is tried max_attempts times, then ConnectionFailed."""
        sleeps = Sleeps()
        async with sdk(self.closed_port(), sleeps, max_attempts=3) as client:
            with pytest.raises(ConnectionFailed):
                await client.projects.get(PROJECT_ID)
        assert len(sleeps.waits) == 2

    async def test_uploads_are_not_repeated(self) -> None:
        """An upload without a key may have been stored: a broken connection is not retried."""
        sleeps = Sleeps()
        async with sdk(self.closed_port(), sleeps) as client:
            with pytest.raises(ConnectionFailed):
                await client.files.upload(PROJECT_ID, b"%PDF-", "a.pdf")
        assert sleeps.waits == []


class TestProblems:
    def test_type_decides_before_status(self) -> None:
        """A 409 project-limit-reached is a ProjectLimitReached, itself a Conflict."""
        body = {
            "type": "https://dttools.dev/problems/project-limit-reached",
            "title": "Limit",
            "status": 409,
            "detail": "you own 1000 projects",
        }
        error = problem_from_response(409, "Conflict", json.dumps(body).encode())
        assert isinstance(error, ProjectLimitReached)
        assert str(error) == "409 project-limit-reached: you own 1000 projects"

    def test_field_errors(self) -> None:
        """A 422's errors become FieldError values, and show in the message."""
        body = {
            "type": "https://dttools.dev/problems/validation-error",
            "title": "Validation failed",
            "status": 422,
            "errors": [{"location": "body", "field": "text", "message": "too short"}, "junk"],
        }
        error = problem_from_response(422, "Unprocessable", json.dumps(body).encode())
        assert isinstance(error, ValidationError)
        assert [(e.location, e.field) for e in error.errors] == [("body", "text")]
        assert str(error).endswith("(text: too short)")

    @pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b"[1, 2]", b""])
    def test_not_a_problem(self, body: bytes) -> None:
        """An error body that is no problem still gives the status's class and reason."""
        error = problem_from_response(502, "Bad Gateway", body)
        assert type(error) is ServerError
        assert (error.title, error.slug) == ("Bad Gateway", "about:blank")

    def test_unknown_client_error(self) -> None:
        """A 4xx the SDK has no class for is a plain ProblemError."""
        error = problem_from_response(418, "I'm a teapot", b"")
        assert type(error).__name__ == "ProblemError"


class TestRetryPolicy:
    def test_retry_after_forms(self) -> None:
        """Delay-seconds, HTTP-dates (past ones wait 0) and junk."""
        past = format_datetime(datetime.fromtimestamp(NOW - 60, UTC), usegmt=True)
        assert parse_retry_after("5", NOW) == 5.0
        assert parse_retry_after(past, NOW) == 0.0
        assert parse_retry_after("soon", NOW) is None
        assert parse_retry_after(None, NOW) is None

    def test_back_off_is_capped(self) -> None:
        """The back-off doubles up to max_delay_s and stops after max_attempts."""
        policy = RetryPolicy(max_attempts=10, base_delay_s=1.0, max_delay_s=5.0)
        assert [policy.delay_s(n, None, 0.999999) for n in (1, 2, 3, 4)] == pytest.approx(
            [1.0, 2.0, 4.0, 5.0], rel=1e-5
        )
        assert policy.delay_s(10, None, 0.0) is None


def export_json(status: str, **extra: Any) -> dict[str, Any]:
    """An export job as the server describes it."""
    job = {
        "id": "e1", "project_id": PROJECT_ID, "format": "pdf",
        "scope": {"phases": None, "session_id": None}, "language": "en", "status": status,
        "progress": 1.0 if status == "done" else 0.5, "stage": "rendering", "error": None,
        "error_detail": None, "requested_by": None, "created_at": "2026-01-01T00:00:00Z",
        "finished_at": None, "expires_at": "2026-01-02T00:00:00Z", "taken_at": None,
        "state_hash": None, "file_name": None, "media_type": None, "size": None,
        "sha256": None, "download_url": None,
    }  # fmt: skip
    job.update(extra)
    return job


class TestExportWait:
    async def test_polls_until_done(self, scripted: Start) -> None:
        """A 202 job is polled every poll_interval_s; progress sees each state."""
        fake, url = await scripted(
            [
                web.json_response(export_json("pending"), status=202),
                web.json_response(export_json("running")),
                web.json_response(export_json("done", download_url="/x")),
            ]
        )
        sleeps = Sleeps()
        states: list[str] = []
        async with sdk(url, sleeps) as client:
            job = await client.exports.start(PROJECT_ID, "pdf", session_id="s1", language="pt-BR")
            done = await client.exports.wait(
                job, progress=lambda e: states.append(e.status), poll_interval_s=2.0
            )
        assert done.finished
        assert states == ["pending", "running", "done"]
        assert sleeps.waits == [2.0, 2.0]
        assert json.loads(fake.bodies[0]) == {
            "format": "pdf", "session_id": "s1", "language": "pt-BR",
        }  # fmt: skip

    async def test_failed_job_raises(self, scripted: Start) -> None:
        """A job that failed raises ExportFailed with the server's code."""
        failed = export_json("failed", error="render_failed", error_detail="fonts")
        _, url = await scripted([web.json_response(failed, status=202)])
        async with sdk(url, Sleeps()) as client:
            job = await client.exports.start(PROJECT_ID, "pdf")
            with pytest.raises(ExportFailed) as caught:
                await client.exports.wait(job)
        assert caught.value.code == "render_failed"
        assert str(caught.value) == "export e1 failed: render_failed (fonts)"


class TestLiveUpgrade:
    async def test_refused_upgrade_is_retried_then_raised(self, scripted: Start) -> None:
        """A 503 upgrade waits its Retry-After; a later 403 raises LiveClosed."""
        me = {
            "id": "u1", "email": "a@example.com", "name": "A", "is_admin": False,
            "created_at": "2026-01-01T00:00:00Z", "locale": "en",
        }  # fmt: skip
        _, url = await scripted(
            [
                web.json_response(me),
                problem(503, "node-full", **{"Retry-After": "2"}),
                problem(403, "forbidden"),
            ]
        )
        sleeps = Sleeps()
        async with sdk(url, sleeps) as client:
            with pytest.raises(LiveClosed, match="403"):
                async with client.live(PROJECT_ID):
                    pass  # pragma: no cover - never entered
        assert sleeps.waits == [2.0]


def test_tolerant_reads_keep_the_id_strict() -> None:
    """A live entry whose id cannot be read is an error, not a silently different item."""
    with pytest.raises(pydantic.ValidationError):
        _tolerant(Idea, {"id": None, "color": 5})
    assert _tolerant(Idea, {"id": "i", "color": 5}).color == "yellow"


def test_error_messages() -> None:
    """Errors built by the SDK say what happened, with the values."""
    assert str(LiveClosed(4403, "")) == "live document closed with code 4403: no reason given"
    assert "read-only" in str(ReadOnly("the socket is read-only"))
