"""Apply the retention periods (persistence/retention.py) every hour, on every node."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Final

import structlog

from http_api.periodic import in_background, repeat
from http_api.settings import Settings
from persistence.conn import PgPool
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
        restore_point_days=settings.restore_point_retention_days,
    )


@contextlib.asynccontextmanager
async def running(settings: Settings, pool: PgPool) -> AsyncIterator[None]:
    """The node's retention loop, stopped on exit."""
    policy = policy_of(settings)

    async def one_pass() -> None:
        deleted = await sweep(pool, policy, datetime.now(UTC))
        if any(deleted.values()):
            _log.info("retention_swept", **deleted)

    loop = repeat(one_pass, first_s=_FIRST_S, every_s=_EVERY_S, failed="retention_failed")
    async with in_background(loop, "retention"):
        yield
