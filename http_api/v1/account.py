"""Deleting an account: your own (``DELETE /v1/auth/me``) or anyone's, by an admin.

What deletion reaches and in which order: http_api/account_erasure.py, docs/privacy.md. The
answer comes when every copy is done (a few seconds for a person in many large projects), so a
204 means the identity is gone, not that it will be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from collab.errors import PermissionDenied
from collab.i18n import msg
from http_api.auth_throttle import limit
from http_api.endpoint import Api, path_uuid
from http_api.keys import AUTH, DB, ERASER
from http_api.passwords import verify_password
from http_api.principal import Principal
from persistence import accounts

__all__ = ["AccountDeletion", "api"]

api = Api()
#: A session this young proves its holder just typed the password: no need to ask again.
RECENT_SIGN_IN: Final = timedelta(minutes=10)


class AccountDeletion(BaseModel):
    """Your password; not needed within 10 minutes of signing in."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, max_length=1024)


async def _recently_signed_in(request: web.Request, principal: Principal) -> bool:
    started = await accounts.session_started_at(request.app[DB], principal.credential_id)
    return started is not None and datetime.now(UTC) - started <= RECENT_SIGN_IN


@api.route(
    "DELETE", "/v1/auth/me",
    summary="Delete your account (your content stays, under a pseudonym)",
    tags=("auth",), body=AccountDeletion, status=204, errors=(409,),
)  # fmt: skip
async def delete_me(request: web.Request, body: AccountDeletion, principal: Principal) -> None:
    """Sessions, keys and sockets end at once; in every project your name and id become
    "Removed participant N" everywhere the server keeps them. 409 while you are the only
    owner of a project: make someone else an owner, or delete it, first."""
    if principal.via == "api_key":
        raise PermissionDenied(
            msg("an account is deleted from a signed-in session, not with a key")
        )
    if body.password is not None:
        user = await request.app[AUTH].current_user(principal)  # the hash as stored now
        await limit(request, "delete-account", user.email)
        if not await verify_password(user.password_hash, body.password):
            raise PermissionDenied(msg("the password does not match"))
    elif not await _recently_signed_in(request, principal):
        raise PermissionDenied(
            msg("confirm with your password, or sign in again and delete within 10 minutes")
        )
    await request.app[ERASER].erase(principal.user_id, by=None)


@api.route(
    "DELETE", "/v1/admin/users/{user_id}",
    summary="Delete someone's account (admins; their content stays, under a pseudonym)",
    tags=("admin",), status=204, errors=(404, 409),
)  # fmt: skip
async def delete_user(request: web.Request, principal: Principal) -> None:
    """As ``DELETE /v1/auth/me`` for that person, with the same refusal for sole owners."""
    if not principal.is_admin:
        raise PermissionDenied(msg("deleting someone else's account is for admins"))
    user_id = path_uuid(request, "user_id")
    await request.app[ERASER].erase(user_id, by=principal.user_id)
