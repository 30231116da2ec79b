"""Collaborative text with real npm `yjs` clients: typing merges, and version 1 projects upgrade.

Two stock `y-websocket` clients (tests/interop/typist.mjs) type into the same persona bio at
the same moment, each before seeing the other's letters; a project stored in schema version 1,
with every kind of artifact, is upgraded once when its room opens, and REST reads the same
strings before and after.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp
from pycrdt import Doc, Map, Text

from collab.artifacts import FILE_FIELDS, KINDS, TEXT_FIELDS
from collab.import_document import write_import
from collab.schema import export_document, validate_document
from http_api.keys import DB, ROOMS, UPDATE_LOG
from tests.conftest import RunningServer
from tests.interop.conftest import HERE
from tests.interop.node_script import NodeScript
from tests.support.api import create_project, register
from tests.support.exports import realistic_source
from tests.support.yclient import YClient

TYPIST = HERE / "typist.mjs"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def test_two_npm_clients_typing_in_one_bio_at_once_keep_both_words(
    node: str, locked_server: RunningServer
) -> None:
    """Each types a word key by key, one at the start and one at the end, before either sees
    the other's: both end with the same text holding both words, and REST reads it."""
    server = locked_server
    async with aiohttp.ClientSession() as http:
        owner = await register(http, server)
        project = await create_project(server.http_url, owner, "Co-writing")
        async with http.post(
            f"{server.http_url}/v1/projects/{project}/personas",
            json={"name": "Ana", "bio": "works nights"},
            headers=owner.headers,
        ) as response:
            persona = (await response.json())["id"]
        assert owner.access_token is not None
        common = ["--url", server.ws_url, "--room", str(project), "--token", owner.access_token,
                  "--root", "personas", "--id", persona, "--field", "bio",
                  "--expect", "Tired nurse, ", "--expect", " in the ER."]  # fmt: skip
        first = await NodeScript.start(
            node, TYPIST, *common, "--word", "Tired nurse, ", "--at", "start"
        )
        second = await NodeScript.start(
            node, TYPIST, *common, "--word", " in the ER.", "--at", "end"
        )
        first.tell("GO")
        second.tell("GO")
        reports = await asyncio.gather(first.report(), second.report())
        async with http.get(
            f"{server.http_url}/v1/personas/{persona}", headers=owner.headers
        ) as response:
            stored = (await response.json())["bio"]
    expected = "Tired nurse, works nights in the ER."
    for report in reports:
        assert report["returncode"] == 0, report
        assert report["text"] == expected
        assert report["updates"] > 1  # typed key by key, not set at once
    assert stored == expected


def _version_1_document() -> tuple[Doc[Any], dict[str, Any]]:
    """A project as a schema 1 server stored it: every kind of artifact, free text as plain
    strings, ``meta.schemaVersion = 1``; and its JSON as REST reads it."""
    document = dict(realistic_source(ideas=20, language="en").document)
    for collection, file_fields in FILE_FIELDS.items():  # files are not this test's subject
        document[collection] = [
            item | {name: [] if name == "fileIds" else None for name in file_fields}
            for item in document[collection]
        ]
    doc: Doc[Any] = Doc()
    write_import(doc, document, {}, now=NOW)
    with doc.transaction():
        for collection, names in TEXT_FIELDS.items():
            for entry in doc.get(collection, type=Map).values():
                for name in names:
                    if isinstance(entry.get(name), Text):
                        entry[name] = str(entry[name])
        doc.get("meta", type=Map)["schemaVersion"] = 1
    return doc, export_document(doc)


async def test_a_version_1_project_is_upgraded_once_when_its_room_opens(
    locked_server: RunningServer,
) -> None:
    """The stored project holds every kind with plain strings. The first live client finds
    every text field a Y.Text and version 2, the log gained one update, REST reads what it
    read before, and a second open writes nothing more."""
    server = locked_server
    old, expected = _version_1_document()
    assert {kind for kind in KINDS if expected[kind]} == set(KINDS)  # every kind is there
    async with aiohttp.ClientSession() as http:
        owner = await register(http, server)
        project = str(await create_project(server.http_url, owner, "From version 1"))
        manager = server.app[ROOMS]
        assert project not in manager.rooms
        await server.app[UPDATE_LOG].append([project], [old.get_update()])
        db = server.app[DB]
        count = "SELECT count(*) FROM room_updates WHERE room = $1"
        assert await db.fetchval(count, project) == 1
        async with await YClient.connect(server.ws_url, project, token=owner.access_token) as live:
            await live.wait_synced()
            await live.wait_for(lambda: live.doc.get("meta", type=Map).get("schemaVersion") == 2)
            for collection, names in TEXT_FIELDS.items():
                for entry in live.doc.get(collection, type=Map).values():
                    for name in names:
                        assert isinstance(entry[name], Text), (collection, name)
            assert validate_document(live.doc) == []
            await live.wait_durable()
        async with http.get(
            f"{server.http_url}/v1/projects/{project}/document", headers=owner.headers
        ) as response:
            document = await response.json()
        assert await db.fetchval(count, project) == 2  # the one upgrade update
    assert document == expected | {"schemaVersion": 2}
    room = manager.rooms[project]
    assert not room.upgrade_schema()  # already version 2: nothing to write
