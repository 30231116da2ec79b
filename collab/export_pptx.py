"""A report as a PowerPoint deck of native, editable slides (issue 18).

The deck follows the PDF's structure (:mod:`collab.export_html`): a cover, then for each
phase of the report a divider and its slides. Everything is drawn on the default template's
blank layout with our own text boxes, shapes and tables, so nothing depends on placeholders
and every word stays editable; the only pictures are the images members uploaded.

python-pptx does not measure text, so :mod:`collab.pptx_fit` estimates it (pessimistically)
and every text is set at a size that fits by that estimate: smaller down to a minimum, then
split over continuation slides ("… (2/3)"). Two things are shortened instead, visibly, with
"…": a one-line text (a title, a caption, a session's prompt) longer than the schema
allows, and a long idea's note on the board, which names the slide where its whole text
follows. Each slide's speaker notes hold the full text
of what it shows, and every footer names the state shown (time and hash), as the cover does.

Pure: no clock, no files; the same report and translation give the same bytes.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Pt

from collab.artifacts import Phase
from collab.export_html import note_colors
from collab.export_report import (
    Cluster,
    EmpathyMap,
    ExportFile,
    Idea,
    Persona,
    Prototype,
    Report,
    Translate,
    UserTest,
)
from collab.i18n import Text, msg
from collab.pptx_fit import (
    LINE_SPACING,
    Box,
    Para,
    Row,
    clean,
    fill,
    fit_size,
    height_pt,
    paginate,
    paragraphs,
    table_pages,
    table_rows,
    take,
    text_width_em,
)

__all__ = ["NOTES_PER_SLIDE", "render_pptx"]

#: Ideas per idea-board slide: a grid of 6 x 4 notes.
NOTES_PER_SLIDE: Final = 24
_COLUMNS: Final = 6
# The 16:9 slide and its regions, in points: title, subtitle, content, footer.
_WIDTH, _HEIGHT, _MARGIN = 960.0, 540.0, 36.0
_INNER_W = _WIDTH - 2 * _MARGIN
_TOP, _BOTTOM, _GAP = 92.0, 498.0, 12.0
_PAD_X, _PAD_Y = 6.0, 3.0  # text box margins
_TITLE: Final = (28, 12)
_BODY: Final = (18, 10)
_NOTE: Final = (11, 8)
_TABLE_PT: Final = 11
_CELL_X, _CELL_Y = 5.0, 3.0
_BADGE_PT, _BADGE_H = 9, 16.0
_INK, _MUTED, _WHITE, _BAND = "1B1F24", "5F6670", "FFFFFF", "2B4C7E"  # RRGGBB
_QUADRANTS: Final = ("DBEAFE", "FEF3C7", "DCFCE7", "FCE7F3", "FEE2E2", "E0F2FE")
_EPOCH: Final = (1980, 1, 1, 0, 0, 0)  # every zip entry's time, so the bytes repeat
# Decoding a member's upload can fail in many ways; each one lists the file by name instead.
_BAD_IMAGE: Final = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)

_PHASES: Final = {
    Phase.EMPATHIZE: msg("Empathize"),
    Phase.DEFINE: msg("Define"),
    Phase.IDEATE: msg("Ideate"),
    Phase.PROTOTYPE: msg("Prototype"),
    Phase.TEST: msg("Test"),
}
_WORDS: Final = {
    "owner": msg("owner"),
    "editor": msg("editor"),
    "viewer": msg("viewer"),
    "low": msg("low fidelity"),
    "medium": msg("medium fidelity"),
    "high": msg("high fidelity"),
    "success": msg("Success"),
    "partial": msg("Partial"),
    "failure": msg("Failure"),
}

Picture = tuple[bytes, int, int]  # bytes PowerPoint shows, width and height in pixels


@dataclass(frozen=True, slots=True)
class _Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def inner(self) -> Box:
        return Box(self.w - 2 * _PAD_X, self.h - 2 * _PAD_Y)


_HALVES: Final = (
    _Rect(_MARGIN, _TOP, (_INNER_W - _GAP) / 2, _BOTTOM - _TOP),
    _Rect(_MARGIN + (_INNER_W + _GAP) / 2, _TOP, (_INNER_W - _GAP) / 2, _BOTTOM - _TOP),
)


def _picture(file: ExportFile | None) -> Picture | None:
    """The image in a type PowerPoint shows, with its size; None if there is none or it is bad."""
    if file is None or file.image is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(file.image)) as image:
                image.load()
                if image.format in {"PNG", "JPEG", "GIF"}:
                    return file.image, image.width, image.height
                out = io.BytesIO()  # WebP and others: PowerPoint cannot show them as sent
                image.convert("RGBA").save(out, format="PNG")
                return out.getvalue(), image.width, image.height
    except _BAD_IMAGE:
        return None


def _rgb(hex_color: str) -> RGBColor:
    color: RGBColor = RGBColor.from_string(hex_color)  # type: ignore[no-untyped-call]  # untyped in pptx
    return color


def _numbered(title: str, number: int, total: int) -> str:
    return title if total == 1 else f"{title} ({number}/{total})"


def _two_columns(paras: Sequence[Para]) -> list[tuple[list[Para], list[Para]]]:
    """``paras`` flowed through two columns a slide, at the body's minimum size."""
    cols = paginate(paras, _HALVES[0].inner, _BODY[1])
    return [(cols[i], cols[i + 1] if i + 1 < len(cols) else []) for i in range(0, len(cols), 2)]


