"""collab.export_pptx: the report as native slides, read back with python-pptx.

The tests check content, not pixels: which slides come in which order, that every name and
idea is there (on a slide or in its notes), that all text is editable text, and, by the
renderer's own estimate and by a cruder independent one, that no text overflows its box.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE
from pptx.presentation import Presentation as Deck
from pptx.shapes.autoshape import Shape
from pptx.shapes.base import BaseShape
from pptx.shapes.picture import Picture
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Length

from collab.artifacts import Phase
from collab.export_pptx import NOTES_PER_SLIDE, render_pptx
from collab.export_report import ExportFile, ExportSource, Report, Scope, build_report
from collab.i18n import Text
from collab.pptx_fit import LINE_SPACING, Para, height_pt
from http_api.i18n import translate
from tests.support.exports import LONG_BIO, idea_texts, persona_names, realistic_source
from tests.support.files import png


def _pt_br(text: Text) -> str:
    return translate(text, "pt-BR")


def _english(text: Text) -> str:
    return translate(text, "en")


def _open(data: bytes) -> Deck:
    return Presentation(io.BytesIO(data))


def _pt(length: int) -> float:
    return float(Emu(length).pt)


def _frames(slide: Slide) -> Iterator[tuple[BaseShape, TextFrame]]:
    for shape in slide.shapes:
        if shape.has_text_frame:
            yield shape, shape.text_frame  # type: ignore[attr-defined]  # has_text_frame checked


def _texts(slide: Slide) -> list[str]:
    """Every text on a slide: its text frames and its tables' cells."""
    texts = [frame.text for _, frame in _frames(slide)]
    for shape in slide.shapes:
        if shape.has_table:
            table = shape.table  # type: ignore[attr-defined]  # has_table checked
            texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def _notes(slide: Slide) -> str:
    frame = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
    return frame.text if frame is not None else ""


def _title(slide: Slide) -> str:
    """The slide's title: its first text box (the divider's is its band)."""
    return next(frame.text for _, frame in _frames(slide) if frame.text)


def _flat(text: str) -> str:
    return "".join(text.split())


def _source(**document: Any) -> ExportSource:
    """The realistic project (30 ideas) with some collections replaced."""
    source = realistic_source(ideas=30)
    return dataclasses.replace(source, document={**source.document, **document})


def _render(source: ExportSource, tr: Any = _pt_br, scope: Scope | None = None) -> Deck:
    return _open(render_pptx(build_report(source, scope or Scope()), tr))


def _shapes(deck: Deck) -> Iterator[BaseShape]:
    return (shape for slide in deck.slides for shape in slide.shapes)


@pytest.fixture(scope="module")
def source() -> ExportSource:
    return realistic_source()


@pytest.fixture(scope="module")
def report(source: ExportSource) -> Report:
    return build_report(source)


@pytest.fixture(scope="module")
def data(report: Report) -> bytes:
    """The 300-idea project rendered once for the module (about a second)."""
    return render_pptx(report, _pt_br)


@pytest.fixture(scope="module")
def deck(data: bytes) -> Deck:
    return _open(data)


@pytest.fixture(scope="module")
def titles(deck: Deck) -> list[str]:
    return [_title(slide) for slide in deck.slides]


