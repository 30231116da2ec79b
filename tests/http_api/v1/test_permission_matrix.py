"""A permission matrix: every /v1 endpoint x every role x own / other project (no IDOR).

The endpoints come from ``http_api.v1.v1_api()``, so a new endpoint without a row in
:data:`MATRIX` fails :func:`test_every_endpoint_has_a_matrix_row` (and every role's test).
Each row says what the endpoint needs and how to build a real request for it:

* ``none``: anyone, signed in or not (sign-up, sign-in, token refresh, password reset);
* ``self``: any signed-in account, about itself (``/v1/auth/me``, its API keys, its projects);
* ``read``, ``write``, ``manage``: a project role that allows it (collab/permissions.py);
* ``admin``: global admins only (``/v1/audit``).

Roles: ``admin`` (global, on no team), ``owner``, ``member``, ``viewer``, ``stranger`` (signed
in, on no team of these projects) and ``anonymous`` (no credentials: 401 wherever a caller is
needed). "Own" is a project where the caller has their role, "other" one where they have none;
for artifact routes (``/v1/{segment}/{item_id}``) "other" means an artifact that lives in the
other project, which must be 404, never 200 or 403. For API keys, "other" is someone else's key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

import pytest

from collab.artifacts import KINDS, ArtifactKind
from http_api.endpoint import Endpoint
from http_api.keys import PERSONAL_EXPORTS
from http_api.v1 import v1_api
from tests.conftest import RunningServer
from tests.http_api.v1.test_artifacts import create_body, update_body
from tests.support.api import (
    PASSWORD,
    RegisteredUser,
    create_api_key,
    login,
    mailed_token,
    unique_email,
)
from tests.support.exports import tiny_archive
from tests.support.files import png
from tests.support.projects import ApiClient, Team, make_team

# One OpenID Connect issuer, unreachable: its sign-in routes answer (303 back to the sign-in
# page) without a provider to talk to; tests/http_api/v1/test_oidc.py walks the real flow.
_OIDC = '[{"id": "test", "name": "Test", "issuer": "http://127.0.0.1:9", "client_id": "c"}]'
pytestmark = pytest.mark.shared_server(oidc_providers=_OIDC)

Need = Literal["none", "self", "read", "write", "manage", "admin"]
#: What "other" means for a row: another project, someone else's API key, or nothing.
Scope = Literal["project", "key", "none"]
Role = Literal["admin", "owner", "member", "viewer", "stranger", "anonymous"]
Ownership = Literal["own", "other", "n/a"]

ROLES: tuple[Role, ...] = ("admin", "owner", "member", "viewer", "stranger", "anonymous")
_ALLOWED: dict[str, frozenset[Need]] = {
    "owner": frozenset({"read", "write", "manage"}),
    "member": frozenset({"read", "write"}),
    "viewer": frozenset({"read"}),
}


@dataclass(frozen=True, slots=True)
class Request:
    """One concrete call. ``survives`` must still answer 200 to its owner after a refusal."""

    path: str
    json: Any = None
    #: credentials to send instead of the caller's own (a fresh session of the same account)
    session: RegisteredUser | None = None
    survives: str | None = None
    #: who checks that ``survives`` is still there (None: the target project's owner)
    keeper: RegisteredUser | None = None
    #: a file to send as multipart/form-data (part ``file``) instead of a JSON body
    upload: bytes | None = None
    #: a redirect is the answer (not followed)
    redirects: bool = False


@dataclass
class World:
    """Users, two projects with one artifact of each kind, and what requests need from them."""

    api: ApiClient
    server: RunningServer
    team: Team
    #: the account whose password is reset (resetting ends its sessions; nobody calls as it)
    bystander: RegisteredUser
    #: an API key of the outsider's: someone else's key for every caller
    foreign_key: UUID
    artifacts: dict[UUID, dict[str, str]] = field(default_factory=dict)
    #: a running brainstorm session in its voting phase, per project (started on first use)
    brainstorms: dict[UUID, str] = field(default_factory=dict)
    #: an uploaded picture per project
    files: dict[UUID, str] = field(default_factory=dict)
    #: a finished export per project (made on first use)
    exports: dict[UUID, str] = field(default_factory=dict)
    #: a subscription per project (UUID(int=0): the global one), made on first use
    webhooks: dict[UUID, str] = field(default_factory=dict)
    #: a data export of one's own, per account email (made on first use)
    personal_exports: dict[str, str] = field(default_factory=dict)

    async def personal_export(self, user: RegisteredUser) -> str:
        """A finished export of ``user``'s own data; its id."""
        if user.email not in self.personal_exports:
            reply = await self.api.call("POST", "/v1/auth/me/export", user)
            assert reply.status in (201, 202), reply.body
            export = reply.body
            while export["status"] not in ("done", "failed"):
                await self.server.app[PERSONAL_EXPORTS].wait(UUID(export["id"]), 5.0)
                export = (await self.api.call("GET", reply.headers["Location"], user)).body
            assert export["status"] == "done", export
            self.personal_exports[user.email] = export["id"]
        return self.personal_exports[user.email]

    def owner_of(self, project: UUID) -> RegisteredUser:
        """Who owns ``project`` (to set up targets in it)."""
        return self.team["stranger" if project in self.team.others else "owner"]

    async def seed(self, project: UUID) -> None:
        """One artifact of every kind in ``project``, each pointing at the ones before."""
        refs: dict[str, str] = {}
        for collection in KINDS:
            refs[collection] = await self.create(project, collection, refs)
        self.artifacts[project] = refs
        self.files[project] = await self.upload(project)

    async def upload(self, project: UUID) -> str:
        """A new picture among ``project``'s files (uploaded by its owner); its id."""
        path = f"/v1/projects/{project}/files"
        reply = await self.api.upload(path, self.owner_of(project), png())
        assert reply.status == 201, reply.body
        file_id: str = reply.body["id"]
        return file_id

    async def create(self, project: UUID, collection: str, refs: Mapping[str, str]) -> str:
        """A new artifact in ``project`` (made by its owner); its id."""
        kind = KINDS[collection]
        reply = await self.api.call(
            "POST",
            f"/v1/projects/{project}/{kind.segment}",
            self.owner_of(project),
            json=create_body(collection, refs),
        )
        assert reply.status == 201, reply.body
        item_id: str = reply.body["id"]
        return item_id

    async def fresh_project(self, like: UUID) -> UUID:
        """A new project with the same team as ``like`` (for calls that change its team or
        delete it)."""
        team = self.team
        if like in team.others:
            project = await self.api.create_project(team["stranger"], "someone else's, again")
            await self.api.add_member(team["stranger"], project, team.outsider, "member")
            team.others.add(project)
            return project
        project = await self.api.create_project(team["owner"], "team project, again")
        for role in ("member", "viewer"):
            await self.api.add_member(team["owner"], project, team[role], role)
        await self.api.add_member(team["owner"], project, team.outsider, "viewer")
        return project

    async def reset_token(self) -> str:
        """A fresh password-reset token of the bystander, from the e-mail the server sends."""
        email = self.bystander.email
        reply = await self.api.call("POST", "/v1/auth/forgot-password", None, json={"email": email})
        assert reply.status == 202
        return await mailed_token(self.server, email, "/reset-password")

    async def signup_token(self) -> str:
        """A fresh sign-up token for a new address, from the e-mail the server sends."""
        email = unique_email("matrix")
        body = {"email": email, "name": "New", "password": PASSWORD}
        reply = await self.api.call("POST", "/v1/auth/register", None, json=body)
        assert reply.status == 202
        return await mailed_token(self.server, email, "/verify-email")


