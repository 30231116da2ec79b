"""The SDK's project, team, account and audit resources against a real server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dttools_sdk import (
    Conflict,
    DTTools,
    Forbidden,
    Gone,
    IdeaCreate,
    Invitation,
    Invite,
    NotFound,
    PersonaCreate,
    PreconditionFailed,
    Project,
    Unauthenticated,
)

from tests.conftest import RunningServer
from tests.sdk.conftest import MakeUser
from tests.support.api import RegisteredUser

pytestmark = pytest.mark.shared_server


class TestProjects:
    async def test_create_read_update_delete(self, client: DTTools) -> None:
        """A project round-trips typed; a partial update keeps the fields left out."""
        created = await client.projects.create("Clinic", description="waiting room", phase="define")
        assert (created.role, created.membership, created.phase) == ("owner", "owner", "define")
        read = await client.projects.get(created.id)
        assert read.etag is not None
        renamed = await client.projects.update(created.id, name="Clinic 2")
        assert (renamed.name, renamed.description, renamed.phase) == (
            "Clinic 2", "waiting room", "define",
        )  # fmt: skip
        archived = await client.projects.update(
            created.id, name="Clinic 2", description="", phase="test", archived=True
        )
        assert archived.archived
        assert archived.description == ""
        replaced = await client.projects.replace(
            created.id, name="Clinic 3", description="whole", phase="define"
        )
        assert (replaced.name, replaced.description, replaced.archived) == (
            "Clinic 3", "whole", False,
        )  # fmt: skip
        await client.projects.delete(created.id)
        with pytest.raises(NotFound):
            await client.projects.get(created.id)

    async def test_stale_etag_is_refused(self, client: DTTools, project: Project) -> None:
        """An update against an old version raises PreconditionFailed."""
        old = await client.projects.get(project.id)
        await client.projects.update(project.id, name="changed meanwhile")
        with pytest.raises(PreconditionFailed):
            await client.projects.update(project.id, name="mine", if_match=old.etag)

    async def test_iter_follows_every_cursor(self, client: DTTools) -> None:
        """Iterating pages of 2 yields all 5 matching projects once each, newest first."""
        tag = uuid.uuid4().hex[:8]
        made = [(await client.projects.create(f"paged {tag} {i}")).id for i in range(5)]
        first = await client.projects.list(limit=2, q=tag)
        assert len(first.items) == 2
        assert first.next_cursor is not None
        seen = [p.id async for p in client.projects.iter(page_size=2, q=tag)]
        assert sorted(seen) == sorted(made)
        assert len(set(seen)) == 5

    async def test_filters_reach_the_server(self, client: DTTools) -> None:
        """``archived`` and ``phase`` filter the listing."""
        tag = uuid.uuid4().hex[:8]
        kept = await client.projects.create(f"filter {tag} kept", phase="ideate")
        gone = await client.projects.create(f"filter {tag} gone", phase="ideate")
        await client.projects.update(gone.id, archived=True)
        default = [p.id async for p in client.projects.iter(q=tag, phase="ideate")]
        every = [p.id async for p in client.projects.iter(q=tag, archived="any")]
        assert default == [kept.id]
        assert sorted(every) == sorted([kept.id, gone.id])

    async def test_stats_document_and_violations(self, client: DTTools, project: Project) -> None:
        """Stats count artifacts per phase; the document is typed; no violations from REST."""
        await client.personas.create(project.id, PersonaCreate(name="Ana"))
        await client.ideas.create(project.id, IdeaCreate(text="Kiosk"))
        stats = await client.projects.stats(project.id, days=7)
        assert stats.artifacts_per_phase["empathize"] == 1
        assert stats.artifacts_per_phase["ideate"] == 1
        assert stats.member_count == 1
        document = await client.projects.document(project.id)
        assert document.schema_version == 2
        assert [p.name for p in document.personas] == ["Ana"]
        assert [i.text for i in document.ideas] == ["Kiosk"]
        assert (await client.projects.violations(project.id)).items == []

    async def test_audit(self, client: DTTools, project: Project) -> None:
        """The project's audit log pages through typed entries, creation included."""
        actions = [entry.action async for entry in client.projects.iter_audit(project.id)]
        assert "project.created" in actions


