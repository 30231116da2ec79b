"""Sessions of their own in the browser: each session's area of the board, past sessions and
their results in the panel, and clusters that cannot sprawl (docs/ui.md, Brainstorm and Idea
board).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import add_member, badge, ideate, new_project, note, panel, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext

#: The bounding boxes of the frames of this kind on the page, and how many pairs overlap.
BOXES = """(selector) => {
    const boxes = [...document.querySelectorAll(selector)].map((el) => {
        const r = el.getBoundingClientRect()
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}
    })
    let pairs = 0
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) pairs++
    }))
    return {boxes, pairs}
}"""


#: The box (x, y, width, height) of the first element each CSS selector matches, or null, all
#: read in one synchronous call: nothing on the page can move between two of them.
RECTS = """(selectors) => selectors.map((selector) => {
    const el = document.querySelector(selector)
    if (!el) return null
    const r = el.getBoundingClientRect()
    return {x: r.x, y: r.y, width: r.width, height: r.height}
})"""


def note_selector(text: str) -> str:
    """The CSS selector of a sticky note of the board, by its text (simple texts only)."""
    return f'[role=group][aria-label="Idea: {text}"]'


def frame(page: Page, name: str) -> Locator:
    """A cluster's frame on the board, by its name."""
    return page.locator(".frame").filter(has=page.locator(".frame-name", has_text=name))


async def drag_to(page: Page, text: str, target: Locator | tuple[float, float]) -> None:
    """Drag a note by its move handle and let it go over ``target`` (a locator's centre, or
    a point of the page)."""
    handle = note(page, text).get_by_role("button", name="Move idea")
    await handle.scroll_into_view_if_needed()
    start = await handle.bounding_box()
    assert start is not None
    if isinstance(target, tuple):
        x, y = target
    else:
        box = await target.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    await page.mouse.down()
    # the note's centre goes where the pointer goes (the handle is near its top-left corner)
    await page.mouse.move(x - 60, y - 40, steps=8)
    await page.mouse.move(x - 70, y - 50, steps=2)
    await page.mouse.up()


