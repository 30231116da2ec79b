"""A report as a PowerPoint deck of native, editable slides (issue 18).

The deck follows the PDF's structure (:mod:`collab.export_html`): a cover, then for each
phase of the report a divider and its slides. This module is that structure: what each
slide shows and in which order. How it is drawn (text boxes, shapes, tables, footers, all
editable, on the blank layout) is :mod:`collab.pptx_draw`; the only pictures are the images
members uploaded.

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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from pptx.enum.shapes import MSO_SHAPE
from pptx.slide import Slide

from collab.artifacts import Phase
from collab.export_report import (
    PHASE_NAMES,
    Cluster,
    EmpathyMap,
    ExportFile,
    Idea,
    Persona,
    Prototype,
    Report,
    Translate,
    UserTest,
    format_moment,
    format_number,
    format_size,
    note_colors,
    say_word,
)
from collab.i18n import Text, msg
from collab.pptx_draw import (
    BOTTOM,
    GAP,
    HALVES,
    INNER_W,
    MARGIN,
    MUTED,
    TOP,
    WHITE,
    WIDTH,
    Canvas,
    Picture,
    Rect,
    bullets,
    heading,
    load_picture,
    note_box,
    numbered,
    two_columns,
)
from collab.pptx_fit import (
    LINE_SPACING,
    Box,
    Para,
    clean,
    fit_size,
    height_pt,
    paragraphs,
    take,
)

__all__ = ["NOTES_PER_SLIDE", "render_pptx"]

#: Ideas per idea-board slide: a grid of 6 x 4 notes.
NOTES_PER_SLIDE: Final = 24
_COLUMNS: Final = 6
_NOTE: Final = (11, 8)
_BAND: Final = "2B4C7E"  # RRGGBB
_QUADRANTS: Final = ("DBEAFE", "FEF3C7", "DCFCE7", "FCE7F3", "FEE2E2", "E0F2FE")


class _Deck(Canvas):
    """The report's deck being drawn, with the reader's language for what it says."""

    def __init__(self, report: Report, tr: Translate) -> None:
        super().__init__()
        self.report, self.tr = report, tr
        self.language = report.project.language

    def t(self, text: Text) -> str:
        return self.tr(text)

    def word(self, value: str) -> str:
        return say_word(value, self.tr)

    def when(self, moment: datetime) -> str:
        return format_moment(moment, self.language)

    def number(self, value: float) -> str:
        return format_number(value, self.language)

    def size(self, count: int) -> str:
        return format_size(count, self.language)

    def unreadable(self, file: ExportFile) -> str:
        return self.t(msg("{name}: the image could not be read", name=file.name))


# --- sections ------------------------------------------------------------------------------


def _cover(d: _Deck) -> None:
    report, project = d.report, d.report.project
    team = [f"{member.name} — {d.word(member.role)}" for member in report.team]
    facts = [
        f"{d.t(msg('Project created'))}: {d.when(project.created_at)}",
        f"{d.t(msg('Exported'))}: {d.when(report.taken_at)}",
        f"{d.t(msg('State'))}: {report.state_hash}",
        *(f"{d.t(PHASE_NAMES[phase])}: {report.counts[phase]}" for phase in report.phases),
    ]
    notes = "\n".join([project.name, project.description, *facts, "", d.t(msg("Team")), *team])
    side = (INNER_W - GAP) / 2
    regions = [
        (Rect(MARGIN, TOP, INNER_W, 120), paragraphs(project.description)),
        (Rect(MARGIN, TOP + 132, side, 274), [heading(d.t(msg("Team"))), *bullets(team)]),
        (
            Rect(MARGIN + side + GAP, TOP + 132, side, 274),
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
    name = d.t(PHASE_NAMES[phase])
    slide = d.slide("", "\n".join([name, *lines]))
    band = Rect(0, 170, WIDTH, 110)
    d.shape(slide, MSO_SHAPE.RECTANGLE, band, _BAND)
    d.label(slide, Rect(MARGIN, 190, INNER_W, 70), name, (40, 16), WHITE, center=True)
    d.label(slide, Rect(MARGIN, 300, INNER_W, 40), " · ".join(lines), (18, 10), MUTED, center=True)


def _persona(d: _Deck, persona: Persona) -> None:
    picture = load_picture(persona.photo)
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
    top = TOP + (162 if picture else 0)
    right_x, right_w = MARGIN + 232, INNER_W - 232
    col = (right_w - 2 * GAP) / 3
    regions = [
        (Rect(MARGIN, top, 220, BOTTOM - top), left),
        (Rect(right_x, TOP, right_w, 150), paragraphs(persona.bio)),
        *(
            (
                Rect(right_x + i * (col + GAP), TOP + 162, col, 244),
                [heading(d.t(name)), *bullets(items)],
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
            d.image(slide, Rect(MARGIN, TOP, 220, 150), picture)

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
    half = (INNER_W - GAP) / 2
    rects = [
        *(Rect(MARGIN + (i % 2) * (half + GAP), TOP + (i // 2) * 155, half, 145) for i in range(4)),
        *(Rect(MARGIN + i * (half + GAP), TOP + 316, half, 90) for i in range(2)),
    ]
    regions = [
        (rect, [heading(d.t(name)), *bullets(items)])
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
        d.columns(title, "\n".join(p.text for p in paras), two_columns(paras))
    if report.hmws:
        paras = []
        for hmw in report.hmws:
            paras += bullets([hmw.question])
            if hmw.pov:
                paras += paragraphs(f"   {d.t(msg('From point of view'))}: {hmw.pov}")
        title = d.t(msg("How might we…"))
        d.columns(title, "\n".join(p.text for p in paras), two_columns(paras))


# The grid of notes on an idea-board slide.
_CELL_W = (INNER_W - (_COLUMNS - 1) * GAP) / _COLUMNS
_ROWS = NOTES_PER_SLIDE // _COLUMNS
_CELL_H = (BOTTOM - TOP - (_ROWS - 1) * 10) / _ROWS


@dataclass(frozen=True, slots=True)
class _Note:
    idea: Idea
    paras: list[Para]
    size: int
    picture: Picture | None
    whole: bool  # False: the note is shortened and its text follows on slides of its own


def _note(d: _Deck, idea: Idea, continued_on: int) -> _Note:
    """What one note shows: its whole text at a size that fits, or a head and a pointer."""
    picture = load_picture(idea.image)
    paras = paragraphs(idea.text)
    if idea.image is not None and picture is None:
        paras.append(Para(d.unreadable(idea.image)))
    box = note_box(Rect(0, 0, _CELL_W, _CELL_H), picture is not None)
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


def _board_slide(d: _Deck, slide: Slide, notes: Sequence[_Note]) -> None:
    for index, note in enumerate(notes):
        row, column = divmod(index, _COLUMNS)
        cell = Rect(MARGIN + column * (_CELL_W + GAP), TOP + row * (_CELL_H + 10), _CELL_W, _CELL_H)
        colors = note_colors(note.idea.color)
        d.note(slide, cell, note.paras, note.size, colors, note.picture, note.idea.votes)


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
            pages = two_columns(paragraphs(idea.text))
            long.append((f"{name}: {d.t(msg('Idea'))} {len(notes)}", idea, pages))
            following += len(pages)
    for number, chunk in enumerate(chunks, start=1):
        slide = d.slide(numbered(title, number, len(chunks)), _idea_notes(d, chunk), subtitle)
        _board_slide(d, slide, notes[(number - 1) * NOTES_PER_SLIDE : number * NOTES_PER_SLIDE])
    for slide_title, idea, pages in long:
        d.columns(slide_title, _idea_notes(d, [idea]), pages, subtitle=title)


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
    widths = [56.0, INNER_W - 56 - 190 - 70, 190.0, 70.0]
    title = d.t(msg("Brainstorm results"))
    d.table(title, notes, header, rows, widths, intro=session.prompt, subtitle=facts)


def _prototype(d: _Deck, item: Prototype) -> None:
    pictures = [(file, load_picture(file)) for file in item.files]
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
            paras += [Para(""), heading(d.t(name)), *bullets(entries)]
    width = INNER_W - (356 if images else 0)
    subtitle = d.word(item.fidelity) if item.fidelity else d.t(msg("Prototypes"))
    notes = "\n".join([item.title, item.description, "", *item.ideas, *item.links, *files])

    def first_images(slide: Slide) -> None:
        d.gallery(slide, Rect(MARGIN + width + GAP, TOP, 344, BOTTOM - TOP), images[:2])

    d.card(
        item.title,
        notes,
        [(Rect(MARGIN, TOP, width, BOTTOM - TOP), paras)],
        subtitle=subtitle,
        decorate=first_images,
    )
    rest = images[2:]
    for number, start in enumerate(range(0, len(rest), 4), start=1):
        slide = d.slide(
            numbered(f"{item.title}: {d.t(msg('Files'))}", number, (len(rest) + 3) // 4), notes
        )
        for column, pair in enumerate((rest[start : start + 2], rest[start + 2 : start + 4])):
            d.gallery(
                slide,
                Rect(
                    MARGIN + column * (INNER_W + GAP) / 2,
                    TOP,
                    (INNER_W - GAP) / 2,
                    BOTTOM - TOP,
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
        (HALVES[0], [heading(d.t(msg("Script"))), *paragraphs(test.script)]),
        (HALVES[1], [heading(d.t(msg("Summary"))), *(p for s in summary for p in paragraphs(s))]),
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
    d.table(title, notes, header, rows, [170.0, 120.0, 80.0, INNER_W - 370], subtitle=subtitle)


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
    deck.footers(f"{deck.t(msg('State'))}: {deck.when(report.taken_at)} · {report.state_hash}")
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
    return deck.save()
