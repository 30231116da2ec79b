"""Events of REST changes to projects and teams, written with the change (invariant 7).

Each function writes its events to the outbox on the caller's connection, inside the
transaction that makes the change; the webhook service is woken after the commit by
:func:`announce`. Payloads are small: ids, the actor, and the project or member as the API
shows it. The catalogue of types is collab/events.py.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from aiohttp import web

from collab.artifacts import Phase
from http_api.keys import WEBHOOKS
from persistence import outbox
from persistence.conn import Conn
from persistence.projects import Project

__all__ = ["project_events", "member_event", "announce"]


def _project(project: Project) -> dict[str, Any]:
    return {
        "id": str(project.id),
        "name": project.name,
        "phase": project.phase.value,
        "archived": project.archived,
        "language": project.language,
        "version": project.version,
    }


def _completed(before: Project | None, after: Project) -> bool:
    """Whether this change took the project to its end: the test phase, or archived."""
    if before is None:
        return False
    reached_test = after.phase is Phase.TEST and before.phase is not Phase.TEST
    return reached_test or (after.archived and not before.archived)


async def project_events(
    conn: Conn,
    kind: str,
    project: Project,
    actor: UUID,
    *,
    before: Project | None = None,
    fields: list[str] | None = None,
) -> None:
    """``project.created``, ``project.updated`` (+ ``project.completed``) or ``.deleted``."""
    data: dict[str, Any] = {"project": _project(project), "actor": str(actor)}
    if fields is not None:
        data["fields"] = fields
    about = (project.id, project.version)
    events = [outbox.Event(outbox.event_id(kind, *about), kind, project.id, data)]
    if kind == "project.updated" and _completed(before, project):
        events.append(
            outbox.Event(
                outbox.event_id("project.completed", *about),
                "project.completed",
                project.id,
                data,
            )
        )
    await outbox.append(conn, events)


async def member_event(
    conn: Conn, kind: str, project_id: UUID, user_id: UUID, role: str, actor: UUID
) -> None:
    """``member.added`` or ``member.removed``."""
    data = {"user_id": str(user_id), "role": role, "actor": str(actor)}
    await outbox.append(conn, [outbox.Event(uuid4(), kind, project_id, data)])


def announce(request: web.Request) -> None:
    """After the commit: have this node's webhook loop look at the new events now."""
    request.app[WEBHOOKS].wake()
