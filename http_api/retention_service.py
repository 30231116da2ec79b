"""Apply the retention periods (persistence/retention.py) every hour, on every node."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Final

import structlog

from http_api.settings import Settings
from persistence.conn import PgPool
from persistence.errors import StorageError
from persistence.retention import RetentionPolicy, sweep

__all__ = ["policy_of", "running"]

_log = structlog.get_logger(__name__)
#: The first sweep comes this long after start (not in the middle of a start-up storm).
_FIRST_S: Final = 60.0
_EVERY_S: Final = 3600.0


def policy_of(settings: Settings) -> RetentionPolicy:
    """The retention periods the settings ask for."""
    return RetentionPolicy(
        audit_days=settings.audit_retention_days,
        login_days=settings.login_retention_days,
        delivery_days=settings.delivery_retention_days,
        session_days=settings.session_retention_days,
    )


async def _loop(pool: PgPool, policy: RetentionPolicy) -> None:
    await asyncio.sleep(_FIRST_S)
    while True:
        try:
            deleted = await sweep(pool, policy, datetime.now(UTC))
            if any(deleted.values()):
                _log.info("retention_swept", **deleted)
        except StorageError as exc:
            _log.warning("retention_failed", error=str(exc))
        except Exception:  # never let one bad sweep stop the next ones
            _log.exception("retention_failed")
        await asyncio.sleep(_EVERY_S)


@contextlib.asynccontextmanager
async def running(settings: Settings, pool: PgPool) -> AsyncIterator[None]:
    """The node's retention loop, stopped on exit."""
    task = asyncio.create_task(_loop(pool, policy_of(settings)), name="retention")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
