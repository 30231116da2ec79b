"""Collaborative text in real browsers (docs/ui.md, "Collaborative text").

Two people, each in a browser of their own, type into the same free-text field at once: a
persona's bio, an idea's sticky note. The fields are Y.Texts (schema 2), so both people's
words end up in both browsers and in the REST API's view. While someone's focus is in a
field, the others see their caret and selection with their name; a field still holding a
plain string is edited like any other and becomes a Y.Text; a page the server calls out of
date (close 4426) says so and offers a reload.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Locator, Page, Route, expect

from tests.browser.helpers import add_member, card, new_project, note, open_workspace, rest
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.browser import ApiUser, NewContext, signed_in_page

BIO = "Works nights at the clinic."


async def two_people(
    server: RunningServer, api_user: ApiUser
) -> tuple[RegisteredUser, RegisteredUser, str]:
    ana = await api_user(server, name="Ana")
    ben = await api_user(server, name="Ben")
    project = await new_project(server, ana, "Clinic")
    await add_member(server, ana, project, ben, "member")
    return ana, ben, project


async def saved(*pages: Page) -> None:
    """Every page's edits acknowledged by the server (SAVED): what REST reads now has them."""
    for page in pages:
        await expect(page.locator(".status")).to_have_attribute("data-status", "saved")


async def caret_to(field: Locator, where: str) -> None:
    """Put the caret at the start or the end of a field (the focus in it)."""
    await field.click()
    await field.evaluate(
        "(el, where) => { const at = where === 'end' ? el.value.length : 0;"
        " el.setSelectionRange(at, at) }",
        where,
    )


def sticky_text(page: Page, idea: str) -> Locator:
    """The text of a sticky note, by the idea's id (its accessible name follows its text)."""
    return page.locator(f'.sticky[data-id="{idea}"]').get_by_label("Idea text")


async def is_text(page: Page, root: str, item: str, field: str) -> bool:
    """Does the page's live document hold a Y.Text in that field?"""
    return bool(
        await page.evaluate(
            """async ([root, item, field]) => {
              const { currentLive } = await import('/static/app/live.js')
              const { Y } = await import('/static/app/yjs.js')
              const map = currentLive().doc.getMap(root).get(item)
              return map.get(field) instanceof Y.Text
            }""",
            [root, item, field],
        )
    )


