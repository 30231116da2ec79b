"""Fixed-window attempt counters in PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from persistence.rate_limits import admit, hit, window_start


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


class TestWindowStart:
    def test_window_starts_on_a_multiple_of_its_length(self) -> None:
        """The window of a time starts at the last multiple of the window length (epoch-based)."""
        now = datetime(2030, 1, 1, 12, 7, 30, 250_000, tzinfo=UTC)
        assert window_start(now, 900) == datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
        assert window_start(now, 60) == datetime(2030, 1, 1, 12, 7, tzinfo=UTC)

    def test_times_in_one_window_share_its_start(self) -> None:
        """The first and last instants of a window map to the same start; the next does not."""
        start = datetime(2030, 1, 1, 12, 15, tzinfo=UTC)
        last = start + timedelta(seconds=899, microseconds=999_999)
        assert window_start(start, 900) == window_start(last, 900) == start
        assert window_start(start + timedelta(seconds=900), 900) == start + timedelta(seconds=900)


class TestHit:
    async def test_hits_count_up_within_a_window(self, pool: Any) -> None:
        """Each hit in the same window returns the count so far; other keys are separate."""
        key, other = _key(), _key()
        now = datetime.now(UTC)
        assert [await hit(pool, key, now, 900) for _ in range(3)] == [1, 2, 3]
        assert await hit(pool, other, now, 900) == 1

    async def test_a_new_window_starts_from_one_and_drops_the_old(self, pool: Any) -> None:
        """The first hit of a new window counts 1 and deletes the key's older windows."""
        key = _key()
        now = datetime.now(UTC)
        await hit(pool, key, now, 60)
        await hit(pool, key, now, 60)
        assert await hit(pool, key, now + timedelta(seconds=60), 60) == 1
        rows = await pool.fetchval("SELECT count(*) FROM rate_limits WHERE key = $1", key)
        assert rows == 1


class TestAdmit:
    async def test_an_attempt_timed_before_the_last_counted_one_is_not_made_to_wait(
        self, pool: Any
    ) -> None:
        """Parallel requests take their time before they queue on the row lock, so the one
        counted second may carry the earlier time. A free attempt must pass all the same (a
        negative elapsed time made it wait), and the last attempt's time never goes back."""
        key = f"test:{uuid.uuid4().hex}"
        later = datetime(2030, 1, 1, 12, 0, 10, tzinfo=UTC)
        earlier = later - timedelta(seconds=1)

        def free_then_ten_seconds(count: int) -> float:
            return 0.0 if count < 2 else 10.0

        assert await admit(pool, key, later, 900, free_then_ten_seconds) == 0.0
        assert await admit(pool, key, earlier, 900, free_then_ten_seconds) == 0.0
        # the third waits 10 s after the latest counted attempt, not after the earlier one
        assert await admit(pool, key, later, 900, free_then_ten_seconds) == 10.0