@dataclass(frozen=True, slots=True)
class Case:
    """Who calls, on what: the world, the caller (None: anonymous) and the target project."""

    world: World
    role: Role
    caller: RegisteredUser | None
    ownership: Ownership
    project: UUID

    @property
    def account(self) -> RegisteredUser:
        """The caller's account, or the outsider's for anonymous calls that need one."""
        return self.caller if self.caller is not None else self.world.team.outsider

    def item(self, kind: ArtifactKind) -> str:
        """The target project's artifact of ``kind``."""
        return self.world.artifacts[self.project][kind.collection]


Build = Callable[[Case], Awaitable[Request]]


@dataclass(frozen=True, slots=True)
class Row:
    """What an endpoint needs and how to call it."""

    need: Need
    build: Build
    scope: Scope = "none"


def _at(path: str, json: Any = None) -> Build:
    """A request that needs no setup: ``path`` formatted with ``{p}``, the target project."""

    async def build(case: Case) -> Request:
        return Request(path.format(p=case.project), json)

    return build


def _redirect(path: str) -> Build:
    """A request answered with a redirect, which the check does not follow."""

    async def build(case: Case) -> Request:
        return Request(path, redirects=True)

    return build


# --- rows that need setup -----------------------------------------------------------------------


async def _register(case: Case) -> Request:
    body = {"email": unique_email("matrix"), "name": "New", "password": PASSWORD}
    return Request("/v1/auth/register", {**body, "client": "token"})


async def _verify_email(case: Case) -> Request:
    body = {"token": await case.world.signup_token(), "client": "token"}
    return Request("/v1/auth/verify-email", body)


async def _login(case: Case) -> Request:
    body = {"email": case.account.email, "password": PASSWORD, "client": "token"}
    return Request("/v1/auth/login", body)


async def _refresh(case: Case) -> Request:
    fresh = await login(case.world.api.http, case.world.server.http_url, case.account)
    return Request("/v1/auth/refresh", {"refresh_token": fresh.refresh_token, "client": "token"})


async def _logout(case: Case) -> Request:
    # A session of its own, so that the caller's main one lives on for the rest of the matrix.
    fresh = await login(case.world.api.http, case.world.server.http_url, case.account)
    return Request("/v1/auth/logout", {"refresh_token": fresh.refresh_token}, session=fresh)


async def _stand_in(case: Case) -> RegisteredUser:
    """A throwaway account (deleting one must not take a role's account from the matrix)."""
    return await case.world.api.register("Stand-in")


async def _delete_me(case: Case) -> Request:
    # Sent with a stand-in's fresh session (for signed-in roles): a recent sign-in, no password.
    return Request("/v1/auth/me", {}, session=await _stand_in(case))


async def _delete_user(case: Case) -> Request:
    return Request(f"/v1/admin/users/{(await _stand_in(case)).id}")


async def _forgot(case: Case) -> Request:
    return Request("/v1/auth/forgot-password", {"email": case.account.email})


async def _reset(case: Case) -> Request:
    body = {"token": await case.world.reset_token(), "password": PASSWORD}
    return Request("/v1/auth/reset-password", body)


