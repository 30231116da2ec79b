"""How much text fits in a box: estimates, font sizes and page breaks for the PPTX export.

PowerPoint lays text out when a slide is opened, and python-pptx cannot measure it, so the
export estimates instead. The estimate is deliberately pessimistic: every glyph is taken to
be wider than it is in the theme's font (Calibri, or Carlito in LibreOffice), lines wrap
greedily at spaces (a word longer than a line breaks anywhere, as PowerPoint breaks it) and
every line is :data:`LINE_SPACING` times the font size, which the renderer also sets as the
paragraph's exact spacing. A text the estimate says fits therefore fits; a text that does not
is set smaller, down to a minimum, and past that it is split over more boxes (slides) at
word boundaries. Nothing here cuts text: every function either keeps all of it or hands the
rest back.

Pure: no python-pptx, no files; sizes are points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "LINE_SPACING",
    "Para",
    "Box",
    "clean",
    "paragraphs",
    "text_width_em",
    "count_lines",
    "height_pt",
    "fits",
    "fit_size",
    "take",
    "paginate",
    "fill",
    "Row",
    "table_rows",
    "table_pages",
]

#: Line height as a multiple of the font size (the renderer sets exactly this spacing).
LINE_SPACING: Final = 1.2
# Average advance widths in em, above Calibri's real ones (lower case ~0.47, capitals ~0.58,
# M/W/m ~0.86): overestimating wastes a little space, underestimating overflows a box.
_NARROW_EM: Final = 0.55
_CAPITAL_EM: Final = 0.65
_BROAD_EM: Final = 0.9
_WIDE_EM: Final = 1.0  # CJK ideographs, full-width forms and most emoji take a full em
_BOLD: Final = 1.08
_BROAD: Final = frozenset("MWmw@%")
# XML 1.0 forbids C0 controls other than tab, LF and CR, lone surrogates and U+FFFE/U+FFFF;
# a text holding one would make the whole file unreadable, so they go before anything else.
_FORBIDDEN: Final = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BREAKS: Final = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_SPACES: Final = re.compile(r"[ \t\u00a0]+")
_WORD: Final = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph of a text box: its text (no line breaks) and whether it is bold."""

    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Box:
    """The writable inside of a text box (its size less its margins), in points."""

    width_pt: float
    height_pt: float


def clean(text: str) -> str:
    """``text`` safe for XML and for the estimate: forbidden characters dropped.

    Line and page breaks of any kind become ``\\n`` (a vertical tab is PowerPoint's own
    line break); runs of spaces and tabs become one space, since the estimate counts a gap
    between words as one space.
    """
    text = _BREAKS.sub("\n", text)
    return _SPACES.sub(" ", _FORBIDDEN.sub("", text))


def paragraphs(text: str, *, bold: bool = False) -> list[Para]:
    """``text`` cleaned and cut at its line breaks, one :class:`Para` per line."""
    return [Para(line.strip(), bold) for line in clean(text).split("\n")]


def _glyph_em(char: str) -> float:
    if unicodedata.east_asian_width(char) in "WF":
        return _WIDE_EM
    if char in _BROAD:
        return _BROAD_EM
    return _CAPITAL_EM if char.isupper() else _NARROW_EM


def text_width_em(text: str) -> float:
    """The estimated width of ``text`` on one line, in em (multiply by the size in points)."""
    return sum(_glyph_em(char) for char in text)


