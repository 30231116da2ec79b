"""The documents the server writes for a brainstorm: the reveal and the session snapshot.

Pure: every function takes the documents, values and ``now`` it works on. The contract the
browser reads is docs/brainstorm.md.

*The reveal* copies hidden notes into the project's board as one Yjs update built in a fresh
document. Such an update depends on nothing else in the board (new keys of a root map, written
by a client id that exists nowhere else), so the server can store it in its own database
transaction, together with the events it causes, and apply it to the live room afterwards in
any order relative to other updates.

*The snapshot* is the session's state in the server-owned room ``{project}:brainstorm``. Each
write is keyed by a number that grows with every write on any node (a database sequence);
writers on two nodes may not have seen each other's update yet, and Yjs resolves concurrent
writes of one key by client id, not by time. Distinct keys never conflict, so readers take the
entry with the highest key, and each writer deletes the older ones it sees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from pycrdt import Doc, Map

from collab import schema
from collab.artifacts import KINDS, format_timestamp
from collab.brainstorm import Session, cluster_totals, rank_ideas

__all__ = [
    "SNAPSHOTS",
    "RevealedIdea",
    "Reveal",
    "REVEAL_COLUMN",
    "REVEAL_ROW",
    "FRAMES",
    "FRAME_TITLE",
    "FRAME_PAD",
    "frame_bottoms",
    "board_bottom",
    "build_reveal",
    "session_ideas",
    "remove_notes",
    "write_snapshot",
    "read_snapshot",
    "snapshot",
    "cluster_names",
    "results",
]

#: Root Y.Map of the server-owned room: snapshot number (decimal string) -> session state.
SNAPSHOTS: Final = "brainstorm"
_IDEAS: Final = "ideas"
_IDEA: Final = KINDS[_IDEAS]
#: Root Y.Map of the board: the titled areas of brainstorm sessions (docs/document-schema.md).
FRAMES: Final = "frames"


@dataclass(frozen=True, slots=True)
class RevealedIdea:
    """A note put on the board: who wrote it, its id in their room, the idea as REST shows it."""

    author: str
    note_id: str
    idea: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reveal:
    """The outcome of :func:`build_reveal`.

    Attributes:
        update: the Yjs update adding the notes to the board (empty when there is none).
        ideas: the notes added, oldest first.
        taken: per author, the ids of their private notes to delete from their room (the
            ones copied now, revealed before, or not notes at all).
    """

    update: bytes
    ideas: list[RevealedIdea] = field(default_factory=list)
    taken: dict[str, list[str]] = field(default_factory=dict)


#: The grid of revealed notes: a note is 200 x 140 on the board, with a gap around it.
REVEAL_COLUMN: Final = 220.0
REVEAL_ROW: Final = 160.0
#: Columns of an anonymous reveal's grid at least (more for many notes: about a square).
_MIN_COLUMNS: Final = 4
#: A session's frame: the band above its notes that holds the title, the margin around them
#: and the gap kept below the frame above it.
FRAME_TITLE: Final = 64.0
FRAME_PAD: Final = 24.0
_NOTE_W: Final = 200.0
_NOTE_H: Final = 140.0


def _number_or_none(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def frame_bottoms(doc: Doc[Any]) -> list[float]:
    """Where each frame of the board's ``frames`` root ends (read tolerantly: browsers can
    write that root too, and an entry without numbers is skipped)."""
    bottoms = []
    for entry in doc.get(FRAMES, type=Map).values():
        if not isinstance(entry, Map):
            continue
        y, height = _number_or_none(entry.get("y")), _number_or_none(entry.get("height"))
        if y is not None and height is not None:
            bottoms.append(y + height)
    return bottoms


def board_bottom(doc: Doc[Any]) -> float:
    """Where a reveal starts on this board: a row below its lowest note and below every
    session's frame, so successive sessions get successive areas (0 on an empty board)."""
    ys = [
        float(y) + REVEAL_ROW
        for item in schema.list_items(doc, _IDEAS)
        if isinstance(y := item.get("y"), int | float) and not isinstance(y, bool)
    ]
    ys += [bottom + FRAME_PAD for bottom in frame_bottoms(doc)]
    return max(ys) if ys else 0.0