async def _revoke_key(case: Case) -> Request:
    """A key of the caller's own (made for this call), or, for "other", someone else's."""
    if case.ownership == "other" or case.caller is None:
        key = case.world.foreign_key
    else:
        world = case.world
        key, _ = await create_api_key(world.api.http, world.server.http_url, case.caller)
    return Request(f"/v1/auth/api-keys/{key}")


async def _saved_template(world: World, user: RegisteredUser) -> str:
    """A template ``user`` saved from a project of their own (made for this call); its id."""
    made = await world.api.call("POST", "/v1/projects", user, json={"name": "to keep"})
    assert made.status == 201, made.body
    body = {"project_id": made.body["id"], "name": "kept"}
    saved = await world.api.call("POST", "/v1/templates", user, json=body)
    assert saved.status == 201, saved.body
    template_id: str = saved.body["id"]
    return template_id


def _template_at(*, delete: bool = False) -> Build:
    """The caller's own saved template (a built-in one, to read), or for "other" (and
    anonymous calls) the outsider's."""

    async def build(case: Case) -> Request:
        world = case.world
        if case.ownership == "other" or case.caller is None:
            outsider = await _saved_template(world, world.team.outsider)
            path = f"/v1/templates/{outsider}"
            return Request(path, survives=path, keeper=world.team.outsider)
        if not delete:
            return Request("/v1/templates/crazy-8s")
        return Request(f"/v1/templates/{await _saved_template(world, case.caller)}")

    return build


async def _save_template(case: Case) -> Request:
    made = await case.world.api.call("POST", "/v1/projects", case.account, json={"name": "mine"})
    assert made.status == 201, made.body
    return Request("/v1/templates", {"project_id": made.body["id"], "name": "saved"})


def _personal_export(suffix: str = "") -> Build:
    """The caller's own data export, or for "other" (and anonymous calls) the outsider's."""

    async def build(case: Case) -> Request:
        owner = (
            case.world.team.outsider
            if case.ownership == "other" or case.caller is None
            else case.caller
        )
        export = await case.world.personal_export(owner)
        return Request(f"/v1/auth/me/export/{export}{suffix}")

    return build


async def _delete_project(case: Case) -> Request:
    project = await case.world.fresh_project(case.project)
    return Request(f"/v1/projects/{project}", survives=f"/v1/projects/{project}")


def _newcomer(case: Case, project: UUID) -> str:
    """Someone not yet on ``project``: the stranger on the team's, the viewer on others."""
    team = case.world.team
    return team["viewer" if project in team.others else "stranger"].email


async def _add_member(case: Case) -> Request:
    project = await case.world.fresh_project(case.project)
    body = {"email": _newcomer(case, project), "role": "viewer"}
    return Request(f"/v1/projects/{project}/members", body)


async def _remove_member(case: Case) -> Request:
    project = await case.world.fresh_project(case.project)
    return Request(f"/v1/projects/{project}/members/{case.world.team.outsider.id}")


async def _invite(world: World, project: UUID) -> dict[str, Any]:
    """A new invite link to ``project``, made by its owner."""
    owner = world.owner_of(project)
    reply = await world.api.call("POST", f"/v1/projects/{project}/invites", owner, json={})
    assert reply.status == 201, reply.body
    return dict(reply.body)


def _version(suffix: str = "") -> Build:
    """A named restore point of the target project, taken by its owner."""

    async def build(case: Case) -> Request:
        owner = case.world.owner_of(case.project)
        path = f"/v1/projects/{case.project}/versions"
        made = await case.world.api.call("POST", path, owner, json={"name": "matrix"})
        assert made.status == 201, made.body
        return Request(f"{path}/{made.body['id']}{suffix}")

    return build


def _invitation_at(*, delete: bool = False) -> Build:
    """A pending invitation by e-mail of the target project, made by its owner."""

    async def build(case: Case) -> Request:
        owner = case.world.owner_of(case.project)
        body = {"email": unique_email("matrix-invited")}
        reply = await case.world.api.call(
            "POST", f"/v1/projects/{case.project}/members", owner, json=body
        )
        assert reply.status == 202, reply.body
        path = f"/v1/projects/{case.project}/invitations/{reply.body['id']}"
        return Request(path, survives=path if delete else None)

    return build


def _invite_at(*, delete: bool = False) -> Build:
    async def build(case: Case) -> Request:
        made = await _invite(case.world, case.project)
        path = f"/v1/projects/{case.project}/invites/{made['id']}"
        return Request(path, survives=path if delete else None)

    return build


async def _preview_invite(case: Case) -> Request:
    made = await _invite(case.world, case.project)
    return Request(f"/v1/invites/{made['token']}")


async def _join_invite(case: Case) -> Request:
    # A project of its own: joining changes its team, and the matrix's teams must stay as
    # they are. Signed-in callers join as themselves, anonymous ones as a guest.
    project = await case.world.fresh_project(case.project)
    made = await _invite(case.world, project)
    return Request(f"/v1/invites/{made['token']}/join", {"name": "Matrix guest", "client": "token"})


async def _change_member(case: Case) -> Request:
    path = f"/v1/projects/{case.project}/members/{case.world.team.outsider.id}"
    return Request(path, {"role": "member"})


