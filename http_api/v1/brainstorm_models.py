"""Request and response bodies of /v1/projects/{project_id}/brainstorm (see brainstorm.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from collab.artifacts import ID_PATTERN
from collab.brainstorm import Phase, TimeUp

__all__ = [
    "SessionPage",
    "SessionStart",
    "PhaseChange",
    "Extend",
    "RulesChange",
    "FacilitatorAdd",
    "VoteIn",
    "SummonIn",
    "TimerOut",
    "SummonOut",
    "IdeaResult",
    "ClusterResult",
    "ResultsOut",
    "SessionOut",
    "VotesOut",
]

Duration = Annotated[StrictInt, Field(ge=10, le=86_400, description="seconds")]
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]
IdeaId = Annotated[str, Field(pattern=f"^{ID_PATTERN.pattern}$")]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SessionStart(_Input):
    """Start a session on the project's idea board."""

    prompt: str = Field(min_length=1, max_length=1_000, description="what to brainstorm about")
    duration_s: Duration = 300
    votes_per_person: StrictInt = Field(default=3, ge=1, le=100)
    allow_stacking: StrictBool = Field(
        default=False, description="whether one person may put several dots on one idea"
    )
    anonymous: StrictBool = Field(
        default=False, description="revealed notes and results name no author"
    )
    phase: Phase = Field(default=Phase.SILENT, description="the phase to start in")
    facilitators: list[UUID] = Field(
        default_factory=list, max_length=20, description="members who facilitate too"
    )
    on_time_up: TimeUp = Field(
        default=TimeUp.NOTHING,
        description="when the timer reaches zero: nothing, lock (writing stops) or advance "
        "(to the next phase)",
    )


class PhaseChange(_Input):
    """Move the session forward (leaving the silent phase reveals every hidden note)."""

    phase: Phase
    duration_s: Duration | None = Field(
        default=None, description="restart the timer with this duration; omitted: it goes on"
    )


class Extend(_Input):
    seconds: StrictInt = Field(ge=1, le=86_400)


class RulesChange(_Input):
    """Change a running session's rules (facilitators)."""

    on_time_up: TimeUp = Field(description="what happens when the timer reaches zero")


#: Notes a session may hold locked at once.
MAX_LOCKED_NOTES = 500


class NotesLock(_Input):
    """Lock or unlock some notes of the board (facilitators)."""

    idea_ids: list[Annotated[str, StringConstraints(pattern=f"^{ID_PATTERN.pattern}$")]] = Field(
        min_length=1, max_length=MAX_LOCKED_NOTES, description="ideas on the board"
    )


class FacilitatorAdd(_Input):
    user_id: UUID = Field(description="a member (or owner) of the project")


class VoteIn(_Input):
    idea_id: IdeaId


class SummonIn(_Input):
    """Bring everyone to this view of the board."""

    x: Coordinate
    y: Coordinate
    zoom: float = Field(gt=0, le=100, allow_inf_nan=False)


class TimerOut(BaseModel):
    """The shared countdown; ``remaining_s`` is computed with the server's clock."""

    duration_s: int
    started_at: datetime
    paused_at: datetime | None
    paused_s: float
    ends_at: datetime | None = Field(description="null while paused")
    remaining_s: float
    running: bool


class SummonOut(BaseModel):
    x: float
    y: float
    zoom: float
    by: UUID
    at: datetime


class IdeaResult(BaseModel):
    """One idea of the board, ranked (ties share a rank)."""

    rank: int
    idea_id: str
    text: str | None
    color: str | None
    votes: int
    cluster_id: str | None
    author_id: str | None = Field(description="null in anonymous sessions")
    author_name: str | None


class ClusterResult(BaseModel):
    cluster_id: str
    name: str | None = Field(description="from the board's clusters root, if named there")
    votes: int
    ideas: int


class ResultsOut(BaseModel):
    """Every idea on the board ranked by votes, and the votes per cluster."""

    session_id: UUID
    project_id: UUID
    prompt: str
    anonymous: bool
    taken_at: datetime
    voters: int
    votes: int
    votes_on_deleted_ideas: int
    ideas: list[IdeaResult]
    clusters: list[ClusterResult]


class SessionOut(BaseModel):
    """A brainstorm session as the caller may see it."""

    id: UUID
    project_id: UUID
    prompt: str
    phase: Phase
    ended: bool
    ended_at: datetime | None
    created_by: UUID | None
    created_at: datetime
    votes_per_person: int
    allow_stacking: bool
    anonymous: bool
    tallies_visible: bool
    lead: UUID | None = Field(description="who started it: the facilitator to follow")
    facilitators: list[UUID] = Field(description="members named facilitators (owners are too)")
    you_facilitate: bool
    on_time_up: TimeUp = Field(description="what happens when the timer reaches zero")
    writing_locked: bool = Field(
        description="the time is up under the lock rule: no hidden notes, no dots"
    )
    board_locked: bool = Field(description="a facilitator locked the board for non-facilitators")
    locked_notes: list[str] = Field(
        description="ideas a facilitator locked: only facilitators change them (while it runs)"
    )
    timer: TimerOut
    server_time: datetime = Field(description="the server's clock, to correct the client's")
    summon: SummonOut | None
    tallies: dict[str, int] | None = Field(
        description="votes per idea id: for facilitators, and for everyone once revealed; "
        "null otherwise (and in lists)"
    )
    results: ResultsOut | None = Field(
        description="once the session is in its results phase (final once it ended)"
    )
    room: str = Field(description="the server-owned room mirroring this state (read-only)")
    private_room: str | None = Field(
        description="your room for hidden notes while the session is silent; null if you "
        "may not write notes"
    )
    version: int


class SessionPage(BaseModel):
    """A page of sessions, newest first; pass ``next_cursor`` back for the next one."""

    items: list[SessionOut]
    next_cursor: str | None


class VotesOut(BaseModel):
    """Your dots in a session: one entry per dot."""

    session_id: UUID
    votes: list[str]
    used: int
    remaining: int
    votes_per_person: int
    allow_stacking: bool
