"""The History dialog in a real browser: restore points, their preview, a restore and its undo.

An owner and a member, each in a browser of their own, on a real server (docs/history.md,
docs/ui.md "History"). The owner names a point, then changes the board; the preview of the
point shows what was deleted and changed since (worked out in the page against the live
document); a restore, confirmed first, reaches the member's board live, and Undo takes it back.
Members see history and name points but are not offered a restore; viewers only look.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import add_member, ideate, new_project, note, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext


async def add_idea(page: Page, text: str) -> None:
    await page.get_by_label("New idea", exact=True).fill(text)
    await page.get_by_role("button", name="Add idea").click()
    await expect(note(page, text)).to_be_visible()


def history(page: Page, project: str = "Clinic") -> Locator:
    return page.get_by_role("dialog", name=f"History of {project}")


def point(dialog: Locator, kind: str) -> Locator:
    """A restore point of the list, by its readable kind ("Named: after day 1")."""
    return dialog.get_by_role("list", name="Restore points").get_by_role(
        "button", name=re.compile(re.escape(kind))
    )


def entry(dialog: Locator, text: str) -> Locator:
    """An entry of the preview, by its text as the point keeps it."""
    return dialog.locator(".history-entry").filter(
        has=dialog.page.locator(".history-text", has_text=re.compile(f"^{re.escape(text)}$"))
    )


class TestHistory:
    async def test_an_owner_previews_restores_and_undoes_a_point_live_for_everyone(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """A named point lists with its summary; its preview marks the idea deleted since and
        the one changed since; the restore asks first, reaches the member's board without a
        reload, and its Undo brings the later board back."""
        server = locked_server
        olga = await api_user(server, name="Olga")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, olga, "Clinic")
        await add_member(server, olga, project, max_, "member")
        po = await ideate(await new_context(), server, olga, project)
        for text in ("Kiosk", "Queue app", "Paper form"):
            await add_idea(po, text)
        pm = await ideate(await new_context(), server, max_, project)
        await expect(note(pm, "Paper form")).to_be_visible()

        # Name a point.
        await po.get_by_role("button", name="History", exact=True).click()
        dialog = history(po)
        await dialog.get_by_label("Name of the restore point").fill("after day 1")
        await dialog.get_by_role("button", name="Save a restore point").click()
        await expect(dialog.get_by_role("status")).to_have_text(
            "Saved the restore point \u2018after day 1\u2019."
        )
        named = point(dialog, "Named: after day 1")
        await expect(named).to_contain_text("+3 ideas")
        await expect(named).to_contain_text("By Olga")
        await expect(named).to_contain_text(re.compile("With (Olga and Max|Max and Olga)"))
        # opening the idea board moved the project's phase on: an automatic point, older
        await expect(point(dialog, "Phase: Empathize \u2192 Ideate")).to_be_visible()
        await dialog.get_by_role("button", name="Close").click()
        await expect(dialog).to_have_count(0)

        # Change the board: one idea deleted, one edited.
        await note(po, "Paper form").get_by_label("Idea text").focus()
        await po.get_by_role("button", name="Delete idea").click()
        await note(po, "Kiosk").get_by_label("Idea text").fill("Kiosk with queue numbers")
        await expect(note(pm, "Paper form")).to_have_count(0)
        await expect(note(pm, "Kiosk with queue numbers")).to_be_visible()

        # The preview: as it was, with what changed since.
        await po.get_by_role("button", name="History", exact=True).click()
        dialog = history(po)
        named = point(dialog, "Named: after day 1")
        await named.click()
        await expect(named).to_have_attribute("aria-pressed", "true")
        preview = dialog.get_by_role("region", name="Named: after day 1")
        ideas = preview.get_by_role("region", name=re.compile("^Ideas"))
        await expect(ideas.get_by_role("heading")).to_have_text("Ideas 3 then \u00b7 2 now")
        deleted = entry(preview, "Paper form")
        await expect(deleted).to_have_attribute("data-change", "removed")
        await expect(deleted).to_contain_text("Deleted since")
        changed = entry(preview, "Kiosk")
        await expect(changed).to_have_attribute("data-change", "changed")
        await expect(changed).to_contain_text("Now: Kiosk with queue numbers")
        await expect(entry(preview, "Queue app")).to_have_attribute("data-change", "same")
        await expect(preview).to_contain_text("Since then: 1 deleted, 1 changed, 0 added.")
        await po.screenshot(path=artifacts_dir / "history-preview.png")

        # Restore, after saying what it does.
        await preview.get_by_role("button", name="Restore this point").click()
        confirm = po.get_by_role("alertdialog", name="Restore \u2018after day 1\u2019?")
        await expect(confirm).to_contain_text(
            "Everyone's board changes to this point. You can undo with the point taken just before."
        )
        await po.screenshot(path=artifacts_dir / "history-confirm.png")
        await confirm.get_by_role("button", name="Restore", exact=True).click()
        status = dialog.get_by_role("status")
        await expect(status).to_contain_text(
            "Restored \u2018after day 1\u2019: everyone's board changed."
        )
        # The member's board changed live, no reload.
        await expect(note(pm, "Paper form")).to_be_visible()
        await expect(note(pm, "Kiosk")).to_be_visible()
        await expect(note(pm, "Kiosk with queue numbers")).to_have_count(0)
        # The preview follows the live document: nothing differs any more.
        await expect(preview).to_contain_text("Nothing changed since then")
        await expect(point(dialog, "Before a restore")).to_have_count(1)
        await po.screenshot(path=artifacts_dir / "history-restored.png")

        # Undo: the board as it was before the restore, for everyone.
        await status.get_by_role("button", name="Undo").click()
        await expect(status).to_contain_text(
            "Undone: the project is back as it was before the restore."
        )
        await expect(note(pm, "Paper form")).to_have_count(0)
        await expect(note(pm, "Kiosk with queue numbers")).to_be_visible()
        await expect(note(po, "Kiosk with queue numbers")).to_be_visible()
        await expect(point(dialog, "Before a restore")).to_have_count(2)
        texts = {
            idea["text"]
            for idea in (await rest(server, olga, "GET", f"/v1/projects/{project}/ideas"))["items"]
        }
        assert texts == {"Kiosk with queue numbers", "Queue app"}

        # A member sees the history and names points, but is not offered a restore.
        await pm.get_by_role("button", name="History", exact=True).click()
        member_dialog = history(pm)
        await expect(member_dialog.get_by_label("Name of the restore point")).to_be_visible()
        await point(member_dialog, "Named: after day 1").click()
        member_preview = member_dialog.get_by_role("region", name="Named: after day 1")
        await expect(entry(member_preview, "Paper form")).to_have_attribute(
            "data-change", "removed"
        )
        await expect(member_dialog.get_by_role("button", name="Restore this point")).to_have_count(
            0
        )
        await pm.screenshot(path=artifacts_dir / "history-member.png")

    async def test_a_viewer_looks_at_points_without_saving_or_restoring(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
    ) -> None:
        """A viewer gets the list and the preview, and neither the name form nor Restore."""
        server = locked_server
        olga = await api_user(server, name="Olga")
        vera = await api_user(server, name="Vera")
        project = await new_project(server, olga, "Clinic")
        await add_member(server, olga, project, vera, "viewer")
        await rest(server, olga, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk"})
        await rest(server, olga, "POST", f"/v1/projects/{project}/versions", {"name": "v1"})
        page = await ideate(await new_context(), server, vera, project)
        await page.get_by_role("button", name="History", exact=True).click()
        dialog = history(page)
        await point(dialog, "Named: v1").click()
        await expect(entry(dialog, "Kiosk")).to_have_attribute("data-change", "same")
        await expect(dialog.get_by_label("Name of the restore point")).to_have_count(0)
        await expect(dialog.get_by_role("button", name="Restore this point")).to_have_count(0)

    async def test_points_others_take_appear_in_an_open_history(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
    ) -> None:
        """With the dialog open, a point someone else names shows up once their next edit
        reaches the board, and a point with no edit after it when the window gets the focus;
        a restore someone else makes brings its "Before a restore" point. No reload."""
        server = locked_server
        olga = await api_user(server, name="Olga")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, olga, "Clinic")
        await add_member(server, olga, project, max_, "member")
        await rest(server, olga, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk"})
        po = await ideate(await new_context(), server, olga, project)
        await po.get_by_role("button", name="History", exact=True).click()
        dialog = history(po)
        await expect(dialog.get_by_text("No restore points yet.")).to_be_visible()  # read

        path = f"/v1/projects/{project}/versions"
        await rest(server, max_, "POST", path, {"name": "after lunch"})
        await rest(server, max_, "POST", f"/v1/projects/{project}/ideas", {"text": "Queue app"})
        await expect(note(po, "Queue app")).to_be_visible()
        await expect(point(dialog, "Named: after lunch")).to_be_visible()

        await rest(server, max_, "POST", path, {"name": "quiet one"})
        await po.evaluate("window.dispatchEvent(new Event('focus'))")
        await expect(point(dialog, "Named: quiet one")).to_be_visible()

        await rest(server, max_, "POST", f"/v1/projects/{project}/ideas", {"text": "Paper form"})
        await expect(note(po, "Paper form")).to_be_visible()
        first = next(p for p in (await rest(server, max_, "GET", path))["items"]
                     if p["name"] == "after lunch")  # fmt: skip
        await rest(server, olga, "POST", f"{path}/{first['id']}/restore")
        await expect(note(po, "Paper form")).to_have_count(0)
        await expect(point(dialog, "Before a restore")).to_be_visible()
        await expect(point(dialog, "Named: after lunch")).to_have_count(1)  # listed once