def _artifact_rows(kind: ArtifactKind) -> dict[tuple[str, str], Row]:
    """The five rows of one kind (the routes are generated from the registry, so are these)."""
    seg = kind.segment

    async def create(case: Case) -> Request:
        body = create_body(kind.collection, case.world.artifacts[case.project])
        return Request(f"/v1/projects/{case.project}/{seg}", body)

    async def get(case: Case) -> Request:
        return Request(f"/v1/{seg}/{case.item(kind)}")

    async def update(case: Case) -> Request:
        return Request(f"/v1/{seg}/{case.item(kind)}", update_body(kind.collection))

    async def delete(case: Case) -> Request:
        refs = case.world.artifacts[case.project]
        item_id = await case.world.create(case.project, kind.collection, refs)
        return Request(f"/v1/{seg}/{item_id}", survives=f"/v1/{seg}/{item_id}")

    listing = f"/v1/projects/{{project_id}}/{seg}"
    item = f"/v1/{seg}/{{item_id}}"
    return {
        ("GET", listing): Row("read", _at(f"/v1/projects/{{p}}/{seg}"), "project"),
        ("POST", listing): Row("write", create, "project"),
        ("GET", item): Row("read", get, "project"),
        ("PUT", item): Row("write", update, "project"),
        ("PATCH", item): Row("write", update, "project"),
        ("DELETE", item): Row("write", delete, "project"),
    }


async def _results(case: Case) -> Request:
    return Request(f"/v1/tests/{case.item(KINDS['tests'])}/results")


async def _add_result(case: Case) -> Request:
    return Request(f"/v1/tests/{case.item(KINDS['tests'])}/results", {"outcome": "success"})


_BRAINSTORM = "/v1/projects/{project_id}/brainstorm"
_SESSION = _BRAINSTORM + "/{session_id}"


async def _voting_session(case: Case) -> str:
    """The path of the target project's session in its voting phase (shared by the rows)."""
    world = case.world
    session = world.brainstorms.get(case.project)
    if session is None:
        body = {"prompt": "matrix", "phase": "voting", "votes_per_person": 100,
                "allow_stacking": True}  # fmt: skip
        path = f"/v1/projects/{case.project}/brainstorm"
        reply = await world.api.call("POST", path, world.owner_of(case.project), json=body)
        assert reply.status == 201, reply.body
        session = world.brainstorms[case.project] = reply.body["id"]
    return f"/v1/projects/{case.project}/brainstorm/{session}"


async def _fresh_session(case: Case, *steps: tuple[str, Any]) -> str:
    """The path of a new session on a new project like the target, after its owner's
    ``steps`` (suffix, body): for calls that change or end it."""
    world = case.world
    project = await world.fresh_project(case.project)
    owner = world.owner_of(project)
    reply = await world.api.call(
        "POST", f"/v1/projects/{project}/brainstorm", owner, json={"prompt": "matrix"}
    )
    assert reply.status == 201, reply.body
    path = f"/v1/projects/{project}/brainstorm/{reply.body['id']}"
    for suffix, body in steps:
        done = await world.api.call("POST", path + suffix, owner, json=body)
        assert done.status == 200, done.body
    return path


def _steer(suffix: str, body: Any = None, *steps: tuple[str, Any]) -> Build:
    """A facilitator's call on a fresh session."""

    async def build(case: Case) -> Request:
        return Request(await _fresh_session(case, *steps) + suffix, body)

    return build


async def _note_lock(case: Case, action: str) -> Request:
    """Lock or unlock a note of a fresh session's board (the owner made the note)."""
    path = await _fresh_session(case)
    project = path.split("/")[3]
    owner = case.world.owner_of(UUID(project))
    made = await case.world.api.call(
        "POST", f"/v1/projects/{project}/ideas", owner, json={"text": "lock me"}
    )
    assert made.status == 201, made.body
    return Request(f"{path}/notes/{action}", {"idea_ids": [made.body["id"]]})


async def _lock_notes(case: Case) -> Request:
    return await _note_lock(case, "lock")


async def _unlock_notes(case: Case) -> Request:
    return await _note_lock(case, "unlock")


async def _start_brainstorm(case: Case) -> Request:
    project = await case.world.fresh_project(case.project)
    return Request(f"/v1/projects/{project}/brainstorm", {"prompt": "matrix"})


def _team_member(case: Case) -> UUID:
    """A member of the target project (and of the fresh ones made like it)."""
    team = case.world.team
    return team.outsider.id if case.project in team.others else team["member"].id


async def _add_facilitator(case: Case) -> Request:
    path = await _fresh_session(case)
    return Request(path + "/facilitators", {"user_id": str(_team_member(case))})


async def _remove_facilitator(case: Case) -> Request:
    member = str(_team_member(case))
    path = await _fresh_session(case, ("/facilitators", {"user_id": member}))
    return Request(f"{path}/facilitators/{member}")


async def _session_at(case: Case, suffix: str = "") -> Request:
    return Request(await _voting_session(case) + suffix)


async def _vote(case: Case) -> Request:
    body = {"idea_id": case.item(KINDS["ideas"])}
    return Request(await _voting_session(case) + "/votes", body)


async def _retract(case: Case) -> Request:
    path = await _voting_session(case)
    idea = case.item(KINDS["ideas"])
    if case.caller is not None:  # a dot to take back, where the caller may place one
        await case.world.api.call("POST", path + "/votes", case.caller, json={"idea_id": idea})
    return Request(f"{path}/votes/{idea}")


