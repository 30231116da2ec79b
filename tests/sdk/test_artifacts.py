"""The SDK's artifact resources against a real server: every kind, typed both ways."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from dttools_sdk import (
    DTTools,
    EmpathyMapCreate,
    EmpathyMapPatch,
    HmwQuestionCreate,
    HmwQuestionPatch,
    IdeaCreate,
    IdeaPatch,
    IdempotencyKeyReused,
    NotFound,
    PersonaCreate,
    PersonaPatch,
    PovStatementCreate,
    PovStatementPatch,
    PreconditionFailed,
    Project,
    PrototypeCreate,
    PrototypePatch,
    UserTestCreate,
    UserTestPatch,
    UserTestResultCreate,
    UserTestResultInput,
    UserTestResultPatch,
    ValidationError,
)
from dttools_sdk.content import Body, Patch
from dttools_sdk.live import ROOTS
from dttools_sdk.resources.artifacts import ArtifactResource

from collab.artifacts import KINDS

pytestmark = pytest.mark.shared_server


@dataclass(frozen=True)
class Case:
    """One kind: the client attribute, a create body, a patch and what the patch changes."""

    attribute: str
    create: Body
    patch: Patch
    changed: tuple[str, Any]


CASES = {
    "personas": Case(
        "personas",
        PersonaCreate(name="Ana", goals=["fewer night shifts"], avatar_file_id=None),
        PersonaPatch(quote="I chart more than I care."),
        ("quote", "I chart more than I care."),
    ),
    "empathyMaps": Case(
        "empathy_maps",
        EmpathyMapCreate(title="Ana at 3 a.m.", says=["where is the chart?"]),
        EmpathyMapPatch(feels=["tired"]),
        ("feels", ["tired"]),
    ),
    "povStatements": Case(
        "pov_statements",
        PovStatementCreate(user="Night nurses", need="quick handovers"),
        PovStatementPatch(insight="handover eats the first hour"),
        ("insight", "handover eats the first hour"),
    ),
    "hmwQuestions": Case(
        "hmw_questions",
        HmwQuestionCreate(question="How might we halve handover time?"),
        HmwQuestionPatch(question="How might we end handover?"),
        ("question", "How might we end handover?"),
    ),
    "ideas": Case(
        "ideas",
        IdeaCreate(text="Voice notes", color="blue", x=10, y=-20, cluster_id="c1"),
        IdeaPatch(x=300, cluster_id=None),
        ("x", 300.0),
    ),
    "prototypes": Case(
        "prototypes",
        PrototypeCreate(title="Paper handover sheet", links=["https://example.com/sheet"]),
        PrototypePatch(fidelity="medium"),
        ("fidelity", "medium"),
    ),
    "tests": Case(
        "tests",
        UserTestCreate(title="Handover with the sheet", script="1. hand over"),
        UserTestPatch(script="1. hand over\n2. ask"),
        ("script", "1. hand over\n2. ask"),
    ),
}


def test_every_kind_has_a_resource_and_a_root() -> None:
    """Each kind of the server's registry has a case here, a client resource and a live root."""
    collections = {kind.collection for kind in KINDS.values()}
    assert collections == {*CASES, "testResults"}
    assert set(ROOTS.values()) == collections
    assert {kind.segment for kind in KINDS.values()} == {
        "personas", "empathy-maps", "pov-statements", "hmw-questions", "ideas", "prototypes",
        "tests", "test-results",
    }  # fmt: skip


def resource(client: DTTools, attribute: str) -> ArtifactResource[Any, Any, Any]:
    found: ArtifactResource[Any, Any, Any] = getattr(client, attribute)
    return found


