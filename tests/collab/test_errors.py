"""The error hierarchy carries what the edge needs to answer (e.g. Retry-After)."""

from __future__ import annotations

from collab.errors import DTToolsError, RateLimited


def test_rate_limited_says_when_to_retry() -> None:
    exc = RateLimited("too many attempts", retry_after_s=12.5)
    assert isinstance(exc, DTToolsError)
    assert exc.retry_after_s == 12.5
    assert str(exc) == "too many attempts"


def test_rate_limited_has_a_default_message_and_no_retry_hint() -> None:
    exc = RateLimited()
    assert exc.retry_after_s is None
    assert str(exc) == "rate limit exceeded"
