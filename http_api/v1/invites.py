"""Invite links: join a project from a link, with an account or as a guest by name.

An owner makes a link for a role (member or viewer, never owner), a lifetime and at most a
number of uses; the token is shown once. Whoever opens the link either is signed in (they
become a member, keeping a higher role they already hold) or gives a name and becomes a
*guest*: no account, no e-mail, one login session of ``DTTOOLS_GUEST_SESSION_S``, rights in
that one project only (read and edit as the link's role allows; no export, no project of
their own, no API key). When the session ends the retention sweep erases the guest like a
deleted account (docs/privacy.md). Revoking a link stops new joins and removes the guests
who came through it: a link that leaked must not leave strangers in the room.

Joins are not rate-limited when they succeed (a room of 50 behind one NAT joins in a
minute); unknown links count against the address's budget for failed sign-ins.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.envelope import Revocation
from collab.errors import DTToolsError, Gone, NotFound, Unauthenticated
from collab.i18n import Text, msg
from collab.permissions import Action, Role
from http_api import revocation
from http_api.access import require_access
from http_api.auth_throttle import limit
from http_api.endpoint import Api, json_response, path_uuid
from http_api.events import announce, member_event
from http_api.i18n import reader_locale
from http_api.keys import AUTH, DB, SETTINGS
from http_api.pagination import PageQuery, keyset_page, sortable_time
from http_api.principal import ACCESS_COOKIE, Principal
from http_api.problems import ValidationFailed
from http_api.tokens import hash_secret, new_secret
from http_api.v1.audit import record
from http_api.v1.auth import (
    NewSession,
    SessionOut,
    open_session,
    session_out,
    session_response,
)
from http_api.v1.auth_mail import link_base
from http_api.v1.fields import Name
from http_api.v1.projects import MembershipRoleName, membership_name
from persistence import accounts, audit, invites, projects
from persistence.accounts import User
from persistence.conn import Conn
from persistence.invites import Invite, Refusal

__all__ = ["api"]

api = Api()
_TAGS = ("invites",)
#: Prefix of invite tokens, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "dti_"  # noqa: S105
_DAY_S = 24 * 3600
#: Roles by rank: joining through a link never lowers the role someone already has.
_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.OWNER: 2}
_REFUSALS: dict[Refusal, Text] = {
    Refusal.REVOKED: msg("this invite link was revoked: ask the facilitator for a new one"),
    Refusal.EXPIRED: msg("this invite link has expired: ask the facilitator for a new one"),
    Refusal.USED_UP: msg("this invite link has been used as often as it may be"),
}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InviteCreate(_Input):
    role: Literal["member", "viewer"] = Field(
        default="member", description="what people who join may do (never owner)"
    )
    expires_in_s: int = Field(
        default=7 * _DAY_S, ge=60, le=30 * _DAY_S, description="lifetime of the link, seconds"
    )
    max_uses: int | None = Field(
        default=None, ge=1, le=10_000, description="how many people may join with it; null: any"
    )


class InviteOut(BaseModel):
    id: UUID
    project_id: UUID
    role: MembershipRoleName
    created_by: UUID | None
    created_at: datetime
    expires_at: datetime
    max_uses: int | None
    uses: int
    revoked_at: datetime | None
    status: Literal["active", "revoked", "expired", "used_up"]


class InviteCreated(InviteOut):
    """The new link; ``token`` (and ``url``, which holds it) are shown this once."""

    token: str
    url: str


class InvitePage(BaseModel):
    """A page of a project's links, oldest first; pass ``next_cursor`` back."""

    items: list[InviteOut]
    next_cursor: str | None


class InvitePreview(BaseModel):
    """What a link leads to, for the page that asks a guest's name (no sign-in needed)."""

    project_id: UUID
    project_name: str
    role: MembershipRoleName
    expires_at: datetime
    status: Literal["active", "revoked", "expired", "used_up"]


class InviteJoin(_Input):
    name: Name | None = Field(
        default=None,
        description="the guest's display name; required unless the caller is signed in",
    )
    client: Literal["browser", "token"] = Field(
        default="browser",
        description="browser: the guest's session in cookies; token: in the body",
    )


class InviteJoined(BaseModel):
    """Who joined, with what role; ``session`` is the new guest's (null for an account)."""

    project_id: UUID
    role: MembershipRoleName
    guest: bool
    session: SessionOut | None


def _status(invite: Invite, now: datetime) -> Literal["active", "revoked", "expired", "used_up"]:
    refused = invites.refusal(invite, now)
    return "active" if refused is None else refused.value


def _out(invite: Invite, now: datetime) -> InviteOut:
    return InviteOut(
        id=invite.id,
        project_id=invite.project_id,
        role=membership_name(invite.role),
        created_by=invite.created_by,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        max_uses=invite.max_uses,
        uses=invite.uses,
        revoked_at=invite.revoked_at,
        status=_status(invite, now),
    )


