"""The token bucket takes time as an argument: no clock, no sleeps."""

from __future__ import annotations

from collab.limits import Limits, TokenBucket


class TestTokenBucket:
    def test_burst_then_refuse(self) -> None:
        """A full bucket allows `burst` takes at once, then refuses."""
        bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
        assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]

    def test_refills_with_time_up_to_burst(self) -> None:
        """Tokens come back at `rate` per second and never exceed `burst`."""
        bucket = TokenBucket(rate=2.0, burst=2, now=0.0)
        assert bucket.take(0.0, cost=2)
        assert not bucket.take(0.1)
        assert bucket.take(0.5)
        assert bucket.take(100.0, cost=2)
        assert not bucket.take(100.0)

    def test_clock_going_backwards_adds_nothing(self) -> None:
        """A `now` earlier than the last one refills nothing."""
        bucket = TokenBucket(rate=10.0, burst=1, now=5.0)
        assert bucket.take(5.0)
        assert not bucket.take(4.0)


def test_limits_defaults_are_positive() -> None:
    """Every default limit is a positive bound."""
    limits = Limits()
    for name in Limits.__dataclass_fields__:
        assert getattr(limits, name) > 0, name
