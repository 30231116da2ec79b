"""Locked notes in the browser: a facilitator locks one note, the others look at it only.

A facilitator and a participant, each in a browser of their own, on a real server
(docs/brainstorm.md "Locking selected notes", docs/ui.md "Locking notes"). The server refuses
a participant's change to a locked note, and a refused change would stay in that page's
document only: so the page must not make one. These tests check that its controls are off,
that a drag leaves the stored note as it was (REST), and that a change made around the page
is refused by the server and said.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import add_member, badge, ideate, new_project, note, panel, rest
from tests.browser.test_brainstorm import snap
from tests.browser.test_brainstorm_sessions import frame
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.browser import ApiUser, NewContext


def padlock(page: Page, text: str) -> Locator:
    return note(page, text).get_by_role("img", name="Locked by the facilitator")


def toggle(page: Page, text: str, action: str) -> Locator:
    """A facilitator's Lock / Unlock button on a note (``action``: "Lock" or "Unlock")."""
    name = f"{action} note \u2018{text}\u2019"  # the catalogue's curly quotes
    return note(page, text).get_by_role("button", name=name, exact=True)


async def stored(server: RunningServer, user: RegisteredUser, idea: str) -> dict[str, Any]:
    got: dict[str, Any] = await rest(server, user, "GET", f"/v1/ideas/{idea}")
    return {key: got[key] for key in ("text", "x", "y", "clusterId", "color")}


async def drag_body(page: Page, text: str, target: Locator) -> None:
    """Press on a note's author line (not its handle, not its text) and let go over
    ``target``'s centre: the way a pointer drags a note."""
    grip = note(page, text).locator(".by")
    start = await grip.bounding_box()
    end = await target.bounding_box()
    assert start is not None
    assert end is not None
    await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    await page.mouse.up()


async def start(
    server: RunningServer, owner: RegisteredUser, project: str, phase: str = "clustering"
) -> str:
    body = {"prompt": "Faster check-in", "phase": phase}
    started = await rest(server, owner, "POST", f"/v1/projects/{project}/brainstorm", body)
    return str(started["id"])


