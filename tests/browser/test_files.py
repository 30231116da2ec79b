"""Files in the browser: a persona's photo, a prototype's files, an image note on the board.

Two people in two browsers: what one uploads through the page, the other sees appear live (the
picture really loads: its naturalWidth is not 0), and the REST API reads the same reference.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Locator, expect

from tests.browser.helpers import add_member, card, new_project, open_workspace, rest, rest_items
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.browser import ApiUser, ConsoleErrors, NewContext
from tests.support.files import PDF, png
from tests.support.timing import scaled

#: Uploading, storing and the live update: a few seconds at most on a slow runner.
LIVE_MS = scaled(5.0) * 1000


async def loaded(img: Locator) -> None:
    """The picture is shown and has really loaded (not a broken image)."""
    await expect(img).to_be_visible(timeout=LIVE_MS)
    handle = await img.element_handle()
    assert handle is not None
    page = img.page
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=handle, timeout=LIVE_MS
    )


async def team(
    server: RunningServer, api_user: ApiUser, name: str
) -> tuple[RegisteredUser, RegisteredUser, str]:
    ana = await api_user(server, name="Ana")
    bob = await api_user(server, name="Bob")
    project = await new_project(server, ana, name)
    await add_member(server, ana, project, bob, "member")
    return ana, bob, project


class TestFiles:
    async def test_an_avatar_uploaded_by_one_appears_for_the_other(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
        artifacts_dir: Path,
    ) -> None:
        """Ana uploads a photo on a persona card; Bob's card shows the picture; REST names it;
        removing it brings the initials back for both."""
        ana, bob, project = await team(locked_server, api_user, "Photos")
        persona = await rest(locked_server, ana, "POST", f"/v1/projects/{project}/personas",
                             {"name": "Maria Souza"})  # fmt: skip
        _, pa = await open_workspace(new_context, locked_server, ana, project, "empathize")
        _, pb = await open_workspace(new_context, locked_server, bob, project, "empathize")

        mine = card(pa, "Maria Souza")
        await expect(mine.get_by_role("button", name="Upload a photo")).to_be_enabled()
        await mine.get_by_label("Upload a photo").set_input_files(
            {"name": "maria.png", "mimeType": "image/png", "buffer": png(120, 90)}
        )
        theirs = card(pb, "Maria Souza")
        picture = theirs.locator(".avatar img")
        await loaded(picture)
        await expect(picture).to_have_attribute("src", re.compile(r"^/v1/files/[0-9a-f-]+/"))
        await expect(picture).to_have_attribute("alt", "Photo of Maria Souza")
        stored = await rest(locked_server, ana, "GET", f"/v1/personas/{persona['id']}")
        assert stored["avatarFileId"]
        await theirs.screenshot(path=artifacts_dir / "persona-photo.png")
        await expect(mine.locator(".avatar img")).to_have_attribute(
            "src", f"/v1/files/{stored['avatarFileId']}/thumbnail", timeout=LIVE_MS
        )

        await theirs.get_by_role("button", name="Remove photo").click()
        await expect(mine.locator(".avatar img")).to_have_count(0, timeout=LIVE_MS)
        await expect(mine.locator(".avatar")).to_have_text("MS")
        stored = await rest(locked_server, ana, "GET", f"/v1/personas/{persona['id']}")
        assert stored["avatarFileId"] is None
        assert console_errors.messages == []

    async def test_a_pdf_attached_to_a_prototype_is_listed_in_both(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
        artifacts_dir: Path,
    ) -> None:
        """Ana attaches a PDF; both lists show its name, size and an open link; a file the
        server refuses shows the server's reason; removing takes it out of fileIds."""
        ana, bob, project = await team(locked_server, api_user, "Prototype files")
        prototype = await rest(locked_server, ana, "POST", f"/v1/projects/{project}/prototypes",
                               {"title": "Paper kiosk"})  # fmt: skip
        _, pa = await open_workspace(new_context, locked_server, ana, project, "prototype")
        _, pb = await open_workspace(new_context, locked_server, bob, project, "prototype")

        mine = card(pa, "Paper kiosk")
        await mine.get_by_label("Attach a file").set_input_files(
            {"name": "interview-notes.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        for page in (pa, pb):
            row = card(page, "Paper kiosk").locator(".file-row")
            await expect(row).to_have_count(1, timeout=LIVE_MS)
            await expect(row.locator(".file-name")).to_have_text("interview-notes.pdf")
            await expect(row.locator(".file-size")).to_have_text(re.compile(r"\d+\s?byte|B"))
            link = row.get_by_role("link", name="Open interview-notes.pdf")
            await expect(link).to_have_attribute("href", re.compile(r"^/v1/files/.+/content$"))
        stored = await rest(locked_server, ana, "GET", f"/v1/prototypes/{prototype['id']}")
        assert len(stored["fileIds"]) == 1

        # HTML dressed as a PDF: the server sniffs it and says why, in the page's language
        await mine.get_by_label("Attach a file").set_input_files(
            {"name": "evil.pdf", "mimeType": "application/pdf", "buffer": b"<html>hi</html>"}
        )
        error = mine.locator(".upload-error")
        await expect(error).to_be_visible(timeout=LIVE_MS)
        await expect(error).to_contain_text("evil.pdf")
        # the browser logs every 4xx answer; this one was provoked on purpose
        assert console_errors.take(r"status of 415") != []
        await mine.screenshot(path=artifacts_dir / "prototype-files.png")

        await (
            card(pb, "Paper kiosk").get_by_role("button", name="Remove interview-notes.pdf").click()
        )
        await expect(mine.locator(".file-row")).to_have_count(0, timeout=LIVE_MS)
        stored = await rest(locked_server, ana, "GET", f"/v1/prototypes/{prototype['id']}")
        assert stored["fileIds"] == []

    async def test_a_picture_dropped_or_pasted_on_the_board_is_an_image_note_for_everyone(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """A PNG dropped on the board becomes an image note at the drop point, one pasted with
        Ctrl+V another; Bob sees both pictures load; REST reads imageFileId."""
        ana, bob, project = await team(locked_server, api_user, "Board pictures")
        _, pa = await open_workspace(new_context, locked_server, ana, project, "ideate")
        _, pb = await open_workspace(new_context, locked_server, bob, project, "ideate")

        transfer = await pa.evaluate_handle(
            """(bytes) => {
              const data = new DataTransfer()
              data.items.add(new File([new Uint8Array(bytes)], 'sketch.png', {type: 'image/png'}))
              return data
            }""",
            list(png(120, 90, "orange")),
        )
        board = pa.locator(".board")
        box = await board.bounding_box()
        assert box is not None
        at = {"clientX": box["x"] + 300, "clientY": box["y"] + 200}
        for event in ("dragenter", "dragover", "drop"):
            await board.dispatch_event(event, {"dataTransfer": transfer, **at})
        dropped = pb.get_by_role("group", name="Image note: sketch.png")
        await loaded(dropped.locator("img.sticky-image"))
        await expect(dropped.locator("img.sticky-image")).to_have_attribute("alt", "sketch.png")

        await board.click(position={"x": 40, "y": 40})
        await pa.evaluate(
            """(bytes) => {
              const data = new DataTransfer()
              data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', {type: 'image/png'}))
              document.activeElement.dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true}))
            }""",
            list(png(120, 90, "purple")),
        )
        await loaded(pb.get_by_role("group", name="Image note: pasted.png").locator("img"))

        await pb.screenshot(path=artifacts_dir / "image-notes.png")
        ideas = await rest_items(locked_server, ana, f"/v1/projects/{project}/ideas")
        by_text = {idea["text"]: idea for idea in ideas}
        assert set(by_text) == {"sketch.png", "pasted.png"}
        assert all(idea["imageFileId"] for idea in ideas)
        # dropped where the pointer was (centred on it), in board coordinates
        assert abs(by_text["sketch.png"]["x"] - (300 - 48 - 88)) < 60