class TestMembers:
    async def test_team(self, client: DTTools, project: Project, make_user: MakeUser) -> None:
        """Add, change and remove a member; a duplicate is a Conflict, a viewer is Forbidden."""
        other = await make_user()
        added = await client.members.add(project.id, other.email, "viewer")
        assert added.role == "viewer"
        with pytest.raises(Conflict):
            await client.members.add(project.id, other.email)
        roles = {m.email: m.role async for m in client.members.iter(project.id)}
        assert roles[other.email] == "viewer"
        server_url = client.http.base_url
        async with DTTools(server_url, token=other.access_token) as viewer:
            with pytest.raises(Forbidden):
                await viewer.ideas.create(project.id, IdeaCreate(text="not allowed"))
        changed = await client.members.change_role(project.id, str(other.id), "member")
        assert changed.role == "member"
        await client.members.remove(project.id, str(other.id))
        assert other.email not in {m.email for m in (await client.members.list(project.id)).items}

    async def test_invite_by_email_one_and_many(
        self, client: DTTools, project: Project, make_user: MakeUser
    ) -> None:
        """An address without an account comes back as an Invitation; add_many reports each
        address; pending invitations are listed and cancelled."""
        newcomer = f"new-{uuid.uuid4().hex[:8]}@example.com"
        invited = await client.members.add(project.id, newcomer, "viewer")
        assert isinstance(invited, Invitation)
        assert (invited.email, invited.role) == (newcomer, "viewer")
        known = await make_user()
        second = f"other-{uuid.uuid4().hex[:8]}@example.com"
        bulk = await client.members.add_many(project.id, [known.email, second, newcomer])
        assert [r.outcome for r in bulk.results] == ["added", "invited", "invited"]
        assert bulk.results[0].member is not None
        assert bulk.results[0].member.email == known.email
        pending = {i.email: i async for i in client.invitations.iter(project.id)}
        assert set(pending) == {newcomer, second}
        assert pending[newcomer].role == "member"  # the bulk add renewed it with its role
        one = await client.invitations.get(project.id, pending[second].id)
        assert one.email == second
        await client.invitations.cancel(project.id, one.id)
        with pytest.raises(NotFound):
            await client.invitations.get(project.id, one.id)


class TestVersions:
    async def test_name_read_and_restore_a_point(self, client: DTTools, project: Project) -> None:
        idea = await client.ideas.create(project.id, IdeaCreate(text="Kiosk"))
        point = await client.versions.create(project.id, "before")
        assert (point.kind, point.name) == ("named", "before")
        await client.ideas.delete(idea.id)
        shown = await client.versions.get(project.id, point.id)
        assert [i["text"] for i in shown.document["ideas"]] == ["Kiosk"]
        done = await client.versions.restore(project.id, point.id)
        assert done.changes == {"ideas": {"added": 1, "removed": 0, "changed": 0}}
        assert [i.text async for i in client.ideas.iter(project.id)] == ["Kiosk"]
        kinds = [v.kind async for v in client.versions.iter(project.id)]
        assert kinds == ["restore", "named"]


