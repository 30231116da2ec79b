"""The PDF of the realistic project: every text in it, intact, on A4 pages, nothing cut off.

The 300-idea project is laid out once for the module (a few seconds); the tests read that
PDF's text with pypdf, its words' positions with poppler's ``pdftotext -bbox``, and its fonts.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from collab.export_html import EXCERPT_CHARS
from collab.export_pdf import FONTS_DIR, ForbiddenFetch, LocalOnlyFetcher, lay_out, render_pdf
from collab.export_report import Report, build_report
from collab.i18n import Text
from http_api.i18n import translate
from tests.support.exports import idea_texts, persona_names, realistic_source

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
SIDE_MARGIN = 16 * MM  # report.css @page


def tr(text: Text) -> str:
    return translate(text, "pt-BR")


def _flat(text: str) -> str:
    """Text with every run of whitespace as one space: lines wrap anywhere in a layout."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Rendered:
    report: Report
    pdf: bytes
    pages: list[str]  # each page's text, flattened
    fetcher: LocalOnlyFetcher

    @property
    def text(self) -> str:
        return " ".join(self.pages)


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    report = build_report(realistic_source())
    fetcher = LocalOnlyFetcher()
    pdf = lay_out(report, tr, fetcher=fetcher).write_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    return Rendered(report, pdf, [_flat(page.extract_text()) for page in reader.pages], fetcher)


def _contains(text: str, wanted: str) -> bool:
    # "Ideia 1: ... nº 1" must not be found inside "... nº 10"
    return re.search(re.escape(_flat(wanted)) + r"(?!\d)", text) is not None


class TestContent:
    def test_every_persona_and_team_member_is_named_with_accents_intact(
        self, rendered: Rendered
    ) -> None:
        """Names with Portuguese and Polish/Spanish letters come out as written."""
        for name in persona_names(realistic_source(ideas=0)):
            assert name in rendered.text
        assert "Conceição" in rendered.text
        assert "Łukasiewicz-Ñúñez" in rendered.text
        assert "Escola & Famílias: comunicação" in rendered.pages[0]

    def test_the_long_bio_is_there_in_full(self, rendered: Rendered) -> None:
        """A 10,000-character bio splits across pages and loses nothing."""
        sentence = "Coordenadora pedagógica em São João del-Rei; ação, coração e atenção"
        assert rendered.text.count(sentence) >= 10_000 // 90

    def test_every_idea_is_on_the_board(self, rendered: Rendered) -> None:
        """All 300 ideas: short ones whole, the 5,000-character ones at least their start."""
        texts = idea_texts(realistic_source())
        assert len(texts) == 300
        missing = [t[:300] for t in texts if not _contains(rendered.text, t[:300])]
        assert not missing

    def test_clusters_show_their_names_idea_counts_and_votes(self, rendered: Rendered) -> None:
        """Each cluster's heading says how many ideas and votes it has."""
        for cluster in rendered.report.clusters:
            name = cluster.name if cluster.name is not None else "Ideias sem grupo"
            heading = f"{name} · Ideias: {len(cluster.ideas)} · Votos: {cluster.votes}"
            assert heading in rendered.text
        assert sum(c.votes for c in rendered.report.clusters) > 0

    def test_the_brainstorm_ranking_is_listed_with_votes(self, rendered: Rendered) -> None:
        """The session's prompt, voters and each ranked idea with its votes."""
        (session,) = rendered.report.sessions
        assert session.prompt in rendered.text
        assert f"Votantes: {session.voters} · Votos: {session.votes}" in rendered.text
        for result in session.ideas:
            start = result.text[: EXCERPT_CHARS // 2]
            assert re.search(rf"\b{result.rank} {re.escape(_flat(start))}", rendered.text)

    def test_the_test_summary_and_results_are_there(self, rendered: Rendered) -> None:
        """Outcomes counted, the average rating in Portuguese, every participant's row."""
        assert "Sucesso: 2 · Parcial: 2 · Falha: 1 · Nota média: 3,0 / 5" in rendered.text
        for n in range(1, 6):
            assert f"Participante {n}" in rendered.text

    def test_prototypes_list_their_files_and_links_as_text(self, rendered: Rendered) -> None:
        assert "esboço do painel.png" in rendered.text
        assert "especificação.pdf" in rendered.text
        assert "https://example.org/prototipo" in rendered.text

    def test_headings_are_in_portuguese(self, rendered: Rendered) -> None:
        for heading in ("Empatizar", "Mapas de empatia", "Quadro de ideias", "Testes com usuários"):
            assert heading in rendered.text


class TestPages:
    def test_every_page_is_numbered_and_says_which_state_it_shows(self, rendered: Rendered) -> None:
        """'X / Y' and the export's time and hash on each page."""
        count = len(rendered.pages)
        state = f"06/12/2026 14:30 UTC · {rendered.report.state_hash}"
        for number, page in enumerate(rendered.pages, start=1):
            assert f"{number} / {count}" in page
            assert state in page

    def test_phases_start_on_their_own_pages_in_order(self, rendered: Rendered) -> None:
        starts = [
            next(i for i, page in enumerate(rendered.pages) if page.count(f"{n}. {name}") >= 2)
            for n, name in enumerate(["Empatizar", "Definir", "Idear", "Prototipar", "Testar"], 1)
        ]
        assert starts == sorted(starts)
        assert len(set(starts)) == 5

    def test_no_page_is_empty(self, rendered: Rendered) -> None:
        """Every page has more than its header and footer (no card pushed a page blank)."""
        for page in rendered.pages:
            assert len(page) > 200, page

    def test_no_word_runs_off_the_page(self, rendered: Rendered) -> None:
        """Every word lies between the side margins and on the page (pdftotext -bbox)."""
        words = list(_words(rendered.pdf))
        assert len(words) > 10_000
        outside = [
            w
            for w in words
            if w.x_min < SIDE_MARGIN - 1
            or w.x_max > A4[0] - SIDE_MARGIN + 1
            or w.y_min < 0
            or w.y_max > A4[1]
        ]
        assert not outside, outside[:5]

    def test_pages_are_a4_with_metadata(self, rendered: Rendered) -> None:
        reader = PdfReader(io.BytesIO(rendered.pdf))
        for page in reader.pages:
            assert float(page.mediabox.width) == pytest.approx(A4[0], abs=0.5)
            assert float(page.mediabox.height) == pytest.approx(A4[1], abs=0.5)
        assert reader.metadata is not None
        assert reader.metadata.title == (
            "Escola & Famílias: comunicação · Relatório de design thinking"
        )
        assert str(reader.root_object["/Lang"]) == "pt-BR"


class TestFonts:
    def test_the_only_fonts_embedded_are_the_shipped_dejavu(self, rendered: Rendered) -> None:
        """Every font on every page is DejaVu, embedded: the same glyphs on every machine."""
        reader = PdfReader(io.BytesIO(rendered.pdf))
        names = set()
        for page in reader.pages:
            for font in _fonts(page):
                names.add(str(font["/BaseFont"]).split("+", 1)[-1])
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.get_object()["/FontDescriptor"]
                    assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        assert names
        assert all("DejaVu" in name for name in names), names

    def test_only_data_urls_and_the_shipped_fonts_were_fetched(self, rendered: Rendered) -> None:
        assert not rendered.fetcher.refused
        fonts = [url for url in rendered.fetcher.fetched if url.startswith("file:")]
        assert sorted(Path(url.removeprefix("file://")).name for url in fonts) == sorted(
            path.name for path in FONTS_DIR.glob("*.ttf")
        )
        assert all(url.startswith(("data:image/", "file:")) for url in rendered.fetcher.fetched)


class TestFetcher:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:1/x",
            "https://example.org/a.png",
            "ftp://example.org/x",
            "file:///etc/passwd",
            f"file://{FONTS_DIR}/../export_report.py",
            f"file://{FONTS_DIR}/LICENSE-DejaVu.txt",
            f"file://evil.example{FONTS_DIR}/DejaVuSans.ttf",
        ],
    )
    def test_everything_but_data_and_fonts_is_refused(self, url: str) -> None:
        fetcher = LocalOnlyFetcher()
        with pytest.raises(ForbiddenFetch, match="refused to fetch"):
            fetcher.fetch(url)
        assert fetcher.refused == [url]

    def test_fonts_and_data_urls_are_served(self) -> None:
        fetcher = LocalOnlyFetcher()
        font = fetcher.fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
        data = fetcher.fetch("data:text/plain;base64,b2s=")
        try:
            assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
            assert data.read() == b"ok"
        finally:
            font.close()
            data.close()


