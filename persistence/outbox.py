"""The event outbox: events written in the same transaction as the change they report.

invariant 7: an event is derived once, on the node where the change entered, and
stored with the change, so that a webhook deliverer reading this table sends every event at
least once, and never one for a change that did not commit. An event's id is derived from what
happened (:func:`event_id`), so writing it again (a retried request, a repeated reveal) stores
it once and receivers can deduplicate on it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg

from persistence.conn import Conn, Executor

__all__ = [
    "EVENT_NAMESPACE",
    "Event",
    "StoredEvent",
    "event_id",
    "payload",
    "append",
    "pending",
    "delivered",
]

#: UUIDv5 namespace of event ids.
EVENT_NAMESPACE: Final = UUID("6f1c6b0e-8d1e-4c1f-9a55-5d3b7d2f0b11")


def event_id(kind: str, *about: object) -> UUID:
    """A stable id for the event ``kind`` about ``about`` (e.g. a project and an idea id)."""
    return uuid.uuid5(EVENT_NAMESPACE, ":".join([kind, *map(str, about)]))


@dataclass(frozen=True, slots=True)
class Event:
    """An event to store: its stable id, type (``idea.created``), project and data."""

    id: UUID
    type: str
    project_id: UUID | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored, ready to deliver."""

    seq: int
    id: UUID
    type: str
    project_id: UUID | None
    data: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None

    def envelope(self) -> dict[str, Any]:
        """The JSON a webhook receives (docs/brainstorm.md, "Events")."""
        return {
            "id": str(self.id),
            "type": self.type,
            "project_id": None if self.project_id is None else str(self.project_id),
            "created_at": self.created_at.isoformat(),
            "data": self.data,
        }


def _storable(value: Any) -> Any:
    """``value`` with NUL characters replaced (U+FFFD): jsonb cannot store U+0000, and
    people can type it into the document (an event's data is a copy of what they wrote)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def payload(event: Event) -> str:
    """The JSON that stores ``event``'s data."""
    return json.dumps(_storable(event.data))


async def append(conn: Conn, events: Sequence[Event], payloads: Sequence[str] | None = None) -> int:
    """Store ``events`` in the caller's transaction; return how many were new.

    An event whose id is already stored is skipped: its first write stands. ``payloads``:
    the events' :func:`payload`, when the caller made them already (in pieces, say).
    """
    if not events:
        return 0
    if payloads is None:
        payloads = [payload(event) for event in events]
    elif len(payloads) != len(events):
        raise ValueError("one payload per event")
    status: str = await conn.execute(
        "INSERT INTO outbox (event_id, type, project_id, payload) "
        "SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[]) "
        "ON CONFLICT (event_id) DO NOTHING",
        [event.id for event in events],
        [event.type for event in events],
        [event.project_id for event in events],
        list(payloads),
    )
    return int(status.rsplit(" ", 1)[1])


def _stored(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        seq=row["id"],
        id=row["event_id"],
        type=row["type"],
        project_id=row["project_id"],
        data=json.loads(row["payload"]),
        created_at=row["created_at"],
        delivered_at=row["delivered_at"],
    )


_COLUMNS = "id, event_id, type, project_id, payload, created_at, delivered_at"


async def pending(
    db: Executor,
    *,
    limit: int = 100,
    project_id: UUID | None = None,
    type_prefix: str | None = None,
) -> list[StoredEvent]:
    """Undelivered events, oldest first (optionally of one project, or types with a prefix)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM outbox WHERE delivered_at IS NULL "  # noqa: S608 - a literal
        "AND ($1::uuid IS NULL OR project_id = $1) AND ($2::text IS NULL OR type LIKE $2 || '%') "
        "ORDER BY id LIMIT $3",
        project_id,
        type_prefix,
        limit,
    )
    return [_stored(row) for row in rows]


async def delivered(db: Executor, seqs: Sequence[int]) -> None:
    """Mark events (by :attr:`StoredEvent.seq`) as delivered."""
    await db.execute(
        "UPDATE outbox SET delivered_at = now() WHERE id = ANY($1::bigint[]) "
        "AND delivered_at IS NULL",
        list(seqs),
    )