async def _my_votes(case: Case) -> Request:
    return await _session_at(case, "/votes")


async def _get_session(case: Case) -> Request:
    return await _session_at(case)


async def _session_results(case: Case) -> Request:
    """A fresh session's results (it moved to ``results``, so there are some)."""
    return Request(await _fresh_session(case, ("/phase", {"phase": "results"})) + "/results")


_BRAINSTORM_ROWS: dict[tuple[str, str], Row] = {
    ("POST", _BRAINSTORM): Row("manage", _start_brainstorm, "project"),
    ("GET", _BRAINSTORM): Row("read", _at("/v1/projects/{p}/brainstorm"), "project"),
    ("GET", _SESSION): Row("read", _get_session, "project"),
    ("POST", _SESSION + "/pause"): Row("manage", _steer("/pause"), "project"),
    ("POST", _SESSION + "/resume"): Row("manage", _steer("/resume", None, ("/pause", None)),
                                        "project"),
    ("POST", _SESSION + "/extend"): Row("manage", _steer("/extend", {"seconds": 30}), "project"),
    ("POST", _SESSION + "/phase"): Row("manage", _steer("/phase", {"phase": "reveal"}), "project"),
    ("POST", _SESSION + "/reveal-tallies"): Row("manage", _steer("/reveal-tallies"), "project"),
    ("POST", _SESSION + "/summon"): Row(
        "manage", _steer("/summon", {"x": 1, "y": 2, "zoom": 1}), "project"
    ),
    ("POST", _SESSION + "/rules"): Row(
        "manage", _steer("/rules", {"on_time_up": "lock"}), "project"
    ),
    ("POST", _SESSION + "/lock"): Row("manage", _steer("/lock"), "project"),
    ("POST", _SESSION + "/unlock"): Row("manage", _steer("/unlock"), "project"),
    ("POST", _SESSION + "/notes/lock"): Row("manage", _lock_notes, "project"),
    ("POST", _SESSION + "/notes/unlock"): Row("manage", _unlock_notes, "project"),
    ("POST", _SESSION + "/end"): Row("manage", _steer("/end"), "project"),
    ("POST", _SESSION + "/facilitators"): Row("manage", _add_facilitator, "project"),
    ("DELETE", _SESSION + "/facilitators/{user_id}"): Row("manage", _remove_facilitator, "project"),
    ("POST", _SESSION + "/votes"): Row("write", _vote, "project"),
    ("DELETE", _SESSION + "/votes/{idea_id}"): Row("write", _retract, "project"),
    ("GET", _SESSION + "/votes"): Row("read", _my_votes, "project"),
    ("GET", _SESSION + "/results"): Row("read", _session_results, "project"),
}  # fmt: skip


def _file_at(suffix: str = "") -> Build:
    """A request on the target project's picture: ``/v1/files/{id}`` + ``suffix``."""

    async def build(case: Case) -> Request:
        return Request(f"/v1/files/{case.world.files[case.project]}{suffix}")

    return build


async def _upload_file(case: Case) -> Request:
    return Request(f"/v1/projects/{case.project}/files", upload=png())


async def _delete_file(case: Case) -> Request:
    file_id = await case.world.upload(case.project)
    return Request(f"/v1/files/{file_id}", survives=f"/v1/files/{file_id}")


def _attach(kind: str, suffix: str) -> Build:
    """An upload to an artifact's convenience route (``/v1/personas/{id}/avatar`` ...)."""

    async def build(case: Case) -> Request:
        item = case.item(KINDS[kind])
        return Request(f"/v1/{KINDS[kind].segment}/{item}/{suffix}", upload=png())

    return build


_FILE_ROWS: dict[tuple[str, str], Row] = {
    ("POST", "/v1/projects/{project_id}/files"): Row("write", _upload_file, "project"),
    ("GET", "/v1/projects/{project_id}/files"): Row(
        "read", _at("/v1/projects/{p}/files"), "project"
    ),
    ("GET", "/v1/files/{file_id}"): Row("read", _file_at(), "project"),
    ("GET", "/v1/files/{file_id}/content"): Row("read", _file_at("/content"), "project"),
    ("GET", "/v1/files/{file_id}/thumbnail"): Row("read", _file_at("/thumbnail"), "project"),
    ("DELETE", "/v1/files/{file_id}"): Row("write", _delete_file, "project"),
    ("POST", "/v1/personas/{item_id}/avatar"): Row("write", _attach("personas", "avatar"),
                                                   "project"),
    ("POST", "/v1/prototypes/{item_id}/files"): Row("write", _attach("prototypes", "files"),
                                                    "project"),
}  # fmt: skip


async def _finished_export(case: Case) -> str:
    """A finished export of the target project (made by its owner, once per project)."""
    world = case.world
    if case.project not in world.exports:
        owner = world.owner_of(case.project)
        path = f"/v1/projects/{case.project}/export"
        reply = await world.api.call("POST", path, owner, json={"format": "json"})
        assert reply.status == 201, reply.body
        world.exports[case.project] = reply.body["id"]
    return world.exports[case.project]


def _export_at(suffix: str) -> Build:
    """A request on a finished export of the target project: ``.../exports/{id}`` + suffix."""

    async def build(case: Case) -> Request:
        export_id = await _finished_export(case)
        return Request(f"/v1/projects/{case.project}/exports/{export_id}{suffix}")

    return build


