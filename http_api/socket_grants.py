"""Who may open a project's room: the token check of /collab sockets, batched and remembered.

Every socket that opens a project's room proves who it is (an access token or an API key) and
that it is on the project's team. After a deploy, a failed node or a conference Wi-Fi blip,
thousands of sockets do this within seconds, most of them again within minutes. So:

* An access token's signature and expiry are checked on every socket (no database involved).
  What only the database knows (session live, account, membership) is read for many sockets
  in one statement (persistence/socket_access.py through persistence/batching.py).
* The answer is remembered for ``DTTOOLS_SOCKET_GRANT_CACHE_S`` per credential and project, and
  never past the session's expiry. A remembered answer is used only if no revocation that
  selects it arrived since it was read (:meth:`rooms.manager.RoomManager.revoked_since`): every
  change that ends or changes access (logout, member removed, role changed, key revoked,
  password reset) stores a revocation that reaches every node, so a reconnecting client after
  such a change is checked afresh. Revocations are remembered for 300 s, hence the cap on the
  setting. While Redis is down a node learns of a revocation within
  ``DTTOOLS_REVOCATION_POLL_S``; a socket admitted on a remembered answer in that window is
  closed when the revocation arrives, as every socket already connected is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from uuid import UUID

from collab.envelope import Revocation
from collab.errors import NotFound, Unauthenticated
from collab.permissions import Role, effective_role
from http_api.access import project_access
from http_api.principal import Authenticator
from http_api.tokens import API_KEY_PREFIX
from persistence.batching import Batcher
from persistence.socket_access import SessionCheck, SessionGrant, check_sessions
from rooms.access import REVOCATION_MEMORY_S

__all__ = ["Grant", "GrantCache", "SocketGrants"]

# Sockets' checks read in one statement, and statements at once (the pool has 10 connections).
_CHECK_BATCH = 256
_CHECKS_IN_FLIGHT = 2
# Expired grants looked at (from the oldest) each time one is stored.
_PRUNE_STEP = 4
#: Remembered grants per node: enough for every socket of a full node, at ~300 bytes each.
MAX_ENTRIES = 50_000

RevokedSince = Callable[[float, str, str | None, str | None], Revocation | None]


@dataclass(frozen=True, slots=True)
class Grant:
    """A caller's standing towards one project, as read at monotonic time ``checked_at``."""

    user_id: UUID
    #: the login session or API key
    credential_id: UUID
    role: Role
    checked_at: float
    #: monotonic time after which the grant may not be reused
    valid_until: float


class GrantCache:
    """Grants by (credential, project), bounded in time and in count (pure: time is an argument).

    The credential is the login session's id for an access token (its signature and expiry are
    checked on every socket, so every valid token of the session may share the answer), the
    key itself for an API key.
    """

    __slots__ = ("_ttl_s", "_max_entries", "_grants")

    def __init__(self, ttl_s: float, max_entries: int = MAX_ENTRIES) -> None:
        if not 0 <= ttl_s <= REVOCATION_MEMORY_S:
            raise ValueError(f"grant cache lifetime must be 0..{REVOCATION_MEMORY_S:g} s")
        if max_entries < 1:
            raise ValueError("a grant cache holds at least one entry")
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._grants: dict[tuple[str, UUID], Grant] = {}

    def __len__(self) -> int:
        return len(self._grants)

    def get(self, credential: str, project_id: UUID, now: float) -> Grant | None:
        """The remembered grant, if it is still young enough."""
        grant = self._grants.get((credential, project_id))
        if grant is None:
            return None
        if now >= grant.valid_until:
            del self._grants[(credential, project_id)]
            return None
        return grant

    def put(self, credential: str, project_id: UUID, grant: Grant) -> None:
        """Remember ``grant`` (replacing the oldest entry when full)."""
        if self._ttl_s <= 0 or grant.valid_until <= grant.checked_at:
            return
        grants = self._grants
        key = (credential, project_id)
        grants.pop(key, None)
        # Insertion order is (nearly) expiry order: drop expired grants from the front, so
        # the sockets that stay connected do not keep theirs past its use.
        for oldest in list(islice(grants, _PRUNE_STEP)):
            if grants[oldest].valid_until > grant.checked_at:
                break
            del grants[oldest]
        if len(grants) >= self._max_entries:
            del grants[next(iter(grants))]  # the oldest first
        grants[key] = grant

    def forget(self, credential: str, project_id: UUID) -> None:
        """Drop one entry (a revocation selected it)."""
        self._grants.pop((credential, project_id), None)

    def lifetime(self, checked_at: float, session_expires_in_s: float | None) -> float:
        """When a grant read at ``checked_at`` stops being reusable."""
        until = checked_at + self._ttl_s
        if session_expires_in_s is not None:
            until = min(until, checked_at + session_expires_in_s)
        return until


