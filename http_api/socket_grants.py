"""Who may open a project's room: the token check of /collab sockets, batched and remembered.

Every socket that opens a project's room proves who it is (an access token or an API key) and
that it is on the project's team. After a deploy, a failed node or a conference Wi-Fi blip,
thousands of sockets do this within seconds, most of them again within minutes. So:

* An access token's signature and expiry are checked on every socket (no database involved).
  What only the database knows (session live, account, membership) is read for many sockets
  in one statement (persistence/socket_access.py through persistence/batching.py).
* Most sockets of a storm are a team coming back to its project's room. The first socket of a
  project therefore reads every live login session of the project's members in one go
  (:func:`persistence.socket_access.team_sessions`, batched across projects) and remembers a
  grant for each of them; its teammates arriving next are answered from memory. A socket
  whose session is not among them (a new login, an admin from outside the team) is checked
  on its own. The team is read again once its grants expire. The same read tells whether the
  project's running session holds a lock on its board; when none does, the board-lock check
  of those sockets (http_api/write_locks.py) is told so and costs no query of its own.
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
from uuid import UUID

from collab.envelope import Revocation
from collab.errors import NotFound, Unauthenticated
from collab.i18n import msg
from collab.permissions import Role, effective_role
from http_api.access import project_access
from http_api.principal import Authenticator
from http_api.remembered_access import Remembered
from http_api.tokens import API_KEY_PREFIX
from persistence.batching import Batcher
from persistence.conn import PgPool
from persistence.socket_access import SessionCheck, SessionGrant, check_sessions, team_sessions
from rooms.access import REVOCATION_MEMORY_S

__all__ = ["Grant", "GrantCache", "SocketGrants"]

# Sockets' checks read in one statement, and statements at once (the pool has 10 connections).
_CHECK_BATCH = 256
_CHECKS_IN_FLIGHT = 2
#: Remembered grants per node: enough for every socket of a full node, at ~300 bytes each.
MAX_ENTRIES = 50_000
# Teams whose read expired looked at (from the oldest) each time a team is read.
_PRUNE_STEP = 4
# Teams read in one statement, and statements at once.
_TEAM_BATCH = 64
_TEAMS_IN_FLIGHT = 2
#: A team holding more live sessions than this is checked one socket at a time.
TEAM_LIMIT = 500

RevokedSince = Callable[[float, str, str | None, str | None], Revocation | None]
#: Told (project, monotonic time of the read) when a team read found no lock on the board.
LockFree = Callable[[UUID, float], None]


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

    __slots__ = ("_ttl_s", "_grants")

    def __init__(self, ttl_s: float, max_entries: int = MAX_ENTRIES) -> None:
        if not 0 <= ttl_s <= REVOCATION_MEMORY_S:
            raise ValueError(f"grant cache lifetime must be 0..{REVOCATION_MEMORY_S:g} s")
        self._ttl_s = ttl_s
        self._grants: Remembered[tuple[str, UUID], Grant] = Remembered(max_entries)

    def __len__(self) -> int:
        return len(self._grants)

    @property
    def ttl_s(self) -> float:
        """How long a grant is remembered (0: not at all)."""
        return self._ttl_s

    def get(self, credential: str, project_id: UUID, now: float) -> Grant | None:
        """The remembered grant, if it is still young enough."""
        found = self._grants.get((credential, project_id), now)
        return None if found is None else found[0]

    def put(self, credential: str, project_id: UUID, grant: Grant) -> None:
        """Remember ``grant`` (replacing the oldest entry when full)."""
        if self._ttl_s > 0:
            key = (credential, project_id)
            self._grants.put(key, grant, grant.checked_at, grant.valid_until)

    def forget(self, credential: str, project_id: UUID) -> None:
        """Drop one entry (a revocation selected it)."""
        self._grants.forget((credential, project_id))

    def lifetime(self, checked_at: float, session_expires_in_s: float | None) -> float:
        """When a grant read at ``checked_at`` stops being reusable."""
        until = checked_at + self._ttl_s
        if session_expires_in_s is not None:
            until = min(until, checked_at + session_expires_in_s)
        return until


class SocketGrants:
    """The /collab access check: :meth:`grant` for a credential and a project."""

    def __init__(
        self, db: PgPool, auth: Authenticator, cache_s: float, lock_free: LockFree | None = None
    ) -> None:
        self._db = db
        self._auth = auth
        self._lock_free = lock_free
        self.cache = GrantCache(cache_s)
        self._checks: Batcher[SessionCheck, SessionGrant] = Batcher(
            self._check_batch, max_batch=_CHECK_BATCH, max_in_flight=_CHECKS_IN_FLIGHT
        )
        self._teams: Batcher[UUID, None] = Batcher(
            self._read_teams, max_batch=_TEAM_BATCH, max_in_flight=_TEAMS_IN_FLIGHT
        )
        #: when each project's team was last read (monotonic), oldest first
        self._teams_read: dict[UUID, float] = {}

    async def _check_batch(self, checks: list[SessionCheck]) -> list[SessionGrant]:
        return await check_sessions(self._db, checks, datetime.now(UTC))

    async def _read_teams(self, project_ids: list[UUID]) -> list[None]:
        """Remember a grant for every live session of these projects' members."""
        read_at = time.monotonic()  # before the read: revocations from here on void them
        teams = await team_sessions(self._db, project_ids, datetime.now(UTC), TEAM_LIMIT)
        wall = datetime.now(UTC)
        lock_free = self._lock_free
        for project_id, team in zip(project_ids, teams, strict=True):
            self._teams_read.pop(project_id, None)
            self._teams_read[project_id] = read_at
            if lock_free is not None and not team.lock_held:
                lock_free(project_id, read_at)
            for member in team.sessions or ():
                role = effective_role(member.membership, member.is_admin)
                assert role is not None  # a member always has one
                expires_in = (member.expires_at - wall).total_seconds()
                lifetime = self.cache.lifetime(read_at, expires_in)
                grant = Grant(member.user_id, member.session_id, role, read_at, lifetime)
                self.cache.put(str(member.session_id), project_id, grant)
        self._forget_old_teams(read_at)
        return [None] * len(project_ids)

    def _team_due(self, project_id: UUID, now: float) -> bool:
        """Whether the project's team should be read (never read, or its grants expired)."""
        if self.cache.ttl_s <= 0:
            return False
        read_at = self._teams_read.get(project_id)
        return read_at is None or now - read_at >= self.cache.ttl_s

    def _forget_old_teams(self, now: float) -> None:
        teams_read = self._teams_read
        for project_id in list(islice(teams_read, _PRUNE_STEP)):
            if now - teams_read[project_id] < self.cache.ttl_s:
                break
            del teams_read[project_id]

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
        cached = self._remembered(key, project_id, room, revoked_since, now)
        if cached is None and claims is not None and self._team_due(project_id, now):
            await self._teams.get(project_id)
            cached = self._remembered(key, project_id, room, revoked_since, time.monotonic())
        if cached is not None and (claims is None or cached.user_id == claims.user_id):
            return cached
        if claims is None:
            grant = await self._api_key_grant(credential, project_id, now)
        else:
            grant = await self._session_grant(claims.session_id, claims.user_id, project_id, now)
        # Remember it only if no revocation came in while it was being read.
        if revoked_since(now, room, str(grant.user_id), str(grant.credential_id)) is None:
            self.cache.put(key, project_id, grant)
        return grant

    def _remembered(
        self, key: str, project_id: UUID, room: str, revoked_since: RevokedSince, now: float
    ) -> Grant | None:
        """A remembered grant that no revocation since its reading has voided."""
        cached = self.cache.get(key, project_id, now)
        if cached is None:
            return None
        user, session = str(cached.user_id), str(cached.credential_id)
        if revoked_since(cached.checked_at, room, user, session) is not None:
            self.cache.forget(key, project_id)
            return None
        return cached

    async def _session_grant(
        self, session_id: UUID, user_id: UUID, project_id: UUID, now: float
    ) -> Grant:
        answer = await self._checks.get(SessionCheck(session_id, user_id, project_id))
        if not answer.live:
            raise Unauthenticated(msg("session ended: sign in again"))
        if not answer.user_exists:
            raise Unauthenticated(msg("account no longer exists"))
        role = effective_role(answer.membership, answer.is_admin) if answer.project_exists else None
        if role is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
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