async def _import(case: Case) -> Request:
    return Request("/v1/projects/import", upload=tiny_archive())


_EXPORT_ONE = "/v1/projects/{project_id}/exports/{export_id}"
#: Viewers may export by default (viewers_can_export): every export row needs "read".
_EXPORT_ROWS: dict[tuple[str, str], Row] = {
    ("POST", "/v1/projects/{project_id}/export"): Row(
        "read", _at("/v1/projects/{p}/export", {"format": "json"}), "project"
    ),
    ("GET", "/v1/projects/{project_id}/exports"): Row(
        "read", _at("/v1/projects/{p}/exports"), "project"
    ),
    ("GET", _EXPORT_ONE): Row("read", _export_at(""), "project"),
    ("GET", _EXPORT_ONE + "/download"): Row("read", _export_at("/download"), "project"),
    ("POST", "/v1/projects/import"): Row("self", _import),
    ("GET", "/v1/projects/{project_id}/print"): Row(
        "read", _at("/v1/projects/{p}/print"), "project"
    ),
}

# Off: a test event queued here must never be sent (to a host that may not resolve) by a
# server with delivery on later in the session.
_HOOK = {"url": "https://example.org/hook", "events": ["*"], "enabled": False}


async def _webhook(case: Case, project: UUID | None, *, fresh: bool = False) -> str:
    """A subscription of the target project (None: a global one, made by the admin)."""
    world = case.world
    key = project if project is not None else UUID(int=0)
    if fresh or key not in world.webhooks:
        owner = world.team["admin"] if project is None else world.owner_of(project)
        path = "/v1/webhooks" if project is None else f"/v1/projects/{project}/webhooks"
        reply = await world.api.call("POST", path, owner, json=_HOOK)
        assert reply.status == 201, reply.body
        if fresh:
            return str(reply.body["id"])
        world.webhooks[key] = reply.body["id"]
    return world.webhooks[key]


def _hook_base(case: Case, global_: bool) -> tuple[UUID | None, str]:
    project = None if global_ else case.project
    return project, "/v1/webhooks" if global_ else f"/v1/projects/{case.project}/webhooks"


def _hook_at(suffix: str, json: Any = None, *, global_: bool = False) -> Build:
    """A request on a subscription: ``.../webhooks/{id}`` + ``suffix``."""

    async def build(case: Case) -> Request:
        project, base = _hook_base(case, global_)
        return Request(f"{base}/{await _webhook(case, project)}{suffix}", json)

    return build


def _delete_hook(*, global_: bool = False) -> Build:
    async def build(case: Case) -> Request:
        project, base = _hook_base(case, global_)
        path = f"{base}/{await _webhook(case, project, fresh=True)}"
        keeper = case.world.team["admin"] if project is None else None
        return Request(path, survives=path, keeper=keeper)

    return build


def _replay(*, global_: bool = False) -> Build:
    """A replay of the subscription's test delivery (queued by its owner)."""

    async def build(case: Case) -> Request:
        project, base = _hook_base(case, global_)
        hook = f"{base}/{await _webhook(case, project)}"
        owner = case.world.team["admin"] if project is None else case.world.owner_of(project)
        queued = await case.world.api.call("POST", f"{hook}/test", owner)
        assert queued.status == 202, queued.body
        return Request(f"{hook}/deliveries/{queued.body['id']}/replay")

    return build


def _webhook_rows(
    prefix: str, need: Need, scope: Scope, *, global_: bool
) -> dict[tuple[str, str], Row]:
    one = prefix + "/{webhook_id}"
    base = "/v1/webhooks" if global_ else "/v1/projects/{p}/webhooks"
    return {
        ("POST", prefix): Row(need, _at(base, _HOOK), scope),
        ("GET", prefix): Row(need, _at(base), scope),
        ("GET", one): Row(need, _hook_at("", global_=global_), scope),
        ("PATCH", one): Row(need, _hook_at("", {"description": "x"}, global_=global_), scope),
        ("DELETE", one): Row(need, _delete_hook(global_=global_), scope),
        ("POST", one + "/test"): Row(need, _hook_at("/test", global_=global_), scope),
        ("GET", one + "/deliveries"): Row(need, _hook_at("/deliveries", global_=global_), scope),
        ("POST", one + "/deliveries/{delivery_id}/replay"): Row(
            need, _replay(global_=global_), scope
        ),
        ("POST", one + "/replay-failed"): Row(
            need, _hook_at("/replay-failed", global_=global_), scope
        ),
    }


_WEBHOOK_ROWS = {
    **_webhook_rows("/v1/projects/{project_id}/webhooks", "manage", "project", global_=False),
    **_webhook_rows("/v1/webhooks", "admin", "none", global_=True),
}

_PROJECT_UPDATE = {"name": "renamed", "description": "", "phase": "define"}

