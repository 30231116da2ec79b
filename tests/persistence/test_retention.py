"""Retention periods: what is older than its period goes, the rest stays, 0 keeps for ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from persistence.retention import RetentionPolicy, sweep

NOW = datetime.now(UTC)  # real time: rows of other tests (all recent) must stay
OLD, RECENT = NOW - timedelta(days=400), NOW - timedelta(days=1)


async def _user(pool: Any) -> UUID:
    user_id = uuid4()
    await pool.execute(
        "INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'R', 'x')",
        user_id, f"{user_id}@example.com",
    )  # fmt: skip
    return user_id


async def _seed(pool: Any, when: datetime, marker: str) -> dict[str, Any]:
    """One record of every kind, dated ``when``; their keys."""
    user_id = await _user(pool)
    session_id = uuid4()
    await pool.execute(
        "INSERT INTO auth_sessions (id, user_id, expires_at, user_agent, ip) "
        "VALUES ($1, $2, $3, 'agent', '203.0.113.9')",
        session_id, user_id, when,
    )  # fmt: skip
    await pool.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
        marker.encode(), session_id, when,
    )  # fmt: skip
    await pool.execute(
        "INSERT INTO audit_log (at, action, target) VALUES ($1, 'test.retention', $2)",
        when, marker,
    )  # fmt: skip
    await pool.execute(
        "INSERT INTO rate_limits (key, window_start, hits, last_hit_at) VALUES ($1, $2, 1, $2)",
        marker, when,
    )  # fmt: skip
    await pool.execute(
        "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        marker.encode(), user_id, when,
    )  # fmt: skip
    webhook_id = uuid4()
    # Disabled: a global subscription that is enabled would receive the events of every other
    # test sharing this database.
    await pool.execute(
        "INSERT INTO webhooks (id, project_id, url, events, secrets, enabled) "
        "VALUES ($1, NULL, 'https://example.com/hook', '{*}', '{whsec_x}', false)",
        webhook_id,
    )
    delivery_id = uuid4()
    await pool.execute(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, status, "
        "created_at, finished_at) VALUES ($1, $2, $3, 'idea.created', '{}', 'delivered', $4, $4)",
        delivery_id, webhook_id, uuid4(), when,
    )  # fmt: skip
    outbox_id = await pool.fetchval(
        "INSERT INTO outbox (event_id, type, payload, created_at, delivered_at) "
        "VALUES ($1, 'idea.created', '{}', $2, $2) RETURNING id",
        uuid4(), when,
    )  # fmt: skip
    return {
        "session": session_id, "marker": marker, "delivery": delivery_id,
        "outbox": outbox_id, "webhook": webhook_id,
    }  # fmt: skip


async def _present(pool: Any, keys: dict[str, Any]) -> dict[str, bool]:
    async def exists(sql: str, value: Any) -> bool:
        return bool(await pool.fetchval(f"SELECT EXISTS ({sql})", value))

    marker = keys["marker"]
    return {
        "session": await exists("SELECT 1 FROM auth_sessions WHERE id = $1", keys["session"]),
        "refresh": await exists(
            "SELECT 1 FROM refresh_tokens WHERE token_hash = $1", marker.encode()
        ),
        "audit": await exists("SELECT 1 FROM audit_log WHERE target = $1", marker),
        "rate": await exists("SELECT 1 FROM rate_limits WHERE key = $1", marker),
        "reset": await exists(
            "SELECT 1 FROM password_resets WHERE token_hash = $1", marker.encode()
        ),
        "delivery": await exists(
            "SELECT 1 FROM webhook_deliveries WHERE id = $1", keys["delivery"]
        ),
        "outbox": await exists("SELECT 1 FROM outbox WHERE id = $1", keys["outbox"]),
    }


async def test_old_records_go_and_recent_ones_stay(pool: Any) -> None:
    old = await _seed(pool, OLD, f"old-{uuid4().hex}")
    recent = await _seed(pool, RECENT, f"recent-{uuid4().hex}")
    deleted = await sweep(pool, RetentionPolicy(), NOW)
    assert not any((await _present(pool, old)).values()), await _present(pool, old)
    assert all((await _present(pool, recent)).values()), await _present(pool, recent)
    assert all(deleted[kind] >= 1 for kind in ("audit", "login_records", "ended_sessions"))
    for keys in (old, recent):
        await pool.execute("DELETE FROM webhooks WHERE id = $1", keys["webhook"])


async def test_zero_keeps_a_kind_for_ever(pool: Any) -> None:
    old = await _seed(pool, OLD, f"kept-{uuid4().hex}")
    keep_all = RetentionPolicy(
        audit_days=0, login_days=0, delivery_days=0, session_days=0, restore_point_days=0
    )
    assert await sweep(pool, keep_all, NOW) == {}
    assert all((await _present(pool, old)).values())
    await pool.execute("DELETE FROM webhooks WHERE id = $1", old["webhook"])
