"""Retention: rows about people are kept only as long as they are needed, then deleted.

What is kept and why is docs/privacy.md; the periods are settings (``DTTOOLS_*_RETENTION_DAYS``)
and the server applies them itself (http_api/retention_service.py runs :func:`sweep` every
hour on every node: the deletes are idempotent, and batched so that no sweep holds locks for
long). Finished exports have their own retention (``DTTOOLS_EXPORT_RETENTION_S``, exports
service); brainstorm results, documents and files live as long as their project.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from persistence.conn import PgPool

__all__ = ["RetentionPolicy", "sweep"]

#: Rows deleted per statement: short transactions, no long lock on a busy table.
BATCH: Final = 1000


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of record is kept (days; 0 keeps it for ever)."""

    audit_days: int = 365
    login_days: int = 30
    delivery_days: int = 30
    session_days: int = 30
    restore_point_days: int = 90


# One statement per kind: (name, SQL deleting up to $2 rows older than $1).
_SWEEPS: Final = {
    "audit": (
        "audit_days",
        "DELETE FROM audit_log WHERE id IN "
        "(SELECT id FROM audit_log WHERE at < $1 ORDER BY id LIMIT $2)",
    ),
    "login_records": (
        "login_days",
        "DELETE FROM rate_limits WHERE ctid IN "
        "(SELECT ctid FROM rate_limits WHERE last_hit_at < $1 LIMIT $2)",
    ),
    "password_resets": (
        "login_days",
        "DELETE FROM password_resets WHERE token_hash IN "
        "(SELECT token_hash FROM password_resets WHERE expires_at < $1 LIMIT $2)",
    ),
    "webhook_deliveries": (
        "delivery_days",  # their attempts go with them (ON DELETE CASCADE)
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries "
        "WHERE status <> 'pending' AND coalesce(finished_at, created_at) < $1 LIMIT $2)",
    ),
    "outbox": (
        "delivery_days",
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
        "WHERE delivered_at IS NOT NULL AND delivered_at < $1 ORDER BY id LIMIT $2)",
    ),
    "restore_points": (
        "restore_point_days",  # automatic ones: named points stay with the project
        "DELETE FROM restore_points WHERE id IN (SELECT id FROM restore_points "
        "WHERE kind <> 'named' AND created_at < $1 LIMIT $2)",
    ),
    "ended_sessions": (
        "session_days",  # their refresh tokens go with them (ON DELETE CASCADE)
        "DELETE FROM auth_sessions WHERE id IN (SELECT id FROM auth_sessions "
        "WHERE coalesce(revoked_at, expires_at) < $1 LIMIT $2)",
    ),
}


async def sweep(pool: PgPool, policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """Delete every record older than its period allows; how many of each kind went."""
    deleted: dict[str, int] = {}
    for name, (field, sql) in _SWEEPS.items():
        days: int = getattr(policy, field)
        if days <= 0:
            continue
        cutoff, total = now - timedelta(days=days), 0
        while True:
            status = await pool.execute(sql, cutoff, BATCH)
            count = int(status.rsplit(" ", 1)[-1])
            total += count
            if count < BATCH:
                break
        deleted[name] = total
    # Invitations by e-mail hold the address of someone without an account: gone once void.
    # Not a retention period: an expired invitation is void, so it goes at once (reported only
    # when there were some).
    status = await pool.execute("DELETE FROM member_invitations WHERE expires_at < $1", now)
    if expired := int(status.rsplit(" ", 1)[-1]):
        deleted["member_invitations"] = expired
    return deleted