def _heading(text: str) -> Para:
    return Para(" ".join(clean(text).split()), bold=True)


def _bullets(items: Sequence[str]) -> list[Para]:
    return [para for item in items for para in paragraphs(f"• {item}")]


class _Deck:
    """A deck being built: drawing primitives and slide groups, with the reader's language."""

    def __init__(self, report: Report, tr: Translate) -> None:
        self.report, self.tr = report, tr
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Pt(_WIDTH), Pt(_HEIGHT)
        language = report.project.language
        self.comma = language.split("-", 1)[0] != "en"  # the PDF's rule (export_html)

    def t(self, text: Text) -> str:
        return self.tr(text)

    def word(self, value: str) -> str:
        return self.tr(_WORDS[value]) if value in _WORDS else value

    def when(self, moment: datetime) -> str:
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        pattern = "%d/%m/%Y %H:%M UTC" if self.comma else "%Y-%m-%d %H:%M UTC"
        return aware.astimezone(UTC).strftime(pattern)

    def number(self, value: float) -> str:
        text = f"{value:.1f}"
        return text.replace(".", ",") if self.comma else text

    def size(self, count: int) -> str:
        if count < 1_000:
            return f"{count} B"
        return (
            f"{self.number(count / 1_000)} kB"
            if count < 1_000_000
            else f"{self.number(count / 1_000_000)} MB"
        )

    def unreadable(self, file: ExportFile) -> str:
        return self.t(msg("{name}: the image could not be read", name=file.name))

    # --- primitives --------------------------------------------------------------------

    def slide(self, title: str, notes: str, subtitle: str = "") -> Slide:
        slide: Slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # "Blank"
        if title:
            self.label(slide, _Rect(_MARGIN, 18, _INNER_W, 46), title, _TITLE)
        if subtitle:
            self.label(slide, _Rect(_MARGIN, 64, _INNER_W, 26), subtitle, (13, 8), _MUTED)
        notes_frame = slide.notes_slide.notes_text_frame
        if notes_frame is not None:  # pragma: no branch - the default notes master has a body
            notes_frame.text = clean(notes)
        return slide

    def label(
        self,
        slide: Slide,
        rect: _Rect,
        text: str,
        sizes: tuple[int, int],
        color: str = _INK,
        *,
        center: bool = False,
    ) -> None:
        """A short text (a title, a caption) as large as fits; past the minimum it ends in "…".

        Titles are names the schema keeps short (200 characters fit at the minimum), so this
        only shortens a text that broke the schema; its slide's notes hold it whole.
        """
        paras = [_heading(text)] if sizes[0] >= 20 else paragraphs(" ".join(text.split()))
        size = fit_size(paras, rect.inner, *sizes)
        if size is None:
            size = sizes[1]
            room = Box(rect.inner.width_pt - 2 * size, rect.inner.height_pt)
            head, _ = take(paras, room, size)
            paras = [*head[:-1], Para(head[-1].text + " …", head[-1].bold)]
        self.text(slide, rect, paras, size, color, center=center)

    def text(
        self,
        slide: Slide,
        rect: _Rect,
        paras: Sequence[Para],
        size: float,
        color: str = _INK,
        *,
        frame: TextFrame | None = None,
        margins: tuple[float, float, float, float] = (_PAD_X, _PAD_Y, _PAD_X, _PAD_Y),
        center: bool = False,
    ) -> None:
        """``paras`` in a new text box (or in ``frame``) at ``size``, with exact line spacing."""
        if frame is None:
            box = slide.shapes.add_textbox(Pt(rect.x), Pt(rect.y), Pt(rect.w), Pt(rect.h))
            frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.vertical_anchor = MSO_ANCHOR.TOP
        left, top, right, bottom = (Pt(m) for m in margins)
        frame.margin_left, frame.margin_top, frame.margin_right, frame.margin_bottom = (
            left,
            top,
            right,
            bottom,
        )
        for index, para in enumerate(paras):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.line_spacing = Pt(size * LINE_SPACING)
            if center:
                paragraph.alignment = PP_ALIGN.CENTER
            run = paragraph.add_run()
            run.text = para.text
            run.font.size = Pt(size)
            run.font.bold = para.bold
            run.font.color.rgb = _rgb(color)

    def image(self, slide: Slide, rect: _Rect, picture: Picture) -> None:
        """A picture scaled into ``rect``, aspect kept, centred."""
        data, width, height = picture
        scale = min(rect.w / width, rect.h / height)
        w, h = width * scale, height * scale
        x, y = rect.x + (rect.w - w) / 2, rect.y + (rect.h - h) / 2
        slide.shapes.add_picture(io.BytesIO(data), Pt(x), Pt(y), Pt(w), Pt(h))

    def shape(self, slide: Slide, kind: MSO_SHAPE, rect: _Rect, fill: str) -> TextFrame:
        """A filled shape with a thin outline; its text frame, to write in."""
        shape = slide.shapes.add_shape(kind, Pt(rect.x), Pt(rect.y), Pt(rect.w), Pt(rect.h))
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)
        shape.line.color.rgb = _rgb("B8BEC6")
        shape.line.width = Pt(0.75)
        shape.shadow.inherit = False
        frame: TextFrame = shape.text_frame
        return frame

    # --- slide groups ------------------------------------------------------------------

    def card(
        self,
        title: str,
        notes: str,
        regions: Sequence[tuple[_Rect, list[Para]]],
        *,
        subtitle: str = "",
        decorate: Callable[[Slide], None] | None = None,
    ) -> None:
        """A slide of text regions at one size; what does not fit flows on after it."""
        size, shown, rests = fill([p for _, p in regions], [r.inner for r, _ in regions], *_BODY)
        pages = _two_columns([para for rest in rests for para in rest]) if any(rests) else []
        slide = self.slide(_numbered(title, 1, 1 + len(pages)), notes, subtitle)
        if decorate is not None:
            decorate(slide)
        for (rect, _), page in zip(regions, shown, strict=True):
            self.text(slide, rect, page, size)
        self.columns(title, notes, pages, first=2, total=1 + len(pages), subtitle=subtitle)

    def columns(
        self,
        title: str,
        notes: str,
        pages: Sequence[tuple[list[Para], list[Para]]],
        *,
        first: int = 1,
        total: int = 0,
        subtitle: str = "",
    ) -> None:
        """Slides of two text columns each (``pages`` from :func:`_two_columns`)."""
        for number, (left, right) in enumerate(pages, start=first):
            slide = self.slide(_numbered(title, number, total or len(pages)), notes, subtitle)
            size, _, _ = fill([left, right], [r.inner for r in _HALVES], *_BODY)
            for rect, paras in zip(_HALVES, (left, right), strict=True):
                if paras:
                    self.text(slide, rect, paras, size)

    def table(
        self,
        title: str,
        notes: str,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        intro: str = "",
        subtitle: str = "",
    ) -> None:
        """A native table over as many slides as its rows need, the header on each."""
        top = _TOP + (66 if intro else 0)
        inner = [w - 2 * _CELL_X for w in widths]
        pad = 2 * _CELL_Y
        head = table_rows([header], inner, _TABLE_PT, _BOTTOM - top, padding_pt=pad, bold=True)
        space = _BOTTOM - top - sum(row.height_pt for row in head)
        body = table_rows(rows, inner, _TABLE_PT, space, padding_pt=pad, repeat=frozenset({0}))
        pages = table_pages(body, space)
        for number, page in enumerate(pages, start=1):
            slide = self.slide(_numbered(title, number, len(pages)), notes, subtitle)
            if intro:
                self.label(slide, _Rect(_MARGIN, _TOP, _INNER_W, 60), intro, (16, _BODY[1]))
            self.grid(slide, top, widths, [*head, *page], len(head))

    def grid(
        self, slide: Slide, top: float, widths: Sequence[float], rows: Sequence[Row], bold: int
    ) -> None:
        height = sum(row.height_pt for row in rows)
        shape = slide.shapes.add_table(
            len(rows), len(widths), Pt(_MARGIN), Pt(top), Pt(sum(widths)), Pt(height)
        )
        table = shape.table
        for index, width in enumerate(widths):
            table.columns[index].width = Pt(width)
        for r, row in enumerate(rows):
            table.rows[r].height = Pt(row.height_pt)
            for c, text in enumerate(row.cells):
                frame = table.cell(r, c).text_frame
                color = _WHITE if r < bold else _INK
                margins = (_CELL_X, _CELL_Y, _CELL_X, _CELL_Y)
                self.text(
                    slide,
                    _HALVES[0],
                    paragraphs(text, bold=r < bold),
                    _TABLE_PT,
                    color,
                    frame=frame,
                    margins=margins,
                )

    def footers(self) -> None:
        """Every slide's state (time and hash) and number, once the count is known."""
        report = self.report
        state = f"{self.t(msg('State'))}: {self.when(report.taken_at)} · {report.state_hash}"
        total = len(self.prs.slides)
        for number, slide in enumerate(self.prs.slides, start=1):
            self.label(slide, _Rect(_MARGIN, 508, 640, 20), state, (9, 6), _MUTED)
            self.label(
                slide,
                _Rect(_WIDTH - _MARGIN - 120, 508, 120, 20),
                f"{number}/{total}",
                (9, 6),
                _MUTED,
            )


