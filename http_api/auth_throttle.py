"""Throttling of sign-in, sign-up and password-reset requests, without locking owners out.

A limit per account alone lets anyone lock a user out by typing wrong passwords for them; a
limit per address alone puts a whole workshop behind one NAT in one bucket. So:

* **Sign-in guesses** are counted per (account, client address) pair. The first
  ``DTTOOLS_AUTH_ATTEMPTS`` failures cost nothing; after that each further attempt from that
  address on that account must wait 1 s, 2 s, 4 s, ... (at most the window) after the previous
  one. An attacker's address slows only itself: the owner, from their own address, signs in as
  usual. A successful sign-in clears the pair.
* **Failed sign-ins per address**, over all accounts, are capped at
  ``DTTOOLS_AUTH_ADDRESS_ATTEMPTS`` per window (one address spraying many accounts). Successful
  sign-ins are not counted, so 50 people behind one NAT all get in.
* **Sign-up and reset requests** send e-mail, so they are capped per address (same setting,
  separate counters) and per e-mail address (``DTTOOLS_AUTH_ATTEMPTS``), for any address,
  whether or not it has an account: the limits themselves reveal nothing.

The client address comes from :func:`http_api.client_address.client_address`: behind a
reverse proxy, ``DTTOOLS_TRUSTED_PROXIES`` must name it, or every client shares its address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from collab.errors import RateLimited
from collab.i18n import Text, msg
from http_api.client_address import client_address
from http_api.keys import DB, SETTINGS
from persistence import rate_limits

__all__ = ["backoff_s", "limit", "SignInAttempt", "admit_sign_in"]


def _refused(wait_s: float) -> Text:
    """The refusal, saying when to try again (the same wait as ``Retry-After``)."""
    wait = math.ceil(wait_s)
    if wait >= 120:
        amount = msg("{count} minutes", count=math.ceil(wait / 60))
    elif wait == 1:
        amount = msg("1 second")
    else:
        amount = msg("{count} seconds", count=wait)
    return msg("too many attempts: try again in {wait}", wait=amount)


def backoff_s(attempts: int, free: int, cap_s: float) -> float:
    """How long after the last of ``attempts`` sign-in attempts the next one may come.

    Nothing for the first ``free`` attempts, then 1 s, doubling with every further attempt, at
    most ``cap_s``.
    """
    if attempts < free:
        return 0.0
    return min(2.0 ** (attempts - free), cap_s)


def _retry_after(now: datetime, window_s: int) -> float:
    """Seconds until the current fixed window ends."""
    start = rate_limits.window_start(now, window_s)
    return math.ceil(window_s - (now - start).total_seconds())


async def limit(request: web.Request, action: str, account: str | None = None) -> None:
    """Count one ``action`` request for the client address (and ``account``, if given).

    Raises:
        RateLimited: either count is over its limit for the current window.
    """
    settings = request.app[SETTINGS]
    now = datetime.now(UTC)
    limits = [(f"{action}:ip:{client_address(request)}", settings.auth_address_attempts)]
    if account is not None:
        limits.append((f"{action}:account:{account.lower()}", settings.auth_attempts))
    for key, most in limits:
        if await rate_limits.hit(request.app[DB], key, now, settings.auth_window_s) > most:
            wait = _retry_after(now, settings.auth_window_s)
            raise RateLimited(_refused(wait), retry_after_s=wait)


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """A sign-in attempt that was let through; report its outcome with :meth:`succeeded`."""

    request: web.Request
    pair_key: str
    address_key: str
    at: datetime

    async def succeeded(self) -> None:
        """The password was right: clear the pair's back-off, and do not count the address."""
        db, window_s = self.request.app[DB], self.request.app[SETTINGS].auth_window_s
        await rate_limits.clear(db, self.pair_key)
        await rate_limits.release(db, self.address_key, self.at, window_s)


async def admit_sign_in(request: web.Request, email: str) -> SignInAttempt:
    """Let a sign-in attempt for ``email`` through, or refuse it with 429.

    The attempt is counted before the password is checked (and taken back on success), so
    parallel guesses cannot all pass before any of them is counted.

    Raises:
        RateLimited: the address has failed too often, or this (account, address) pair must
            still wait; ``Retry-After`` says how long.
    """
    settings = request.app[SETTINGS]
    db, window_s = request.app[DB], settings.auth_window_s
    now = datetime.now(UTC)
    address = client_address(request)
    address_key = f"login:ip:{address}"
    pair_key = f"login:pair:{email.lower()}|{address}"
    if await rate_limits.hit(db, address_key, now, window_s) > settings.auth_address_attempts:
        refused_for = _retry_after(now, window_s)
        raise RateLimited(_refused(refused_for), retry_after_s=refused_for)

    def wait(attempts: int) -> float:
        return backoff_s(attempts, settings.auth_attempts, window_s)

    still = await rate_limits.admit(db, pair_key, now, window_s, wait)
    if still > 0:
        await rate_limits.release(db, address_key, now, window_s)
        raise RateLimited(_refused(still), retry_after_s=math.ceil(still))
    return SignInAttempt(request, pair_key, address_key, now)
