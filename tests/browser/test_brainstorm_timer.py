"""A timer people notice: the countdown in the tab title, a flash on every screen at zero,
the sound switch, and the countdown shown large."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect

from tests.browser.helpers import add_member, ideate, new_project, panel, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext


class TestTimeUp:
    async def test_every_screen_flashes_when_time_is_up(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, fay, "Ten seconds")
        await add_member(server, fay, project, max_, "member")
        pf = await ideate(await new_context(), server, fay, project)
        pm = await ideate(await new_context(), server, max_, project)
        body = {"prompt": "Quick round", "duration_s": 10}
        await rest(server, fay, "POST", f"/v1/projects/{project}/brainstorm", body)

        for page in (pf, pm):
            await expect(page).to_have_title(re.compile(r"^⏱ 00:\d\d · "))
        sound = panel(pm).get_by_role("button", name="Sound at zero: off")
        await sound.click()
        await expect(panel(pm).get_by_role("button", name="Sound at zero: on")).to_have_attribute(
            "aria-pressed", "true"
        )
        await panel(pf).get_by_role("button", name="Show timer large").click()
        presenter = pf.get_by_role("dialog", name="Show timer large")
        await expect(presenter.locator(".bs-big-clock")).to_have_text(re.compile(r"^00:\d\d$"))
        await pf.screenshot(path=artifacts_dir / "timer-presented.png")

        # Time is up on both screens: the panel flashes, the big clock says 0:00.
        for page in (pf, pm):
            await expect(panel(page)).to_have_class(re.compile("bs-time-up"), timeout=15_000)
        await expect(presenter.locator(".bs-big-clock")).to_have_attribute("data-state", "up")
        await presenter.get_by_role("button", name="Close").click()
        await pm.screenshot(path=artifacts_dir / "time-up-flash.png")
        # The choice to hear the chime is remembered for the next visit.
        assert await pm.evaluate("localStorage.getItem('dttools.brainstorm.sound')") == "on"