class TestHostileContent:
    def test_markup_in_content_is_text_and_nothing_is_fetched(self) -> None:
        """A persona named like an <img>, a note that closes <style>, links and a colour
        written to reach a server: all printed as text, no URL asked for."""
        source = realistic_source(ideas=3)
        persona = source.document["personas"][0]
        persona["name"] = '<img src="http://127.0.0.1:1/x">'
        persona["avatar"] = "http://127.0.0.1:1/avatar.png"
        idea = source.document["ideas"][0]
        idea["text"] = "</style><script>alert(1)</script>"
        idea["color"] = "red; background: url(http://127.0.0.1:1/c)"
        source.document["prototypes"][0]["links"] = ["http://127.0.0.1:1/link"]
        fetcher = LocalOnlyFetcher()
        pdf = lay_out(build_report(source), tr, fetcher=fetcher).write_pdf()
        text = _flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
        assert '<img src="http://127.0.0.1:1/x">' in text
        assert "</style><script>alert(1)</script>" in text
        assert "http://127.0.0.1:1/avatar.png" in text
        assert "http://127.0.0.1:1/link" in text
        assert not fetcher.refused
        assert not [url for url in fetcher.fetched if "127.0.0.1" in url]


def test_render_pdf_draws_the_same_pages_for_the_same_report(rendered: Rendered) -> None:
    """No clock or chance in what is drawn: every page's content stream is the same again.

    (The whole file is byte-identical only with libharfbuzz-subset: fontTools, WeasyPrint's
    fallback subsetter, stamps the time into each embedded font's ``head`` table.)
    """
    again = PdfReader(io.BytesIO(render_pdf(rendered.report, tr)))
    before = PdfReader(io.BytesIO(rendered.pdf))
    assert len(again.pages) == len(before.pages)
    for new, old in zip(again.pages, before.pages, strict=True):
        drawn, drawn_before = new.get_contents(), old.get_contents()
        assert drawn is not None
        assert drawn_before is not None
        assert drawn.get_data() == drawn_before.get_data()
    assert again.metadata == before.metadata


@dataclass(frozen=True)
class _Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def _words(pdf: bytes) -> Iterator[_Word]:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler's pdftotext is not installed")
    xhtml = subprocess.run(
        [pdftotext, "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    for word in ET.fromstring(xhtml).iter("{http://www.w3.org/1999/xhtml}word"):
        box = [float(word.attrib[key]) for key in ("xMin", "yMin", "xMax", "yMax")]
        yield _Word(word.text or "", *box)


def _fonts(page: Any) -> Iterator[Any]:
    resources = page.get("/Resources") or {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        yield from _fonts(xobject.get_object())
