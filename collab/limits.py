"""Input limits and the token-bucket rate limiter; time is an argument, never read here."""

from __future__ import annotations

from dataclasses import dataclass

from collab.nesting import DEFAULT_MAX_DEPTH

__all__ = ["Limits", "TokenBucket"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound the server enforces on peer input (invariant 6)."""

    max_frame_bytes: int = 8 * 1024 * 1024
    max_document_bytes: int = 64 * 1024 * 1024
    updates_per_s: float = 200.0
    updates_burst: int = 1000
    #: sustained update bytes per second per connection (the burst is max_frame_bytes)
    update_bytes_per_s: float = 256 * 1024
    awareness_per_s: float = 20.0
    awareness_burst: int = 60
    max_awareness_bytes: int = 64 * 1024
    max_connections: int = 10_000
    max_rooms: int = 10_000
    #: admitted sockets still joining (access check, room load) before new ones get 503
    max_joining: int = 2048
    outbox_frames: int = 1024
    sync_chunk_bytes: int = 1024 * 1024
    # Fair share of one node (rooms/fair_share.py). Per account: several tabs and devices.
    # Per address: generous, since a whole workshop may sit behind one NAT.
    max_sockets_per_user: int = 20
    max_sockets_per_address: int = 500
    max_loads_per_user: int = 4
    max_nesting_depth: int = DEFAULT_MAX_DEPTH


class TokenBucket:
    """A classic token bucket: ``rate`` tokens per second, holding at most ``burst``."""

    __slots__ = ("rate", "burst", "_tokens", "_stamp")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = now

    def take(self, now: float, cost: float = 1.0) -> bool:
        """Spend ``cost`` tokens if available at time ``now``; return whether it was allowed."""
        elapsed = max(0.0, now - self._stamp)
        # never move the stamp back: an earlier `now` would get the same interval refilled twice
        self._stamp = max(self._stamp, now)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        if self._tokens >= cost:
            self._tokens -= cost
            return True
        return False