class TestStructure:
    def test_slides_are_16_by_9(self, deck: Deck) -> None:
        assert (_pt(deck.slide_width or 0), _pt(deck.slide_height or 0)) == (960, 540)

    def test_the_cover_comes_first_with_project_team_dates_and_state(
        self, deck: Deck, report: Report
    ) -> None:
        cover = "\n".join(_texts(deck.slides[0]))
        assert _title(deck.slides[0]) == report.project.name
        assert report.project.description in cover
        for member in report.team:
            assert member.name in cover
        assert "proprietário" in cover
        assert "Projeto criado em: 24/11/2026 14:30 UTC" in cover
        assert "Exportado em: 06/12/2026 14:30 UTC" in cover
        assert report.state_hash in cover

    def test_phases_come_in_order_each_after_its_divider(self, titles: list[str]) -> None:
        names = ("Empatizar", "Definir", "Idear", "Prototipar", "Testar")
        dividers = [titles.index(name) for name in names]
        assert dividers == sorted(dividers)
        assert dividers[0] == 1

    def test_the_sequence_of_sections(self, titles: list[str], report: Report) -> None:
        """Personas, maps, POVs, HMWs, the board by cluster, results, prototypes, tests."""
        expected = [
            *(persona.name for persona in report.personas),
            *(item.title for item in report.empathy_maps),
            "Pontos de vista",
            "Como poderíamos…",
            *(
                f"Quadro de ideias: {cluster.name or 'Ideias sem grupo'}"
                for cluster in report.clusters
            ),
            "Resultados do brainstorm",
            "Painel semanal da família",
            "Teste com mães e pais",
            "Teste com mães e pais: Resultados",
        ]
        positions = [next(i for i, t in enumerate(titles) if t.startswith(e)) for e in expected]
        assert positions == sorted(positions)

    def test_a_slide_per_persona_and_continuations_for_a_long_bio(
        self, titles: list[str], report: Report
    ) -> None:
        first = report.personas[0].name
        assert [t for t in titles if t.startswith(first)] == [f"{first} ({n}/3)" for n in (1, 2, 3)]
        for persona in report.personas[1:]:
            assert titles.count(persona.name) == 1

    def test_the_board_has_a_slide_per_24_notes_of_a_cluster(
        self, titles: list[str], report: Report
    ) -> None:
        for cluster in report.clusters:
            name = cluster.name or "Ideias sem grupo"
            pages = -(-len(cluster.ideas) // NOTES_PER_SLIDE)
            found = [t for t in titles if t.startswith(f"Quadro de ideias: {name} (")]
            expected = [f"Quadro de ideias: {name} ({n}/{pages})" for n in range(1, pages + 1)]
            assert found == expected

    def test_every_slide_has_a_footer_with_the_state_and_its_number(
        self, deck: Deck, report: Report
    ) -> None:
        total = len(deck.slides)
        for number, slide in enumerate(deck.slides, start=1):
            texts = _texts(slide)
            assert f"Estado: 06/12/2026 14:30 UTC · {report.state_hash}" in texts
            assert f"{number}/{total}" in texts

    def test_every_slide_has_speaker_notes(self, deck: Deck) -> None:
        for slide in deck.slides:
            assert _notes(slide).strip()

    def test_core_properties(self, deck: Deck, report: Report) -> None:
        properties = deck.core_properties
        assert properties.title == report.project.name
        assert properties.language == "pt-BR"
        assert properties.created is not None
        assert properties.created.isoformat().startswith("2026-12-06T14:30")

    def test_the_same_report_gives_the_same_bytes(self, data: bytes, report: Report) -> None:
        assert render_pptx(report, _pt_br) == data


class TestContent:
    def test_every_persona_name_is_on_a_slide(self, deck: Deck, source: ExportSource) -> None:
        everything = "\n".join(t for slide in deck.slides for t in _texts(slide))
        for name in persona_names(source):
            assert name in everything

    def test_every_idea_is_on_the_board_and_in_the_notes(
        self, deck: Deck, source: ExportSource
    ) -> None:
        """Short ideas are on a note whole; every idea's whole text is in some slide's notes."""
        shown = {t for slide in deck.slides for t in _texts(slide)}
        notes = "\n".join(_notes(slide) for slide in deck.slides)
        texts = idea_texts(source)
        assert len(texts) == 300
        for text in texts:
            assert text in notes
            if len(text) < 100:
                assert text in shown

    def test_a_long_idea_is_shortened_on_the_board_and_whole_on_its_own_slides(
        self, deck: Deck, titles: list[str]
    ) -> None:
        long = ("Uma ideia longa sobre participação, inclusão e ação coletiva. " * 80)[:5_000]
        pointers = [
            (number, t)
            for number, slide in enumerate(deck.slides, start=1)
            for t in _texts(slide)
            if "continua no slide" in t
        ]
        assert len(pointers) == 6
        for _, text in pointers:
            assert " …\n" in text
            target = int(text.rsplit(" ", 1)[1])
            title = titles[target - 1]
            assert re.fullmatch(r"Tempo e organização: Ideia \d+ \(1/\d\)", title)
            pages = int(title[-2])
            body = "".join("".join(_texts(deck.slides[target - 1 + n])[2:-2]) for n in range(pages))
            assert _flat(body) == _flat(long)

    def test_the_long_bio_is_split_across_slides_and_whole_in_the_notes(
        self, deck: Deck, titles: list[str]
    ) -> None:
        first = titles.index("Ana Júlia Conceição (1/3)")
        slides = [deck.slides[first + n] for n in range(3)]
        assert LONG_BIO in _notes(slides[0])
        bio = _flat(LONG_BIO)
        pieces = [_flat(t) for slide in slides for t in _texts(slide)]
        assert "".join(piece for piece in pieces if len(piece) > 100 and piece in bio) == bio

    def test_notes_have_details_beyond_the_slide(self, deck: Deck, titles: list[str]) -> None:
        """A board slide's notes name each idea's author and votes."""
        notes = _notes(deck.slides[titles.index("Quadro de ideias: Acesso e inclusão (1/3)")])
        assert "— João Pedro Araújo · Votos:" in notes

    def test_accents_are_intact(self, deck: Deck) -> None:
        everything = "\n".join(t for slide in deck.slides for t in _texts(slide))
        for text in ("Zoë Łukasiewicz-Ñúñez", "São João del-Rei", "“Eu só queria saber"):
            assert text in everything

    def test_notes_are_coloured_rounded_rectangles_with_a_vote_badge(
        self, deck: Deck, titles: list[str], report: Report
    ) -> None:
        slide = deck.slides[titles.index("Quadro de ideias: Acesso e inclusão (1/3)")]
        cluster = report.clusters[0]
        notes = [
            s
            for s in slide.shapes
            if s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and not s.text_frame.text.startswith("●")
        ]
        badges = [t for t in _texts(slide) if t.startswith("● ")]
        assert len(notes) == len(badges) == NOTES_PER_SLIDE
        assert notes[0].auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE
        assert str(notes[0].fill.fore_color.rgb) == "FFF3A6"  # yellow
        assert badges == [f"● {idea.votes}" for idea in cluster.ideas[:NOTES_PER_SLIDE]]
        assert badges[0] != "● 0"

    def test_brainstorm_results_are_a_native_table(self, deck: Deck, titles: list[str]) -> None:
        first = titles.index("Resultados do brainstorm (1/4)")
        rows = []
        for n in range(4):
            (table,) = [s.table for s in deck.slides[first + n].shapes if s.has_table]
            cells = [[cell.text for cell in row.cells] for row in table.rows]
            assert cells[0] == ["Posição", "Ideia", "Grupo", "Votos"]
            rows += cells[1:]
        ranks = [row[0] for row in rows]
        assert sorted(set(ranks), key=int) == [str(n) for n in range(1, 11)]
        assert rows[0][1].startswith("Ideia 1: aplicativo")
        assert rows[0][3] == "11"
        assert "Como poderíamos aproximar escola e famílias?" in _texts(deck.slides[first])

    def test_user_tests_show_results_and_summary(self, deck: Deck, titles: list[str]) -> None:
        summary = "\n".join(_texts(deck.slides[titles.index("Teste com mães e pais")]))
        assert "Sucesso: 2\nParcial: 2\nFalha: 1\nNota média: 3,0" in summary
        slide = deck.slides[titles.index("Teste com mães e pais: Resultados")]
        (table,) = [s.table for s in slide.shapes if s.has_table]
        assert len(table.rows) == 6
        notes = "Achou a reunião em 20 s; pediu notificações por voz."
        assert [c.text for c in table.rows[1].cells] == ["Participante 1", "Sucesso", "1", notes]

    def test_prototypes_list_their_files_and_show_their_images(
        self, deck: Deck, titles: list[str]
    ) -> None:
        slide = deck.slides[titles.index("Painel semanal da família")]
        texts = "\n".join(_texts(slide))
        assert "• esboço do painel.png · image/png · 2,0 kB" in texts
        assert "• especificação.pdf · application/pdf · 120,0 kB" in texts
        assert "baixa fidelidade" in texts
        assert sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) == 1


