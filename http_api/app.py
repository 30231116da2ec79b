"""The application factory: one aiohttp app, cleanup contexts in dependency order."""

from __future__ import annotations

import asyncio
import importlib.metadata
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import structlog
from aiohttp import web

from collab.close import Close, CloseCode
from collab.limits import Limits
from http_api import (
    account_erasure,
    brainstorm_live,
    cors,
    exports_service,
    files_service,
    health,
    metrics,
    oidc,
    openapi,
    personal_export,
    rate_limits_http,
    retention_service,
    security_headers,
    static,
    versions,
    webhooks_service,
    ws,
)
from http_api.forwarding import forwarding_middleware
from http_api.heartbeat import Heartbeat
from http_api.http_metrics import http_metrics_middleware
from http_api.keys import (
    AUTH,
    COMMITTER,
    DB,
    ERASER,
    EXPORTS,
    FILES,
    FORWARDER,
    HEARTBEAT,
    MAILER,
    OIDC,
    PERSONAL_EXPORTS,
    ROOM_ACCESS,
    ROOMS,
    SETTINGS,
    SOCKET_GRANTS,
    UPDATE_LOG,
    WEBHOOKS,
)
from http_api.mail import Mailer
from http_api.principal import Authenticator, Principal
from http_api.problems import problem_middleware
from http_api.remembered_access import RememberedAccess
from http_api.rest_turns import rest_turns_middleware
from http_api.room_access import project_room_access
from http_api.settings import Settings
from http_api.slow_clients import raise_descriptor_limit
from http_api.socket_grants import SocketGrants
from http_api.tokens import TokenSigner
from http_api.v1 import v1_api
from http_api.write_locks import LOCK_READS, LockReads
from persistence import socket_access, update_log
from persistence.db import close_pool, create_pool, warm
from persistence.embedded import EmbeddedPostgres
from persistence.group_commit import GroupCommitter
from persistence.migrate import migrate
from persistence.secrets import get_or_create_secret
from persistence.update_log import UpdateLog
from rooms.fair_share import ACTING_USER
from rooms.homes import RoomHomes
from rooms.loop_lag import StallReporter, watch_loop
from rooms.manager import RoomManager
from rooms.redis_bus import RedisBus
from rooms.revocation_feed import RevocationFeed
from rooms.worker_process import WorkerProcess

__all__ = ["create_app"]

_log = structlog.get_logger(__name__)
_BUS_START_TIMEOUT_S = 5.0
# Descriptors kept for everything but client sockets: the database pool, Redis, the listening
# socket, log files, static files being sent, the embedded PostgreSQL's pipes.
_RESERVED_DESCRIPTORS = 256


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    embedded: EmbeddedPostgres | None = None
    dsn = settings.database_url
    if dsn is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(embedded.start)
    pool = await create_pool(dsn)
    app[DB] = pool
    try:
        yield
    finally:
        await close_pool(pool, _POOL_CLOSE_TIMEOUT_S)
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


async def _migrations(app: web.Application) -> AsyncIterator[None]:
    async with app[DB].acquire() as conn:
        await migrate(conn)
    # Every pool connection open and its hot statements prepared before the first socket:
    # a restart's reconnect storm would otherwise pay for both (persistence/db.py, warm).
    await warm(app[DB], [socket_access.warm_up, update_log.warm_up])
    yield


