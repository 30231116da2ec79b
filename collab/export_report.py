"""What an export shows: one snapshot of a project, arranged by design-thinking phase.

Every format (PDF, PPTX, the print view) renders the same :class:`Report`, so they agree on
what is in it and in which order; only the layout differs. The report is built from an
:class:`ExportSource`, everything the server read at one instant: the v1 JSON export of the
live document, the names of the clusters, the team, the brainstorm results and the files the
document refers to. Building it is pure (no clock, no I/O), so a test can build one from a
hand-made source and check every field.

Votes on the idea board come from brainstorm results: an idea shows the votes of the most
recent session that ranked it (sessions are independent rounds; adding them up would count
one preference several times). An export scoped to one session shows that session's votes
and results only.

How every format says a value is here too (dates, numbers, sizes, a note's colours, the
names of phases and roles), so the slides and the paper never disagree about it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from collab.artifacts import KINDS, Phase
from collab.i18n import Text, msg

__all__ = [
    "HASH_LENGTH",
    "Translate",
    "ProjectInfo",
    "TeamMember",
    "ExportFile",
    "RankedResult",
    "SessionResults",
    "ExportSource",
    "Scope",
    "Persona",
    "EmpathyMap",
    "Pov",
    "Hmw",
    "Idea",
    "Cluster",
    "Prototype",
    "TestResult",
    "UserTest",
    "Report",
    "build_report",
    "state_hash",
    "PHASE_NAMES",
    "say_word",
    "format_moment",
    "format_number",
    "format_size",
    "note_colors",
]

#: Hex digits of the state hash printed on every export (48 bits: enough to tell states apart).
HASH_LENGTH: Final = 12

#: Says a server text in the report's language (``http_api.i18n.translate`` bound to it).
Translate = Callable[[Text], str]


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """The project as its cover shows it."""

    id: str
    name: str
    description: str
    language: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A member of the project's team (``role``: owner, editor or viewer)."""

    name: str
    role: str


@dataclass(frozen=True, slots=True)
class ExportFile:
    """An uploaded file the document refers to; ``image`` holds bytes to show, if it is one.

    ``image`` is a raster any renderer can embed (PNG, JPEG, GIF or WebP), usually the
    thumbnail rather than the original, so a report of forty photos stays small.
    """

    id: str
    name: str
    content_type: str
    size: int
    image: bytes | None = None
    image_type: str | None = None


@dataclass(frozen=True, slots=True)
class RankedResult:
    """One idea in a session's results."""

    rank: int
    idea_id: str
    text: str
    votes: int
    cluster_id: str | None


@dataclass(frozen=True, slots=True)
class SessionResults:
    """The results of one ended brainstorm session."""

    id: str
    prompt: str
    taken_at: datetime
    voters: int
    votes: int
    ideas: tuple[RankedResult, ...]


@dataclass(frozen=True, slots=True)
class ExportSource:
    """Everything an export reads, taken at one instant (see the module's doc)."""

    project: ProjectInfo
    document: Mapping[str, Any]
    clusters: Mapping[str, str]
    team: Sequence[TeamMember]
    authors: Mapping[str, str]
    sessions: Sequence[SessionResults]
    files: Mapping[str, ExportFile]
    taken_at: datetime
    state_hash: str


@dataclass(frozen=True, slots=True)
class Scope:
    """Which part of the project to export: some phases, or one brainstorm session."""

    phases: frozenset[Phase] = frozenset(Phase)
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class Persona:
    """A persona card."""

    id: str
    name: str
    role: str
    demographics: str
    bio: str
    quote: str
    goals: tuple[str, ...]
    pains: tuple[str, ...]
    gains: tuple[str, ...]
    photo: ExportFile | None
    link: str | None


@dataclass(frozen=True, slots=True)
class EmpathyMap:
    """An empathy map: the four quadrants, then pains and gains."""

    id: str
    title: str
    persona: str | None
    says: tuple[str, ...]
    thinks: tuple[str, ...]
    does: tuple[str, ...]
    feels: tuple[str, ...]
    pains: tuple[str, ...]
    gains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pov:
    """A point of view: [user] needs [need] because [insight]."""

    id: str
    user: str
    need: str
    insight: str


