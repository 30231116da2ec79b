"""Archives on a real server: export -> import -> export keeps the content; bad ones create nothing.

The project is written through REST and live (a cluster, which only browsers write), with a
persona photo and a prototype file, so the archive carries references of every kind and real
files. The import goes through ``POST /v1/projects/import`` and through ``dttools import``.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import zipfile
from typing import Any
from uuid import UUID

import pytest
from pycrdt import Doc, Map

from collab.artifacts import KINDS
from collab.export_archive import CLUSTERS, DOCUMENT
from http_api.keys import DB, ROOMS, SETTINGS
from tests.http_api.v1.test_exports import download, export
from tests.support.api import RegisteredUser
from tests.support.exports import tiny_archive
from tests.support.files import PDF, png
from tests.support.projects import ApiClient, Reply

pytestmark = pytest.mark.shared_server


async def _written_project(api: ApiClient, owner: RegisteredUser) -> UUID:
    project = await api.create_project(owner, "Escola & Famílias", language="pt-BR")
    base = f"/v1/projects/{project}"

    async def post(segment: str, body: dict[str, Any]) -> str:
        reply = await api.call("POST", f"{base}/{segment}", owner, json=body)
        assert reply.status == 201, reply.body
        return str(reply.body["id"])

    persona = await post("personas", {"name": "Zoë Łukasiewicz", "goals": ["Ação", "Reunião"]})
    await post("empathy-maps", {"personaId": persona, "says": ["“Não sei”"]})
    pov = await post("pov-statements", {"user": "Mães", "need": "saber o que acontece"})
    await post("hmw-questions", {"question": "Como poderíamos avisar?", "povId": pov})
    ideas = [await post("ideas", {"text": f"ideia nº {n}"}) for n in range(3)]
    prototype = await post("prototypes", {"title": "Painel", "linkedIdeaIds": ideas[:2]})
    test = await post("tests", {"title": "Teste", "prototypeId": prototype})
    await post("test-results", {"testId": test, "outcome": "partial", "rating": 4})
    photo = await api.upload(f"/v1/personas/{persona}/avatar", owner, png(64, 64, "salmon"))
    assert photo.status == 201, photo.body
    spec = await api.upload(f"/v1/prototypes/{prototype}/files", owner, PDF, "spec.pdf",
                            "application/pdf")  # fmt: skip
    assert spec.status == 201, spec.body

    def cluster(doc: Doc[Any]) -> None:
        doc.get("clusters", type=Map)["cl-1"] = Map({"id": "cl-1", "name": "Comunicação"})
        idea = doc.get("ideas", type=Map)[ideas[0]]
        assert isinstance(idea, Map)
        idea["clusterId"] = "cl-1"

    await api.server.app[ROOMS].transact(str(project), cluster)
    return project


def canonical(document: dict[str, Any], clusters: dict[str, Any]) -> dict[str, Any]:
    """The content without ids and authorship: ids become positions, references follow."""
    names = {"clusters": {key: f"clusters#{n}" for n, key in enumerate(sorted(clusters))}}
    for kind in KINDS.values():
        items = document.get(kind.collection, [])
        names[kind.collection] = {
            item["id"]: f"{kind.collection}#{n}" for n, item in enumerate(items)
        }
    files: dict[str, str] = {}

    def rename(collection: str, field: str, value: Any) -> Any:
        target = next((r.target for r in KINDS[collection].references if r.field == field), None)
        if field == "clusterId":
            target = "clusters"
        if field in ("avatarFileId", "imageFileId", "fileIds"):
            values = value if isinstance(value, list) else [value]
            renamed = [None if v is None else files.setdefault(v, f"file#{len(files)}")
                       for v in values]  # fmt: skip
            return renamed if isinstance(value, list) else renamed[0]
        if target is None or value is None:
            return value
        if isinstance(value, list):
            return [names[target][v] for v in value]
        return names[target][value]

    return {
        kind.collection: [
            {
                field: rename(kind.collection, field, value)
                for field, value in item.items()
                if field not in ("id", "createdBy", "authorId")
            }
            for item in document.get(kind.collection, [])
        ]
        for kind in KINDS.values()
    } | {"clusters": sorted(c["name"] for c in clusters.values())}


def _entries(data: bytes) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read(DOCUMENT))
        clusters = json.loads(archive.read(CLUSTERS))
        names = sorted(archive.namelist())
    return document, clusters, names


async def _import(api: ApiClient, user: RegisteredUser, data: bytes) -> Reply:
    return await api.upload("/v1/projects/import", user, data, "project.dttools.zip",
                            "application/zip")  # fmt: skip


async def _projects_of(api: ApiClient, user: RegisteredUser) -> int:
    count: int = await api.server.app[DB].fetchval(
        "SELECT count(*) FROM project_members WHERE user_id = $1", user.id
    )
    return count


async def test_export_import_export_keeps_the_content(api: ApiClient) -> None:
    owner = await api.register("Ana")
    project = await _written_project(api, owner)
    first = await export(api, owner, project, format="archive")
    assert first.status == 201, first.body
    data = await download(api, owner, first.body)
    document, clusters, names = _entries(data)
    assert {"manifest.json", "document.json", "clusters.json", "ydoc.bin", "files.json",
            "brainstorms.json"} <= set(names)  # fmt: skip
    assert sum(name.startswith("files/") for name in names) == 2

    newcomer = await api.register("Bruno")
    imported = await _import(api, newcomer, data)
    assert imported.status == 201, imported.body
    copy = UUID(imported.body["project"]["id"])
    assert imported.headers["Location"] == f"/v1/projects/{copy}"
    assert imported.body["project"]["name"] == "Escola & Famílias"
    assert imported.body["project"]["language"] == "pt-BR"
    assert imported.body["files"] == 2
    assert imported.body["artifacts"] == 10
    again = await export(api, newcomer, copy, format="archive")
    document2, clusters2, _ = _entries(await download(api, newcomer, again.body))
    assert canonical(document2, clusters2) == canonical(document, clusters)
    # fresh ids: nothing of the original's ids is left in the copy
    old_ids = {item["id"] for kind in KINDS.values() for item in document[kind.collection]}
    new_ids = {item["id"] for kind in KINDS.values() for item in document2[kind.collection]}
    assert old_ids.isdisjoint(new_ids)
    # the copied files are the newcomer's project's, and serve the same bytes
    persona = document2["personas"][0]
    photo = await api.call("GET", f"/v1/files/{persona['avatarFileId']}", newcomer)
    assert photo.status == 200
    assert photo.body["project_id"] == str(copy)
    assert (await api.call("GET", f"/v1/files/{persona['avatarFileId']}", owner)).status == 404


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not a zip at all", "invalid-archive"),
        (tiny_archive({"schemaVersion": 1, "ideas": [{"id": "i1", "text": "x" * 6000}]}),
         "invalid-archive"),
        (tiny_archive({"schemaVersion": 1, "ideas": [{"id": "i1", "text": "a",
                                                        "color": "url(x)"}]}),
         "invalid-archive"),
        (tiny_archive({"schemaVersion": 1}, clusters={"c1": {"id": "c1", "name": ""}}),
         "invalid-archive"),
    ],
    ids=["not-a-zip", "idea-too-long", "bad-colour", "unnamed-cluster"],
)  # fmt: skip
async def test_bad_archives_create_nothing(api: ApiClient, data: bytes, problem: str) -> None:
    user = await api.register("Carla")
    before = await _projects_of(api, user)
    refused = await _import(api, user, data)
    assert refused.status == 422, refused.body
    assert refused.body["type"].endswith(problem)
    assert await _projects_of(api, user) == before


async def test_import_command(api: ApiClient) -> None:
    owner = await api.register("Dora")
    project = await _written_project(api, owner)
    job = await export(api, owner, project, format="archive")
    data = await download(api, owner, job.body)
    settings = api.server.app[SETTINGS]
    path = settings.data_dir / "incoming-test.dttools.zip"
    path.write_bytes(data)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": settings.database_url or "",
            "DTTOOLS_DATA_DIR": str(settings.data_dir),
        }
        return subprocess.run(
            [sys.executable, "-m", "http_api.cli", "import", *args, "--log-format", "json",
             "--port", "0"],
            capture_output=True, text=True, check=False, env=env, timeout=120,
        )  # fmt: skip

    done = await asyncio.to_thread(run, str(path), "--owner", owner.email)
    assert done.returncode == 0, done.stderr
    copy = UUID(done.stdout.strip().splitlines()[-1])
    document = await api.call("GET", f"/v1/projects/{copy}/document", owner)
    assert document.status == 200
    assert [p["name"] for p in document.body["personas"]] == ["Zoë Łukasiewicz"]
    missing = await asyncio.to_thread(run, str(path), "--owner", "nobody@example.com")
    assert missing.returncode == 1
    assert "import_no_such_account" in missing.stderr