# --- sections ------------------------------------------------------------------------------


def _cover(d: _Deck) -> None:
    report, project = d.report, d.report.project
    team = [f"{member.name} — {d.word(member.role)}" for member in report.team]
    facts = [
        f"{d.t(msg('Project created'))}: {d.when(project.created_at)}",
        f"{d.t(msg('Exported'))}: {d.when(report.taken_at)}",
        f"{d.t(msg('State'))}: {report.state_hash}",
        *(f"{d.t(_PHASES[phase])}: {report.counts[phase]}" for phase in report.phases),
    ]
    notes = "\n".join([project.name, project.description, *facts, "", d.t(msg("Team")), *team])
    side = (_INNER_W - _GAP) / 2
    regions = [
        (_Rect(_MARGIN, _TOP, _INNER_W, 120), paragraphs(project.description)),
        (_Rect(_MARGIN, _TOP + 132, side, 274), [_heading(d.t(msg("Team"))), *_bullets(team)]),
        (
            _Rect(_MARGIN + side + _GAP, _TOP + 132, side, 274),
            [p for f in facts for p in paragraphs(f)],
        ),
    ]
    d.card(project.name, notes, regions, subtitle=d.t(msg("Design thinking report")))


def _divider(d: _Deck, phase: Phase) -> None:
    report = d.report
    parts: dict[Phase, list[tuple[Text, int]]] = {
        Phase.EMPATHIZE: [
            (msg("Personas"), len(report.personas)),
            (msg("Empathy maps"), len(report.empathy_maps)),
        ],
        Phase.DEFINE: [
            (msg("Points of view"), len(report.povs)),
            (msg("How might we…"), len(report.hmws)),
        ],
        Phase.IDEATE: [
            (msg("Ideas"), report.idea_count),
            (msg("Brainstorm results"), len(report.sessions)),
        ],
        Phase.PROTOTYPE: [(msg("Prototypes"), len(report.prototypes))],
        Phase.TEST: [(msg("User tests"), len(report.tests))],
    }
    lines = [f"{d.t(name)}: {count}" for name, count in parts[phase]]
    if not any(count for _, count in parts[phase]):
        lines = [d.t(msg("Nothing in this phase yet."))]
    name = d.t(_PHASES[phase])
    slide = d.slide("", "\n".join([name, *lines]))
    band = _Rect(0, 170, _WIDTH, 110)
    d.shape(slide, MSO_SHAPE.RECTANGLE, band, _BAND)
    d.label(slide, _Rect(_MARGIN, 190, _INNER_W, 70), name, (40, 16), _WHITE, center=True)
    d.label(
        slide, _Rect(_MARGIN, 300, _INNER_W, 40), " · ".join(lines), (18, 10), _MUTED, center=True
    )


