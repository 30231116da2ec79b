"""Joining from an invite link in a real browser: a name, and the guest is on the board.

The owner makes a link through REST; a fresh browser (nobody signed in) opens its URL, reads
where it leads, types a name and lands on the project's board, live, next to the owner. A link
that was revoked says so instead of offering a form.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect

from tests.browser.helpers import new_project, open_workspace, rest, rest_items
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext


class TestJoinAsGuest:
    async def test_a_guest_types_a_name_and_lands_on_the_board(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        server = locked_server
        olga = await api_user(server, name="Olga")
        project = await new_project(server, olga, "Saturday workshop")
        _, owner = await open_workspace(new_context, server, olga, project, at="ideate")
        # The owner makes the link in the team dialog and reads it from there.
        await owner.get_by_role("button", name="Team").click()
        dialog = owner.get_by_role("dialog")
        await dialog.get_by_label("At most this many people (optional)").fill("40")
        await dialog.get_by_role("button", name="Create invite link").click()
        shared = dialog.get_by_label("Invite link to share")
        await expect(shared).to_have_value(re.compile(r"/join#token=dti_"))
        url = await shared.input_value()
        await expect(dialog.get_by_role("list", name="Active invite links")).to_contain_text(
            "used 0 of 40 times"
        )
        await owner.screenshot(path=artifacts_dir / "team-dialog-invite.png")
        await dialog.get_by_role("button", name="Close").click()

        page = await (await new_context()).new_page()
        await page.goto(url)
        await expect(page.get_by_role("heading", name="Join Saturday workshop")).to_be_visible()
        await expect(page.get_by_text("write notes and vote")).to_be_visible()
        await page.screenshot(path=artifacts_dir / "join-page.png")
        await page.get_by_label("Your name").fill("Gina Guest")
        await page.get_by_role("button", name="Join", exact=True).click()

        await expect(page).to_have_url(re.compile(rf"#/projects/{project}/ideate$"))
        status = page.locator(".status")
        await expect(status).to_have_attribute("data-status", re.compile("saved|live"))
        await expect(owner.locator(".presence")).to_contain_text("Gina Guest")
        # a guest never meets a button that can only be refused
        await expect(page.get_by_role("button", name="Export")).to_be_hidden()
        await page.screenshot(path=artifacts_dir / "guest-on-the-board.png")
        team = await rest_items(server, olga, f"/v1/projects/{project}/members")
        assert [(m["name"], m["guest"]) for m in team] == [("Olga", False), ("Gina Guest", True)]

    async def test_a_revoked_link_says_so(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        server = locked_server
        olga = await api_user(server, name="Olga")
        project = await new_project(server, olga, "Closed door")
        link = await rest(server, olga, "POST", f"/v1/projects/{project}/invites", {})
        await rest(server, olga, "DELETE", f"/v1/projects/{project}/invites/{link['id']}")
        page = await (await new_context()).new_page()
        await page.goto(link["url"])
        await expect(page.get_by_role("alert")).to_contain_text("was revoked")
        await expect(page.get_by_label("Your name")).to_have_count(0)
