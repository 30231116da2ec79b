"""Projects, their teams, statistics, the whole document and the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Literal

from dttools_sdk.models import (
    AuditEntry,
    BulkAdded,
    Invitation,
    Invite,
    InviteCreated,
    InviteJoined,
    InvitePreview,
    Language,
    Member,
    Page,
    Phase,
    Project,
    ProjectStats,
    Restored,
    TeamRole,
    Template,
    Version,
    VersionContent,
    Violation,
    WorkshopDocument,
)
from dttools_sdk.resources._base import follow, if_match_header, page_params, read, segment
from dttools_sdk.transport import Transport

__all__ = ["Projects", "Members", "Invitations", "Versions", "Audit"]

Archived = Literal["false", "true", "any"]


def _query(**values: str | int | datetime | None) -> dict[str, str]:
    """Query parameters, without the ones left out."""
    query: dict[str, str] = {}
    for name, value in values.items():
        if value is not None:
            query[name] = value.isoformat() if isinstance(value, datetime) else str(value)
    return query


class Projects:
    """Your projects (all of them, for an admin)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        q: str | None = None,
        role: TeamRole | None = None,
        phase: Phase | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        archived: Archived | None = None,
    ) -> Page[Project]:
        """One page of projects; ``q`` matches names, ``archived="any"`` shows both kinds."""
        params = _query(
            limit=limit,
            cursor=cursor,
            q=q,
            role=role,
            phase=phase,
            created_after=created_after,
            created_before=created_before,
            archived=archived,
        )
        response = await self._http.request("GET", "/v1/projects", params=params)
        return Page[Project].model_validate(response.json())

    def iter(
        self,
        *,
        page_size: int | None = None,
        q: str | None = None,
        role: TeamRole | None = None,
        phase: Phase | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        archived: Archived | None = None,
    ) -> AsyncIterator[Project]:
        """Every matching project, fetching pages of ``page_size`` as the loop goes."""
        return follow(
            lambda cursor: self.list(
                limit=page_size,
                cursor=cursor,
                q=q,
                role=role,
                phase=phase,
                created_after=created_after,
                created_before=created_before,
                archived=archived,
            )
        )

    async def get(self, project_id: str) -> Project:
        """One project, with its ``etag`` (the row version)."""
        return read(Project, await self._http.request("GET", self._one(project_id)))

    async def create(
        self,
        name: str,
        *,
        description: str = "",
        phase: Phase | None = None,
        language: Language | None = None,
        template: str | None = None,
        idempotency_key: str | None = None,
    ) -> Project:
        """Create a project; you become its owner.

        ``template``: start from a template (:meth:`Templates.list`), its content written in
        the project's language; ``phase`` left out is then the template's (else empathize).
        """
        body: dict[str, str] = {"name": name, "description": description}
        if phase is not None:
            body["phase"] = phase
        if language is not None:
            body["language"] = language
        if template is not None:
            body["template"] = template
        response = await self._http.request(
            "POST", "/v1/projects", json_body=body, idempotency_key=idempotency_key
        )
        return read(Project, response)

    async def update(
        self,
        project_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        phase: Phase | None = None,
        archived: bool | None = None,
        language: Language | None = None,
        viewers_can_export: bool | None = None,
        if_match: str | None = None,
    ) -> Project:
        """Change a project; what you leave out (None) stays as it is (``PATCH``).

        Raises:
            PreconditionFailed: ``if_match`` was given and the project changed since.
        """
        body: dict[str, object] = {}
        for field, value in (
            ("name", name),
            ("description", description),
            ("phase", phase),
            ("archived", archived),
            ("language", language),
            ("viewers_can_export", viewers_can_export),
        ):
            if value is not None:
                body[field] = value
        response = await self._http.request(
            "PATCH", self._one(project_id), json_body=body, headers=if_match_header(if_match)
        )
        return read(Project, response)

    async def replace(
        self,
        project_id: str,
        *,
        name: str,
        description: str,
        phase: Phase,
        archived: bool = False,
        language: Language | None = None,
        viewers_can_export: bool = True,
        if_match: str | None = None,
    ) -> Project:
        """Write the project's whole editable state (``PUT``): what you leave out takes the
        value a new project gets (``language``: your account's). :meth:`update` changes some
        fields only.

        Raises:
            PreconditionFailed: ``if_match`` was given and the project changed since.
        """
        body: dict[str, object] = {
            "name": name,
            "description": description,
            "phase": phase,
            "archived": archived,
            "viewers_can_export": viewers_can_export,
        }
        if language is not None:
            body["language"] = language
        response = await self._http.request(
            "PUT", self._one(project_id), json_body=body, headers=if_match_header(if_match)
        )
        return read(Project, response)

    async def delete(self, project_id: str) -> None:
        """Delete a project, its document and its files (owners and admins)."""
        await self._http.request("DELETE", self._one(project_id))

    async def stats(self, project_id: str, *, days: int | None = None) -> ProjectStats:
        """Artifacts per phase, members by role, contributors and updates per day."""
        response = await self._http.request(
            "GET", f"{self._one(project_id)}/stats", params=_query(days=days)
        )
        return read(ProjectStats, response)

    async def document(self, project_id: str) -> WorkshopDocument:
        """The whole workshop document, typed (a snapshot; see ``live()`` for changes)."""
        response = await self._http.request("GET", f"{self._one(project_id)}/document")
        return read(WorkshopDocument, response)

    async def violations(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Violation]:
        """One page of what live clients wrote against the schema (JSON Pointers, messages)."""
        path = f"{self._one(project_id)}/document/violations"
        response = await self._http.request("GET", path, params=page_params(limit, cursor))
        return Page[Violation].model_validate(response.json())

    def iter_violations(
        self, project_id: str, *, page_size: int | None = None
    ) -> AsyncIterator[Violation]:
        """Every schema violation in the project's document, ordered by path."""
        return follow(lambda cursor: self.violations(project_id, limit=page_size, cursor=cursor))

    async def audit(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[AuditEntry]:
        """One page of the project's audit log (owners and admins)."""
        response = await self._http.request(
            "GET", f"{self._one(project_id)}/audit", params=_query(limit=limit, cursor=cursor)
        )
        return Page[AuditEntry].model_validate(response.json())

    def iter_audit(
        self, project_id: str, *, page_size: int | None = None
    ) -> AsyncIterator[AuditEntry]:
        """Every audit entry of the project."""
        return follow(lambda cursor: self.audit(project_id, limit=page_size, cursor=cursor))

    @staticmethod
    def _one(project_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}"


class Members:
    """A project's team: who is on it, with which role."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Member]:
        """One page of the team, in the order people joined (any role may read it)."""
        response = await self._http.request(
            "GET", self._all(project_id), params=page_params(limit, cursor)
        )
        return Page[Member].model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[Member]:
        """Everyone on the team."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def add(
        self,
        project_id: str,
        email: str,
        role: TeamRole = "member",
        *,
        idempotency_key: str | None = None,
    ) -> Member | Invitation:
        """Put the account with ``email`` on the team, or, if no account has that address,
        invite it by e-mail (an :class:`Invitation`: it joins when it signs up).

        Raises:
            Conflict: already a member, or too many pending invitations.
        """
        response = await self._http.request(
            "POST",
            self._all(project_id),
            json_body={"email": email, "role": role},
            idempotency_key=idempotency_key,
        )
        if response.status == 202:
            return read(Invitation, response)
        return read(Member, response)

    async def add_many(
        self,
        project_id: str,
        emails: Sequence[str],
        role: TeamRole = "member",
        *,
        idempotency_key: str | None = None,
    ) -> BulkAdded:
        """Add up to 100 addresses at once (all or nothing): accounts join, other addresses
        are invited, members already on the team stay as they are."""
        response = await self._http.request(
            "POST",
            f"{self._all(project_id)}/bulk",
            json_body={"emails": list(emails), "role": role},
            idempotency_key=idempotency_key,
        )
        return read(BulkAdded, response)

    async def change_role(self, project_id: str, user_id: str, role: TeamRole) -> Member:
        """Give a member another role (their live sockets reconnect with it)."""
        path = f"{self._all(project_id)}/{segment(user_id)}"
        return read(Member, await self._http.request("PUT", path, json_body={"role": role}))

    async def remove(self, project_id: str, user_id: str) -> None:
        """Take someone off the team (anyone may remove themself).

        Raises:
            Conflict: they are the last owner.
        """
        await self._http.request("DELETE", f"{self._all(project_id)}/{segment(user_id)}")

    @staticmethod
    def _all(project_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}/members"