class TestAuth:
    async def test_deleting_accounts(
        self, server: RunningServer, client: DTTools, project: Project, make_user: MakeUser
    ) -> None:
        """A sole owner is refused with Conflict, a wrong password with Forbidden; once the
        project has another owner the account goes, and its token with it."""
        other = await make_user()
        with pytest.raises(Conflict):
            await client.account.delete(password="correct horse battery staple")
        await client.members.add(project.id, other.email, "owner")
        with pytest.raises(Forbidden):
            await client.account.delete(password="not it")
        async with DTTools(server.http_url, token=other.access_token) as them:
            with pytest.raises(Forbidden):  # not an admin
                await them.account.delete_user(str((await client.account.me()).id))
        await client.account.delete()  # signed in a moment ago: no password needed
        with pytest.raises(Unauthenticated):
            await client.account.me()

    async def test_api_key(self, server: RunningServer, client: DTTools) -> None:
        """A key made through the SDK authenticates another client; revoked, it fails."""
        created = await client.account.create_api_key("sdk test")
        assert created.key.startswith("dtt_")
        async with DTTools(server.http_url, api_key=created.key) as keyed:
            me = await keyed.account.me()
            assert me.id == (await client.account.me()).id
            assert [k.id for k in (await client.account.api_keys()).items] == [created.id]
            assert (await client.account.api_key(created.id)).id == created.id
            await client.account.revoke_api_key(created.id)
            with pytest.raises(Unauthenticated):
                await keyed.account.me()

    async def test_password_sign_in_refreshes_by_itself(
        self, server: RunningServer, user: RegisteredUser
    ) -> None:
        """Signed in with a password, a refused access token is refreshed once, transparently."""
        async with DTTools(server.http_url, email=user.email, password=user.password) as sdk:
            sdk.http.token = "expired-or-forged"
            me = await sdk.account.update(name="Renamed")
            assert (me.id, me.name) == (str(user.id), "Renamed")
            assert sdk.http.token != "expired-or-forged"

    async def test_signed_out(self, server: RunningServer, user: RegisteredUser) -> None:
        """After sign_out the token is refused and nothing refreshes it: Unauthenticated."""
        async with DTTools(server.http_url, email=user.email, password=user.password) as sdk:
            await sdk.account.me()
            await sdk.sign_out()
            with pytest.raises(Unauthenticated):
                await sdk.account.me()

    async def test_wrong_password(self, server: RunningServer, user: RegisteredUser) -> None:
        """A failed sign-in on entry raises Unauthenticated."""
        with pytest.raises(Unauthenticated):
            async with DTTools(server.http_url, email=user.email, password="wrong password!"):
                pass  # pragma: no cover - never entered

    async def test_one_credential_only(self, server: RunningServer) -> None:
        """Two credentials, or an e-mail without its password, are refused at once."""
        with pytest.raises(ValueError, match="one of"):
            DTTools(server.http_url, api_key="dtt_x", token="y")
        with pytest.raises(ValueError, match="together"):
            DTTools(server.http_url, email="a@example.com")

    async def test_use_outside_the_block(self, server: RunningServer) -> None:
        """A call outside ``async with`` says how to use the client."""
        sdk = DTTools(server.http_url, token="t")
        with pytest.raises(RuntimeError, match="async with"):
            await sdk.projects.get(str(uuid.uuid4()))


class TestInvites:
    async def test_an_owner_invites_and_a_guest_joins_with_the_sdk(
        self, server: RunningServer, client: DTTools, project: Project, make_user: MakeUser
    ) -> None:
        link = await client.invites.create(project.id, "member", max_uses=2)
        assert link.url.endswith(link.token)
        preview = await client.invites.preview(link.token)
        assert (preview.project_name, preview.status) == (project.name, "active")
        async with DTTools(server.http_url) as anonymous:
            joined = await anonymous.invites.join(link.token, name="Gus")
        assert joined.guest
        assert joined.session is not None
        assert joined.session.user.guest_project == project.id
        async with DTTools(server.http_url, token=joined.session.access_token) as guest:
            idea = await guest.ideas.create(project.id, IdeaCreate(text="from a guest"))
            assert idea.text == "from a guest"
            with pytest.raises(Forbidden):
                await guest.projects.create("a guest's own")
        other = await make_user()
        async with DTTools(server.http_url, token=other.access_token) as member:
            as_member = await member.invites.join(link.token)
        assert not as_member.guest
        assert as_member.session is None
        assert [i.uses for i in await _all(client.invites.iter(project.id))] == [2]
        async with DTTools(server.http_url) as late:
            with pytest.raises(Gone):
                await late.invites.join(link.token, name="Third")
        await client.invites.revoke(project.id, link.id)
        team = [m async for m in client.members.iter(project.id)]
        assert [m.name for m in team if m.guest] == []


async def _all(items: AsyncIterator[Invite]) -> list[Invite]:
    return [item async for item in items]


class TestTemplates:
    async def test_start_from_a_method_and_from_a_saved_project(self, client: DTTools) -> None:
        names = [t.id async for t in client.templates.iter(page_size=3)]
        assert names[:2] == ["personas", "pov-hmw"]
        crazy = await client.projects.create("Ideas fast", template="crazy-8s")
        assert crazy.phase == "ideate"
        saved = await client.templates.save(crazy.id, "Our Crazy 8s")
        assert saved.kind == "saved"
        assert saved.artifacts == 9
        again = await client.projects.create("Round two", template=saved.id, phase="define")
        assert again.phase == "define"
        assert len(await _all_ideas(client, again.id)) == 9
        await client.templates.delete(saved.id)
        with pytest.raises(NotFound):
            await client.templates.get(saved.id)


async def _all_ideas(client: DTTools, project_id: str) -> list[Any]:
    return [idea async for idea in client.ideas.iter(project_id)]
