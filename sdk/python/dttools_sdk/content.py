"""Typed workshop content: the eight artifact kinds of docs/document-schema.md (version 1).

Python attributes are snake_case; on the wire, in REST bodies and in the Yjs document, the
same fields are camelCase (``cluster_id`` is ``clusterId``), which the models translate both
ways. Read models accept what the server returns and ignore fields they do not know, so a
newer server's additive fields do not break an older SDK. Create models refuse unknown fields
here, before a request is made; patch models send only the fields that were set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

__all__ = [
    "Tagged",
    "Artifact",
    "Persona",
    "PersonaCreate",
    "PersonaPatch",
    "EmpathyMap",
    "EmpathyMapCreate",
    "EmpathyMapPatch",
    "PovStatement",
    "PovStatementCreate",
    "PovStatementPatch",
    "HmwQuestion",
    "HmwQuestionCreate",
    "HmwQuestionPatch",
    "Idea",
    "IdeaCreate",
    "IdeaPatch",
    "Prototype",
    "PrototypeCreate",
    "PrototypePatch",
    "UserTest",
    "UserTestCreate",
    "UserTestPatch",
    "UserTestResult",
    "UserTestResultCreate",
    "UserTestResultPatch",
    "UserTestResultInput",
    "Fidelity",
    "Outcome",
    "Body",
    "Patch",
]

Fidelity = Literal["low", "medium", "high"]
Outcome = Literal["success", "partial", "failure"]


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Body(_Camel):
    """A create body: every field checked here, unknown ones refused."""

    model_config = ConfigDict(extra="forbid")

    def to_json(self) -> dict[str, Any]:
        """The body as the REST API expects it (camelCase)."""
        return self.model_dump(mode="json", by_alias=True)


class Patch(_Camel):
    """A partial update: only the fields you set are sent; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    #: fields that may be set to null; None on any other field means "leave unchanged"
    nullable: ClassVar[frozenset[str]] = frozenset()

    def to_json(self) -> dict[str, Any]:
        """The fields that were set, camelCase, without a None the server would refuse."""
        sent = self.model_dump(mode="json", exclude_unset=True)
        return {
            to_camel(name): value
            for name, value in sent.items()
            if value is not None or name in self.nullable
        }


class Tagged(BaseModel):
    """An answer that may carry the ``ETag`` the server sent with it."""

    _etag: str | None = PrivateAttr(default=None)

    @property
    def etag(self) -> str | None:
        """The ``ETag`` the server sent with this answer (for ``if_match``), if any."""
        return self._etag


class Artifact(_Camel, Tagged):
    """The fields every artifact has."""

    model_config = ConfigDict(extra="ignore")

    id: str
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


# --- empathize ------------------------------------------------------------------------------


class Persona(Artifact):
    """A user archetype the team designs for."""

    name: str | None = None
    role: str = ""
    demographics: str = ""
    bio: str = ""
    goals: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    gains: list[str] = Field(default_factory=list)
    quote: str = ""
    avatar: str | None = None
    avatar_file_id: str | None = None


class PersonaCreate(Body):
    """A new persona: ``name`` (1-200 characters) is required."""

    name: str
    role: str = ""
    demographics: str = ""
    bio: str = ""
    goals: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    gains: list[str] = Field(default_factory=list)
    quote: str = ""
    avatar: str | None = None
    avatar_file_id: str | None = None


class PersonaPatch(Patch):
    """Changes to a persona."""

    nullable = frozenset({"avatar", "avatar_file_id"})
    name: str | None = None
    role: str | None = None
    demographics: str | None = None
    bio: str | None = None
    goals: list[str] | None = None
    pains: list[str] | None = None
    gains: list[str] | None = None
    quote: str | None = None
    avatar: str | None = None
    avatar_file_id: str | None = None


class EmpathyMap(Artifact):
    """What a persona says, thinks, does and feels."""

    persona_id: str | None = None
    title: str = ""
    says: list[str] = Field(default_factory=list)
    thinks: list[str] = Field(default_factory=list)
    does: list[str] = Field(default_factory=list)
    feels: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    gains: list[str] = Field(default_factory=list)


class EmpathyMapCreate(Body):
    """A new empathy map (every field optional)."""

    persona_id: str | None = None
    title: str = ""
    says: list[str] = Field(default_factory=list)
    thinks: list[str] = Field(default_factory=list)
    does: list[str] = Field(default_factory=list)
    feels: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    gains: list[str] = Field(default_factory=list)


