"""A role change while the brainstorm panel is open: the panel goes on following the session.

A member's demotion closes every socket of theirs on the project with FORBIDDEN, the brainstorm
snapshot room's included (docs/protocol.md). The page asks the REST API what access is left
(static/app/closes.js) and, as a viewer may still read the session, reconnects the snapshot
room: the panel keeps showing the facilitator's phases instead of freezing on the last one it
had (docs/ui.md, Brainstorm).
"""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Locator, Page, WebSocket, expect

from collab.brainstorm import brainstorm_room
from tests.browser.helpers import add_member, new_project, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext, signed_in_page


def panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Brainstorm")


def badge(page: Page) -> Locator:
    return panel(page).locator(".bs-phase-badge")


async def next_phase(page: Page, name: str) -> None:
    await panel(page).get_by_role("button", name=f"Next phase: {name}").click()


async def open_board(page: Page, server: RunningServer, project: str) -> None:
    """Go to the project's idea board (a route change in the signed-in app) and wait for sync."""
    await page.goto(f"{server.http_url}/#/projects/{project}/ideate")
    await expect(page.locator(".status")).to_have_attribute("data-status", re.compile("saved|live"))


class TestDemotionDuringABrainstorm:
    async def test_the_snapshot_room_reconnects_and_the_panel_keeps_updating(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Bob, a member, is made a viewer with the panel open: his snapshot room is closed,
        reconnects as a viewer's, and the phases the facilitator moves to still reach him."""
        server = locked_server
        fay = await api_user(server, name="Fay")
        bob = await api_user(server, name="Bob")
        project = await new_project(server, fay, "Demoted mid-session")
        await add_member(server, fay, project, bob, "member")
        body = {"prompt": "How might we shorten the queue?"}
        await rest(server, fay, "POST", f"/v1/projects/{project}/brainstorm", body)
        snapshots = re.compile(rf"/collab/{re.escape(brainstorm_room(uuid.UUID(project)))}(\?|$)")

        pf = await signed_in_page(await new_context(), server, fay, path="/#/projects")
        await open_board(pf, server, project)
        # Bob's sockets are watched from before the board opens any.
        pb = await signed_in_page(await new_context(), server, bob, path="/#/projects")
        sockets: list[WebSocket] = []

        def opened(ws: WebSocket) -> None:
            sockets.append(ws)

        pb.on("websocket", opened)
        await open_board(pb, server, project)
        await expect(badge(pb)).to_have_text("Silent ideation")
        await expect(pb.get_by_label("New idea", exact=True)).to_be_visible()
        first = [ws for ws in sockets if snapshots.search(ws.url)]
        assert len(first) == 1, [ws.url for ws in sockets]

        # The demotion closes the snapshot room (FORBIDDEN); a new one opens in its place.
        member = f"/v1/projects/{project}/members/{bob.id}"
        async with pb.expect_websocket(lambda ws: bool(snapshots.search(ws.url))) as reopened:
            await rest(server, fay, "PUT", member, {"role": "viewer"})
        again = await reopened.value
        assert first[0].is_closed()
        assert not again.is_closed()
        await expect(pb.get_by_text("You are a viewer")).to_be_visible()
        await expect(pb.get_by_label("New idea", exact=True)).to_be_hidden()

        # The facilitator moves on; the viewer's panel follows every step.
        for name in ("Reveal", "Clustering", "Voting"):
            await next_phase(pf, name)
            await expect(badge(pb)).to_have_text(name)
        await expect(panel(pb).locator(".bs-votes")).to_have_text("Viewers do not vote")
        await expect(panel(pb)).not_to_contain_text("The brainstorm is unavailable")
        assert not again.is_closed()