def inside(inner: Any, outer: Any) -> bool:
    """Whether a bounding box (x, y, width, height) lies within another."""
    return bool(
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


async def cluster_of(server: RunningServer, user: Any, idea: str) -> Any:
    return (await rest(server, user, "GET", f"/v1/ideas/{idea}"))["clusterId"]


class TestPastSessions:
    async def test_a_previous_sessions_results_stay_after_a_new_one_starts(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Session A ended; B runs. "Past sessions" lists A (prompt, date, ideas and votes);
        opening it shows A's ranked results and links to its CSV and JSON, while B keeps
        running in the panel."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        ana = await api_user(server, name="Ana")
        project = await new_project(server, fay, "Two sessions")
        await add_member(server, fay, project, ana, "member")
        base = f"/v1/projects/{project}/brainstorm"
        kiosk = await rest(server, fay, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk"})
        app = await rest(server, fay, "POST", f"/v1/projects/{project}/ideas", {"text": "=App"})
        first = await rest(server, fay, "POST", base, {"prompt": "Session A", "phase": "voting"})
        votes = f"{base}/{first['id']}/votes"
        await rest(server, ana, "POST", votes, {"idea_id": kiosk["id"]})
        await rest(server, fay, "POST", votes, {"idea_id": app["id"]})
        await rest(server, fay, "POST", f"{base}/{first['id']}/end")
        page = await ideate(await new_context(), server, ana, project)
        await rest(server, fay, "POST", base, {"prompt": "Session B"})
        await expect(badge(page)).to_have_text("Silent ideation")
        await expect(panel(page).locator(".bs-prompt")).to_have_text("Session B")

        past = panel(page).locator(".bs-past")
        await past.get_by_text("Past sessions").click()
        item = past.locator(".bs-past-item")
        await expect(item).to_have_count(1)
        await expect(item).to_contain_text("Session A")
        await expect(item).to_contain_text("2 ideas · 2 votes")
        await item.locator("summary").click()
        ranked = item.locator(".bs-result")
        await expect(ranked).to_have_count(2)
        await expect(ranked.nth(0)).to_contain_text("#1")
        await expect(ranked.nth(0)).to_contain_text("1 vote")
        csv_link = item.get_by_role("link", name="Download results (CSV)")
        json_link = item.get_by_role("link", name="Download results (JSON)")
        href = await csv_link.get_attribute("href")
        assert href == f"{base}/{first['id']}/results?format=csv"
        assert await json_link.get_attribute("href") == f"{base}/{first['id']}/results?format=json"
        async with page.expect_download() as download_info:
            await csv_link.click()
        download = await download_info.value
        assert download.suggested_filename == f"brainstorm-results-{first['id']}.csv"
        saved = await download.path()
        body = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")
        assert body.splitlines()[0] == (
            "rank,idea_id,text,color,votes,cluster_id,cluster_name,author_name"
        )
        assert "'=App" in body  # a formula is text in a spreadsheet
        # the running session is untouched
        await expect(badge(page)).to_have_text("Silent ideation")
        await expect(panel(page).locator(".bs-prompt")).to_have_text("Session B")
        await page.evaluate("window.scrollTo(0, 0)")
        box = await panel(page).bounding_box()
        assert box is not None
        await page.screenshot(path=artifacts_dir / "panel-past-sessions.png", clip=box)

        # B ends: it joins the list, newest first, and A's results are still there
        current = (await rest(server, fay, "GET", base))["items"][0]["id"]
        await rest(server, fay, "POST", f"{base}/{current}/end")
        await expect(item).to_have_count(2)
        await expect(item.nth(0)).to_contain_text("Session B")
        await expect(item.nth(1)).to_contain_text("Session A")
        await expect(item.nth(1).locator(".bs-result")).to_have_count(2)


class TestSessionAreas:
    async def test_each_session_gets_its_own_titled_area(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Notes written in silence are revealed inside a frame titled with the session's
        prompt; the next session's frame comes below, never overlapping, behind the notes."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        project = await new_project(server, fay, "Areas")
        base = f"/v1/projects/{project}/brainstorm"
        page = await ideate(await new_context(), server, fay, project)
        for prompt, texts in (("Shorter queues", ["Kiosk", "App"]), ("Happier staff", ["Nap"])):
            session = await rest(server, fay, "POST", base, {"prompt": prompt})
            await expect(badge(page)).to_have_text("Silent ideation")
            for text in texts:
                await page.get_by_label("New idea", exact=True).fill(text)
                await page.get_by_role("button", name="Add idea").click()
                await expect(page.get_by_role("group", name=f"Hidden idea: {text}")).to_be_visible()
            await rest(server, fay, "POST", f"{base}/{session['id']}/phase", {"phase": "voting"})
            for text in texts:
                await expect(note(page, text)).to_be_visible()
            await rest(server, fay, "POST", f"{base}/{session['id']}/end")
            await expect(badge(page)).to_have_text("Ended")
        areas = page.locator(".session-area")
        await expect(areas).to_have_count(2)
        await expect(areas.nth(0)).to_contain_text("Shorter queues")
        await expect(areas.nth(1)).to_contain_text("Happier staff")
        found = await page.evaluate(BOXES, ".session-area")
        assert found["pairs"] == 0, found
        first, second = found["boxes"]
        assert second["top"] >= first["bottom"]
        # each session's notes are inside its area, measured in one go: the panel above the
        # board can still grow (past sessions arrive over REST after "Ended") and move it down
        nth = ".session-area:nth-child({})"
        for text, n in (("Kiosk", 1), ("App", 1), ("Nap", 2)):
            area, box = await page.evaluate(RECTS, [nth.format(n), note_selector(text)])
            assert area is not None
            assert box is not None, text
            assert inside(box, area), text
        # the areas are behind the notes: a click on a note reaches the note
        await note(page, "Nap").get_by_label("Idea text").click()
        await expect(note(page, "Nap")).to_have_class("sticky selected")
        await page.get_by_role("region", name="Idea board").screenshot(
            path=artifacts_dir / "board-session-areas.png"
        )


class TestClusters:
    async def test_notes_join_clusters_by_drag_and_frames_never_overlap(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Dropping a note on a cluster's frame puts it in that cluster, live on another
        screen; frames of two clusters never overlap, even when their notes were side by
        side; each frame shows its full name in its own colour; dropping a note outside takes
        it out of its cluster."""
        server = locked_server
        ana = await api_user(server, name="Ana")
        bob = await api_user(server, name="Bob")
        project = await new_project(server, ana, "Clusters")
        await add_member(server, ana, project, bob, "member")
        ideas = {}
        for n, text in enumerate(["Alpha", "Beta", "Gamma", "Delta"]):
            body = {"text": text, "x": n * 200, "y": 400}
            ideas[text] = (await rest(server, ana, "POST", f"/v1/projects/{project}/ideas", body))[
                "id"
            ]
        pa = await ideate(await new_context(), server, ana, project)
        pb = await ideate(await new_context(), server, bob, project)
        long_name = "Waiting in line at the counter and everything that makes it slower"
        for name in (long_name, "Staff"):
            await pa.get_by_label("New cluster name").fill(name)
            await pa.get_by_role("button", name="Add cluster").click()
            await expect(frame(pa, name)).to_be_visible()
        await drag_to(pa, "Alpha", frame(pa, long_name))
        await expect(note(pb, "Alpha")).to_contain_text(long_name)
        assert await cluster_of(server, bob, ideas["Alpha"]) is not None
        await drag_to(pa, "Beta", frame(pa, "Staff"))
        await drag_to(pa, "Gamma", frame(pa, long_name))
        for page in (pa, pb):
            await expect(frame(page, long_name).locator(".frame-name")).to_have_text(
                f"{long_name} (2)"
            )
            await expect(frame(page, "Staff").locator(".frame-name")).to_have_text("Staff (1)")
            found = await page.evaluate(BOXES, ".frame")
            assert len(found["boxes"]) == 2
            assert found["pairs"] == 0, found
        # the name is whole (wrapped, not cut), with its tooltip; the colours differ
        label = frame(pa, long_name).locator(".frame-name")
        assert await label.get_attribute("title") == long_name
        assert await label.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
        colours = await pa.locator(".frame").evaluate_all(
            "frames => frames.map(f => f.style.getPropertyValue('--cluster'))"
        )
        assert len(set(colours)) == 2, colours
        # notes in a frame are inside it (on both screens)
        for page in (pa, pb):
            frame_of = f'.frame:has(.frame-name[title="{long_name}"])'
            area, inner = await page.evaluate(RECTS, [frame_of, note_selector("Gamma")])
            assert area is not None
            assert inner is not None
            assert inside(inner, area)
        await pa.get_by_role("region", name="Idea board").screenshot(
            path=artifacts_dir / "board-clusters.png"
        )
        # dropped outside any frame, a note leaves its cluster
        delta = await note(pa, "Delta").bounding_box()
        assert delta is not None
        await drag_to(pa, "Alpha", (delta["x"] + delta["width"] / 2, delta["y"] + 260))
        await expect(note(pb, "Alpha")).not_to_contain_text(long_name)
        await expect(frame(pb, long_name).locator(".frame-name")).to_have_text(f"{long_name} (1)")
        assert await cluster_of(server, ana, ideas["Alpha"]) is None


#: cluster-layout.js on 40 clusters with crowded, clashing anchors and notes: overlapping pairs
#: of frames, whether two runs agree, and how many distinct colours the first eight got.
LAYOUT_CHECK = """async () => {
    const { layoutClusters, clusterColors } = await import('/static/app/cluster-layout.js')
    let seed = 7
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
    const clusters = [], members = []
    for (let i = 0; i < 40; i++) {
        const anchored = i % 3 !== 0
        clusters.push({ id: `c${i}`, name: 'x'.repeat(rand(200) + 1),
            x: anchored ? rand(600) : undefined, y: anchored ? rand(400) : undefined,
            createdAt: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z` })
        for (let j = rand(7); j > 0; j--) {
            members.push({ key: `n${i}-${j}`, clusterId: `c${i}`, x: rand(800), y: rand(800) })
        }
    }
    const note = { w: 176, h: 136 }
    const one = layoutClusters(clusters, members, note)
    const two = layoutClusters([...clusters].reverse(), [...members].reverse(), note)
    let pairs = 0
    one.forEach((a, i) => one.slice(i + 1).forEach((b) => {
        if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) pairs++
    }))
    const strip = (frames) => JSON.stringify(frames.map((f) => [f.id, f.x0, f.y0, f.x1, f.y1,
        [...f.slots.entries()].sort()]).sort())
    const inside = one.every((f) => [...f.slots.values()].every((s) =>
        s.x >= f.x0 && s.x + note.w <= f.x1 && s.y >= f.y0 && s.y + note.h <= f.y1))
    const colours = clusterColors(clusters.slice(0, 8))
    const distinct = new Set(colours.values()).size
    return { pairs, same: strip(one) === strip(two), inside, distinct }
}"""


class TestClusterLayout:
    async def test_frames_never_overlap_and_every_screen_computes_the_same(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """The pure layout, on 40 clusters whose anchors and notes clash: no two frames
        overlap, each note's slot is inside its frame, the result does not depend on the
        order the document lists them in, and eight clusters get eight colours."""
        server = locked_server
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Layout")
        page = await ideate(await new_context(), server, ana, project)
        found = await page.evaluate(LAYOUT_CHECK)
        assert found == {"pairs": 0, "same": True, "inside": True, "distinct": 8}


class TestEmptyStates:
    async def test_an_empty_board_explains_the_method_of_the_phase(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """With no note on the board, one sentence says what to do now, with an example: the
        board's own method, then silent ideation's; the first note hides it. The workshop's
        lists explain theirs too."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        project = await new_project(server, fay, "Empty")
        page = await ideate(await new_context(), server, fay, project)
        empty = page.locator(".board-empty")
        await expect(empty).to_contain_text("one idea per sticky note")
        await expect(empty).to_contain_text("Let customers book a slot by SMS")
        base = f"/v1/projects/{project}/brainstorm"
        session = await rest(server, fay, "POST", base, {"prompt": "Queues"})
        await expect(empty).to_contain_text("Write one idea per note")
        await page.get_by_role("region", name="Idea board").screenshot(
            path=artifacts_dir / "board-empty-silent.png"
        )
        await page.get_by_label("New idea", exact=True).fill("Kiosk")
        await page.get_by_role("button", name="Add idea").click()
        await expect(empty).to_be_hidden()
        await rest(server, fay, "POST", f"{base}/{session['id']}/end")
        await expect(note(page, "Kiosk")).to_be_visible()
        await expect(empty).to_be_hidden()
        await (
            page.get_by_role("navigation", name="Phases").get_by_role("link", name="Define").click()
        )
        await expect(
            page.get_by_text("A point of view names a user, a need and an insight")
        ).to_be_visible()
