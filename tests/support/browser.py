"""Helpers for browser tests: viewports, console-error capture and signing a page in over REST."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from tests.support.api import RegisteredUser

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, ConsoleMessage, Page, ViewportSize, WebError

    from tests.conftest import RunningServer

__all__ = [
    "VIEWPORTS",
    "Viewport",
    "ConsoleErrors",
    "NewContext",
    "ApiUser",
    "signed_in_page",
]

Viewport = Literal["desktop", "tablet"]

#: Window sizes in CSS pixels: a laptop, and a portrait tablet (iPad Air class).
VIEWPORTS: Final[dict[Viewport, ViewportSize]] = {
    "desktop": {"width": 1280, "height": 800},
    "tablet": {"width": 820, "height": 1180},
}


@dataclass
class ConsoleErrors:
    """What pages logged with ``console.error`` and the errors they did not catch.

    The ``new_context`` fixture fails the test at teardown if any entry is left; a test that
    provokes an error on purpose removes it with :meth:`take`.
    """

    messages: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.messages.append(
                f"console.error: {message.text} ({where['url']}:{where['lineNumber']})"
            )

    def on_web_error(self, error: WebError) -> None:
        self.messages.append(f"uncaught: {error.error}")

    def take(self, pattern: str) -> list[str]:
        """Remove and return the entries that match the regular expression ``pattern``."""
        taken = [m for m in self.messages if re.search(pattern, m)]
        self.messages[:] = [m for m in self.messages if m not in taken]
        return taken


class NewContext(Protocol):
    """The ``new_context`` fixture: a fresh browser profile (cookies, storage) per call."""

    async def __call__(
        self, *, viewport: Viewport = "desktop", **options: Any
    ) -> BrowserContext: ...


class ApiUser(Protocol):
    """The ``api_user`` fixture: an account registered through the REST API of ``server``."""

    async def __call__(
        self, server: RunningServer, *, name: str = "Test User", email: str | None = None
    ) -> RegisteredUser: ...


async def signed_in_page(
    context: BrowserContext, server: RunningServer, user: RegisteredUser, path: str = "/"
) -> Page:
    """Sign ``user`` in without the UI and open ``path`` (the app's start page) in a new tab.

    The login goes through ``context.request``, which shares the context's cookie jar, so the
    page carries the session cookies a browser login would have set.
    """
    response = await context.request.post(
        f"{server.http_url}/v1/auth/login",
        data={"email": user.email, "password": user.password, "client": "browser"},
    )
    assert response.status == 200, await response.text()
    page = await context.new_page()
    await page.goto(f"{server.http_url}{path}")
    return page