#: Every /v1 endpoint by (method, path): what it needs and how to call it.
MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/v1/auth/register"): Row("none", _register),
    ("POST", "/v1/auth/verify-email"): Row("none", _verify_email),
    ("POST", "/v1/auth/login"): Row("none", _login),
    ("GET", "/v1/auth/oidc/providers"): Row("none", _at("/v1/auth/oidc/providers")),
    ("GET", "/v1/auth/oidc/{provider}/login"): Row("none", _redirect("/v1/auth/oidc/test/login")),
    ("GET", "/v1/auth/oidc/{provider}/callback"): Row(
        "none", _redirect("/v1/auth/oidc/test/callback?code=c&state=s")
    ),
    ("POST", "/v1/auth/refresh"): Row("none", _refresh),
    ("POST", "/v1/auth/logout"): Row("none", _logout),
    ("POST", "/v1/auth/forgot-password"): Row("none", _forgot),
    ("POST", "/v1/auth/reset-password"): Row("none", _reset),
    ("GET", "/v1/auth/me"): Row("self", _at("/v1/auth/me")),
    ("POST", "/v1/auth/me/export"): Row("self", _at("/v1/auth/me/export")),
    ("GET", "/v1/auth/me/export/{export_id}"): Row("self", _personal_export(), "key"),
    ("GET", "/v1/auth/me/export/{export_id}/download"): Row(
        "self", _personal_export("/download"), "key"
    ),
    ("PATCH", "/v1/auth/me"): Row("self", _at("/v1/auth/me", {"locale": "en"})),
    ("DELETE", "/v1/auth/me"): Row("self", _delete_me),
    ("DELETE", "/v1/admin/users/{user_id}"): Row("admin", _delete_user),
    ("POST", "/v1/auth/api-keys"): Row("self", _at("/v1/auth/api-keys", {"name": "matrix"})),
    ("GET", "/v1/auth/api-keys"): Row("self", _at("/v1/auth/api-keys")),
    ("GET", "/v1/auth/api-keys/{key_id}"): Row("self", _revoke_key, "key"),
    ("DELETE", "/v1/auth/api-keys/{key_id}"): Row("self", _revoke_key, "key"),
    ("GET", "/v1/projects"): Row("self", _at("/v1/projects")),
    ("GET", "/v1/templates"): Row("self", _at("/v1/templates")),
    ("POST", "/v1/templates"): Row("self", _save_template),
    ("GET", "/v1/templates/{template_id}"): Row("self", _template_at(), "key"),
    ("DELETE", "/v1/templates/{template_id}"): Row("self", _template_at(delete=True), "key"),
    ("POST", "/v1/projects"): Row("self", _at("/v1/projects", {"name": "mine"})),
    ("GET", "/v1/projects/{project_id}"): Row("read", _at("/v1/projects/{p}"), "project"),
    ("PUT", "/v1/projects/{project_id}"): Row(
        "manage", _at("/v1/projects/{p}", _PROJECT_UPDATE), "project"
    ),
    ("PATCH", "/v1/projects/{project_id}"): Row(
        "manage", _at("/v1/projects/{p}", {"description": "patched"}), "project"
    ),
    ("DELETE", "/v1/projects/{project_id}"): Row("manage", _delete_project, "project"),
    ("GET", "/v1/projects/{project_id}/stats"): Row(
        "read", _at("/v1/projects/{p}/stats"), "project"
    ),
    ("POST", "/v1/projects/{project_id}/invites"): Row(
        "manage", _at("/v1/projects/{p}/invites", {"role": "viewer"}), "project"
    ),
    ("GET", "/v1/projects/{project_id}/invites"): Row(
        "manage", _at("/v1/projects/{p}/invites"), "project"
    ),
    ("GET", "/v1/projects/{project_id}/invites/{invite_id}"): Row(
        "manage", _invite_at(), "project"
    ),
    ("DELETE", "/v1/projects/{project_id}/invites/{invite_id}"): Row(
        "manage", _invite_at(delete=True), "project"
    ),
    ("GET", "/v1/invites/{token}"): Row("none", _preview_invite),
    ("POST", "/v1/invites/{token}/join"): Row("none", _join_invite),
    ("GET", "/v1/projects/{project_id}/members"): Row(
        "read", _at("/v1/projects/{p}/members"), "project"
    ),
    ("POST", "/v1/projects/{project_id}/members"): Row("manage", _add_member, "project"),
    ("GET", "/v1/projects/{project_id}/versions"): Row(
        "read", _at("/v1/projects/{p}/versions"), "project"
    ),
    ("POST", "/v1/projects/{project_id}/versions"): Row(
        "write", _at("/v1/projects/{p}/versions", {"name": "matrix"}), "project"
    ),
    ("GET", "/v1/projects/{project_id}/versions/{version_id}"): Row("read", _version(), "project"),
    ("POST", "/v1/projects/{project_id}/versions/{version_id}/restore"): Row(
        "manage", _version("/restore"), "project"
    ),
    ("POST", "/v1/projects/{project_id}/members/bulk"): Row(
        "manage", _at("/v1/projects/{p}/members/bulk", {"emails": ["bulk@example.com"]}), "project"
    ),
    ("GET", "/v1/projects/{project_id}/invitations"): Row(
        "manage", _at("/v1/projects/{p}/invitations"), "project"
    ),
    ("GET", "/v1/projects/{project_id}/invitations/{invitation_id}"): Row(
        "manage", _invitation_at(), "project"
    ),
    ("DELETE", "/v1/projects/{project_id}/invitations/{invitation_id}"): Row(
        "manage", _invitation_at(delete=True), "project"
    ),
    ("PUT", "/v1/projects/{project_id}/members/{user_id}"): Row(
        "manage", _change_member, "project"
    ),
    ("DELETE", "/v1/projects/{project_id}/members/{user_id}"): Row(
        "manage", _remove_member, "project"
    ),
    **{key: row for kind in KINDS.values() for key, row in _artifact_rows(kind).items()},
    ("GET", "/v1/tests/{test_id}/results"): Row("read", _results, "project"),
    ("POST", "/v1/tests/{test_id}/results"): Row("write", _add_result, "project"),
    ("GET", "/v1/projects/{project_id}/document"): Row(
        "read", _at("/v1/projects/{p}/document"), "project"
    ),
    ("GET", "/v1/projects/{project_id}/document/violations"): Row(
        "read", _at("/v1/projects/{p}/document/violations"), "project"
    ),
    **_BRAINSTORM_ROWS,
    **_FILE_ROWS,
    **_EXPORT_ROWS,
    **_WEBHOOK_ROWS,
    ("GET", "/v1/audit"): Row("admin", _at("/v1/audit")),
    ("GET", "/v1/projects/{project_id}/audit"): Row(
        "manage", _at("/v1/projects/{p}/audit"), "project"
    ),
}


