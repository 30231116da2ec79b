"""Settings: one table of options, read from command-line flags and environment variables.

Each option has exactly one flag and one environment variable; the flag wins. The same table
builds ``dttools serve --help`` and the configuration reference in the docs.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from collab.limits import Limits
from collab.nesting import MAX_ALLOWED_DEPTH
from http_api import cors, fast_paths, oidc
from rooms.access import REVOCATION_MEMORY_S
from rooms.manager import RoomSettings

__all__ = [
    "Option",
    "OPTIONS",
    "Settings",
    "add_arguments",
    "settings_from",
    "Network",
    "parse_networks",
]

# Slotted dataclasses expose descriptors, not defaults, on the class: read defaults from instances.
_LIMITS = Limits()
_ROOMS = RoomSettings()


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: its flag, environment variable, type, default and help text."""

    name: str
    env: str
    kind: Callable[[str], Any]
    default: Any
    help: str

    @property
    def flag(self) -> str:
        """The command-line flag, e.g. ``--max-frame-bytes``."""
        return "--" + self.name.replace("_", "-")


def _log_format(value: str) -> str:
    if value not in {"auto", "json", "console"}:
        raise argparse.ArgumentTypeError(f"log format must be auto, json or console, got {value!r}")
    return value


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def _nesting_depth(value: str) -> int:
    depth = int(value)
    if not 1 <= depth <= MAX_ALLOWED_DEPTH:
        raise argparse.ArgumentTypeError(f"nesting depth must be 1..{MAX_ALLOWED_DEPTH}")
    return depth


def _grant_cache_s(value: str) -> float:
    seconds = float(value)
    if not 0 <= seconds <= REVOCATION_MEMORY_S:
        raise argparse.ArgumentTypeError(f"must be 0..{REVOCATION_MEMORY_S:g} seconds")
    return seconds


def _fast_paths(value: str) -> str:
    return ",".join(sorted(fast_paths.parse(value))) or "none"


def _cookie_secure(value: str) -> str:
    if value not in {"auto", "true", "false"}:
        raise argparse.ArgumentTypeError(
            f"cookie-secure must be auto, true or false, got {value!r}"
        )
    return value


def _addressing_style(value: str) -> str:
    if value not in {"auto", "path", "virtual"}:
        raise argparse.ArgumentTypeError(
            f"S3 addressing style must be auto, path or virtual, got {value!r}"
        )
    return value


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """Parse a comma-separated list of addresses or CIDR networks (``10.0.0.0/8, ::1``).

    Raises:
        ValueError: an entry is not an address or network.
    """
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def _networks(value: str) -> str:
    try:
        parse_networks(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"trusted proxies: {exc}") from None
    return value


def _oidc_providers(value: str) -> str:
    try:
        oidc.parse_providers(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"OIDC providers: {exc}") from None
    return value


def _cors_origins(value: str) -> str:
    try:
        cors.parse_origins(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"CORS origins: {exc}") from None
    return value


def _rate_per_s(value: str) -> float:
    rate = float(value)
    if not (rate >= 0 and math.isfinite(rate)):
        raise argparse.ArgumentTypeError("must be a number of requests per second, 0 or more")
    return rate


def _probe_ms(value: str) -> float:
    ms = float(value)
    if not (1 <= ms <= 1000):
        raise argparse.ArgumentTypeError("must be a number of milliseconds from 1 to 1000")
    return ms


def _days(value: str) -> int:
    days = int(value)
    if days < 0:
        raise argparse.ArgumentTypeError("must be a number of days, 0 (keep for ever) or more")
    return days


def _burst(value: str) -> int:
    burst = int(value)
    if burst < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return burst


