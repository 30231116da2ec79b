"""When to retry a request and how long to wait: a pure policy, with no clock or sleep of its own.

The transport asks :meth:`RetryPolicy.delay_s` after each failed attempt; the answer depends
only on its arguments, so tests check every branch without waiting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a :class:`~dttools_sdk.DTTools` client retries.

    Attributes:
        max_attempts: attempts in all, the first included (1 disables retries).
        base_delay_s: the first back-off without ``Retry-After``; it doubles per attempt.
        max_delay_s: the longest wait between two attempts. A ``Retry-After`` longer than
            this is not waited for: the error is raised with ``retry_after_s`` set, so the
            caller decides (an auth rate limit can ask for minutes).
        retry_statuses: the statuses worth another attempt. 429 and 503 come with
            ``Retry-After``; 502 and 504 are what proxies answer while a node restarts.
    """

    max_attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    retry_statuses: frozenset[int] = field(default=frozenset({429, 502, 503, 504}))

    def delay_s(self, attempt: int, retry_after_s: float | None, jitter: float) -> float | None:
        """The wait before the next attempt, or None to give up.

        Args:
            attempt: how many attempts were made so far (1 after the first).
            retry_after_s: the server's ``Retry-After``, if it sent one: honoured exactly,
                because the server knows when its window or its storage comes back.
            jitter: a number in [0, 1) that spreads clients refused together (full jitter
                over the upper half of the back-off, so no wait collapses to zero).
        """
        if attempt >= self.max_attempts:
            return None
        if retry_after_s is not None:
            return retry_after_s if retry_after_s <= self.max_delay_s else None
        backoff = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return backoff * (0.5 + jitter / 2)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Read ``Retry-After`` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as seconds.

    ``now`` is the current POSIX time, for the date form. A malformed value is ignored
    (None): the back-off applies instead.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    seconds = moment.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None
