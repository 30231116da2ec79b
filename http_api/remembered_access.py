"""REST's two access reads, remembered between requests and voided by revocations.

Every authenticated request asked PostgreSQL twice before doing its work: is the login session
(or API key) behind the token live, and who is it; and, for a project's resources, is the
caller on the team, with which role. An integrator polling a board, a dashboard, a sync job
ask the same two questions hundreds of times a minute with the same answers, each a round trip
and about a tenth of a millisecond of the event loop that also relays the live rooms.

So a node remembers both answers, the way it remembers a socket's (http_api/socket_grants.py):

* for ``DTTOOLS_REST_ACCESS_CACHE_S`` at most (0 turns it off; at most 300 s, how long a node
  remembers revocations); the access token itself is still checked on every request
  (signature and expiry, no database), so an expired token is refused as before;
* only while no revocation that selects the answer came in since it was read: every change
  that ends or changes access (logout, token reuse, password change, key revoked, member
  removed, role changed, project deleted, account deleted) stores a revocation that reaches
  every node (:meth:`rooms.manager.RoomManager.revoked_since`), so the next request after such
  a change is checked afresh, on every node;
* only what grants access: a caller found not to be on a team is asked again next time (a new
  member is let in at once), and reads inside a transaction (a write that must see the team
  as it is now) always go to the database.

What a revocation does not cover is at most that old on another node: an account's name,
language or admin flag changed elsewhere. Endpoints that act on the account's secrets read
it afresh (:meth:`http_api.principal.Authenticator.current_user`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Generic, TypeVar
from uuid import UUID

from collab.envelope import Revocation
from collab.permissions import Role

if TYPE_CHECKING:  # principal.py holds this cache: a run-time import would go in a circle
    from http_api.principal import Principal

__all__ = ["MAX_ENTRIES", "Remembered", "RememberedAccess", "RevokedSince"]

#: Callers and memberships remembered per node (each about 300 bytes).
MAX_ENTRIES = 50_000
# Expired entries looked at (from the oldest) each time one is stored.
_PRUNE_STEP = 4
# Never a room's name: selects the revocations that concern a caller wherever they are.
_ANY_ROOM = ""

RevokedSince = Callable[[float, str, str | None, str | None], Revocation | None]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Kept(Generic[V]):
    value: V
    checked_at: float
    valid_until: float


class Remembered(Generic[K, V]):
    """Values by key, each until its own deadline, bounded in count (pure: time is an argument).

    Insertion order is nearly expiry order, so storing a value drops expired ones from the
    front, and a full cache drops its oldest.
    """

    __slots__ = ("_max_entries", "_entries")

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self._max_entries = max_entries
        self._entries: dict[K, _Kept[V]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, now: float) -> tuple[V, float] | None:
        """The value and when it was read, if it is still young enough."""
        kept = self._entries.get(key)
        if kept is None:
            return None
        if now >= kept.valid_until:
            del self._entries[key]
            return None
        return kept.value, kept.checked_at

    def put(self, key: K, value: V, checked_at: float, valid_until: float) -> None:
        """Remember ``value`` read at ``checked_at`` until ``valid_until``."""
        if valid_until <= checked_at:
            return
        entries = self._entries
        entries.pop(key, None)
        for oldest in list(islice(entries, _PRUNE_STEP)):
            if entries[oldest].valid_until > checked_at:
                break
            del entries[oldest]
        if len(entries) >= self._max_entries:
            del entries[next(iter(entries))]
        entries[key] = _Kept(value, checked_at, valid_until)

    def forget(self, key: K) -> None:
        """Drop one entry."""
        self._entries.pop(key, None)

    def forget_where(self, stale: Callable[[K, V], bool]) -> int:
        """Drop every entry ``stale`` selects; returns how many."""
        keys = [key for key, kept in self._entries.items() if stale(key, kept.value)]
        for key in keys:
            del self._entries[key]
        return len(keys)


class RememberedAccess:
    """Callers by credential, and team roles by (account, project), each voided by any
    revocation that selects it since it was read."""

    __slots__ = ("ttl_s", "_revoked_since", "_callers", "_members")

    def __init__(
        self, ttl_s: float, revoked_since: RevokedSince, max_entries: int = MAX_ENTRIES
    ) -> None:
        self.ttl_s = ttl_s
        self._revoked_since = revoked_since
        self._callers: Remembered[str, Principal] = Remembered(max_entries)
        self._members: Remembered[tuple[UUID, UUID], Role] = Remembered(max_entries)

    def caller(self, credential: str, now: float) -> Principal | None:
        """The caller remembered for ``credential`` (a session id, or an API key's hash)."""
        found = self._callers.get(credential, now)
        if found is None:
            return None
        principal, checked_at = found
        if self._revoked(checked_at, _ANY_ROOM, principal):
            self._callers.forget(credential)
            return None
        return principal

    def keep_caller(self, credential: str, principal: Principal, checked_at: float) -> None:
        """Remember a caller read at ``checked_at`` (taken before the read)."""
        self._callers.put(credential, principal, checked_at, checked_at + self.ttl_s)

    def membership(self, principal: Principal, project_id: UUID, now: float) -> Role | None:
        """The caller's remembered role on the project's team, if still valid."""
        key = (principal.user_id, project_id)
        found = self._members.get(key, now)
        if found is None:
            return None
        role, checked_at = found
        if self._revoked(checked_at, str(project_id), principal):
            self._members.forget(key)
            return None
        return role

    def keep_membership(
        self, principal: Principal, project_id: UUID, role: Role, checked_at: float
    ) -> None:
        """Remember a team role read at ``checked_at`` (taken before the read)."""
        key = (principal.user_id, project_id)
        self._members.put(key, role, checked_at, checked_at + self.ttl_s)

    def forget_account(self, user_id: UUID) -> int:
        """Drop every caller of this account (its name, language or password changed here)."""
        return self._callers.forget_where(lambda _key, principal: principal.user_id == user_id)

    def _revoked(self, checked_at: float, room: str, principal: Principal) -> bool:
        user, credential = str(principal.user_id), str(principal.credential_id)
        return self._revoked_since(checked_at, room, user, credential) is not None
