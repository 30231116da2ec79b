"""Accounts, login sessions, projects and access tokens for the authenticated bench scenarios.

The connection-storm, idle and restart scenarios run our server WITH authentication, as in
production: every generated client is its own account with its own login session, rooms are
projects (room name = project id), and each room's clients are members of its project with the
read-write role (``member``; the product guide calls it editor). The server checks every
WebSocket fully: token signature and expiry, a live session in the database, and membership.

Rows are written in bulk (``COPY``) straight into the tables of
persistence/migrations/0002_accounts_projects.sql, after our server has started on the bench
database (so its migrations have run). Access tokens are minted the way the server's login
does (http_api/v1/auth.py): ``TokenSigner([secret], ttl_s).issue(user_id, session_id, now)``
with the secret the server gets as ``DTTOOLS_JWT_SECRET``; :func:`new_jwt_secret` makes a
random one per run (never stored anywhere but the run's environment).

Run alone (for a look at the data it makes)::

    .venv/bin/python load_tests/bench_accounts.py DSN --rooms 2 --per-room 3 --out tokens.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["Cohort", "Owner", "ROLE", "create_cohort", "new_jwt_secret", "project_owner"]

#: The project role every generated client gets: reads and writes the document.
ROLE = "member"
#: A well-formed argon2id hash that no password matches (nobody signs in with it).
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$YmVuY2gtbm8tbG9naW4$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)
#: Login sessions live far longer than any run (the access tokens' TTL is the run's bound).
SESSION_TTL = timedelta(days=1)


#: The password of :func:`project_owner`'s accounts (a browser signs in with it).
OWNER_PASSWORD = "benchmark passphrase"


@dataclass(frozen=True)
class Owner:
    """An account signed in through the REST API, and the project it created."""

    email: str
    user_id: str
    access_token: str
    project_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def project_owner(dsn: str, http_base: str, project_name: str) -> Owner:
    """A new account (written in the database: sign-up needs an e-mailed link), signed in
    over REST with :data:`OWNER_PASSWORD`, owning a new project named ``project_name``."""
    import aiohttp  # the bulk scenarios above need neither
    import asyncpg

    from http_api.passwords import hash_password
    from persistence.accounts import create_user

    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    conn = await asyncpg.connect(dsn)
    try:
        password_hash = await hash_password(OWNER_PASSWORD)
        await create_user(conn, uuid.uuid4(), email, "Bench", password_hash)
    finally:
        await conn.close()
    async with aiohttp.ClientSession() as http:
        body = {"email": email, "password": OWNER_PASSWORD, "client": "token"}
        async with http.post(f"{http_base}/v1/auth/login", json=body) as response:
            signed_in = await response.json()
        headers = {"Authorization": f"Bearer {signed_in['access_token']}"}
        async with http.post(
            f"{http_base}/v1/projects", json={"name": project_name}, headers=headers
        ) as response:
            project = (await response.json())["id"]
    return Owner(email, signed_in["user"]["id"], signed_in["access_token"], project)


def new_jwt_secret() -> str:
    """A random signing key for one run (64 URL-safe characters, over the 32-byte minimum)."""
    return secrets.token_urlsafe(48)


@dataclass(frozen=True)
class Cohort:
    """The rooms (project ids) of a scenario and one access token per client, by room."""

    rooms: list[str]
    tokens: list[list[str]]

    @property
    def clients(self) -> int:
        return sum(len(t) for t in self.tokens)

    def write(self, path: Path) -> Path:
        """Write ``{"rooms": [...], "tokens": [[...], ...]}`` for loadgen.mjs --tokens."""
        path.write_text(json.dumps({"rooms": self.rooms, "tokens": self.tokens}))
        path.chmod(0o600)
        return path


async def create_cohort(
    dsn: str, *, rooms: int, per_room: int, secret: str, ttl_s: float, label: str
) -> Cohort:
    """Create ``rooms`` projects with ``per_room`` member accounts each; mint their tokens.

    ``label`` keeps the e-mail addresses of several cohorts in one database apart.
    """
    import asyncpg  # in the project venv

    from http_api.tokens import TokenSigner  # the server's own signer

    now = datetime.now(UTC)
    expires = now + SESSION_TTL
    users: list[tuple[uuid.UUID, str, str, str]] = []
    sessions: list[tuple[uuid.UUID, uuid.UUID, datetime, str, str]] = []
    projects: list[tuple[uuid.UUID, str, uuid.UUID]] = []
    members: list[tuple[uuid.UUID, uuid.UUID, str]] = []
    pairs: list[list[tuple[uuid.UUID, uuid.UUID]]] = []
    for r in range(rooms):
        project_id = uuid.uuid4()
        room_pairs = []
        for c in range(per_room):
            user_id, session_id = uuid.uuid4(), uuid.uuid4()
            name = f"{label}-{r}-{c}"
            users.append((user_id, f"{name}@bench.invalid", name, PASSWORD_HASH))
            sessions.append((session_id, user_id, expires, "dttools-bench", "127.0.0.1"))
            members.append((project_id, user_id, ROLE))
            room_pairs.append((user_id, session_id))
        projects.append((project_id, f"{label} room {r}", room_pairs[0][0]))
        pairs.append(room_pairs)
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "users", records=users, columns=["id", "email", "name", "password_hash"]
            )
            await conn.copy_records_to_table(
                "auth_sessions",
                records=sessions,
                columns=["id", "user_id", "expires_at", "user_agent", "ip"],
            )
            await conn.copy_records_to_table(
                "projects", records=projects, columns=["id", "name", "created_by"]
            )
            await conn.copy_records_to_table(
                "project_members", records=members, columns=["project_id", "user_id", "role"]
            )
        await conn.execute(
            "ANALYZE users; ANALYZE auth_sessions; ANALYZE projects; ANALYZE project_members"
        )
    finally:
        await conn.close()
    signer = TokenSigner([secret.encode()], ttl_s)
    issued = datetime.now(UTC)
    tokens = [[signer.issue(u, s, issued)[0] for u, s in room] for room in pairs]
    return Cohort([str(p[0]) for p in projects], tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dsn", help="the bench database (after our server's migrations)")
    parser.add_argument("--rooms", type=int, required=True)
    parser.add_argument("--per-room", type=int, required=True)
    parser.add_argument("--secret", help="the server's DTTOOLS_JWT_SECRET (default: a new one)")
    parser.add_argument("--ttl-s", type=float, default=3600.0)
    parser.add_argument("--label", default="bench")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    secret = args.secret or new_jwt_secret()
    cohort = asyncio.run(
        create_cohort(
            args.dsn,
            rooms=args.rooms,
            per_room=args.per_room,
            secret=secret,
            ttl_s=args.ttl_s,
            label=args.label,
        )
    )
    cohort.write(args.out)
    print(f"{cohort.clients} clients in {len(cohort.rooms)} rooms -> {args.out}")


if __name__ == "__main__":
    main()
