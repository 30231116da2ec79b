"""Starting a project from a template: find the template, and write its content into the
new project's document.

A template is a built-in one (collab/templates.py, by its slug, in the project's language)
or one the caller saved (persistence/templates.py, by its id). Its content goes through the
import path (``collab.import_document.fresh_copy``: fresh ids, REST's checks) and is written
in one room transaction, so a project made from a template is exactly as if its artifacts
had been created through REST.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from collab.artifacts import Phase
from collab.i18n import msg
from collab.import_document import fresh_copy, write_checked
from collab.templates import BUILT_IN, content_of
from http_api.problems import ValidationFailed
from persistence import templates
from persistence.conn import PgPool
from rooms.manager import RoomManager

__all__ = ["Chosen", "choose", "fill"]


@dataclass(frozen=True, slots=True)
class Chosen:
    """A template's content, ready to fill a new project with."""

    phase: Phase
    document: dict[str, Any]
    clusters: dict[str, dict[str, Any]]


def _unknown(template: str) -> ValidationFailed:
    return ValidationFailed(
        [
            {
                "location": "body",
                "field": "template",
                "message": msg("no such template: {template}", template=template[:80]),
            }
        ]
    )


async def choose(pool: PgPool, owner_id: UUID, template: str, locale: str) -> Chosen:
    """The content of ``template`` (a built-in slug, or the id of one of ``owner_id``'s saved
    templates) in ``locale``.

    Raises:
        ValidationFailed: no such template (for this caller).
    """
    built_in = BUILT_IN.get(template)
    if built_in is not None:
        content = content_of(built_in, locale)
        return Chosen(built_in.phase, content.document, content.clusters)
    try:
        template_id = UUID(template)
    except ValueError:
        raise _unknown(template) from None
    saved = await templates.get(pool, owner_id, template_id, content=True)
    if saved is None or saved.document is None or saved.clusters is None:
        raise _unknown(template)
    return Chosen(Phase(saved.phase), saved.document, saved.clusters)


async def fill(rooms: RoomManager, project_id: UUID, chosen: Chosen) -> int:
    """Write the template's content into the new project's (empty) document; how many
    artifacts it made."""
    checked = await asyncio.to_thread(
        partial(fresh_copy, new_id=lambda: str(uuid4()), now=datetime.now(UTC)),
        chosen.document, chosen.clusters, {},
    )  # fmt: skip
    return await rooms.transact(str(project_id), lambda doc: write_checked(doc, checked))
