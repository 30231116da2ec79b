"""The SDK's files, exports, imports and brainstorm resources against a real server."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from dttools_sdk import (
    DTTools,
    Export,
    IdeaCreate,
    InvalidArchive,
    NotFound,
    PersonaCreate,
    Project,
    PrototypeCreate,
    UnsupportedMediaType,
)

from tests.sdk.conftest import MakeUser
from tests.support.files import PDF, png

pytestmark = pytest.mark.shared_server


class TestFiles:
    async def test_upload_list_download_delete(
        self, client: DTTools, project: Project, tmp_path: Path
    ) -> None:
        """An image and a PDF round-trip; pages follow the cursor; deleted is NotFound."""
        image = await client.files.upload(project.id, png(), "ana.png")
        pdf = await client.files.upload(project.id, PDF, "brief.pdf", content_type="text/plain")
        assert (image.media_type, image.width, image.has_thumbnail) == ("image/png", 40, True)
        assert pdf.media_type == "application/pdf"  # decided by content, not the hint
        first = await client.files.list(project.id, limit=1)
        assert [f.id for f in first.items] == [pdf.id]
        assert first.next_cursor is not None
        assert [f.id async for f in client.files.iter(project.id, page_size=1)] == [
            pdf.id,
            image.id,
        ]
        assert await client.files.download(pdf.id) == PDF
        assert await client.files.download(pdf.id, to=tmp_path / "brief.pdf") is None
        assert (tmp_path / "brief.pdf").read_bytes() == PDF
        assert (await client.files.thumbnail(image.id)).startswith(b"RIFF")  # WebP
        assert (await client.files.get(image.id)).sha256 == image.sha256
        await client.files.delete(pdf.id)
        with pytest.raises(NotFound):
            await client.files.get(pdf.id)

    async def test_refused_content(self, client: DTTools, project: Project) -> None:
        """Bytes that are no accepted type raise UnsupportedMediaType."""
        with pytest.raises(UnsupportedMediaType):
            await client.files.upload(project.id, b"#!/bin/sh\necho hi\n", "run.png")

    async def test_attach_to_artifacts(self, client: DTTools, project: Project) -> None:
        """An avatar upload sets the persona's file id; a prototype file is appended."""
        persona = await client.personas.create(project.id, PersonaCreate(name="Ana"))
        avatar = await client.files.upload_avatar(persona.id, png(), "ana.png")
        assert (await client.personas.get(persona.id)).avatar_file_id == avatar.id
        prototype = await client.prototypes.create(project.id, PrototypeCreate(title="Sheet"))
        attached = await client.files.attach_to_prototype(prototype.id, PDF, "sheet.pdf")
        assert (await client.prototypes.get(prototype.id)).file_ids == [attached.id]


