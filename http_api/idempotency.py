"""Idempotency-Key on POST: a retried request replays the first response instead of acting twice.

Follows the IETF httpapi Idempotency-Key draft: keys are scoped to the caller, kept 24 hours,
tied to a fingerprint of the request (the same key with a different body is refused with 422),
and a retry that arrives while the first attempt still runs gets 409. Only completed non-5xx
responses are kept; a failure frees the key so the client can retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from uuid import UUID

from aiohttp import web

from collab.errors import Conflict
from collab.i18n import msg
from http_api.problems import IdempotencyKeyReused, InvalidRequest
from persistence import idempotency
from persistence.conn import PgPool
from persistence.idempotency import Claim

__all__ = ["HEADER", "run_once"]

HEADER = "Idempotency-Key"
_MAX_KEY_CHARS = 255
_KEPT_HEADERS = ("Content-Type", "ETag", "Location", "Cache-Control")


async def run_once(
    request: web.Request,
    db: PgPool,
    user_id: UUID,
    run: Callable[[], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Run ``run`` once per (caller, Idempotency-Key); replay its response for retries."""
    key = request.headers.get(HEADER)
    if key is None:
        return await run()
    if not 0 < len(key) <= _MAX_KEY_CHARS:
        raise InvalidRequest(
            msg("{header} must be 1-{most} characters", header=HEADER, most=_MAX_KEY_CHARS)
        )
    fingerprint = hashlib.sha256(
        b"\0".join((request.method.encode(), request.path_qs.encode(), await request.read()))
    ).digest()
    held = await idempotency.claim(
        db, Claim(user_id, key, request.method, request.path, fingerprint)
    )
    if held is not None:
        if held.status is None:
            raise Conflict(
                msg(
                    "a request with this {header} is still being processed: retry later",
                    header=HEADER,
                )
            )
        if held.request_hash != fingerprint:
            raise IdempotencyKeyReused(
                msg(
                    "this {header} was used for a different request: use a new key per operation",
                    header=HEADER,
                )
            )
        headers = {**held.headers, "Idempotent-Replayed": "true"}
        return web.Response(status=held.status, body=held.body, headers=headers)
    try:
        response = await run()
    except BaseException:
        await idempotency.release(db, user_id, key)
        raise
    if not isinstance(response, web.Response) or response.status >= 500:
        await idempotency.release(db, user_id, key)
        return response
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    body = response.body if isinstance(response.body, bytes) else b""
    await idempotency.finish(db, user_id, key, response.status, headers, body)
    return response