def _token(request: web.Request) -> bytes:
    """The hash of the path's token (a malformed one is simply unknown)."""
    return hash_secret(request.match_info["token"])


@api.route(
    "POST", "/v1/projects/{project_id}/invites", summary="Make an invite link (owners, admins)",
    tags=_TAGS, body=InviteCreate, response=InviteCreated, status=201,
)  # fmt: skip
async def create_invite(
    request: web.Request, principal: Principal, body: InviteCreate
) -> web.Response:
    project_id = path_uuid(request, "project_id")
    now = datetime.now(UTC)
    token = new_secret(TOKEN_PREFIX)
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        invite = await invites.create(
            conn, uuid4(), project_id, hash_secret(token), Role(body.role), principal.user_id,
            now + timedelta(seconds=body.expires_in_s), body.max_uses,
        )  # fmt: skip
        await record(
            conn, request, principal, "invite.created", access, target=invite.id,
            role=body.role, max_uses=body.max_uses, expires_at=invite.expires_at.isoformat(),
        )  # fmt: skip
    created = InviteCreated(
        **_out(invite, now).model_dump(),
        token=token,
        url=f"{link_base(request)}/join#token={token}",
    )
    response = json_response(created, status=201, headers={"Cache-Control": "no-store"})
    response.headers["Location"] = f"/v1/projects/{project_id}/invites/{invite.id}"
    return response


@api.route(
    "GET", "/v1/projects/{project_id}/invites", summary="A project's invite links (owners, admins)",
    tags=_TAGS, query=PageQuery, response=InvitePage,
)  # fmt: skip
async def list_invites(request: web.Request, principal: Principal, query: PageQuery) -> InvitePage:
    project_id = path_uuid(request, "project_id")
    await require_access(request, principal, project_id, Action.MANAGE)
    now = datetime.now(UTC)
    links = await invites.list_invites(request.app[DB], project_id)
    page, next_cursor = keyset_page(
        links, query.limit, lambda i: (sortable_time(i.created_at), str(i.id)), query.cursor
    )
    return InvitePage(items=[_out(i, now) for i in page], next_cursor=next_cursor)


@api.route(
    "GET", "/v1/projects/{project_id}/invites/{invite_id}", summary="One invite link",
    tags=_TAGS, response=InviteOut,
)  # fmt: skip
async def get_invite(request: web.Request, principal: Principal) -> InviteOut:
    project_id = path_uuid(request, "project_id")
    invite_id = path_uuid(request, "invite_id")
    await require_access(request, principal, project_id, Action.MANAGE)
    invite = await invites.get(request.app[DB], project_id, invite_id)
    if invite is None:
        raise NotFound(msg("no such invite link: {invite_id}", invite_id=invite_id))
    return _out(invite, datetime.now(UTC))


@api.route(
    "DELETE", "/v1/projects/{project_id}/invites/{invite_id}",
    summary="Revoke an invite link and remove the guests who joined with it", tags=_TAGS,
    status=204,
)  # fmt: skip
async def revoke_invite(request: web.Request, principal: Principal) -> None:
    project_id = path_uuid(request, "project_id")
    invite_id = path_uuid(request, "invite_id")
    async with request.app[DB].acquire() as conn, conn.transaction():
        access = await require_access(conn, principal, project_id, Action.MANAGE)
        invite = await invites.revoke(conn, project_id, invite_id, datetime.now(UTC))
        if invite is None:
            raise NotFound(msg("no such invite link: {invite_id}", invite_id=invite_id))
        guests = await invites.guests_of(conn, invite_id)
        revoked = [
            await _remove_guest(conn, project_id, guest, principal.user_id) for guest in guests
        ]
        await record(
            conn, request, principal, "invite.revoked", access, target=invite_id,
            guests_removed=len(guests),
        )  # fmt: skip
    for one in revoked:
        revocation.announce(request.app, one)
    if guests:
        announce(request)


async def _remove_guest(conn: Conn, project_id: UUID, guest: UUID, actor: UUID) -> Revocation:
    """End a guest's session and membership (its sockets close once the caller commits)."""
    await accounts.revoke_user_sessions(conn, guest, "invite revoked", datetime.now(UTC))
    if await projects.get_member(conn, project_id, guest) is not None:
        old = await projects.remove_member(conn, project_id, guest)
        await member_event(conn, "member.removed", project_id, guest, old.value, actor)
    return await revocation.record(
        conn, reason="the invite link was revoked", user_id=guest, project_id=project_id
    )


@api.route(
    "GET", "/v1/invites/{token}", summary="What an invite link leads to (no sign-in needed)",
    tags=_TAGS, response=InvitePreview, auth=False,
)  # fmt: skip
async def preview_invite(request: web.Request) -> InvitePreview:
    found = await invites.preview(request.app[DB], _token(request), datetime.now(UTC))
    if found is None:
        await limit(request, "invite")
        raise NotFound(msg("no such invite link"))
    invite, project_name, refusal = found
    return InvitePreview(
        project_id=invite.project_id,
        project_name=project_name,
        role=membership_name(invite.role),
        expires_at=invite.expires_at,
        status="active" if refusal is None else refusal.value,
    )


