"""End live sockets when access ends: logout, token reuse, key revocation, member removal."""

from __future__ import annotations

from uuid import UUID

from aiohttp import web

from http_api.keys import ROOMS

__all__ = ["end_sockets"]


async def end_sockets(
    app: web.Application,
    *,
    reason: str,
    session_id: UUID | None = None,
    user_id: UUID | None = None,
    project_id: UUID | None = None,
) -> None:
    """Close the matching sockets on every node (the room manager tells the others)."""
    app[ROOMS].revoke(
        reason=reason,
        session_id=None if session_id is None else str(session_id),
        user_id=None if user_id is None else str(user_id),
        room=None if project_id is None else str(project_id),
    )
