"""Brainstorm sessions, pure: phases, the shared timer, dot-vote rules, results and room names.

A session runs on a project's idea board: silent ideation, reveal, clustering, voting, results.
Its truth is relational (persistence/brainstorm.py); this module decides what may happen and
computes what follows, with ``now`` always passed in (the database's clock, so that every node
derives the same countdown from the same stored instants). The documents the server writes
for it (the reveal and the server-owned snapshot) are :mod:`collab.brainstorm_doc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Any, Final
from uuid import UUID

from collab.errors import Conflict, NotFound
from collab.i18n import Text, msg

__all__ = [
    "Phase",
    "PHASES",
    "TimeUp",
    "InvalidTransition",
    "VoteRefused",
    "check_transition",
    "Timer",
    "Summon",
    "Session",
    "check_vote",
    "check_retract",
    "RankedIdea",
    "ClusterTotal",
    "rank_ideas",
    "cluster_totals",
    "RoomKind",
    "RoomRef",
    "brainstorm_room",
    "private_room",
    "private_rooms_prefix",
    "parse_room",
]


class Phase(StrEnum):
    """The phases of a session, in the order a facilitator moves through them."""

    SILENT = "silent"  # everyone writes notes nobody else can see
    REVEAL = "reveal"  # every hidden note appears on the board at once
    CLUSTERING = "clustering"  # the team groups notes (clusterId)
    VOTING = "voting"  # dot voting is open
    RESULTS = "results"  # voting is closed; tallies are shown


#: Every phase, in order.
PHASES: Final = tuple(Phase)


class TimeUp(StrEnum):
    """What happens when a session's timer reaches zero (a rule the facilitator chooses)."""

    NOTHING = "nothing"  # the timer is advisory: the facilitator moves on
    LOCK = "lock"  # writing stops: hidden notes and dots are refused until more time
    ADVANCE = "advance"  # the session moves to the next phase, as a facilitator would


#: A phase named in a sentence, in the reader's language.
PHASE_NOUNS: Final[dict[Phase, Text]] = {
    Phase.SILENT: msg("silent"),
    Phase.REVEAL: msg("reveal"),
    Phase.CLUSTERING: msg("clustering"),
    Phase.VOTING: msg("voting"),
    Phase.RESULTS: msg("results"),
}


class InvalidTransition(Conflict):
    """A phase change that is not allowed: backwards, or to the phase the session is in."""

    def __init__(self, current: Phase, target: Phase) -> None:
        self.current = current
        self.target = target
        order = msg(
            "{silent} -> {reveal} -> {clustering} -> {voting} -> {results}",
            **{phase.value: PHASE_NOUNS[phase] for phase in PHASES},
        )
        super().__init__(
            msg(
                "cannot move from {current} to {target}: phases only move forward ({order})",
                current=PHASE_NOUNS[current],
                target=PHASE_NOUNS[target],
                order=order,
            )
        )


class VoteRefused(Conflict):
    """A dot that the session's rules do not allow (no votes left, or stacking is off)."""


def check_transition(current: Phase, target: Phase) -> None:
    """Allow any move forward, skipping phases included; never backwards or in place.

    Leaving the silent phase always reveals the hidden notes, whichever phase comes next.

    Raises:
        InvalidTransition: ``target`` is not after ``current``.
    """
    if PHASES.index(target) <= PHASES.index(current):
        raise InvalidTransition(current, target)