async def _auth(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.smtp_url and not settings.public_url:
        # Links in e-mail must not be built from a request's Host header (reset poisoning).
        raise ValueError("DTTOOLS_SMTP_URL needs DTTOOLS_PUBLIC_URL (the base of e-mailed links)")
    if settings.jwt_secret:
        keys = [key.strip().encode() for key in settings.jwt_secret.split(",") if key.strip()]
    else:
        keys = [await get_or_create_secret(app[DB], "jwt-signing-key")]
    app[AUTH] = Authenticator(app[DB], TokenSigner(keys, settings.access_token_ttl_s))
    app[SOCKET_GRANTS] = SocketGrants(
        app[DB], app[AUTH], settings.socket_grant_cache_s, lock_free=app[LOCK_READS].none_held
    )
    app[MAILER] = Mailer(settings.smtp_url, settings.mail_from)
    # Requests only queue mail (timing must not tell which addresses have accounts).
    async with app[MAILER].running(drain_timeout_s=settings.shutdown_timeout_s):
        yield


async def _oidc(app: web.Application) -> AsyncIterator[None]:
    """One client per configured OpenID Connect issuer, sharing an HTTP session of their own."""
    providers = oidc.parse_providers(app[SETTINGS].oidc_providers)
    async with aiohttp.ClientSession() as http:
        app[OIDC] = {p.id: oidc.OidcClient(p, http) for p in providers}
        yield


def _fit_descriptors(limits: Limits) -> Limits:
    """Keep max_connections within the open-files limit (raised to its hard cap first).

    Each socket is a descriptor. Past the limit, accept() fails inside the event loop and
    clients wait on a full backlog with no answer; kept within it, the node answers 503.
    """
    fits = max(raise_descriptor_limit() - _RESERVED_DESCRIPTORS, 1)
    if limits.max_connections <= fits:
        return limits
    _log.warning(
        "max_connections_lowered",
        configured=limits.max_connections,
        max_connections=fits,
        reason="open-files limit (ulimit -n)",
    )
    return replace(limits, max_connections=fits)


async def _rooms(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    log = UpdateLog(app[DB])
    committer = GroupCommitter(log, delay_ms=settings.commit_delay_ms)
    redis_bus: RedisBus | None = None
    if settings.redis_url:
        # The bus calls back into the manager, which publishes on the bus: bind late.
        redis_bus = RedisBus(
            settings.redis_url,
            lambda envelope: manager.on_envelope(envelope),
            lambda rooms: manager.on_gap(rooms),
        )
    limits = _fit_descriptors(settings.limits)
    manager = RoomManager(
        log, committer, limits, settings.room_settings, bus=redis_bus, worker=app[versions.WORKER]
    )
    if settings.redis_url:
        manager.homes = RoomHomes(settings.redis_url, settings.node_url)
    app[FORWARDER] = aiohttp.ClientSession()
    app[UPDATE_LOG] = log
    app[COMMITTER] = committer
    app[ROOMS] = manager
    if settings.rest_access_cache_s > 0:
        app[AUTH].remembered = RememberedAccess(settings.rest_access_cache_s, manager.revoked_since)
    app[HEARTBEAT] = Heartbeat(settings.heartbeat_s)
    feed = RevocationFeed(app[DB], manager.learn, settings.revocation_poll_s)
    await feed.prime()
    stalls = None
    probe_s = settings.loop_probe_ms / 1000
    if settings.loop_stall_log_ms > 0:
        stalls = StallReporter(settings.loop_stall_log_ms / 1000, probe_s)
        stalls.start()
    tasks = [
        asyncio.create_task(committer.run(), name="group-commit"),
        asyncio.create_task(manager.run_maintenance(), name="room-maintenance"),
        asyncio.create_task(watch_loop(probe_s, stalls), name="loop-lag"),
        # Revocations through PostgreSQL: they reach this node when Redis does not. Primed
        # here, before the node serves, so none of its sockets predates where it reads from.
        asyncio.create_task(feed.run(), name="revocation-feed"),
        asyncio.create_task(app[HEARTBEAT].run(), name="heartbeat"),
    ]
    if redis_bus is not None:
        tasks.append(asyncio.create_task(redis_bus.run(), name="redis-bus"))
        try:
            async with asyncio.timeout(_BUS_START_TIMEOUT_S):
                await redis_bus.connected.wait()
        except TimeoutError:
            # Serve anyway: rooms still work on this node and resync once Redis is back.
            _log.warning("bus_unavailable_at_start", redis_url=_redact(settings.redis_url or ""))
    _log.info("node_started", node_id=manager.bus.node_id, multi_node=redis_bus is not None)
    try:
        yield
    finally:
        # on_shutdown already flushed; flush again for anything that raced in, then stop.
        with suppress(TimeoutError):
            async with asyncio.timeout(settings.shutdown_timeout_s):
                await committer.flush()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        if stalls is not None:
            stalls.stop()
        await app[FORWARDER].close()
        if manager.homes is not None:
            await manager.homes.close()


async def _brainstorm(app: web.Application) -> AsyncIterator[None]:
    """Time-up timers and live progress of brainstorm sessions (after the rooms)."""
    async with brainstorm_live.running(app) as live:
        app[brainstorm_live.BRAINSTORM_LIVE] = live
        yield


async def _files(app: web.Application) -> AsyncIterator[None]:
    """The file store and its background tasks (after the rooms: the sweeper reads documents)."""
    async with files_service.running(app[SETTINGS], app[DB], app[ROOMS]) as service:
        app[FILES] = service
        yield


async def _exports(app: web.Application) -> AsyncIterator[None]:
    """Export jobs (after the files: finished exports live in the same blob store)."""
    async with exports_service.running(
        app[SETTINGS], app[DB], app[ROOMS], app[FILES].store
    ) as service:
        app[EXPORTS] = service
        yield


async def _personal_exports(app: web.Application) -> AsyncIterator[None]:
    """People's own data exports (after the files: the zips live in the same blob store)."""
    async with personal_export.running(
        app[DB], app[ROOMS], app[FILES].store, app[SETTINGS].export_retention_s
    ) as service:
        app[PERSONAL_EXPORTS] = service
        yield


async def _erasure(app: web.Application) -> AsyncIterator[None]:
    """Account deletion (after the files: it deletes blobs too)."""
    async with account_erasure.running(
        app[DB], app[ROOMS], app[FILES].store, app[COMMITTER], app[SETTINGS].max_nesting_depth
    ) as eraser:
        app[ERASER] = eraser
        yield


async def _restore_points(app: web.Application) -> AsyncIterator[None]:
    """Restore points taken every so much activity (docs/history.md)."""
    async with versions.running(app):
        yield


async def _retention(app: web.Application) -> AsyncIterator[None]:
    """Retention periods applied every hour (docs/privacy.md)."""
    async with retention_service.running(app[SETTINGS], app[DB]):
        yield


async def _webhooks(app: web.Application) -> AsyncIterator[None]:
    """Webhook dispatch and delivery (after the database: it reads the outbox)."""
    async with webhooks_service.running(app[SETTINGS], app[DB]) as service:
        app[WEBHOOKS] = service
        app[ROOMS].item_events.on_events = service.wake
        yield


#: How long shutdown waits for pool connections to come back before closing them anyway.
_POOL_CLOSE_TIMEOUT_S = 5.0


def _redact(url: str) -> str:
    """Hide a password in a URL for logging."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def _flush_then_close_sockets(app: web.Application) -> None:
    """SIGTERM/SIGINT: stop accepting, flush all updates, then close sockets with 1001."""
    manager = app[ROOMS]
    await manager.close_all(
        Close(CloseCode.GOING_AWAY, "server shutting down"),
        flush_timeout_s=app[SETTINGS].shutdown_timeout_s,
    )
    _log.info("shutdown_flushed", rooms=len(manager.rooms))


def _version() -> str:
    try:
        return importlib.metadata.version("dttools")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare tree
        return "0.0.0"


async def _authenticate(request: web.Request, unsafe: bool) -> Principal:
    """Resolve the caller of an authenticated endpoint; rooms it loads count against it.

    Each aiohttp request runs in its own task, so the acting account set here cannot leak
    into another request (rooms/fair_share.py).
    """
    principal = await request.app[AUTH].require(request, unsafe)
    ACTING_USER.set(str(principal.user_id))
    return principal


def create_app(settings: Settings) -> web.Application:
    """Build the application for ``settings`` (used by the CLI and by tests)."""
    cors_policy = cors.CorsPolicy.from_setting(settings.cors_origins)
    app = web.Application(
        middlewares=[
            http_metrics_middleware,
            *cors.middlewares(cors_policy),
            problem_middleware,
            rest_turns_middleware,
            forwarding_middleware,
        ],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[ROOM_ACCESS] = project_room_access
    app[LOCK_READS] = LockReads()
    app[versions.ACTIVITY] = versions.ActivityPoints(app)
    app[versions.BULK_DELETES] = versions.BulkDeletePoints(app)
    app[versions.WORKER] = WorkerProcess()
    app.cleanup_ctx.extend(
        [
            _database,
            _migrations,
            _auth,
            _oidc,
            _rooms,
            _brainstorm,
            _files,
            _exports,
            _personal_exports,
            _erasure,
            _webhooks,
            _restore_points,
            _retention,
        ]
    )
    app.on_shutdown.append(_flush_then_close_sockets)
    app.on_response_prepare.append(security_headers.add_security_headers)
    app.on_response_prepare.extend(cors.response_hooks(cors_policy))
    app.on_response_prepare.append(rate_limits_http.add_rate_limit_headers)
    app.add_routes(health.routes)
    app.add_routes(metrics.routes)
    app.add_routes(ws.routes)
    api = v1_api()
    api.install(
        app, rate_limits_http.charged(_authenticate, settings.api_rate_per_s, settings.api_burst)
    )
    app.add_routes(openapi.routes_for(api, version=_version()))
    app.add_routes(static.routes)
    return app
