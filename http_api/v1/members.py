"""/v1/projects/{project_id}/members: a project's team and their roles.

Owners (and admins) add people by e-mail (one or many; an address without an account is
invited: http_api/v1/invitations.py), change roles and remove people; anyone may leave.
A project always keeps at least one owner. When someone's access shrinks, their live
sockets on the project are closed so they reconnect with the role they now have.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from collab.envelope import Revocation
from collab.errors import Conflict, NotFound
from collab.i18n import msg
from collab.permissions import Action, Role
from http_api import revocation
from http_api.access import Access, project_access, require_access
from http_api.endpoint import Api, json_response, path_uuid
from http_api.events import announce, member_event
from http_api.keys import DB
from http_api.pagination import PageQuery, keyset_page, sortable_time
from http_api.principal import Principal
from http_api.v1.audit import record
from http_api.v1.invitations import InvitationOut, invitation_out, invite, mail_invitation
from http_api.v1.projects import MembershipRoleName, membership_name
from persistence import accounts, projects
from persistence.member_invitations import Invitation
from persistence.projects import Member

__all__ = ["api", "MemberOut"]

api = Api()
_TAGS = ("members",)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MemberAdd(_Input):
    email: EmailStr = Field(max_length=254)
    role: MembershipRoleName = "member"


class MemberUpdate(_Input):
    role: MembershipRoleName


class MemberOut(BaseModel):
    user_id: UUID
    email: str | None = Field(description="null for a guest")
    name: str
    role: MembershipRoleName
    added_at: datetime
    guest: bool = Field(description="joined through an invite link with a name only")


def _out(member: Member) -> MemberOut:
    return MemberOut(
        user_id=member.user_id,
        email=member.email,
        name=member.name,
        role=membership_name(member.role),
        added_at=member.added_at,
        guest=member.guest,
    )


class MemberPage(BaseModel):
    """A page of the team, in the order people joined; pass ``next_cursor`` back."""

    items: list[MemberOut]
    next_cursor: str | None


@api.route(
    "GET", "/v1/projects/{project_id}/members", summary="A project's team, oldest first",
    guests=True, tags=_TAGS, query=PageQuery, response=MemberPage,
)  # fmt: skip
async def list_members(request: web.Request, principal: Principal, query: PageQuery) -> MemberPage:
    """A team is small and read whole; pages keep the shape of every other list."""
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.READ)
    team = await projects.list_members(request.app[DB], project_id)
    page, next_cursor = keyset_page(
        team, query.limit, lambda m: (sortable_time(m.added_at), str(m.user_id)), query.cursor
    )
    return MemberPage(items=[_out(m) for m in page], next_cursor=next_cursor)


_ADDED_OR_INVITED = {
    "202": {
        "description": "nobody has that address yet: an invitation was stored and e-mailed",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InvitationOut"}}},
    }
}


@api.route(
    "POST", "/v1/projects/{project_id}/members", summary="Add someone by e-mail (or invite them)",
    tags=_TAGS, body=MemberAdd, response=MemberOut, status=201, errors=(409,),
    raw_responses=_ADDED_OR_INVITED,
)  # fmt: skip
async def add_member(request: web.Request, principal: Principal, body: MemberAdd) -> web.Response:
    """An account with that address joins now (201); an address without one is invited (202):
    they join when they create their account with it."""
    project_id = path_uuid(request, "project_id")
    # Checked before the e-mail lookup: only owners and admins learn whether an address has
    # an account.
    access = await require_access(request, principal, project_id, Action.MANAGE)
    [outcome] = await _add_all(request, principal, access, [str(body.email)], body.role)
    if outcome.invitation is not None:
        location = f"/v1/projects/{project_id}/invitations/{outcome.invitation.id}"
        return json_response(outcome.invitation, status=202, headers={"Location": location})
    assert outcome.member is not None
    if outcome.outcome == "already_member":
        user_id = outcome.member.user_id
        raise Conflict(msg("user {user_id} is already a member of this project", user_id=user_id))
    response = json_response(outcome.member, status=201)
    response.headers["Location"] = f"/v1/projects/{project_id}/members/{outcome.member.user_id}"
    return response


class BulkMembersAdd(_Input):
    emails: list[EmailStr] = Field(
        min_length=1, max_length=100,
        description="up to 100 addresses; repeats (in any letter case) count once",
    )  # fmt: skip
    role: MembershipRoleName = "member"


class BulkOutcome(BaseModel):
    email: str
    outcome: Literal["added", "invited", "already_member"]
    member: MemberOut | None = Field(description="the membership (added, already_member)")
    invitation: InvitationOut | None = Field(description="the stored invitation (invited)")


class BulkMembersAdded(BaseModel):
    """One outcome per distinct address, in the order given."""

    results: list[BulkOutcome]


@api.route(
    "POST", "/v1/projects/{project_id}/members/bulk",
    summary="Add or invite many people at once", tags=_TAGS, body=BulkMembersAdd,
    response=BulkMembersAdded, errors=(409,),
)  # fmt: skip
async def add_members_bulk(
    request: web.Request, principal: Principal, body: BulkMembersAdd
) -> BulkMembersAdded:
    """All or nothing, in one transaction: accounts join, other addresses are invited, members
    already on the team are left as they are."""
    project_id = path_uuid(request, "project_id")
    access = await require_access(request, principal, project_id, Action.MANAGE)
    emails = [str(email) for email in body.emails]
    return BulkMembersAdded(results=await _add_all(request, principal, access, emails, body.role))


async def _add_all(
    request: web.Request,
    principal: Principal,
    access: Access,
    emails: list[str],
    role_name: str,
) -> list[BulkOutcome]:
    """Add (or invite) each distinct address with one role; mail the invitations after commit."""
    db = request.app[DB]
    project_id = access.project_id
    role = Role(role_name)
    first_spelling: dict[str, str] = {}
    for email in emails:
        first_spelling.setdefault(email.lower(), email)
    distinct = list(first_spelling.values())
    outcomes: list[BulkOutcome] = []
    to_mail: list[Invitation] = []
    async with db.acquire() as conn, conn.transaction():
        project = await projects.lock_project(conn, project_id)
        if project is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        for email in distinct:
            user = await accounts.find_user_by_email(conn, email)
            if user is None:
                invitation, mail = await invite(conn, request, principal, access, email, role)
                if mail:
                    to_mail.append(invitation)
                outcomes.append(
                    BulkOutcome(email=email, outcome="invited", member=None,
                                invitation=invitation_out(invitation))
                )  # fmt: skip
                continue
            existing = await projects.get_member(conn, project_id, user.id)
            if existing is not None:
                outcomes.append(
                    BulkOutcome(email=email, outcome="already_member", member=_out(existing),
                                invitation=None)
                )  # fmt: skip
                continue
            member = await projects.add_member(conn, project_id, user.id, role)
            await record(
                conn, request, principal, "member.added", access, target=user.id, role=role_name
            )
            await member_event(
                conn, "member.added", project_id, user.id, role_name, principal.user_id
            )
            outcomes.append(
                BulkOutcome(email=email, outcome="added", member=_out(member), invitation=None)
            )
    announce(request)
    for invitation in to_mail:
        mail_invitation(request, invitation, principal.user, project.name)
    return outcomes


@api.route(
    "PUT", "/v1/projects/{project_id}/members/{user_id}", summary="Change a member's role",
    tags=_TAGS, body=MemberUpdate, response=MemberOut, errors=(409,),
)  # fmt: skip
async def change_member_role(
    request: web.Request, principal: Principal, body: MemberUpdate
) -> MemberOut:
    """The role is a membership's only editable field, so this PUT replaces the whole editable
    state and there is no PATCH (docs/api.md, "PATCH and PUT")."""
    project_id = path_uuid(request, "project_id")
    user_id = path_uuid(request, "user_id")
    role = Role(body.role)
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        if await projects.lock_project(conn, project_id) is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        old, member = await projects.set_member_role(conn, project_id, user_id, role)
        revoked: Revocation | None = None
        if old is not role:
            await record(
                conn, request, principal, "member.role_changed", access,
                target=user_id, old_role=old.value, new_role=role.value,
            )  # fmt: skip
            # Their open sockets carry the old role: close them so they rejoin with the new
            # one. Stored with the change, so every node learns of it, Redis or not.
            revoked = await revocation.record(
                conn, reason="your role changed", user_id=user_id, project_id=project_id
            )
    if revoked is not None:
        revocation.announce(request.app, revoked)
    return _out(member)


@api.route(
    "DELETE", "/v1/projects/{project_id}/members/{user_id}", guests=True,
    summary="Remove a member (or leave, with your own id)", tags=_TAGS, status=204,
    errors=(409,),
)  # fmt: skip
async def remove_member(request: web.Request, principal: Principal) -> None:
    project_id = path_uuid(request, "project_id")
    user_id = path_uuid(request, "user_id")
    leaving = user_id == principal.user_id
    async with request.app[DB].acquire() as conn, conn.transaction():
        if leaving:
            # Anyone on the team may leave, whatever their role.
            access = await project_access(conn, principal, project_id)
        else:
            access = await require_access(conn, principal, project_id, Action.MANAGE)
        if await projects.lock_project(conn, project_id) is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        old = await projects.remove_member(conn, project_id, user_id)
        await record(
            conn, request, principal, "member.removed", access,
            target=user_id, old_role=old.value, left=leaving,
        )  # fmt: skip
        await member_event(
            conn, "member.removed", project_id, user_id, old.value, principal.user_id
        )
        revoked = await revocation.record(
            conn,
            reason="you left the project" if leaving else "you were removed from the project",
            user_id=user_id,
            project_id=project_id,
        )
    revocation.announce(request.app, revoked)
    announce(request)