class Invitations:
    """Invitations by e-mail still waiting for their address to sign up (owners, admins)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Invitation]:
        """One page of the pending invitations, oldest first."""
        response = await self._http.request(
            "GET", self._all(project_id), params=page_params(limit, cursor)
        )
        return Page[Invitation].model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[Invitation]:
        """Every pending invitation."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def get(self, project_id: str, invitation_id: str) -> Invitation:
        """One pending invitation (NotFound once accepted, cancelled or expired)."""
        path = f"{self._all(project_id)}/{segment(invitation_id)}"
        return read(Invitation, await self._http.request("GET", path))

    async def cancel(self, project_id: str, invitation_id: str) -> None:
        """Void an invitation: the address can no longer join through it."""
        path = f"{self._all(project_id)}/{segment(invitation_id)}"
        await self._http.request("DELETE", path)

    @staticmethod
    def _all(project_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}/invitations"


class Versions:
    """Restore points of a project: members see and name them, owners restore one."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Version]:
        """One page of restore points, newest first."""
        response = await self._http.request(
            "GET", self._all(project_id), params=page_params(limit, cursor)
        )
        return Page[Version].model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[Version]:
        """Every restore point, newest first."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def get(self, project_id: str, version_id: str) -> VersionContent:
        """A restore point with the content as it was."""
        path = f"{self._all(project_id)}/{segment(version_id)}"
        return read(VersionContent, await self._http.request("GET", path))

    async def create(self, project_id: str, name: str) -> Version:
        """Take a named restore point ("after day 1")."""
        response = await self._http.request("POST", self._all(project_id), json_body={"name": name})
        return read(Version, response)

    async def restore(self, project_id: str, version_id: str) -> Restored:
        """Restore a point as one forward change (owners); ``undo`` of the answer takes it back."""
        path = f"{self._all(project_id)}/{segment(version_id)}/restore"
        return read(Restored, await self._http.request("POST", path))

    @staticmethod
    def _all(project_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}/versions"


