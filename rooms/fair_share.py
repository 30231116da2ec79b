"""Fair share of one node between accounts and client addresses.

The node limits (``max_connections``, ``max_rooms``) protect the node; they do not stop one
account from taking all of it, leaving nothing for everyone else. These caps do: sockets per
account and per client address, and rooms one account's requests may be loading from
PostgreSQL at once. They are counted per node, in memory: a node knows what it holds, and a
cluster's share is the per-node cap times the nodes (nginx spreads rooms, not accounts).

A load is charged to the account the request acts for, read from :data:`ACTING_USER`; the HTTP
edge sets it once per request (each aiohttp request runs in its own task, so it cannot leak into
another request). Work the server does on its own (brainstorm mirroring, resyncs) sets nothing
and is never refused.
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum

from collab.errors import RateLimited
from collab.i18n import msg
from collab.limits import Limits
from rooms.metrics import FAIR_SHARE_REFUSALS

__all__ = ["ACTING_USER", "FairShare", "FairShareExceeded", "Share", "Tally"]

#: The account the current request or socket acts for (None: the server itself, or anonymous).
ACTING_USER: ContextVar[str | None] = ContextVar("dttools_acting_user", default=None)

# A load takes milliseconds: a client refused one can retry almost at once.
_LOAD_RETRY_AFTER_S = 1.0
# A socket slot frees when another tab closes: nothing to predict, so a short pause.
_SOCKET_RETRY_AFTER_S = 2.0


class Share(StrEnum):
    """Each fair-share limit, as it labels ``dttools_fair_share_refusals_total``."""

    SOCKETS_PER_USER = "sockets_per_user"
    SOCKETS_PER_ADDRESS = "sockets_per_address"
    LOADS_PER_USER = "loads_per_user"
    PROJECTS_PER_USER = "projects_per_user"


class FairShareExceeded(RateLimited):
    """One account or address holds as much of this node as it may; retry once some is freed."""

    def __init__(self, share: Share, message: str, retry_after_s: float) -> None:
        self.share = share
        super().__init__(message, retry_after_s)


def refused(share: Share) -> None:
    """Count one refusal by ``share`` (also for limits enforced outside this module)."""
    FAIR_SHARE_REFUSALS.labels(share.value).inc()


class Tally:
    """How many of one thing each key holds now, against one cap."""

    __slots__ = ("share", "cap", "_held")

    def __init__(self, share: Share, cap: int) -> None:
        self.share = share
        self.cap = cap
        self._held: dict[str, int] = {}

    def held(self, key: str) -> int:
        """How many ``key`` holds now."""
        return self._held.get(key, 0)

    def take(self, key: str) -> bool:
        """Take one for ``key`` unless it is at the cap (counted as a refusal); say which."""
        held = self._held.get(key, 0)
        if held >= self.cap:
            refused(self.share)
            return False
        self._held[key] = held + 1
        return True

    def give_back(self, key: str) -> None:
        """Return one taken by ``key`` (keys holding nothing are forgotten)."""
        held = self._held.get(key, 0) - 1
        if held > 0:
            self._held[key] = held
        else:
            self._held.pop(key, None)


class FairShare:
    """The per-account and per-address caps of one node."""

    def __init__(self, limits: Limits) -> None:
        self.sockets_per_user = Tally(Share.SOCKETS_PER_USER, limits.max_sockets_per_user)
        self.sockets_per_address = Tally(Share.SOCKETS_PER_ADDRESS, limits.max_sockets_per_address)
        self.loads_per_user = Tally(Share.LOADS_PER_USER, limits.max_loads_per_user)

    def admit_socket(self, user_id: str | None, address: str) -> None:
        """Count a socket of ``user_id`` (None: anonymous) from ``address``.

        Call :meth:`release_socket` with the same arguments when it ends.

        Raises:
            FairShareExceeded: the account or the address is at its cap (nothing is counted).
        """
        if user_id is not None and not self.sockets_per_user.take(user_id):
            cap = self.sockets_per_user.cap
            raise FairShareExceeded(
                Share.SOCKETS_PER_USER,
                msg(
                    "too many connections for your account on this server ({cap}): close a tab",
                    cap=cap,
                ),
                _SOCKET_RETRY_AFTER_S,
            )
        if not self.sockets_per_address.take(address):
            if user_id is not None:
                self.sockets_per_user.give_back(user_id)
            cap = self.sockets_per_address.cap
            raise FairShareExceeded(
                Share.SOCKETS_PER_ADDRESS,
                msg(
                    "too many connections from your network address on this server ({cap})",
                    cap=cap,
                ),
                _SOCKET_RETRY_AFTER_S,
            )

    def release_socket(self, user_id: str | None, address: str) -> None:
        """Give back what :meth:`admit_socket` counted."""
        if user_id is not None:
            self.sockets_per_user.give_back(user_id)
        self.sockets_per_address.give_back(address)

    def start_load(self) -> str | None:
        """Count a room load for the acting account; return whom to pass to :meth:`end_load`.

        Raises:
            FairShareExceeded: the account is loading as many rooms as it may.
        """
        user_id = ACTING_USER.get()
        if user_id is not None and not self.loads_per_user.take(user_id):
            cap = self.loads_per_user.cap
            raise FairShareExceeded(
                Share.LOADS_PER_USER,
                msg(
                    "your account is already loading {cap} projects on this server: retry shortly",
                    cap=cap,
                ),
                _LOAD_RETRY_AFTER_S,
            )
        return user_id

    def end_load(self, user_id: str | None) -> None:
        """The load :meth:`start_load` counted for ``user_id`` is over."""
        if user_id is not None:
            self.loads_per_user.give_back(user_id)
