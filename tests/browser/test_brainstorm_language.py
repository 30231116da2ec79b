"""A brainstorm in Brazilian Portuguese, and a change of language in the middle of one.

A facilitator and a participant with Portuguese browsers run a short session: the form, the
phase names, the countdown's words and the vote counts are Portuguese (what people wrote is not
translated). Switching to English mid-session relabels the panel, the board and the vote
controls at once, in place: the same countdown keeps running, the votes and the message stay,
and a number typed in the facilitator's form is still there.
"""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import add_member, badge, ideate, new_project, panel, rest
from tests.conftest import RunningServer
from tests.support.browser import ApiUser, NewContext

SWITCH = "lang => import('/static/app/i18n.js').then((m) => m.setLocale(lang))"


def sticky(page: Page, label: str) -> Locator:
    return page.get_by_role("group", name=label, exact=True)


async def mark(locator: Locator) -> None:
    """Tag the element, to tell later that it is the same one (relabelled, not rebuilt)."""
    await locator.evaluate("el => { el.dataset.testMark = 'kept' }")


async def next_phase(page: Page, name: str, label: str) -> None:
    await panel(page).get_by_role("button", name=f"{label}: {name}").click()
    await expect(badge(page)).to_have_text(name)


class TestBrainstormInPortuguese:
    async def test_a_session_in_portuguese_then_english_mid_session(
        self, locked_server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        server = locked_server
        fay = await api_user(server, name="Fay")
        ana = await api_user(server, name="Ana")
        project = await new_project(server, fay, "Fila")
        await add_member(server, fay, project, ana, "member")
        # Brazilian accounts: the account's language wins over the browser's
        for who in (fay, ana):
            await rest(server, who, "PATCH", "/v1/auth/me", {"locale": "pt-BR"})
        ideas = f"/v1/projects/{project}/ideas"
        await rest(server, fay, "POST", ideas, {"text": "Quiosque", "x": 0, "y": 0})
        pf = await ideate(await new_context(locale="pt-BR"), server, fay, project)
        pa = await ideate(await new_context(locale="pt-BR"), server, ana, project)
        await expect(pa.locator("html")).to_have_attribute("lang", "pt-BR")

        # --- the start form and the phase, in Portuguese ---
        await expect(panel(pa)).to_contain_text("Nenhum brainstorm ainda")
        await expect(sticky(pa, "Ideia: Quiosque")).to_be_visible()
        await panel(pf).get_by_label("Pergunta").fill("Como poderíamos reduzir a fila?")
        await panel(pf).get_by_label("Duração (minutos)").fill("5")
        await panel(pf).get_by_label("Votos por pessoa").fill("2")
        await panel(pf).get_by_role("button", name="Iniciar brainstorm").click()
        for page in (pf, pa):
            await expect(badge(page)).to_have_text("Ideação silenciosa")
            await expect(panel(page)).to_contain_text("Como poderíamos reduzir a fila?")
            steps = panel(page).get_by_role("list", name="Fases do brainstorm")
            await expect(steps).to_contain_text("Revelação")
        await expect(panel(pa)).to_contain_text("seus novos post-its ficam ocultos")

        # --- the countdown's words ---
        timer = panel(pa).get_by_role("timer", name="Tempo restante")
        await expect(timer).to_have_attribute("data-state", "running")
        await expect(timer).to_have_attribute("title", re.compile(r"^\d minutos restantes$"))
        await panel(pf).get_by_role("button", name="Pausar cronômetro").click()
        await expect(panel(pf).get_by_role("status")).to_have_text("Cronômetro pausado.")
        await expect(timer).to_have_attribute("data-state", "paused")
        await expect(timer).to_have_attribute("title", re.compile(r"^Pausado: \d minutos"))
        await panel(pf).get_by_role("button", name="Adicionar um minuto ao cronômetro").click()
        await expect(panel(pf).get_by_role("status")).to_have_text(
            "1 minuto adicionado ao cronômetro."
        )
        await panel(pf).get_by_role("button", name="Retomar cronômetro").click()
        await expect(timer).to_have_attribute("data-state", "running")

        # --- a hidden note, then the phases up to voting ---
        await pa.get_by_label("Nova ideia", exact=True).fill("Fila expressa")
        await pa.get_by_role("button", name="Adicionar ideia").click()
        hidden = sticky(pa, "Ideia oculta: Fila expressa")
        await expect(hidden).to_contain_text("oculta até a revelação")
        await expect(hidden).to_contain_text("só você vê")
        await next_phase(pf, "Revelação", "Próxima fase")
        await expect(sticky(pa, "Ideia: Fila expressa")).to_be_visible()
        await next_phase(pf, "Agrupamento", "Próxima fase")
        await next_phase(pf, "Votação", "Próxima fase")
        await expect(badge(pa)).to_have_text("Votação")

        # --- votes: counts with Portuguese plurals ---
        votes_left = panel(pa).locator(".bs-votes")
        await expect(votes_left).to_have_text("2 de 2 votos restantes · um por ideia")
        kiosk = sticky(pa, "Ideia: Quiosque")
        await kiosk.get_by_role("button", name="Votar em Quiosque").click()
        await expect(votes_left).to_have_text("1 de 2 votos restantes · um por ideia")
        await expect(panel(pa).get_by_role("status")).to_have_text(
            "Você votou em Quiosque. 1 de 2 votos restantes"
        )
        await expect(kiosk.get_by_label("Seus votos: 1")).to_be_visible()
        await kiosk.get_by_role("button", name="Votar em Quiosque").click()  # one per idea
        await expect(panel(pa).get_by_role("alert")).to_have_text(
            "Você já votou nesta ideia: um voto por ideia nesta sessão."
        )
        await expect(panel(pa)).to_contain_text("A contagem de votos fica oculta")
        await panel(pf).get_by_role("button", name="Revelar contagem").click()
        await expect(kiosk.locator(".tally")).to_have_text("1 voto")
        await expect(sticky(pa, "Ideia: Fila expressa").locator(".tally")).to_have_text("0 votos")

        # --- English, mid-session: relabelled in place, nothing lost ---
        await mark(timer)
        await mark(panel(pa))
        before = int(await timer.get_attribute("data-remaining") or "0")
        await pa.evaluate(SWITCH, "en")
        await expect(pa.locator("html")).to_have_attribute("lang", "en")
        await expect(badge(pa)).to_have_text("Voting")
        english_timer = panel(pa).get_by_role("timer", name="Time left")
        await expect(english_timer).to_have_attribute("data-test-mark", "kept")
        await expect(panel(pa)).to_have_attribute("data-test-mark", "kept")
        await expect(english_timer).to_have_attribute("data-state", "running")
        await expect(english_timer).to_have_attribute("title", re.compile(r"^\d minutes left$"))
        after = int(await english_timer.get_attribute("data-remaining") or "0")
        assert 0 <= before - after <= 5, (before, after)
        await expect(votes_left).to_have_text("1 of 2 votes left · one per idea")
        await expect(panel(pa).get_by_role("alert")).to_have_text(
            "You already voted for this idea: one vote per idea in this session."
        )
        await expect(panel(pa)).to_contain_text("Tallies are shown.")
        kiosk = sticky(pa, "Idea: Quiosque")
        await expect(kiosk.locator(".tally")).to_have_text("1 vote")
        await expect(kiosk.get_by_label("Your votes: 1")).to_be_visible()
        await expect(kiosk.get_by_role("button", name="Vote for Quiosque")).to_be_visible()
        await expect(pa.get_by_role("button", name="Add idea")).to_be_visible()
        steps = panel(pa).get_by_role("list", name="Brainstorm phases")
        await expect(steps).to_contain_text("Silent ideation")
        # the facilitator still reads Portuguese
        await expect(badge(pf)).to_have_text("Votação")

        # the facilitator switches too, with a number typed in the form
        next_timer = panel(pf).get_by_label("Cronômetro da próxima fase (minutos)")
        await next_timer.fill("3")
        await pf.evaluate(SWITCH, "en")
        await expect(panel(pf).get_by_label("Timer for the next phase (minutes)")).to_have_value(
            "3"
        )
        await expect(panel(pf).get_by_role("button", name="Pause timer")).to_be_visible()
        await next_phase(pf, "Results", "Next phase")

        # --- the results, and back to Portuguese ---
        await expect(badge(pa)).to_have_text("Results")
        ranked = panel(pa).get_by_role("list", name="Results").get_by_role("listitem")
        await expect(ranked.nth(0)).to_contain_text("Quiosque")
        await expect(ranked.nth(0)).to_contain_text("1 vote")
        await expect(ranked.nth(0)).to_contain_text("by Fay")
        await expect(ranked.nth(1)).to_contain_text("0 votes")
        await pa.evaluate(SWITCH, "pt-BR")
        await expect(badge(pa)).to_have_text("Resultados")
        ranked = panel(pa).get_by_role("list", name="Resultados").get_by_role("listitem")
        await expect(ranked.nth(0)).to_contain_text("1º")
        await expect(ranked.nth(0)).to_contain_text("1 voto")
        await expect(ranked.nth(0)).to_contain_text("por Fay")
        await expect(ranked.nth(1)).to_contain_text("0 votos")
        await expect(panel(pa).locator(".bs-results-summary")).to_have_text(
            "1 voto de 1 participante"
        )