# --- the timer ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timer:
    """A countdown defined by stored instants, so every node computes the same remaining time.

    ``paused_s`` is the time spent paused before ``paused_at``'s pause (if any) began.
    """

    duration_s: int
    started_at: datetime
    paused_at: datetime | None = None
    paused_s: float = 0.0

    @classmethod
    def start(cls, duration_s: int, now: datetime) -> Timer:
        """A timer of ``duration_s`` seconds running from ``now``."""
        return cls(duration_s, now)

    @property
    def running(self) -> bool:
        """Whether the countdown is running (not paused)."""
        return self.paused_at is None

    def elapsed_s(self, now: datetime) -> float:
        """Seconds counted down so far (never negative, frozen while paused)."""
        until = now if self.paused_at is None else self.paused_at
        return max(0.0, (until - self.started_at).total_seconds() - self.paused_s)

    def remaining_s(self, now: datetime) -> float:
        """Seconds left at ``now`` (0 once the time is up)."""
        return max(0.0, self.duration_s - self.elapsed_s(now))

    @property
    def ends_at(self) -> datetime | None:
        """When the time is up, while running; None while paused (the end keeps moving)."""
        if self.paused_at is not None:
            return None
        return self.started_at + timedelta(seconds=self.duration_s + self.paused_s)

    def pause(self, now: datetime) -> Timer:
        """Stop the countdown at ``now``.

        Raises:
            Conflict: it is already paused.
        """
        if self.paused_at is not None:
            raise Conflict(msg("the timer is already paused"))
        return replace(self, paused_at=now)

    def resume(self, now: datetime) -> Timer:
        """Continue the countdown from where it stopped.

        Raises:
            Conflict: it is running.
        """
        if self.paused_at is None:
            raise Conflict(msg("the timer is not paused"))
        pause_s = max(0.0, (now - self.paused_at).total_seconds())
        return replace(self, paused_at=None, paused_s=self.paused_s + pause_s)

    def extend(self, seconds: int) -> Timer:
        """Give ``seconds`` more (running or paused).

        Raises:
            ValueError: ``seconds`` is not positive.
        """
        if seconds <= 0:
            raise ValueError(f"extend by a positive number of seconds, not {seconds}")
        return replace(self, duration_s=self.duration_s + seconds)

    def stop(self, now: datetime) -> Timer:
        """Freeze the countdown for good (the session ended): paused at ``now`` unless already."""
        return self if self.paused_at is not None else self.pause(now)


# --- the session -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summon:
    """Where a facilitator brought everyone: a point of the board and a zoom level."""

    x: float
    y: float
    zoom: float
    by: UUID
    at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """A brainstorm session as stored; the facilitators are those named on top of the owners."""

    id: UUID
    project_id: UUID
    prompt: str
    phase: Phase
    timer: Timer
    votes_per_person: int
    allow_stacking: bool
    anonymous: bool
    tallies_visible: bool
    created_by: UUID | None
    created_at: datetime
    ended_at: datetime | None = None
    summon: Summon | None = None
    results: Mapping[str, Any] | None = None
    facilitators: tuple[UUID, ...] = ()
    version: int = 1
    #: what happens when the timer reaches zero (collab/brainstorm_time_up.py)
    on_time_up: TimeUp = TimeUp.NOTHING
    #: the countdown whose end was acted on (``brainstorm_time_up.run_key``), if any
    time_up_handled: str | None = None
    #: the time is up under the ``lock`` rule: no hidden notes, no dots until more time
    writing_locked: bool = False
    #: a facilitator locked the board: only facilitators edit it
    board_locked: bool = False
    #: ideas only facilitators (and owners, admins) may change while the session runs
    locked_notes: tuple[str, ...] = ()

    @property
    def ended(self) -> bool:
        """Whether the facilitator ended it (nothing changes any more)."""
        return self.ended_at is not None

    @property
    def notes_held(self) -> frozenset[str]:
        """The locked notes that hold now: a session's locks end with it."""
        return frozenset() if self.ended else frozenset(self.locked_notes)

    def check_open(self) -> None:
        """Raise unless the session is still running.

        Raises:
            Conflict: it ended.
        """
        if self.ended_at is not None:
            raise Conflict(msg("brainstorm session {id} has ended", id=self.id))

    def check_voting(self) -> None:
        """Raise unless dots may be placed or taken back now.

        Raises:
            Conflict: the session ended or is not in its voting phase.
        """
        self.check_open()
        if self.phase is not Phase.VOTING:
            raise Conflict(
                msg(
                    "voting is not open: the session is in its {phase} phase",
                    phase=PHASE_NOUNS[self.phase],
                )
            )
        if self.writing_locked:
            raise Conflict(msg("the time is up: voting is closed until a facilitator extends it"))


# --- dot voting --------------------------------------------------------------------------------


def check_vote(mine: Sequence[str], idea_id: str, *, per_person: int, allow_stacking: bool) -> None:
    """Allow one more dot on ``idea_id`` for someone whose dots are ``mine`` (one id per dot).

    Raises:
        VoteRefused: every vote is used, or the idea already has this person's dot and the
            session does not allow stacking.
    """
    if len(mine) >= per_person:
        raise VoteRefused(
            msg("no votes left: you placed {placed} of {most}", placed=len(mine), most=per_person)
        )
    if not allow_stacking and idea_id in mine:
        raise VoteRefused(
            msg(
                "you already voted for idea {id!r}: this session allows one vote per idea",
                id=idea_id,
            )
        )


