"""Exports on a real server and PostgreSQL: jobs, every format's content, access, expiry.

Each format is exported from a project written through REST with Portuguese text and a
formula-looking idea, downloaded, and read back (csv module, json, pypdf, python-pptx,
zipfile): the file must show the project as it was, and say which state (time and hash).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import zipfile
from typing import Any
from uuid import UUID

import pytest
from pptx import Presentation
from pypdf import PdfReader

from collab.export_csv import unprotect
from http_api.keys import DB, EXPORTS
from tests.support.api import RegisteredUser, audit_actions
from tests.support.projects import ApiClient, Reply, Team, make_team

pytestmark = pytest.mark.shared_server


@pytest.fixture
async def team(api: ApiClient) -> Team:
    return await make_team(api)


async def _fill(api: ApiClient, team: Team, project: UUID) -> dict[str, str]:
    owner = team["owner"]
    base = f"/v1/projects/{project}"
    persona = await api.call("POST", f"{base}/personas", owner, json={
        "name": "Ana Júlia Conceição", "role": "Coordenadora", "goals": ["Organizar reuniões"],
    })  # fmt: skip
    assert persona.status == 201, persona.body
    idea = await api.call("POST", f"{base}/ideas", owner, json={"text": "=1+1 ação coletiva"})
    assert idea.status == 201, idea.body
    return {"persona": persona.body["id"], "idea": idea.body["id"]}


async def export(api: ApiClient, user: RegisteredUser, project: UUID, **body: Any) -> Reply:
    return await api.call("POST", f"/v1/projects/{project}/export", user, json=body)


async def download(api: ApiClient, user: RegisteredUser, job: dict[str, Any]) -> bytes:
    """The export's file as bytes (checked against the job's size and digest)."""
    url = api.server.http_url + job["download_url"]
    async with api.http.get(url, headers=user.headers) as response:
        assert response.status == 200, await response.text()
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Content-Type"].startswith(job["media_type"])
        data = await response.read()
    assert len(data) == job["size"]
    assert hashlib.sha256(data).hexdigest() == job["sha256"]
    return data


async def finished(api: ApiClient, user: RegisteredUser, reply: Reply) -> dict[str, Any]:
    """The export of a start reply once it is done (polled as a client would, bounded)."""
    job: dict[str, Any] = reply.body
    assert reply.status in (201, 202), job
    seen = [job["progress"]]
    for _ in range(300):
        if job["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.1)  # a client polls: the API has no event to wait on
        job = (await api.call("GET", reply.headers["Location"], user)).body
        seen.append(job["progress"])
    assert job["status"] == "done", job
    assert seen == sorted(seen), "progress never goes back"
    return job


async def test_pdf_and_pptx_render_in_a_worker_and_show_the_state(
    api: ApiClient, team: Team
) -> None:
    await _fill(api, team, team.project)
    owner = team["owner"]
    pdf_job = await finished(api, owner, await export(api, owner, team.project, format="pdf"))
    assert pdf_job["media_type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(await download(api, owner, pdf_job)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Ana Júlia Conceição" in text
    assert "=1+1 ação coletiva" in text
    assert pdf_job["state_hash"] in text
    pptx_job = await finished(api, owner, await export(api, owner, team.project, format="pptx",
                                                        phases=["ideate"]))  # fmt: skip
    deck = Presentation(io.BytesIO(await download(api, owner, pptx_job)))
    shown = "\n".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "=1+1 ação coletiva" in shown
    assert "Ana Júlia Conceição" not in shown
    assert pptx_job["state_hash"] == pdf_job["state_hash"]


async def test_csv_export_answers_at_once_with_protected_cells(api: ApiClient, team: Team) -> None:
    ids = await _fill(api, team, team.project)
    reply = await export(api, team["owner"], team.project, format="csv")
    assert reply.status == 201, reply.body
    job = reply.body
    assert job["status"] == "done"
    assert job["progress"] == 1
    assert reply.headers["Location"] == f"/v1/projects/{team.project}/exports/{job['id']}"
    assert len(job["state_hash"]) == 12
    assert job["taken_at"] is not None
    assert job["file_name"].endswith(".csv.zip")
    data = await download(api, team["owner"], job)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        ideas = archive.read("ideas.csv")
        personas = archive.read("personas.csv").decode("utf-8-sig")
        assert "brainstorm-results.csv" in archive.namelist()
    assert ideas.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(ideas.decode("utf-8-sig"))))
    assert [row["id"] for row in rows] == [ids["idea"]]
    assert rows[0]["text"] == "'=1+1 ação coletiva"  # a formula never runs in a spreadsheet
    assert unprotect(rows[0]["text"]) == "=1+1 ação coletiva"
    assert "Ana Júlia Conceição" in personas
    event = await api.server.app[DB].fetchrow(
        "SELECT type, payload FROM outbox WHERE type = 'export.completed' "
        "AND payload->>'export_id' = $1",
        job["id"],
    )
    assert event is not None, "export.completed is written with the finished export"
    assert json.loads(event["payload"])["download_url"] == job["download_url"]
    actions = await audit_actions(api.server.app[DB], team["owner"].id)
    assert [a for a in actions if a.startswith("export.")] == [
        "export.requested",
        "export.downloaded",
    ]


async def test_json_export_is_the_document_with_its_state(api: ApiClient, team: Team) -> None:
    await _fill(api, team, team.project)
    document = await api.call("GET", f"/v1/projects/{team.project}/document", team["owner"])
    reply = await export(api, team["member"], team.project, format="json", phases=["empathize"])
    assert reply.status == 201, reply.body
    body = json.loads(await download(api, team["member"], reply.body))
    assert body["state_hash"] == reply.body["state_hash"]
    assert body["document"]["personas"] == document.body["personas"]
    assert set(body["document"]) == {"schemaVersion", "personas", "empathyMaps"}
    again = await export(api, team["member"], team.project, format="json")
    assert again.body["state_hash"] == reply.body["state_hash"]  # same content, same hash
    await api.call("POST", f"/v1/projects/{team.project}/ideas", team["owner"],
                   json={"text": "mais uma"})  # fmt: skip
    changed = await export(api, team["member"], team.project, format="json")
    assert changed.body["state_hash"] != reply.body["state_hash"]


async def test_status_and_listing(api: ApiClient, team: Team) -> None:
    first = (await export(api, team["owner"], team.project, format="csv")).body
    second = (await export(api, team["owner"], team.project, format="json")).body
    status = await api.call("GET", f"/v1/projects/{team.project}/exports/{first['id']}",
                            team["viewer"])  # fmt: skip
    assert status.status == 200
    assert status.body["status"] == "done"
    listing = await api.call("GET", f"/v1/projects/{team.project}/exports", team["owner"],
                             params={"limit": 1})  # fmt: skip
    assert [item["id"] for item in listing.body["items"]] == [second["id"]]
    rest = await api.call("GET", f"/v1/projects/{team.project}/exports", team["owner"],
                          params={"cursor": listing.body["next_cursor"]})  # fmt: skip
    assert [item["id"] for item in rest.body["items"]] == [first["id"]]


async def test_who_may_export(api: ApiClient, team: Team) -> None:
    assert (await export(api, team["viewer"], team.project, format="json")).status == 201
    stranger = await export(api, team["stranger"], team.project, format="json")
    assert stranger.status == 404  # a project one is not on does not exist
    done = (await export(api, team["owner"], team.project, format="json")).body
    peek = await api.call("GET", done["download_url"], team["stranger"])
    assert peek.status == 404
    project = await api.call("GET", f"/v1/projects/{team.project}", team["owner"])
    assert project.body["viewers_can_export"] is True
    closed = await api.call("PUT", f"/v1/projects/{team.project}", team["owner"], json={
        "name": project.body["name"], "description": "", "phase": project.body["phase"],
        "viewers_can_export": False,
    })  # fmt: skip
    assert closed.status == 200
    assert closed.body["viewers_can_export"] is False
    refused = await export(api, team["viewer"], team.project, format="json")
    assert refused.status == 403
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert (await api.call("GET", done["download_url"], team["viewer"])).status == 403
    assert (await export(api, team["member"], team.project, format="json")).status == 201


async def test_bad_requests_are_refused(api: ApiClient, team: Team) -> None:
    owner = team["owner"]
    for body in (
        {"format": "docx"},
        {"format": "pdf", "phases": []},
        {"format": "pdf", "phases": ["dream"]},
        {"format": "pdf", "extra": 1},
        {},
    ):
        reply = await api.call("POST", f"/v1/projects/{team.project}/export", owner, json=body)
        assert reply.status == 422, (body, reply.body)
    unknown_session = await export(api, owner, team.project, format="csv",
                                   session_id="00000000-0000-4000-8000-000000000000")  # fmt: skip
    assert unknown_session.status == 404
    missing = await api.call(
        "GET", f"/v1/projects/{team.project}/exports/00000000-0000-4000-8000-000000000000", owner
    )
    assert missing.status == 404


async def test_unfinished_exports_are_bounded(api: ApiClient, team: Team) -> None:
    db = api.server.app[DB]
    limit = api.server.app[EXPORTS].settings.export_max_unfinished
    await db.executemany(
        "INSERT INTO exports (id, project_id, format, language, expires_at) "
        "VALUES (gen_random_uuid(), $1, 'pdf', 'en', now() + interval '1 hour')",
        [(team.project,)] * limit,
    )
    refused = await export(api, team["owner"], team.project, format="json")
    assert refused.status == 429
    assert "Retry-After" in refused.headers
    # a node that stopped leaves them unfinished; the sweep fails them, and exports resume
    await db.execute("UPDATE exports SET heartbeat_at = now() - interval '1 hour'")
    await api.server.app[EXPORTS].sweep_once()
    failed = await db.fetch("SELECT status, error FROM exports WHERE project_id = $1",
                            team.project)  # fmt: skip
    assert {(row["status"], row["error"]) for row in failed} == {("failed", "node_stopped")}
    assert (await export(api, team["owner"], team.project, format="json")).status == 201


async def test_expired_exports_and_their_files_are_deleted(api: ApiClient, team: Team) -> None:
    job = (await export(api, team["owner"], team.project, format="csv")).body
    service = api.server.app[EXPORTS]
    key = f"{team.project}/exports/{job['id']}"
    assert await service.store.size(key) == job["size"]
    await api.server.app[DB].execute(
        "UPDATE exports SET expires_at = now() - interval '1 second' WHERE id = $1",
        UUID(job["id"]),
    )
    gone = await api.call("GET", f"/v1/projects/{team.project}/exports/{job['id']}",
                          team["owner"])  # fmt: skip
    assert gone.status == 404
    assert await service.sweep_once() >= 1
    assert await service.store.size(key) is None


async def test_print_view_is_the_report_as_a_page(api: ApiClient, team: Team) -> None:
    await _fill(api, team, team.project)
    base = f"/v1/projects/{team.project}/print"
    async with api.http.get(api.server.http_url + base, headers=team["viewer"].headers) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/html")
        assert "script-src" not in r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        page = await r.text()
    assert "Ana Júlia Conceição" in page
    assert "=1+1 ação coletiva" in page
    url = api.server.http_url + base + "?phases=ideate"
    async with api.http.get(url, headers=team["viewer"].headers) as r:
        ideate = await r.text()
    assert "=1+1 ação coletiva" in ideate
    assert "Ana Júlia Conceição" not in ideate
    fonts = [name for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if name in page]
    assert fonts, "the page names the shipped fonts"
    async with api.http.get(f"{api.server.http_url}/fonts/{fonts[0]}") as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "font/ttf"
    async with api.http.get(f"{api.server.http_url}/fonts/..%2Fexport_pdf.py") as r:
        assert r.status == 404
    stranger = await api.call("GET", base, team["stranger"])
    assert stranger.status == 404
