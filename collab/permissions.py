"""Roles and what each may do: one table, used by REST and by live rooms alike.

From the product guide: admin everything; owner the project and its team; member read and
write; viewer read. The global admin role belongs to the account, the others to a membership.
"""

from __future__ import annotations

from enum import Enum

from collab.errors import PermissionDenied
from collab.i18n import Text, msg

__all__ = ["Role", "Action", "ROLE_NOUNS", "allowed", "require", "effective_role"]


class Role(Enum):
    """A project role (``ADMIN`` is the global account role, acting as any project's owner)."""

    ADMIN = "admin"
    OWNER = "owner"
    MEMBER = "member"
    VIEWER = "viewer"


class Action(Enum):
    """Things a caller may try to do to a project."""

    READ = "read"  # see the project, its document and its members
    WRITE = "write"  # change the document (REST writes, live edits)
    MANAGE = "manage"  # rename/delete the project, manage members and roles
    EXPORT = "export"  # export the project


#: A role named in a sentence, in the reader's language (None: not a member).
ROLE_NOUNS: dict[Role | None, Text] = {
    Role.ADMIN: msg("admin"),
    Role.OWNER: msg("owner"),
    Role.MEMBER: msg("member"),
    Role.VIEWER: msg("viewer"),
    None: msg("non-member"),
}
# One sentence per action: translations need the whole sentence, not a verb to slot in.
_REFUSALS: dict[Action, Text] = {
    Action.READ: msg("a project {who} may not read this project"),
    Action.WRITE: msg("a project {who} may not write this project"),
    Action.MANAGE: msg("a project {who} may not manage this project"),
    Action.EXPORT: msg("a project {who} may not export this project"),
}

_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.OWNER: frozenset(Action),
    Role.MEMBER: frozenset({Action.READ, Action.WRITE, Action.EXPORT}),
    Role.VIEWER: frozenset({Action.READ}),
}


def effective_role(membership: Role | None, is_admin: bool) -> Role | None:
    """The role a caller acts with: admins act as admin everywhere, others by membership."""
    return Role.ADMIN if is_admin else membership


def allowed(role: Role | None, action: Action) -> bool:
    """Whether ``role`` (None: not a member) may perform ``action``."""
    return role is not None and action in _ALLOWED[role]


def require(role: Role | None, action: Action) -> None:
    """Raise unless ``role`` may perform ``action``.

    Raises:
        PermissionDenied: the role is known but insufficient. Callers turn "not a member at
            all" into NotFound before calling, so a project's existence is not disclosed.
    """
    if not allowed(role, action):
        raise PermissionDenied(msg(_REFUSALS[action].template, who=ROLE_NOUNS[role]))