class Audit:
    """The whole audit log (admins only)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        project_id: str | None = None,
        actor_id: str | None = None,
        action: str | None = None,
    ) -> Page[AuditEntry]:
        """One page of entries, newest first; ``action`` matches a prefix (``project.``)."""
        params = _query(
            limit=limit, cursor=cursor, project_id=project_id, actor_id=actor_id, action=action
        )
        response = await self._http.request("GET", "/v1/audit", params=params)
        return Page[AuditEntry].model_validate(response.json())

    def iter(
        self,
        *,
        page_size: int | None = None,
        project_id: str | None = None,
        actor_id: str | None = None,
        action: str | None = None,
    ) -> AsyncIterator[AuditEntry]:
        """Every matching entry."""
        return follow(
            lambda cursor: self.list(
                limit=page_size,
                cursor=cursor,
                project_id=project_id,
                actor_id=actor_id,
                action=action,
            )
        )


class Invites:
    """Invite links: owners make and revoke them; anyone with one joins (signed in as a
    member, or as a guest by name)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def create(
        self,
        project_id: str,
        role: Literal["member", "viewer"] = "member",
        *,
        expires_in_s: int | None = None,
        max_uses: int | None = None,
        idempotency_key: str | None = None,
    ) -> InviteCreated:
        """A new link (owners, admins); its ``token`` and ``url`` are shown this once."""
        body: dict[str, object] = {"role": role, "max_uses": max_uses}
        if expires_in_s is not None:
            body["expires_in_s"] = expires_in_s
        response = await self._http.request(
            "POST", self._all(project_id), json_body=body, idempotency_key=idempotency_key
        )
        return read(InviteCreated, response)

    async def list(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Invite]:
        """One page of the project's links, oldest first (owners, admins)."""
        response = await self._http.request(
            "GET", self._all(project_id), params=page_params(limit, cursor)
        )
        return Page[Invite].model_validate(response.json())

    def iter(self, project_id: str, *, page_size: int | None = None) -> AsyncIterator[Invite]:
        """Every link of the project."""
        return follow(lambda cursor: self.list(project_id, limit=page_size, cursor=cursor))

    async def get(self, project_id: str, invite_id: str) -> Invite:
        """One link: its uses and status."""
        path = f"{self._all(project_id)}/{segment(invite_id)}"
        return read(Invite, await self._http.request("GET", path))

    async def revoke(self, project_id: str, invite_id: str) -> None:
        """Stop the link and remove the guests who joined with it."""
        await self._http.request("DELETE", f"{self._all(project_id)}/{segment(invite_id)}")

    async def preview(self, token: str) -> InvitePreview:
        """Where a link leads (no credentials sent)."""
        path = f"/v1/invites/{segment(token)}"
        return read(InvitePreview, await self._http.request("GET", path, authenticated=False))

    async def join(self, token: str, *, name: str | None = None) -> InviteJoined:
        """Join with a link: as the signed-in account if this client has one, else as a
        guest called ``name`` (the answer's ``session`` then holds the guest's tokens).

        Raises:
            Gone: the link was revoked, has expired or was used up.
            NotFound: no such link.
        """
        path = f"/v1/invites/{segment(token)}/join"
        body: dict[str, object] = {"client": "token"}
        if name is not None:
            body["name"] = name
        response = await self._http.request(
            "POST", path, json_body=body, authenticated=self._http.token is not None
        )
        return read(InviteJoined, response)

    @staticmethod
    def _all(project_id: str) -> str:
        return f"/v1/projects/{segment(project_id)}/invites"