def _persona(d: _Deck, persona: Persona) -> None:
    picture = _picture(persona.photo)
    left: list[Para] = [Para(persona.role, bold=True), *paragraphs(persona.demographics)]
    left += [Para(""), *paragraphs(persona.quote)] if persona.quote else []
    if persona.photo is not None and picture is None:
        left.append(Para(d.unreadable(persona.photo)))
    if persona.link:
        left.append(Para(f"{d.t(msg('Link'))}: {persona.link}"))
    lists = [
        (msg("Goals"), persona.goals),
        (msg("Pains"), persona.pains),
        (msg("Gains"), persona.gains),
    ]
    top = _TOP + (162 if picture else 0)
    right_x, right_w = _MARGIN + 232, _INNER_W - 232
    col = (right_w - 2 * _GAP) / 3
    regions = [
        (_Rect(_MARGIN, top, 220, _BOTTOM - top), left),
        (_Rect(right_x, _TOP, right_w, 150), paragraphs(persona.bio)),
        *(
            (
                _Rect(right_x + i * (col + _GAP), _TOP + 162, col, 244),
                [_heading(d.t(name)), *_bullets(items)],
            )
            for i, (name, items) in enumerate(lists)
        ),
    ]
    notes = [persona.name, persona.role, persona.demographics, persona.quote, "", persona.bio]
    for name, items in lists:
        notes += ["", d.t(name), *(f"• {item}" for item in items)]
    notes += [f"{persona.photo.name}" if persona.photo else "", persona.link or ""]

    def photo(slide: Slide) -> None:
        if picture is not None:
            d.image(slide, _Rect(_MARGIN, _TOP, 220, 150), picture)

    d.card(persona.name, "\n".join(notes), regions, subtitle=d.t(msg("Personas")), decorate=photo)


