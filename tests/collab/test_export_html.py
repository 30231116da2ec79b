"""The report's HTML: the print view's page and the PDF's source.

It is checked as a document (what it loads, what it escapes, which sections it has) rather
than as a layout: tests/collab/test_export_pdf.py looks at the laid-out pages.
"""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser
from importlib import resources

import pytest

from collab.artifacts import Phase
from collab.export_html import EXCERPT_CHARS, LONG_NOTE_CHARS, render_html
from collab.export_report import Scope, build_report, note_colors
from collab.i18n import Text
from http_api.i18n import translate
from tests.support.exports import idea_texts, persona_names, realistic_source

FONT_URL = "/fonts/"


def pt(text: Text) -> str:
    return translate(text, "pt-BR")


def en(text: Text) -> str:
    return translate(text, "en")


_VOID = {"meta", "img", "br", "hr", "input", "link"}


class _Elements(HTMLParser):
    """Every start tag with its attributes, the text outside tags, and each text's classes
    (its own element's and its ancestors')."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.classes: dict[str, set[str]] = {}
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in _VOID:
            self._open.append((tag, (dict(attrs).get("class") or "").split()))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.classes.setdefault(data, set()).update(c for _, cs in self._open for c in cs)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(build_report(realistic_source()), pt, font_url=FONT_URL)


class TestDocument:
    def test_it_is_standalone_with_no_scripts_and_only_inline_images(self, html: str) -> None:
        """What a strict CSP allows: inline style, data: images, fonts from font_url."""
        tags = _parse(html).tags
        names = {name for name, _ in tags}
        assert "script" not in names
        assert "link" not in names  # no stylesheet, icon or prefetch to load
        assert "iframe" not in names
        assert "object" not in names
        images = [attrs["src"] for name, attrs in tags if name == "img"]
        assert len(images) >= 3  # persona photo, the sketch on a note, the prototype's
        assert all(src is not None and src.startswith("data:image/png;base64,") for src in images)
        hrefs = [attrs.get("href") for name, attrs in tags if name == "a"]
        assert all(href is not None and href.startswith("#phase-") for href in hrefs)
        assert 'url("/fonts/DejaVuSans.ttf")' in html
        assert html.count("url(") == 4  # the four faces, nothing else

    def test_its_language_title_and_state_are_the_report_s(self, html: str) -> None:
        report = build_report(realistic_source())
        tags = _parse(html).tags
        assert ("html", {"lang": "pt-BR"}) in tags
        assert "<title>Escola &amp; Famílias: comunicação · Relatório de design thinking" in html
        assert f"06/12/2026 14:30 UTC · {report.state_hash}" in html
        assert "counter(page)" in html
        assert "counter(pages)" in html

    def test_every_phase_has_a_section_in_order(self, html: str) -> None:
        sections = [attrs["id"] for name, attrs in _parse(html).tags if name == "section"]
        assert sections == [f"phase-{phase.value}" for phase in Phase]

    def test_everything_written_is_there(self, html: str) -> None:
        """Personas, every idea (whole, on the board), cluster names."""
        text = "".join(_parse(html).text)
        for name in persona_names(realistic_source(ideas=0)):
            assert name in text
        for idea in idea_texts(realistic_source()):
            assert idea in text
        for cluster in ("Acesso e inclusão", "Comunicação com as famílias", "Ideias sem grupo"):
            assert cluster in text

    def test_long_notes_leave_the_grid_and_rankings_show_an_excerpt(self, html: str) -> None:
        """A grid item taller than a page would be cut: long notes are full-width blocks."""
        texts = idea_texts(realistic_source())
        long_idea = next(t for t in texts if len(t) > LONG_NOTE_CHARS)
        short_idea = texts[0]
        classes = _parse(html).classes
        assert "note" in classes[long_idea]
        assert "notes" not in classes[long_idea]
        assert {"note", "notes"} <= classes[short_idea]
        assert long_idea[: EXCERPT_CHARS - 1].rstrip() + "…" in classes


class TestLanguage:
    def test_an_english_report_has_english_headings_and_iso_dates(self) -> None:
        html = render_html(build_report(realistic_source(language="en")), en, font_url=FONT_URL)
        assert ("html", {"lang": "en"}) in _parse(html).tags
        for heading in ("Empathize", "Personas", "Empathy maps", "Idea board", "User tests"):
            assert f">{heading}" in html or f" {heading}<" in html
        assert "Average rating: <b>3.0 / 5</b>" in html
        assert "2026-12-06 14:30 UTC" in html
        assert "Empatizar" not in html

    def test_a_portuguese_report_has_portuguese_headings_and_dates(self, html: str) -> None:
        for heading in ("Empatizar", "Mapas de empatia", "Quadro de ideias", "Testes com usuários"):
            assert heading in html
        assert "Nota média: <b>3,0 / 5</b>" in html
        assert "24/11/2026" in html  # the project's creation day

    @pytest.mark.parametrize(("language", "expected"), [("pt-BR", "3,5 MB"), ("en", "3.5 MB")])
    def test_file_sizes_are_in_decimal_units_with_the_languages_mark(
        self, language: str, expected: str
    ) -> None:
        source = realistic_source(ideas=0, language=language)
        big = replace(source.files["f-spec"], size=3_500_000)
        source = replace(source, files={**source.files, "f-spec": big})
        tr = en if language == "en" else pt
        html = render_html(build_report(source), tr, font_url=FONT_URL)
        assert f"application/pdf, {expected})" in html
        assert f"image/png, 2{expected[1]}0 kB)" in html


class TestScope:
    def test_phases_out_of_scope_have_no_section(self) -> None:
        source = realistic_source(ideas=5)
        scope = Scope(phases=frozenset({Phase.DEFINE, Phase.TEST}))
        html = render_html(build_report(source, scope), pt, font_url=FONT_URL)
        sections = [attrs["id"] for name, attrs in _parse(html).tags if name == "section"]
        assert sections == ["phase-define", "phase-test"]
        assert "1. Definir" in html
        assert "2. Testar" in html
        assert "Mapas de empatia" not in html
        assert "Quadro de ideias" not in html
        assert "Ideia 1:" not in html

    def test_a_phase_in_scope_with_nothing_in_it_says_so(self) -> None:
        source = realistic_source(ideas=0)
        source.document["prototypes"].clear()
        scope = Scope(phases=frozenset({Phase.PROTOTYPE}))
        html = render_html(build_report(source, scope), pt, font_url=FONT_URL)
        assert "Nada nesta fase ainda." in html


class TestHostileContent:
    def test_members_text_is_escaped_everywhere(self) -> None:
        """Markup, a closing </style> and a URL in a link stay text: nothing to load or run."""
        source = realistic_source(ideas=3)
        persona = source.document["personas"][0]
        persona["name"] = '<img src="http://127.0.0.1:1/x">'
        persona["avatar"] = "javascript:alert(1)"
        idea = source.document["ideas"][0]
        idea["text"] = "</style><script>alert(1)</script>"
        source.document["prototypes"][0]["links"] = ["http://127.0.0.1:1/link"]
        html = render_html(build_report(source), pt, font_url=FONT_URL)
        parsed = _parse(html)
        assert "script" not in {name for name, _ in parsed.tags}
        assert all(
            attrs["src"] is not None and attrs["src"].startswith("data:")
            for name, attrs in parsed.tags
            if name == "img"
        )
        text = "".join(parsed.text)
        assert '<img src="http://127.0.0.1:1/x">' in text
        assert "</style><script>alert(1)</script>" in text
        assert "javascript:alert(1)" in text
        assert "&lt;/style&gt;&lt;script&gt;" in html
        assert html.count("</style>") == 1

    @pytest.mark.parametrize(
        "color",
        ["red; background: url(http://127.0.0.1:1/c)", "#12345", "#1234567", "expression(x)", ""],
    )
    def test_a_colour_that_is_not_one_becomes_the_default(self, color: str) -> None:
        assert note_colors(color) == ("#fff3a6", "#1b1f24")

    def test_palette_names_and_hex_colours_are_used(self) -> None:
        assert note_colors("blue") == ("#bfe0ff", "#1b1f24")
        assert note_colors("#FFEE00") == ("#ffee00", "#1b1f24")
        assert note_colors("#102030") == ("#102030", "#ffffff")  # dark: white text

    def test_a_hostile_colour_never_reaches_the_style(self) -> None:
        source = realistic_source(ideas=1)
        source.document["ideas"][0]["color"] = "red;}</style><style>*{background:url(//x)}"
        html = render_html(build_report(source), pt, font_url=FONT_URL)
        assert "url(//x)" not in html.replace("&lt;", "<").split("<body>", 1)[0]
        assert 'style="background-color: #fff3a6; color: #1b1f24"' in html

    def test_a_stylesheet_that_could_close_its_style_element_is_refused(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """report.css is ours, but a future edit holding "</" would end <style> early."""

        class _Package:  # the package's files, where report.css holds "</style>"
            def __truediv__(self, name: str) -> _Package:
                return self

            def read_text(self, encoding: str) -> str:
                return "p { color: red }</style><script>"

        monkeypatch.setattr(resources, "files", lambda package: _Package())
        with pytest.raises(ValueError, match="must not contain"):
            render_html(build_report(realistic_source(ideas=0)), pt, font_url=FONT_URL)

    @pytest.mark.parametrize("url", ['/fonts/"); x', "/fonts/)", "/fonts/ x", "/fonts/</style>"])
    def test_a_font_url_unsafe_in_css_is_refused(self, url: str) -> None:
        with pytest.raises(ValueError, match="font URL"):
            render_html(build_report(realistic_source(ideas=0)), pt, font_url=url)