@dataclass(frozen=True, slots=True)
class Hmw:
    """A how-might-we question and the point of view it frames, if any."""

    id: str
    question: str
    pov: str | None


@dataclass(frozen=True, slots=True)
class Idea:
    """A note on the idea board."""

    id: str
    text: str
    color: str
    votes: int
    author: str | None
    image: ExportFile | None


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group of ideas (``name`` None: the ideas in no cluster), most voted first."""

    id: str | None
    name: str | None
    votes: int
    ideas: tuple[Idea, ...]


@dataclass(frozen=True, slots=True)
class Prototype:
    """A prototype with the ideas it builds on and its files."""

    id: str
    title: str
    description: str
    fidelity: str | None
    links: tuple[str, ...]
    ideas: tuple[str, ...]
    files: tuple[ExportFile, ...]


@dataclass(frozen=True, slots=True)
class TestResult:
    """What one participant did in one test."""

    participant: str
    outcome: str
    rating: int | None
    notes: str


@dataclass(frozen=True, slots=True)
class UserTest:
    """A user test, its results and their summary."""

    id: str
    title: str
    script: str
    prototype: str | None
    results: tuple[TestResult, ...]
    outcomes: Mapping[str, int] = field(default_factory=dict)
    average_rating: float | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """One project, arranged by phase; renderers show the phases in ``phases`` only."""

    project: ProjectInfo
    team: tuple[TeamMember, ...]
    taken_at: datetime
    state_hash: str
    phases: tuple[Phase, ...]
    counts: Mapping[Phase, int]
    personas: tuple[Persona, ...]
    empathy_maps: tuple[EmpathyMap, ...]
    povs: tuple[Pov, ...]
    hmws: tuple[Hmw, ...]
    clusters: tuple[Cluster, ...]
    sessions: tuple[SessionResults, ...]
    prototypes: tuple[Prototype, ...]
    tests: tuple[UserTest, ...]

    @property
    def idea_count(self) -> int:
        """How many ideas the board shows."""
        return sum(len(cluster.ideas) for cluster in self.clusters)


def state_hash(document: Mapping[str, Any], clusters: Mapping[str, str]) -> str:
    """A short hash of the typed content: the same content always gives the same hash.

    It hashes what the export shows (canonical JSON), not the CRDT's bytes, which differ
    between two replicas holding the same content.
    """
    canonical = json.dumps(
        {"document": document, "clusters": clusters},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:HASH_LENGTH]


def _items(source: ExportSource, collection: str) -> list[dict[str, Any]]:
    items = source.document.get(collection, [])
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(entry) for entry in value if str(entry).strip())
    return ()


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _file(source: ExportSource, file_id: object) -> ExportFile | None:
    return source.files.get(file_id) if isinstance(file_id, str) else None


def _sessions(source: ExportSource, scope: Scope) -> tuple[SessionResults, ...]:
    chosen = [
        session
        for session in source.sessions
        if scope.session_id is None or session.id == scope.session_id
    ]
    return tuple(sorted(chosen, key=lambda session: session.taken_at))


def _votes(sessions: Sequence[SessionResults]) -> dict[str, int]:
    votes: dict[str, int] = {}
    for session in sessions:  # oldest first: a later session's count replaces an earlier one
        for result in session.ideas:
            votes[result.idea_id] = result.votes
    return votes


def _clusters(source: ExportSource, sessions: Sequence[SessionResults]) -> tuple[Cluster, ...]:
    votes = _votes(sessions)
    groups: dict[str | None, list[Idea]] = {}
    for item in _items(source, "ideas"):
        cluster_id = item.get("clusterId")
        key = cluster_id if isinstance(cluster_id, str) and cluster_id in source.clusters else None
        author = item.get("authorId") or item.get("createdBy")
        groups.setdefault(key, []).append(
            Idea(
                id=str(item["id"]),
                text=_text(item.get("text")),
                color=_text(item.get("color")),
                votes=votes.get(str(item["id"]), 0),
                author=source.authors.get(author) if isinstance(author, str) else None,
                image=_file(source, item.get("imageFileId")),
            )
        )
    clusters = [
        Cluster(
            id=key,
            name=None if key is None else source.clusters[key],
            votes=sum(idea.votes for idea in ideas),
            # most voted first; ties keep board order (sorted is stable)
            ideas=tuple(sorted(ideas, key=lambda idea: -idea.votes)),
        )
        for key, ideas in groups.items()
    ]
    named = sorted(
        (c for c in clusters if c.id is not None), key=lambda c: (-c.votes, c.name or "")
    )
    return tuple(named + [c for c in clusters if c.id is None])


def _tests(source: ExportSource) -> tuple[UserTest, ...]:
    prototypes = {item["id"]: _text(item.get("title")) for item in _items(source, "prototypes")}
    results: dict[str, list[TestResult]] = {}
    for item in _items(source, "testResults"):
        rating = item.get("rating")
        results.setdefault(_text(item.get("testId")), []).append(
            TestResult(
                participant=_text(item.get("participant")),
                outcome=_text(item.get("outcome")),
                rating=rating if isinstance(rating, int) else None,
                notes=_text(item.get("notes")),
            )
        )
    tests = []
    for item in _items(source, "tests"):
        own = tuple(results.get(item["id"], ()))
        outcomes: dict[str, int] = {}
        for result in own:
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        ratings = [result.rating for result in own if result.rating is not None]
        tests.append(
            UserTest(
                id=str(item["id"]),
                title=_text(item.get("title")),
                script=_text(item.get("script")),
                prototype=prototypes.get(item.get("prototypeId")),
                results=own,
                outcomes=outcomes,
                average_rating=sum(ratings) / len(ratings) if ratings else None,
            )
        )
    return tuple(tests)


def build_report(source: ExportSource, scope: Scope = Scope()) -> Report:
    """Arrange ``source`` by phase, keeping what ``scope`` asks for.

    A session scope keeps the Ideate phase only, with that session's votes and results.
    """
    phases = (
        (Phase.IDEATE,)
        if scope.session_id is not None
        else tuple(phase for phase in Phase if phase in scope.phases)
    )
    sessions = _sessions(source, scope)
    personas = {item["id"]: item for item in _items(source, "personas")}
    povs = {item["id"]: item for item in _items(source, "povStatements")}
    ideas = {item["id"]: _text(item.get("text")) for item in _items(source, "ideas")}
    counts = dict.fromkeys(Phase, 0)
    for kind in KINDS.values():
        counts[kind.phase] += len(_items(source, kind.collection))
    return Report(
        project=source.project,
        team=tuple(source.team),
        taken_at=source.taken_at,
        state_hash=source.state_hash,
        phases=phases,
        counts=counts,
        personas=tuple(
            Persona(
                id=str(item["id"]),
                name=_text(item.get("name")),
                role=_text(item.get("role")),
                demographics=_text(item.get("demographics")),
                bio=_text(item.get("bio")),
                quote=_text(item.get("quote")),
                goals=_texts(item.get("goals")),
                pains=_texts(item.get("pains")),
                gains=_texts(item.get("gains")),
                photo=_file(source, item.get("avatarFileId")),
                link=item.get("avatar") if isinstance(item.get("avatar"), str) else None,
            )
            for item in personas.values()
        ),
        empathy_maps=tuple(
            EmpathyMap(
                id=str(item["id"]),
                title=_text(item.get("title")),
                persona=_text(personas[item["personaId"]].get("name"))
                if item.get("personaId") in personas
                else None,
                says=_texts(item.get("says")),
                thinks=_texts(item.get("thinks")),
                does=_texts(item.get("does")),
                feels=_texts(item.get("feels")),
                pains=_texts(item.get("pains")),
                gains=_texts(item.get("gains")),
            )
            for item in _items(source, "empathyMaps")
        ),
        povs=tuple(
            Pov(
                id=str(item["id"]),
                user=_text(item.get("user")),
                need=_text(item.get("need")),
                insight=_text(item.get("insight")),
            )
            for item in povs.values()
        ),
        hmws=tuple(
            Hmw(
                id=str(item["id"]),
                question=_text(item.get("question")),
                pov=_text(povs[item["povId"]].get("need")) if item.get("povId") in povs else None,
            )
            for item in _items(source, "hmwQuestions")
        ),
        clusters=_clusters(source, sessions),
        sessions=sessions,
        prototypes=tuple(
            Prototype(
                id=str(item["id"]),
                title=_text(item.get("title")),
                description=_text(item.get("description")),
                fidelity=item.get("fidelity") if isinstance(item.get("fidelity"), str) else None,
                links=_texts(item.get("links")),
                ideas=tuple(ideas[i] for i in _texts(item.get("linkedIdeaIds")) if i in ideas),
                files=tuple(
                    found
                    for found in (_file(source, f) for f in _texts(item.get("fileIds")))
                    if found is not None
                ),
            )
            for item in _items(source, "prototypes")
        ),
        tests=_tests(source),
    )


# --- how every format says a value ---------------------------------------------------------

#: Each phase's name, as covers, dividers and section headings say it.
PHASE_NAMES: Final[Mapping[Phase, Text]] = {
    Phase.EMPATHIZE: msg("Empathize"),
    Phase.DEFINE: msg("Define"),
    Phase.IDEATE: msg("Ideate"),
    Phase.PROTOTYPE: msg("Prototype"),
    Phase.TEST: msg("Test"),
}
# Values the schema limits to a few words (roles, fidelities, outcomes).
_WORDS: Final[Mapping[str, Text]] = {
    "owner": msg("owner"),
    "editor": msg("editor"),
    "viewer": msg("viewer"),
    "member": msg("member"),
    "admin": msg("admin"),
    "low": msg("low fidelity"),
    "medium": msg("medium fidelity"),
    "high": msg("high fidelity"),
    "success": msg("Success"),
    "partial": msg("Partial"),
    "failure": msg("Failure"),
}
# The browser's palette (static/css/app.css --note-*), so the paper matches the board.
_PALETTE: Final[Mapping[str, str]] = {
    "yellow": "#fff3a6",
    "orange": "#ffd6a5",
    "red": "#ffb3b3",
    "pink": "#ffc8e4",
    "purple": "#dcc9ff",
    "blue": "#bfe0ff",
    "green": "#c8f0c2",
    "grey": "#e3e5e8",
}
_DEFAULT_NOTE: Final = _PALETTE["yellow"]
_HEX_COLOR: Final = re.compile(r"#[0-9a-fA-F]{6}")


def say_word(value: str, tr: Translate) -> str:
    """A role, fidelity or outcome in the reader's language; any other value as written.

    The schema keeps these to a few known words, but a document from another client may hold
    anything: that is shown as the member wrote it rather than refused.
    """
    return tr(_WORDS[value]) if value in _WORDS else value


def _day_first(language: str) -> bool:
    # Deterministic, table-free formats: English reads ISO dates, the rest day first.
    return language.split("-", 1)[0] != "en"


def format_moment(moment: datetime, language: str) -> str:
    """``moment`` to the minute in UTC: ``06/12/2026 14:30 UTC``, in English ``2026-12-06 ...``.

    Fixed patterns rather than locale tables, so an export renders the same on every machine;
    a naive ``moment`` is taken to be UTC already.
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    pattern = "%d/%m/%Y %H:%M UTC" if _day_first(language) else "%Y-%m-%d %H:%M UTC"
    return aware.astimezone(UTC).strftime(pattern)


def format_number(value: float, language: str) -> str:
    """``value`` with one decimal, a decimal comma in every language but English (``4,5``)."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if _day_first(language) else text


def format_size(count: int, language: str) -> str:
    """A file's size in decimal units, as a person reads it: ``950 B``, ``1,5 kB``, ``3,2 MB``."""
    if count < 1_000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{format_number(count / 1_000, language)} kB"
    return f"{format_number(count / 1_000_000, language)} MB"


def note_colors(color: str) -> tuple[str, str]:
    """The background and text colours (``#rrggbb``) of a note whose colour a member chose.

    A palette name maps to the board's colour; ``#rrggbb`` is used as written (with white
    text when it is dark); anything else is the default yellow, never copied into CSS or a
    slide. Every format shares this rule, so a note looks the same on paper and on a slide.
    """
    background = _PALETTE.get(color) or (color if _HEX_COLOR.fullmatch(color) else _DEFAULT_NOTE)
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    luminance = (0.299 * red + 0.587 * green + 0.114 * blue) / 255
    return background.lower(), "#1b1f24" if luminance > 0.5 else "#ffffff"
