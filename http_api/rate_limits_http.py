"""Per-account request budgets of the REST API, announced in RateLimit headers.

Every authenticated /v1 request spends one token of its account's bucket: ``burst`` tokens at
most, refilled at ``rate_per_s``. A page load or a script's short burst is free; a sustained
flood is held to the rate. Tokens belong to the *account*: each API key, login session and
browser tab of one account spends the same bucket, so minting keys buys no more requests, and
one account's flood leaves the others' buckets alone. Sign-in and the other unauthenticated
routes have their own throttle (http_api/auth_throttle.py).

The buckets live in this node's memory: O(1) per request and no database round trip. Behind a
balancer with N nodes an account may get up to N times the budget; the limit protects each node
from one account, it is not a billing quota.

The headers follow draft-ietf-httpapi-ratelimit-headers-11 (Structured Field lists)::

    RateLimit-Policy: "burst";q=200;w=4    a bucket of 200, refilled in full within 4 s
    RateLimit: "burst";r=187;t=1           187 requests left; full again within 1 s

Both are on every response to an authenticated /v1 request, errors included; a refused one is
429 problem+json ``rate-limited`` with ``Retry-After``: the seconds until one token is back (the
draft lets Retry-After take precedence over ``t``). Refused requests spend nothing.

Memory: a bucket idle for ``burst / rate_per_s`` seconds is full again, the same as a new one,
so it is dropped; buckets are kept in order of last use and each request drops at most two idle
ones from the old end, which keeps up with creation at O(1). A hard cap also drops the least
recently used bucket past it, even if not full: that account merely starts over with a full one.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Final, TypeVar

from aiohttp import web

from collab.errors import RateLimited
from http_api.principal import Principal

__all__ = ["POLICY_NAME", "Quota", "RequestBudgets", "charged", "add_rate_limit_headers"]

#: The policy's name in both headers.
POLICY_NAME: Final = "burst"
#: Accounts tracked at once per node; past it the least recently seen is forgotten.
MAX_BUCKETS: Final = 100_000
# Idle buckets dropped per request: more than the one a request can add.
_EVICT_PER_SPEND: Final = 2
_HEADERS: Final = web.RequestKey("rate_limit_headers", dict[str, str])

P = TypeVar("P", bound=Principal)
Require = Callable[[web.Request, bool], Awaitable[P]]


@dataclass(frozen=True, slots=True)
class Quota:
    """What one request was told: admitted or not, and what its account has left."""

    allowed: bool
    #: whole requests left in the bucket after this one
    remaining: int
    #: seconds until the bucket is full again (rounded up)
    full_in_s: int
    #: seconds until the next request will be admitted (0 when this one was)
    retry_after_s: int


class _Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class RequestBudgets:
    """One token bucket per key (an account id); time is an argument, never read here."""

    def __init__(self, rate_per_s: float, burst: int, max_buckets: int = MAX_BUCKETS) -> None:
        if rate_per_s <= 0 or burst < 1 or max_buckets < 1:
            raise ValueError("rate_per_s must be > 0, burst and max_buckets >= 1")
        self.rate_per_s = rate_per_s
        self.burst = burst
        #: seconds an empty bucket takes to fill: the policy's window
        self.window_s = max(1, math.ceil(burst / rate_per_s))
        self._max_buckets = max_buckets
        self._idle_s = burst / rate_per_s
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def spend(self, key: Hashable, now: float) -> Quota:
        """Take one token from ``key``'s bucket at time ``now``, if it has one."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        else:
            self._buckets.move_to_end(key)
            # An earlier `now` refills nothing and leaves the stamp: no interval counts twice.
            if now > bucket.stamp:
                refilled = bucket.tokens + (now - bucket.stamp) * self.rate_per_s
                bucket.tokens = min(float(self.burst), refilled)
                bucket.stamp = now
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        self._evict(now)
        tokens = bucket.tokens
        return Quota(
            allowed=allowed,
            remaining=int(tokens),
            full_in_s=math.ceil((self.burst - tokens) / self.rate_per_s),
            retry_after_s=0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate_per_s)),
        )

    def _evict(self, now: float) -> None:
        buckets = self._buckets
        for _ in range(_EVICT_PER_SPEND):
            oldest = next(iter(buckets.values()))
            if now - oldest.stamp < self._idle_s:
                break
            buckets.popitem(last=False)
        while len(buckets) > self._max_buckets:
            buckets.popitem(last=False)

    def headers(self, quota: Quota) -> dict[str, str]:
        """The RateLimit-Policy and RateLimit fields telling ``quota``."""
        return {
            "RateLimit-Policy": f'"{POLICY_NAME}";q={self.burst};w={self.window_s}',
            "RateLimit": f'"{POLICY_NAME}";r={quota.remaining};t={quota.full_in_s}',
        }


def charged(
    require: Require[P],
    rate_per_s: float,
    burst: int,
    clock: Callable[[], float] = time.monotonic,
) -> Require[P]:
    """``require`` (the endpoints' authentication), then one token of the caller's account.

    A ``rate_per_s`` of 0 turns the limit off: ``require`` comes back as it was.

    The returned callable raises :class:`RateLimited` (429, Retry-After) when the account's
    bucket is empty, and leaves the headers for :func:`add_rate_limit_headers` either way.
    """
    if rate_per_s == 0:
        return require
    budgets = RequestBudgets(rate_per_s, burst)

    async def require_within_budget(request: web.Request, unsafe: bool) -> P:
        principal = await require(request, unsafe)
        quota = budgets.spend(principal.user_id, clock())
        request[_HEADERS] = budgets.headers(quota)
        if not quota.allowed:
            raise RateLimited(retry_after_s=quota.retry_after_s)
        return principal

    return require_within_budget


async def add_rate_limit_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the RateLimit fields of a request that spent from a budget.

    Here rather than on the handler's response, so that errors rendered by the problem
    middleware (the 429 itself) and responses a handler streams itself carry them too.
    """
    headers = request.get(_HEADERS)
    if headers is not None:
        response.headers.update(headers)
