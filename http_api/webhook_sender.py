"""Sending one webhook request: signed (Standard Webhooks), bounded, and never inward (SSRF).

Every request is checked where it goes, at send time, each attempt:

* the URL must be ``http`` or ``https`` with a host;
* a host written as an address is judged as is (aiohttp does not ask a resolver about
  addresses), a name through :class:`_GuardedResolver`, which refuses the whole name if any
  of its addresses is not public (collab/webhook_policy.py), so a name with one public and
  one private record cannot be used to reach the private one;
* redirects are not followed (a 3xx is a failed attempt), proxies from the environment are
  not used, the answer's body is read up to 64 KiB and dropped, and the whole request has a
  deadline (``DTTOOLS_WEBHOOK_TIMEOUT_S``).

Signing uses the ``standardwebhooks`` library: ``webhook-id`` (the event's stable id, for
receivers to deduplicate), ``webhook-timestamp`` (this attempt's, so a retry is not refused
as a replay) and ``webhook-signature`` with one signature per current secret (rotation).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from standardwebhooks.webhooks import Webhook as Signer
from yarl import URL

from collab.webhook_policy import AllowList, forbidden_address

__all__ = ["Outcome", "RefusedAddress", "WebhookSender", "sign"]

_MAX_BODY: Final = 64 * 1024
_USER_AGENT: Final = "DTTools-Webhooks/1"


class RefusedAddress(Exception):
    """The URL leads to an address webhooks may not reach."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt went."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        """410: the receiver asks never to be called again."""
        return self.status_code == 410


def sign(secrets: list[str], msg_id: str, timestamp: datetime, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,<base64>`` per secret, space-separated."""
    return " ".join(Signer(secret).sign(msg_id, timestamp, body) for secret in secrets)


class _GuardedResolver(AbstractResolver):
    """Resolves names on threads of its own, then refuses names with a forbidden address.

    Its own few threads, not the event loop's default executor: a resolver that hangs (a
    receiver's broken DNS, no network) then holds only webhook sends, never the file
    checks, exports or anything else the node runs in threads.
    """

    def __init__(self, allowed: AllowList, *, threads: int, timeout_s: float) -> None:
        self._allowed = allowed
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook-dns")
        self._timeout_s = timeout_s

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        lookup = partial(socket.getaddrinfo, host, port, family, socket.SOCK_STREAM)
        async with asyncio.timeout(self._timeout_s):
            infos = await loop.run_in_executor(self._pool, lookup)
        found: list[ResolveResult] = []
        for info_family, _, proto, _, address in infos:
            ip = str(address[0])
            if not self._allowed.allows_name(host) and forbidden_address(
                ipaddress.ip_address(ip), self._allowed
            ):
                raise RefusedAddress(f"{host} resolves to a non-public address")
            found.append(
                ResolveResult(
                    hostname=host,
                    host=ip,
                    port=int(address[1]),
                    family=info_family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST,
                )
            )
        return found

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _check_url(url: str, allowed: AllowList) -> None:
    # Judged as aiohttp will connect: yarl's host, after its normalisation (IDNA turns
    # "127。0。0。1" or "①②⑦.0.0.1" into 127.0.0.1, which aiohttp then dials without asking
    # any resolver), never another parser's idea of the host.
    try:
        parsed = URL(url)
    except ValueError:
        raise RefusedAddress("not a URL") from None
    host = parsed.raw_host
    if parsed.scheme not in ("http", "https") or not host:
        raise RefusedAddress("only http and https URLs with a host")
    if allowed.allows_name(host):
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return  # a name: the resolver judges what it resolves to
    if forbidden_address(literal, allowed):
        raise RefusedAddress(f"{host} is not a public address")


class WebhookSender:
    """One HTTP client for every webhook of a node (connections are pooled per host)."""

    def __init__(self, allowed: AllowList, *, timeout_s: float, concurrency: int) -> None:
        self._allowed = allowed
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        resolver = _GuardedResolver(allowed, threads=min(concurrency, 4), timeout_s=timeout_s)
        connector = aiohttp.TCPConnector(resolver=resolver, limit=concurrency, use_dns_cache=False)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            trust_env=False,
            auto_decompress=False,
            headers={"User-Agent": _USER_AGENT},
        )

    def check(self, url: str) -> None:
        """Refuse a URL whose host is an address webhooks may not reach (names: at send)."""
        _check_url(url, self._allowed)

    async def send(self, url: str, *, msg_id: str, body: bytes, secrets: list[str]) -> Outcome:
        """POST ``body`` to ``url``, signed; never raises for what the receiver does."""
        started = time.perf_counter()

        def outcome(status: int | None, error: str | None) -> Outcome:
            return Outcome(status, error, round((time.perf_counter() - started) * 1000))

        now = datetime.now(UTC)
        headers: dict[str, Any] = {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": sign(secrets, msg_id, now, body),
        }
        try:
            _check_url(url, self._allowed)
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.content.read(_MAX_BODY)
                return outcome(response.status, None)
        except RefusedAddress as exc:
            return outcome(None, f"refused: {exc}")
        except TimeoutError:
            return outcome(None, f"no answer within {self._timeout.total:g} s")
        except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
            cause = exc.__cause__ if isinstance(exc.__cause__, RefusedAddress) else exc
            prefix = "refused: " if isinstance(cause, RefusedAddress) else ""
            return outcome(None, f"{prefix}{type(cause).__name__}: {cause}"[:500])

    async def close(self) -> None:
        """Close the connections."""
        await self._session.close()