class TestNoPicturesOfText:
    def test_the_only_pictures_are_the_uploaded_images(
        self, deck: Deck, source: ExportSource
    ) -> None:
        supplied = {hashlib.sha256(f.image).hexdigest() for f in source.files.values() if f.image}
        pictures = [
            hashlib.sha256(shape.image.blob).hexdigest()
            for slide in deck.slides
            for shape in slide.shapes
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
        ]
        assert len(pictures) == 3  # a persona's photo, an idea's sketch, a prototype's sketch
        assert set(pictures) <= supplied

    def test_every_shape_is_text_a_table_a_plain_shape_or_a_picture(self, deck: Deck) -> None:
        kinds = {shape.shape_type for slide in deck.slides for shape in slide.shapes}
        assert kinds <= {
            MSO_SHAPE_TYPE.TEXT_BOX,
            MSO_SHAPE_TYPE.AUTO_SHAPE,
            MSO_SHAPE_TYPE.TABLE,
            MSO_SHAPE_TYPE.PICTURE,
        }


def _estimate(frame: TextFrame) -> tuple[list[Para], list[float]]:
    paras, sizes = [], []
    for paragraph in frame.paragraphs:
        runs = paragraph.runs
        size = runs[0].font.size if runs else None
        assert size is not None or not paragraph.text, "a text without a size"
        paras.append(Para(paragraph.text, bool(runs and runs[0].font.bold)))
        sizes.append(size.pt if size is not None else 0.0)
    return paras, sizes


