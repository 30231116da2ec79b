"""A person's own data export: everything about them, nothing about anyone else."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from uuid import UUID

from http_api.keys import PERSONAL_EXPORTS
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, create_api_key
from tests.support.files import png
from tests.support.projects import ApiClient


async def _finished(server: RunningServer, api: ApiClient, user: RegisteredUser) -> dict[str, Any]:
    reply = await api.call("POST", "/v1/auth/me/export", user)
    assert reply.status in (201, 202), reply.body
    assert reply.headers["Location"] == f"/v1/auth/me/export/{reply.body['id']}"
    export: dict[str, Any] = reply.body
    while export["status"] not in ("done", "failed"):
        await server.app[PERSONAL_EXPORTS].wait(UUID(export["id"]), 5.0)
        export = (await api.call("GET", reply.headers["Location"], user)).body
    assert export["status"] == "done", export
    assert export["progress"] == 1
    return export


async def test_the_zip_holds_what_is_mine_and_nothing_of_others(
    server: RunningServer, api: ApiClient, alice: RegisteredUser
) -> None:
    bob = await api.register("Bob")
    project = await api.create_project(alice, "shared")
    await api.add_member(alice, project, bob, "member")
    ideas = f"/v1/projects/{project}/ideas"
    assert (await api.call("POST", ideas, alice, json={"text": "alice idea"})).status == 201
    assert (await api.call("POST", ideas, bob, json={"text": "bob idea"})).status == 201
    image = png()
    uploaded = await api.upload(f"/v1/projects/{project}/files", alice, image)
    assert uploaded.status == 201
    await create_api_key(api.http, server.http_url, alice)

    export = await _finished(server, api, alice)
    async with api.http.get(
        server.http_url + export["download_url"], headers=alice.headers
    ) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/zip"
        data = await response.read()
    archive = zipfile.ZipFile(io.BytesIO(data))
    about = json.loads(archive.read("about-me.json"))
    assert about["account"]["email"] == alice.email
    assert "password_hash" not in json.dumps(about)
    assert [m["project_id"] for m in about["memberships"]] == [str(project)]
    assert about["api_keys"]
    assert all("key_hash" not in key for key in about["api_keys"])
    assert about["sessions"]
    assert about["files"][0]["id"] == uploaded.body["id"]
    authored = json.loads(archive.read(f"projects/{project}.json"))
    assert [idea["text"] for idea in authored["ideas"]] == ["alice idea"]
    assert bob.email not in data.decode("latin-1")
    stored = f"files/{project}/{uploaded.body['id']}-{uploaded.body['name']}"
    assert archive.read(stored) == image

    # Someone else's export is not found, whatever the route.
    for path in (f"/v1/auth/me/export/{export['id']}", export["download_url"]):
        assert (await api.call("GET", path, bob)).status == 404


async def test_one_export_at_a_time(
    server: RunningServer, api: ApiClient, alice: RegisteredUser
) -> None:
    """Asking again while one is being made answers that one (no pile of jobs)."""
    first = await api.call("POST", "/v1/auth/me/export", alice)
    second = await api.call("POST", "/v1/auth/me/export", alice)
    if first.body["status"] in ("pending", "running"):
        assert second.body["id"] == first.body["id"]
    await _finished(server, api, alice)
