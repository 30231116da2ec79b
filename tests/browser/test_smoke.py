"""The browser-test harness itself: chromium runs, reaches our servers, and reports page errors."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Browser, BrowserContext, Page, expect

from http_api.principal import ACCESS_COOKIE, CSRF_COOKIE
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, ConsoleErrors, NewContext, signed_in_page

_PAGE = """<!doctype html><title>smoke</title><h1>static</h1>
<script>document.querySelector("h1").textContent = "from script " + (6 * 7);</script>"""


class TestChromium:
    async def test_renders_a_page_and_runs_its_script(
        self, browser: Browser, new_context: NewContext
    ) -> None:
        """Headless chromium loads a page and runs its inline script."""
        assert int(browser.version.split(".")[0]) >= 120
        page = await (await new_context()).new_page()
        await page.goto("data:text/html," + quote(_PAGE))
        await expect(page.locator("h1")).to_have_text("from script 42")

    async def test_tablet_context_has_a_portrait_touch_viewport(
        self, new_context: NewContext
    ) -> None:
        """The tablet variant is 820 x 1180 CSS pixels and reports a touch screen."""
        page = await (await new_context(viewport="tablet")).new_page()
        await page.goto("data:text/html,<p>tablet</p>")
        size = await page.evaluate("[innerWidth, innerHeight, navigator.maxTouchPoints > 0]")
        assert size == [820, 1180, True]


class TestConsoleErrors:
    async def test_console_error_is_recorded(
        self, new_context: NewContext, console_errors: ConsoleErrors
    ) -> None:
        """A page's console.error is captured; a test takes the ones it provoked on purpose."""
        context = await new_context()
        page = await context.new_page()
        async with context.expect_console_message(lambda m: m.type == "error"):
            await page.evaluate("console.error('deliberate failure')")
        assert len(console_errors.take("deliberate failure")) == 1
        assert console_errors.messages == []

    async def test_uncaught_error_is_recorded(
        self, new_context: NewContext, console_errors: ConsoleErrors
    ) -> None:
        """An error no script caught is captured as well."""
        context = await new_context()
        page = await context.new_page()
        async with context.expect_event("weberror"):
            await page.evaluate("setTimeout(() => { throw new Error('nobody caught me') })")
        assert len(console_errors.take("nobody caught me")) == 1


async def _json_tab(context: BrowserContext) -> Page:
    """A tab for reading JSON endpoints, whose /favicon.ico requests get an empty answer.

    Chromium asks for /favicon.ico on every page that names no icon, and a 404 is a console
    error; the app's own page must name or serve one, the API's JSON answers cannot.
    """
    await context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return await context.new_page()


class TestServerFromTheBrowser:
    async def test_server_is_reachable_on_loopback(
        self, locked_server: RunningServer, new_context: NewContext
    ) -> None:
        """The in-process test server answers chromium on 127.0.0.1."""
        page = await _json_tab(await new_context())
        response = await page.goto(locked_server.http_url + "/healthz")
        assert response is not None
        assert response.status == 200
        assert await response.json() == {"status": "ok"}

    async def test_rest_login_signs_the_page_in(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Cookies of a login through context.request are sent by the context's pages."""
        user = await api_user(locked_server, name="Ada")
        context = await new_context()
        await _json_tab(context)
        page = await signed_in_page(context, locked_server, user, path="/v1/auth/me")
        body = await page.evaluate("JSON.parse(document.body.innerText)")
        assert body["id"] == str(user.id)
        assert body["email"] == user.email
        assert body["name"] == "Ada"
        cookies = {c["name"]: c for c in await context.cookies(locked_server.http_url)}
        assert cookies[ACCESS_COOKIE]["httpOnly"]
        assert not cookies[CSRF_COOKIE]["httpOnly"]  # the page's script echoes it

    async def test_page_without_login_is_refused(
        self, locked_server: RunningServer, new_context: NewContext, console_errors: ConsoleErrors
    ) -> None:
        """A fresh context has no session: /v1/auth/me answers 401 (which chromium logs)."""
        context = await new_context()
        page = await _json_tab(context)
        async with context.expect_console_message(lambda m: "401" in m.text):
            response = await page.goto(locked_server.http_url + "/v1/auth/me")
        assert response is not None
        assert response.status == 401
        assert len(console_errors.take("status of 401")) == 1

    async def test_the_sign_in_page_says_what_the_product_is(
        self, locked_server: RunningServer, new_context: NewContext
    ) -> None:
        page = await (await new_context()).new_page()
        await page.goto(locked_server.http_url + "/#/login")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await expect(page.locator(".pitch")).to_contain_text("Design thinking with your whole team")
