"""Idempotency-Key on POST: a retried request replays the first response instead of acting twice.

Follows the IETF httpapi Idempotency-Key draft: keys are scoped to the caller, kept 24 hours,
tied to a fingerprint of the request (the same key with a different body is refused with 422),
and a retry that arrives while the first attempt still runs gets 409. Only completed non-5xx
responses are kept; a failure frees the key so the client can retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg
from aiohttp import web

from collab.errors import Conflict
from http_api.problems import IdempotencyKeyReused, InvalidRequest

__all__ = ["HEADER", "run_once"]

HEADER = "Idempotency-Key"
_MAX_KEY_CHARS = 255
_KEPT_HEADERS = ("Content-Type", "ETag", "Location", "Cache-Control")


async def run_once(
    request: web.Request,
    db: asyncpg.Pool,
    user_id: UUID,
    run: Callable[[], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Run ``run`` once per (caller, Idempotency-Key); replay its response for retries."""
    key = request.headers.get(HEADER)
    if key is None:
        return await run()
    if not 0 < len(key) <= _MAX_KEY_CHARS:
        raise InvalidRequest(f"{HEADER} must be 1-{_MAX_KEY_CHARS} characters")
    fingerprint = hashlib.sha256(
        b"\0".join((request.method.encode(), request.path_qs.encode(), await request.read()))
    ).digest()
    async with db.acquire() as conn:
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 "
            "AND created_at < now() - interval '24 hours'",
            user_id,
            key,
        )
        claimed = await conn.fetchval(
            "INSERT INTO idempotency_keys (user_id, key, method, path, request_hash) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
            user_id,
            key,
            request.method,
            request.path,
            fingerprint,
        )
        if not claimed:
            return await _replay(conn, user_id, key, fingerprint)
    try:
        response = await run()
    except BaseException:
        await _release(db, user_id, key)
        raise
    if not isinstance(response, web.Response) or response.status >= 500:
        await _release(db, user_id, key)
        return response
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    body = response.body if isinstance(response.body, bytes) else b""
    await db.execute(
        "UPDATE idempotency_keys SET status = $3, headers = $4::jsonb, body = $5 "
        "WHERE user_id = $1 AND key = $2",
        user_id,
        key,
        response.status,
        json.dumps(headers),
        body,
    )
    return response


async def _replay(
    conn: asyncpg.Connection, user_id: UUID, key: str, fingerprint: bytes
) -> web.Response:
    row = await conn.fetchrow(
        "SELECT request_hash, status, headers, body FROM idempotency_keys "
        "WHERE user_id = $1 AND key = $2",
        user_id,
        key,
    )
    if row is None or row["status"] is None:
        raise Conflict(f"a request with this {HEADER} is still being processed: retry later")
    if row["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(
            f"this {HEADER} was used for a different request: use a new key per operation"
        )
    headers = {**json.loads(row["headers"]), "Idempotent-Replayed": "true"}
    return web.Response(status=row["status"], body=row["body"], headers=headers)


async def _release(db: asyncpg.Pool, user_id: UUID, key: str) -> None:
    await db.execute(
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL",
        user_id,
        key,
    )
