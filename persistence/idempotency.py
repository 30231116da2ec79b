"""The idempotency_keys table: one claimed operation per (caller, Idempotency-Key).

http_api/idempotency.py decides what a retried request gets (the first response again, 409
while the first attempt runs, 422 for a different request under the same key); this module
only stores claims and the responses they ended with. Keys expire after 24 hours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from persistence.conn import Executor, PgPool

__all__ = ["Claim", "StoredResponse", "claim", "finish", "release"]


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What the first request under a key stored (status None: it is still running)."""

    request_hash: bytes
    status: int | None
    headers: dict[str, str]
    body: bytes | None


@dataclass(frozen=True, slots=True)
class Claim:
    """The request whose key is claimed: who sent it, under which key, and what it was."""

    user_id: UUID
    key: str
    method: str
    path: str
    request_hash: bytes


async def claim(db: PgPool, wanted: Claim) -> StoredResponse | None:
    """Claim the key for this request; None if claimed now, else what holds it.

    A key older than 24 hours is forgotten first, so it can be claimed again.
    """
    async with db.acquire() as conn:
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 "
            "AND created_at < now() - interval '24 hours'",
            wanted.user_id,
            wanted.key,
        )
        claimed = await conn.fetchval(
            "INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
            wanted.user_id,
            wanted.key,
            wanted.method,
            wanted.path,
            wanted.request_hash,
        )
        if claimed:
            return None
        row = await conn.fetchrow(
            "SELECT request_hash, status, headers, body FROM idempotency_keys "
            "WHERE user_id = $1 AND key = $2",
            wanted.user_id,
            wanted.key,
        )
    if row is None:  # expired and deleted by another request in between: still busy for us
        return StoredResponse(wanted.request_hash, None, {}, None)
    headers = json.loads(row["headers"]) if row["headers"] is not None else {}
    return StoredResponse(row["request_hash"], row["status"], headers, row["body"])


async def finish(
    db: Executor, user_id: UUID, key: str, status: int, headers: dict[str, str], body: bytes
) -> None:
    """Store the response the claimed request ended with, for retries to replay."""
    await db.execute(
        "UPDATE idempotency_keys SET status = $3, headers = $4::jsonb, body = $5 "
        "WHERE user_id = $1 AND key = $2",
        user_id,
        key,
        status,
        json.dumps(headers),
        body,
    )


async def release(db: Executor, user_id: UUID, key: str) -> None:
    """Give the key up (the request failed): the client may retry with it."""
    await db.execute(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL",
        user_id,
        key,
    )
