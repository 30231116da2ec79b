"""The browser workspace: live co-editing, presence, offline merge, viewers, the five phases.

Every change is made through the page, as a person would, and checked where it must arrive:
the other person's page (within a second) and the REST API (the same live document).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page, expect
from pycrdt import Map

from tests.browser.helpers import (
    add_member,
    card,
    new_project,
    note,
    open_workspace,
    phase,
    rest,
    rest_items,
)
from tests.conftest import RunningServer
from tests.support.api import mailed_token
from tests.support.browser import ApiUser, ConsoleErrors, NewContext, signed_in_page
from tests.support.timing import scaled
from tests.support.yclient import YClient

#: "Each sees the other's change within a second" (Playwright counts milliseconds).
SECOND_MS = scaled(1.0) * 1000
SHORTCUT = "Control"


# --- REST helpers ------------------------------------------------------------------------------


# --- page helpers ------------------------------------------------------------------------------


def status(page: Page) -> Locator:
    return page.locator(".status")


def people(page: Page) -> Locator:
    return page.get_by_role("list", name="People in this project")


async def add_persona(page: Page, name: str, role: str = "") -> None:
    await page.get_by_label("Persona name").fill(name)
    await page.get_by_label("Persona role").fill(role)
    await page.get_by_role("button", name="Add persona").click()
    await expect(card(page, name)).to_be_visible()


async def add_idea(page: Page, text: str) -> None:
    await page.get_by_label("New idea", exact=True).fill(text)
    await page.get_by_role("button", name="Add idea").click()
    await expect(note(page, text)).to_be_visible()


async def expect_no_adding(page: Page, button: str) -> None:
    """Read-only: the "add" form is not offered, and its button is disabled all the same."""
    await expect(page.get_by_role("button", name=button)).to_have_count(0)
    hidden = page.locator("button[type=submit]", has_text=button)
    await expect(hidden).to_be_hidden()
    await expect(hidden).to_be_disabled()


async def shot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot, taken from the top of the page."""
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=folder / f"{name}.png", full_page=True)


# --- tests -------------------------------------------------------------------------------------


