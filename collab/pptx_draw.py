"""Drawing on PowerPoint slides with python-pptx: text boxes, shapes, tables, pictures.

The report's slides (:mod:`collab.export_pptx`) are built from these: a 16:9 slide of fixed
regions, text set at a size :mod:`collab.pptx_fit` estimates to fit (or flowed on over
continuation slides), native tables paged with their header repeated, pictures scaled into a
box, and every slide's footer. What a slide shows is the caller's; how it is drawn is here,
so every slide of the deck looks alike.

Pure: no clock, no files; :meth:`Canvas.save` gives the same bytes for the same slides.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Pt

from collab.export_report import ExportFile
from collab.pptx_fit import (
    LINE_SPACING,
    Box,
    Para,
    Row,
    clean,
    fill,
    fit_size,
    paginate,
    paragraphs,
    table_pages,
    table_rows,
    take,
    text_width_em,
)

__all__ = [
    "WIDTH",
    "MARGIN",
    "INNER_W",
    "TOP",
    "BOTTOM",
    "GAP",
    "BODY",
    "MUTED",
    "WHITE",
    "HALVES",
    "Picture",
    "Rect",
    "Canvas",
    "load_picture",
    "note_box",
    "numbered",
    "two_columns",
    "heading",
    "bullets",
]

# The 16:9 slide and its regions, in points: title, subtitle, content, footer.
WIDTH, HEIGHT, MARGIN = 960.0, 540.0, 36.0
INNER_W = WIDTH - 2 * MARGIN
TOP, BOTTOM, GAP = 92.0, 498.0, 12.0
_PAD_X, _PAD_Y = 6.0, 3.0  # text box margins
_TITLE: Final = (28, 12)
#: The body text's largest and smallest size, in points.
BODY: Final = (18, 10)
_TABLE_PT: Final = 11
_CELL_X, _CELL_Y = 5.0, 3.0
INK, MUTED, WHITE = "1B1F24", "5F6670", "FFFFFF"  # RRGGBB
_BADGE_PT, _BADGE_H = 9, 16.0
_NOTE_MARGINS = (6.0, 5.0, 6.0, _BADGE_H + 8)  # left, top, right, bottom (the badge's room)
_THUMB = 40.0  # width of a note's picture, at its left
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

Picture = tuple[bytes, int, int]  # bytes PowerPoint shows, width and height in pixels


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def inner(self) -> Box:
        return Box(self.w - 2 * _PAD_X, self.h - 2 * _PAD_Y)


HALVES: Final = (
    Rect(MARGIN, TOP, (INNER_W - GAP) / 2, BOTTOM - TOP),
    Rect(MARGIN + (INNER_W + GAP) / 2, TOP, (INNER_W - GAP) / 2, BOTTOM - TOP),
)


def load_picture(file: ExportFile | None) -> Picture | None:
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


def note_box(cell: Rect, picture: bool) -> Box:
    """The writable inside of a note drawn in ``cell`` by :meth:`Canvas.note`."""
    left, top, right, bottom = _NOTE_MARGINS
    return Box(cell.w - left - right - (_THUMB + 4 if picture else 0), cell.h - top - bottom)


def numbered(title: str, number: int, total: int) -> str:
    """A title with its place among continuation slides, "Title (2/3)"; alone, as it is."""
    return title if total == 1 else f"{title} ({number}/{total})"


def two_columns(paras: Sequence[Para]) -> list[tuple[list[Para], list[Para]]]:
    """``paras`` flowed through two columns a slide, at the body's minimum size."""
    cols = paginate(paras, HALVES[0].inner, BODY[1])
    return [(cols[i], cols[i + 1] if i + 1 < len(cols) else []) for i in range(0, len(cols), 2)]


def heading(text: str) -> Para:
    """A region's heading: one bold paragraph (line breaks folded into spaces)."""
    return Para(" ".join(clean(text).split()), bold=True)


def bullets(items: Sequence[str]) -> list[Para]:
    """A bulleted list, one paragraph (or more, for an item with line breaks) per item."""
    return [para for item in items for para in paragraphs(f"• {item}")]


