"""The files resource on a real server and PostgreSQL: local disk and S3 (moto's server).

Each attack of issue 17 is refused with its problem; the bytes are served only to members,
with headers that keep them from acting as a page of ours; blobs follow their rows (deleting
the last row of some content, or the project, deletes the blob); the sweeper deletes linked
files nothing refers to after the grace period and keeps files uploaded on their own.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import aiohttp
import pytest
from PIL import Image

from http_api.files_service import drain_once, sweep_once
from http_api.keys import DB, FILES, ROOMS
from persistence.blobs import blob_key
from tests.conftest import RunningServer, StartServer
from tests.support.api import RegisteredUser, audit_actions
from tests.support.files import PDF, gif, png
from tests.support.projects import ApiClient, Reply, Team, make_team
from tests.support.s3 import MotoS3, bucket_settings, moto_s3_fixture

pytestmark = pytest.mark.shared_server

moto_s3 = moto_s3_fixture()
MiB = 1024 * 1024


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(side: int = 20_000) -> bytes:
    """A PNG whose header says side x side pixels: a few hundred bytes, a bomb when decoded."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (side + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def gif_zip_polyglot() -> bytes:
    """A GIF that is also a ZIP archive (the archive appended after the image)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("evil.html", "<script>alert(document.cookie)</script>")
    return gif() + archive.getvalue()


async def upload(
    api: ApiClient,
    user: RegisteredUser,
    project: UUID,
    data: bytes,
    name: str = "photo.png",
    content_type: str = "image/png",
) -> Reply:
    """POST ``data`` to the project's files as multipart/form-data, part ``file``."""
    return await api.upload(f"/v1/projects/{project}/files", user, data, name, content_type)


async def get_bytes(
    api: ApiClient, user: RegisteredUser | None, path: str, **headers: str
) -> tuple[int, bytes, Any]:
    all_headers = {**(user.headers if user else {}), **headers}
    async with api.http.get(
        api.server.http_url + path, headers=all_headers, allow_redirects=False
    ) as r:
        return r.status, await r.read(), r.headers


@pytest.fixture
async def team(api: ApiClient) -> Team:
    return await make_team(api)


async def drained(server: RunningServer, project: UUID) -> None:
    """Every blob deletion queued for the project done (by this call or the server's own
    drainer, which a deletion wakes: an entry leaves the queue when its blob is gone)."""
    db = server.app[DB]
    async with asyncio.timeout(10):
        while True:
            await drain_once(db, server.app[FILES].store)
            left = await db.fetchval(
                "SELECT count(*) FROM blob_deletions WHERE project_id = $1", project
            )
            if left == 0:
                return
            await asyncio.sleep(0.02)


def incoming_is_empty(server: RunningServer) -> bool:
    return not any(server.app[FILES].incoming.iterdir())


