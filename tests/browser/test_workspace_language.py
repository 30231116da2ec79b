"""The workspace changes language in place: labels follow, the live document stays connected.

Someone types in a project, picks Português in the top bar's language menu, and goes on working:
what was there (and what was half typed in a form) is still there, every label of the workspace
is in Brazilian Portuguese, and the page never reconnected (one WebSocket, never offline).
"""

from __future__ import annotations

import re

from playwright.async_api import WebSocket, expect

from tests.browser.helpers import card, new_project, rest, rest_items
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext, signed_in_page
from tests.support.timing import scaled

SECOND_MS = scaled(1.0) * 1000

#: Every value the status line takes, recorded in the page from the moment it is installed.
WATCH_STATUS = """() => {
  const status = document.querySelector('.status')
  window.seenStatuses = [status.dataset.status]
  new MutationObserver(() => window.seenStatuses.push(status.dataset.status)).observe(status, {
    attributes: true,
    attributeFilter: ['data-status']
  })
}"""


class TestWorkspaceLanguage:
    async def test_switching_language_relabels_the_workspace_without_reconnecting(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        ana = await api_user(locked_server, name="Ana")
        project = await new_project(locked_server, ana, "Clinic")
        context = await new_context()
        sockets: list[WebSocket] = []

        def on_socket(socket: WebSocket) -> None:
            sockets.append(socket)

        context.on("page", lambda p: p.on("websocket", on_socket))
        page = await signed_in_page(
            context, locked_server, ana, path=f"/#/projects/{project}/empathize"
        )
        status = page.locator(".status")
        await expect(status).to_have_attribute("data-status", re.compile("saved|live"))

        # content in the live document, and a draft in a form that is not submitted yet
        await page.get_by_label("Persona name").fill("Maria")
        await page.get_by_label("Persona role").fill("Nurse")
        await page.get_by_role("button", name="Add persona").click()
        maria = card(page, "Maria")
        await expect(maria).to_be_visible()
        goal = maria.get_by_label("New goal for Goals")
        await goal.fill("Shorter handover")
        await goal.press("Enter")
        await expect(maria.get_by_label("Goals: Goal 1", exact=True)).to_have_value(
            "Shorter handover"
        )
        await page.get_by_label("Empathy map title").fill("Half typed")
        await expect(status).to_have_attribute("data-status", "saved")
        # the project's document and its brainstorm room: one socket each
        opened = [s.url for s in sockets]
        assert len(opened) == 2, opened
        await page.evaluate(WATCH_STATUS)

        # the language menu of the top bar
        await page.get_by_label("Language", exact=True).select_option("pt-BR")
        await expect(page.locator("html")).to_have_attribute("lang", "pt-BR")

        # the chrome: tabs, buttons, status, title
        tabs = page.get_by_role("navigation", name="Fases")
        await expect(tabs.get_by_role("link", name="Empatizar")).to_have_attribute(
            "aria-current", "page"
        )
        await expect(tabs.get_by_role("link", name="Definir")).to_be_visible()
        await expect(page.get_by_role("button", name="Equipe")).to_be_visible()
        await expect(page.get_by_role("group", name="Histórico")).to_be_visible()
        await expect(page.get_by_role("button", name=re.compile("Desfazer"))).to_be_enabled()
        await expect(status).to_contain_text("Salvo")
        await expect(page.get_by_role("button", name="Sair")).to_be_visible()
        assert (await page.title()).startswith("Empatizar · Clinic")

        # the phase view: headings, forms, card labels in Portuguese; the content unchanged
        await expect(page.get_by_role("heading", name="Mapas de empatia")).to_be_visible()
        await expect(page.get_by_role("button", name="Adicionar persona")).to_be_visible()
        await expect(page.get_by_label("Título do mapa de empatia")).to_have_value("Half typed")
        maria = card(page, "Maria")
        await expect(maria.get_by_label("Nome", exact=True)).to_have_value("Maria")
        await expect(maria.get_by_label("Função", exact=True)).to_have_value("Nurse")
        await expect(maria.get_by_label("Objetivos: Objetivo 1", exact=True)).to_have_value(
            "Shorter handover"
        )
        await expect(maria.get_by_role("button", name="Excluir persona Maria")).to_be_visible()
        await expect(page.get_by_text("Empathy maps", exact=True)).to_have_count(0)

        # still the same connection: edits go on being saved, undo still knows the history
        await maria.get_by_label("Função", exact=True).fill("Night nurse")
        await expect(status).to_have_attribute("data-status", "saved", timeout=SECOND_MS * 5)
        [stored] = await rest_items(locked_server, ana, f"/v1/projects/{project}/personas")
        assert stored["role"] == "Night nurse"
        assert stored["goals"] == ["Shorter handover"]
        assert [s.url for s in sockets] == opened, "the language change reconnected"
        assert not any(s.is_closed() for s in sockets)
        seen = await page.evaluate("window.seenStatuses")
        assert set(seen) <= {"saved", "live"}, seen

        # and back to English, on another phase
        await tabs.get_by_role("link", name="Definir").click()
        await expect(page.get_by_role("heading", name="Pontos de vista")).to_be_visible()
        await page.get_by_label("Idioma", exact=True).select_option("en")
        await expect(page.get_by_role("heading", name="Points of view")).to_be_visible()
        await expect(
            page.get_by_role("navigation", name="Phases").get_by_role("link", name="Define")
        ).to_have_attribute("aria-current", "page")
        await expect(page.get_by_label("Language", exact=True)).to_be_focused()

        # the idea board (the brainstorm helper's components) changes language with the rest
        await rest(locked_server, ana, "POST", f"/v1/projects/{project}/ideas", {"text": "Kiosk"})
        await (
            page.get_by_role("navigation", name="Phases").get_by_role("link", name="Ideate").click()
        )
        await expect(page.get_by_role("group", name=re.compile(r": Kiosk$"))).to_be_visible()
        await page.get_by_label("Language", exact=True).select_option("pt-BR")
        await expect(
            page.get_by_role("navigation", name="Fases").get_by_role("link", name="Idear")
        ).to_have_attribute("aria-current", "page")
        await expect(page.get_by_role("group", name=re.compile(r": Kiosk$"))).to_be_visible()
        assert [s.url for s in sockets] == opened
        assert not any(s.is_closed() for s in sockets)