OPTIONS: tuple[Option, ...] = (
    Option("host", "DTTOOLS_HOST", str, "127.0.0.1", "interface to listen on"),
    Option("port", "DTTOOLS_PORT", int, 8000, "TCP port to listen on (0 picks a free one)"),
    Option(
        "database_url",
        "DATABASE_URL",
        str,
        None,
        "PostgreSQL DSN; unset starts an embedded PostgreSQL in the data folder",
    ),
    Option(
        "redis_url",
        "REDIS_URL",
        str,
        None,
        "Redis URL: share live rooms with every other node using the same Redis and database",
    ),
    Option(
        "node_url",
        "DTTOOLS_NODE_URL",
        str,
        None,
        "with Redis: the URL other nodes reach this node's HTTP API at (e.g. "
        "http://10.0.0.5:8080); REST requests for rooms this node's sockets are editing are "
        "then forwarded here instead of loading a second copy. Unset: never advertised",
    ),
    Option(
        "data_dir",
        "DTTOOLS_DATA_DIR",
        Path,
        Path("data"),
        "folder for embedded PostgreSQL, and for uploaded files unless DTTOOLS_FILES_DIR is set",
    ),
    Option("log_level", "DTTOOLS_LOG_LEVEL", str, "info", "debug, info, warning or error"),
    Option("log_format", "DTTOOLS_LOG_FORMAT", _log_format, "auto", "json, console or auto (tty)"),
    Option(
        "max_frame_bytes",
        "DTTOOLS_MAX_FRAME_BYTES",
        int,
        _LIMITS.max_frame_bytes,
        "largest WebSocket frame accepted from a client",
    ),
    Option(
        "max_document_bytes",
        "DTTOOLS_MAX_DOCUMENT_BYTES",
        int,
        _LIMITS.max_document_bytes,
        "largest document (stored bytes) a room may grow to",
    ),
    Option(
        "updates_per_s",
        "DTTOOLS_UPDATES_PER_S",
        float,
        _LIMITS.updates_per_s,
        "sustained document updates per second per connection",
    ),
    Option(
        "updates_burst",
        "DTTOOLS_UPDATES_BURST",
        int,
        _LIMITS.updates_burst,
        "burst of document updates per connection",
    ),
    Option(
        "update_bytes_per_s",
        "DTTOOLS_UPDATE_BYTES_PER_S",
        float,
        _LIMITS.update_bytes_per_s,
        "sustained bytes of document updates per second per connection (bursts up to "
        "DTTOOLS_MAX_FRAME_BYTES); large updates cost CPU to check and apply",
    ),
    Option(
        "awareness_per_s",
        "DTTOOLS_AWARENESS_PER_S",
        float,
        _LIMITS.awareness_per_s,
        "sustained awareness updates per second per connection",
    ),
    Option(
        "awareness_burst",
        "DTTOOLS_AWARENESS_BURST",
        int,
        _LIMITS.awareness_burst,
        "burst of awareness updates per connection",
    ),
    Option(
        "max_awareness_bytes",
        "DTTOOLS_MAX_AWARENESS_BYTES",
        int,
        _LIMITS.max_awareness_bytes,
        "largest awareness update accepted",
    ),
    Option(
        "max_connections",
        "DTTOOLS_MAX_CONNECTIONS",
        int,
        _LIMITS.max_connections,
        "WebSocket connections per node",
    ),
    Option("max_rooms", "DTTOOLS_MAX_ROOMS", int, _LIMITS.max_rooms, "open rooms per node"),
    Option(
        "max_joining",
        "DTTOOLS_MAX_JOINING",
        int,
        _LIMITS.max_joining,
        "sockets per node between upgrade and joining their room (access check, room load); "
        "past it new ones get 503 with Retry-After, spread at random, instead of a long wait",
    ),
    Option(
        "max_sockets_per_user",
        "DTTOOLS_MAX_SOCKETS_PER_USER",
        int,
        _LIMITS.max_sockets_per_user,
        "WebSocket connections one account may hold on a node (tabs and devices together)",
    ),
    Option(
        "max_sockets_per_address",
        "DTTOOLS_MAX_SOCKETS_PER_ADDRESS",
        int,
        _LIMITS.max_sockets_per_address,
        "WebSocket connections from one client address on a node (a workshop may share one "
        "NAT address: keep it generous)",
    ),
    Option(
        "max_loads_per_user",
        "DTTOOLS_MAX_LOADS_PER_USER",
        int,
        _LIMITS.max_loads_per_user,
        "rooms one account's requests may be loading from PostgreSQL at once on a node",
    ),
    Option(
        "max_projects_per_user",
        "DTTOOLS_MAX_PROJECTS_PER_USER",
        int,
        1000,
        "projects one account may own",
    ),
    Option(
        "max_nesting_depth",
        "DTTOOLS_MAX_NESTING_DEPTH",
        _nesting_depth,
        _LIMITS.max_nesting_depth,
        f"deepest nesting of shared types or values in a document (1-{MAX_ALLOWED_DEPTH}); "
        "deeper updates are refused before they reach the CRDT core",
    ),
    Option(
        "outbox_frames",
        "DTTOOLS_OUTBOX_FRAMES",
        int,
        _LIMITS.outbox_frames,
        "frames queued per connection before a slow client is closed",
    ),
    Option(
        "sync_chunk_bytes",
        "DTTOOLS_SYNC_CHUNK_BYTES",
        int,
        _LIMITS.sync_chunk_bytes,
        "target frame size when sending a large document to a joiner",
    ),
    Option(
        "idle_timeout_s",
        "DTTOOLS_IDLE_TIMEOUT_S",
        float,
        _ROOMS.idle_timeout_s,
        "seconds an empty room stays in memory",
    ),
    Option(
        "compact_every_updates",
        "DTTOOLS_COMPACT_EVERY_UPDATES",
        int,
        _ROOMS.compact_every_updates,
        "log rows per room that trigger compaction",
    ),
    Option(
        "awareness_flush_ms",
        "DTTOOLS_AWARENESS_FLUSH_MS",
        float,
        _ROOMS.awareness_flush_ms,
        "awareness coalescing window per room",
    ),
    Option(
        "commit_delay_ms",
        "DTTOOLS_COMMIT_DELAY_MS",
        float,
        10.0,
        "group-commit gathering window (an update is durable within about this plus one "
        "transaction)",
    ),
    Option(
        "heartbeat_s",
        "DTTOOLS_HEARTBEAT_S",
        float,
        30.0,
        "WebSocket ping interval; a peer that misses a pong is closed",
    ),
    Option(
        "revocation_poll_s",
        "DTTOOLS_REVOCATION_POLL_S",
        float,
        1.0,
        "how often each node reads revocations stored in PostgreSQL, whether or not a "
        "NOTIFY woke it (the bound on a revocation reaching a node while Redis is down)",
    ),
    Option(
        "socket_grant_cache_s",
        "DTTOOLS_SOCKET_GRANT_CACHE_S",
        _grant_cache_s,
        30.0,
        "how long a WebSocket's token and membership check is reused for the same credential "
        "and project (reconnects skip the database; any revocation since voids it; 0 turns it "
        "off, at most 300)",
    ),
    Option(
        "rest_access_cache_s",
        "DTTOOLS_REST_ACCESS_CACHE_S",
        _grant_cache_s,
        30.0,
        "how long a REST caller's session or API key, and their role on a project's team, are "
        "reused between requests (any revocation since voids them; 0 turns it off, at most 300)",
    ),
    Option(
        "full_gc_interval_s",
        "DTTOOLS_FULL_GC_INTERVAL_S",
        float,
        300.0,
        "seconds between full garbage collections, run when no socket is joining (after 4x "
        "that whatever the load); CPython's own schedule runs them during connection storms",
    ),
    Option(
        "shutdown_timeout_s",
        "DTTOOLS_SHUTDOWN_TIMEOUT_S",
        float,
        15.0,
        "time allowed to flush and close sockets on SIGTERM",
    ),
    Option(
        "max_body_bytes",
        "DTTOOLS_MAX_BODY_BYTES",
        int,
        1024 * 1024,
        "largest HTTP request body accepted",
    ),
    Option(
        "header_timeout_s",
        "DTTOOLS_HEADER_TIMEOUT_S",
        float,
        10.0,
        "seconds a connection may take to send a request's headers (also how long an idle "
        "keep-alive connection stays open)",
    ),
    Option(
        "max_pending_per_address",
        "DTTOOLS_MAX_PENDING_PER_ADDRESS",
        int,
        512,
        "connections from one client address still sending their first request; more are "
        "refused with 503 (trusted proxies are exempt; a workshop may share one NAT address)",
    ),
    Option(
        "max_pending",
        "DTTOOLS_MAX_PENDING",
        int,
        8192,
        "connections still sending their first request, per node (at most half the "
        "descriptor limit); a newer one closes the oldest",
    ),
    Option(
        "files_dir",
        "DTTOOLS_FILES_DIR",
        Path,
        None,
        "folder of uploaded files in local mode (unset: <DTTOOLS_DATA_DIR>/files); uploads "
        "in progress are written under it too (S3 mode: under the data folder). Local files "
        "live on one node: with several nodes, set DTTOOLS_S3_BUCKET",
    ),
    Option(
        "files_max_bytes",
        "DTTOOLS_FILES_MAX_BYTES",
        int,
        10 * 1024 * 1024,
        "largest uploaded file, enforced while it streams in (larger: 413)",
    ),
    Option(
        "files_max_pixels",
        "DTTOOLS_FILES_MAX_PIXELS",
        int,
        40_000_000,
        "most pixels (width x height) an uploaded image may have; decompression bombs are "
        "refused before they are decoded (413)",
    ),
    Option(
        "files_quota_bytes",
        "DTTOOLS_FILES_QUOTA_BYTES",
        int,
        1024**3,
        "storage per project: files and their thumbnails (past it: 507)",
    ),
    Option(
        "files_max_concurrent",
        "DTTOOLS_FILES_MAX_CONCURRENT",
        int,
        4,
        "uploads checked and stored at once per node (more wait their turn); bounds the "
        "CPU that checking takes",
    ),
    Option(
        "files_pixel_budget",
        "DTTOOLS_FILES_PIXEL_BUDGET",
        int,
        16_000_000,
        "pixels of images being decoded at once per node (each costs about 15 bytes of "
        "memory while it is checked); an image larger than the budget is decoded alone",
    ),
    Option(
        "files_grace_s",
        "DTTOOLS_FILES_GRACE_S",
        float,
        24 * 3600.0,
        "how long a file the document stopped referring to is kept (an undo may bring the "
        "reference back) before it is deleted; files never referenced stay until deleted",
    ),
    Option(
        "export_workers",
        "DTTOOLS_EXPORT_WORKERS",
        int,
        1,
        "worker processes that render PDF and PPTX exports per node (each one CPU at most; "
        "more exports wait their turn); rendering never runs on the event loop",
    ),
    Option(
        "audit_retention_days",
        "DTTOOLS_AUDIT_RETENTION_DAYS",
        _days,
        365,
        "how long audit entries are kept (docs/privacy.md); 0: for ever",
    ),
    Option(
        "login_retention_days",
        "DTTOOLS_LOGIN_RETENTION_DAYS",
        _days,
        30,
        "how long sign-in and reset rate-limit records and expired reset links are kept",
    ),
    Option(
        "delivery_retention_days",
        "DTTOOLS_DELIVERY_RETENTION_DAYS",
        _days,
        30,
        "how long finished webhook deliveries (with their attempts) and dispatched events are kept",
    ),
    Option(
        "session_retention_days",
        "DTTOOLS_SESSION_RETENTION_DAYS",
        _days,
        30,
        "how long a login session (its IP address and user agent) is kept after it ended",
    ),
    Option(
        "export_retention_s",
        "DTTOOLS_EXPORT_RETENTION_S",
        float,
        24 * 3600.0,
        "how long an export (its status and its file) is kept; then both are deleted",
    ),
    Option(
        "export_wait_s",
        "DTTOOLS_EXPORT_WAIT_S",
        float,
        2.0,
        "how long a request to export waits for the file before answering 202 with the "
        "job: small projects get 201 with the download link at once",
    ),
    Option(
        "export_max_unfinished",
        "DTTOOLS_EXPORT_MAX_UNFINISHED",
        int,
        3,
        "exports of one project that may be pending or running at once (one more: 429)",
    ),
    Option(
        "item_events_quiet_s",
        "DTTOOLS_ITEM_EVENTS_QUIET_S",
        float,
        2.0,
        "a burst of edits to a project's personas, ideas, prototypes or test results ends "
        "after this long without one; then its events are written (one per item; at most "
        "10 s after the burst began)",
    ),
    Option(
        "webhook_delivery",
        "DTTOOLS_WEBHOOK_DELIVERY",
        _bool,
        True,
        "whether this node dispatches and sends webhooks (every node may; turn it off on "
        "nodes that should only serve rooms, as long as one node keeps it on)",
    ),
    Option(
        "webhook_allowed_hosts",
        "DTTOOLS_WEBHOOK_ALLOWED_HOSTS",
        str,
        "",
        "hosts webhooks may reach although they are not public (comma-separated names, "
        "addresses or CIDR ranges): receivers on the same network, tests. Everything else "
        "private, loopback, link-local, CGNAT or metadata is refused at send time",
    ),
    Option(
        "webhook_timeout_s",
        "DTTOOLS_WEBHOOK_TIMEOUT_S",
        float,
        15.0,
        "deadline of one webhook request (connect, send, answer); longer is a failed attempt",
    ),
    Option(
        "webhook_concurrency",
        "DTTOOLS_WEBHOOK_CONCURRENCY",
        int,
        8,
        "webhook requests a node sends at once",
    ),
    Option(
        "webhook_poll_s",
        "DTTOOLS_WEBHOOK_POLL_S",
        float,
        1.0,
        "how often a node looks for events to dispatch and deliveries due, when idle",
    ),
    Option(
        "s3_bucket",
        "DTTOOLS_S3_BUCKET",
        str,
        None,
        "store files in this S3 bucket (set: S3 mode, for several nodes); credentials come "
        "from the usual AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE...)",
    ),
    Option(
        "s3_endpoint_url",
        "DTTOOLS_S3_ENDPOINT_URL",
        str,
        None,
        "endpoint of an S3-compatible store (MinIO, Ceph, ...); unset: AWS",
    ),
    Option(
        "s3_region", "DTTOOLS_S3_REGION", str, None, "the bucket's region (unset: AWS's default)"
    ),
    Option(
        "s3_addressing_style",
        "DTTOOLS_S3_ADDRESSING_STYLE",
        _addressing_style,
        "auto",
        "auto, path (bucket in the path: most S3-compatible stores) or virtual (bucket in "
        "the host name)",
    ),
    Option("s3_prefix", "DTTOOLS_S3_PREFIX", str, "", "prefix of every key in the bucket"),
    Option(
        "s3_url_ttl_s",
        "DTTOOLS_S3_URL_TTL_S",
        int,
        60,
        "lifetime of the signed URL a file download is redirected to in S3 mode",
    ),
    Option(
        "jwt_secret",
        "DTTOOLS_JWT_SECRET",
        str,
        None,
        "access-token signing keys, comma-separated, 32+ bytes each (the first signs, all "
        "verify); unset: one is generated once and kept in the database for every node",
    ),
    Option(
        "access_token_ttl_s",
        "DTTOOLS_ACCESS_TOKEN_TTL_S",
        float,
        900.0,
        "lifetime of an access token (JWT)",
    ),
    Option(
        "refresh_token_ttl_s",
        "DTTOOLS_REFRESH_TOKEN_TTL_S",
        float,
        30 * 24 * 3600.0,
        "lifetime of a login session (its refresh tokens rotate on every use)",
    ),
    Option(
        "guest_session_s",
        "DTTOOLS_GUEST_SESSION_S",
        float,
        12 * 3600.0,
        "how long a guest who joined through an invite link stays (its one session); then "
        "the guest is erased like a deleted account",
    ),
    Option(
        "invitation_ttl_s",
        "DTTOOLS_INVITATION_TTL_S",
        float,
        14 * 24 * 3600.0,
        "how long an invitation by e-mail (to an address without an account) stays valid; "
        "then it is deleted",
    ),
    Option(
        "restore_point_every_s",
        "DTTOOLS_RESTORE_POINT_EVERY_S",
        float,
        600.0,
        "take a restore point of a project after this many seconds of activity in its room "
        "(0: only named points and the automatic ones at phase changes, reveals and restores)",
    ),
    Option(
        "restore_points_kept",
        "DTTOOLS_RESTORE_POINTS_KEPT",
        int,
        200,
        "automatic restore points kept per project, newest first (named points always stay)",
    ),
    Option(
        "restore_point_retention_days",
        "DTTOOLS_RESTORE_POINT_RETENTION_DAYS",
        int,
        90,
        "days automatic restore points are kept (named ones stay with the project; 0: for ever)",
    ),
    Option(
        "oidc_providers",
        "DTTOOLS_OIDC_PROVIDERS",
        _oidc_providers,
        "",
        "OpenID Connect issuers to sign in with: a JSON list of {id, name, issuer, client_id, "
        "client_secret, scopes?, trust_email?}, or @/path/to/file.json holding it (keep the "
        "secrets out of flags: use the variable or a file). The redirect URI to register is "
        "<public URL>/v1/auth/oidc/<id>/callback. Empty: password sign-in only",
    ),
    Option(
        "reset_token_ttl_s",
        "DTTOOLS_RESET_TOKEN_TTL_S",
        float,
        3600.0,
        "lifetime of a password-reset token (single use)",
    ),
    Option(
        "signup_token_ttl_s",
        "DTTOOLS_SIGNUP_TOKEN_TTL_S",
        float,
        24 * 3600.0,
        "lifetime of the e-mailed link that finishes a sign-up (single use)",
    ),
    Option(
        "auth_attempts",
        "DTTOOLS_AUTH_ATTEMPTS",
        int,
        10,
        "failed sign-ins per account from one client address before each further attempt "
        "must wait (1 s, then doubling); also sign-up and reset requests per e-mail address "
        "in a window",
    ),
    Option(
        "auth_address_attempts",
        "DTTOOLS_AUTH_ADDRESS_ATTEMPTS",
        int,
        100,
        "failed sign-ins, and separately sign-up and reset requests, allowed per client "
        "address in a window (a workshop may share one address; see DTTOOLS_TRUSTED_PROXIES)",
    ),
    Option(
        "auth_window_s",
        "DTTOOLS_AUTH_WINDOW_S",
        int,
        900,
        "the window of DTTOOLS_AUTH_ATTEMPTS and DTTOOLS_AUTH_ADDRESS_ATTEMPTS, in seconds "
        "(also the longest sign-in back-off)",
    ),
    Option(
        "cookie_secure",
        "DTTOOLS_COOKIE_SECURE",
        _cookie_secure,
        "auto",
        "mark cookies Secure: true, false, or auto (when the request came over HTTPS)",
    ),
    Option(
        "public_url",
        "DTTOOLS_PUBLIC_URL",
        str,
        None,
        "the server's public base URL, for links in e-mails (unset: taken from the request)",
    ),
    Option(
        "smtp_url",
        "DTTOOLS_SMTP_URL",
        str,
        None,
        "smtp://user:password@host:port (or smtps://) for outgoing e-mail; unset: e-mails "
        "are written to the log",
    ),
    Option(
        "mail_from",
        "DTTOOLS_MAIL_FROM",
        str,
        "DTTools <no-reply@localhost>",
        "sender of outgoing e-mail",
    ),
    Option(
        "trusted_proxies",
        "DTTOOLS_TRUSTED_PROXIES",
        _networks,
        "",
        "comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto headers are believed (empty: none)",
    ),
    Option(
        "cors_origins",
        "DTTOOLS_CORS_ORIGINS",
        _cors_origins,
        "",
        "origins whose pages may call /v1 from the browser (comma-separated, exact, e.g. "
        "https://app.example.com; * for any); they authenticate with Bearer tokens or API "
        "keys, never cookies. Empty: no CORS headers at all",
    ),
    Option(
        "loop_stall_log_ms",
        "DTTOOLS_LOOP_STALL_LOG_MS",
        _rate_per_s,
        0.0,
        "log the stack of whatever holds the event loop longer than this many milliseconds "
        "(event_loop_held, once per stall; a watcher thread looks every quarter of it). 0: off",
    ),
    Option(
        "loop_probe_ms",
        "DTTOOLS_LOOP_PROBE_MS",
        _probe_ms,
        10.0,
        "how often the event-loop lag probe ticks, in milliseconds (1 to 1000): "
        "dttools_event_loop_lag_seconds and its on-CPU twin. A shorter tick bounds shorter "
        "stalls (benchmarks use 1) and costs one timer callback per tick",
    ),
    Option(
        "api_rate_per_s",
        "DTTOOLS_API_RATE_PER_S",
        _rate_per_s,
        50.0,
        "sustained authenticated /v1 requests per second per account on a node (its API "
        "keys and sessions together); past the burst: 429 with Retry-After. 0 turns the limit "
        "and its RateLimit headers off",
    ),
    Option(
        "api_burst",
        "DTTOOLS_API_BURST",
        _burst,
        200,
        "authenticated /v1 requests per account a node admits at once before "
        "DTTOOLS_API_RATE_PER_S applies",
    ),
    Option(
        "fast_paths",
        "DTTOOLS_FAST_PATHS",
        _fast_paths,
        "all",
        "relay shortcuts that rely on other libraries' internals: all, none or a comma-separated "
        "list of fd-write, ws-direct, ydoc-core, loop-nodelay (to measure each alone; keep all "
        "in production)",
    ),
    Option(
        "open_rooms",
        "DTTOOLS_OPEN_ROOMS",
        _bool,
        False,
        "serve /collab/{room} to anyone, without a token (benchmarks and local experiments "
        "only; never in production)",
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved configuration of one server process."""

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None
    redis_url: str | None = None
    node_url: str | None = None
    data_dir: Path = Path("data")
    log_level: str = "info"
    log_format: str = "auto"
    max_frame_bytes: int = _LIMITS.max_frame_bytes
    max_document_bytes: int = _LIMITS.max_document_bytes
    updates_per_s: float = _LIMITS.updates_per_s
    updates_burst: int = _LIMITS.updates_burst
    update_bytes_per_s: float = _LIMITS.update_bytes_per_s
    awareness_per_s: float = _LIMITS.awareness_per_s
    awareness_burst: int = _LIMITS.awareness_burst
    max_awareness_bytes: int = _LIMITS.max_awareness_bytes
    max_connections: int = _LIMITS.max_connections
    max_rooms: int = _LIMITS.max_rooms
    max_joining: int = _LIMITS.max_joining
    max_sockets_per_user: int = _LIMITS.max_sockets_per_user
    max_sockets_per_address: int = _LIMITS.max_sockets_per_address
    max_loads_per_user: int = _LIMITS.max_loads_per_user
    max_projects_per_user: int = 1000
    max_nesting_depth: int = _LIMITS.max_nesting_depth
    outbox_frames: int = _LIMITS.outbox_frames
    sync_chunk_bytes: int = _LIMITS.sync_chunk_bytes
    idle_timeout_s: float = _ROOMS.idle_timeout_s
    compact_every_updates: int = _ROOMS.compact_every_updates
    awareness_flush_ms: float = _ROOMS.awareness_flush_ms
    commit_delay_ms: float = 10.0
    heartbeat_s: float = 30.0
    revocation_poll_s: float = 1.0
    socket_grant_cache_s: float = 30.0
    rest_access_cache_s: float = 30.0
    full_gc_interval_s: float = 300.0
    shutdown_timeout_s: float = 15.0
    max_body_bytes: int = 1024 * 1024
    header_timeout_s: float = 10.0
    max_pending_per_address: int = 512
    max_pending: int = 8192
    files_dir: Path | None = None
    files_max_bytes: int = 10 * 1024 * 1024
    files_max_pixels: int = 40_000_000
    files_quota_bytes: int = 1024**3
    files_max_concurrent: int = 4
    files_pixel_budget: int = 16_000_000
    files_grace_s: float = 24 * 3600.0
    export_workers: int = 1
    export_retention_s: float = 24 * 3600.0
    export_wait_s: float = 2.0
    export_max_unfinished: int = 3
    item_events_quiet_s: float = 2.0
    webhook_delivery: bool = True
    webhook_allowed_hosts: str = ""
    webhook_timeout_s: float = 15.0
    webhook_concurrency: int = 8
    webhook_poll_s: float = 1.0
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_addressing_style: str = "auto"
    s3_prefix: str = ""
    s3_url_ttl_s: int = 60
    jwt_secret: str | None = None
    access_token_ttl_s: float = 900.0
    refresh_token_ttl_s: float = 30 * 24 * 3600.0
    guest_session_s: float = 12 * 3600.0
    invitation_ttl_s: float = 14 * 24 * 3600.0
    restore_point_every_s: float = 600.0
    restore_points_kept: int = 200
    restore_point_retention_days: int = 90
    oidc_providers: str = ""
    reset_token_ttl_s: float = 3600.0
    signup_token_ttl_s: float = 24 * 3600.0
    auth_attempts: int = 10
    auth_address_attempts: int = 100
    auth_window_s: int = 900
    cookie_secure: str = "auto"
    public_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "DTTools <no-reply@localhost>"
    trusted_proxies: str = ""
    cors_origins: str = ""
    loop_stall_log_ms: float = 0.0
    loop_probe_ms: float = 10.0
    audit_retention_days: int = 365
    login_retention_days: int = 30
    delivery_retention_days: int = 30
    session_retention_days: int = 30
    api_rate_per_s: float = 50.0
    api_burst: int = 200
    fast_paths: str = "all"
    open_rooms: bool = False

    @property
    def limits(self) -> Limits:
        """The input limits passed down to sessions and rooms."""
        names = {f.name for f in fields(Limits)}
        return Limits(**{n: getattr(self, n) for n in names})

    @property
    def files_folder(self) -> Path:
        """Where local mode keeps files: DTTOOLS_FILES_DIR, else <data_dir>/files."""
        return self.files_dir if self.files_dir is not None else self.data_dir / "files"

    @property
    def room_settings(self) -> RoomSettings:
        """The room lifecycle policy."""
        return RoomSettings(
            idle_timeout_s=self.idle_timeout_s,
            compact_every_updates=self.compact_every_updates,
            awareness_flush_ms=self.awareness_flush_ms,
            item_events_quiet_s=self.item_events_quiet_s,
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per option; help shows the environment variable and the default."""
    for option in OPTIONS:
        parser.add_argument(
            option.flag,
            dest=option.name,
            type=option.kind,
            default=None,
            metavar=option.env,
            help=f"{option.help} [env {option.env}; default {option.default}]",
        )


def settings_from(
    args: argparse.Namespace | None, environ: Mapping[str, str] = os.environ
) -> Settings:
    """Resolve settings: flag, else environment variable, else default.

    Raises:
        ValueError: an environment variable has a value of the wrong type.
    """
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = getattr(args, option.name, None) if args is not None else None
        if value is None and environ.get(option.env):
            raw = environ[option.env]
            try:
                value = option.kind(raw)
            except (ValueError, argparse.ArgumentTypeError) as exc:
                raise ValueError(f"{option.env}={raw!r}: {exc}") from None
        if value is not None:
            values[option.name] = value
    return Settings(**values)