class TestLifecycle:
    async def test_upload_describe_list_serve_and_delete(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        owner, member = team["owner"], team["member"]
        data = png(64, 48)
        reply = await upload(api, member, team.project, data, name="../../etc/Ana<b>.html")
        assert reply.status == 201, reply.body
        file = reply.body
        assert reply.headers["Location"] == f"/v1/files/{file['id']}"
        assert file["project_id"] == str(team.project)
        assert file["media_type"] == "image/png"
        assert file["name"].endswith(".png")
        assert "/" not in file["name"]
        assert (file["width"], file["height"]) == (64, 48)
        assert file["has_thumbnail"] is True
        assert file["created_by"] == str(member.id)
        assert file["content_url"] == f"/v1/files/{file['id']}/content"
        assert file["thumbnail_url"] == f"/v1/files/{file['id']}/thumbnail"

        described = await api.call("GET", f"/v1/files/{file['id']}", team["viewer"])
        assert described.status == 200
        assert described.body == file
        listed = await api.call("GET", f"/v1/projects/{team.project}/files", owner)
        assert listed.status == 200
        assert listed.body["items"][0] == file

        status, body, headers = await get_bytes(api, team["viewer"], file["content_url"])
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == file["sha256"]
        assert len(body) == file["size"]
        assert headers["Content-Type"] == "image/png"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in headers["Content-Security-Policy"]
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert headers["Content-Disposition"].startswith("inline;")
        assert headers["ETag"] == f'"{file["sha256"]}"'
        assert headers["Cache-Control"].startswith("private")
        status, body, _ = await get_bytes(
            api, owner, file["content_url"], **{"If-None-Match": headers["ETag"]}
        )
        assert (status, body) == (304, b"")

        status, thumb, headers = await get_bytes(api, owner, file["thumbnail_url"])
        assert status == 200
        assert headers["Content-Type"] == "image/webp"
        assert Image.open(io.BytesIO(thumb)).format == "WEBP"
        assert "sandbox" in headers["Content-Security-Policy"]
        status, body, _ = await get_bytes(
            api, owner, file["thumbnail_url"], **{"If-None-Match": headers["ETag"]}
        )
        assert status == 304

        store = server.app[FILES].store
        key = blob_key(team.project, file["sha256"])
        assert await store.size(key) == file["size"]
        deleted = await api.call("DELETE", f"/v1/files/{file['id']}", member)
        assert deleted.status == 204
        assert (await api.call("GET", f"/v1/files/{file['id']}", owner)).status == 404
        await drained(server, team.project)
        assert await store.size(key) is None
        assert await store.size(blob_key(team.project, file["sha256"], thumbnail=True)) is None
        actions = await audit_actions(server.app[DB], member.id)
        assert "file.uploaded" in actions
        assert "file.deleted" in actions

    async def test_a_pdf_is_an_attachment_without_thumbnail(
        self, api: ApiClient, team: Team
    ) -> None:
        reply = await upload(api, team["owner"], team.project, PDF, "notes.pdf", "text/html")
        assert reply.status == 201, reply.body
        file = reply.body
        assert file["media_type"] == "application/pdf"
        assert file["name"] == "notes.pdf"
        assert file["has_thumbnail"] is False
        assert file["thumbnail_url"] is None
        assert file["width"] is None
        status, body, headers = await get_bytes(api, team["owner"], file["content_url"])
        assert status == 200
        assert body == PDF
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in headers["Content-Security-Policy"]
        status, _, _ = await get_bytes(api, team["owner"], f"/v1/files/{file['id']}/thumbnail")
        assert status == 404

    async def test_the_list_is_paginated_newest_first(self, api: ApiClient, team: Team) -> None:
        project, _ = await team.fresh_projects(api)
        ids = []
        for color in ("red", "green", "blue"):
            reply = await upload(api, team["owner"], project, png(color=color))
            assert reply.status == 201
            ids.append(reply.body["id"])
        path = f"/v1/projects/{project}/files"
        first = await api.call("GET", path, team["viewer"], params={"limit": 2})
        assert [f["id"] for f in first.body["items"]] == ids[::-1][:2]
        second = await api.call(
            "GET", path, team["viewer"], params={"limit": 2, "cursor": first.body["next_cursor"]}
        )
        assert [f["id"] for f in second.body["items"]] == ids[:1]
        assert second.body["next_cursor"] is None

    async def test_the_same_content_shares_one_blob_until_its_last_row_goes(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        owner, data = team["owner"], png(color="orange")
        one = (await upload(api, owner, team.project, data)).body
        two = (await upload(api, owner, team.project, data, name="again.png")).body
        assert one["sha256"] == two["sha256"]
        assert one["id"] != two["id"]
        store, key = server.app[FILES].store, blob_key(team.project, one["sha256"])
        assert (await api.call("DELETE", f"/v1/files/{one['id']}", owner)).status == 204
        await drained(server, team.project)
        assert await store.size(key) == one["size"]
        status, body, _ = await get_bytes(api, owner, two["content_url"])
        assert status == 200
        assert len(body) == two["size"]
        assert (await api.call("DELETE", f"/v1/files/{two['id']}", owner)).status == 204
        await drained(server, team.project)
        assert await store.size(key) is None

    async def test_deleting_the_project_deletes_its_blobs(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        project, _ = await team.fresh_projects(api)
        keys = []
        for data in (png(color="black"), PDF):
            reply = await upload(api, team["owner"], project, data)
            assert reply.status == 201
            keys.append(blob_key(project, reply.body["sha256"]))
        store = server.app[FILES].store
        assert all([await store.size(key) for key in keys])
        assert (await api.call("DELETE", f"/v1/projects/{project}", team["owner"])).status == 204
        await drained(server, project)
        assert [await store.size(key) for key in keys] == [None, None]


class TestRefusals:
    async def test_html_named_png_is_refused(self, api: ApiClient, team: Team) -> None:
        html = b"<!doctype html><html><script>alert(1)</script></html>"
        reply = await upload(api, team["owner"], team.project, html, "cat.png", "image/png")
        assert reply.status == 415
        assert reply.body["type"].endswith("/unsupported-media-type")

    async def test_a_gif_zip_polyglot_is_stored_re_encoded(
        self, api: ApiClient, team: Team
    ) -> None:
        polyglot = gif_zip_polyglot()
        assert b"PK\x03\x04" in polyglot
        reply = await upload(api, team["owner"], team.project, polyglot, "x.gif", "image/gif")
        assert reply.status == 201, reply.body
        assert reply.body["media_type"] == "image/gif"
        status, body, _ = await get_bytes(api, team["owner"], reply.body["content_url"])
        assert status == 200
        assert body[:6] in (b"GIF87a", b"GIF89a")
        assert b"PK\x03\x04" not in body

    async def test_a_truncated_png_is_refused(self, api: ApiClient, team: Team) -> None:
        data = png(300, 300, "purple")
        reply = await upload(api, team["owner"], team.project, data[: len(data) // 2])
        assert reply.status == 415, reply.body

    async def test_a_decompression_bomb_is_refused(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        reply = await upload(api, team["owner"], team.project, huge_png())
        assert reply.status == 413, reply.body
        assert reply.body["type"].endswith("/payload-too-large")
        assert incoming_is_empty(server)

    async def test_one_byte_over_the_limit_is_refused_and_leaves_nothing(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        """10 MiB + 1 byte: refused from the Content-Length, and (sent chunked, with no
        length) while streaming; no temporary file stays behind either way."""
        data = b"%PDF-1.4\n" + b"\0" * (10 * MiB + 1 - 9)
        reply = await upload(api, team["owner"], team.project, data, "big.pdf")
        assert reply.status == 413, reply.body
        assert reply.body["type"].endswith("/payload-too-large")

        async def chunked() -> AsyncIterator[bytes]:
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
            for start in range(0, len(data), MiB):
                yield data[start : start + MiB]
            yield b"\r\n--b--\r\n"

        url = f"{server.http_url}/v1/projects/{team.project}/files"
        headers = {**team["owner"].headers, "Content-Type": "multipart/form-data; boundary=b"}
        async with api.http.post(url, data=chunked(), headers=headers) as response:
            assert response.status == 413
            assert "Content-Length" not in response.request_info.headers
        assert incoming_is_empty(server)

    async def test_exactly_the_limit_is_accepted(self, api: ApiClient, team: Team) -> None:
        project, _ = await team.fresh_projects(api)
        data = b"%PDF-1.4\n" + b"\0" * (10 * MiB - 9)
        reply = await upload(api, team["owner"], project, data, "limit.pdf")
        assert reply.status == 201, reply.body
        assert reply.body["size"] == 10 * MiB

    async def test_not_multipart_is_refused(self, api: ApiClient, team: Team) -> None:
        reply = await api.call(
            "POST", f"/v1/projects/{team.project}/files", team["owner"], json={"file": "x"}
        )
        assert reply.status == 415

    async def test_a_body_without_a_file_part_is_refused(self, api: ApiClient, team: Team) -> None:
        form = aiohttp.FormData()
        form.add_field("other", b"hello", filename="a.png")
        url = f"{api.server.http_url}/v1/projects/{team.project}/files"
        async with api.http.post(url, data=form, headers=team["owner"].headers) as r:
            assert r.status == 400

    async def test_a_malformed_multipart_body_is_a_bad_request(
        self, api: ApiClient, team: Team
    ) -> None:
        body = b'--b\r\nContent-Disposition: form-data; name="f\x04\x00"\r\n\r\nx\r\n--b--\r\n'
        url = f"{api.server.http_url}/v1/projects/{team.project}/files"
        headers = {**team["owner"].headers, "Content-Type": "multipart/form-data; boundary=b"}
        async with api.http.post(url, data=body, headers=headers) as response:
            assert response.status == 400

    async def test_viewers_cannot_upload_or_delete(self, api: ApiClient, team: Team) -> None:
        reply = await upload(api, team["viewer"], team.project, png())
        assert reply.status == 403
        file = (await upload(api, team["member"], team.project, png(color="gray"))).body
        reply = await api.call("DELETE", f"/v1/files/{file['id']}", team["viewer"])
        assert reply.status == 403

    async def test_a_file_of_another_project_is_like_a_missing_one(
        self, api: ApiClient, team: Team
    ) -> None:
        """The stranger owns another project: the team's file is a 404 on every route, with
        the same words as an id that never existed, and nothing names the team's project."""
        file = (await upload(api, team["member"], team.project, png(color="navy"))).body
        stranger, missing = team["stranger"], uuid4()
        for suffix in ("", "/content", "/thumbnail"):
            seen = await api.call("GET", f"/v1/files/{file['id']}{suffix}", stranger)
            never = await api.call("GET", f"/v1/files/{missing}{suffix}", stranger)
            assert seen.status == never.status == 404
            assert seen.body["detail"].replace(file["id"], "X") == never.body["detail"].replace(
                str(missing), "X"
            )
            assert str(team.project) not in str(seen.body)
        assert (await api.call("DELETE", f"/v1/files/{file['id']}", stranger)).status == 404
        reply = await upload(api, stranger, team.project, png())
        assert reply.status == 404
        listed = await api.call("GET", f"/v1/projects/{team.project}/files", stranger)
        assert listed.status == 404
        # the admin reaches every project
        assert (await api.call("GET", f"/v1/files/{file['id']}", team["admin"])).status == 200

    async def test_a_non_member_cannot_read_the_content(self, api: ApiClient, team: Team) -> None:
        file = (await upload(api, team["member"], team.project, png(color="olive"))).body
        status, body, _ = await get_bytes(api, team.outsider, file["content_url"])
        assert status == 200  # outsider is a viewer of the team's project
        status, body, _ = await get_bytes(api, team["stranger"], file["content_url"])
        assert status == 404
        assert b"PNG" not in body
        status, _, _ = await get_bytes(api, None, file["content_url"])
        assert status == 401


async def test_the_quota_is_refused_before_storing(start_server: StartServer) -> None:
    server = await start_server(files_quota_bytes=4000)
    async with ApiClient.open(server) as api:
        owner = await api.register("Quota")
        project = await api.create_project(owner, "Small")
        first = await upload(api, owner, project, PDF, "a.pdf")
        assert first.status == 201
        big = b"%PDF-1.4\n" + b"\0" * 5000
        reply = await upload(api, owner, project, big, "b.pdf")
        assert reply.status == 507, reply.body
        assert reply.body["type"].endswith("/quota-exceeded")
        sha = hashlib.sha256(big).hexdigest()
        assert await server.app[FILES].store.size(blob_key(project, sha)) is None
        listed = await api.call("GET", f"/v1/projects/{project}/files", owner)
        assert [f["id"] for f in listed.body["items"]] == [first.body["id"]]


async def test_s3_mode_redirects_to_a_signed_url(
    start_server: StartServer, moto_s3: MotoS3
) -> None:
    server = await start_server(**await bucket_settings(moto_s3), s3_url_ttl_s=30)
    async with ApiClient.open(server) as api:
        owner = await api.register("Bucket")
        stranger = await api.register("Outside")
        project = await api.create_project(owner, "In S3")
        data = png(80, 60, "maroon")
        file = (await upload(api, owner, project, data)).body
        assert file["media_type"] == "image/png"
        status, _, headers = await get_bytes(api, owner, file["content_url"])
        assert status == 302
        assert headers["Location"].startswith(moto_s3.url)
        assert "no-store" in headers["Cache-Control"]
        # the URL alone grants the bytes: no credentials of ours
        async with aiohttp.ClientSession() as anonymous, anonymous.get(headers["Location"]) as r:
            assert r.status == 200
            body = await r.read()
        assert hashlib.sha256(body).hexdigest() == file["sha256"]
        status, _, headers = await get_bytes(api, owner, file["thumbnail_url"])
        assert status == 302
        status, _, _ = await get_bytes(api, stranger, file["content_url"])
        assert status == 404

        store = server.app[FILES].store
        key = blob_key(project, file["sha256"])
        assert await store.size(key) == file["size"]
        assert (await api.call("DELETE", f"/v1/files/{file['id']}", owner)).status == 204
        await drained(server, project)
        assert await store.size(key) is None


class TestSweeper:
    async def test_an_unreferenced_linked_file_goes_and_a_standalone_one_stays(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        owner, db, rooms = team["owner"], server.app[DB], server.app[ROOMS]
        project, _ = await team.fresh_projects(api)
        avatar = (await upload(api, owner, project, png(color="yellow"))).body
        alone = (await upload(api, owner, project, PDF, "alone.pdf")).body
        persona = await api.call(
            "POST", f"/v1/projects/{project}/personas", owner,
            json={"name": "Ana", "avatarFileId": avatar["id"]},
        )  # fmt: skip
        assert persona.status == 201, persona.body
        # seen referenced once: linked; a long grace keeps it while unreferenced
        await sweep_once(db, rooms, grace_s=3600)
        reply = await api.call(
            "PUT", f"/v1/personas/{persona.body['id']}", owner, json={"avatarFileId": None}
        )
        assert reply.status == 200, reply.body
        assert await sweep_once(db, rooms, grace_s=3600) == 0
        assert (await api.call("GET", f"/v1/files/{avatar['id']}", owner)).status == 200
        # the grace period over (0 here): the linked file goes, the standalone one stays
        # (and so do other tests' linked files no longer referenced: the database is shared)
        swept = await sweep_once(db, rooms, grace_s=0)
        assert swept is not None
        assert swept >= 1
        assert (await api.call("GET", f"/v1/files/{avatar['id']}", owner)).status == 404
        assert (await api.call("GET", f"/v1/files/{alone['id']}", owner)).status == 200
        store = server.app[FILES].store
        await drained(server, project)
        assert await store.size(blob_key(project, avatar["sha256"])) is None

    async def test_a_reference_that_comes_back_in_time_keeps_the_file(
        self, api: ApiClient, server: RunningServer, team: Team
    ) -> None:
        owner, db, rooms = team["owner"], server.app[DB], server.app[ROOMS]
        project, _ = await team.fresh_projects(api)
        image = (await upload(api, owner, project, png(color="pink"))).body
        idea = await api.call(
            "POST", f"/v1/projects/{project}/ideas", owner,
            json={"text": "photo", "imageFileId": image["id"]},
        )  # fmt: skip
        assert idea.status == 201, idea.body
        await sweep_once(db, rooms, grace_s=3600)
        path = f"/v1/ideas/{idea.body['id']}"
        await api.call("PUT", path, owner, json={"imageFileId": None})
        await sweep_once(db, rooms, grace_s=3600)  # unreferenced since now
        await api.call("PUT", path, owner, json={"imageFileId": image["id"]})  # undo
        await sweep_once(db, rooms, grace_s=3600)  # referenced again: the mark is cleared
        assert await sweep_once(db, rooms, grace_s=0) == 0
        assert (await api.call("GET", f"/v1/files/{image['id']}", owner)).status == 200