def _empathy_map(d: _Deck, item: EmpathyMap) -> None:
    parts = [
        (msg("Says"), item.says),
        (msg("Thinks"), item.thinks),
        (msg("Does"), item.does),
        (msg("Feels"), item.feels),
        (msg("Pains"), item.pains),
        (msg("Gains"), item.gains),
    ]
    half = (_INNER_W - _GAP) / 2
    rects = [
        *(
            _Rect(_MARGIN + (i % 2) * (half + _GAP), _TOP + (i // 2) * 155, half, 145)
            for i in range(4)
        ),
        *(_Rect(_MARGIN + i * (half + _GAP), _TOP + 316, half, 90) for i in range(2)),
    ]
    regions = [
        (rect, [_heading(d.t(name)), *_bullets(items)])
        for rect, (name, items) in zip(rects, parts, strict=True)
    ]
    notes = [item.title, item.persona or ""]
    for name, items in parts:
        notes += ["", d.t(name), *(f"• {entry}" for entry in items)]

    def quadrants(slide: Slide) -> None:
        for rect, fill_color in zip(rects, _QUADRANTS, strict=True):
            d.shape(slide, MSO_SHAPE.RECTANGLE, rect, fill_color)

    subtitle = (
        f"{d.t(msg('Persona'))}: {item.persona}" if item.persona else d.t(msg("Empathy maps"))
    )
    title = item.title or d.t(msg("Empathy maps"))
    d.card(title, "\n".join(notes), regions, subtitle=subtitle, decorate=quadrants)


def _define(d: _Deck) -> None:
    report = d.report
    if report.povs:
        paras: list[Para] = []
        for pov in report.povs:
            paras += [Para(pov.user, bold=True), *paragraphs(f"{d.t(msg('Needs'))}: {pov.need}")]
            paras += [*paragraphs(f"{d.t(msg('Because (insight)'))}: {pov.insight}"), Para("")]
        title = d.t(msg("Points of view"))
        d.columns(title, "\n".join(p.text for p in paras), _two_columns(paras))
    if report.hmws:
        paras = []
        for hmw in report.hmws:
            paras += _bullets([hmw.question])
            if hmw.pov:
                paras += paragraphs(f"   {d.t(msg('From point of view'))}: {hmw.pov}")
        title = d.t(msg("How might we…"))
        d.columns(title, "\n".join(p.text for p in paras), _two_columns(paras))


# The grid of notes on an idea-board slide, and the inside of one note.
_CELL_W = (_INNER_W - (_COLUMNS - 1) * _GAP) / _COLUMNS
_ROWS = NOTES_PER_SLIDE // _COLUMNS
_CELL_H = (_BOTTOM - _TOP - (_ROWS - 1) * 10) / _ROWS
_NOTE_MARGINS = (6.0, 5.0, 6.0, _BADGE_H + 8)  # left, top, right, bottom (the badge's room)
_THUMB = 40.0  # width of a note's picture, at its left


def _note_box(picture: bool) -> Box:
    left, top, right, bottom = _NOTE_MARGINS
    return Box(_CELL_W - left - right - (_THUMB + 4 if picture else 0), _CELL_H - top - bottom)


@dataclass(frozen=True, slots=True)
class _Note:
    idea: Idea
    paras: list[Para]
    size: int
    picture: Picture | None
    whole: bool  # False: the note is shortened and its text follows on slides of its own


def _note(d: _Deck, idea: Idea, continued_on: int) -> _Note:
    """What one note shows: its whole text at a size that fits, or a head and a pointer."""
    picture = _picture(idea.image)
    paras = paragraphs(idea.text)
    if idea.image is not None and picture is None:
        paras.append(Para(d.unreadable(idea.image)))
    box = _note_box(picture is not None)
    size = fit_size(paras, box, *_NOTE)
    if size is not None:
        return _Note(idea, paras, size, picture, whole=True)
    size = _NOTE[1]
    pointer = paragraphs(d.t(msg("continued on slide {number}", number=continued_on)), bold=True)
    # the head leaves room for the pointer under it and for " …" at its end
    room = box.height_pt - height_pt(pointer, box.width_pt, size)
    shown = pointer
    if room >= size * LINE_SPACING:
        head, _ = take(paras, Box(box.width_pt - 2 * size, room), size)
        shown = [*head[:-1], Para(head[-1].text + " …"), *pointer]
    return _Note(idea, shown, size, picture, whole=False)


def _badge(d: _Deck, slide: Slide, cell: _Rect, votes: int) -> None:
    text = f"● {votes}"
    width = text_width_em(text) * _BADGE_PT * 1.1 + 8
    rect = _Rect(cell.x + cell.w - width - 6, cell.y + cell.h - _BADGE_H - 5, width, _BADGE_H)
    frame = d.shape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, rect, "FFFFFF")
    d.text(
        slide,
        rect,
        [Para(text, bold=True)],
        _BADGE_PT,
        frame=frame,
        margins=(2, 1, 2, 1),
        center=True,
    )


def _board_slide(d: _Deck, slide: Slide, notes: Sequence[_Note]) -> None:
    for index, note in enumerate(notes):
        row, column = divmod(index, _COLUMNS)
        cell = _Rect(
            _MARGIN + column * (_CELL_W + _GAP), _TOP + row * (_CELL_H + 10), _CELL_W, _CELL_H
        )
        fill_color, ink = note_colors(note.idea.color)
        frame = d.shape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, cell, fill_color[1:])
        left, top, right, bottom = _NOTE_MARGINS
        if note.picture is not None:
            d.image(
                slide,
                _Rect(cell.x + left, cell.y + top, _THUMB, cell.h - top - bottom),
                note.picture,
            )
            left += _THUMB + 4
        d.text(
            slide,
            cell,
            note.paras,
            note.size,
            ink[1:],
            frame=frame,
            margins=(left, top, right, bottom),
        )
        _badge(d, slide, cell, note.idea.votes)


