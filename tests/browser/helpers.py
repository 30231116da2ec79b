"""Helpers shared by the browser tests: REST calls as a user, and locators of the workspace."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import BrowserContext, Locator, Page, expect

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, call, create_project
from tests.support.api import add_member as add_project_member
from tests.support.browser import NewContext, Viewport, signed_in_page

__all__ = [
    "rest", "rest_items", "new_project", "add_member", "note", "card", "phase", "open_workspace",
    "ideate", "panel", "badge",
]  # fmt: skip


async def rest(
    server: RunningServer, user: RegisteredUser, method: str, path: str, body: Any = None
) -> Any:
    """Call the REST API of ``server`` as ``user``; the JSON body (2xx only)."""
    return await call(server.http_url, user, method, path, body)


async def rest_items(server: RunningServer, user: RegisteredUser, path: str) -> list[Any]:
    """Every item of the list at ``path`` (lists are pages: follow ``next_cursor``)."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        query = "?limit=100" + ("" if cursor is None else f"&cursor={cursor}")
        page = await rest(server, user, "GET", path + query)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


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


def card(page: Page, title: str) -> Locator:
    """The card (persona, map, statement...) whose heading is ``title``."""
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


async def _synced(
    context: BrowserContext, server: RunningServer, user: RegisteredUser, project: str, at: str
) -> Page:
    page = await signed_in_page(context, server, user, path=f"/#/projects/{project}/{at}")
    await expect(page.locator(".status")).to_have_attribute("data-status", re.compile("saved|live"))
    return page


async def open_workspace(
    new_context: NewContext,
    server: RunningServer,
    user: RegisteredUser,
    project: str,
    at: str = "empathize",
    viewport: Viewport = "desktop",
) -> tuple[BrowserContext, Page]:
    """Sign ``user`` in, in a new browser context, and open ``project`` on the phase ``at``,
    connected and synced."""
    context = await new_context(viewport=viewport)
    return context, await _synced(context, server, user, project, at)


async def ideate(
    context: BrowserContext, server: RunningServer, user: RegisteredUser, project: str
) -> Page:
    """Sign ``user`` in and open the project's idea board, connected and synced."""
    return await _synced(context, server, user, project, "ideate")


def panel(page: Page) -> Locator:
    """The brainstorm panel (its accessible name is the English one: tests run in en-US)."""
    return page.get_by_role("region", name="Brainstorm")


def badge(page: Page) -> Locator:
    """The brainstorm panel's phase badge."""
    return panel(page).locator(".bs-phase-badge")