class TestExports:
    async def test_json_export_waits_and_downloads(self, client: DTTools, project: Project) -> None:
        """A JSON export finishes, reports progress, lists, and downloads the typed document."""
        await client.ideas.create(project.id, IdeaCreate(text="Kiosk"))
        seen: list[Export] = []
        started = await client.exports.start(project.id, "json", phases=["ideate"])
        done = await client.exports.wait(started, progress=seen.append, poll_interval_s=0.05)
        assert done.status == "done"
        assert seen[-1].status == "done"
        assert [e.id async for e in client.exports.iter(project.id)] == [done.id]
        body = await client.exports.download(done)
        assert body is not None
        exported = json.loads(body)
        assert [idea["text"] for idea in exported["document"]["ideas"]] == ["Kiosk"]

    async def test_archive_round_trip(self, client: DTTools, project: Project) -> None:
        """An archive export imports as a new project with the same content."""
        await client.ideas.create(project.id, IdeaCreate(text="Kiosk", color="blue"))
        archive = await client.exports.wait(await client.exports.start(project.id, "archive"))
        data = await client.exports.download(archive)
        assert data is not None
        imported = await client.exports.import_archive(data)
        assert imported.project.id != project.id
        assert imported.artifacts == 1
        ideas = [idea async for idea in client.ideas.iter(imported.project.id)]
        assert [(i.text, i.color) for i in ideas] == [("Kiosk", "blue")]

    async def test_damaged_archive(self, client: DTTools) -> None:
        """A zip that is not an archive raises InvalidArchive; nothing is created."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "not a project")
        with pytest.raises(InvalidArchive):
            await client.exports.import_archive(out.getvalue())

    async def test_download_before_done(self, client: DTTools, project: Project) -> None:
        """Downloading an export that is not done says to wait for it."""
        started = await client.exports.start(project.id, "csv")
        pending = started.model_copy(update={"status": "running", "download_url": None})
        with pytest.raises(ValueError, match="wait"):
            await client.exports.download(pending)


class TestDataExport:
    async def test_my_data_waits_and_downloads(self, client: DTTools, project: Project) -> None:
        export = await client.account.export_data()
        assert export.status == "done"
        assert (await client.account.data_export(export.id)).download_url == export.download_url
        data = await client.account.download_data_export(export)
        assert data is not None
        about = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("about-me.json"))
        assert [m["project_id"] for m in about["memberships"]] == [project.id]


class TestBrainstorm:
    async def test_session(self, client: DTTools, project: Project) -> None:
        """Start, steer to voting, vote, take back, end: typed sessions and votes."""
        idea = await client.ideas.create(project.id, IdeaCreate(text="Kiosk"))
        session = await client.brainstorms.start(project.id, "Waiting", phase="clustering")
        assert session.you_facilitate
        paused = await client.brainstorms.pause(project.id, session.id)
        assert not paused.timer.running
        resumed = await client.brainstorms.resume(project.id, session.id)
        assert resumed.timer.running
        await client.brainstorms.extend(project.id, session.id, 60)
        await client.brainstorms.summon(project.id, session.id, 1.0, 2.0, 1.5)
        pinned = await client.brainstorms.lock_notes(project.id, session.id, [idea.id])
        assert pinned.locked_notes == [idea.id]
        freed = await client.brainstorms.unlock_notes(project.id, session.id, [idea.id])
        assert freed.locked_notes == []
        voting = await client.brainstorms.change_phase(project.id, session.id, "voting")
        assert voting.phase == "voting"
        votes = await client.brainstorms.vote(project.id, session.id, idea.id)
        assert (votes.votes, votes.remaining) == ([idea.id], 2)
        assert (await client.brainstorms.votes(project.id, session.id)).used == 1
        await client.brainstorms.reveal_tallies(project.id, session.id)
        assert (await client.brainstorms.retract_vote(project.id, session.id, idea.id)).used == 0
        # a dot makes the idea (on the board before the session) one of its results
        await client.brainstorms.vote(project.id, session.id, idea.id)
        ended = await client.brainstorms.end(project.id, session.id)
        assert ended.ended
        assert ended.results is not None
        assert [i.idea_id for i in ended.results.ideas] == [idea.id]
        results = await client.brainstorms.results(project.id, session.id)
        assert results == ended.results
        table = await client.brainstorms.results_csv(project.id, session.id)
        assert table.decode("utf-8-sig").splitlines()[1].startswith(f"1,{idea.id},Kiosk,")
        assert [s.id for s in (await client.brainstorms.list(project.id)).items] == [session.id]
        assert (await client.brainstorms.get(project.id, session.id)).ended

    async def test_facilitators(
        self, client: DTTools, project: Project, make_user: MakeUser
    ) -> None:
        """An owner names a member facilitator and takes it back."""
        member = await make_user()
        await client.members.add(project.id, member.email, "member")
        session = await client.brainstorms.start(project.id, "Who steers?")
        named = await client.brainstorms.add_facilitator(project.id, session.id, str(member.id))
        assert str(member.id) in named.facilitators
        await client.brainstorms.remove_facilitator(project.id, session.id, str(member.id))
        again = await client.brainstorms.get(project.id, session.id)
        assert str(member.id) not in again.facilitators
