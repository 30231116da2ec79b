"""The role table: admin everything; owner project and team; member read and write; viewer read."""

from __future__ import annotations

import pytest

from collab.errors import PermissionDenied
from collab.permissions import Action, Role, allowed, effective_role, require

_EXPECTED = {
    Role.ADMIN: {Action.READ, Action.WRITE, Action.MANAGE, Action.EXPORT},
    Role.OWNER: {Action.READ, Action.WRITE, Action.MANAGE, Action.EXPORT},
    Role.MEMBER: {Action.READ, Action.WRITE, Action.EXPORT},
    Role.VIEWER: {Action.READ},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_do_exactly_what_the_guide_says(role: Role, action: Action) -> None:
    assert allowed(role, action) is (action in _EXPECTED[role])


@pytest.mark.parametrize("action", list(Action))
def test_a_non_member_may_do_nothing(action: Action) -> None:
    assert not allowed(None, action)
    with pytest.raises(PermissionDenied, match="non-member"):
        require(None, action)


def test_require_names_the_role_and_the_action() -> None:
    require(Role.MEMBER, Action.WRITE)
    with pytest.raises(PermissionDenied, match="viewer may not write"):
        require(Role.VIEWER, Action.WRITE)


def test_admins_act_as_admin_everywhere_and_others_by_membership() -> None:
    assert effective_role(None, is_admin=True) is Role.ADMIN
    assert effective_role(Role.VIEWER, is_admin=True) is Role.ADMIN
    assert effective_role(Role.MEMBER, is_admin=False) is Role.MEMBER
    assert effective_role(None, is_admin=False) is None