class TestNoteLocks:
    async def test_a_locked_note_is_the_facilitators_until_unlocked(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """The facilitator's "Lock" on a note puts a padlock on it on every screen; the
        participant cannot type in it, move it (handle, drag onto a cluster), recolour,
        re-cluster, delete or undo into it, while another note stays theirs; the facilitator
        still edits it, live; "Unlock" gives it back without a reload."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, fay, "Locked notes")
        await add_member(server, fay, project, max_, "member")
        ideas = f"/v1/projects/{project}/ideas"
        kiosk = (await rest(server, fay, "POST", ideas, {"text": "Kiosk", "x": 0, "y": 0}))["id"]
        other = {"text": "Self check-in", "x": 420, "y": 0}
        app = (await rest(server, fay, "POST", ideas, other))["id"]
        await start(server, fay, project)
        pf = await ideate(await new_context(), server, fay, project)
        pm = await ideate(await new_context(), server, max_, project)
        await expect(badge(pm)).to_have_text("Clustering")
        await pf.get_by_label("New cluster name").fill("Fast lanes")
        await pf.get_by_role("button", name="Add cluster").click()
        await expect(frame(pm, "Fast lanes")).to_be_visible()
        # Max moves the note first: undo has a step that touches it
        await note(pm, "Kiosk").get_by_role("button", name="Move idea").press("ArrowDown")
        undo = pm.get_by_role("button", name="Undo")
        await expect(undo).to_be_enabled()
        # only facilitators are offered the toggle
        await expect(toggle(pf, "Kiosk", "Lock")).to_be_visible()
        await expect(note(pm, "Kiosk").get_by_role("button", name="Lock note")).to_have_count(0)

        await toggle(pf, "Kiosk", "Lock").click()
        await expect(padlock(pm, "Kiosk")).to_be_visible()
        await expect(padlock(pf, "Kiosk")).to_be_visible()
        await expect(padlock(pm, "Self check-in")).to_be_hidden()
        assert await padlock(pm, "Kiosk").get_attribute("title") == "Locked by the facilitator"
        await expect(toggle(pf, "Kiosk", "Unlock")).to_be_visible()
        await expect(panel(pf)).to_contain_text("Note locked: only facilitators can change")
        before = await stored(server, fay, kiosk)

        locked = note(pm, "Kiosk")
        await expect(locked.get_by_role("textbox")).not_to_be_editable()
        await expect(locked.get_by_role("button", name="Move idea")).to_be_disabled()
        await expect(undo).to_be_disabled()  # its last step would change the locked note
        await locked.get_by_role("textbox").focus()  # selected, to be looked at only
        await expect(pm.get_by_role("button", name="Delete idea")).to_be_disabled()
        await expect(pm.get_by_label("Colour of the selected idea")).to_be_disabled()
        await expect(pm.get_by_label("Cluster of the selected idea")).to_be_disabled()
        # a pointer drag onto the cluster's frame moves nothing, on the page or the server
        shown = await locked.bounding_box()
        await drag_body(pm, "Kiosk", frame(pm, "Fast lanes"))
        assert await locked.bounding_box() == shown
        await locked.get_by_role("textbox").press("x")  # typing changes nothing either
        await expect(locked.get_by_role("textbox")).to_have_value("Kiosk")
        # "Arrange by cluster" moves the others around it
        await pm.get_by_role("button", name="Arrange by cluster").click()
        assert await stored(server, fay, kiosk) == before

        # the other note is still Max's to change
        await note(pm, "Self check-in").get_by_role("textbox").fill("Self check-in at home")
        await expect(note(pf, "Self check-in at home")).to_be_visible()
        arranged = await stored(server, fay, app)
        assert arranged["text"] == "Self check-in at home"
        # arranged around the locked note, not on top of it (a note is 176 x 136)
        assert abs(arranged["x"] - before["x"]) >= 176 or abs(arranged["y"] - before["y"]) >= 136

        # the facilitator edits the locked note; Max sees it, padlock and all
        await note(pf, "Kiosk").get_by_role("textbox").fill("Kiosk by the door")
        await expect(note(pm, "Kiosk by the door")).to_be_visible()
        await expect(padlock(pm, "Kiosk by the door")).to_be_visible()
        await snap(pm, artifacts_dir, "participant")
        await pm.get_by_role("region", name="Idea board").screenshot(
            path=artifacts_dir / "board-participant.png"
        )
        await pf.get_by_role("region", name="Idea board").screenshot(
            path=artifacts_dir / "board-facilitator.png"
        )
        assert (await stored(server, max_, kiosk))["text"] == "Kiosk by the door"

        await toggle(pf, "Kiosk by the door", "Unlock").click()
        await expect(padlock(pm, "Kiosk by the door")).to_be_hidden()
        await expect(toggle(pf, "Kiosk by the door", "Lock")).to_be_visible()
        free = note(pm, "Kiosk by the door")
        await expect(free.get_by_role("textbox")).to_be_editable()
        await expect(free.get_by_role("button", name="Move idea")).to_be_enabled()
        await free.get_by_role("textbox").fill("Kiosk by the gate")
        await expect(note(pf, "Kiosk by the gate")).to_be_visible()
        assert (await stored(server, fay, kiosk))["text"] == "Kiosk by the gate"
        await expect(undo).to_be_enabled()

    async def test_a_change_made_around_the_page_is_refused_and_said(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
    ) -> None:
        """The page's own write path refuses a locked note with a message, and a change put
        straight into the document (as a page that missed the lock would) is refused by the
        server, whose `note-locked` notice the page shows in words."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, fay, "Around the page")
        await add_member(server, fay, project, max_, "member")
        ideas = f"/v1/projects/{project}/ideas"
        kiosk = (await rest(server, fay, "POST", ideas, {"text": "Kiosk"}))["id"]
        sid = await start(server, fay, project, phase="reveal")
        pm = await ideate(await new_context(), server, max_, project)
        await expect(badge(pm)).to_have_text("Reveal")
        lock = f"/v1/projects/{project}/brainstorm/{sid}/notes/lock"
        await rest(server, fay, "POST", lock, {"idea_ids": [kiosk]})
        await expect(padlock(pm, "Kiosk")).to_be_visible()
        said = pm.get_by_role("alert").filter(has_text="A facilitator locked this note")

        # a page that wrote into its document anyway: the server refuses, the page says it
        await pm.evaluate(
            """async (id) => {
                const { currentLive } = await import('/static/app/live.js')
                const doc = currentLive().doc
                doc.transact(() => doc.getMap('ideas').get(id).set('text', 'Hacked'))
            }""",
            kiosk,
        )
        await expect(said).to_be_visible()  # the server's notice, in the page's words
        assert (await stored(server, fay, kiosk))["text"] == "Kiosk"

        # the page's own write path refuses before writing, and says why
        refused = await pm.evaluate(
            """async (id) => {
                const { currentLive } = await import('/static/app/live.js')
                const live = currentLive()
                const notices = []
                live.addEventListener('notice', (e) => notices.push(e.detail))
                const ideas = live.doc.getMap('ideas')
                const written = live.write(() => ideas.get(id).set('text', 'Mine'), [id])
                return { written, notices, text: ideas.get(id).get('text') }
            }""",
            kiosk,
        )
        assert refused == {
            "written": False,
            "notices": [
                {
                    "code": "note-locked",
                    "text": "A facilitator locked this note: this change was not made.",
                }
            ],
            "text": "Hacked",  # the refused change above stays in this page only
        }
