"""Fixtures of the browser tests: Debian's chromium driven by Playwright, against real servers."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import aiohttp
import pytest

from tests.conftest import IN_CI, RunningServer
from tests.support.api import RegisteredUser, register
from tests.support.browser import VIEWPORTS, ApiUser, ConsoleErrors, NewContext, Viewport
from tests.support.timing import TIMEOUT

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext

HERE = Path(__file__).resolve().parent
#: The system browser (the `chromium` Debian package); DTTOOLS_CHROMIUM names another binary.
DEFAULT_CHROMIUM = "/usr/bin/chromium"

_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed, so teardown can keep screenshots of it."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


def _missing(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The chromium binary to drive (a failure in CI when it or Playwright is missing)."""
    if importlib.util.find_spec("playwright") is None:
        _missing("the playwright package is needed: pip install -e '.[dev]'")
    path = os.environ.get("DTTOOLS_CHROMIUM", DEFAULT_CHROMIUM)
    found = shutil.which(path)
    if found is None:
        _missing(f"chromium is needed at {path}: apt-get install chromium, or set DTTOOLS_CHROMIUM")
    return found


@pytest.fixture(scope="module")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    """A headless chromium for the tests of one module.

    Module scope: a Playwright browser is bound to the event loop it was launched in, and
    pyproject.toml gives each test module one loop (tests and fixtures alike). Starting the
    driver and the browser takes ~0.5 s; each test still gets fresh profiles from new_context.
    """
    # chromium_path checked that playwright is installed
    from playwright.async_api import async_playwright, expect

    # One time unit for every wait (tests/support/timing.py); Playwright counts milliseconds.
    expect.set_options(timeout=TIMEOUT * 1000)
    async with async_playwright() as playwright:
        # Playwright's default chromium_sandbox=False passes --no-sandbox: chromium's sandbox
        # refuses to run as root, which is how CI and containers run. The pages are our own.
        launched = await playwright.chromium.launch(executable_path=chromium_path, headless=True)
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
def artifacts_root() -> Path:
    """Where screenshots go: DTTOOLS_TEST_ARTIFACTS, or tests/browser/artifacts (git-ignored)."""
    root = Path(os.environ.get("DTTOOLS_TEST_ARTIFACTS") or HERE / "artifacts")
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def artifacts_dir(artifacts_root: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """An empty folder of this test's own under the artifacts root, for its screenshots.

    A previous run's pictures of the same test are removed first; the folder is removed after
    the test if nothing was saved in it.
    """
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.removeprefix("tests/browser/"))
    folder = artifacts_root / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield folder
    if not any(folder.iterdir()):
        folder.rmdir()


@pytest.fixture
def console_errors() -> ConsoleErrors:
    """Console errors and uncaught errors of every page this test opened through new_context."""
    return ConsoleErrors()


@pytest.fixture
async def new_context(
    browser: Browser,
    console_errors: ConsoleErrors,
    artifacts_dir: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[NewContext]:
    """Factory of browser contexts (a fresh profile each) watched for console errors.

    At teardown it screenshots every open page if the test failed, closes the contexts, and
    fails the test if a page logged a console error or threw an uncaught error that the test did
    not take with ``console_errors.take(pattern)``.
    """
    contexts: list[BrowserContext] = []

    async def new(*, viewport: Viewport = "desktop", **options: Any) -> BrowserContext:
        if viewport == "tablet":
            options.setdefault("has_touch", True)
        options.setdefault("locale", "en-US")  # the language the tests read the pages in
        context = await browser.new_context(viewport=VIEWPORTS[viewport], **options)
        context.set_default_timeout(TIMEOUT * 1000)
        context.on("console", console_errors.on_console)
        context.on("weberror", console_errors.on_web_error)
        contexts.append(context)
        return context

    yield new

    try:
        if request.node.stash.get(_FAILED, False):
            for i, context in enumerate(contexts):
                for j, page in enumerate(context.pages):
                    path = artifacts_dir / f"failed-{i}-{j}.png"
                    await page.screenshot(path=path, full_page=True)
    finally:
        for context in contexts:
            await context.close()
    if console_errors.messages:
        pytest.fail("pages logged errors:\n" + "\n".join(console_errors.messages))


@pytest.fixture
async def api_user() -> AsyncIterator[ApiUser]:
    """Factory: register an account through the REST API of a server (a token client)."""
    async with aiohttp.ClientSession() as http:

        async def make(
            server: RunningServer, *, name: str = "Test User", email: str | None = None
        ) -> RegisteredUser:
            return await register(http, server, name=name, email=email)

        yield make