class TestCoEditing:
    async def test_two_people_co_edit_a_persona_an_empathy_map_and_the_board(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """Two people in two browsers see each other's edits within a second, and each other."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob")
        project = await new_project(locked_server, ana, "Co-editing")
        await add_member(locked_server, ana, project, bob, "member")
        _, pa = await open_workspace(new_context, locked_server, ana, project)
        _, pb = await open_workspace(new_context, locked_server, bob, project)

        await expect(people(pa)).to_contain_text("Bob: Empathize")
        await expect(people(pb)).to_contain_text("Ana: Empathize")
        await expect(people(pb)).to_contain_text("Bob (you)")

        # a persona: created by Ana, edited by Bob
        await add_persona(pa, "Maria", "Nurse")
        await expect(card(pb, "Maria")).to_be_visible(timeout=SECOND_MS)
        await card(pb, "Maria").get_by_label("Role", exact=True).fill("Night nurse")
        role = card(pa, "Maria").get_by_label("Role", exact=True)
        await expect(role).to_have_value("Night nurse", timeout=SECOND_MS)

        # an empathy map: created by Bob for Maria, a sticky note added by Ana
        await pb.get_by_label("Empathy map title").fill("Maria at night")
        await pb.get_by_label("For persona").select_option(label="Maria")
        await pb.get_by_role("button", name="Add empathy map").click()
        await expect(card(pa, "Maria at night")).to_be_visible(timeout=SECOND_MS)
        says = card(pa, "Maria at night").get_by_label("New quote for Says")
        await says.fill("Too many forms")
        await says.press("Enter")
        entry = card(pb, "Maria at night").get_by_label("Says: Quote 1", exact=True)
        await expect(entry).to_have_value("Too many forms", timeout=SECOND_MS)

        # the idea board: Ana adds a note, Bob drags it, and Bob's cursor shows on Ana's board
        await phase(pa, "Ideate")
        await phase(pb, "Ideate")
        await expect(people(pa)).to_contain_text("Bob: Ideate")
        await add_idea(pa, "Voice notes")
        await expect(note(pb, "Voice notes")).to_be_visible(timeout=SECOND_MS)
        handle = note(pb, "Voice notes").get_by_role("button", name="Move idea")
        box = await handle.bounding_box()
        assert box is not None
        await pb.mouse.move(box["x"] + 5, box["y"] + 5)
        await pb.mouse.down()
        await pb.mouse.move(box["x"] + 205, box["y"] + 125, steps=8)
        await pb.mouse.up()
        moved = await note(pb, "Voice notes").evaluate("el => el.style.transform")
        assert moved != "translate(0px, 0px)"
        await expect(note(pa, "Voice notes")).to_have_attribute(
            "style", re.compile(re.escape(moved)), timeout=SECOND_MS
        )
        await expect(pa.locator(".cursor", has_text="Bob")).to_be_visible(timeout=SECOND_MS)
        await pa.screenshot(path=artifacts_dir / "board-with-bobs-cursor.png")

    async def test_edits_made_offline_merge_on_reconnect(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """One browser goes offline, both edit, it comes back: both converge, and it is saved."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob")
        project = await new_project(locked_server, ana, "Offline")
        await add_member(locked_server, ana, project, bob, "member")
        ca, pa = await open_workspace(new_context, locked_server, ana, project, "ideate")
        _, pb = await open_workspace(new_context, locked_server, bob, project, "ideate")
        await expect(people(pb)).to_contain_text("Ana")

        await ca.set_offline(True)
        await expect(status(pa)).to_have_attribute("data-status", "offline")
        # (Bob may still list Ana: a lost network sends no close; the server's heartbeat and
        # awareness timeouts end her presence later, a reconnect renews it)
        await add_idea(pa, "Written offline")
        await add_idea(pb, "Written online")
        await expect(status(pa)).to_contain_text("sent when you are back online")
        await expect(note(pb, "Written offline")).to_have_count(0)

        await ca.set_offline(False)
        await expect(note(pa, "Written online")).to_be_visible()
        await expect(note(pb, "Written offline")).to_be_visible()
        await expect(status(pa)).to_have_attribute("data-status", "saved")
        await expect(people(pb)).to_contain_text("Ana")
        ideas = await rest_items(locked_server, ana, f"/v1/projects/{project}/ideas")
        assert sorted(i["text"] for i in ideas) == ["Written offline", "Written online"]

    async def test_undo_and_redo_are_per_person(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Ctrl+Z undoes only my own edits (and Shift+Ctrl+Z redoes them), never someone else's."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob")
        project = await new_project(locked_server, ana, "Undo")
        await add_member(locked_server, ana, project, bob, "member")
        _, pa = await open_workspace(new_context, locked_server, ana, project, "ideate")
        _, pb = await open_workspace(new_context, locked_server, bob, project, "ideate")
        await add_idea(pb, "Bob's idea")
        await expect(note(pa, "Bob's idea")).to_be_visible()
        await add_idea(pa, "Ana's idea")

        await pa.get_by_role("region", name="Idea board").click(position={"x": 5, "y": 5})
        await pa.keyboard.press(f"{SHORTCUT}+z")
        await expect(note(pa, "Ana's idea")).to_have_count(0)
        await expect(note(pb, "Ana's idea")).to_have_count(0)
        await expect(note(pa, "Bob's idea")).to_be_visible()
        await expect(pa.get_by_role("button", name="Undo")).to_be_disabled()

        await pa.keyboard.press(f"Shift+{SHORTCUT}+z")
        await expect(note(pb, "Ana's idea")).to_be_visible()
        await pa.get_by_role("button", name="Undo").click()
        await expect(note(pb, "Ana's idea")).to_have_count(0)
        await pa.get_by_role("button", name="Redo").click()
        await expect(note(pb, "Ana's idea")).to_be_visible()


class TestViewer:
    async def test_a_viewer_sees_everything_and_changes_nothing(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """A viewer's controls are disabled, and an edit forced into its document is refused."""
        ana = await api_user(locked_server, name="Ana")
        vic = await api_user(locked_server, name="Vic")
        project = await new_project(locked_server, ana, "Read only")
        await add_member(locked_server, ana, project, vic, "viewer")
        persona = await rest(
            locked_server, ana, "POST", f"/v1/projects/{project}/personas", {"name": "Maria"}
        )
        await rest(locked_server, ana, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk"})
        _, pa = await open_workspace(new_context, locked_server, ana, project)
        _, pv = await open_workspace(new_context, locked_server, vic, project)

        await expect(pv.get_by_text("You are a viewer")).to_be_visible()
        await expect(card(pv, "Maria").get_by_label("Name", exact=True)).to_have_value("Maria")
        await expect(card(pv, "Maria").get_by_label("Name", exact=True)).to_be_disabled()
        await expect_no_adding(pv, "Add persona")
        await expect(pv.get_by_role("button", name="Delete persona Maria")).to_be_disabled()
        await expect(pv.get_by_role("button", name="Undo")).to_be_disabled()
        await expect(people(pa)).to_contain_text("Vic")
        await shot(pv, artifacts_dir, "viewer-empathize")
        await phase(pv, "Ideate")
        await expect(note(pv, "Kiosk").get_by_label("Idea text")).to_be_disabled()
        await expect_no_adding(pv, "Add idea")

        # Go around the UI: write straight into the viewer's document. The server refuses it.
        await pv.evaluate(
            """async (id) => {
                const { currentLive } = await import('/static/app/live.js')
                const doc = currentLive().doc
                doc.transact(() => doc.getMap('personas').get(id).set('name', 'Hacked'))
            }""",
            persona["id"],
        )
        await expect(
            pv.get_by_role("alert").filter(has_text="Read only: your changes")
        ).to_be_visible()
        stored = await rest(locked_server, ana, "GET", f"/v1/personas/{persona['id']}")
        assert stored["name"] == "Maria"
        await expect(card(pa, "Maria")).to_be_visible()
        await expect(card(pa, "Hacked")).to_have_count(0)


class TestAccessChanges:
    async def test_a_member_made_viewer_becomes_read_only_live(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """A role change closes the socket (4403); the page reconnects with the new role."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob")
        project = await new_project(locked_server, ana, "Roles")
        await add_member(locked_server, ana, project, bob, "member")
        _, pb = await open_workspace(new_context, locked_server, bob, project)
        await expect(pb.get_by_role("button", name="Add persona")).to_be_enabled()
        path = f"/v1/projects/{project}/members/{bob.id}"
        await rest(locked_server, ana, "PUT", path, {"role": "viewer"})
        await expect(pb.get_by_text("You are a viewer")).to_be_visible()
        await expect_no_adding(pb, "Add persona")
        await expect(status(pb)).to_have_attribute("data-status", "live")

    async def test_a_removed_member_sees_access_revoked(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
    ) -> None:
        """Removal closes the socket (4403); the project is gone for them, and the page says so."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob")
        project = await new_project(locked_server, ana, "Revoked")
        await add_member(locked_server, ana, project, bob, "member")
        context, pb = await open_workspace(new_context, locked_server, bob, project)
        async with context.expect_console_message(lambda m: "404" in m.text):
            await rest(locked_server, ana, "DELETE", f"/v1/projects/{project}/members/{bob.id}")
            await expect(status(pb)).to_have_attribute("data-status", "revoked")
        await expect(pb.get_by_text("Access revoked")).to_have_count(2)  # status and banner
        await expect(pb.get_by_role("button", name="Add persona")).to_be_disabled()
        assert len(console_errors.take("status of 404")) == 1

    async def test_a_deleted_account_becomes_a_removed_participant_on_the_board(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
    ) -> None:
        """Bob writes a note and deletes his account: Ana's open board shows the note, now by
        "Removed participant N", without a reload."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob Deleted")
        project = await new_project(locked_server, ana, "Erasure")
        await add_member(locked_server, ana, project, bob, "member")
        await rest(
            locked_server, bob, "POST", f"/v1/projects/{project}/ideas", {"text": "Bob's idea"}
        )
        _context, pa = await open_workspace(new_context, locked_server, ana, project, "ideate")
        await expect(note(pa, "Bob's idea")).to_contain_text("Bob Deleted")
        await rest(locked_server, bob, "DELETE", "/v1/auth/me", {"password": bob.password})
        [idea] = await rest_items(locked_server, ana, f"/v1/projects/{project}/ideas")
        number = idea["createdBy"].rsplit("-", 1)[1]
        await expect(note(pa, "Bob's idea")).to_contain_text(f"Removed participant {number}")
        await expect(note(pa, "Bob's idea")).not_to_contain_text("Bob Deleted")

    async def test_an_expired_access_token_is_refreshed(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
    ) -> None:
        """Without an access cookie, REST refreshes once and retries; the socket does after 4401."""
        ana = await api_user(locked_server, name="Ana")
        project = await new_project(locked_server, ana, "Refresh")
        context, page = await open_workspace(new_context, locked_server, ana, project)

        await context.clear_cookies(name="dttools_access")
        async with context.expect_console_message(lambda m: "401" in m.text):
            await page.get_by_role("button", name="Team").click()
        dialog = page.get_by_role("dialog", name="Members of Refresh")
        await expect(dialog.get_by_role("cell", name="Ana (you)")).to_be_visible()
        await dialog.get_by_role("button", name="Close").click()
        assert len(console_errors.take("status of 401")) == 1

        await context.clear_cookies(name="dttools_access")
        await context.set_offline(True)
        await expect(status(page)).to_have_attribute("data-status", "offline")
        await context.set_offline(False)
        await expect(status(page)).to_have_attribute("data-status", "saved")
        await add_persona(page, "Maria")
        await expect(status(page)).to_have_attribute("data-status", "saved")
        [persona] = await rest_items(locked_server, ana, f"/v1/projects/{project}/personas")
        assert persona["name"] == "Maria"


class TestFivePhases:
    async def test_walk_through_every_phase_and_read_it_back_over_rest(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """One artifact of each kind made through the page is what the REST API returns."""
        ana = await api_user(locked_server, name="Ana Lima")
        project = await new_project(locked_server, ana, "Clinic onboarding")
        _, page = await open_workspace(new_context, locked_server, ana, project)

        # Empathize
        await add_persona(page, "Maria", "Night nurse")
        maria = card(page, "Maria")
        await maria.get_by_label("Demographics").fill("34, Leeds")
        await maria.get_by_label("Quote").fill("I just want to finish on time.")
        await maria.get_by_label("Bio").fill("Runs a ward of twelve.")
        await maria.get_by_label("Avatar URL").fill("/static/favicon.svg")
        await expect(maria.locator(".avatar img")).to_have_attribute("src", "/static/favicon.svg")
        for field, item, text in [
            ("Goals", "goal", "Finish on time"),
            ("Pains", "pain", "Paper forms"),
            ("Gains", "gain", "Recognition"),
        ]:
            await maria.get_by_label(f"New {item} for {field}").fill(text)
            await maria.get_by_role("button", name=f"Add {item} to {field}").click()
        await page.get_by_label("Empathy map title").fill("Maria on a Monday")
        await page.get_by_label("For persona").select_option(label="Maria")
        await page.get_by_role("button", name="Add empathy map").click()
        monday = card(page, "Maria on a Monday")
        for field, item, text in [
            ("Says", "quote", "It's fine"),
            ("Thinks", "thought", "It is not fine"),
            ("Does", "action", "Double-checks doses"),
            ("Feels", "feeling", "Tired"),
        ]:
            await monday.get_by_label(f"New {item} for {field}").fill(text)
            await monday.get_by_label(f"New {item} for {field}").press("Enter")
        await expect(monday.get_by_label("Feels: Feeling 1", exact=True)).to_have_value("Tired")
        await expect(status(page)).to_have_attribute("data-status", "saved")
        await shot(page, artifacts_dir, "1-empathize")

        # Define
        await phase(page, "Define")
        await page.get_by_label("User (who)").fill("Maria")
        await page.get_by_label("Needs (what)").fill("a faster handover")
        await page.get_by_label("Because (insight)").fill("she loses an hour every night")
        await page.get_by_role("button", name="Add point of view").click()
        pov = card(page, "Maria needs a faster handover because she loses an hour every night")
        await expect(pov.get_by_text("Persona: Maria")).to_be_visible()
        await page.get_by_label("New question (how might we…)").fill("How might we halve handover?")
        await page.get_by_label("From point of view").first.select_option(index=1)
        await page.get_by_role("button", name="Add question").click()
        linked = pov.get_by_role("list", name="How-might-we questions from this point of view")
        await expect(linked).to_contain_text("How might we halve handover?")
        await shot(page, artifacts_dir, "2-define")

        # Ideate
        await phase(page, "Ideate")
        await page.get_by_label("New cluster name").fill("Speed")
        await page.get_by_role("button", name="Add cluster").click()
        await add_idea(page, "Voice notes")
        await add_idea(page, "Handover checklist")
        await note(page, "Voice notes").get_by_label("Idea text").click()
        await page.get_by_label("Cluster of the selected idea").select_option(label="Speed")
        await page.get_by_label("Colour of the selected idea").select_option("blue")
        await expect(note(page, "Voice notes")).to_have_attribute("data-color", "blue")
        await expect(page.locator(".frame", has_text="Speed (1)")).to_be_visible()
        await page.get_by_role("button", name="Arrange by cluster").click()
        await shot(page, artifacts_dir, "3-ideate")

        # Prototype
        await phase(page, "Prototype")
        await page.get_by_label("Prototype title").fill("Voice handover app")
        await page.get_by_label("Prototype description").fill("A paper mock-up.")
        await page.get_by_label("Prototype fidelity").select_option("low")
        await page.get_by_role("button", name="Add prototype").click()
        app = card(page, "Voice handover app")
        await app.get_by_label("New link for Links").fill("https://example.com/mockup")
        await app.get_by_role("button", name="Add link to Links").click()
        await expect(app.get_by_role("link", name="https://example.com/mockup")).to_be_visible()
        await app.get_by_label("Idea to link").select_option(label="Voice notes")
        await app.get_by_role("button", name="Link idea").click()
        await expect(app.get_by_role("list", name="Linked ideas")).to_contain_text("Voice notes")
        await shot(page, artifacts_dir, "4-prototype")

        # Test
        await phase(page, "Test")
        await page.get_by_label("Test title").fill("Handover walkthrough")
        await page.get_by_label("Prototype tested").select_option(label="Voice handover app")
        await page.get_by_label("Test script").fill("1. Record a handover.")
        await page.get_by_role("button", name="Add test").click()
        walk = card(page, "Handover walkthrough")
        for participant, outcome, rating in [("P1", "success", "4"), ("P2", "partial", "2")]:
            form = walk.get_by_role("form", name="Add a result")
            await form.get_by_label("Participant").fill(participant)
            await form.get_by_label("Outcome").select_option(outcome)
            await form.get_by_label("Rating").select_option(rating)
            await form.get_by_role("button", name="Add result").click()
            await expect(
                walk.get_by_role("listitem", name=f"Result: {participant}")
            ).to_be_visible()
        summary = walk.get_by_label("Summary of Handover walkthrough")
        await expect(summary).to_contain_text("Results2Success1Partial1Failure0")
        await expect(summary).to_contain_text("3.0 / 5 (2 rated)")
        await expect(status(page)).to_have_attribute("data-status", "saved")
        await shot(page, artifacts_dir, "5-test")

        # Everything reads back through REST, exactly as the schema says.
        base = f"/v1/projects/{project}"
        [persona] = await rest_items(locked_server, ana, f"{base}/personas")
        assert (persona["name"], persona["role"], persona["demographics"]) == (
            "Maria", "Night nurse", "34, Leeds",
        )  # fmt: skip
        assert persona["avatar"] == "/static/favicon.svg"
        assert (persona["goals"], persona["pains"], persona["gains"]) == (
            ["Finish on time"], ["Paper forms"], ["Recognition"],
        )  # fmt: skip
        assert persona["createdBy"] == str(ana.id)
        [empathy] = await rest_items(locked_server, ana, f"{base}/empathy-maps")
        assert empathy["personaId"] == persona["id"]
        assert empathy["says"] == ["It's fine"]
        assert empathy["feels"] == ["Tired"]
        [statement] = await rest_items(locked_server, ana, f"{base}/pov-statements")
        assert (statement["user"], statement["need"]) == ("Maria", "a faster handover")
        [question] = await rest_items(locked_server, ana, f"{base}/hmw-questions")
        assert question["question"] == "How might we halve handover?"
        assert question["povId"] == statement["id"]
        ideas = {i["text"]: i for i in await rest_items(locked_server, ana, f"{base}/ideas")}
        assert ideas["Voice notes"]["color"] == "blue"
        assert ideas["Voice notes"]["clusterId"] is not None
        assert ideas["Voice notes"]["authorId"] == str(ana.id)
        [prototype] = await rest_items(locked_server, ana, f"{base}/prototypes")
        assert prototype["linkedIdeaIds"] == [ideas["Voice notes"]["id"]]
        assert prototype["links"] == ["https://example.com/mockup"]
        assert prototype["fidelity"] == "low"
        [user_test] = await rest_items(locked_server, ana, f"{base}/tests")
        assert user_test["prototypeId"] == prototype["id"]
        results = await rest_items(locked_server, ana, f"/v1/tests/{user_test['id']}/results")
        assert sorted((r["participant"], r["outcome"], r["rating"]) for r in results) == [
            ("P1", "success", 4),
            ("P2", "partial", 2),
        ]
        assert await rest_items(locked_server, ana, f"{base}/document/violations") == []
        document = await rest(locked_server, ana, "GET", f"{base}/document")
        assert document["schemaVersion"] == 2

    async def test_tablet_layout(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """On a portrait tablet the phases, the board and its clusters panel fit the width."""
        ana = await api_user(locked_server, name="Ana")
        project = await new_project(locked_server, ana, "Tablet")
        for text in ("Kiosk", "Voice notes", "Checklist"):
            await rest(locked_server, ana, "POST", f"/v1/projects/{project}/ideas", {"text": text})
        _, page = await open_workspace(new_context, locked_server, ana, project, "ideate", "tablet")
        await expect(note(page, "Checklist")).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820
        await shot(page, artifacts_dir, "ideate-tablet")
        await phase(page, "Empathize")
        await add_persona(page, "Maria", "Night nurse")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 820
        await shot(page, artifacts_dir, "empathize-tablet")


class TestAccountPages:
    async def test_sign_up_projects_and_sign_out(
        self, locked_server: RunningServer, new_context: NewContext, artifacts_dir: Path
    ) -> None:
        """Sign up (the page says to check the mail; the mailed link finishes it and signs in),
        create, rename and archive a project, restore it, then sign out and in."""
        context = await new_context()
        page = await context.new_page()
        await page.goto(locked_server.http_url + "/")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await shot(page, artifacts_dir, "sign-in")
        await page.get_by_role("link", name="Create an account").click()
        email = f"ana-{uuid.uuid4().hex[:8]}@example.com"
        await page.get_by_label("Name").fill("Ana")
        await page.get_by_label("E-mail").fill(email)
        await page.get_by_label("Password").fill("a long passphrase")
        await page.get_by_role("button", name="Create account").click()
        await expect(
            page.get_by_role("status").filter(has_text="Check your e-mail")
        ).to_be_visible()
        token = await mailed_token(locked_server, email, "/verify-email")
        await page.goto(f"{locked_server.http_url}/verify-email#token={token}")
        await page.get_by_role("button", name="Finish signing up").click()
        await expect(page.get_by_role("heading", name="Projects")).to_be_visible()

        await page.get_by_label("Project name").fill("Clinic")
        await page.get_by_role("button", name="Create project").click()
        await page.get_by_role("button", name="Rename Clinic").click()
        await page.get_by_label("Project name").last.fill("Clinic onboarding")
        await page.get_by_role("button", name="Save").click()
        projects = page.get_by_role("list", name="Projects")
        await expect(projects.get_by_role("link", name="Clinic onboarding")).to_be_visible()
        await shot(page, artifacts_dir, "projects")
        await page.get_by_role("button", name="Archive Clinic onboarding").click()
        await expect(projects.get_by_role("link", name="Clinic onboarding")).to_have_count(0)
        await page.get_by_label("Show").select_option("true")
        await expect(projects.get_by_text("archived")).to_be_visible()
        await page.get_by_role("button", name="Restore Clinic onboarding").click()
        await page.get_by_label("Show").select_option("false")
        await expect(projects.get_by_role("link", name="Clinic onboarding")).to_be_visible()

        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await page.get_by_label("E-mail").fill(email)
        await page.get_by_label("Password").fill("a long passphrase")
        await page.get_by_role("button", name="Sign in").click()
        await expect(projects.get_by_role("link", name="Clinic onboarding")).to_be_visible()

    async def test_members_and_roles(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """An owner adds someone by e-mail, makes them a viewer, and they see the project."""
        ana = await api_user(locked_server, name="Ana")
        bob = await api_user(locked_server, name="Bob")
        await new_project(locked_server, ana, "Team project")
        page = await signed_in_page(await new_context(), locked_server, ana)
        await page.get_by_role("button", name="Members of Team project").click()
        dialog = page.get_by_role("dialog", name="Members of Team project")
        await dialog.get_by_label("E-mail of the person to add").fill(bob.email)
        await dialog.get_by_label("Role", exact=True).select_option("member")
        await dialog.get_by_role("button", name="Add member").click()
        await dialog.get_by_label("Role of Bob").select_option("viewer")
        await expect(dialog.get_by_label("Role of Bob")).to_have_value("viewer")
        await dialog.get_by_role("button", name="Close").click()
        [project] = (await rest(locked_server, bob, "GET", "/v1/projects"))["items"]
        assert project["role"] == "viewer"

    async def test_forgot_and_reset_password(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """The e-mailed /reset-password#token= link opens the page that sets a new password."""
        ana = await api_user(locked_server, name="Ana")
        page = await (await new_context()).new_page()
        await page.goto(locked_server.http_url + "/#/forgot")
        await page.get_by_label("E-mail").fill(ana.email)
        await page.get_by_role("button", name="Send reset link").click()
        await expect(
            page.get_by_role("status").filter(has_text="we sent it a link")
        ).to_be_visible()
        token = await mailed_token(locked_server, ana.email, "/reset-password")
        await page.goto(f"{locked_server.http_url}/reset-password#token={token}")
        await expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        await shot(page, artifacts_dir, "reset-password")
        await page.get_by_label("New password (10 characters or more)").fill(
            "another long passphrase"
        )
        await page.get_by_label("Repeat the new password").fill("another long passphrase")
        await page.get_by_role("button", name="Set new password").click()
        await expect(page.get_by_text("Your password was changed")).to_be_visible()
        await page.get_by_label("E-mail").fill(ana.email)
        await page.get_by_label("Password").fill("another long passphrase")
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", name="Projects")).to_be_visible()


class TestKeyboard:
    async def test_notes_move_with_the_arrow_keys_and_alt_digits_switch_phases(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """A focused note handle moves its note by 10 px (Shift: 50); Alt+1..5 picks a phase."""
        ana = await api_user(locked_server, name="Ana")
        project = await new_project(locked_server, ana, "Keys")
        body = {"text": "Kiosk", "x": 100, "y": 100}
        idea = await rest(locked_server, ana, "POST", f"/v1/projects/{project}/ideas", body)
        _, page = await open_workspace(new_context, locked_server, ana, project, "ideate")
        handle = note(page, "Kiosk").get_by_role("button", name="Move idea")
        await handle.focus()
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("Shift+ArrowDown")
        await expect(note(page, "Kiosk")).to_have_attribute(
            "style", re.compile(re.escape("translate(110px, 150px)"))
        )
        await expect(status(page)).to_have_attribute("data-status", "saved")
        stored = await rest(locked_server, ana, "GET", f"/v1/ideas/{idea['id']}")
        assert (stored["x"], stored["y"]) == (110, 150)
        await page.keyboard.press("Alt+1")
        await expect(page.get_by_role("link", name="Empathize")).to_have_attribute(
            "aria-current", "page"
        )
        await page.keyboard.press("Alt+5")
        await expect(page.get_by_role("heading", name="User tests")).to_be_visible()


class TestPerformance:
    async def test_a_500_note_board_renders_every_note(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
    ) -> None:
        """A 500-note board renders every note with no console error. How fast is measured by
        load_tests/board_load.py (docs/benchmarks.md), not here: timings belong to benchmarks."""
        ana = await api_user(locked_server, name="Ana")
        project = await new_project(locked_server, ana, "Big board")
        stamp = "2024-05-01T12:00:00.000Z"

        def seed(doc: Any) -> None:
            ideas = doc.get("ideas", type=Map)
            for i in range(500):
                idea_id = str(uuid.uuid4())
                ideas[idea_id] = Map(
                    {
                        "id": idea_id,
                        "text": f"Idea number {i}",
                        "color": ["yellow", "blue", "green", "pink"][i % 4],
                        "x": float((i % 25) * 190),
                        "y": float((i // 25) * 150),
                        "clusterId": None,
                        "authorId": str(ana.id),
                        "createdBy": str(ana.id),
                        "createdAt": stamp,
                        "updatedAt": stamp,
                    }
                )

        async with await YClient.connect(
            locked_server.ws_url, project, token=ana.access_token
        ) as seeder:
            await seeder.wait_synced()
            await seeder.edit(seed)
            await seeder.wait_durable()

        # a fresh profile: nothing cached, every module fetched and compiled on this navigation
        context = await new_context()
        page = await signed_in_page(
            context, locked_server, ana, path=f"/#/projects/{project}/ideate"
        )
        await page.wait_for_function(
            "() => document.querySelectorAll('.sticky').length >= 500", polling="raf"
        )
        assert await page.locator(".sticky").count() == 500
        assert console_errors.messages == []


class TestForms:
    async def test_a_select_goes_back_after_a_submit(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """The next prototype does not silently inherit the last one's fidelity."""
        pia = await api_user(locked_server, name="Pia")
        project = await new_project(locked_server, pia, "Forms")
        _, page = await open_workspace(new_context, locked_server, pia, project, at="prototype")
        fidelity = page.get_by_label("Prototype fidelity", exact=True)
        await page.get_by_label("Prototype title", exact=True).fill("Paper app")
        await fidelity.select_option(index=2)
        await page.get_by_role("button", name="Add prototype").click()
        await expect(page.get_by_label("Prototype title", exact=True)).to_have_value("")
        await expect(fidelity).to_have_value("")

    async def test_a_delete_says_so_with_an_undo_button(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Deleting a persona shows a toast with Undo; Undo brings the persona back."""
        pia = await api_user(locked_server, name="Pia")
        project = await new_project(locked_server, pia, "Undo")
        _, page = await open_workspace(new_context, locked_server, pia, project)
        await add_persona(page, "Maria", "Nurse")
        await card(page, "Maria").get_by_role("button", name=re.compile("^Delete")).click()
        await expect(card(page, "Maria")).to_have_count(0)
        toast = page.locator("#toasts .toast", has_text="Deleted")
        await expect(toast).to_be_visible()
        await toast.get_by_role("button", name="Undo").click()
        await expect(card(page, "Maria")).to_be_visible()

    async def test_links_without_a_scheme_are_completed_and_bad_ones_are_explained(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
    ) -> None:
        """`www.example.com/...` gets https:// and is kept; a value that is no link stays
        as typed with the reason under it; an empty Add says what is missing."""
        pia = await api_user(locked_server, name="Pia")
        project = await new_project(locked_server, pia, "Links")
        _, page = await open_workspace(new_context, locked_server, pia, project)
        await add_persona(page, "Maria", "Nurse")
        avatar = card(page, "Maria").get_by_label("Avatar URL")
        await avatar.fill("www.example.invalid/maria.png")
        await avatar.blur()
        await expect(avatar).to_have_value("https://www.example.invalid/maria.png")
        await avatar.fill("not a link")
        await avatar.blur()
        await expect(avatar).to_have_value("not a link")
        reason = card(page, "Maria").locator(".field-error:visible")
        await expect(reason).to_contain_text("Use an http(s) address")
        personas = await rest(locked_server, pia, "GET", f"/v1/projects/{project}/personas")
        assert personas["items"][0]["avatar"] == "https://www.example.invalid/maria.png"

        await phase(page, "Prototype")
        await page.get_by_label("Prototype title", exact=True).fill("Clickable")
        await page.get_by_role("button", name="Add prototype").click()
        proto = card(page, "Clickable")
        await proto.get_by_role("button", name=re.compile("^Add link")).click()
        await expect(proto.locator(".add-note .field-error")).to_be_visible()
        await proto.get_by_label(re.compile("^New link")).fill("figma.com/proto/abc")
        await proto.get_by_role("button", name=re.compile("^Add link")).click()
        await expect(proto.get_by_role("link", name="https://figma.com/proto/abc")).to_be_visible()
        # the completed avatar address was tried (and, offline here, failed to load)
        console_errors.take("ERR_NAME_NOT_RESOLVED")

    async def test_the_project_phase_follows_the_owner_forward(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """An owner working on Define moves the project's phase there; going back to
        Empathize does not move it back."""
        pia = await api_user(locked_server, name="Pia")
        project = await new_project(locked_server, pia, "Phases")
        _, page = await open_workspace(new_context, locked_server, pia, project)
        async with page.expect_response(
            lambda r: r.request.method == "PATCH" and r.url.endswith(f"/v1/projects/{project}")
        ) as moved:
            await phase(page, "Define")
        assert (await moved.value).status == 200
        await phase(page, "Empathize")
        await page.goto(f"{locked_server.http_url}/#/projects")
        row = page.get_by_role("listitem", name="Phases")
        await expect(row.locator(".badge", has_text="Define")).to_be_visible()
        stored = await rest(locked_server, pia, "GET", f"/v1/projects/{project}")
        assert stored["phase"] == "define"

    async def test_an_empty_add_says_what_is_missing(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        pia = await api_user(locked_server, name="Pia")
        project = await new_project(locked_server, pia, "Empty adds")
        _, page = await open_workspace(new_context, locked_server, pia, project, at="ideate")
        await page.get_by_role("button", name="Add idea").click()
        await expect(page.get_by_text("Type the idea first.")).to_be_visible()
        await page.get_by_role("button", name="Add cluster").click()
        await expect(page.get_by_text("Type the cluster's name first.")).to_be_visible()
        await page.get_by_label("New idea", exact=True).fill("x")
        await expect(page.get_by_text("Type the idea first.")).to_be_hidden()
