"""Exports in the browser: the workspace's Export dialog, the print view, importing an archive.

The server answers every export with its job at once (``export_wait_s=0``), so the dialog
always follows a job by polling it, as it does for a big project. What the page offers to
download is caught as a real download and read back: the file holds what was written.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from playwright.async_api import Locator, Page, Route, expect

import tests.browser.test_untranslated as untranslated
from http_api.keys import EXPORTS
from http_api.static import page_languages
from tests.browser.helpers import add_member, card, new_project, note, open_workspace, rest
from tests.conftest import RunningServer
from tests.support.api import RegisteredUser
from tests.support.browser import ApiUser, ConsoleErrors, NewContext, signed_in_page
from tests.support.timing import TIMEOUT

pytestmark = pytest.mark.shared_server(open_rooms=False, export_wait_s=0.0)


async def open_dialog(page: Page) -> Locator:
    """Open the Export dialog from the workspace's top bar (the focus lands on a format)."""
    await page.get_by_role("button", name="Export", exact=True).click()
    found = page.get_by_role("dialog")
    await expect(found).to_be_visible()
    return found


def progress(box: Locator) -> Locator:
    return box.get_by_role("progressbar")


async def downloaded(page: Page, link: Locator) -> tuple[str, bytes]:
    """Click a download link; the name the browser saves the file as, and its bytes."""
    async with page.expect_download() as caught:
        await link.click()
    download = await caught.value
    path = await download.path()
    return download.suggested_filename, await asyncio.to_thread(Path(path).read_bytes)


async def finished_archive(server: RunningServer, user: RegisteredUser, project: str) -> bytes:
    """An archive export of ``project`` made through REST, downloaded as bytes."""
    job = await rest(server, user, "POST", f"/v1/projects/{project}/export", {"format": "archive"})
    await server.app[EXPORTS].wait(UUID(job["id"]), TIMEOUT)
    job = await rest(server, user, "GET", f"/v1/projects/{project}/exports/{job['id']}")
    assert job["status"] == "done", job
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.http_url + job["download_url"], headers=user.headers) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.read()


async def idea(server: RunningServer, user: RegisteredUser, project: str, text: str) -> None:
    await rest(server, user, "POST", f"/v1/projects/{project}/ideas", {"text": text})