def _check_fits(frame: TextFrame, width: float, height: float) -> None:
    """By the renderer's estimate, and by an area bound that trusts nothing of it."""
    inner_w = width - _pt(frame.margin_left) - _pt(frame.margin_right)
    inner_h = height - _pt(frame.margin_top) - _pt(frame.margin_bottom)
    paras, sizes = _estimate(frame)
    needed = sum(height_pt([p], inner_w, s) for p, s in zip(paras, sizes, strict=True) if s)
    assert needed <= inner_h + 0.01, (frame.text[:60], needed, inner_h)
    # crude: half an em per character, a line per paragraph at least
    area = sum(len(p.text) * 0.5 * s * s * LINE_SPACING for p, s in zip(paras, sizes, strict=True))
    assert area <= inner_w * inner_h
    assert sum(s * LINE_SPACING for s in sizes) <= inner_h + 0.01
    for paragraph, size in zip(frame.paragraphs, sizes, strict=True):
        if size:
            spacing = paragraph.line_spacing  # exact, in points: what the estimate assumes
            assert isinstance(spacing, Length)
            assert abs(spacing.pt - size * LINE_SPACING) < 0.01


def _check_deck_fits(deck: Deck) -> None:
    width, height = _pt(deck.slide_width or 0), _pt(deck.slide_height or 0)
    for slide in deck.slides:
        for shape in slide.shapes:
            x, y, w, h = (_pt(v or 0) for v in (shape.left, shape.top, shape.width, shape.height))
            assert min(x, y) >= 0
            assert x + w <= width + 0.01
            assert y + h <= height + 0.01
            if shape.has_text_frame and shape.text_frame.text:
                frame: TextFrame = shape.text_frame
                assert frame.word_wrap is True
                _check_fits(frame, w, h)
            if shape.has_table:
                table = shape.table
                assert sum(_pt(row.height) for row in table.rows) <= h + 0.01
                for row in table.rows:
                    for column, cell in zip(table.columns, row.cells, strict=True):
                        _check_fits(cell.text_frame, _pt(column.width), _pt(row.height))


def _note_rects(slide: Slide) -> list[tuple[float, float, float, float]]:
    return [
        (_pt(s.left or 0), _pt(s.top or 0), _pt(s.width or 0), _pt(s.height or 0))
        for s in slide.shapes
        if isinstance(s, Shape)
        and s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
        and s.auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE
        and not s.text_frame.text.startswith("● ")
    ]


class TestFit:
    def test_no_text_overflows_its_box(self, deck: Deck) -> None:
        _check_deck_fits(deck)

    def test_notes_do_not_overlap(self, deck: Deck) -> None:
        assert sum(len(_note_rects(slide)) for slide in deck.slides) == 300
        for slide in deck.slides:
            rects = _note_rects(slide)
            for i, (x, y, w, h) in enumerate(rects):
                for x2, y2, w2, h2 in rects[i + 1 :]:
                    assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y

    def test_the_deck_is_modest_in_size(self, data: bytes) -> None:
        assert len(data) < 1_000_000


_HOSTILE = "<script>alert('x')</script> & \x00nul \x0bvt \x1besc \ufffe end"


@pytest.fixture(scope="module")
def hostile() -> Deck:
    source = realistic_source(ideas=30)
    document = source.document
    first = document["personas"][0]
    personas = [dict(first, name="N" * 10_000, bio="x" * 10_000, quote=_HOSTILE)]
    ideas = [dict(idea) for idea in document["ideas"]]
    ideas[0]["text"] = _HOSTILE
    ideas[1]["text"] = "W" * 10_000
    ideas[2]["color"] = "url(javascript:alert(1))"
    maps = [dict(document["empathyMaps"][0], says=[f"{n} {_HOSTILE}" for n in range(200)])]
    source = dataclasses.replace(
        source,
        document={**document, "personas": personas, "ideas": ideas, "empathyMaps": maps},
        project=dataclasses.replace(source.project, name=_HOSTILE, description="\x00" * 10),
    )
    return _render(source)


