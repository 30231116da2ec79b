"""Brainstorm sessions in the browser: the facilitator panel and the participants' view.

A facilitator and three participants, each in a browser of their own, run a whole session
through the page (docs/brainstorm.md, docs/ui.md "Brainstorm"): start, silent ideation with
notes nobody else sees, the reveal, clustering, dot voting with limits and hidden tallies,
a summon and follow-me, and the ranked results. A viewer watches it all and changes nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import (
    add_member,
    badge,
    ideate,
    new_project,
    note,
    panel,
    phase,
    rest,
    rest_items,
)
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext

#: A participant whose computer's clock is this far ahead still sees the shared countdown.
CLOCK_AHEAD = timedelta(seconds=150)


# --- page helpers ------------------------------------------------------------------------------


def timer(page: Page) -> Locator:
    return panel(page).get_by_role("timer", name="Time left")


def hidden_note(page: Page, text: str) -> Locator:
    return page.get_by_role("group", name=f"Hidden idea: {text}", exact=True)


def any_note(page: Page, text: str) -> Locator:
    """A note with this text, hidden or not."""
    return page.get_by_role("group", name=re.compile(re.escape(text)))


async def remaining(page: Page) -> int:
    value = await timer(page).get_attribute("data-remaining")
    assert value is not None
    return int(value)


async def add_idea(page: Page, text: str) -> None:
    await page.get_by_label("New idea", exact=True).fill(text)
    await page.get_by_role("button", name="Add idea").click()


async def next_phase(page: Page, name: str) -> None:
    await panel(page).get_by_role("button", name=f"Next phase: {name}").click()


async def snap(page: Page, folder: Path, name: str) -> None:
    """A picture of the panel and one of the whole page, both from the top of the page (the
    top bar is sticky: an element screenshot further down would have it over the panel)."""
    await page.evaluate("window.scrollTo(0, 0)")
    box = await panel(page).bounding_box()
    assert box is not None
    await page.screenshot(path=folder / f"panel-{name}.png", full_page=True, clip=box)
    await page.screenshot(path=folder / f"page-{name}.png", full_page=True)


#: How many pairs of the notes shown on the board overlap.
OVERLAPPING = """() => {
    const boxes = [...document.querySelectorAll('.sticky')]
        .filter((n) => !n.hidden).map((n) => n.getBoundingClientRect())
    let pairs = 0
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) pairs++
    }))
    return pairs
}"""


async def center_on(page: Page, text: str) -> None:
    """Scroll the board (and the page) so that the note is in the middle of the board."""
    await note(page, text).evaluate("el => el.scrollIntoView({block: 'center', inline: 'center'})")


# --- tests -------------------------------------------------------------------------------------


class TestSession:
    async def test_a_facilitator_and_three_participants_run_a_whole_session(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Start, silent notes seen by nobody else, the reveal, clusters, votes within the
        limit, tallies, a summon and follow-me, ranked results: all through the page."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        ana = await api_user(server, name="Ana")
        bob = await api_user(server, name="Bob")
        cy = await api_user(server, name="Cy")
        project = await new_project(server, fay, "Queue brainstorm")
        for who in (ana, bob, cy):
            await add_member(server, fay, project, who, "member")
        ideas = f"/v1/projects/{project}/ideas"
        await rest(server, fay, "POST", ideas, {"text": "Self-service kiosk", "x": 0, "y": 0})

        pf = await ideate(await new_context(), server, fay, project)
        pa = await ideate(await new_context(), server, ana, project)
        pb = await ideate(await new_context(), server, bob, project)
        # Cy's computer clock is wrong: the countdown corrects it with the server's time.
        cc = await new_context(viewport="tablet")  # and a tablet
        await cc.clock.set_system_time(datetime.now(UTC) + CLOCK_AHEAD)
        pc = await ideate(cc, server, cy, project)
        ahead = await pc.evaluate("Date.now()") / 1000 - datetime.now(UTC).timestamp()
        assert ahead > CLOCK_AHEAD.total_seconds() - 10
        pages = [pf, pa, pb, pc]

        # --- start (only owners and admins get the form) ---
        await expect(panel(pa)).to_contain_text("No brainstorm yet")
        await expect(panel(pa).get_by_role("button", name="Start brainstorm")).to_have_count(0)
        await snap(pf, artifacts_dir, "0-start")
        await panel(pf).get_by_label("Prompt").fill("How might we shorten the queue?")
        await panel(pf).get_by_label("Duration (minutes)").fill("5")
        await panel(pf).get_by_label("Votes per person").fill("2")
        await panel(pf).get_by_role("group", name="Co-facilitators").get_by_label("Bob").check()
        await panel(pf).get_by_role("button", name="Start brainstorm").click()
        for page in pages:
            await expect(badge(page)).to_have_text("Silent ideation")
            await expect(panel(page)).to_contain_text("How might we shorten the queue?")
        controls = "Facilitator controls"
        await expect(panel(pa).get_by_role("group", name=controls)).to_have_count(0)
        await expect(panel(pb).get_by_role("group", name=controls)).to_be_visible()  # named

        # --- everyone sees the same countdown, to the second ---
        await expect(timer(pc)).to_have_attribute("data-state", "running")
        ours, theirs = await remaining(pf), await remaining(pc)
        assert abs(ours - theirs) <= 1, (ours, theirs)
        assert 280 <= ours <= 300
        await panel(pf).get_by_role("button", name="Pause timer").click()
        for page in (pf, pa):
            await expect(timer(page)).to_have_attribute("data-state", "paused")
        frozen = await remaining(pf)
        await expect(timer(pa)).to_have_attribute("data-remaining", str(frozen))
        await panel(pf).get_by_role("button", name="Add a minute to the timer").click()
        await expect(timer(pc)).to_have_attribute("data-remaining", str(frozen + 60))
        await panel(pf).get_by_role("button", name="Resume timer").click()
        await expect(timer(pb)).to_have_attribute("data-state", "running")
        ours, theirs = await remaining(pb), await remaining(pc)
        assert abs(ours - theirs) <= 1, (ours, theirs)

        # --- silent ideation: my new notes are mine alone until the reveal ---
        secrets = {
            pa: "Express lane for one item",
            pb: "Queue position by text message",
            pc: "Pre-order in the app",
        }
        for page, text in secrets.items():
            await add_idea(page, text)
            await expect(hidden_note(page, text)).to_be_visible()
            await expect(hidden_note(page, text)).to_contain_text("hidden until reveal")
        # Ana's board edits reach Bob, her hidden note does not.
        kiosk = note(pb, "Self-service kiosk")
        before = await kiosk.evaluate("el => el.style.transform")
        handle = note(pa, "Self-service kiosk").get_by_role("button", name="Move idea")
        await handle.press("ArrowDown")
        await expect(kiosk).not_to_have_attribute("style", re.compile(re.escape(before)))
        for page, text in secrets.items():
            for other in pages:
                if other is not page:
                    await expect(any_note(other, text)).to_have_count(0)
        await expect(pb.locator(".sticky")).to_have_count(2)  # the kiosk and Bob's own
        listed = await rest_items(server, bob, ideas)
        assert [i["text"] for i in listed] == ["Self-service kiosk"]
        await snap(pa, artifacts_dir, "1-silent-participant")
        await snap(pf, artifacts_dir, "1-silent-facilitator")

        # --- reveal: every note appears everywhere, with its author ---
        await next_phase(pf, "Reveal")
        for page in pages:
            await expect(badge(page)).to_have_text("Reveal")
            for text in secrets.values():
                await expect(note(page, text)).to_be_visible()
            await expect(page.locator(".sticky:visible")).to_have_count(4)
            # the private copies are gone too: the server emptied the private rooms
            await expect(page.locator(".hidden-note")).to_have_count(0)
        await expect(note(pf, secrets[pa])).to_contain_text("Ana")
        # written at the same free spot of each one's board, the notes are revealed in a grid
        # (a column per author): none lies on another, on any screen
        for page in pages:
            await expect(page.locator(".sticky:visible")).to_have_count(4)
            await page.wait_for_function(f"() => ({OVERLAPPING})() === 0")
        listed = await rest_items(server, bob, ideas)
        assert len(listed) == 4
        await snap(pb, artifacts_dir, "2-reveal")

        # --- clustering, live on the board ---
        await next_phase(pf, "Clustering")
        await expect(badge(pa)).to_have_text("Clustering")
        await pa.get_by_label("New cluster name").fill("Skip the line")
        await pa.get_by_role("button", name="Add cluster").click()
        cluster_of_selected = pa.get_by_label("Cluster of the selected idea")
        for text in (secrets[pa], secrets[pc]):
            await note(pa, text).get_by_label("Idea text").focus()
            await cluster_of_selected.select_option(label="Skip the line")
            await expect(note(pb, text)).to_contain_text("Skip the line")
        await snap(pa, artifacts_dir, "3-clustering")

        # --- voting: two dots each, one per idea, tallies hidden until shown ---
        await next_phase(pf, "Voting")
        votes_left = panel(pa).locator(".bs-votes")
        await expect(votes_left).to_contain_text("2 of 2 votes left")

        async def vote(page: Page, text: str) -> None:
            await note(page, text).get_by_role("button", name="Vote for").click()

        await vote(pa, secrets[pa])
        await expect(votes_left).to_contain_text("1 of 2 votes left")
        await expect(note(pa, secrets[pa]).get_by_label("Your votes: 1")).to_be_visible()
        await vote(pa, secrets[pa])  # no stacking in this session
        await expect(panel(pa).get_by_role("alert")).to_contain_text("already voted for this idea")
        await vote(pa, secrets[pb])
        await expect(votes_left).to_contain_text("0 of 2 votes left")
        await vote(pa, secrets[pc])  # the third dot
        await expect(panel(pa).get_by_role("alert")).to_contain_text("No votes left")
        await expect(note(pa, secrets[pc]).get_by_label("Your votes: 1")).to_have_count(0)
        mine = await rest_items(server, ana, f"/v1/projects/{project}/brainstorm")
        session = mine[0]["id"]
        dots = await rest(server, ana, "GET", f"/v1/projects/{project}/brainstorm/{session}/votes")
        assert (dots["used"], dots["remaining"]) == (2, 0)
        await snap(pa, artifacts_dir, "4-voting-no-votes-left")
        # take one back, and vote again
        await note(pa, secrets[pb]).get_by_role("button", name="Remove vote").click()
        await expect(votes_left).to_contain_text("1 of 2 votes left")
        await vote(pa, secrets[pc])
        await expect(votes_left).to_contain_text("0 of 2 votes left")
        await vote(pb, secrets[pa])
        await vote(pb, "Self-service kiosk")
        await vote(pc, secrets[pa])
        await expect(panel(pc).locator(".bs-votes")).to_contain_text("1 of 2 votes left")
        await expect(panel(pb).locator(".bs-votes")).to_contain_text("0 of 2 votes left")
        tally = note(pb, secrets[pa]).locator(".tally")
        await expect(tally).to_be_hidden()
        await expect(panel(pb)).to_contain_text("Tallies are hidden")
        await panel(pb).get_by_role("button", name="Reveal tallies").click()  # Bob co-facilitates
        for page in pages:
            await expect(note(page, secrets[pa]).locator(".tally")).to_have_text("3 votes")
        await expect(note(pb, secrets[pc]).locator(".tally")).to_have_text("1 vote")
        await snap(pb, artifacts_dir, "5-voting-tallies")

        # --- summon: everyone is brought to the facilitator's view once ---
        await rest(server, fay, "POST", ideas, {"text": "Far corner", "x": 2600, "y": 1700})
        far = note(pa, "Far corner")
        await expect(far).to_be_attached()
        await expect(far).not_to_be_in_viewport()
        await phase(pc, "Define")  # Cy looks at another phase: the summon brings him back too
        await expect(panel(pc)).to_have_count(0)
        await center_on(pf, "Far corner")
        await panel(pf).get_by_role("button", name="Summon everyone here").click()
        await expect(panel(pf).get_by_role("status")).to_contain_text("brought to your view")
        ideate_tab = pc.get_by_role("navigation", name="Phases").get_by_role("link", name="Ideate")
        await expect(ideate_tab).to_have_attribute("aria-current", "page")
        for page in (pa, pb, pc):
            await expect(note(page, "Far corner")).to_be_in_viewport()
        await pa.get_by_role("region", name="Idea board").evaluate("el => el.scrollTo(0, 0)")
        await expect(far).not_to_be_in_viewport()  # once: Ana may look elsewhere again

        # --- follow-me: Bob keeps his view on the facilitator's ---
        follow = panel(pb).get_by_role("switch", name="Follow facilitator")
        await follow.click()
        await expect(follow).to_be_checked()
        await expect(panel(pb)).to_contain_text("following Fay")
        await center_on(pf, "Self-service kiosk")
        await expect(note(pb, "Self-service kiosk")).to_be_in_viewport()
        await expect(note(pb, "Far corner")).not_to_be_in_viewport()
        await center_on(pf, "Far corner")
        await expect(note(pb, "Far corner")).to_be_in_viewport()
        await pf.get_by_role("button", name="Zoom in").click()  # the zoom is followed too
        await expect(pf.get_by_label("Zoom level")).to_have_text("125%")
        board_b = pb.get_by_role("region", name="Idea board")
        await expect(board_b).to_have_attribute("data-zoom", "1.25")
        await expect(note(pb, "Far corner")).to_be_in_viewport()
        await follow.press("Space")
        await expect(follow).not_to_be_checked()

        # --- results: ranked, with votes, clusters and authors ---
        await next_phase(pf, "Results")
        for page in pages:
            await expect(badge(page)).to_have_text("Results")
        ranked = panel(pc).get_by_role("list", name="Results").get_by_role("listitem")
        # the three written in silence and the kiosk, which got a dot; not the far corner,
        # added over REST and never voted for: it is not the session's
        await expect(ranked).to_have_count(4)
        await expect(ranked.nth(0)).to_contain_text(secrets[pa])
        await expect(ranked.nth(0)).to_contain_text("3 votes")
        await expect(ranked.nth(0)).to_contain_text("Cluster: Skip the line")
        await expect(ranked.nth(0)).to_contain_text("by Ana")
        await expect(ranked.nth(0)).to_contain_text("#1")
        await expect(ranked.nth(1)).to_contain_text("#2")  # Cy's and the kiosk: 1 vote each
        await expect(ranked.nth(3)).to_contain_text("0 votes")
        await expect(note(pa, secrets[pa]).get_by_role("button", name="Vote for")).to_be_hidden()
        await snap(pc, artifacts_dir, "6-results")

        await panel(pf).get_by_role("button", name="End session").click()
        await panel(pf).get_by_role("button", name="End now").click()
        for page in pages:
            await expect(badge(page)).to_have_text("Ended")
        await expect(panel(pa)).to_contain_text("This brainstorm ended")
        await expect(panel(pa).get_by_role("list", name="Results")).to_contain_text("by Ana")
        await expect(panel(pf).get_by_text("Start a new brainstorm")).to_be_visible()
        # the dots and tallies leave the board with the session (the results keep them)
        for page in pages:
            await expect(page.locator(".vote-bar:visible")).to_have_count(0)
        await snap(pf, artifacts_dir, "7-ended")


class TestViewer:
    async def test_a_viewer_watches_without_voting_or_writing(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """A viewer sees the prompt, the phase, the timer, the board and the (anonymous)
        results, and may follow the facilitator; writing notes and voting are not offered,
        and disabled."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        vic = await api_user(server, name="Vic")
        project = await new_project(server, fay, "Watching")
        await add_member(server, fay, project, vic, "viewer")
        made = await rest(server, fay, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk"})
        body = {"prompt": "Which idea first?", "phase": "voting", "anonymous": True}
        started = await rest(server, fay, "POST", f"/v1/projects/{project}/brainstorm", body)
        pv = await ideate(await new_context(), server, vic, project)

        await expect(badge(pv)).to_have_text("Voting")
        await expect(panel(pv)).to_contain_text("Which idea first?")
        await expect(timer(pv)).to_have_attribute("data-state", "running")
        await expect(panel(pv).locator(".bs-votes")).to_have_text("Viewers do not vote")
        kiosk = note(pv, "Kiosk")
        await expect(kiosk.get_by_role("button", name="Vote for Kiosk")).to_be_disabled()
        await expect(pv.get_by_label("New idea", exact=True)).to_be_hidden()
        await expect(panel(pv).get_by_role("group", name="Facilitator controls")).to_have_count(0)
        follow = panel(pv).get_by_role("switch", name="Follow facilitator")
        await follow.click()
        await expect(follow).to_be_checked()
        await snap(pv, artifacts_dir, "viewer")

        # a dot makes the idea (on the board before the session) one of the session's
        one = f"/v1/projects/{project}/brainstorm/{started['id']}"
        await rest(server, fay, "POST", f"{one}/votes", {"idea_id": made["id"]})
        await rest(server, fay, "POST", f"{one}/end")
        await expect(badge(pv)).to_have_text("Ended")
        result = panel(pv).get_by_role("list", name="Results").get_by_role("listitem")
        await expect(result).to_contain_text("Kiosk")
        await expect(result).to_contain_text("anonymous")
        await expect(result).not_to_contain_text("Fay")
        await expect(panel(pv).get_by_text("Start a new brainstorm")).to_be_hidden()


class TestSpreadOut:
    async def test_one_click_lays_overlapping_notes_side_by_side(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Notes made at one spot (through REST, or dropped on one another) are spread out by
        "Spread out overlapping notes", on every screen."""
        server = locked_server
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Stacked")
        for text in ("one", "two", "three"):
            body = {"text": text, "x": 40, "y": 40}
            await rest(server, ana, "POST", f"/v1/projects/{project}/ideas", body)
        page = await ideate(await new_context(), server, ana, project)
        await expect(page.locator(".sticky:visible")).to_have_count(3)
        assert await page.evaluate(OVERLAPPING) > 0
        await page.get_by_role("button", name="Spread out overlapping notes").click()
        await page.wait_for_function(f"() => ({OVERLAPPING})() === 0")
