"""Artifacts created live reach the artifact index as they enter a room (real PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from pycrdt import Doc, Map

from collab.artifacts import KINDS
from collab.codec import encode
from collab.limits import Limits
from collab.messages import Update
from collab.schema import create_item
from persistence import accounts, artifact_index, projects
from persistence.group_commit import GroupCommitter
from persistence.update_log import UpdateLog
from rooms.artifact_watch import project_of
from rooms.manager import RoomManager, RoomSettings
from tests.rooms.conftest import Peer

IDEAS = KINDS["ideas"]
PERSONAS = KINDS["personas"]


@pytest.fixture
async def manager(update_log: UpdateLog, committer: GroupCommitter) -> RoomManager:
    """A room manager on the test database."""
    return RoomManager(update_log, committer, Limits(), RoomSettings())


@pytest.fixture
async def project(update_log: UpdateLog) -> UUID:
    """A project row (the index only records artifacts of projects that exist)."""
    pool = update_log.pool
    owner = await accounts.create_user(
        pool, uuid.uuid4(), f"o-{uuid.uuid4().hex[:10]}@example.com", "Owner", "not-a-hash"
    )
    created = await projects.create_project(
        pool, uuid.uuid4(), name="p", description="", phase=IDEAS.phase, owner_id=owner.id
    )
    return created.id


def _client_adds(kind: Any, item_id: str) -> bytes:
    """The update a browser sends when it creates an artifact (its own Doc, its own ids)."""
    doc: Doc[Any] = Doc()
    body = kind.create.model_validate({"text": "live"} if kind is IDEAS else {"name": "Ana"})
    create_item(doc, kind, body, author_id=None, now=datetime.now(UTC), item_id=item_id)
    return doc.get_update()


class TestArtifactWatch:
    async def test_an_artifact_added_live_is_known_at_once_then_indexed(
        self, manager: RoomManager, update_log: UpdateLog, project: UUID
    ) -> None:
        """Recent at once (no write awaited), then in the index once written."""
        room = await manager.open(str(project))
        room.apply_remote(_client_adds(IDEAS, "idea-live-1"))
        assert manager.artifacts.recent("ideas", "idea-live-1") == [project]
        assert manager.artifacts.recent("personas", "idea-live-1") == []
        await manager.artifacts.written()
        pool = update_log.pool
        assert await artifact_index.candidates(pool, "ideas", "idea-live-1") == [project]
        assert manager.artifacts.recent("ideas", "idea-live-1") == []

    async def test_artifacts_stored_before_the_load_are_indexed_by_it(
        self, manager: RoomManager, update_log: UpdateLog, committer: GroupCommitter, project: UUID
    ) -> None:
        """A room loaded with artifacts never indexed (their node died) indexes them."""
        committer.submit(str(project), _client_adds(PERSONAS, "persona-stored"), None)
        await committer.flush()
        await manager.open(str(project))
        await manager.artifacts.written()
        found = await artifact_index.candidates(update_log.pool, "personas", "persona-stored")
        assert found == [project]

    async def test_edits_inside_an_artifact_and_other_rooms_are_not_recorded(
        self, manager: RoomManager, project: UUID, room: str
    ) -> None:
        """Only a new key of a collection's root map counts; free-form rooms are not watched."""
        live = await manager.open(str(project))
        added = _client_adds(IDEAS, "idea-edited")
        live.apply_remote(added)
        await manager.artifacts.written()
        browser: Doc[Any] = Doc()  # the author's own copy: its edit inside the idea
        browser.apply_update(added)
        edits: list[bytes] = []
        browser.observe(lambda event: edits.append(event.update))
        browser.get("ideas", type=Map)["idea-edited"]["text"] = "changed"
        assert live.apply_remote(edits[0])
        assert manager.artifacts.recent("ideas", "idea-edited") == []
        other = await manager.open(room)
        other.apply_remote(_client_adds(IDEAS, "idea-elsewhere"))
        assert manager.artifacts.recent("ideas", "idea-elsewhere") == []

    async def test_an_artifact_from_a_connected_client_is_known_at_once(
        self, manager: RoomManager, project: UUID
    ) -> None:
        """The client path (Room.receive) reports new artifacts as the remote path does."""
        live = await manager.open(str(project))
        peer = Peer(Limits())
        live.join(peer.conn)
        live.receive(peer.conn, encode(Update(_client_adds(PERSONAS, "persona-typed"))))
        assert manager.artifacts.recent("personas", "persona-typed") == [project]
        await manager.artifacts.written()
        await peer.stop()

    async def test_an_evicted_room_is_no_longer_watched(
        self, manager: RoomManager, project: UUID
    ) -> None:
        """Eviction drops the room's observers, so its document can be freed."""
        room = await manager.open(str(project))
        await manager.artifacts.written()
        assert manager.artifacts.watching(room.name)
        manager.maintain(time.monotonic() + 3600)  # idle past the timeout, nothing pending
        assert room.name not in manager.rooms
        assert not manager.artifacts.watching(room.name)

    def test_only_project_rooms_name_a_project(self) -> None:
        """A project room is its id; brainstorm and free-form rooms are not projects."""
        project = uuid.uuid4()
        assert project_of(str(project)) == project
        assert project_of(f"{project}:brainstorm") is None
        assert project_of("room-1") is None
