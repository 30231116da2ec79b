"""Presence at workshop size: the strip shows a few avatars and "+N", the panel lists everyone
under the phase they are on, and people who joined after the page opened get their names."""

from __future__ import annotations

import contextlib
from pathlib import Path

from playwright.async_api import expect

from tests.browser.helpers import add_member, new_project, note, open_workspace
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext
from tests.support.yclient import YClient


class TestCrowd:
    async def test_a_crowd_fits_the_bar_and_is_listed_by_phase(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        server = locked_server
        fay = await api_user(server, name="Fay")
        project = await new_project(server, fay, "A crowd")
        crowd = [await api_user(server, name=f"Person {n:02d}") for n in range(14)]
        for person in crowd:
            await add_member(server, fay, project, person, "member")
        _, page = await open_workspace(new_context, server, fay, project, at="ideate")
        async with contextlib.AsyncExitStack() as stack:
            for n, person in enumerate(crowd):
                assert person.access_token is not None
                client = await stack.enter_async_context(
                    await YClient.connect(
                        server.ws_url, f"{project}?token={person.access_token}", ext=False
                    )
                )
                await client.wait_synced()
                where = "ideate" if n < 10 else "define"
                user = {"id": str(person.id), "name": person.name, "color": "#336699"}
                await client.set_awareness({"user": user, "phase": where})

            more = page.get_by_role("button", name="Show all 15 people, by phase")
            await expect(more).to_have_text("+7")
            visible = page.locator(".presence .person:visible")
            await expect(visible).to_have_count(8)
            await more.click()
            panel = page.locator(".presence-all")
            await expect(panel.get_by_role("heading", name="Ideate (11)")).to_be_visible()
            await expect(panel.get_by_role("heading", name="Define (4)")).to_be_visible()
            await expect(panel).to_contain_text("Fay (you)")
            await page.screenshot(path=artifacts_dir / "a-crowd.png")
            await page.keyboard.press("Escape")
            await expect(panel).to_be_hidden()


class TestNewMembers:
    async def test_a_member_added_after_the_page_opened_gets_their_name_on_notes(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """The owner's board was opened before Ben joined the team: Ben's note still shows
        his name (from his presence), without a reload."""
        server = locked_server
        ana = await api_user(server, name="Ana")
        ben = await api_user(server, name="Ben Participant")
        project = await new_project(server, ana, "Late joiner")
        _, owner = await open_workspace(new_context, server, ana, project, at="ideate")
        await add_member(server, ana, project, ben, "member")
        _, page = await open_workspace(new_context, server, ben, project, at="ideate")
        await page.get_by_label("New idea", exact=True).fill("Ben's idea")
        await page.get_by_role("button", name="Add idea").click()
        await expect(note(owner, "Ben's idea").locator(".by")).to_have_text("Ben Participant")


class TestCursors:
    async def test_a_screen_hides_the_others_cursors_and_remembers_it(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        server = locked_server
        ana = await api_user(server, name="Ana")
        bob = await api_user(server, name="Bob")
        project = await new_project(server, ana, "Cursors")
        await add_member(server, ana, project, bob, "member")
        _, pa = await open_workspace(new_context, server, ana, project, at="ideate")
        _, pb = await open_workspace(new_context, server, bob, project, at="ideate")
        board = pb.locator(".board")
        box = await board.bounding_box()
        assert box is not None

        async def wiggle() -> None:
            await pb.mouse.move(box["x"] + 100, box["y"] + 100)
            await pb.mouse.move(box["x"] + 160, box["y"] + 140, steps=4)

        await wiggle()
        bobs = pa.locator(".cursor", has_text="Bob")
        await expect(bobs).to_be_visible()
        await pa.get_by_role("button", name="Hide cursors").click()
        await expect(bobs).to_have_count(0)
        await wiggle()
        await expect(pa.get_by_role("button", name="Show cursors")).to_have_attribute(
            "aria-pressed", "true"
        )
        await expect(bobs).to_have_count(0)
        await pa.reload()
        await expect(pa.get_by_role("button", name="Show cursors")).to_be_visible()
        await pa.get_by_role("button", name="Show cursors").click()
        await wiggle()
        await expect(bobs).to_be_visible()