class TestExportDialog:
    async def test_csv_and_json_exports_download_what_was_written(
        self,
        server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """A CSV then a JSON export run to the end of their progress bar; each link downloads
        a file that holds the note on the board, and says which state of the project it is."""
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Clinic")
        await idea(server, ana, project, "Self check-in kiosk")
        _, page = await open_workspace(new_context, server, ana, project, "ideate")
        await expect(note(page, "Self check-in kiosk")).to_be_visible()
        await page.locator(".topbar").screenshot(path=artifacts_dir / "topbar.png")

        box = await open_dialog(page)
        await expect(box).to_have_accessible_name("Export Clinic")
        await expect(box.get_by_label("PDF")).to_be_checked()
        await expect(box.get_by_label("PDF")).to_be_focused()
        for phase in ("Empathize", "Define", "Ideate", "Prototype", "Test"):
            await expect(box.get_by_label(phase)).to_be_checked()
        await box.screenshot(path=artifacts_dir / "idle.png", animations="disabled")

        await box.get_by_label("CSV (zip)").check()
        await box.get_by_role("button", name="Start export").click()
        bar = progress(box)
        await expect(bar).to_have_attribute("aria-valuenow", "100")
        result = box.locator(".export-result")
        link = result.get_by_role("link", name=re.compile(r"\.csv\.zip$"))
        await expect(link).to_be_focused()  # the focus goes to what there is to do next
        await box.screenshot(path=artifacts_dir / "done.png", animations="disabled")

        listed = await rest(server, ana, "GET", f"/v1/projects/{project}/exports")
        made = listed["items"][0]
        assert made["format"] == "csv"
        await expect(result).to_contain_text(f"(state {made['state_hash']})")
        name, data = await downloaded(page, link)
        assert name == made["file_name"]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert "Self check-in kiosk" in archive.read("ideas.csv").decode("utf-8-sig")
        # the recent exports list it too, with its own link
        recent = box.locator(".export-recent")
        await expect(recent.get_by_role("link", name=made["file_name"])).to_be_visible()

        await box.get_by_label("JSON").check()
        await box.get_by_label("Empathize").uncheck()
        await box.get_by_role("button", name="Start export").click()
        link = result.get_by_role("link", name=re.compile(r"\.json$"))
        await expect(link).to_be_visible()
        await expect(bar).to_have_attribute("aria-valuenow", "100")
        name, data = await downloaded(page, link)
        body: dict[str, Any] = json.loads(data)
        assert name.endswith(".json")
        assert [i["text"] for i in body["document"]["ideas"]] == ["Self check-in kiosk"]
        assert "personas" not in body["document"]  # Empathize was left out
        await expect(result).to_contain_text(body["state_hash"])

        await page.keyboard.press("Escape")
        await expect(box).to_be_hidden()
        await expect(page.get_by_role("button", name="Export", exact=True)).to_be_focused()

    async def test_progress_follows_the_job_until_it_is_ready(
        self,
        server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """While the server says the file is being made, the bar and the stage say so; then
        it fills, says Ready, and offers the file. (The test holds the job's status at
        "rendering" until it has looked: a small project is made faster than a poll.)"""
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Clinic")
        await idea(server, ana, project, "Paper forms")
        _, page = await open_workspace(new_context, server, ana, project, "ideate")
        held = True

        async def hold(route: Route) -> None:
            if not held:
                await route.continue_()
                return
            response = await route.fetch()
            job = await response.json()
            job |= {
                "status": "running",
                "progress": 0.45,
                "stage": "rendering",
                "download_url": None,
            }
            await route.fulfill(response=response, json=job)

        await page.route(re.compile(r"/v1/projects/[^/]+/exports/[^/]+$"), hold)
        box = await open_dialog(page)
        await box.get_by_label("CSV (zip)").check()
        await box.get_by_role("button", name="Start export").click()
        bar = progress(box)
        await expect(bar).to_have_attribute("aria-valuenow", "45")
        await expect(bar).to_have_accessible_name("Making the file")
        await expect(box.locator(".export-result")).to_be_hidden()
        # the form keeps what the export was asked with while it runs
        await expect(box.get_by_label("PDF")).to_be_disabled()
        await box.screenshot(path=artifacts_dir / "in-progress.png", animations="disabled")
        held = False
        await expect(bar).to_have_attribute("aria-valuenow", "100")
        await expect(bar).to_have_accessible_name("Ready")
        await expect(box.get_by_role("link", name=re.compile(r"\.csv\.zip$")).first).to_be_visible()
        await expect(box.get_by_label("PDF")).to_be_enabled()

    async def test_an_archive_has_no_phases_and_at_least_one_phase_is_needed(
        self, server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """Choosing Archive greys out the phases (an archive is the whole project); with
        every phase unchecked, Start explains instead of exporting."""
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Clinic")
        _, page = await open_workspace(new_context, server, ana, project)
        box = await open_dialog(page)
        await box.get_by_label("Archive (.zip, re-importable)").check()
        await expect(box.get_by_label("Define")).to_be_disabled()
        await expect(box).to_contain_text("An archive always holds the whole project")
        await box.get_by_label("JSON").check()
        for phase in ("Empathize", "Define", "Ideate", "Prototype", "Test"):
            await box.get_by_label(phase).uncheck()
        await box.get_by_role("button", name="Start export").click()
        await expect(box.get_by_role("alert")).to_have_text("Choose at least one phase.")
        await expect(box.get_by_label("Empathize")).to_be_focused()
        await expect(progress(box)).to_be_hidden()
        listed = await rest(server, ana, "GET", f"/v1/projects/{project}/exports")
        assert listed["items"] == []

    async def test_the_print_view_opens_the_current_phase_in_a_new_tab(
        self, server: RunningServer, new_context: NewContext, api_user: ApiUser
    ) -> None:
        """The dialog's print action opens the server's printable page of the phase shown."""
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Clinic")
        await idea(server, ana, project, "Paper forms")
        context, page = await open_workspace(new_context, server, ana, project, "ideate")
        box = await open_dialog(page)
        async with context.expect_page() as opened:
            await box.get_by_role("button", name="Print view of Ideate").click()
        printed = await opened.value
        await printed.wait_for_load_state()
        assert printed.url.endswith(f"/v1/projects/{project}/print?phases=ideate")
        await expect(printed.locator("body")).to_contain_text("Paper forms")
        await expect(box).to_be_visible()  # the dialog stays where it was

    async def test_a_viewer_sees_why_the_project_refuses_the_export(
        self,
        server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
        artifacts_dir: Path,
    ) -> None:
        """The owner keeps exports to the team while a viewer has the dialog open: the viewer
        gets the server's reason; once reloaded, a viewer sees no Export button at all."""
        ana = await api_user(server, name="Ana")
        vic = await api_user(server, name="Vic")
        project = await new_project(server, ana, "Clinic")
        await add_member(server, ana, project, vic, "viewer")
        _, page = await open_workspace(new_context, server, vic, project)
        box = await open_dialog(page)
        await rest(server, ana, "PUT", f"/v1/projects/{project}", {
            "name": "Clinic", "description": "", "phase": "empathize",
            "viewers_can_export": False,
        })  # fmt: skip
        async with page.expect_console_message(lambda m: "403" in m.text):
            await box.get_by_role("button", name="Start export").click()
        await expect(box.get_by_role("alert")).to_have_text("Viewers may not export this project")
        await expect(progress(box)).to_be_hidden()
        assert len(console_errors.take("status of 403")) == 1
        await box.screenshot(path=artifacts_dir / "refused.png")
        await page.reload()
        await expect(page.get_by_role("button", name="Team", exact=True)).to_be_visible()
        await expect(page.get_by_role("button", name="Export", exact=True)).to_be_hidden()


class TestImport:
    async def test_an_imported_archive_opens_as_a_new_project(
        self,
        server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        console_errors: ConsoleErrors,
        artifacts_dir: Path,
    ) -> None:
        """A damaged file is refused with the server's reason; the archive of a project
        becomes a new project, opened at once, with the persona and the note it held."""
        ana = await api_user(server, name="Ana")
        project = await new_project(server, ana, "Clinic")
        await rest(server, ana, "POST", f"/v1/projects/{project}/personas", {"name": "Maria"})
        await idea(server, ana, project, "Self check-in kiosk")
        archive = await finished_archive(server, ana, project)
        page = await signed_in_page(await new_context(), server, ana)
        picker = page.get_by_label("Import project")
        await expect(page.get_by_role("button", name="Import project")).to_be_visible()

        async with page.expect_console_message(lambda m: "422" in m.text):
            await picker.set_input_files(
                {"name": "broken.zip", "mimeType": "application/zip", "buffer": b"not a zip"}
            )
        failure = page.locator(".import-panel").get_by_role("alert")
        await expect(failure).to_contain_text("Could not import broken.zip: ")
        assert len(console_errors.take("status of 422")) == 1
        await page.screenshot(path=artifacts_dir / "import-failed.png", full_page=True)

        await picker.set_input_files(
            {"name": "clinic.dttools.zip", "mimeType": "application/zip", "buffer": archive}
        )
        await expect(page).to_have_url(re.compile(r"#/projects/[0-9a-f-]{36}/empathize$"))
        copy = page.url.split("/")[-2]
        assert copy != project
        await expect(page.locator(".status")).to_have_attribute(
            "data-status", re.compile("saved|live")
        )
        await expect(page.get_by_role("heading", name="Clinic", level=1)).to_be_visible()
        await expect(card(page, "Maria")).to_be_visible()
        await (
            page.get_by_role("navigation", name="Phases").get_by_role("link", name="Ideate").click()
        )
        await expect(note(page, "Self check-in kiosk")).to_be_visible()
        mine = await rest(server, ana, "GET", f"/v1/projects/{copy}")
        assert mine["role"] == "owner"


class TestExportLanguage:
    async def test_the_dialog_follows_the_language_and_shows_no_english(
        self,
        server: RunningServer,
        new_context: NewContext,
        api_user: ApiUser,
        artifacts_dir: Path,
    ) -> None:
        """The open dialog relabels itself in Portuguese (it stays open, with its choices),
        and an export run in it, its result and the recent exports show no English."""
        ana = await api_user(server, name="Ana Souza")
        project = await new_project(server, ana, "Fila do restaurante")
        await idea(server, ana, project, "Totem de pedidos")
        _, page = await open_workspace(new_context, server, ana, project, "ideate")
        box = await open_dialog(page)
        await box.get_by_label("CSV (zip)").check()

        await page.evaluate("async () => (await import('/static/app/i18n.js')).setLocale('pt-BR')")
        await expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
        box = page.get_by_role("dialog", name="Exportar Fila do restaurante")
        await expect(box).to_be_visible()
        await expect(box.get_by_label("CSV (zip)")).to_be_checked()
        await expect(box.get_by_role("group", name="Formato")).to_be_visible()
        await expect(box.get_by_role("group", name="Fases")).to_be_visible()
        await expect(box.get_by_label("Arquivo (.zip, reimportável)")).to_be_visible()
        await expect(box.get_by_label("Empatizar")).to_be_checked()
        await expect(
            box.get_by_role("button", name="Versão para impressão de Idear")
        ).to_be_visible()
        await expect(page.get_by_role("button", name="Exportar", exact=True)).to_be_attached()

        await box.get_by_role("button", name="Iniciar exportação").click()
        await expect(progress(box)).to_have_accessible_name("Pronto")
        await expect(box.locator(".export-result")).to_contain_text("Mostra o projeto como estava")
        await expect(box.locator(".export-recent li")).to_have_count(1)
        await box.screenshot(path=artifacts_dir / "pt-BR-done.png", animations="disabled")

        fragments = untranslated._english_fragments()
        assert len(fragments) > 50  # the catalogues were read
        user_content = ["Ana Souza", "Fila do restaurante", "Totem de pedidos", ana.email]
        user_content += page_languages().values()
        text = await page.evaluate(untranslated._VISIBLE)
        assert untranslated._untranslated(text, fragments, user_content) == []