class TestHostileText:
    def test_markup_is_text_and_forbidden_characters_are_gone(self, hostile: Deck) -> None:
        everything = "\n".join(t for s in hostile.slides for t in [*_texts(s), _notes(s)])
        assert "<script>alert('x')</script> &" in everything
        assert not re.search("[\x00\x1b\ufffe]", everything)
        assert "_x0000_" not in everything

    def test_a_10000_letter_word_is_split_never_cut(self, hostile: Deck) -> None:
        pieces = [_flat(t) for s in hostile.slides for t in _texts(s)]
        assert "".join(piece for piece in pieces if set(piece) == {"x"}) == "x" * 10_000
        notes = "\n".join(_notes(s) for s in hostile.slides)
        assert "W" * 10_000 in notes

    def test_a_name_longer_than_any_title_ends_in_an_ellipsis_and_is_whole_in_the_notes(
        self, hostile: Deck
    ) -> None:
        slide = next(s for s in hostile.slides if _title(s).startswith("NNN"))
        assert _title(slide).endswith(" …")
        assert "N" * 10_000 in _notes(slide)

    def test_a_bad_colour_is_the_default(self, hostile: Deck) -> None:
        colours = {
            str(s.fill.fore_color.rgb)
            for slide in hostile.slides
            for s in slide.shapes
            if s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
            and s.auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE
        }
        palette = {"FFF3A6", "FFD6A5", "FFB3B3", "FFC8E4", "DCC9FF", "BFE0FF", "C8F0C2", "E3E5E8"}
        assert colours <= {*palette, "FFFFFF"}  # white: the vote badges

    def test_it_still_fits(self, hostile: Deck) -> None:
        _check_deck_fits(hostile)