class Canvas:
    """A deck being drawn: slides of text boxes, shapes, tables and pictures, on one layout.

    Every slide starts from the default template's blank layout, so nothing depends on
    placeholders and every word stays editable.
    """

    def __init__(self) -> None:
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Pt(WIDTH), Pt(HEIGHT)

    # --- primitives --------------------------------------------------------------------

    def slide(self, title: str, notes: str, subtitle: str = "") -> Slide:
        """A new slide with its title, subtitle and speaker notes (the full text it shows)."""
        slide: Slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # "Blank"
        if title:
            self.label(slide, Rect(MARGIN, 18, INNER_W, 46), title, _TITLE)
        if subtitle:
            self.label(slide, Rect(MARGIN, 64, INNER_W, 26), subtitle, (13, 8), MUTED)
        notes_frame = slide.notes_slide.notes_text_frame
        if notes_frame is not None:  # pragma: no branch - the default notes master has a body
            notes_frame.text = clean(notes)
        return slide

    def label(
        self,
        slide: Slide,
        rect: Rect,
        text: str,
        sizes: tuple[int, int],
        color: str = INK,
        *,
        center: bool = False,
    ) -> None:
        """A short text (a title, a caption) as large as fits; past the minimum it ends in "…".

        Titles are names the schema keeps short (200 characters fit at the minimum), so this
        only shortens a text that broke the schema; its slide's notes hold it whole.
        """
        paras = [heading(text)] if sizes[0] >= 20 else paragraphs(" ".join(text.split()))
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
        rect: Rect,
        paras: Sequence[Para],
        size: float,
        color: str = INK,
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

    def image(self, slide: Slide, rect: Rect, picture: Picture) -> None:
        """A picture scaled into ``rect``, aspect kept, centred."""
        data, width, height = picture
        scale = min(rect.w / width, rect.h / height)
        w, h = width * scale, height * scale
        x, y = rect.x + (rect.w - w) / 2, rect.y + (rect.h - h) / 2
        slide.shapes.add_picture(io.BytesIO(data), Pt(x), Pt(y), Pt(w), Pt(h))

    def shape(self, slide: Slide, kind: MSO_SHAPE, rect: Rect, fill: str) -> TextFrame:
        """A filled shape with a thin outline; its text frame, to write in."""
        shape = slide.shapes.add_shape(kind, Pt(rect.x), Pt(rect.y), Pt(rect.w), Pt(rect.h))
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(fill)
        shape.line.color.rgb = _rgb("B8BEC6")
        shape.line.width = Pt(0.75)
        shape.shadow.inherit = False
        frame: TextFrame = shape.text_frame
        return frame

    def gallery(
        self, slide: Slide, rect: Rect, shown: Sequence[tuple[ExportFile, Picture]]
    ) -> None:
        """Pictures stacked in ``rect``, each captioned with its file's name."""
        step = rect.h / max(len(shown), 1)
        for index, (file, picture) in enumerate(shown):
            y = rect.y + index * step
            _, width, height = picture
            h = height * min(rect.w / width, (step - 30) / height)  # the caption right under it
            self.image(slide, Rect(rect.x, y, rect.w, h), picture)
            self.label(
                slide, Rect(rect.x, y + h + 2, rect.w, 22), file.name, (10, 7), MUTED, center=True
            )

    def note(
        self,
        slide: Slide,
        cell: Rect,
        paras: Sequence[Para],
        size: float,
        colors: tuple[str, str],
        picture: Picture | None,
        votes: int,
    ) -> None:
        """A sticky note filling ``cell``: its picture at the left, its text, a vote badge.

        ``colors`` are its fill and ink as ``#rrggbb``; ``paras`` fit :func:`note_box`.
        """
        fill_color, ink = colors
        frame = self.shape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, cell, fill_color[1:])
        left, top, right, bottom = _NOTE_MARGINS
        if picture is not None:
            self.image(
                slide, Rect(cell.x + left, cell.y + top, _THUMB, cell.h - top - bottom), picture
            )
            left += _THUMB + 4
        margins = (left, top, right, bottom)
        self.text(slide, cell, paras, size, ink[1:], frame=frame, margins=margins)
        self._badge(slide, cell, f"● {votes}")

    def _badge(self, slide: Slide, cell: Rect, text: str) -> None:
        width = text_width_em(text) * _BADGE_PT * 1.1 + 8
        rect = Rect(cell.x + cell.w - width - 6, cell.y + cell.h - _BADGE_H - 5, width, _BADGE_H)
        frame = self.shape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, rect, "FFFFFF")
        bold = [Para(text, bold=True)]
        self.text(slide, rect, bold, _BADGE_PT, frame=frame, margins=(2, 1, 2, 1), center=True)

    # --- slide groups ------------------------------------------------------------------

    def card(
        self,
        title: str,
        notes: str,
        regions: Sequence[tuple[Rect, list[Para]]],
        *,
        subtitle: str = "",
        decorate: Callable[[Slide], None] | None = None,
    ) -> None:
        """A slide of text regions at one size; what does not fit flows on after it."""
        size, shown, rests = fill([p for _, p in regions], [r.inner for r, _ in regions], *BODY)
        pages = two_columns([para for rest in rests for para in rest]) if any(rests) else []
        slide = self.slide(numbered(title, 1, 1 + len(pages)), notes, subtitle)
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
        """Slides of two text columns each (``pages`` from :func:`two_columns`)."""
        for number, (left, right) in enumerate(pages, start=first):
            slide = self.slide(numbered(title, number, total or len(pages)), notes, subtitle)
            size, _, _ = fill([left, right], [r.inner for r in HALVES], *BODY)
            for rect, paras in zip(HALVES, (left, right), strict=True):
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
        top = TOP + (66 if intro else 0)
        inner = [w - 2 * _CELL_X for w in widths]
        pad = 2 * _CELL_Y
        head = table_rows([header], inner, _TABLE_PT, BOTTOM - top, padding_pt=pad, bold=True)
        space = BOTTOM - top - sum(row.height_pt for row in head)
        body = table_rows(rows, inner, _TABLE_PT, space, padding_pt=pad, repeat=frozenset({0}))
        pages = table_pages(body, space)
        for number, page in enumerate(pages, start=1):
            slide = self.slide(numbered(title, number, len(pages)), notes, subtitle)
            if intro:
                self.label(slide, Rect(MARGIN, TOP, INNER_W, 60), intro, (16, BODY[1]))
            self.grid(slide, top, widths, [*head, *page], len(head))

    def grid(
        self, slide: Slide, top: float, widths: Sequence[float], rows: Sequence[Row], bold: int
    ) -> None:
        """A native table of ``rows`` at ``top``; the first ``bold`` rows are its header."""
        height = sum(row.height_pt for row in rows)
        shape = slide.shapes.add_table(
            len(rows), len(widths), Pt(MARGIN), Pt(top), Pt(sum(widths)), Pt(height)
        )
        table = shape.table
        for index, width in enumerate(widths):
            table.columns[index].width = Pt(width)
        for r, row in enumerate(rows):
            table.rows[r].height = Pt(row.height_pt)
            for c, text in enumerate(row.cells):
                frame = table.cell(r, c).text_frame
                color = WHITE if r < bold else INK
                margins = (_CELL_X, _CELL_Y, _CELL_X, _CELL_Y)
                self.text(
                    slide,
                    HALVES[0],
                    paragraphs(text, bold=r < bold),
                    _TABLE_PT,
                    color,
                    frame=frame,
                    margins=margins,
                )

    def footers(self, state: str) -> None:
        """Every slide's ``state`` (time and hash) and number, once the count is known."""
        total = len(self.prs.slides)
        for number, slide in enumerate(self.prs.slides, start=1):
            self.label(slide, Rect(MARGIN, 508, 640, 20), state, (9, 6), MUTED)
            self.label(
                slide,
                Rect(WIDTH - MARGIN - 120, 508, 120, 20),
                f"{number}/{total}",
                (9, 6),
                MUTED,
            )

    def save(self) -> bytes:
        """The deck as a .pptx file, the same bytes for the same slides."""
        out = io.BytesIO()
        self.prs.save(out)
        return _deterministic(out.getvalue())


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
