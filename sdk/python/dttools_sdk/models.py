"""Typed answers of the REST API outside the workshop content: projects, members, files,
exports, brainstorm sessions, accounts and audit entries (snake_case on the wire too).

Every model ignores fields it does not know, so an SDK keeps working against a newer server
that added some (additive changes, docs/document-schema.md "Evolution").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import ConfigDict, Field

from dttools_sdk.content import (
    EmpathyMap,
    HmwQuestion,
    Idea,
    Persona,
    PovStatement,
    Prototype,
    Tagged,
    UserTest,
    UserTestResult,
)

__all__ = [
    "DataExport",
    "Model",
    "Page",
    "Phase",
    "Role",
    "TeamRole",
    "Language",
    "ExportFormat",
    "BrainstormPhase",
    "BrainstormTimeUp",
    "User",
    "ApiKey",
    "ApiKeyCreated",
    "Project",
    "Member",
    "Invitation",
    "BulkOutcome",
    "BulkAdded",
    "Version",
    "VersionContent",
    "VersionPerson",
    "Restored",
    "Template",
    "Invite",
    "InviteCreated",
    "InvitePreview",
    "InviteJoined",
    "GuestSession",
    "Contributor",
    "ActivityDay",
    "ProjectStats",
    "WorkshopDocument",
    "Violation",
    "FileInfo",
    "ExportScope",
    "Export",
    "ImportResult",
    "Timer",
    "Summon",
    "IdeaRank",
    "ClusterRank",
    "BrainstormResults",
    "BrainstormSession",
    "Votes",
    "AuditEntry",
    "WebhookSubscription",
    "Delivery",
]

T = TypeVar("T")

Phase = Literal["empathize", "define", "ideate", "prototype", "test"]
Role = Literal["admin", "owner", "member", "viewer"]
TeamRole = Literal["owner", "member", "viewer"]
Language = Literal["en", "pt-BR"]
ExportFormat = Literal["pdf", "pptx", "csv", "json", "archive"]
BrainstormPhase = Literal["silent", "reveal", "clustering", "voting", "results"]
BrainstormTimeUp = Literal["nothing", "lock", "advance"]


class Model(Tagged):
    """Base of the answers: unknown fields ignored; ``etag`` when the server sent one."""

    model_config = ConfigDict(extra="ignore")


class Page(Model, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` until it is None."""

    items: list[T]
    next_cursor: str | None


class User(Model):
    """An account, or a guest (no e-mail; ``guest_project`` is the one project it joined)."""

    id: str
    email: str | None
    name: str
    is_admin: bool
    created_at: datetime
    locale: Language
    guest_project: str | None = None


class ApiKey(Model):
    """A personal API key as listed (only its prefix)."""

    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKey):
    """A new API key: ``key`` (``dtt_...``) is shown this once."""

    key: str


class Project(Model):
    """A project (workshop), with the role you act with in it."""

    id: str
    name: str
    description: str
    phase: Phase
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    archived: bool
    language: Language
    viewers_can_export: bool
    role: Role
    membership: TeamRole | None


class Member(Model):
    """Someone on a project's team (a guest has no e-mail address)."""

    user_id: str
    email: str | None
    name: str
    role: TeamRole
    added_at: datetime
    guest: bool = False


class Invitation(Model):
    """An address without an account invited to a team: it joins when it signs up."""

    id: str
    email: str
    role: TeamRole
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


class BulkOutcome(Model):
    """What adding one address of a bulk add did."""

    email: str
    outcome: Literal["added", "invited", "already_member"]
    member: Member | None
    invitation: Invitation | None


class BulkAdded(Model):
    """One outcome per distinct address, in the order given."""

    results: list[BulkOutcome]


class VersionPerson(Model):
    """Someone who had the project open when a restore point was taken."""

    id: str
    name: str


class Version(Model):
    """A restore point of a project's document."""

    id: str
    created_at: datetime
    kind: Literal["named", "phase", "reveal", "activity", "bulk-delete", "restore"]
    name: str | None
    created_by: str | None
    present: list[VersionPerson]
    summary: dict[str, dict[str, int]]
    size: int


class VersionContent(Version):
    """A restore point with the project's content as it was (the shape of ``document()``)."""

    document: dict[str, Any]


class Restored(Model):
    """What a restore did; restore ``undo`` to take it back."""

    restored: str
    undo: str
    changes: dict[str, dict[str, int]]


class Template(Model):
    """What a project can start from: a built-in method or example, or one you saved."""

    id: str
    kind: Literal["method", "example", "saved"]
    name: str
    description: str
    phase: Phase
    artifacts: int
    language: str | None
    created_at: datetime | None = None


InviteStatus = Literal["active", "revoked", "expired", "used_up"]


class Invite(Model):
    """An invite link (without its token, which is shown once)."""

    id: str
    project_id: str
    role: TeamRole
    created_by: str | None
    created_at: datetime
    expires_at: datetime
    max_uses: int | None
    uses: int
    revoked_at: datetime | None
    status: InviteStatus


class InviteCreated(Invite):
    """A new invite link: ``token`` and ``url`` are shown this once."""

    token: str
    url: str


class InvitePreview(Model):
    """Where an invite link leads (no sign-in needed)."""

    project_id: str
    project_name: str
    role: TeamRole
    expires_at: datetime
    status: InviteStatus


class GuestSession(Model):
    """A guest's session: the tokens to call the API and open the project's room with."""

    user: User
    access_expires_at: datetime
    access_token: str | None = None
    refresh_token: str | None = None


