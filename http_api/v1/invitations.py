"""/v1/projects/{project_id}/invitations: people invited by e-mail who have no account yet.

Adding an address without an account to a team (``POST .../members``, one or in bulk) stores
an invitation and mails it; the person joins the moment they create their account with that
address (sign-up link or OpenID Connect: both prove they read its mail). Owners see, renew
(invite again) and cancel what is pending here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Final
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, Field

from collab.errors import Conflict, NotFound
from collab.i18n import msg
from collab.permissions import ROLE_NOUNS, Action, Role
from http_api.access import Access, require_access
from http_api.endpoint import Api, path_uuid
from http_api.events import member_event
from http_api.i18n import translate
from http_api.keys import DB, MAILER, SETTINGS
from http_api.pagination import PageQuery, keyset_page, sortable_time
from http_api.principal import Principal
from http_api.v1.audit import record
from http_api.v1.auth_mail import link_base
from http_api.v1.projects import MembershipRoleName, membership_name
from persistence import audit, member_invitations
from persistence.accounts import User
from persistence.conn import Conn
from persistence.member_invitations import Invitation

__all__ = ["api", "InvitationOut", "invitation_out", "invite", "mail_invitation", "accept_pending"]

api = Api()
_TAGS = ("members",)
#: Pending invitations a project may hold: an owner cannot make the server mail the world.
MAX_PENDING: Final = 500
#: The same address is mailed again for the same project at most this often.
REMAIL_AFTER: Final = timedelta(hours=1)


class InvitationOut(BaseModel):
    id: UUID
    email: str
    role: MembershipRoleName
    invited_by: UUID | None = Field(description="who invited (null once their account is gone)")
    created_at: datetime
    expires_at: datetime = Field(description="after this it is void and deleted")


def invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        email=invitation.email,
        role=membership_name(invitation.role),
        invited_by=invitation.invited_by,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


class InvitationPage(BaseModel):
    """Pending invitations, oldest first; pass ``next_cursor`` back."""

    items: list[InvitationOut]
    next_cursor: str | None


async def invite(
    conn: Conn,
    request: web.Request,
    principal: Principal,
    access: Access,
    email: str,
    role: Role,
) -> tuple[Invitation, bool]:
    """Store (or renew) the invitation of ``email`` in the caller's transaction (project
    locked); whether it should be mailed once committed.

    Raises:
        Conflict: the project already holds :data:`MAX_PENDING` invitations.
    """
    now = datetime.now(UTC)
    project_id = access.project_id
    if await member_invitations.count_pending(conn, project_id, now) >= MAX_PENDING:
        raise Conflict(
            msg(
                "this project already has {count} pending invitations: cancel some first",
                count=MAX_PENDING,
            )
        )
    expires = now + timedelta(seconds=request.app[SETTINGS].invitation_ttl_s)
    invitation, mail = await member_invitations.invite(
        conn, uuid.uuid4(), project_id, email, role, principal.user_id, now, expires, REMAIL_AFTER
    )
    await record(
        conn, request, principal, "member.invited", access, target=invitation.id,
        role=membership_name(role),
    )  # fmt: skip
    return invitation, mail


def mail_invitation(
    request: web.Request, invitation: Invitation, inviter: User, project_name: str
) -> None:
    """Queue the invitation's e-mail, in the inviter's language (the invitee has none yet)."""
    locale = inviter.locale
    body = msg(
        'Hello,\n\n{inviter} invited you to the design-thinking project "{project}" on '
        "DTTools, as {role}.\n\nCreate your account with this e-mail address to join: "
        "{link}\n\nThe invitation is valid until {until}. If you do not know {inviter}, "
        "ignore this message: nothing happens without you.\n",
        inviter=inviter.name,
        project=project_name,
        role=ROLE_NOUNS[invitation.role],
        link=f"{link_base(request)}/#/signup",
        until=invitation.expires_at.strftime("%Y-%m-%d"),
    )
    subject = msg("{inviter} invited you to {project} on DTTools", inviter=inviter.name,
                  project=project_name)  # fmt: skip
    request.app[MAILER].enqueue(
        invitation.email, translate(subject, locale), translate(body, locale)
    )


async def accept_pending(conn: Conn, user: User, now: datetime) -> list[Invitation]:
    """Make the new account ``user`` a member wherever its address was invited.

    Call in the transaction that creates the account (its address is verified by then).
    Each membership is audited and emits ``member.added`` like one an owner makes.
    """
    if user.email is None:
        return []
    accepted = await member_invitations.accept_all(conn, user.id, user.email, now)
    for invitation in accepted:
        role = membership_name(invitation.role)
        actor = invitation.invited_by or user.id
        await audit.record(
            conn, "member.added", actor_id=invitation.invited_by, project_id=invitation.project_id,
            target=str(user.id), details={"role": role, "via": "invitation"},
        )  # fmt: skip
        await member_event(conn, "member.added", invitation.project_id, user.id, role, actor)
    return accepted


@api.route(
    "GET", "/v1/projects/{project_id}/invitations",
    summary="Pending invitations by e-mail, oldest first", tags=_TAGS, query=PageQuery,
    response=InvitationPage,
)  # fmt: skip
async def list_invitations(
    request: web.Request, principal: Principal, query: PageQuery
) -> InvitationPage:
    """Owners and admins: addresses invited that have not made an account yet."""
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.MANAGE)
    rows = await member_invitations.pending(request.app[DB], project_id, datetime.now(UTC))
    page, next_cursor = keyset_page(
        rows, query.limit, lambda i: (sortable_time(i.created_at), str(i.id)), query.cursor
    )
    return InvitationPage(items=[invitation_out(i) for i in page], next_cursor=next_cursor)


@api.route(
    "GET", "/v1/projects/{project_id}/invitations/{invitation_id}",
    summary="One pending invitation", tags=_TAGS, response=InvitationOut,
)  # fmt: skip
async def get_invitation(request: web.Request, principal: Principal) -> InvitationOut:
    project_id = path_uuid(request, "project_id")
    invitation_id = path_uuid(request, "invitation_id")
    await require_access(request, principal, project_id, Action.MANAGE)
    found = await member_invitations.get(
        request.app[DB], project_id, invitation_id, datetime.now(UTC)
    )
    if found is None:
        raise NotFound(msg("no such invitation: {id}", id=invitation_id))
    return invitation_out(found)


@api.route(
    "DELETE", "/v1/projects/{project_id}/invitations/{invitation_id}",
    summary="Cancel a pending invitation", tags=_TAGS, status=204,
)  # fmt: skip
async def cancel_invitation(request: web.Request, principal: Principal) -> None:
    """The address can no longer join through it (the e-mail already sent says nothing more)."""
    project_id = path_uuid(request, "project_id")
    invitation_id = path_uuid(request, "invitation_id")
    access = await require_access(request, principal, project_id, Action.MANAGE)
    async with request.app[DB].acquire() as conn, conn.transaction():
        if not await member_invitations.cancel(conn, project_id, invitation_id):
            raise NotFound(msg("no such invitation: {id}", id=invitation_id))
        await record(conn, request, principal, "member.invitation_cancelled", access,
                     target=invitation_id)  # fmt: skip