def count_lines(text: str, line_em: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes when wrapped greedily in lines ``line_em`` wide.

    An empty text still takes one line (an empty paragraph has a height). A word wider than
    a line starts on a line of its own and breaks where the line is full.
    """
    scale = _BOLD if bold else 1.0
    space = _NARROW_EM * scale
    lines, used = 1, 0.0
    for match in _WORD.finditer(text):
        word = match.group()
        width = text_width_em(word) * scale
        if used == 0.0 and width <= line_em:
            used = width
        elif used + space + width <= line_em:
            used += space + width
        else:
            if used > 0.0:
                lines += 1
            used = 0.0
            for char in word:  # a word wider than a line: fill lines glyph by glyph
                glyph = _glyph_em(char) * scale
                if used + glyph > line_em and used > 0.0:
                    lines += 1
                    used = 0.0
                used += glyph
    return lines


def height_pt(paras: Sequence[Para], width_pt: float, size_pt: float) -> float:
    """The estimated height of ``paras`` set at ``size_pt`` in a box ``width_pt`` wide."""
    line_em = width_pt / size_pt
    lines = sum(count_lines(para.text, line_em, bold=para.bold) for para in paras)
    return lines * size_pt * LINE_SPACING


def fits(paras: Sequence[Para], box: Box, size_pt: float) -> bool:
    """Whether ``paras`` set at ``size_pt`` fit in ``box`` by the estimate."""
    return height_pt(paras, box.width_pt, size_pt) <= box.height_pt


def fit_size(paras: Sequence[Para], box: Box, max_pt: int, min_pt: int) -> int | None:
    """The largest whole size from ``max_pt`` down to ``min_pt`` at which ``paras`` fit.

    None when even ``min_pt`` is too big: the caller must split the text (:func:`take`).
    """
    for size in range(max_pt, min_pt - 1, -1):
        if fits(paras, box, size):
            return size
    return None


def _cut(text: str, line_em: float, lines: int, bold: bool) -> int:
    """The longest prefix of ``text`` that fits in ``lines`` lines: where to cut it.

    Cuts at the end of a word if a whole word fits, else inside the first word (a word
    longer than the box, such as a pasted URL or a hostile run of letters). 0: not a glyph.
    """
    ends = [match.end() for match in _WORD.finditer(text)]
    low, high = 0, len(ends)  # ends[:low] fit; ends[high:] do not
    while low < high:
        middle = (low + high + 1) // 2
        if count_lines(text[: ends[middle - 1]], line_em, bold=bold) <= lines:
            low = middle
        else:
            high = middle - 1
    if low:
        return ends[low - 1]
    start = len(text) - len(text.lstrip())
    low, high = start, ends[0] if ends else start
    while low < high:
        middle = (low + high + 1) // 2
        if count_lines(text[:middle], line_em, bold=bold) <= lines:
            low = middle
        else:
            high = middle - 1
    return 0 if low == start else low


def take(paras: Sequence[Para], box: Box, size_pt: float) -> tuple[list[Para], list[Para]]:
    """What of ``paras`` fits in ``box`` at ``size_pt``, and the rest.

    Whole paragraphs go first; the first one that does not fit whole is split at a word
    boundary, and a bold heading is never left alone at the bottom of a box. The first part
    is never empty when ``paras`` is not, so paging always advances.

    Raises:
        ValueError: the box cannot hold a single line at this size.
    """
    line_em = box.width_pt / size_pt
    line_pt = size_pt * LINE_SPACING
    capacity = int(box.height_pt // line_pt)
    if capacity < 1 or line_em < _WIDE_EM * _BOLD:
        raise ValueError(f"a box of {box} cannot hold a line at {size_pt} pt")
    page: list[Para] = []
    used = 0
    for index, para in enumerate(paras):
        need = count_lines(para.text, line_em, bold=para.bold)
        if used + need <= capacity:
            page.append(para)
            used += need
            continue
        rest = list(paras[index:])
        cut = _cut(para.text, line_em, capacity - used, para.bold) if used < capacity else 0
        if cut:
            page.append(Para(para.text[:cut].rstrip(), para.bold))
            rest[0] = Para(para.text[cut:].lstrip(), para.bold)
        elif len(page) > 1 and page[-1].bold:  # keep a heading with what it heads
            rest.insert(0, page.pop())
        return page, rest
    return page, []


def paginate(
    paras: Sequence[Para], first: Box, size_pt: float, rest: Box | None = None
) -> list[list[Para]]:
    """``paras`` split into pages: the first fills ``first``, the others ``rest`` (or first).

    Empty ``paras`` give one empty page, so a box is drawn even when there is nothing in it.
    """
    pages: list[list[Para]] = []
    remaining = list(paras)
    box = first
    while remaining or not pages:
        page, remaining = take(remaining, box, size_pt)
        pages.append(page)
        box = rest or first
    return pages


def fill(
    contents: Sequence[Sequence[Para]], boxes: Sequence[Box], max_pt: int, min_pt: int
) -> tuple[int, list[list[Para]], list[list[Para]]]:
    """Set several boxes of one slide at one size; what each shows, and what is left over.

    The size is the largest at which every box fits, down to ``min_pt``; a box that does not
    fit even then shows what :func:`take` gives it and hands the rest back.
    """
    sizes = [
        fit_size(paras, box, max_pt, min_pt) for paras, box in zip(contents, boxes, strict=True)
    ]
    size = min((min_pt if found is None else found for found in sizes), default=max_pt)
    shown: list[list[Para]] = []
    rests: list[list[Para]] = []
    for paras, box in zip(contents, boxes, strict=True):
        page, rest = (list(paras), []) if fits(paras, box, size) else take(paras, box, size)
        shown.append(page)
        rests.append(rest)
    return size, shown, rests


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its cells' texts (``\\n`` between paragraphs) and its estimated height."""

    cells: tuple[str, ...]
    height_pt: float


def _row_height(cells: Sequence[str], widths: Sequence[float], size_pt: float, bold: bool) -> float:
    return max(
        height_pt(paragraphs(cell, bold=bold), width, size_pt)
        for cell, width in zip(cells, widths, strict=True)
    )


def table_rows(
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    size_pt: float,
    max_height_pt: float,
    *,
    padding_pt: float = 0.0,
    repeat: frozenset[int] = frozenset(),
    bold: bool = False,
) -> list[Row]:
    """``rows`` with their heights; a row taller than ``max_height_pt`` is split in several.

    ``widths`` are the cells' writable widths and ``padding_pt`` the cells' top plus bottom
    margins (part of a row's height). A split row continues in the next with the rest of
    each cell's text; the columns in ``repeat`` (a rank, a name) are repeated there.
    """
    out: list[Row] = []
    for row in rows:
        cells = tuple(clean(cell) for cell in row)
        while True:
            height = _row_height(cells, widths, size_pt, bold) + padding_pt
            if height <= max_height_pt:
                out.append(Row(cells, height))
                break
            box_height = max_height_pt - padding_pt
            parts = [
                take(paragraphs(c, bold=bold), Box(w, box_height), size_pt)
                for c, w in zip(cells, widths, strict=True)
            ]
            heads = tuple("\n".join(p.text for p in page) for page, _ in parts)
            out.append(Row(heads, _row_height(heads, widths, size_pt, bold) + padding_pt))
            # The row did not fit, so some cell has a rest. A repeated cell is repeated only if
            # it was shown whole, so every pass takes text and the loop ends.
            cells = tuple(
                cells[i] if i in repeat and not rest else "\n".join(p.text for p in rest)
                for i, (_, rest) in enumerate(parts)
            )
    return out


def table_pages(rows: Sequence[Row], height_pt: float) -> list[list[Row]]:
    """``rows`` grouped into pages whose heights add up to at most ``height_pt`` each.

    Each row must fit a page on its own (:func:`table_rows` sees to that). Empty ``rows``
    give one empty page.
    """
    pages: list[list[Row]] = [[]]
    used = 0.0
    for row in rows:
        if pages[-1] and used + row.height_pt > height_pt:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row.height_pt
    return pages
