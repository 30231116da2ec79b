"""A report as one standalone HTML page: the PDF's source and the browser's print view.

One template serves both (``templates/report.html`` with ``templates/report.css`` inlined),
so what a facilitator previews in the browser is what the client gets on paper. The page is
self-contained: CSS inline, images as ``data:`` URIs, fonts from ``font_url`` (a ``file:``
URL of ``collab/fonts`` for WeasyPrint, a path the server serves for the browser). It has
no scripts, so it runs under a strict CSP (inline style, ``img-src data:``, ``font-src``).

Everything in a report was written by project members, some possibly hostile, so Jinja2
autoescapes every value; nothing they write reaches CSS except an idea's colour, and only
after it matched ``#rrggbb`` or a palette name. Links (a persona's, a prototype's) are shown
as text, never as ``<a>`` or ``<img>``: a renderer must never fetch what a member typed.

Pure: no clock, no files but the package's templates; dates are formatted from the report.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib import resources
from typing import Final

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from collab.artifacts import Phase
from collab.export_report import (
    PHASE_NAMES,
    ExportFile,
    Idea,
    Report,
    Translate,
    format_moment,
    format_number,
    format_size,
    note_colors,
    say_word,
)
from collab.i18n import Text, msg

__all__ = [
    "IMAGE_TYPES",
    "LONG_NOTE_CHARS",
    "LONG_TEXT_CHARS",
    "EXCERPT_CHARS",
    "render_html",
]

#: Image types shown inline; any other file is listed by name only.
IMAGE_TYPES: Final = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: A note longer than this leaves the three-column grid for a full-width block: a grid
#: item taller than a page cannot be split by WeasyPrint and would be cut off.
LONG_NOTE_CHARS: Final = 600
#: A session's ranking shows this much of an idea; the board, a page away, shows it all.
EXCERPT_CHARS: Final = 280
#: A persona whose bio is longer than this may break across pages anywhere: kept whole, it
#: would leave the rest of the page before it empty.
LONG_TEXT_CHARS: Final = 1_500

# A font URL goes into CSS as url("..."): nothing that could end the string or the rule.
_SAFE_URL: Final = re.compile(r"[A-Za-z0-9/:._~%+-]*")

_LABELS: Final[Mapping[str, Text]] = {
    "kicker": msg("Design thinking report"),
    "team": msg("Team"),
    "created": msg("Project created"),
    "exported": msg("Exported"),
    "state": msg("State"),
    "contents": msg("Contents"),
    "empty_phase": msg("Nothing in this phase yet."),
    "personas": msg("Personas"),
    "goals": msg("Goals"),
    "pains": msg("Pains"),
    "gains": msg("Gains"),
    "link": msg("Link"),
    "empathy_maps": msg("Empathy maps"),
    "persona": msg("Persona"),
    "says": msg("Says"),
    "thinks": msg("Thinks"),
    "does": msg("Does"),
    "feels": msg("Feels"),
    "povs": msg("Points of view"),
    "pov_user": msg("User"),
    "pov_need": msg("Needs"),
    "pov_insight": msg("Because (insight)"),
    "hmws": msg("How might we…"),
    "from_pov": msg("From point of view"),
    "sessions": msg("Brainstorm results"),
    "voters": msg("Voters"),
    "votes": msg("Votes"),
    "rank": msg("Rank"),
    "idea": msg("Idea"),
    "cluster": msg("Cluster"),
    "board": msg("Idea board"),
    "ideas": msg("Ideas"),
    "no_cluster": msg("Ideas in no cluster"),
    "prototypes": msg("Prototypes"),
    "links": msg("Links"),
    "builds_on": msg("Builds on ideas"),
    "files": msg("Files"),
    "tests": msg("User tests"),
    "prototype": msg("Prototype tested"),
    "script": msg("Script"),
    "summary": msg("Summary"),
    "average_rating": msg("Average rating"),
    "participant": msg("Participant"),
    "outcome": msg("Outcome"),
    "rating": msg("Rating"),
    "notes": msg("Notes"),
}

_ENV: Final = Environment(
    loader=PackageLoader("collab", "templates"),
    autoescape=True,  # every value is a member's text unless marked otherwise here
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _data_uri(file: ExportFile | None) -> str | None:
    if file is None or file.image is None or file.image_type not in IMAGE_TYPES:
        return None
    return f"data:{file.image_type};base64,{base64.b64encode(file.image).decode('ascii')}"


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _runs(ideas: Sequence[Idea]) -> list[tuple[bool, list[Idea]]]:
    """Ideas in board order as runs: (False, short notes for a grid), (True, [one long])."""
    runs: list[tuple[bool, list[Idea]]] = []
    for idea in ideas:
        if len(idea.text) > LONG_NOTE_CHARS:
            runs.append((True, [idea]))
        elif runs and not runs[-1][0]:
            runs[-1][1].append(idea)
        else:
            runs.append((False, [idea]))
    return runs


def _css(font_url: str) -> Markup:
    if not _SAFE_URL.fullmatch(font_url):
        raise ValueError(f"font URL {font_url!r} has characters CSS would need escaped")
    css = (resources.files("collab") / "templates" / "report.css").read_text(encoding="utf-8")
    # Our own file, so it is trusted; this guard keeps a future edit from closing <style>.
    if "</" in css:
        raise ValueError("report.css must not contain '</'")
    return Markup(css.replace("{{font_url}}", font_url))  # noqa: S704 (our CSS, checked above)


def render_html(report: Report, tr: Translate, *, font_url: str) -> str:
    """The report as a standalone HTML document in its project's language.

    Args:
        report: what to show; only the phases in ``report.phases`` get a section.
        tr: says a server text in the report's language.
        font_url: base URL of the font files, ending in ``/``.

    Raises:
        ValueError: ``font_url`` has characters that are not safe in a CSS ``url()``.
    """
    language = report.project.language

    def when(moment: datetime) -> str:
        return format_moment(moment, language)

    return _ENV.get_template("report.html").render(
        report=report,
        lang=language,
        css=_css(font_url),
        t={key: tr(text) for key, text in _LABELS.items()},
        phase_names={phase: tr(text) for phase, text in PHASE_NAMES.items()},
        word=lambda value: say_word(value, tr),
        state_label=f"{when(report.taken_at)} · {report.state_hash}",
        when=when,
        day=lambda moment: when(moment)[:10],
        number=lambda value: format_number(value, language),
        size=lambda count: format_size(count, language),
        image=_data_uri,
        note_colors=note_colors,
        runs=_runs,
        excerpt=_excerpt,
        long_text=LONG_TEXT_CHARS,
        cluster_names={c.id: c.name for c in report.clusters if c.id is not None},
        Phase=Phase,
    )