def expected_status(endpoint: Endpoint, row: Row, role: Role, ownership: Ownership) -> int:
    """The status ``role`` must get from ``endpoint`` on its own or the other target."""
    success = endpoint.status
    if row.need == "none":
        return success
    if role == "anonymous":
        return 401
    if row.need == "admin":
        return success if role == "admin" else 403
    if ownership == "other":
        # Someone else's key is missing to everyone; another team's project to all but admins.
        return success if role == "admin" and row.scope == "project" else 404
    if row.need == "self" or role == "admin":
        return success
    if role == "stranger":
        return 404
    return success if row.need in _ALLOWED[role] else 403


def ownerships(row: Row, role: Role) -> list[Ownership]:
    """The targets a role is tried on (the stranger has no role on the team's project
    already: their "other" would be a project of their own)."""
    if row.scope == "none":
        return ["n/a"]
    if row.scope == "project" and role == "stranger":
        return ["own"]
    return ["own", "other"]


def _endpoints() -> list[Endpoint]:
    return v1_api().endpoints


def test_every_endpoint_has_a_matrix_row() -> None:
    """A new endpoint needs a row here (what it needs, how to call it); no row is stale."""
    declared = {(e.method, e.path) for e in _endpoints()}
    assert sorted(declared - MATRIX.keys()) == [], "endpoints without a matrix row"
    assert sorted(MATRIX.keys() - declared) == [], "matrix rows without an endpoint"


def test_only_auth_rows_need_nothing() -> None:
    """The rows that need no caller are exactly the endpoints declared without auth."""
    open_rows = {key for key, row in MATRIX.items() if row.need == "none"}
    assert open_rows == {(e.method, e.path) for e in _endpoints() if not e.auth}


def test_project_rows_are_the_project_and_artifact_routes() -> None:
    """A row is project-scoped exactly when its path names a project, an artifact, a test
    or a file."""
    for (method, path), row in MATRIX.items():
        scoped = any(
            name in path for name in ("{project_id}", "{item_id}", "{test_id}", "{file_id}")
        )
        assert (row.scope == "project") == scoped, f"{method} {path}"


@pytest.fixture
async def world(server: RunningServer, api: ApiClient) -> World:
    """The team of tests/support/projects.py, a bystander, a foreign key and the artifacts."""
    team = await make_team(api)
    bystander = await api.register("Bystander")
    key, _ = await create_api_key(api.http, server.http_url, team.outsider)
    world = World(api, server, team, bystander, key)
    for project in (team.project, team.other):
        await world.seed(project)
    return world


@pytest.mark.parametrize("role", ROLES)
async def test_each_endpoint_answers_the_role_what_it_may_do(world: World, role: Role) -> None:
    """Every endpoint, on the caller's project and on another team's (or another account's
    key), answers with the status the role's rights give: success, 403 for a known project
    the role may not change, 404 for anything the caller may not see (an artifact of another
    project included: no IDOR), 401 without credentials.

    The world is built once; the assertion lists every cell that differs, and a refused
    delete must leave its target in place.
    """
    caller = None if role == "anonymous" else world.team[role]
    mismatches: list[str] = []
    cells = 0
    for endpoint in _endpoints():
        row = MATRIX.get((endpoint.method, endpoint.path))
        if row is None:
            mismatches.append(f"{endpoint.method} {endpoint.path}: no matrix row")
            continue
        for ownership in ownerships(row, role):
            target = world.team.other if ownership == "other" else world.team.project
            request = await row.build(Case(world, role, caller, ownership, target))
            credentials = None if caller is None else (request.session or caller)
            if request.upload is not None:
                reply = await world.api.upload(request.path, credentials, request.upload)
            else:
                reply = await world.api.call(
                    endpoint.method, request.path, credentials, json=request.json,
                    allow_redirects=not request.redirects,
                )  # fmt: skip
            cells += 1
            want = expected_status(endpoint, row, role, ownership)
            cell = f"{endpoint.method} {endpoint.path} by {role} on {ownership}"
            if reply.status != want:
                mismatches.append(f"{cell}: got {reply.status}, expected {want}: {reply.body}")
            elif want >= 400 and request.survives is not None:
                owner = request.keeper or world.owner_of(target)
                kept = await world.api.call("GET", request.survives, owner)
                if kept.status != 200:
                    mismatches.append(f"{cell}: refused, yet its target is gone ({kept.status})")
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)
    assert cells >= len(_endpoints())