class InviteJoined(Model):
    """Who joined through a link, with what role; ``session`` is set for a new guest."""

    project_id: str
    role: TeamRole
    guest: bool
    session: GuestSession | None


class Contributor(Model):
    """A member who changed the document."""

    user_id: str
    name: str
    role: TeamRole


class ActivityDay(Model):
    """Stored document updates on one day."""

    day: date
    updates: int


class ProjectStats(Model):
    """A project's team and activity."""

    project_id: str
    members_by_role: dict[str, int]
    member_count: int
    contributors: list[Contributor]
    artifacts_per_phase: dict[str, int]
    activity: list[ActivityDay]
    updates_stored: int
    updates_compacted: int
    compacted_at: datetime | None
    last_update_at: datetime | None


class WorkshopDocument(Model):
    """The whole workshop document, typed (``GET /v1/projects/{id}/document``)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_version: int = Field(alias="schemaVersion")
    personas: list[Persona] = Field(default_factory=list)
    empathy_maps: list[EmpathyMap] = Field(default_factory=list, alias="empathyMaps")
    pov_statements: list[PovStatement] = Field(default_factory=list, alias="povStatements")
    hmw_questions: list[HmwQuestion] = Field(default_factory=list, alias="hmwQuestions")
    ideas: list[Idea] = Field(default_factory=list)
    prototypes: list[Prototype] = Field(default_factory=list)
    tests: list[UserTest] = Field(default_factory=list)
    test_results: list[UserTestResult] = Field(default_factory=list, alias="testResults")


class Violation(Model):
    """Something live clients wrote against the schema: a JSON Pointer and why."""

    path: str
    message: str


class FileInfo(Model):
    """An uploaded file or image."""

    id: str
    project_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    has_thumbnail: bool
    created_by: str | None
    created_at: datetime
    content_url: str
    thumbnail_url: str | None


class ExportScope(Model):
    """Which phases (None: all) and which brainstorm session an export shows."""

    phases: list[Phase] | None
    session_id: str | None


class DataExport(Model):
    """An export of your own data (a zip) and, once ``status`` is ``done``, its link."""

    id: str
    status: Literal["pending", "running", "done", "failed"]
    progress: float
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    size: int | None
    download_url: str | None


class Export(Model):
    """An export job and, once ``status`` is ``done``, its file."""

    id: str
    project_id: str
    format: ExportFormat
    scope: ExportScope
    language: str
    status: Literal["pending", "running", "done", "failed"]
    progress: float
    stage: str
    error: str | None
    error_detail: str | None
    requested_by: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    taken_at: datetime | None
    state_hash: str | None
    file_name: str | None
    media_type: str | None
    size: int | None
    sha256: str | None
    download_url: str | None

    @property
    def finished(self) -> bool:
        """Whether the job ended (``done`` or ``failed``)."""
        return self.status in ("done", "failed")


class ImportResult(Model):
    """A project recreated from an archive."""

    project: Project
    artifacts: int
    files: int


class Timer(Model):
    """A brainstorm phase's timer, as the server computed it at ``server_time``."""

    duration_s: int
    started_at: datetime
    paused_at: datetime | None
    paused_s: float
    ends_at: datetime | None
    remaining_s: float
    running: bool


class Summon(Model):
    """Where the facilitator called everyone's view."""

    x: float
    y: float
    zoom: float
    by: str
    at: datetime


class IdeaRank(Model):
    """One idea in a session's results."""

    rank: int
    idea_id: str
    text: str | None
    color: str | None
    votes: int
    cluster_id: str | None
    author_id: str | None
    author_name: str | None


class ClusterRank(Model):
    """One cluster in a session's results."""

    cluster_id: str
    name: str | None
    votes: int
    ideas: int


class BrainstormResults(Model):
    """A session's ranked ideas and clusters."""

    session_id: str
    project_id: str
    prompt: str
    anonymous: bool
    taken_at: datetime
    voters: int
    votes: int
    votes_on_deleted_ideas: int
    ideas: list[IdeaRank]
    clusters: list[ClusterRank]


class BrainstormSession(Model):
    """A facilitated brainstorm session (docs/brainstorm.md)."""

    id: str
    project_id: str
    prompt: str
    phase: BrainstormPhase
    ended: bool
    ended_at: datetime | None
    created_by: str | None
    created_at: datetime
    votes_per_person: int
    allow_stacking: bool
    anonymous: bool
    tallies_visible: bool
    lead: str | None
    facilitators: list[str]
    you_facilitate: bool
    on_time_up: BrainstormTimeUp = "nothing"
    writing_locked: bool = False
    board_locked: bool = False
    locked_notes: list[str] = Field(default_factory=list)
    timer: Timer
    server_time: datetime
    summon: Summon | None
    tallies: dict[str, Any] | None
    results: BrainstormResults | None
    room: str
    private_room: str | None
    version: int


class Votes(Model):
    """Your dots in a session."""

    session_id: str
    votes: list[str]
    used: int
    remaining: int
    votes_per_person: int
    allow_stacking: bool


class AuditEntry(Model):
    """One audited action."""

    id: int
    at: datetime
    actor_id: str | None
    action: str
    project_id: str | None
    target: str | None
    ip: str | None
    user_agent: str | None
    details: dict[str, Any]


class WebhookSubscription(Model):
    """A webhook subscription; ``secret`` only in the answer that made or rotated it."""

    id: str
    project_id: str | None
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: Literal["gone", "failing"] | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = None


class Delivery(Model):
    """One event's delivery to one subscription, with its attempts."""

    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    created_at: datetime
    finished_at: datetime | None
    payload: dict[str, Any]
    attempt_log: list[dict[str, Any]]
