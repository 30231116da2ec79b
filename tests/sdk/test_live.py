"""The SDK's live documents against a real server with accounts (the product's access rules)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from dttools_sdk import (
    DTTools,
    Idea,
    IdeaCreate,
    IdeaPatch,
    LiveClosed,
    LiveDocument,
    PersonaCreate,
    Project,
    ReadOnly,
    UserTestCreate,
)
from dttools_sdk import live as live_module
from pycrdt import Array, Doc, Map, Text

from tests.conftest import RunningServer
from tests.sdk.conftest import MakeUser
from tests.support.timing import TIMEOUT

pytestmark = pytest.mark.shared_server(open_rooms=False)


class TestBothWays:
    async def test_live_write_reads_back_over_rest(self, client: DTTools, project: Project) -> None:
        """An idea added live is saved when add_idea returns: REST reads it at once."""
        async with client.live(project.id) as doc:
            assert doc.ideas() == []
            idea = await doc.add_idea(IdeaCreate(text="Live kiosk", color="#12abef", x=5, y=6))
            assert doc.ideas() == [idea]
        read = await client.ideas.get(idea.id)
        assert (read.text, read.color, read.x, read.y) == ("Live kiosk", "#12abef", 5.0, 6.0)
        assert read.author_id == read.created_by == (await client.account.me()).id
        assert (await client.projects.violations(project.id)).items == []

    async def test_rest_write_arrives_live(self, client: DTTools, project: Project) -> None:
        """A REST create shows up in an open live document, typed."""
        async with client.live(project.id) as doc:
            created = await client.ideas.create(project.id, IdeaCreate(text="From REST"))
            await doc.wait_for(lambda: doc.item(Idea, created.id) is not None, timeout_s=TIMEOUT)
            live = doc.item(Idea, created.id)
            assert live is not None
            assert (live.text, live.created_by) == ("From REST", created.created_by)

    async def test_initial_sync_has_the_content(self, client: DTTools, project: Project) -> None:
        """What exists before opening is there when the block starts, every kind typed."""
        await client.personas.create(project.id, PersonaCreate(name="Ana", goals=["sleep"]))
        test = await client.tests.create(project.id, UserTestCreate(title="Sheet test"))
        async with client.live(project.id) as doc:
            assert [(p.name, p.goals) for p in doc.personas()] == [("Ana", ["sleep"])]
            assert [t.id for t in doc.tests()] == [test.id]
            for read in (
                doc.empathy_maps, doc.pov_statements, doc.hmw_questions, doc.ideas,
                doc.prototypes, doc.test_results,
            ):  # fmt: skip
                assert read() == []

    async def test_update_idea_live(self, client: DTTools, project: Project) -> None:
        """Moving a note live changes it for REST; an unknown note is a KeyError."""
        async with client.live(project.id) as doc:
            idea = await doc.add_idea(IdeaCreate(text="Move me"))
            await doc.update_idea(idea.id, IdeaPatch(x=300, cluster_id=None))
            with pytest.raises(KeyError):
                await doc.update_idea("no-such-note", IdeaPatch(x=1))
        moved = await client.ideas.get(idea.id)
        assert (moved.x, moved.cluster_id) == (300.0, None)
        assert moved.updated_at is not None
        assert idea.updated_at is not None
        assert moved.updated_at >= idea.updated_at


def _idea_text(doc: LiveDocument, idea_id: str) -> str | None:
    idea = doc.item(Idea, idea_id)
    return None if idea is None else idea.text


async def _reads(doc: LiveDocument, idea_id: str, text: str) -> None:
    await doc.wait_for(lambda: _idea_text(doc, idea_id) == text, timeout_s=TIMEOUT)


class TestCollaborativeText:
    async def test_add_idea_writes_a_y_text(self, client: DTTools, project: Project) -> None:
        """A note's text is a Y.Text in the document (schema 2); reads and REST see a string."""
        async with client.live(project.id) as doc:
            idea = await doc.add_idea(IdeaCreate(text="Kiosk ☕ café"))
            stored = doc.ydoc.get("ideas", type=Map)[idea.id]["text"]
            assert isinstance(stored, Text)
            assert (idea.text, _idea_text(doc, idea.id)) == ("Kiosk ☕ café", "Kiosk ☕ café")
        assert (await client.ideas.get(idea.id)).text == "Kiosk ☕ café"
        assert (await client.projects.violations(project.id)).items == []

    async def test_concurrent_edits_merge(self, client: DTTools, project: Project) -> None:
        """Two live clients change different parts of one note before either sees the other's
        change: both end with both changes, and so does REST."""
        async with client.live(project.id) as one, client.live(project.id) as two:
            idea = await one.add_idea(IdeaCreate(text="The kiosk sells coffee ☕"))
            await two.wait_for(lambda: two.item(Idea, idea.id) is not None, timeout_s=TIMEOUT)
            # Both writes are computed from the same text, in the same turn of the loop: had
            # either seen the other's, its difference would undo that one.
            await asyncio.gather(
                one.update_idea(idea.id, IdeaPatch(text="Our kiosk sells coffee ☕")),
                two.update_idea(idea.id, IdeaPatch(text="The kiosk sells tea 🍵")),
            )
            merged = "Our kiosk sells tea 🍵"
            await asyncio.gather(_reads(one, idea.id, merged), _reads(two, idea.id, merged))
        assert (await client.ideas.get(idea.id)).text == merged

    async def test_rest_written_text_merges_with_live_edits(
        self, client: DTTools, project: Project
    ) -> None:
        """A note created and changed over REST is changed live by difference: a concurrent
        live edit to another part of it survives."""
        created = await client.ideas.create(project.id, IdeaCreate(text="Kiosk at the station"))
        await client.ideas.update(created.id, IdeaPatch(text="A kiosk at the station"))
        async with client.live(project.id) as one, client.live(project.id) as two:
            await asyncio.gather(
                one.update_idea(created.id, IdeaPatch(text="A small kiosk at the station")),
                two.update_idea(created.id, IdeaPatch(text="A kiosk at the main station")),
            )
            merged = "A small kiosk at the main station"
            await asyncio.gather(_reads(one, created.id, merged), _reads(two, created.id, merged))
        assert (await client.ideas.get(created.id)).text == merged

    async def test_plain_or_missing_text_becomes_y_text(
        self, client: DTTools, project: Project
    ) -> None:
        """update_idea replaces a plain string (schema 1) or a missing text with a Y.Text."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

        def write(doc: Doc[Any]) -> None:
            ideas = doc.get("ideas", type=Map)
            ideas["plain"] = Map({"id": "plain", "text": "old", "createdAt": now})
            ideas["bare"] = Map({"id": "bare", "createdAt": now})

        async with client.live(project.id) as doc:
            await doc.transact(write)
            await doc.update_idea("plain", IdeaPatch(text="new"))
            await doc.update_idea("bare", IdeaPatch(text="first"))
            ideas = doc.ydoc.get("ideas", type=Map)
            assert isinstance(ideas["plain"]["text"], Text)
            assert isinstance(ideas["bare"]["text"], Text)
        assert (await client.ideas.get("plain")).text == "new"
        assert (await client.ideas.get("bare")).text == "first"


class TestOutdatedClient:
    async def test_sdk_of_an_older_schema_is_refused(
        self, client: DTTools, project: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An SDK that declares schema 1 gets LiveClosed 4426 with a reason, and no retry."""
        monkeypatch.setattr(live_module, "DOCUMENT_SCHEMA", 1)
        with pytest.raises(LiveClosed) as caught:
            async with client.live(project.id):
                pass  # pragma: no cover - never entered
        assert caught.value.code == 4426
        assert "schema" in caught.value.reason

    async def test_ext_socket_without_schema_is_refused(
        self, server: RunningServer, client: DTTools, project: Project
    ) -> None:
        """A socket with ``ext=1`` and no ``schema`` is closed with 4426 before any sync."""
        token = client.http.token
        assert token is not None
        url = f"{server.ws_url}/{project.id}?ext=1&token={token}"
        async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
            async with asyncio.timeout(TIMEOUT):
                message = await ws.receive()
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert message.data == 4426
        assert message.extra


