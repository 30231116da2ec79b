"""Helpers shared by the browser tests: REST calls as a user, and locators of the workspace."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import BrowserContext, Locator, Page, expect

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, call, create_project
from tests.support.api import add_member as add_project_member
from tests.support.browser import signed_in_page

__all__ = ["rest", "new_project", "add_member", "note", "phase", "ideate", "panel", "badge"]


async def rest(
    server: RunningServer, user: RegisteredUser, method: str, path: str, body: Any = None
) -> Any:
    """Call the REST API of ``server`` as ``user``; the JSON body (2xx only)."""
    return await call(server.http_url, user, method, path, body)


async def new_project(server: RunningServer, owner: RegisteredUser, name: str) -> str:
    return str(await create_project(server.http_url, owner, name))


async def add_member(
    server: RunningServer, owner: RegisteredUser, project: str, who: RegisteredUser, role: str
) -> None:
    await add_project_member(server.http_url, owner, project, who, role)


def note(page: Page, text: str) -> Locator:
    """A sticky note of the idea board, by its text."""
    return page.get_by_role("group", name=f"Idea: {text}", exact=True)


async def phase(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="Phases").get_by_role("link", name=name).click()
    await expect(page.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")


async def ideate(
    context: BrowserContext, server: RunningServer, user: RegisteredUser, project: str
) -> Page:
    """Sign ``user`` in and open the project's idea board, connected and synced."""
    page = await signed_in_page(context, server, user, path=f"/#/projects/{project}/ideate")
    await expect(page.locator(".status")).to_have_attribute("data-status", re.compile("saved|live"))
    return page


def panel(page: Page) -> Locator:
    """The brainstorm panel (its accessible name is the English one: tests run in en-US)."""
    return page.get_by_role("region", name="Brainstorm")


def badge(page: Page) -> Locator:
    """The brainstorm panel's phase badge."""
    return panel(page).locator(".bs-phase-badge")
