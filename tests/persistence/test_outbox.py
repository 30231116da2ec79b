"""The outbox stores what people typed, even what jsonb cannot hold as is."""

from __future__ import annotations

import uuid
from typing import Any

from persistence import outbox


async def test_nul_characters_are_stored_as_replacement_characters(pool: Any) -> None:
    event = outbox.Event(
        id=uuid.uuid4(),
        type="idea.created",
        project_id=None,
        data={"item": {"text": "a\x00b", "tags": ["\x00"], "n": 1}, "k\x00": True},
    )
    async with pool.acquire() as conn:
        assert await outbox.append(conn, [event]) == 1
        assert await outbox.append(conn, [event]) == 0  # the same id is stored once
    [stored] = [e for e in await outbox.pending(pool, limit=10_000) if e.id == event.id]
    assert stored.data == {
        "item": {"text": "a\ufffdb", "tags": ["\ufffd"], "n": 1},
        "k\ufffd": True,
    }