class TestImages:
    def test_a_bad_image_is_listed_by_name(self) -> None:
        source = realistic_source(ideas=30)
        bad = ExportFile("f-sketch", "quebrado.png", "image/png", 10, b"\x89PNG no", "image/png")
        deck = _render(dataclasses.replace(source, files={**source.files, "f-sketch": bad}))
        everything = "\n".join(t for s in deck.slides for t in _texts(s))
        assert "quebrado.png: não foi possível ler a imagem" in everything
        pictures = [s for s in _shapes(deck) if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1  # the persona's photo only

    def test_a_webp_image_is_shown_as_png(self) -> None:
        out = io.BytesIO()
        Image.new("RGB", (30, 20), "navy").save(out, format="WEBP")
        source = realistic_source(ideas=30)
        webp = ExportFile("f-ana", "ana.webp", "image/webp", 50, out.getvalue(), "image/webp")
        deck = _render(dataclasses.replace(source, files={**source.files, "f-ana": webp}))
        blobs = [s.image for s in _shapes(deck) if isinstance(s, Picture)]
        assert "image/png" in {blob.content_type for blob in blobs}
        assert png(320, 200, "teal") in {blob.blob for blob in blobs}


class TestLanguageAndScope:
    def test_an_english_report_has_english_headings(self) -> None:
        deck = _render(realistic_source(ideas=30, language="en"), _english)
        titles = [_title(slide) for slide in deck.slides]
        for heading in ("Empathize", "Points of view", "How might we…", "Brainstorm results"):
            assert any(title.startswith(heading) for title in titles)
        assert any(t.startswith("Idea board: ") for t in titles)
        assert "Exported: 2026-12-06 14:30 UTC" in "\n".join(_texts(deck.slides[0]))

    def test_phases_outside_the_scope_are_left_out(self) -> None:
        scope = Scope(phases=frozenset({Phase.IDEATE, Phase.TEST}))
        titles = [_title(s) for s in _render(realistic_source(ideas=30), scope=scope).slides]
        assert "Idear" in titles
        assert "Testar" in titles
        for absent in ("Empatizar", "Definir", "Prototipar", "Pontos de vista"):
            assert absent not in titles
        assert not any(t.startswith("Ana Júlia") for t in titles)

    def test_a_session_scope_shows_the_board_and_that_session(self) -> None:
        titles = [_title(s) for s in _render(_source(), scope=Scope(session_id="s-1")).slides]
        assert titles[1] == "Idear"
        assert any(title.startswith("Resultados do brainstorm") for title in titles)
        assert "Testar" not in titles

    def test_an_empty_project_renders_cover_and_dividers(self) -> None:
        names = ("personas", "empathyMaps", "povStatements", "hmwQuestions", "ideas")
        empty: dict[str, list[Any]] = {
            n: [] for n in (*names, "prototypes", "tests", "testResults")
        }
        source = dataclasses.replace(_source(**empty), sessions=[])
        deck = _render(source)
        titles = [_title(s) for s in deck.slides]
        assert titles[1:] == ["Empatizar", "Definir", "Idear", "Prototipar", "Testar"]
        assert "Nada nesta fase ainda." in _texts(deck.slides[1])


class TestVariants:
    @pytest.fixture(scope="class")
    @classmethod
    def variant(cls) -> Deck:
        """Optional parts present: a link, a bad photo, a POV behind an HMW, many images."""
        source = realistic_source(ideas=30)
        document = source.document
        persona = dict(document["personas"][1], avatar="https://example.org/p", avatarFileId="f-b")
        hmw = dict(document["hmwQuestions"][0], povId=document["povStatements"][0]["id"])
        pictures = {
            f"f-{n}": ExportFile(f"f-{n}", f"foto {n}.png", "image/png", 9, png(), "image/png")
            for n in range(5)
        }
        bad = ExportFile("f-b", "quebrada.png", "image/png", 3, b"GIF89a", "image/png")
        prototype = dict(document["prototypes"][0], fileIds=list(pictures))
        bare = dict(prototype, id="p-9", title="Vazio", linkedIdeaIds=[], links=[], fileIds=[])
        changed = {
            "personas": [persona],
            "hmwQuestions": [hmw],
            "prototypes": [prototype, bare],
            "testResults": [dict(r, rating=None) for r in document["testResults"]],
        }
        files = {**source.files, **pictures, "f-b": bad}
        source = dataclasses.replace(source, document={**document, **changed}, files=files)
        return _open(render_pptx(build_report(source), _pt_br))

    def test_a_persona_shows_its_link_and_names_a_photo_it_cannot_show(self, variant: Deck) -> None:
        text = "\n".join(_texts(variant.slides[2]))
        assert "Link: https://example.org/p" in text
        assert "quebrada.png: não foi possível ler a imagem" in text

    def test_an_hmw_names_its_point_of_view(self, variant: Deck) -> None:
        slide = next(s for s in variant.slides if _title(s) == "Como poderíamos…")
        assert "A partir do ponto de vista: uma forma simples" in "\n".join(_texts(slide))

    def test_images_past_two_go_to_gallery_slides(self, variant: Deck) -> None:
        titles = [_title(s) for s in variant.slides]
        first = titles.index("Painel semanal da família")
        assert titles[first + 1] == "Painel semanal da família: Arquivos"
        pictures = [
            sum(isinstance(shape, Picture) for shape in variant.slides[first + n].shapes)
            for n in range(2)
        ]
        assert pictures == [2, 3]
        captions = _texts(variant.slides[first + 1])
        assert {"foto 2.png", "foto 3.png", "foto 4.png"} <= set(captions)

    def test_a_prototype_with_nothing_listed_has_no_headings(self, variant: Deck) -> None:
        slide = next(s for s in variant.slides if _title(s) == "Vazio")
        assert "Arquivos" not in "\n".join(_texts(slide))

    def test_a_test_without_ratings_has_no_average(self, variant: Deck) -> None:
        slide = next(s for s in variant.slides if _title(s) == "Teste com mães e pais")
        assert "Nota média" not in "\n".join(_texts(slide))

    def test_it_fits(self, variant: Deck) -> None:
        _check_deck_fits(variant)


def test_a_pointer_too_long_for_the_note_with_a_head_is_shown_alone() -> None:
    """If a language says "continued on slide" at length, the note shows just that."""

    def wordy(text: Text) -> str:
        if text.template == "continued on slide {number}":  # six lines of a note: no room left
            number = text.params["number"]
            return f"o texto inteiro desta nota continua a partir do slide de número {number}, logo depois deste grupo de ideias do quadro logo depois deste grupo"  # noqa: E501
        return _pt_br(text)

    source = realistic_source(ideas=30)
    deck = _open(render_pptx(build_report(source), wordy))
    pointers = [t for s in deck.slides for t in _texts(s) if "continua a partir do slide" in t]
    assert pointers
    assert all(t.startswith("o texto inteiro") for t in pointers)
    _check_deck_fits(deck)