def _created(note: Mapping[str, Any]) -> str:
    created = note.get("createdAt")
    return created if isinstance(created, str) else ""


def _grid(
    notes: Mapping[str, Sequence[Mapping[str, Any]]], *, by_author: bool, top: float
) -> dict[tuple[str, str], tuple[float, float]]:
    """Where each (author, note id) goes: a column per author (the order they first wrote),
    their notes down it in the order written; or, to tell nobody who wrote what, every note
    in the order written, row by row, in a grid about as wide as it is tall."""
    places: dict[tuple[str, str], tuple[float, float]] = {}
    if by_author:
        columns = sorted(
            ((author, sorted(items, key=_created)) for author, items in notes.items() if items),
            key=lambda column: (_created(column[1][0]), column[0]),
        )
        for x, (author, items) in enumerate(columns):
            for y, note in enumerate(items):
                places[(author, note["id"])] = (x * REVEAL_COLUMN, top + y * REVEAL_ROW)
        return places
    everyone = sorted(
        ((note, author) for author, items in notes.items() for note in items),
        key=lambda pair: (_created(pair[0]), pair[0]["id"]),
    )
    width = max(_MIN_COLUMNS, math.ceil(math.sqrt(len(everyone))))
    for n, (note, author) in enumerate(everyone):
        places[(author, note["id"])] = (
            (n % width) * REVEAL_COLUMN,
            top + (n // width) * REVEAL_ROW,
        )
    return places


def build_reveal(
    notes: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    revealed: Collection[str],
    on_board: Collection[str],
    anonymous: bool,
    now: datetime,
    new_id: Callable[[], str],
    top: float = 0.0,
    session_id: str | None = None,
    title: str = "",
) -> Reveal:
    """Build the update that puts every participant's hidden notes on the board at once.

    The server sets the author from whose room a note came (never from the note itself), or
    none in an anonymous session; colour, text and creation time are kept. Positions are not:
    everyone wrote at the same free spot of their own board, so the notes are laid out in a
    grid from ``top`` (:func:`board_bottom`, below what the board holds): a column per
    author, or, in an anonymous session, in the order written (columns by author would say
    who wrote what).

    Args:
        notes: per author (a user id), their notes as :func:`collab.schema.list_items` reads
            their private room.
        revealed: note ids (as in the private rooms) this session already put on the board; a
            repeated reveal skips them.
        on_board: idea ids on the board now; a note claiming one of them gets a new id.
        anonymous: write no author (``authorId`` and ``createdBy`` null).
        now: stored as ``updatedAt``, and as ``createdAt`` where a note has none.
        new_id: makes an idea id (randomness is an input).
        session_id: stored as each note's ``sessionId`` and on the frame: the session's
            results rank its own notes only, and the browser draws its area.
        title: the frame's title (the session's prompt).

    With ``session_id``, the notes also get a frame (a new entry of the root ``frames``)
    drawn around them, its title band above the grid: the session's own area of the board.
    A second reveal of the session (late notes) adds another entry with the same
    ``sessionId``, below; the browser draws one frame around a session's entries. New keys
    only, so the update still depends on nothing in the board.
    """
    doc: Doc[Any] = Doc()
    board = doc.get(_IDEAS, type=Map)
    stamp = format_timestamp(now)
    fresh = {
        author: [n for n in items if n["id"] not in revealed and n.get("text")]
        for author, items in notes.items()
    }
    framed = session_id is not None
    places = _grid(fresh, by_author=not anonymous, top=top + (FRAME_TITLE if framed else 0.0))
    sources: dict[str, tuple[str, str]] = {}  # idea id -> (author, note id)
    taken: dict[str, list[str]] = {}
    with doc.transaction():
        for author, items in notes.items():
            for note in items:
                taken.setdefault(author, []).append(note["id"])
                if note["id"] in revealed or not note.get("text"):
                    continue  # copied before; or a note with no text (nothing to show)
                idea_id = note["id"]
                if idea_id in on_board or idea_id in sources:
                    idea_id = new_id()
                writer = None if anonymous else author
                board[idea_id] = Map(
                    {
                        "id": idea_id,
                        "text": _IDEA.stored("text", note["text"]),
                        "color": note.get("color", "yellow"),
                        "x": places[(author, note["id"])][0],
                        "y": places[(author, note["id"])][1],
                        "clusterId": note.get("clusterId"),
                        "authorId": writer,
                        "createdBy": writer,
                        "createdAt": note.get("createdAt") or stamp,
                        "updatedAt": stamp,
                        **({} if session_id is None else {"sessionId": session_id}),
                    }
                )
                sources[idea_id] = (author, note["id"])
        if framed and places:
            frame_id = new_id()
            doc.get(FRAMES, type=Map)[frame_id] = Map(
                {"id": frame_id, "sessionId": session_id, "title": title}
                | _frame_box(places.values(), top)
                | {"createdBy": None, "createdAt": stamp, "updatedAt": stamp}
            )
    if not sources:
        return Reveal(b"", taken=taken)
    ideas = [
        RevealedIdea(*sources[idea["id"]], idea=idea) for idea in schema.list_items(doc, _IDEAS)
    ]
    return Reveal(doc.get_update(), ideas, taken)


def _frame_box(places: Collection[tuple[float, float]], top: float) -> dict[str, float]:
    """The rectangle around a grid of notes, with the title band above them."""
    right = max(x for x, _y in places) + _NOTE_W
    bottom = max(y for _x, y in places) + _NOTE_H
    left = min(x for x, _y in places)
    return {
        "x": left - FRAME_PAD,
        "y": top,
        "width": right - left + 2 * FRAME_PAD,
        "height": bottom - top + FRAME_PAD,
    }


def session_ideas(
    ideas: Sequence[Mapping[str, Any]],
    session_id: str,
    *,
    revealed: Collection[str],
    voted: Collection[str],
) -> list[Mapping[str, Any]]:
    """The ideas of the board that belong to a session, in board order.

    An idea belongs to it when the session's reveal put it there (``revealed``: idea ids the
    server recorded), when it was written on the board while the session ran (its
    ``sessionId``), or when someone put one of the session's dots on it (``voted``): a
    session that starts in ``voting`` votes on notes already on the board, and those are
    its results.
    """
    return [
        idea
        for idea in ideas
        if idea.get("sessionId") == session_id or idea["id"] in revealed or idea["id"] in voted
    ]


def remove_notes(doc: Doc[Any], ids: Collection[str]) -> int:
    """Delete the notes ``ids`` from a private room's document; return how many were there."""
    board = doc.get(_IDEAS, type=Map)
    present = [note_id for note_id in ids if note_id in board]
    with doc.transaction():
        for note_id in present:
            del board[note_id]
    return len(present)


def _number(key: str) -> int:
    return int(key) if key.isdecimal() else -1


def write_snapshot(doc: Doc[Any], seq: int, state: Mapping[str, Any]) -> bool:
    """Store ``state`` as snapshot ``seq`` unless a later one is there; drop older ones.

    Returns whether it wrote (a writer that lost a race to a later snapshot changes nothing).
    """
    root = doc.get(SNAPSHOTS, type=Map)
    keys = list(root.keys())
    if any(_number(key) >= seq for key in keys):
        return False
    with doc.transaction():
        for key in keys:
            del root[key]
        root[str(seq)] = dict(state)
    return True


def read_snapshot(doc: Doc[Any]) -> dict[str, Any] | None:
    """The current session state: the snapshot with the highest number, if any."""
    root = doc.get(SNAPSHOTS, type=Map)
    numbered = [(_number(key), key) for key in root if _number(key) >= 0]
    if not numbered:
        return None
    value = root[max(numbered)[1]]
    return dict(value) if isinstance(value, dict) else None


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def snapshot(
    session: Session,
    *,
    seq: int,
    tallies: Mapping[str, int] | None,
    now: datetime,
    progress: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The state every member's client reads (docs/brainstorm.md, "The session snapshot").

    Args:
        seq: the snapshot number, repeated inside for clients that log it.
        tallies: votes per idea, or None while they are hidden.
        now: the server's clock when written (``serverTime``), for clients to correct skew.
        progress: ``{"participants", "wrote", "voted"}``: counts, never who.
    """
    timer = session.timer
    summon = session.summon
    return {
        "seq": seq,
        "sessionId": str(session.id),
        "prompt": session.prompt,
        "phase": session.phase.value,
        "ended": session.ended,
        "endedAt": _stamp(session.ended_at),
        "votesPerPerson": session.votes_per_person,
        "allowStacking": session.allow_stacking,
        "anonymous": session.anonymous,
        "talliesVisible": session.tallies_visible,
        "lead": None if session.created_by is None else str(session.created_by),
        "facilitators": [str(user) for user in session.facilitators],
        "timer": {
            "durationS": timer.duration_s,
            "startedAt": _stamp(timer.started_at),
            "pausedAt": _stamp(timer.paused_at),
            "pausedS": timer.paused_s,
            "endsAt": _stamp(timer.ends_at),
            "remainingS": timer.remaining_s(now),
            "running": timer.running,
        },
        "serverTime": format_timestamp(now),
        "tallies": None if tallies is None else dict(tallies),
        "summon": None
        if summon is None
        else {
            "x": summon.x,
            "y": summon.y,
            "zoom": summon.zoom,
            "by": str(summon.by),
            "at": format_timestamp(summon.at),
        },
        "version": session.version,
        "onTimeUp": session.on_time_up.value,
        "writingLocked": session.writing_locked,
        "boardLocked": session.board_locked and not session.ended,
        "lockedNotes": sorted(session.notes_held),
        "progress": None if progress is None else dict(progress),
    }


def cluster_names(doc: Doc[Any]) -> dict[str, str]:
    """Names of the board's clusters, from the browser's additive root ``clusters``.

    Read tolerantly (the server does not own that root): entries that are not a Y.Map with a
    string ``name`` are left out.
    """
    names: dict[str, str] = {}
    for key, entry in doc.get("clusters", type=Map).items():
        name = entry.get("name") if isinstance(entry, Map) else None
        if isinstance(name, str):
            names[key] = name
    return names


def results(
    session: Session,
    ideas: Sequence[Mapping[str, Any]],
    tallies: Mapping[str, int],
    *,
    voters: int,
    names: Mapping[str, str],
    clusters: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The session's results as REST and the ``brainstorm.results`` event carry them.

    Args:
        ideas: the board's ideas (:func:`collab.schema.list_items`), every one ranked.
        tallies: votes per idea id.
        voters: how many people voted.
        names: display names by user id, for the authors (unused when anonymous).
        clusters: cluster names by id (:func:`cluster_names`).
        now: when the results were taken.
    """
    ranked = rank_ideas(ideas, tallies, anonymous=session.anonymous)
    board = {idea["id"] for idea in ideas}
    return {
        "session_id": str(session.id),
        "project_id": str(session.project_id),
        "prompt": session.prompt,
        "anonymous": session.anonymous,
        "taken_at": format_timestamp(now),
        "voters": voters,
        "votes": sum(tallies.values()),
        "votes_on_deleted_ideas": sum(n for idea, n in tallies.items() if idea not in board),
        "ideas": [
            {
                "rank": idea.rank,
                "idea_id": idea.idea_id,
                "text": idea.text,
                "color": idea.color,
                "votes": idea.votes,
                "cluster_id": idea.cluster_id,
                "author_id": idea.author_id,
                "author_name": None if idea.author_id is None else names.get(idea.author_id),
            }
            for idea in ranked
        ],
        "clusters": [
            {
                "cluster_id": c.cluster_id,
                "name": clusters.get(c.cluster_id),
                "votes": c.votes,
                "ideas": c.ideas,
            }
            for c in cluster_totals(ranked)
        ],
    }