class TestEveryKind:
    @pytest.mark.parametrize("collection", list(CASES))
    async def test_crud(self, client: DTTools, project: Project, collection: str) -> None:
        """Create, list, read, patch and delete: typed answers, the patch changes one field."""
        case = CASES[collection]
        kind = resource(client, case.attribute)
        created = await kind.create(project.id, case.create)
        assert created.created_by == (await client.account.me()).id
        assert created.etag is not None
        assert [item.id for item in (await kind.list(project.id)).items] == [created.id]
        assert [item.id async for item in kind.iter(project.id)] == [created.id]
        read = await kind.get(created.id)
        assert read == created
        field, value = case.changed
        patched = await kind.update(created.id, case.patch, if_match=read.etag)
        assert getattr(patched, field) == value
        untouched = set(type(created).model_fields) - {field, "updated_at", "cluster_id"}
        for name in untouched:
            assert getattr(patched, name) == getattr(created, name), name
        await kind.delete(created.id)
        with pytest.raises(NotFound):
            await kind.get(created.id)

    async def test_test_results(self, client: DTTools, project: Project) -> None:
        """Results go under a test or on their own; both read back typed, and go with the test."""
        test = await client.tests.create(project.id, UserTestCreate(title="Sheet test"))
        first = await client.tests.add_result(
            test.id, UserTestResultInput(outcome="partial", participant="P1", rating=3)
        )
        second = await client.test_results.create(
            project.id, UserTestResultCreate(test_id=test.id, outcome="success")
        )
        assert first.test_id == second.test_id == test.id
        assert [r.id for r in (await client.tests.results(test.id)).items] == [first.id, second.id]
        rated = await client.test_results.update(second.id, UserTestResultPatch(rating=5))
        assert rated.rating == 5
        unrated = await client.test_results.update(second.id, UserTestResultPatch(rating=None))
        assert unrated.rating is None
        await client.tests.delete(test.id)
        assert (await client.test_results.list(project.id)).items == []


class TestErrors:
    async def test_unknown_id_is_not_found(self, client: DTTools) -> None:
        """A 404 problem becomes NotFound, with the problem's fields on it."""
        with pytest.raises(NotFound) as caught:
            await client.ideas.get("no-such-idea")
        assert caught.value.status == 404
        assert caught.value.slug == "not-found"
        assert "no-such-idea" in str(caught.value)

    async def test_invalid_field_is_a_validation_error(
        self, client: DTTools, project: Project
    ) -> None:
        """A 422 names the field in ``errors``; nothing is created."""
        with pytest.raises(ValidationError) as caught:
            await client.ideas.create(project.id, IdeaCreate(text="x", color="chartreuse"))
        assert [error.field for error in caught.value.errors] == ["color"]
        assert (await client.ideas.list(project.id)).items == []

    async def test_stale_if_match_is_refused(self, client: DTTools, project: Project) -> None:
        """An update with an old ETag raises PreconditionFailed and changes nothing."""
        idea = await client.ideas.create(project.id, IdeaCreate(text="first"))
        await client.ideas.update(idea.id, IdeaPatch(text="second"))
        with pytest.raises(PreconditionFailed):
            await client.ideas.update(idea.id, IdeaPatch(text="third"), if_match=idea.etag)
        assert (await client.ideas.get(idea.id)).text == "second"

    def test_create_models_refuse_unknown_fields(self) -> None:
        """A typo in a create body fails before any request is made."""
        with pytest.raises(Exception, match="colour"):
            IdeaCreate.model_validate({"text": "x", "colour": "blue"})


class TestIdempotency:
    async def test_same_key_returns_the_same_artifact(
        self, client: DTTools, project: Project
    ) -> None:
        """Creating twice with one key creates once; the second answer is the first one."""
        body = IdeaCreate(text="only once")
        first = await client.ideas.create(project.id, body, idempotency_key="sdk-key-1")
        again = await client.ideas.create(project.id, body, idempotency_key="sdk-key-1")
        assert again == first
        assert [idea.id for idea in (await client.ideas.list(project.id)).items] == [first.id]

    async def test_same_key_other_body_is_refused(self, client: DTTools, project: Project) -> None:
        """Reusing a key for a different request raises IdempotencyKeyReused (a 422)."""
        await client.ideas.create(project.id, IdeaCreate(text="a"), idempotency_key="sdk-key-2")
        with pytest.raises(IdempotencyKeyReused):
            await client.ideas.create(project.id, IdeaCreate(text="b"), idempotency_key="sdk-key-2")

    async def test_without_a_key_each_call_acts(self, client: DTTools, project: Project) -> None:
        """The automatic key is per call: two calls are two creates."""
        body = IdeaCreate(text="twice")
        await client.ideas.create(project.id, body)
        await client.ideas.create(project.id, body)
        assert len((await client.ideas.list(project.id)).items) == 2