class SocketGrants:
    """The /collab access check: :meth:`grant` for a credential and a project."""

    def __init__(self, db: Any, auth: Authenticator, cache_s: float) -> None:
        self._db = db
        self._auth = auth
        self.cache = GrantCache(cache_s)
        self._checks: Batcher[SessionCheck, SessionGrant] = Batcher(
            self._check_batch, max_batch=_CHECK_BATCH, max_in_flight=_CHECKS_IN_FLIGHT
        )

    async def _check_batch(self, checks: list[SessionCheck]) -> list[SessionGrant]:
        return await check_sessions(self._db, checks, datetime.now(UTC))

    async def grant(
        self,
        credential: str,
        project_id: UUID,
        room: str,
        revoked_since: RevokedSince,
    ) -> Grant:
        """The caller's grant on the project, remembered or read now.

        Raises:
            Unauthenticated: a forged, expired or revoked credential, or a deleted account.
            NotFound: no such project, or the caller is not a member (nor an admin).
        """
        now = time.monotonic()
        # Every socket: an access token's signature and expiry (no database involved).
        claims = (
            None
            if credential.startswith(API_KEY_PREFIX)
            else self._auth.signer.verify(credential, datetime.now(UTC))
        )
        key = credential if claims is None else str(claims.session_id)
        cached = self.cache.get(key, project_id, now)
        if cached is not None:
            user, session = str(cached.user_id), str(cached.credential_id)
            if revoked_since(cached.checked_at, room, user, session) is None:
                return cached
            self.cache.forget(key, project_id)
        if claims is None:
            grant = await self._api_key_grant(credential, project_id, now)
        else:
            grant = await self._session_grant(claims.session_id, claims.user_id, project_id, now)
        # Remember it only if no revocation came in while it was being read.
        if revoked_since(now, room, str(grant.user_id), str(grant.credential_id)) is None:
            self.cache.put(key, project_id, grant)
        return grant

    async def _session_grant(
        self, session_id: UUID, user_id: UUID, project_id: UUID, now: float
    ) -> Grant:
        answer = await self._checks.get(SessionCheck(session_id, user_id, project_id))
        if not answer.live:
            raise Unauthenticated("session ended: sign in again")
        if not answer.user_exists:
            raise Unauthenticated("account no longer exists")
        role = effective_role(answer.membership, answer.is_admin) if answer.project_exists else None
        if role is None:
            raise NotFound(f"no such project: {project_id}")
        assert answer.expires_at is not None  # live sessions have one
        expires_in = (answer.expires_at - datetime.now(UTC)).total_seconds()
        return Grant(user_id, session_id, role, now, self.cache.lifetime(now, expires_in))

    async def _api_key_grant(self, key: str, project_id: UUID, now: float) -> Grant:
        principal = await self._auth.from_token(key, via="bearer")
        access = await project_access(self._db, principal, project_id)
        return Grant(
            principal.user_id,
            principal.credential_id,
            access.role,
            now,
            self.cache.lifetime(now, None),
        )