class TestTolerantReads:
    async def test_bad_fields_read_as_defaults(self, client: DTTools, project: Project) -> None:
        """A note written wrongly (a number for a colour) reads with the default colour."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

        def write(doc: Doc[Any]) -> None:
            fields = {"id": "ignored", "text": "odd", "color": 5, "x": "left", "createdAt": now}
            doc.get("ideas", type=Map)["odd-note"] = Map(fields)
            doc.get("ideas", type=Map)["not-a-map"] = "just a string"
            prototype = Map({"title": "Sheet", "linkedIdeaIds": Array(["odd-note"])})
            doc.get("prototypes", type=Map)["p1"] = prototype

        async with client.live(project.id) as doc:
            await doc.transact(write)
            [note] = doc.ideas()
            assert (note.id, note.text, note.color, note.x) == ("odd-note", "odd", "yellow", 0.0)
            assert [p.linked_idea_ids for p in doc.prototypes()] == [["odd-note"]]
        assert (await client.ideas.get("odd-note")).color == "yellow"  # the server agrees


class TestAccess:
    async def test_non_member_is_refused(self, client: DTTools, make_user: MakeUser) -> None:
        """Opening a project you are not on raises LiveClosed with 4403."""
        stranger = await make_user()
        project = await client.projects.create("Private")
        async with DTTools(client.http.base_url, token=stranger.access_token) as other:
            with pytest.raises(LiveClosed) as caught:
                async with other.live(project.id):
                    pass  # pragma: no cover - never entered
        assert caught.value.code == 4403

    async def test_bad_token_is_refused(self, client: DTTools, project: Project) -> None:
        """A socket with a forged token closes with 4401 before the sync."""
        async with client.live(project.id):
            pass  # the client now knows who it is: the next open goes straight to the socket
        client.http.token, real = "forged", client.http.token
        try:
            with pytest.raises(LiveClosed) as caught:
                async with client.live(project.id):
                    pass  # pragma: no cover - never entered
        finally:
            client.http.token = real
        assert caught.value.code == 4401

    async def test_viewer_writes_are_refused(
        self, client: DTTools, project: Project, make_user: MakeUser
    ) -> None:
        """A viewer's live change raises ReadOnly; nobody else ever sees it."""
        viewer = await make_user()
        await client.members.add(project.id, viewer.email, "viewer")
        async with (
            DTTools(client.http.base_url, token=viewer.access_token) as watcher,
            watcher.live(project.id) as doc,
        ):
            with pytest.raises(ReadOnly):
                await doc.add_idea(IdeaCreate(text="sneaky"))
            assert doc.read_only
        assert (await client.ideas.list(project.id)).items == []

    async def test_closed_while_waiting(
        self, client: DTTools, project: Project, make_user: MakeUser
    ) -> None:
        """A socket closed by the server (member removed) ends a wait with LiveClosed."""
        member = await make_user()
        await client.members.add(project.id, member.email, "member")
        async with (
            DTTools(client.http.base_url, token=member.access_token) as them,
            them.live(project.id) as doc,
        ):
            await client.members.remove(project.id, str(member.id))
            with pytest.raises(LiveClosed) as caught:
                await doc.wait_for(lambda: False, timeout_s=TIMEOUT)
        assert caught.value.code == 4403
        assert caught.value.reason
