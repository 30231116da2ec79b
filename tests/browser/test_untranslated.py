"""Every view in a Brazilian browser shows Portuguese: no text of the English catalogue, and no
English that never went through a catalogue (docs/i18n.md, "Checks").

Each view is rendered in chromium with the browser's language set to pt-BR, with content in
every phase (written in Portuguese, as a Brazilian team would) so that lists, cards and the
brainstorm panel show their labels and not only their empty states. The visible text and the
labels a screen reader reads (aria-label, placeholder, title, alt) are then scanned twice:

* for the literal parts of each English message that the Portuguese catalogue does not share
  (so "Persona" or "Brainstorm", the same in both, do not count);
* for common English words that Portuguese never uses, which catch text hard-coded in a view.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from http_api.static import page_languages
from tests.browser.helpers import new_project, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext, signed_in_page
from tests.support.node import run_module_script

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "static" / "locales"
I18N = ROOT / "static" / "app" / "i18n.js"

#: English words with no Portuguese homograph: one of them on a pt-BR page is English text.
ENGLISH_WORDS = ("the", "your", "you", "with", "this", "and", "of", "to", "is", "are", "yet")

_LITERALS = """
import { parse } from __I18N__
const catalogues = JSON.parse(await new Promise((resolve) => {
  let text = ''
  process.stdin.on('data', (chunk) => { text += chunk })
  process.stdin.on('end', () => resolve(text))
}))
const literals = (parts, into) => {
  for (const part of parts) {
    if (typeof part === 'string') into.push(part)
    else for (const option of Object.values(part.options || {})) literals(option, into)
  }
  return into
}
const out = {}
for (const [tag, messages] of Object.entries(catalogues)) {
  const entries = Object.entries(messages).map(([k, v]) => [k, literals(parse(v), [])])
  out[tag] = Object.fromEntries(entries)
}
console.log(JSON.stringify(out))
"""

#: The visible text of the page and the accessible labels of its visible elements.
_VISIBLE = """() => {
  const seen = [document.title, document.body.innerText]
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (!el.checkVisibility || !el.checkVisibility()) continue
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      const value = el.getAttribute(name)
      if (value) seen.push(value)
    }
  }
  for (const option of document.querySelectorAll('select option')) seen.push(option.textContent)
  return seen.join('\\n')
}"""


def _english_fragments() -> list[str]:
    """Literal parts of English messages that no Portuguese message contains (4+ letters)."""
    catalogues = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in LOCALES.glob("*.json")
    }
    script = _LITERALS.replace("__I18N__", json.dumps(I18N.as_uri()))
    literals: dict[str, dict[str, list[str]]] = json.loads(
        run_module_script(script, json.dumps(catalogues))
    )
    portuguese = "\n".join(part for parts in literals["pt-BR"].values() for part in parts)
    fragments = set()
    for parts in literals["en"].values():
        for part in parts:
            text = part.strip(" .,:;!?…()\"'/-\u2013\u2014")
            if len(re.findall(r"[A-Za-z]", text)) >= 4 and text not in portuguese:
                fragments.add(text)
    return sorted(fragments, key=len, reverse=True)


@pytest.fixture(scope="module")
def fragments() -> list[str]:
    return _english_fragments()


def _untranslated(text: str, fragments: list[str], user_content: list[str]) -> list[str]:
    for content in user_content:
        text = text.replace(content, " ")
    found = [f for f in fragments if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
    words = [
        w
        for w in ENGLISH_WORDS
        if re.search(rf"(?<![\w@.]){w}(?![\w@.])", text, flags=re.IGNORECASE)
    ]
    return found + [f"English word: {w}" for w in words]


class TestViewsInPortuguese:
    async def test_no_view_shows_english(
        self,
        locked_server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        fragments: list[str],
        artifacts_dir: Path,
    ) -> None:
        """Signed out, the project list, the team dialog, every phase and a brainstorm."""
        server = locked_server
        assert len(fragments) > 50  # the catalogue is there and was read
        ana = await api_user(server, name="Ana Souza")
        bia = await api_user(server, name="Bia Lima")
        for user in (ana, bia):  # Brazilians: their accounts say so (the account's choice wins)
            await rest(server, user, "PATCH", "/v1/auth/me", {"locale": "pt-BR"})
        project = await new_project(server, ana, "Fila do restaurante")
        await rest(server, ana, "POST", f"/v1/projects/{project}/members",
                   {"email": bia.email, "role": "member"})  # fmt: skip
        content = await _fill_every_phase(server, ana, project)
        user_content = [
            "Ana Souza", "Bia Lima", "Fila do restaurante", ana.email, bia.email, *content,
        ]  # fmt: skip
        # The language menu names each language in itself ("English"), on purpose.
        user_content += page_languages().values()
        findings: dict[str, list[str]] = {}

        async def scan(page: Page, view: str) -> None:
            await page.screenshot(path=artifacts_dir / f"pt-BR-{view}.png", full_page=True)
            found = _untranslated(await page.evaluate(_VISIBLE), fragments, user_content)
            if found:
                findings[view] = found

        visitor = await (await new_context(locale="pt-BR")).new_page()
        for route in ("login", "signup", "forgot"):
            await visitor.goto(f"{server.http_url}/#/{route}")
            await expect(visitor.locator("html")).to_have_attribute("lang", "pt-BR")
            await expect(visitor.locator("main, form").first).to_be_visible()
            await scan(visitor, route)

        context = await new_context(locale="pt-BR")
        page = await signed_in_page(context, server, ana)
        await expect(page.locator(".project-card")).to_have_count(1)
        await scan(page, "projects")
        await page.locator(".project-card").get_by_role("button").first.click()
        await expect(page.get_by_role("dialog")).to_be_visible()
        await scan(page, "members")
        await page.keyboard.press("Escape")

        for phase in ("empathize", "define", "ideate", "prototype", "test"):
            await page.goto(f"{server.http_url}/#/projects/{project}/{phase}")
            await expect(page.locator(".status")).to_have_attribute(
                "data-status", re.compile("saved|live")
            )
            await expect(page.locator("main .card, main .sticky").first).to_be_visible()
            await scan(page, phase)

        body = {"prompt": "Como poderíamos reduzir a fila?", "phase": "voting"}
        await rest(server, ana, "POST", f"/v1/projects/{project}/brainstorm", body)
        await page.goto(f"{server.http_url}/#/projects/{project}/ideate")
        panel = page.get_by_role("region").filter(has_text="Como poderíamos reduzir a fila?")
        await expect(panel).to_be_visible()
        await scan(page, "brainstorm")

        assert findings == {}


async def _fill_every_phase(server: RunningServer, user: Any, project: str) -> list[str]:
    """Content in each phase through REST, written in Portuguese; the texts it wrote."""
    base = f"/v1/projects/{project}"
    persona = await rest(server, user, "POST", f"{base}/personas", {
        "name": "Carla", "role": "Garçonete", "goals": ["Atender rápido"],
        "pains": ["Fila longa"], "gains": ["Gorjetas"], "quote": "Não dá tempo",
    })  # fmt: skip
    await rest(server, user, "POST", f"{base}/empathy-maps", {
        "personaId": persona["id"], "title": "Carla no almoço", "says": ["Corre"],
        "thinks": ["Cansada"], "does": ["Anota pedidos"], "feels": ["Pressa"],
    })  # fmt: skip
    pov = await rest(server, user, "POST", f"{base}/pov-statements", {
        "user": "Carla", "need": "menos espera", "insight": "clientes desistem",
    })  # fmt: skip
    await rest(server, user, "POST", f"{base}/hmw-questions",
               {"question": "reduzir a espera", "povId": pov["id"]})  # fmt: skip
    idea = await rest(server, user, "POST", f"{base}/ideas", {"text": "Totem de pedidos"})
    prototype = await rest(server, user, "POST", f"{base}/prototypes", {
        "title": "Totem de papelão", "description": "Maquete", "linkedIdeaIds": [idea["id"]],
    })  # fmt: skip
    test = await rest(server, user, "POST", f"{base}/tests", {
        "title": "Teste no balcão", "script": "Peça um prato", "prototypeId": prototype["id"],
    })  # fmt: skip
    await rest(server, user, "POST", f"{base}/test-results", {
        "testId": test["id"], "participant": "Dona Rosa", "outcome": "success",
        "notes": "Gostou", "rating": 4,
    })  # fmt: skip
    return [
        "Carla no almoço", "Carla", "Garçonete", "Atender rápido", "Fila longa", "Gorjetas",
        "Não dá tempo", "Corre", "Cansada", "Anota pedidos", "Pressa", "menos espera",
        "clientes desistem", "reduzir a espera", "Totem de pedidos", "Totem de papelão",
        "Maquete", "Teste no balcão", "Peça um prato", "Dona Rosa", "Gostou",
        "Como poderíamos reduzir a fila?",
    ]  # fmt: skip
