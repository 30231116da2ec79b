"""Helpers shared by the browser tests: REST calls as a user, and locators of the workspace."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from tests.conftest import RunningServer
from tests.support.api import RegisteredUser, call, create_project
from tests.support.api import add_member as add_project_member

__all__ = ["rest", "new_project", "add_member", "note", "phase"]


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
