"""The language a person reads: the browser's at first, then the one picked in the menu, which is
applied at once (no reload, nothing typed lost), kept on this browser and on the account."""

from __future__ import annotations

import re

from playwright.async_api import WebSocket, expect

from tests.browser.helpers import new_project, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext, signed_in_page


class TestFirstVisit:
    async def test_a_brazilian_browser_gets_the_sign_in_page_in_portuguese(
        self, locked_server: RunningServer, new_context: NewContext
    ) -> None:
        """Signed out, with pt-BR as the browser's language; the menu switches before sign-in."""
        page = await (await new_context(locale="pt-BR")).new_page()
        await page.goto(locked_server.http_url + "/")
        await expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
        await expect(page.get_by_role("heading", name="Entrar")).to_be_visible()
        await expect(page.get_by_label("Senha", exact=True)).to_be_visible()
        await expect(page.get_by_role("link", name="Esqueci minha senha")).to_be_visible()
        assert await page.title() == "Entrar · DTTools"

        await page.get_by_label("E-mail").fill("ana@example.com")
        await page.get_by_label("Idioma", exact=True).select_option("en")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.get_by_label("E-mail")).to_have_value("ana@example.com")
        await expect(page.get_by_label("Language", exact=True)).to_be_focused()

    async def test_an_english_browser_gets_english(
        self, locked_server: RunningServer, new_context: NewContext
    ) -> None:
        page = await (await new_context(locale="en-GB")).new_page()
        await page.goto(locked_server.http_url + "/#/signup")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.get_by_role("heading", name="Create an account")).to_be_visible()


class TestTheMenu:
    async def test_switching_relabels_the_page_and_the_account_keeps_the_choice(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Portuguese to English in the top bar: the project list relabels at once (the search
        typed stays), a reload keeps English, and so does a fresh Portuguese browser signed in
        to the same account (whose language wins over the browser's: here the account's
        Portuguese over an English browser at first)."""
        server = locked_server
        ana = await api_user(server, name="Ana")
        await rest(server, ana, "PATCH", "/v1/auth/me", {"locale": "pt-BR"})
        await new_project(server, ana, "Clínica")
        page = await signed_in_page(await new_context(locale="en-US"), server, ana)
        await expect(page.get_by_role("heading", name="Projetos")).to_be_visible()
        await expect(page.get_by_role("button", name="Membros de Clínica")).to_be_visible()
        await page.get_by_label("Buscar projetos").fill("Clí")

        await page.get_by_label("Idioma", exact=True).select_option("en")
        await expect(page.get_by_role("heading", name="Projects")).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.get_by_role("button", name="Members of Clínica")).to_be_visible()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        await expect(page.get_by_label("Search projects")).to_have_value("Clí")
        await expect(page.get_by_label("Language", exact=True)).to_be_focused()
        await expect(page.get_by_label("Language", exact=True)).to_have_value("en")
        assert await page.title() == "Projects · DTTools"

        await page.reload()
        await expect(page.get_by_role("heading", name="Projects")).to_be_visible()

        me = await rest(server, ana, "GET", "/v1/auth/me")
        assert me["locale"] == "en"
        fresh = await signed_in_page(await new_context(locale="pt-BR"), server, ana)
        await expect(fresh.get_by_role("heading", name="Projects")).to_be_visible()
        await expect(fresh.locator("html")).to_have_attribute("lang", "en")

    async def test_a_new_project_works_in_the_creators_language_unless_chosen(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """The new-project form offers the project's language, set to the person's own."""
        server = locked_server
        bia = await api_user(server, name="Bia")
        await rest(server, bia, "PATCH", "/v1/auth/me", {"locale": "pt-BR"})
        page = await signed_in_page(await new_context(locale="pt-BR"), server, bia)
        language = page.get_by_label("Idioma do projeto")
        await expect(language).to_have_value("pt-BR")
        await page.get_by_label("Nome do projeto").fill("Feira")
        await page.get_by_role("button", name="Criar projeto").click()
        await expect(page.get_by_role("link", name="Feira")).to_be_visible()
        await page.get_by_label("Nome do projeto").fill("Fair")
        await language.select_option("en")
        await page.get_by_role("button", name="Criar projeto").click()
        await expect(page.get_by_role("link", name="Fair", exact=True)).to_be_visible()
        listed = await rest(server, bia, "GET", "/v1/projects")
        languages = {p["name"]: p["language"] for p in listed["items"]}
        assert languages == {"Feira": "pt-BR", "Fair": "en"}

    async def test_the_workspace_relabels_in_place(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """In a project, the phase names change language and the live document stays open."""
        server = locked_server
        ana = await api_user(server, name="Ana")
        await rest(server, ana, "PATCH", "/v1/auth/me", {"locale": "pt-BR"})
        project = await new_project(server, ana, "Clínica")
        page = await signed_in_page(
            await new_context(locale="pt-BR"), server, ana, path=f"/#/projects/{project}/define"
        )
        await expect(page.locator(".status")).to_have_attribute(
            "data-status", re.compile("saved|live")
        )
        await expect(page.get_by_role("link", name="Definir", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        sockets: list[WebSocket] = []
        page.on("websocket", lambda socket: sockets.append(socket))
        await page.get_by_label("Idioma", exact=True).select_option("en")
        await expect(page.get_by_role("link", name="Define", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator(".status")).to_have_attribute(
            "data-status", re.compile("saved|live")
        )
        assert sockets == []  # relabelled in place: the room was not opened again