class Templates:
    """What a new project can start from: built-in methods and an example, and your own
    projects saved as templates."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> Page[Template]:
        """One page: built-in templates first (in your language), then yours."""
        response = await self._http.request(
            "GET", "/v1/templates", params=page_params(limit, cursor)
        )
        return Page[Template].model_validate(response.json())

    def iter(self, *, page_size: int | None = None) -> AsyncIterator[Template]:
        """Every template you may start from."""
        return follow(lambda cursor: self.list(limit=page_size, cursor=cursor))

    async def get(self, template_id: str) -> Template:
        """One template (a built-in one by its name, such as ``crazy-8s``, or yours by id)."""
        return read(
            Template, await self._http.request("GET", f"/v1/templates/{segment(template_id)}")
        )

    async def save(
        self,
        project_id: str,
        name: str,
        *,
        description: str = "",
        idempotency_key: str | None = None,
    ) -> Template:
        """Save one of your projects as a template (without its test results and authors)."""
        body = {"project_id": project_id, "name": name, "description": description}
        response = await self._http.request(
            "POST", "/v1/templates", json_body=body, idempotency_key=idempotency_key
        )
        return read(Template, response)

    async def delete(self, template_id: str) -> None:
        """Delete one of your templates (built-in ones cannot be)."""
        await self._http.request("DELETE", f"/v1/templates/{segment(template_id)}")
