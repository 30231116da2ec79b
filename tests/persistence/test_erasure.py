"""The rows an account deletion rewrites or deletes (persistence/erasure.py), one by one: the
ones the HTTP test cannot reach on a test server (webhook deliveries, summons, revocations)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from collab.artifacts import Phase
from collab.errors import Conflict, NotFound
from collab.permissions import Role
from persistence import accounts, erasure, projects, revocations, webhooks


async def _person(pool: Any, name: str) -> accounts.User:
    tag = uuid.uuid4().hex[:8]
    return await accounts.create_user(
        pool, uuid.uuid4(), f"{name.lower()}-{tag}@example.com", f"{name} {tag}", "x"
    )


async def test_every_row_naming_the_person_is_rewritten_or_deleted(pool: Any) -> None:
    zoe, yuri = await _person(pool, "Zoe"), await _person(pool, "Yuri")
    project = await projects.create_project(
        pool, uuid.uuid4(), name="p", description="", phase=Phase.EMPATHIZE, owner_id=yuri.id
    )
    await projects.add_member(pool, project.id, zoe.id, Role.MEMBER)
    hook = await webhooks.create_webhook(
        pool, project_id=project.id, url="https://example.com/hook", events=["*"],
        description="", secret="whsec_dGVzdA==", created_by=zoe.id,
    )  # fmt: skip
    payload = {"data": {"requested_by": str(zoe.id), "author_name": zoe.name, "n": 1}}
    delivery = await webhooks.enqueue(
        pool, hook, event_id=uuid.uuid4(), event_type="webhook.test", payload=payload
    )
    await pool.execute(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, now(), 1)",
        f"login:pair:{(zoe.email or '').upper()}|127.0.0.1",
    )
    room = f"{project.id}:private:{uuid.uuid4()}:{zoe.id}"
    await revocations.record(pool, reason="x", user_id=str(zoe.id), room=room, session_id=None)
    async with pool.acquire() as conn, conn.transaction():
        job, ended = await erasure.start(conn, zoe.id)
        assert ended == []
        assert job.projects == (project.id,)
        counts = await erasure.pseudonymise_rows(conn, job)
        await erasure.delete_account(conn, job)
        await erasure.finish(conn, job)
    assert counts["webhook_deliveries.payload"] == 1
    assert counts["rate_limits"] == 1
    assert counts["revocations"] == 1
    stored = await pool.fetchval(
        "SELECT payload FROM webhook_deliveries WHERE id = $1", delivery.id
    )
    ref = job.identity.ref
    assert json.loads(stored) == {
        "data": {"requested_by": ref, "author_name": f"Removed participant {job.number}", "n": 1}
    }
    hook_after = await webhooks.get_webhook(pool, project.id, hook.id)
    assert hook_after is not None
    assert hook_after.created_by is None
    assert await pool.fetchval("SELECT count(*) FROM users WHERE id = $1", zoe.id) == 0


async def test_a_sole_owner_or_a_missing_account_changes_nothing(pool: Any) -> None:
    solo = await _person(pool, "Solo")
    await projects.create_project(
        pool, uuid.uuid4(), name="mine alone", description="", phase=Phase.EMPATHIZE,
        owner_id=solo.id,
    )  # fmt: skip
    numbers = "SELECT count(*) FROM removed_participants"
    before = await pool.fetchval(numbers)
    async with pool.acquire() as conn:
        with pytest.raises(Conflict, match="'mine alone'"):
            async with conn.transaction():
                await erasure.start(conn, solo.id)
        with pytest.raises(NotFound):
            async with conn.transaction():
                await erasure.start(conn, uuid.uuid4())
    assert await accounts.get_user(pool, solo.id) is not None
    assert await pool.fetchval(numbers) == before


async def test_a_deletion_under_way_is_not_started_twice(pool: Any) -> None:
    """Two admins, or an admin and the person, at once: the second waits for the first's
    lock on the account, then is told (the first has recorded its erasure)."""
    kim, lee = await _person(pool, "Kim"), await _person(pool, "Lee")
    project = await projects.create_project(
        pool, uuid.uuid4(), name="p", description="", phase=Phase.EMPATHIZE, owner_id=lee.id
    )
    await projects.add_member(pool, project.id, kim.id, Role.MEMBER)
    async with pool.acquire() as conn, conn.transaction():
        await erasure.start(conn, kim.id)
    async with pool.acquire() as conn:
        with pytest.raises(Conflict, match="already"):
            async with conn.transaction():
                await erasure.start(conn, kim.id)
    await pool.execute("DELETE FROM account_erasures WHERE user_id = $1", kim.id)