def _idea_notes(d: _Deck, ideas: Sequence[Idea]) -> str:
    lines = []
    for idea in ideas:
        by = f" — {idea.author}" if idea.author else ""
        image = f" [{idea.image.name}]" if idea.image else ""
        lines.append(f"• {idea.text}{by} · {d.t(msg('Votes'))}: {idea.votes}{image}")
    return "\n".join(lines)


def _board(d: _Deck, cluster: Cluster) -> None:
    """A cluster's slides: notes in a grid, then a slide (or more) per shortened note."""
    name = cluster.name if cluster.name is not None else d.t(msg("Ideas in no cluster"))
    title = f"{d.t(msg('Idea board'))}: {name}"
    subtitle = f"{d.t(msg('Votes'))}: {cluster.votes} · {d.t(msg('Ideas'))}: {len(cluster.ideas)}"
    chunks = [
        cluster.ideas[i : i + NOTES_PER_SLIDE]
        for i in range(0, len(cluster.ideas), NOTES_PER_SLIDE)
    ] or [()]
    following = len(d.prs.slides) + len(chunks) + 1  # the first slide after the grid slides
    notes: list[_Note] = []
    long: list[tuple[str, Idea, list[tuple[list[Para], list[Para]]]]] = []
    for idea in cluster.ideas:
        note = _note(d, idea, following)
        notes.append(note)
        if not note.whole:
            pages = _two_columns(paragraphs(idea.text))
            long.append((f"{name}: {d.t(msg('Idea'))} {len(notes)}", idea, pages))
            following += len(pages)
    for number, chunk in enumerate(chunks, start=1):
        slide = d.slide(_numbered(title, number, len(chunks)), _idea_notes(d, chunk), subtitle)
        _board_slide(d, slide, notes[(number - 1) * NOTES_PER_SLIDE : number * NOTES_PER_SLIDE])
    for heading, idea, pages in long:
        d.columns(heading, _idea_notes(d, [idea]), pages, subtitle=title)