@api.route(
    "POST", "/v1/invites/{token}/join",
    summary="Join a project with an invite link: signed in as a member, or as a guest by name",
    tags=_TAGS, body=InviteJoin, response=InviteJoined, auth=False, errors=(401, 410),
)  # fmt: skip
async def join_invite(request: web.Request, body: InviteJoin) -> web.Response:
    account = await _signed_in(request)
    if account is None and body.name is None:
        raise _validation(msg("give a name to join as a guest, or sign in first"))
    now = datetime.now(UTC)
    try:
        async with request.app[DB].acquire() as conn, conn.transaction():
            redeemed = _usable(await invites.redeem(conn, _token(request), now))
            joined, session, guest = await _join(request, conn, body, account, redeemed)
    except _UnknownLink:
        await limit(request, "invite")  # guessing links costs the address its sign-in budget
        raise NotFound(msg("no such invite link")) from None
    if session is None or guest is None:
        return json_response(joined)
    shown, access = session_out(request, guest, session.id, session.refresh, body.client)
    joined = joined.model_copy(update={"session": shown})
    announce(request)
    return session_response(
        request, joined, body.client, session.id, (access, session.refresh), session.expires_at
    )


class _UnknownLink(Exception):
    """No link has this token (answered 404, after counting the attempt)."""


def _usable(redeemed: Invite | Refusal | None) -> Invite:
    if redeemed is None:
        raise _UnknownLink
    if isinstance(redeemed, Refusal):
        raise Gone(_REFUSALS[redeemed])
    return redeemed


async def _join(
    request: web.Request,
    conn: Conn,
    body: InviteJoin,
    account: Principal | None,
    redeemed: Invite,
) -> tuple[InviteJoined, NewSession | None, User | None]:
    """Add the signed-in account, or a new guest with its session, to the link's project."""
    if account is not None:
        role = await _join_as_member(conn, account, redeemed)
        await audit.record(
            conn, "invite.joined", actor_id=account.user_id, project_id=redeemed.project_id,
            target=str(redeemed.id), details={"role": role.value, "guest": False},
        )  # fmt: skip
        joined = InviteJoined(
            project_id=redeemed.project_id, role=membership_name(role), guest=False, session=None
        )
        return joined, None, None
    assert body.name is not None
    guest = await invites.create_guest(conn, uuid4(), body.name, redeemed, reader_locale(request))
    await projects.add_member(conn, redeemed.project_id, guest.id, redeemed.role)
    await member_event(
        conn, "member.added", redeemed.project_id, guest.id, redeemed.role.value, guest.id
    )
    session = await open_session(conn, request, guest.id, request.app[SETTINGS].guest_session_s)
    await audit.record(
        conn, "invite.joined", actor_id=guest.id, project_id=redeemed.project_id,
        target=str(redeemed.id), details={"role": redeemed.role.value, "guest": True},
    )  # fmt: skip
    joined = InviteJoined(
        project_id=redeemed.project_id, role=membership_name(redeemed.role), guest=True,
        session=None,
    )  # fmt: skip
    return joined, session, guest


async def _signed_in(request: web.Request) -> Principal | None:
    """The account joining, or None for a new guest.

    A bad ``Authorization`` header is an error, not a guest: an integrator who meant to
    join as an account must not silently become a guest. A browser's cookies are different:
    a guest's, or a session that ended (a guest whose time is over opening the link again),
    only mean that nobody is signed in on this browser now, and the new guest's cookies
    replace them.
    """
    if "Authorization" in request.headers:
        principal: Principal = await request.app[AUTH].require(request, True)
        if principal.user.is_guest:
            raise Unauthenticated(msg("a guest cannot use another invite link: sign up first"))
        return principal
    if not request.cookies.get(ACCESS_COOKIE):
        return None
    try:
        principal = await request.app[AUTH].require(request, True)
    except Unauthenticated:
        return None
    return None if principal.user.is_guest else principal


async def _join_as_member(conn: Conn, account: Principal, invite: Invite) -> Role:
    """Add the account with the link's role, or keep the higher role it already has."""
    exists, current = await projects.membership(conn, invite.project_id, account.user_id)
    if not exists:
        raise NotFound(msg("no such project: {project_id}", project_id=invite.project_id))
    if current is not None:
        if _RANK[current] >= _RANK[invite.role]:
            return current
        await projects.set_member_role(conn, invite.project_id, account.user_id, invite.role)
        return invite.role
    await projects.add_member(conn, invite.project_id, account.user_id, invite.role)
    await member_event(
        conn, "member.added", invite.project_id, account.user_id, invite.role.value,
        account.user_id,
    )  # fmt: skip
    return invite.role


def _validation(message: Text) -> DTToolsError:
    return ValidationFailed([{"location": "body", "field": "name", "message": message}])
