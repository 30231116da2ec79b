"""Limits and the token bucket, which takes time as an argument: no clock, no sleeps."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.limits import Limits, TokenBucket


class TestTokenBucket:
    def test_starts_full(self) -> None:
        """A new bucket allows `burst` takes at once, then refuses."""
        bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
        assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]

    def test_refills_at_rate(self) -> None:
        """Tokens come back at `rate` per second of `now`."""
        bucket = TokenBucket(rate=2.0, burst=2, now=0.0)
        assert bucket.take(0.0, cost=2)
        assert not bucket.take(0.1)  # 0.2 tokens
        assert not bucket.take(0.4)  # 0.8 tokens
        assert bucket.take(0.5)  # 1.0 token
        assert not bucket.take(0.5)

    def test_refill_is_capped_at_burst(self) -> None:
        """A long idle period refills no more than `burst`."""
        bucket = TokenBucket(rate=2.0, burst=2, now=0.0)
        assert bucket.take(100.0, cost=2)
        assert not bucket.take(100.0)

    def test_cost_larger_than_tokens_is_refused_and_spends_nothing(self) -> None:
        """A refused take leaves the tokens for a cheaper one."""
        bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
        assert not bucket.take(0.0, cost=4)
        assert bucket.take(0.0, cost=3)

    def test_clock_going_backwards_adds_nothing(self) -> None:
        """A `now` earlier than the last one refills nothing."""
        bucket = TokenBucket(rate=10.0, burst=1, now=5.0)
        assert bucket.take(5.0)
        assert not bucket.take(4.0)
        assert not bucket.take(4.05)  # measured from 4.0 on: 0.5 tokens

    def test_time_is_never_counted_twice_after_the_clock_goes_back(self) -> None:
        """A jump back then forth to the same instant refills nothing."""
        bucket = TokenBucket(rate=1.0, burst=1, now=10.0)
        assert bucket.take(10.0)
        assert not bucket.take(9.0)
        assert not bucket.take(10.0)
        assert bucket.take(11.0)

    @given(
        st.lists(st.floats(min_value=-5.0, max_value=10.0), min_size=1, max_size=50),
        st.floats(min_value=0.1, max_value=100.0),
        st.integers(min_value=1, max_value=20),
    )
    def test_never_allows_more_than_burst_plus_refill(
        self, steps: list[float], rate: float, burst: int
    ) -> None:
        """Allowed takes never exceed burst + rate * time elapsed, even if the clock jumps back."""
        bucket = TokenBucket(rate=rate, burst=burst, now=0.0)
        now = latest = 0.0
        allowed = 0
        for step in steps:
            now += step  # a negative step is the clock going back
            latest = max(latest, now)
            allowed += bucket.take(now)
        assert allowed <= burst + rate * latest + 1e-9


class TestLimits:
    def test_defaults_are_positive(self) -> None:
        """Every default limit is a positive bound."""
        limits = Limits()
        for field in dataclasses.fields(Limits):
            assert getattr(limits, field.name) > 0, field.name

    def test_limits_are_frozen(self) -> None:
        """Limits are passed down as a value and cannot be changed in place."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            Limits().max_frame_bytes = 1  # type: ignore[misc]  # checking the runtime guard

    def test_a_chunk_fits_in_a_frame(self) -> None:
        """The default sync chunk is smaller than the largest frame a peer may send."""
        limits = Limits()
        assert limits.sync_chunk_bytes < limits.max_frame_bytes