def _session(d: _Deck, index: int) -> None:
    session = d.report.sessions[index]
    names = {cluster.id: cluster.name for cluster in d.report.clusters}
    header = [d.t(msg("Rank")), d.t(msg("Idea")), d.t(msg("Cluster")), d.t(msg("Votes"))]
    rows = [
        [str(r.rank), r.text, names.get(r.cluster_id) or "", str(r.votes)] for r in session.ideas
    ]
    voters, votes = d.t(msg("Voters")), d.t(msg("Votes"))
    facts = f"{d.when(session.taken_at)} · {voters}: {session.voters} · {votes}: {session.votes}"
    notes = "\n".join(
        [session.prompt, facts, *(f"{r.rank}. {r.text} ({r.votes})" for r in session.ideas)]
    )
    widths = [56.0, _INNER_W - 56 - 190 - 70, 190.0, 70.0]
    title = d.t(msg("Brainstorm results"))
    d.table(title, notes, header, rows, widths, intro=session.prompt, subtitle=facts)


def _gallery(
    d: _Deck, slide: Slide, rect: _Rect, shown: Sequence[tuple[ExportFile, Picture]]
) -> None:
    """Pictures stacked in ``rect``, each captioned with its file's name."""
    step = rect.h / max(len(shown), 1)
    for index, (file, picture) in enumerate(shown):
        y = rect.y + index * step
        _, width, height = picture
        h = height * min(rect.w / width, (step - 30) / height)  # the caption right under it
        d.image(slide, _Rect(rect.x, y, rect.w, h), picture)
        d.label(
            slide, _Rect(rect.x, y + h + 2, rect.w, 22), file.name, (10, 7), _MUTED, center=True
        )


