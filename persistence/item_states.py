"""The digests of a project's event-bearing items at the last look (rooms/item_events.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from persistence.conn import Conn, Executor

__all__ = ["Key", "State", "Looked", "lock", "save", "dirty_projects"]

Key = tuple[str, str]  # (collection, item id)
# Advisory lock class of a project's item states (with hashtext of the project id).
_LOCK_CLASS: Final = 0x49544D53


#: An item's digest at the last look (None: deleted since) and the number of its last change.
State = tuple[str | None, int]


@dataclass(frozen=True, slots=True)
class Looked:
    """What the last look at a project saw."""

    #: whether there was a first look (``item_events_since``)
    since: bool
    states: dict[Key, State]
    #: the state vector of the document it saw (None before the first look with one)
    state_vector: bytes | None


async def lock(conn: Conn, project_id: UUID) -> Looked | None:
    """Lock the project's item states for this transaction and read them; None if the
    project is gone."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2))", _LOCK_CLASS, str(project_id)
    )
    since = await conn.fetchrow(
        "SELECT item_events_since, item_events_state_vector FROM projects WHERE id = $1",
        project_id,
    )
    if since is None:
        return None
    rows = await conn.fetch(
        "SELECT collection, item_id, digest, seq FROM item_states WHERE project_id = $1",
        project_id,
    )
    states = {(row["collection"], row["item_id"]): (row["digest"], row["seq"]) for row in rows}
    return Looked(since["item_events_since"] is not None, states, since["item_events_state_vector"])


async def save(
    conn: Conn,
    project_id: UUID,
    states: Mapping[Key, State],
    state_vector: bytes,
    *,
    first_look: bool = False,
) -> None:
    """Store the new states of changed items and the state vector the look saw (and mark the
    first look, if it is one)."""
    if states:
        await conn.execute(
            "INSERT INTO item_states (project_id, collection, item_id, digest, seq) "
            "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) "
            "ON CONFLICT (project_id, collection, item_id) "
            "DO UPDATE SET digest = EXCLUDED.digest, seq = EXCLUDED.seq",
            project_id,
            [key[0] for key in states],
            [key[1] for key in states],
            [state[0] for state in states.values()],
            [state[1] for state in states.values()],
        )
    # the look saw every change made before it: the project is clean again (see
    # rooms/item_events.py for the one narrow case this can miss)
    await conn.execute(
        "UPDATE projects SET item_events_dirty_at = NULL, item_events_state_vector = $3, "
        "item_events_since = CASE WHEN $2 THEN now() ELSE item_events_since END WHERE id = $1",
        project_id,
        first_look,
        state_vector,
    )


async def dirty_projects(db: Executor, *, older_than_s: float, limit: int) -> list[UUID]:
    """Projects changed more than ``older_than_s`` ago whose change was never looked at."""
    rows = await db.fetch(
        "SELECT id FROM projects WHERE item_events_dirty_at < now() - make_interval(secs => $1) "
        "ORDER BY item_events_dirty_at LIMIT $2",
        older_than_s,
        limit,
    )
    return [row["id"] for row in rows]
