"""Brainstorm at workshop size in the browser: the time's-up rule, live progress, the board lock.

A facilitator and a participant, each in a browser of their own, on a real server
(docs/brainstorm.md "The timer", "Progress", "Locking the board"; docs/ui.md "Brainstorm"). The
time-up test moves the session's end to a second from now in the database (the API keeps its
10-second minimum) and lets the node's scheduler find it, as its sweep does: no waiting for a
real countdown.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from playwright.async_api import Locator, Page, expect

from http_api.brainstorm_live import BRAINSTORM_LIVE
from http_api.keys import DB
from tests.browser.helpers import (
    add_member,
    badge,
    ideate,
    new_project,
    note,
    panel,
    rest,
    rest_items,
)
from tests.browser.test_brainstorm import add_idea, hidden_note, snap
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.browser import ApiUser, NewContext


async def ends_soon(server: RunningServer, session_id: str, seconds: float = 1.0) -> None:
    """Move the session's end to ``seconds`` from now (database clock) and let the node's
    sweep schedule it, as it would a session changed on another node."""
    await server.app[DB].execute(
        "UPDATE brainstorm_sessions SET timer_started_at = clock_timestamp() "
        "- make_interval(secs => timer_duration_s + timer_paused_s - $2) WHERE id = $1",
        UUID(session_id),
        seconds,
    )
    await server.app[BRAINSTORM_LIVE].sweep()


async def session_id(server: RunningServer, user: RegisteredUser, project: str) -> str:
    sessions = await rest_items(server, user, f"/v1/projects/{project}/brainstorm")
    return str(sessions[0]["id"])


def rule_control(page: Page) -> Locator:
    """The facilitator's select of the time's-up rule."""
    controls = panel(page).get_by_role("group", name="Facilitator controls")
    return controls.get_by_label("When time is up")


def doors_handle(page: Page) -> Locator:
    return note(page, "Open both doors").get_by_role("button", name="Move idea")


def progress(page: Page) -> Locator:
    return panel(page).locator(".bs-progress")


class TestTimeUpLock:
    async def test_writing_stops_at_zero_and_more_time_opens_it_again(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Started with "Lock writing": at zero the participant's new-idea form and hidden
        notes are disabled with "Time is up: writing is locked", in voting the dots too; the
        facilitator's +1 min opens both again, live."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, fay, "Lock at zero")
        await add_member(server, fay, project, max_, "member")
        pf = await ideate(await new_context(), server, fay, project)
        pm = await ideate(await new_context(), server, max_, project)

        form = panel(pf).locator(".bs-start")  # the start form (the controls are hidden)
        await form.get_by_label("Prompt").fill("How might we board faster?")
        await form.get_by_label("Duration (minutes)").fill("1")
        rule = form.get_by_label("When time is up")
        await expect(rule).to_have_value("nothing")  # the server's default
        await rule.select_option(label="Lock writing")
        await snap(pf, artifacts_dir, "0-start-form")
        await form.get_by_role("button", name="Start brainstorm").click()
        await expect(badge(pm)).to_have_text("Silent ideation")
        await expect(panel(pm)).to_contain_text("When time is up: Lock writing")
        # the facilitator changes it in a select of the controls
        await expect(rule_control(pf)).to_have_value("lock")
        sid = await session_id(server, fay, project)
        got = await rest(server, fay, "GET", f"/v1/projects/{project}/brainstorm/{sid}")
        assert got["on_time_up"] == "lock"

        await add_idea(pm, "Board by zones")
        await expect(hidden_note(pm, "Board by zones")).to_be_visible()
        new_idea = pm.get_by_label("New idea", exact=True)
        add_button = pm.get_by_role("button", name="Add idea")
        locked = panel(pm).get_by_role("status").filter(has_text="Time is up: writing is locked")

        await ends_soon(server, sid)
        await expect(locked).to_be_visible()
        await expect(new_idea).to_be_disabled()
        await expect(add_button).to_be_disabled()
        await expect(hidden_note(pm, "Board by zones").get_by_role("textbox")).not_to_be_editable()
        await expect(panel(pf)).to_contain_text("Add time (+1 min) to open it again")
        await snap(pm, artifacts_dir, "1-time-up-participant")

        await panel(pf).get_by_role("button", name="Add a minute to the timer").click()
        await expect(locked).to_have_count(0)
        await expect(new_idea).to_be_enabled()
        await expect(hidden_note(pm, "Board by zones").get_by_role("textbox")).to_be_editable()
        await add_idea(pm, "Seat-row calling")
        await expect(hidden_note(pm, "Seat-row calling")).to_be_visible()

        # voting with a new countdown: at zero the dots stop, more time starts them again
        one = f"/v1/projects/{project}/brainstorm/{sid}"
        await rest(server, fay, "POST", f"{one}/phase", {"phase": "voting", "duration_s": 60})
        await expect(badge(pm)).to_have_text("Voting")
        vote = note(pm, "Board by zones").get_by_role("button", name="Vote for Board by zones")
        await expect(vote).to_be_enabled()
        await ends_soon(server, sid)
        await expect(locked).to_be_visible()
        await expect(vote).to_be_disabled()
        await expect(vote).to_have_attribute("title", "Time is up: writing is locked")
        await snap(pm, artifacts_dir, "2-time-up-voting")
        await panel(pf).get_by_role("button", name="Add a minute to the timer").click()
        await expect(vote).to_be_enabled()
        await vote.click()
        await expect(note(pm, "Board by zones").get_by_label("Your votes: 1")).to_be_visible()
        dots = await rest(server, max_, "GET", f"{one}/votes")
        assert dots["used"] == 1

    async def test_a_facilitator_changes_the_rule_while_it_runs(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """The facilitator's select changes the rule; everyone's panel says the new one."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, fay, "Change the rule")
        await add_member(server, fay, project, max_, "member")
        body = {"prompt": "Rules", "duration_s": 600}
        started = await rest(server, fay, "POST", f"/v1/projects/{project}/brainstorm", body)
        pf = await ideate(await new_context(), server, fay, project)
        pm = await ideate(await new_context(), server, max_, project)
        await expect(panel(pm)).to_contain_text("When time is up: Do nothing")
        no_control = panel(pm).get_by_role("combobox", name="When time is up")
        await expect(no_control).to_have_count(0)  # only facilitators change it
        await rule_control(pf).select_option(label="Move to the next phase")
        await expect(panel(pm)).to_contain_text("When time is up: Move to the next phase")
        await expect(panel(pf).get_by_role("status")).to_contain_text(
            "When time is up: Move to the next phase"
        )
        got = await rest(server, max_, "GET", f"/v1/projects/{project}/brainstorm/{started['id']}")
        assert got["on_time_up"] == "advance"


