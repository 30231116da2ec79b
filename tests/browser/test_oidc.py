"""Signing in with an OpenID Connect provider in a real browser, against a real provider.

The sign-in page offers "Sign in with Test ID"; the provider (Authlib, on another port of
127.0.0.1: another site for the browser) shows its own page; choosing a person there brings the
browser back signed in, on the projects page. Cancelling there brings it back to the sign-in
page with the reason, which a reload does not show again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.conftest import RunningServer, StartServer
from tests.support.api import unique_email
from tests.support.browser import NewContext
from tests.support.oidc_provider import Person, Provider, oidc_provider


@pytest.fixture
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        yield running


@pytest.fixture
async def server(start_server: StartServer, provider: Provider) -> RunningServer:
    running = await start_server(open_rooms=False, oidc_providers=json.dumps([provider.config()]))
    provider.redirect_uris.append(f"{running.http_url}/v1/auth/oidc/test/callback")
    return running


async def test_sign_in_with_the_provider_lands_on_the_projects(
    server: RunningServer, provider: Provider, new_context: NewContext, artifacts_dir: Path
) -> None:
    provider.add(Person("lia", "Lia Campos", unique_email("lia")))
    page = await (await new_context()).new_page()
    await page.goto(f"{server.http_url}/#/login")
    button = page.get_by_role("link", name="Sign in with Test ID")
    await expect(button).to_be_visible()
    await expect(page.get_by_text("or with your e-mail and password")).to_be_visible()
    await page.screenshot(path=artifacts_dir / "sign-in-with-provider.png")
    await button.click()

    await expect(page.get_by_role("heading", name="Sign in to Test ID")).to_be_visible()
    await page.get_by_role("button", name="Lia Campos").click()

    await expect(page).to_have_url(re.compile(r"#/projects$"))
    await expect(page.get_by_text("Lia Campos")).to_be_visible()
    await page.screenshot(path=artifacts_dir / "signed-in-with-provider.png")
    # The session is an ordinary one: a reload keeps it.
    await page.reload()
    await expect(page.get_by_text("Lia Campos")).to_be_visible()


async def test_cancelling_at_the_provider_says_so_on_the_sign_in_page(
    server: RunningServer, provider: Provider, new_context: NewContext, artifacts_dir: Path
) -> None:
    provider.add(Person("rui", "Rui", unique_email("rui")))
    page = await (await new_context()).new_page()
    await page.goto(f"{server.http_url}/#/login")
    await page.get_by_role("link", name="Sign in with Test ID").click()
    await page.get_by_role("button", name="Cancel").click()

    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("cancelled at the provider")
    await expect(page).to_have_url(re.compile(r"/#/login$"))  # the reason left the address
    await page.screenshot(path=artifacts_dir / "sign-in-cancelled.png")
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_count(0)
