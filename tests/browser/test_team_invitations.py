"""The team dialog in a real browser: inviting by e-mail, one address or many at once.

An owner pastes a list of addresses (one with an account, new ones, a repeat); the dialog says
what happened, lists the pending invitations, and cancels one. Someone invited who then signs
up is on the team when the dialog opens again.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
from playwright.async_api import expect

from tests.browser.helpers import new_project, open_workspace
from tests.conftest import RunningServer
from tests.support.api import register, unique_email
from tests.support.browser import ApiUser, NewContext


async def test_bulk_add_invites_new_addresses_and_they_join_on_sign_up(
    locked_server: RunningServer,
    new_context: NewContext,
    api_user: ApiUser,
    artifacts_dir: Path,
) -> None:
    server = locked_server
    olga = await api_user(server, name="Olga")
    bruno = await api_user(server, name="Bruno")
    project = await new_project(server, olga, "Workshop of 50")
    _, page = await open_workspace(new_context, server, olga, project, at="ideate")
    await page.get_by_role("button", name="Team").click()
    dialog = page.get_by_role("dialog")

    ana, caio = unique_email("ana"), unique_email("caio")
    addresses = f"{bruno.email}\n{ana}, {caio}\n{ana.upper()}"
    await dialog.get_by_label("E-mail addresses (one per line, or separated by commas)").fill(
        addresses
    )
    await dialog.get_by_role("button", name="Add all").click()
    status = dialog.get_by_role("status")
    await expect(status).to_contain_text("1 added, 2 invited by e-mail, 0 already on the team")
    await expect(dialog.get_by_role("cell", name="Bruno", exact=True)).to_be_visible()
    pending = dialog.get_by_role("list", name="Invited, not signed up yet")
    await expect(pending).to_contain_text(ana)
    await expect(pending).to_contain_text(caio)
    # the form is ready for the next list
    await expect(
        dialog.get_by_label("E-mail addresses (one per line, or separated by commas)")
    ).to_have_value("")
    await page.screenshot(path=artifacts_dir / "team-dialog-invitations.png")

    await dialog.get_by_role("button", name=f"Cancel the invitation of {caio}").click()
    await expect(pending).not_to_contain_text(caio)
    await expect(pending).to_contain_text(ana)

    # One address at a time, too: the dialog says it was an invitation, not an add.
    dani = unique_email("dani")
    await dialog.get_by_label("E-mail of the person to add").fill(dani)
    await dialog.get_by_role("button", name="Add member").click()
    await expect(status).to_contain_text(f"Invited {dani}")
    await expect(pending).to_contain_text(dani)

    async with aiohttp.ClientSession() as http:
        await register(http, server, email=ana, name="Ana")
    await dialog.get_by_role("button", name="Close").click()
    await page.get_by_role("button", name="Team").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("cell", name="Ana", exact=True)).to_be_visible()
    await expect(dialog.get_by_role("list", name="Invited, not signed up yet")).not_to_contain_text(
        ana
    )