class TestProgress:
    async def test_the_counts_follow_the_writing_and_the_voting(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """The facilitator's "0 of 2 wrote notes" becomes "1 of 2" when the participant writes
        a hidden note, and in voting "1 of 2 voted" after their dot: live."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        project = await new_project(server, fay, "Counting")
        await add_member(server, fay, project, max_, "member")
        body = {"prompt": "What slows boarding?", "on_time_up": "lock"}
        started = await rest(server, fay, "POST", f"/v1/projects/{project}/brainstorm", body)
        pf = await ideate(await new_context(), server, fay, project)
        pm = await ideate(await new_context(), server, max_, project)

        # both opened their private rooms (the facilitator writes too): two participants
        await expect(progress(pf)).to_have_text("0 of 2 wrote notes")
        await add_idea(pm, "Carry-on fees")
        await expect(progress(pf)).to_have_text("1 of 2 wrote notes")
        await expect(progress(pm)).to_have_text("1 of 2 wrote notes")  # counts only: for all
        await snap(pf, artifacts_dir, "facilitator-progress-and-rule")

        one = f"/v1/projects/{project}/brainstorm/{started['id']}"
        await rest(server, fay, "POST", f"{one}/phase", {"phase": "voting"})
        await expect(badge(pf)).to_have_text("Voting")
        await expect(progress(pf)).to_have_text("0 of 2 voted")
        await note(pm, "Carry-on fees").get_by_role("button", name="Vote for").click()
        await expect(progress(pf)).to_have_text("1 of 2 voted")
        await rest(server, fay, "POST", f"{one}/phase", {"phase": "results"})
        await expect(progress(pf)).to_be_hidden()


class TestBoardLock:
    async def test_a_locked_board_is_read_only_for_participants_until_unlocked(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """After "Lock the board" the participant sees "The facilitator locked the board" and
        the add-idea form, the notes, the clusters and undo disabled; the facilitators (the
        owner and a member named one) keep editing; "Unlock the board" gives editing back
        without a reload."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        max_ = await api_user(server, name="Max")
        cy = await api_user(server, name="Cy")
        project = await new_project(server, fay, "Locked board")
        await add_member(server, fay, project, max_, "member")
        await add_member(server, fay, project, cy, "member")
        ideas = f"/v1/projects/{project}/ideas"
        await rest(server, fay, "POST", ideas, {"text": "Open both doors", "x": 0, "y": 0})
        body = {"prompt": "Group the ideas", "phase": "clustering", "facilitators": [str(cy.id)]}
        await rest(server, fay, "POST", f"/v1/projects/{project}/brainstorm", body)
        pf = await ideate(await new_context(), server, fay, project)
        pm = await ideate(await new_context(), server, max_, project)
        pc = await ideate(await new_context(), server, cy, project)
        await expect(badge(pm)).to_have_text("Clustering")
        # Max moves a note: undo has something to take back
        await doors_handle(pm).press("ArrowDown")
        undo = pm.get_by_role("button", name="Undo")
        await expect(undo).to_be_enabled()

        lock = panel(pf).get_by_role("button", name="Lock the board")
        await lock.click()
        banner = pm.get_by_role("status").filter(has_text="The facilitator locked the board")
        await expect(banner).to_be_visible()
        await expect(pm.get_by_role("button", name="Add idea")).to_be_disabled()
        await expect(pm.get_by_label("New idea", exact=True)).to_be_disabled()
        await expect(pm.get_by_role("button", name="Add cluster")).to_be_disabled()
        await expect(undo).to_be_disabled()  # an undo would be refused as any write
        doors = note(pm, "Open both doors")
        await expect(doors.get_by_role("textbox")).not_to_be_editable()
        await expect(doors.get_by_role("button", name="Move idea")).to_be_disabled()
        await doors.get_by_role("textbox").focus()  # selected, but not to be changed
        await expect(pm.get_by_role("button", name="Delete idea")).to_be_disabled()
        # a double-click on the board writes nothing either
        await pm.get_by_role("region", name="Idea board").dblclick(position={"x": 600, "y": 300})
        await expect(pm.locator(".sticky")).to_have_count(1)
        # the facilitator keeps editing, and is told the board is locked
        await expect(
            pf.get_by_role("status").filter(has_text="The board is locked")
        ).to_be_visible()
        await expect(panel(pf).get_by_role("button", name="Unlock the board")).to_be_visible()
        await add_idea(pf, "Board by rows")
        await expect(note(pm, "Board by rows")).to_be_visible()
        # a named co-facilitator is not held either
        await expect(
            pc.get_by_role("status").filter(has_text="The board is locked")
        ).to_be_visible()
        await doors_handle(pc).press("ArrowRight")
        await add_idea(pc, "Board by seat")
        await expect(note(pm, "Board by seat")).to_be_visible()
        await snap(pm, artifacts_dir, "participant-locked")
        await pm.screenshot(path=artifacts_dir / "participant-locked-board.png")

        await panel(pf).get_by_role("button", name="Unlock the board").click()
        await expect(banner).to_have_count(0)
        await expect(pm.get_by_role("button", name="Add idea")).to_be_enabled()
        await expect(doors.get_by_role("textbox")).to_be_editable()
        await add_idea(pm, "Priority for families")
        await expect(note(pf, "Priority for families")).to_be_visible()
        texts = {i["text"] for i in await rest_items(server, fay, ideas)}
        assert texts == {
            "Open both doors",
            "Board by rows",
            "Board by seat",
            "Priority for families",
        }
        await expect(undo).to_be_enabled()
