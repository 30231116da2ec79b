"""/v1/projects/{project_id}/members: a project's team and their roles.

Owners (and admins) add people by e-mail, change roles and remove people; anyone may leave.
A project always keeps at least one owner. When someone's access shrinks, their live
sockets on the project are closed so they reconnect with the role they now have.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from collab.envelope import Revocation
from collab.errors import NotFound
from collab.i18n import msg
from collab.permissions import Action, Role
from http_api import revocation
from http_api.access import project_access, require_access
from http_api.endpoint import Api, json_response, path_uuid
from http_api.events import announce, member_event
from http_api.keys import DB
from http_api.pagination import PageQuery, keyset_page, sortable_time
from http_api.principal import Principal
from http_api.v1.audit import record
from http_api.v1.projects import MembershipRoleName, membership_name
from persistence import accounts, projects
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


@api.route(
    "POST", "/v1/projects/{project_id}/members", summary="Add someone by e-mail", tags=_TAGS,
    body=MemberAdd, response=MemberOut, status=201, errors=(409,),
)  # fmt: skip
async def add_member(request: web.Request, principal: Principal, body: MemberAdd) -> web.Response:
    project_id = path_uuid(request, "project_id")
    db = request.app[DB]
    # Checked before the e-mail lookup: only owners and admins learn whether an address has
    # an account (invitations by e-mail would hide even that; they are not built yet).
    access = await require_access(request, principal, project_id, Action.MANAGE)
    email = str(body.email)
    user = await accounts.find_user_by_email(db, email)
    if user is None:
        raise NotFound(
            msg(
                "no account with the e-mail address {email!r}: ask them to sign up first",
                email=email,
            )
        )
    async with db.acquire() as conn, conn.transaction():
        if await projects.lock_project(conn, project_id) is None:
            raise NotFound(msg("no such project: {project_id}", project_id=project_id))
        member = await projects.add_member(conn, project_id, user.id, Role(body.role))
        await record(
            conn, request, principal, "member.added", access, target=user.id, role=body.role
        )
        await member_event(conn, "member.added", project_id, user.id, body.role, principal.user_id)
    announce(request)
    response = json_response(_out(member), status=201)
    response.headers["Location"] = f"/v1/projects/{project_id}/members/{user.id}"
    return response


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