def _prototype(d: _Deck, item: Prototype) -> None:
    pictures = [(file, _picture(file)) for file in item.files]
    images = [(file, picture) for file, picture in pictures if picture is not None]
    files = [
        f"{file.name} · {file.content_type} · {d.size(file.size)}"
        + (f" ({d.unreadable(file)})" if file.image is not None and picture is None else "")
        for file, picture in pictures
    ]
    paras = paragraphs(item.description)
    for name, entries in (
        (msg("Builds on ideas"), item.ideas),
        (msg("Links"), item.links),
        (msg("Files"), files),
    ):
        if entries:
            paras += [Para(""), _heading(d.t(name)), *_bullets(entries)]
    width = _INNER_W - (356 if images else 0)
    subtitle = d.word(item.fidelity) if item.fidelity else d.t(msg("Prototypes"))
    notes = "\n".join([item.title, item.description, "", *item.ideas, *item.links, *files])

    def first_images(slide: Slide) -> None:
        _gallery(d, slide, _Rect(_MARGIN + width + _GAP, _TOP, 344, _BOTTOM - _TOP), images[:2])

    d.card(
        item.title,
        notes,
        [(_Rect(_MARGIN, _TOP, width, _BOTTOM - _TOP), paras)],
        subtitle=subtitle,
        decorate=first_images,
    )
    rest = images[2:]
    for number, start in enumerate(range(0, len(rest), 4), start=1):
        slide = d.slide(
            _numbered(f"{item.title}: {d.t(msg('Files'))}", number, (len(rest) + 3) // 4), notes
        )
        for column, pair in enumerate((rest[start : start + 2], rest[start + 2 : start + 4])):
            _gallery(
                d,
                slide,
                _Rect(
                    _MARGIN + column * (_INNER_W + _GAP) / 2,
                    _TOP,
                    (_INNER_W - _GAP) / 2,
                    _BOTTOM - _TOP,
                ),
                pair,
            )


def _test(d: _Deck, test: UserTest) -> None:
    summary = [f"{d.word(outcome)}: {count}" for outcome, count in test.outcomes.items()]
    if test.average_rating is not None:
        summary.append(f"{d.t(msg('Average rating'))}: {d.number(test.average_rating)}")
    subtitle = (
        f"{d.t(msg('Prototype tested'))}: {test.prototype}"
        if test.prototype
        else d.t(msg("User tests"))
    )
    regions = [
        (_HALVES[0], [_heading(d.t(msg("Script"))), *paragraphs(test.script)]),
        (_HALVES[1], [_heading(d.t(msg("Summary"))), *(p for s in summary for p in paragraphs(s))]),
    ]
    header = [
        d.t(text) for text in (msg("Participant"), msg("Outcome"), msg("Rating"), msg("Notes"))
    ]
    rows = [
        [r.participant, d.word(r.outcome), "" if r.rating is None else str(r.rating), r.notes]
        for r in test.results
    ]
    notes = "\n".join(
        [test.title, test.script, "", *summary, "", *(" · ".join(row) for row in rows)]
    )
    d.card(test.title, notes, regions, subtitle=subtitle)
    title = f"{test.title}: {d.t(msg('Results'))}"
    d.table(title, notes, header, rows, [170.0, 120.0, 80.0, _INNER_W - 370], subtitle=subtitle)


def _sections(d: _Deck, phase: Phase) -> None:
    report = d.report
    if phase is Phase.EMPATHIZE:
        for persona in report.personas:
            _persona(d, persona)
        for item in report.empathy_maps:
            _empathy_map(d, item)
    elif phase is Phase.DEFINE:
        _define(d)
    elif phase is Phase.IDEATE:
        for cluster in report.clusters:
            _board(d, cluster)
        for index in range(len(report.sessions)):
            _session(d, index)
    elif phase is Phase.PROTOTYPE:
        for prototype in report.prototypes:
            _prototype(d, prototype)
    else:
        for test in report.tests:
            _test(d, test)


def _deterministic(data: bytes) -> bytes:
    """``data`` re-zipped with fixed entry times (python-pptx stamps them with the clock)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry))
    return out.getvalue()


def render_pptx(report: Report, tr: Translate) -> bytes:
    """The report as a .pptx file, in the language ``tr`` speaks.

    Args:
        report: what to show; only the phases in ``report.phases`` get slides.
        tr: says a server text in the reader's language.
    """
    deck = _Deck(report, tr)
    _cover(deck)
    for phase in report.phases:
        _divider(deck, phase)
        _sections(deck, phase)
    deck.footers()
    properties = deck.prs.core_properties
    properties.title = clean(report.project.name)
    properties.subject = deck.t(msg("Design thinking report"))
    properties.language = clean(report.project.language)
    properties.author = properties.last_modified_by = "DTTools"
    properties.revision = 1
    taken_at = (
        report.taken_at.astimezone(UTC).replace(tzinfo=None)
        if report.taken_at.tzinfo
        else report.taken_at
    )
    properties.created = properties.modified = taken_at
    out = io.BytesIO()
    deck.prs.save(out)
    return _deterministic(out.getvalue())
