"""The one project access check, shared by every project-scoped endpoint and the WebSocket.

A caller who is not a member gets the same NotFound as for a project that does not exist, so
project ids cannot be probed (no existence oracle, no IDOR). A member who may see the project
but not do what they asked gets PermissionDenied (403): they already know it exists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID

from aiohttp import web

from collab.errors import NotFound, PermissionDenied
from collab.i18n import msg
from collab.permissions import Action, Role, effective_role, require
from http_api.keys import AUTH, DB
from http_api.principal import Principal
from persistence import projects
from persistence.conn import Executor

__all__ = ["Access", "Source", "project_access", "require_access", "project_role", "authorize"]

#: Where to read memberships: the request's pool, or a pool or connection (in a transaction).
Source: TypeAlias = "web.Request | Executor"


@dataclass(frozen=True, slots=True)
class Access:
    """How a caller stands towards one project."""

    project_id: UUID
    #: the role the caller acts with (``ADMIN`` for a global admin, member or not)
    role: Role
    #: the caller's membership role, None for an admin who is not on the team
    membership: Role | None

    @property
    def as_admin(self) -> bool:
        """Whether the caller reaches this project only through the global admin role.

        Such actions are audited as admin actions: a team sees when someone from outside it
        changed their project.
        """
        return self.membership is None


#: What a guest may do in its project, whatever its role (reading and editing, not exporting).
_GUEST_ACTIONS = frozenset({Action.READ, Action.WRITE})


def _db(source: Source) -> Any:
    return source.app[DB] if isinstance(source, web.Request) else source


async def _membership(
    source: Source, principal: Principal, project_id: UUID
) -> tuple[bool, Role | None]:
    """Whether the project exists, and the caller's role on its team (None: not on it).

    A request's read may be remembered (http_api/remembered_access.py); a read on a
    connection (inside a write's transaction) always asks the database.
    """
    remembered = source.app[AUTH].remembered if isinstance(source, web.Request) else None
    if remembered is not None:
        known = remembered.membership(principal, project_id, time.monotonic())
        if known is not None:
            return True, known
    checked_at = time.monotonic()
    exists, membership = await projects.membership(_db(source), project_id, principal.user_id)
    if remembered is not None and exists and membership is not None:
        remembered.keep_membership(principal, project_id, membership, checked_at)
    return exists, membership


async def project_access(source: Source, principal: Principal, project_id: UUID) -> Access:
    """How ``principal`` stands towards the project.

    Args:
        source: the request, or a pool or connection (to check inside a transaction).

    Raises:
        NotFound: the project does not exist or the caller is not a member (nor an admin).
    """
    exists, membership = await _membership(source, principal, project_id)
    role = effective_role(membership, principal.is_admin) if exists else None
    if role is None:
        raise NotFound(msg("no such project: {project_id}", project_id=project_id))
    return Access(project_id, role, membership)


async def require_access(
    source: Source, principal: Principal, project_id: UUID, action: Action
) -> Access:
    """:func:`project_access`, then refuse unless the role allows ``action``.

    Raises:
        NotFound: as for :func:`project_access`.
        PermissionDenied: a member whose role does not allow ``action``.
    """
    access = await project_access(source, principal, project_id)
    require(access.role, action)
    if principal.user.is_guest and action not in _GUEST_ACTIONS:
        raise PermissionDenied(msg("guests cannot do this: sign up for an account"))
    return access


async def project_role(source: Source, principal: Principal, project_id: UUID) -> Role:
    """The role ``principal`` acts with in the project (``ADMIN`` for admins).

    Raises:
        NotFound: the project does not exist or the caller is not a member (nor an admin).
    """
    return (await project_access(source, principal, project_id)).role


async def authorize(source: Source, principal: Principal, project_id: UUID, action: Action) -> Role:
    """The caller's role, once it is known to allow ``action``.

    Raises:
        NotFound: the project does not exist or the caller is not a member (nor an admin).
        PermissionDenied: a member whose role does not allow ``action``.
    """
    return (await require_access(source, principal, project_id, action)).role