def check_retract(mine: Sequence[str], idea_id: str) -> None:
    """Allow taking back one of ``mine`` from ``idea_id``.

    Raises:
        NotFound: none of this person's dots is on that idea.
    """
    if idea_id not in mine:
        raise NotFound(msg("you have no vote on idea {id!r}", id=idea_id))


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankedIdea:
    """One idea in the results: its rank (ties share one), votes, cluster and author."""

    rank: int
    idea_id: str
    text: str | None
    color: str | None
    votes: int
    cluster_id: str | None
    author_id: str | None


@dataclass(frozen=True, slots=True)
class ClusterTotal:
    """The votes of every idea in one cluster."""

    cluster_id: str
    votes: int
    ideas: int


def rank_ideas(
    ideas: Iterable[Mapping[str, Any]], tallies: Mapping[str, int], *, anonymous: bool
) -> list[RankedIdea]:
    """Rank the board's ideas by votes; ties share a rank (1, 2, 2, 4) and keep board order.

    Args:
        ideas: the ideas as :func:`collab.schema.list_items` reads them (oldest first).
        tallies: votes per idea id; votes on ideas no longer on the board are not ranked.
        anonymous: leave every author out.
    """
    board = list(ideas)
    order = sorted(range(len(board)), key=lambda i: -tallies.get(board[i]["id"], 0))
    ranked: list[RankedIdea] = []
    for position, index in enumerate(order):
        idea = board[index]
        votes = tallies.get(idea["id"], 0)
        rank = ranked[-1].rank if ranked and ranked[-1].votes == votes else position + 1
        ranked.append(
            RankedIdea(
                rank=rank,
                idea_id=idea["id"],
                text=idea.get("text"),
                color=idea.get("color"),
                votes=votes,
                cluster_id=idea.get("clusterId"),
                author_id=None if anonymous else idea.get("authorId"),
            )
        )
    return ranked


def cluster_totals(ranked: Iterable[RankedIdea]) -> list[ClusterTotal]:
    """Votes and ideas per cluster, most voted first (ideas in no cluster are left out)."""
    votes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for idea in ranked:
        if idea.cluster_id is not None:
            votes[idea.cluster_id] = votes.get(idea.cluster_id, 0) + idea.votes
            counts[idea.cluster_id] = counts.get(idea.cluster_id, 0) + 1
    order = sorted(votes, key=lambda cluster: (-votes[cluster], cluster))
    return [ClusterTotal(cluster, votes[cluster], counts[cluster]) for cluster in order]


# --- room names --------------------------------------------------------------------------------


class RoomKind(Enum):
    """The rooms of a project: its board, its brainstorm state, a participant's hidden notes."""

    PROJECT = "project"  # "{project}": the workshop document everyone edits
    BRAINSTORM = "brainstorm"  # "{project}:brainstorm": written only by the server
    PRIVATE = "private"  # "{project}:private:{session}:{user}": one participant's notes


@dataclass(frozen=True, slots=True)
class RoomRef:
    """What a room name designates."""

    kind: RoomKind
    project_id: UUID
    session_id: UUID | None = None
    user_id: UUID | None = None


def brainstorm_room(project_id: UUID) -> str:
    """The server-owned room mirroring the project's brainstorm session."""
    return f"{project_id}:brainstorm"


def private_rooms_prefix(project_id: UUID, session_id: UUID) -> str:
    """What every participant's private room of a session is named under."""
    return f"{project_id}:private:{session_id}"


def private_room(project_id: UUID, session_id: UUID, user_id: UUID) -> str:
    """The room holding ``user_id``'s hidden notes during the session's silent phase."""
    return f"{private_rooms_prefix(project_id, session_id)}:{user_id}"


def _uuid(text: str) -> UUID | None:
    # Only the canonical spelling: "ABC..." or hex without dashes would name another room.
    try:
        value = UUID(text)
    except ValueError:
        return None
    return value if str(value) == text else None


def parse_room(name: str) -> RoomRef | None:
    """What ``name`` designates, or None if it names no room of a project."""
    parts = name.split(":")
    ids = [_uuid(part) for part in parts]
    project = ids[0]
    if project is None:
        return None
    if len(parts) == 1:
        return RoomRef(RoomKind.PROJECT, project)
    if parts[1:] == [RoomKind.BRAINSTORM.value]:
        return RoomRef(RoomKind.BRAINSTORM, project)
    if len(parts) == 4 and parts[1] == RoomKind.PRIVATE.value:
        session, user = ids[2], ids[3]
        if session is not None and user is not None:
            return RoomRef(RoomKind.PRIVATE, project, session, user)
    return None
