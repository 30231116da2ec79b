"""Templates people saved from their projects (built-in ones are code: collab/templates.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from persistence.conn import Executor

__all__ = ["SavedTemplate", "create", "delete", "get", "list_own"]


@dataclass(frozen=True, slots=True)
class SavedTemplate:
    """A saved template; ``document`` and ``clusters`` only when asked for (they can be big)."""

    id: UUID
    owner_id: UUID
    name: str
    description: str
    language: str
    phase: str
    artifacts: int
    created_at: datetime
    document: dict[str, Any] | None = None
    clusters: dict[str, Any] | None = None


_COLUMNS = "id, owner_id, name, description, language, phase, artifacts, created_at"


def _saved(row: asyncpg.Record, *, content: bool = False) -> SavedTemplate:
    values = {key: row[key] for key in _COLUMNS.split(", ")}
    if content:
        values["document"] = json.loads(row["document"])
        values["clusters"] = json.loads(row["clusters"])
    return SavedTemplate(**values)


async def create(
    db: Executor,
    template_id: UUID,
    owner_id: UUID,
    *,
    name: str,
    description: str,
    language: str,
    phase: str,
    document: dict[str, Any],
    clusters: dict[str, Any],
    artifacts: int,
) -> SavedTemplate:
    """Store a template."""
    row = await db.fetchrow(
        "INSERT INTO project_templates (id, owner_id, name, description, language, phase, "  # noqa: S608 (constants only)
        "document, clusters, artifacts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        f"RETURNING {_COLUMNS}",
        template_id, owner_id, name, description, language, phase,
        json.dumps(document), json.dumps(clusters), artifacts,
    )  # fmt: skip
    assert row is not None
    return _saved(row)


async def list_own(db: Executor, owner_id: UUID) -> list[SavedTemplate]:
    """The account's templates, without their content (a person keeps a few)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM project_templates WHERE owner_id = $1 "  # noqa: S608
        "ORDER BY created_at, id",
        owner_id,
    )
    return [_saved(row) for row in rows]


async def get(
    db: Executor, owner_id: UUID, template_id: UUID, *, content: bool = False
) -> SavedTemplate | None:
    """One of the account's templates (None: no such template of theirs)."""
    columns = _COLUMNS + (", document, clusters" if content else "")
    row = await db.fetchrow(
        f"SELECT {columns} FROM project_templates WHERE owner_id = $1 AND id = $2",  # noqa: S608
        owner_id,
        template_id,
    )
    return None if row is None else _saved(row, content=content)


async def delete(db: Executor, owner_id: UUID, template_id: UUID) -> bool:
    """Delete one of the account's templates; False if there was none."""
    status = await db.execute(
        "DELETE FROM project_templates WHERE owner_id = $1 AND id = $2", owner_id, template_id
    )
    return bool(status.endswith(" 1"))