class EmpathyMapPatch(Patch):
    """Changes to an empathy map."""

    nullable = frozenset({"persona_id"})
    persona_id: str | None = None
    title: str | None = None
    says: list[str] | None = None
    thinks: list[str] | None = None
    does: list[str] | None = None
    feels: list[str] | None = None
    pains: list[str] | None = None
    gains: list[str] | None = None


# --- define ---------------------------------------------------------------------------------


class PovStatement(Artifact):
    """A point of view: *user* needs *need* because *insight*."""

    user: str | None = None
    need: str | None = None
    insight: str = ""


class PovStatementCreate(Body):
    """A new point of view: ``user`` and ``need`` are required."""

    user: str
    need: str
    insight: str = ""


class PovStatementPatch(Patch):
    """Changes to a point of view."""

    user: str | None = None
    need: str | None = None
    insight: str | None = None


class HmwQuestion(Artifact):
    """A how-might-we question, optionally framed by a point of view."""

    question: str | None = None
    pov_id: str | None = None


class HmwQuestionCreate(Body):
    """A new how-might-we question."""

    question: str
    pov_id: str | None = None


class HmwQuestionPatch(Patch):
    """Changes to a how-might-we question."""

    nullable = frozenset({"pov_id"})
    question: str | None = None
    pov_id: str | None = None


# --- ideate ---------------------------------------------------------------------------------


class Idea(Artifact):
    """A sticky note on the idea board."""

    text: str | None = None
    color: str = "yellow"
    x: float = 0.0
    y: float = 0.0
    cluster_id: str | None = None
    image_file_id: str | None = None
    author_id: str | None = None


class IdeaCreate(Body):
    """A new note: ``color`` is a palette name (``yellow``, ``blue``, ...) or ``#rrggbb``."""

    text: str
    color: str = "yellow"
    x: float = 0.0
    y: float = 0.0
    cluster_id: str | None = None
    image_file_id: str | None = None


class IdeaPatch(Patch):
    """Changes to a note (moving it is a patch of ``x`` and ``y``)."""

    nullable = frozenset({"cluster_id", "image_file_id"})
    text: str | None = None
    color: str | None = None
    x: float | None = None
    y: float | None = None
    cluster_id: str | None = None
    image_file_id: str | None = None


# --- prototype and test ---------------------------------------------------------------------


class Prototype(Artifact):
    """Something built to test ideas."""

    title: str | None = None
    description: str = ""
    linked_idea_ids: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    fidelity: Fidelity | None = None
    file_ids: list[str] = Field(default_factory=list)


class PrototypeCreate(Body):
    """A new prototype: ``title`` is required; linked ideas must exist."""

    title: str
    description: str = ""
    linked_idea_ids: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    fidelity: Fidelity | None = None
    file_ids: list[str] = Field(default_factory=list)


class PrototypePatch(Patch):
    """Changes to a prototype."""

    nullable = frozenset({"fidelity"})
    title: str | None = None
    description: str | None = None
    linked_idea_ids: list[str] | None = None
    links: list[str] | None = None
    fidelity: Fidelity | None = None
    file_ids: list[str] | None = None


class UserTest(Artifact):
    """A user test: the script a facilitator runs with a prototype."""

    title: str | None = None
    script: str = ""
    prototype_id: str | None = None


class UserTestCreate(Body):
    """A new user test."""

    title: str
    script: str = ""
    prototype_id: str | None = None


class UserTestPatch(Patch):
    """Changes to a user test."""

    nullable = frozenset({"prototype_id"})
    title: str | None = None
    script: str | None = None
    prototype_id: str | None = None


class UserTestResult(Artifact):
    """What one participant did in one user test."""

    test_id: str | None = None
    participant: str = ""
    outcome: Outcome | None = None
    notes: str = ""
    rating: int | None = None


class UserTestResultCreate(Body):
    """A new result of the test ``test_id``; ``rating`` is 1-5."""

    test_id: str
    outcome: Outcome
    participant: str = ""
    notes: str = ""
    rating: int | None = None


class UserTestResultInput(Body):
    """A result posted under its test (``/v1/tests/{id}/results``), which names the test."""

    outcome: Outcome
    participant: str = ""
    notes: str = ""
    rating: int | None = None


class UserTestResultPatch(Patch):
    """Changes to a test result."""

    nullable = frozenset({"rating"})
    test_id: str | None = None
    participant: str | None = None
    outcome: Outcome | None = None
    notes: str | None = None
    rating: int | None = None