class TestTypingTogether:
    async def test_two_people_typing_in_one_bio_keep_both_their_words(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Ana types at the end of the bio while Ben types at its start, at the same time:
        both browsers and the REST API read Ben's words, the bio, then Ana's."""
        server = locked_server
        ana, ben, project = await two_people(server, api_user)
        made = await rest(
            server, ana, "POST", f"/v1/projects/{project}/personas", {"name": "Maria", "bio": BIO}
        )
        _, pa = await open_workspace(new_context, server, ana, project)
        _, pb = await open_workspace(new_context, server, ben, project)
        bio_a = card(pa, "Maria").get_by_label("Bio", exact=True)
        bio_b = card(pb, "Maria").get_by_label("Bio", exact=True)
        await expect(bio_b).to_have_value(BIO)
        await caret_to(bio_a, "end")
        await caret_to(bio_b, "start")
        await asyncio.gather(
            pa.keyboard.type(" Ana was here.", delay=15),
            pb.keyboard.type("Ben wrote this. ", delay=15),
        )
        merged = f"Ben wrote this. {BIO} Ana was here."
        await expect(bio_a).to_have_value(merged)
        await expect(bio_b).to_have_value(merged)
        await saved(pa, pb)
        persona = await rest(server, ana, "GET", f"/v1/personas/{made['id']}")
        assert persona["bio"] == merged
        await pa.screenshot(path=artifacts_dir / "bio-ana.png")

    async def test_two_people_typing_in_one_sticky_note_keep_both_their_words(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """The same on the idea board: two people type into one sticky note at once, at its
        start and at its end; both boards and REST show one note with both people's words."""
        server = locked_server
        ana, ben, project = await two_people(server, api_user)
        made = await rest(
            server, ana, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk", "x": 0, "y": 0}
        )
        _, pa = await open_workspace(new_context, server, ana, project, at="ideate")
        _, pb = await open_workspace(new_context, server, ben, project, at="ideate")
        text_a = sticky_text(pa, made["id"])
        text_b = sticky_text(pb, made["id"])
        await caret_to(text_a, "end")
        await caret_to(text_b, "start")
        await asyncio.gather(
            pa.keyboard.type(" by the door", delay=15),
            pb.keyboard.type("Big ", delay=15),
        )
        merged = "Big Kiosk by the door"
        await expect(text_a).to_have_value(merged)
        await expect(text_b).to_have_value(merged)
        await saved(pa, pb)
        idea = await rest(server, ana, "GET", f"/v1/ideas/{made['id']}")
        assert idea["text"] == merged
        await pb.screenshot(path=artifacts_dir / "note-ben.png")


class TestCarets:
    async def test_a_remote_caret_and_selection_show_with_a_name_until_blur(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """While Ben's focus is in the bio, Ana sees his caret with his name over her bio;
        when he selects a word she sees the selection too; when he leaves the field, both
        go. Ana's own focus in the same field moves nothing of his."""
        server = locked_server
        ana, ben, project = await two_people(server, api_user)
        await rest(
            server, ana, "POST", f"/v1/projects/{project}/personas", {"name": "Maria", "bio": BIO}
        )
        _, pa = await open_workspace(new_context, server, ana, project)
        _, pb = await open_workspace(new_context, server, ben, project)
        bio_a = card(pa, "Maria").get_by_label("Bio", exact=True)
        bio_b = card(pb, "Maria").get_by_label("Bio", exact=True)
        overlay = card(pa, "Maria").locator(".text-carets")
        bens = overlay.locator(".text-caret", has_text="Ben")
        await caret_to(bio_b, "end")
        await expect(bens).to_be_visible()
        await expect(bens.locator(".text-caret-name")).to_have_text("Ben")
        # Ana types at the start: Ben's caret stays at the end of the text, after her words
        await caret_to(bio_a, "start")
        await pa.keyboard.type("Maria ")
        await expect(bio_b).to_have_value("Maria " + BIO)
        box_bio = await bio_a.bounding_box()
        box_caret = await bens.bounding_box()
        assert box_bio is not None
        assert box_caret is not None
        assert box_bio["x"] < box_caret["x"] < box_bio["x"] + box_bio["width"]
        assert box_bio["y"] <= box_caret["y"] <= box_bio["y"] + box_bio["height"]
        # Ben selects "nights"
        start = len("Maria Works ")
        await bio_b.evaluate(
            "(el, [a, b]) => el.setSelectionRange(a, b)", [start, start + len("nights")]
        )
        selection = overlay.locator(".text-selection")
        await expect(selection).to_have_count(1)
        await pa.screenshot(path=artifacts_dir / "ben-selects-in-anas-view.png")
        await card(pa, "Maria").screenshot(path=artifacts_dir / "ben-selects-card.png")
        # Ben leaves the field
        await card(pb, "Maria").get_by_label("Role", exact=True).click()
        await expect(overlay.locator(".text-caret")).to_have_count(0)
        await expect(selection).to_have_count(0)

    async def test_a_selection_over_wrapped_lines_is_drawn_line_by_line(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Ben selects most of a bio that wraps over several lines: Ana sees one highlight
        per line, inside her bio, and his caret where his selection ends."""
        server = locked_server
        ana, ben, project = await two_people(server, api_user)
        long_bio = " ".join(["Maria works nights at the clinic and rides the bus home."] * 3)
        await rest(
            server,
            ana,
            "POST",
            f"/v1/projects/{project}/personas",
            {"name": "Maria", "bio": long_bio},
        )
        _, pa = await open_workspace(new_context, server, ana, project)
        _, pb = await open_workspace(new_context, server, ben, project)
        bio_a = card(pa, "Maria").get_by_label("Bio", exact=True)
        bio_b = card(pb, "Maria").get_by_label("Bio", exact=True)
        await bio_b.click()
        await bio_b.evaluate("(el) => el.setSelectionRange(6, 140)")
        overlay = card(pa, "Maria").locator(".text-carets")
        rows = overlay.locator(".text-selection")
        await expect(rows).to_have_count(3)
        box_bio = await bio_a.bounding_box()
        assert box_bio is not None
        for row in await rows.all():
            box = await row.bounding_box()
            assert box is not None
            assert box_bio["x"] <= box["x"]
            assert box["x"] + box["width"] <= box_bio["x"] + box_bio["width"]
        await expect(overlay.locator(".text-caret", has_text="Ben")).to_be_visible()
        await card(pa, "Maria").screenshot(path=artifacts_dir / "wrapped-selection.png")

    async def test_a_caret_shows_on_a_sticky_note(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Ben's caret in a note on the board shows on Ana's board, on that note."""
        server = locked_server
        ana, ben, project = await two_people(server, api_user)
        made = await rest(
            server,
            ana,
            "POST",
            f"/v1/projects/{project}/ideas",
            {"text": "A long idea about a kiosk by the entrance", "x": 0, "y": 0},
        )
        _, pa = await open_workspace(new_context, server, ana, project, at="ideate")
        _, pb = await open_workspace(new_context, server, ben, project, at="ideate")
        text = "A long idea about a kiosk by the entrance"
        await caret_to(sticky_text(pb, made["id"]), "end")
        caret = note(pa, text).locator(".text-caret", has_text="Ben")
        await expect(caret).to_be_visible()
        await note(pa, text).screenshot(path=artifacts_dir / "caret-on-note.png")
        await sticky_text(pb, made["id"]).blur()
        await expect(caret).to_have_count(0)


class TestPlainStrings:
    async def test_a_plain_string_is_shown_then_turned_into_text_on_the_first_edit(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """A bio holding a plain string (as a client of schema 1 would write it) shows in
        both browsers; typing in it makes it a Y.Text with the same characters plus the new
        ones, and the other browser follows."""
        server = locked_server
        ana, ben, project = await two_people(server, api_user)
        made = await rest(
            server, ana, "POST", f"/v1/projects/{project}/personas", {"name": "Maria", "bio": "x"}
        )
        persona = str(made["id"])
        _, pa = await open_workspace(new_context, server, ana, project)
        _, pb = await open_workspace(new_context, server, ben, project)
        await pa.evaluate(
            """async ([item, value]) => {
              const { currentLive } = await import('/static/app/live.js')
              const live = currentLive()
              live.doc.transact(() => live.doc.getMap('personas').get(item).set('bio', value))
            }""",
            [persona, BIO],
        )
        bio_a = card(pa, "Maria").get_by_label("Bio", exact=True)
        bio_b = card(pb, "Maria").get_by_label("Bio", exact=True)
        await expect(bio_a).to_have_value(BIO)
        await expect(bio_b).to_have_value(BIO)
        assert not await is_text(pb, "personas", persona, "bio")
        await caret_to(bio_b, "end")
        await pb.keyboard.type(" Loves tea.")
        await expect(bio_a).to_have_value(BIO + " Loves tea.")
        assert await is_text(pb, "personas", persona, "bio")
        assert await is_text(pa, "personas", persona, "bio")
        # and it merges from now on
        await caret_to(bio_a, "start")
        await pa.keyboard.type("Maria: ")
        await expect(bio_b).to_have_value("Maria: " + BIO + " Loves tea.")


class TestOutdatedPage:
    async def test_a_page_the_server_calls_out_of_date_offers_a_reload(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """A socket that does not say it writes schema 2 is closed with 4426: the workspace
        says the page is out of date, stops reconnecting, and its Reload button reloads."""
        server = locked_server
        ana, _, project = await two_people(server, api_user)
        context = await new_context()

        # The page as it was before schema 2: its socket does not send `schema`.
        async def old_page(route: Route) -> None:
            response = await route.fetch()
            body = (await response.text()).replace(
                "params: { ext: '1', schema: String(SCHEMA_VERSION) }", "params: { ext: '1' }"
            )
            assert body != await response.text()
            # not kept in the cache: the reload must fetch the page as it is now
            headers = {k: v for k, v in response.headers.items() if k.lower() != "etag"}
            await route.fulfill(
                response=response, body=body, headers={**headers, "cache-control": "no-store"}
            )

        await context.route("**/static/app/live.js", old_page)
        page = await signed_in_page(context, server, ana, path=f"/#/projects/{project}/empathize")
        banner = page.locator(".banner.danger")
        await expect(banner).to_contain_text("This page is out of date")
        await expect(page.locator(".status")).to_have_attribute("data-status", "error")
        await context.unroute("**/static/app/live.js")
        async with page.expect_navigation():
            await banner.get_by_role("button", name="Reload").click()
        await expect(page.locator(".status")).to_have_attribute("data-status", "saved")
