"""The convenience routes that upload a file and link it in the live document at once.

``POST /v1/personas/{id}/avatar`` sets the persona's ``avatarFileId``; ``POST
/v1/prototypes/{id}/files`` appends to the prototype's ``fileIds``. Each is read back with a GET
of the artifact (the same live document), and refused to viewers and to outsiders (404).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.support.api import RegisteredUser
from tests.support.files import PDF, png
from tests.support.projects import ApiClient, Reply

pytestmark = pytest.mark.shared_server


async def upload(
    api: ApiClient,
    user: RegisteredUser,
    path: str,
    data: bytes,
    name: str = "photo.png",
    content_type: str = "image/png",
) -> Reply:
    """POST ``data`` as multipart/form-data, part ``file``."""
    return await api.upload(path, user, data, name, content_type)


async def create(api: ApiClient, user: RegisteredUser, project: UUID, segment: str,
                 body: dict[str, Any]) -> str:  # fmt: skip
    reply = await api.call("POST", f"/v1/projects/{project}/{segment}", user, json=body)
    assert reply.status == 201, reply.body
    item_id: str = reply.body["id"]
    return item_id


async def read(api: ApiClient, user: RegisteredUser, path: str) -> dict[str, Any]:
    reply = await api.call("GET", path, user)
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


@pytest.fixture
async def project(api: ApiClient, alice: RegisteredUser) -> UUID:
    return await api.create_project(alice, "Clinic photos")


class TestAvatar:
    async def test_the_upload_becomes_the_personas_photo(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """201 with the file resource; the persona now names the file in avatarFileId, and
        its avatar link is left alone."""
        persona = await create(api, alice, project, "personas",
                               {"name": "Ana", "avatar": "https://example.com/a.png"})  # fmt: skip
        reply = await upload(api, alice, f"/v1/personas/{persona}/avatar", png())
        assert reply.status == 201, reply.body
        file_id = reply.body["id"]
        assert reply.body["media_type"] == "image/png"
        assert (reply.body["width"], reply.body["height"]) == (40, 30)
        assert reply.headers["Location"] == f"/v1/files/{file_id}"
        item = await read(api, alice, f"/v1/personas/{persona}")
        assert item["avatarFileId"] == file_id
        assert item["avatar"] == "https://example.com/a.png"
        described = await read(api, alice, f"/v1/files/{file_id}")
        assert described["id"] == file_id

        again = await upload(api, alice, f"/v1/personas/{persona}/avatar", png(color="red"))
        assert again.status == 201, again.body
        assert (await read(api, alice, f"/v1/personas/{persona}"))["avatarFileId"] == again.body[
            "id"
        ]

    async def test_a_member_may_a_viewer_may_not(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """Writers upload; a viewer gets 403 and the persona keeps no photo."""
        member, viewer = await api.register("Bea"), await api.register("Vic")
        await api.add_member(alice, project, member, "member")
        await api.add_member(alice, project, viewer, "viewer")
        persona = await create(api, alice, project, "personas", {"name": "Ana"})
        refused = await upload(api, viewer, f"/v1/personas/{persona}/avatar", png())
        assert refused.status == 403, refused.body
        assert (await read(api, alice, f"/v1/personas/{persona}"))["avatarFileId"] is None
        allowed = await upload(api, member, f"/v1/personas/{persona}/avatar", png())
        assert allowed.status == 201, allowed.body

    async def test_another_projects_persona_is_not_found(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A persona of a project the caller is not in is 404, exactly like a missing one."""
        stranger = await api.register("Sam")
        theirs = await api.create_project(stranger, "Not yours")
        persona = await create(api, stranger, theirs, "personas", {"name": "Zoe"})
        for path in (f"/v1/personas/{persona}/avatar", "/v1/personas/no-such-persona/avatar"):
            reply = await upload(api, alice, path, png())
            assert reply.status == 404, reply.body
        assert (await read(api, stranger, f"/v1/personas/{persona}"))["avatarFileId"] is None

    async def test_a_file_that_is_not_a_picture_is_refused_and_not_linked(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """HTML named .png is refused by content (415, problem+json); nothing is linked."""
        persona = await create(api, alice, project, "personas", {"name": "Ana"})
        html = b"<!doctype html><script>alert(1)</script>"
        reply = await upload(api, alice, f"/v1/personas/{persona}/avatar", html, "x.png")
        assert reply.status == 415, reply.body
        assert reply.body["detail"]
        assert (await read(api, alice, f"/v1/personas/{persona}"))["avatarFileId"] is None

    async def test_a_pdf_is_no_photo(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A PDF passes the file checks but is not a picture: 415 here, nothing linked, and
        nothing left among the project's files (nothing would ever refer to it)."""
        persona = await create(api, alice, project, "personas", {"name": "Ana"})
        path = f"/v1/personas/{persona}/avatar"
        reply = await upload(api, alice, path, PDF, "ana.pdf", "application/pdf")
        assert reply.status == 415, reply.body
        assert (await read(api, alice, f"/v1/personas/{persona}"))["avatarFileId"] is None
        assert (await read(api, alice, f"/v1/projects/{project}/files"))["items"] == []


class TestPrototypeFiles:
    async def test_each_upload_is_appended(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A PDF then a picture: fileIds lists both, in order; the other fields stay."""
        body = {"title": "Paper kiosk", "links": ["https://example.com"]}
        prototype = await create(api, alice, project, "prototypes", body)
        path = f"/v1/prototypes/{prototype}/files"
        pdf = await upload(api, alice, path, PDF, "notes.pdf", "application/pdf")
        assert pdf.status == 201, pdf.body
        assert pdf.body["media_type"] == "application/pdf"
        picture = await upload(api, alice, path, png())
        assert picture.status == 201, picture.body
        item = await read(api, alice, f"/v1/prototypes/{prototype}")
        assert item["fileIds"] == [pdf.body["id"], picture.body["id"]]
        assert item["links"] == ["https://example.com"]

    async def test_refused_to_viewers_and_outsiders(
        self, api: ApiClient, alice: RegisteredUser, project: UUID
    ) -> None:
        """A viewer gets 403, someone outside the project 404; the list stays empty."""
        viewer, stranger = await api.register("Vic"), await api.register("Sam")
        await api.add_member(alice, project, viewer, "viewer")
        prototype = await create(api, alice, project, "prototypes", {"title": "Kiosk"})
        path = f"/v1/prototypes/{prototype}/files"
        assert (await upload(api, viewer, path, PDF, "a.pdf", "application/pdf")).status == 403
        assert (await upload(api, stranger, path, PDF, "a.pdf", "application/pdf")).status == 404
        assert (await read(api, alice, f"/v1/prototypes/{prototype}"))["fileIds"] == []
