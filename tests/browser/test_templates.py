"""Starting from a template in a real browser: the example for someone with no project yet,
and a method picked in the new-project form."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect

from tests.browser.helpers import card, note
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext, signed_in_page


class TestTemplates:
    async def test_someone_with_no_project_opens_the_example(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        nia = await api_user(locked_server, name="Nia")
        page = await signed_in_page(await new_context(), locked_server, nia, path="/#/projects")
        example = page.get_by_role("button", name="Open an example project to look around")
        await expect(example).to_be_visible()
        await page.screenshot(path=artifacts_dir / "no-projects-yet.png")
        await example.click()
        await expect(page).to_have_url(re.compile(r"#/projects/[0-9a-f-]+/empathize$"))
        await expect(card(page, "Ana")).to_be_visible()
        await page.screenshot(path=artifacts_dir / "example-project.png")

    async def test_a_method_picked_in_the_form_fills_the_board(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        fay = await api_user(locked_server, name="Fay")
        page = await signed_in_page(await new_context(), locked_server, fay, path="/#/projects")
        await page.get_by_label("Project name").fill("Friday ideas")
        picker = page.get_by_label("Start from")
        await expect(picker.locator("option", has_text="Crazy 8s")).to_have_count(1)
        await picker.select_option(label="Crazy 8s")
        await expect(page.get_by_text("Eight ideas in eight minutes")).to_be_visible()
        await page.get_by_role("button", name="Create project").click()
        await expect(page).to_have_url(re.compile(r"#/projects/[0-9a-f-]+/ideate$"))
        await expect(note(page, "Sketch 8")).to_be_visible()
        await page.screenshot(path=artifacts_dir / "crazy-8s-board.png")

        # Kept as a template of Fay's own, it is offered in the form from then on.
        await page.goto(f"{locked_server.http_url}/#/projects")
        await page.get_by_role("button", name="Save Friday ideas as a template").click()
        await expect(picker.locator("option", has_text="Friday ideas")).to_have_count(1)
        await page.reload()
        await expect(picker.locator("option", has_text="Friday ideas")).to_have_count(1)
