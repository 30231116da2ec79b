"""The workshop document schema: registry, strict REST writes, tolerant reads, references, docs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text
from pydantic import ValidationError

from collab.artifacts import (
    FILE_FIELDS,
    FILE_ID_PATTERN,
    KINDS,
    KINDS_BY_SEGMENT,
    MAX_LIST_ITEMS,
    SCHEMA_VERSION,
    ArtifactKind,
    OnDelete,
    Phase,
    format_timestamp,
)
from collab.errors import Conflict, NotFound
from collab.schema import (
    META,
    InvalidReference,
    SchemaViolation,
    UnsupportedSchemaVersion,
    artifact_ids,
    count_by_phase,
    create_item,
    delete_item,
    ensure_schema,
    export_document,
    get_item,
    list_items,
    update_item,
    upgrade_document,
    validate_document,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
NOW_TEXT = "2024-05-01T12:00:00.000Z"
#: The id of an artifact a test creates when the id does not matter.
NEW_ID = "11111111-2222-4333-8444-555555555555"
LATER_TEXT = "2024-05-01T13:00:00.000Z"
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "document-schema.md"

# Ids every sample points at; seed() creates them so references resolve.
SEED = {
    "personas": "persona-1",
    "povStatements": "pov-1",
    "ideas": "idea-1",
    "prototypes": "proto-1",
    "tests": "test-1",
}

# A full body per kind: every content field set to a value that is not its default.
FULL: dict[str, dict[str, Any]] = {
    "personas": {
        "name": "Ada",
        "role": "Night nurse",
        "demographics": "34, Leeds",
        "bio": "Runs a ward of twelve.",
        "goals": ["Fewer night shifts", "Time with kids"],
        "pains": ["Paper forms"],
        "gains": ["Recognition"],
        "quote": "I just want to finish on time.",
        "avatar": "https://example.com/ada.png",
        "avatarFileId": "0b6a3c1e-5f2d-4b7a-9c1e-2d3f4a5b6c7d",
    },
    "empathyMaps": {
        "personaId": "persona-1",
        "title": "Ada on a Monday",
        "says": ["It's fine"],
        "thinks": ["It is not fine"],
        "does": ["Double-checks doses"],
        "feels": ["Tired"],
        "pains": ["Handover"],
        "gains": ["Quiet hour"],
    },
    "povStatements": {"user": "Ada", "need": "a faster handover", "insight": "she loses an hour"},
    "hmwQuestions": {"question": "How might we halve handover time?", "povId": "pov-1"},
    "ideas": {
        "text": "Voice notes",
        "color": "#A0b1C2",
        "x": 12.5,
        "y": -3.0,
        "clusterId": "c-1",
        "imageFileId": "7e0c9a4b-1d2e-4f3a-8b5c-6d7e8f9a0b1c",
    },
    "prototypes": {
        "title": "Voice handover app",
        "description": "A paper mock-up.",
        "linkedIdeaIds": ["idea-1"],
        "links": ["https://figma.com/file/x", "/v1/files/abc"],
        "fidelity": "low",
        "fileIds": ["3c2b1a09-8f7e-4d6c-9b5a-493827160514"],
    },
    "tests": {"title": "Handover walkthrough", "script": "1. Record.", "prototypeId": "proto-1"},
    "testResults": {
        "testId": "test-1",
        "participant": "P3",
        "outcome": "partial",
        "notes": "Gave up at step 2.",
        "rating": 4,
    },
}
# The required fields only.
MINIMAL = {
    name: {spec.name: FULL[name][spec.name] for spec in kind.content_fields if spec.required}
    for name, kind in KINDS.items()
}


def seed(doc: Doc[Any]) -> None:
    """Create the artifacts that the sample bodies point at."""
    for name, item_id in SEED.items():
        create(doc, name, MINIMAL[name], item_id=item_id)


def create(
    doc: Doc[Any], name: str, body: dict[str, Any], item_id: str | None = None
) -> dict[str, Any]:
    model = KINDS[name].create.model_validate(body)
    item_id = str(uuid.uuid4()) if item_id is None else item_id
    return create_item(doc, name, model, author_id="user-1", now=NOW, item_id=item_id)


def patch(doc: Doc[Any], name: str, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return update_item(doc, name, item_id, KINDS[name].update.model_validate(body), now=LATER)


def root(doc: Doc[Any], name: str) -> Map[Any]:
    result: Map[Any] = doc.get(name, type=Map)
    return result


def stored(doc: Doc[Any], name: str, item_id: str) -> Map[Any]:
    entry = root(doc, name)[item_id]
    assert isinstance(entry, Map)
    return entry


def version(doc: Doc[Any]) -> object:
    return doc.get(META, type=Map).get("schemaVersion")


@pytest.fixture
def doc() -> Doc[Any]:
    seeded: Doc[Any] = Doc()
    seed(seeded)
    return seeded


ALL_KINDS = pytest.mark.parametrize("name", list(KINDS))


class TestRegistry:
    def test_collections_segments_and_phases(self) -> None:
        """The eight collections, their REST segments and phases are the published ones."""
        assert {k.collection: (k.segment, k.phase.value) for k in KINDS.values()} == {
            "personas": ("personas", "empathize"),
            "empathyMaps": ("empathy-maps", "empathize"),
            "povStatements": ("pov-statements", "define"),
            "hmwQuestions": ("hmw-questions", "define"),
            "ideas": ("ideas", "ideate"),
            "prototypes": ("prototypes", "prototype"),
            "tests": ("tests", "test"),
            "testResults": ("test-results", "test"),
        }
        assert all(KINDS_BY_SEGMENT[k.segment] is k for k in KINDS.values())

    def test_list_fields_and_references(self) -> None:
        """List fields and references are derived from the field table."""
        assert KINDS["personas"].list_fields == {"goals", "pains", "gains"}
        assert KINDS["prototypes"].list_fields == {"linkedIdeaIds", "links", "fileIds"}
        refs = {(k.collection, r.field): (r.target, r.on_delete) for k in KINDS.values()
                for r in k.references}  # fmt: skip
        assert refs == {
            ("empathyMaps", "personaId"): ("personas", OnDelete.SET_NULL),
            ("hmwQuestions", "povId"): ("povStatements", OnDelete.SET_NULL),
            ("prototypes", "linkedIdeaIds"): ("ideas", OnDelete.REMOVE),
            ("tests", "prototypeId"): ("prototypes", OnDelete.SET_NULL),
            ("testResults", "testId"): ("tests", OnDelete.CASCADE),
        }

    def test_file_fields(self) -> None:
        """Files are referred to by id in exactly the fields FILE_FIELDS names (the sweeper reads
        them); they are UUID strings, not artifact references, so deletes never touch them."""
        for collection, names in FILE_FIELDS.items():
            kind = KINDS[collection]
            for field_name in names:
                spec = next(s for s in kind.fields if s.name == field_name)
                assert spec.target is None
                assert not spec.required
                assert spec.item_adapter.validate_python(str(uuid.uuid4())), field_name
                assert FILE_ID_PATTERN.fullmatch(str(uuid.uuid4()))
        assert KINDS["prototypes"].list_fields >= {"fileIds"}
        assert not FILE_ID_PATTERN.fullmatch("persona-1")

    @ALL_KINDS
    def test_samples_cover_every_content_field(self, name: str) -> None:
        """The sample bodies set every field a client may write, so CRUD tests touch them all."""
        assert set(FULL[name]) == {spec.name for spec in KINDS[name].content_fields}

    @ALL_KINDS
    def test_model_names(self, name: str) -> None:
        """OpenAPI sees Create, Update and item models with readable names."""
        kind = KINDS[name]
        assert kind.create.__name__ == kind.item.__name__ + "Create"
        assert kind.update.__name__ == kind.item.__name__ + "Update"
        assert "default" not in str(kind.update.model_json_schema()["properties"])

    def test_format_timestamp_matches_js(self) -> None:
        """Dates look like JS toISOString(), converted to UTC; a naive time is refused."""
        assert format_timestamp(NOW) == NOW_TEXT
        plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
        assert format_timestamp(plus_two) == NOW_TEXT
        with pytest.raises(ValueError, match="timezone-aware"):
            format_timestamp(NOW.replace(tzinfo=None))


class TestCrud:
    @ALL_KINDS
    def test_create_get_list(self, doc: Doc[Any], name: str) -> None:
        """A created artifact has its fields, the server's fields, and reads back the same."""
        item = create(doc, name, FULL[name])
        kind = KINDS[name]
        assert {k: item[k] for k in FULL[name]} == FULL[name]
        assert item["createdBy"] == "user-1"
        assert item["createdAt"] == item["updatedAt"] == NOW_TEXT
        assert get_item(doc, name, item["id"]) == item
        assert item in list_items(doc, kind)
        kind.item.model_validate(item)
        assert validate_document(doc) == []

    @ALL_KINDS
    def test_defaults(self, doc: Doc[Any], name: str) -> None:
        """Fields left out of a create get their documented defaults."""
        item = create(doc, name, MINIMAL[name])
        for spec in KINDS[name].content_fields:
            if not spec.required:
                assert item[spec.name] == spec.fallback(), spec.name

    @ALL_KINDS
    def test_update_every_field(self, doc: Doc[Any], name: str) -> None:
        """A patch writes exactly the fields it sets and bumps updatedAt only."""
        item = create(doc, name, MINIMAL[name])
        updated = patch(doc, name, item["id"], FULL[name])
        assert {k: updated[k] for k in FULL[name]} == FULL[name]
        assert (updated["createdAt"], updated["updatedAt"]) == (NOW_TEXT, LATER_TEXT)
        for field in KINDS[name].list_fields:
            assert isinstance(stored(doc, name, item["id"])[field], Array)

    @ALL_KINDS
    def test_delete(self, doc: Doc[Any], name: str) -> None:
        """A deleted artifact is gone from get and list."""
        item = create(doc, name, FULL[name])
        delete_item(doc, name, item["id"], now=LATER)
        with pytest.raises(NotFound, match="not found"):
            get_item(doc, name, item["id"])
        assert item["id"] not in {i["id"] for i in list_items(doc, name)}

    @ALL_KINDS
    def test_missing_artifact(self, name: str) -> None:
        """Get, patch and delete of an unknown id raise NotFound."""
        empty: Doc[Any] = Doc()
        with pytest.raises(NotFound):
            get_item(empty, name, "nope")
        with pytest.raises(NotFound):
            patch(empty, name, "nope", {})
        with pytest.raises(NotFound):
            delete_item(empty, name, "nope", now=NOW)

    def test_empty_patch_changes_nothing(self, doc: Doc[Any]) -> None:
        """A patch without fields leaves updatedAt alone and writes no update."""
        item = create(doc, "ideas", FULL["ideas"])
        before = doc.get_update()
        assert patch(doc, "ideas", item["id"], {}) == item
        assert doc.get_update() == before

    def test_unchanged_list_is_not_rewritten(self, doc: Doc[Any]) -> None:
        """Patching a list to its current value does not churn the Y.Array."""
        item = create(doc, "personas", FULL["personas"])
        events: list[object] = []
        stored(doc, "personas", item["id"])["goals"].observe(events.append)
        patch(doc, "personas", item["id"], {"goals": FULL["personas"]["goals"]})
        assert events == []

    def test_patch_repairs_a_broken_list(self, doc: Doc[Any]) -> None:
        """A list field a client stored as a plain value becomes a Y.Array again."""
        item = create(doc, "personas", FULL["personas"])
        stored(doc, "personas", item["id"])["goals"] = "oops"
        assert patch(doc, "personas", item["id"], {"goals": ["a"]})["goals"] == ["a"]
        assert isinstance(stored(doc, "personas", item["id"])["goals"], Array)

    def test_patch_null_on_nullable(self, doc: Doc[Any]) -> None:
        """null clears a nullable field; absent leaves it."""
        item = create(doc, "testResults", FULL["testResults"])
        updated = patch(doc, "testResults", item["id"], {"rating": None})
        assert updated["rating"] is None
        assert updated["outcome"] == "partial"

    def test_ideas_record_their_author(self, doc: Doc[Any]) -> None:
        """authorId is set from the caller, like createdBy, and cannot come from a body."""
        assert create(doc, "ideas", FULL["ideas"])["authorId"] == "user-1"
        with pytest.raises(ValidationError):
            KINDS["ideas"].create.model_validate(FULL["ideas"] | {"authorId": "someone-else"})

    def test_item_id_given(self, doc: Doc[Any]) -> None:
        """A caller-chosen id is used; a taken one is a Conflict; a malformed one a ValueError."""
        assert create(doc, "ideas", FULL["ideas"], item_id="mine")["id"] == "mine"
        with pytest.raises(Conflict, match="'mine' already exists"):
            create(doc, "ideas", FULL["ideas"], item_id="mine")
        with pytest.raises(ValueError, match="does not match"):
            create(doc, "ideas", FULL["ideas"], item_id="has space")

    def test_wrong_model_is_a_type_error(self, doc: Doc[Any]) -> None:
        """Passing another kind's model is a programming error, not a 422."""
        persona = KINDS["personas"].create.model_validate(FULL["personas"])
        with pytest.raises(TypeError, match="ideas expects IdeaCreate"):
            create_item(doc, "ideas", persona, author_id=None, now=NOW, item_id=NEW_ID)
        with pytest.raises(TypeError, match="IdeaUpdate"):
            update_item(doc, "ideas", "idea-1", persona, now=NOW)

    def test_kind_by_object_or_name(self, doc: Doc[Any]) -> None:
        """Functions accept the ArtifactKind or its collection name."""
        assert list_items(doc, KINDS["ideas"]) == list_items(doc, "ideas")

    def test_list_is_in_creation_order(self) -> None:
        """Lists are sorted by createdAt, then id, whatever order the Y.Map iterates in."""
        fresh: Doc[Any] = Doc()
        kind = KINDS["ideas"]
        for item_id, now in [("b", LATER), ("c", NOW), ("a", NOW)]:
            model = kind.create.model_validate({"text": item_id})
            create_item(fresh, kind, model, author_id=None, now=now, item_id=item_id)
        assert [i["id"] for i in list_items(fresh, kind)] == ["a", "c", "b"]


BAD_BODIES = [
    ("personas", {"name": 1}, "name"),
    ("personas", {"name": ""}, "name"),
    ("personas", {"name": "x" * 201}, "name"),
    ("personas", {"name": "A", "bio": "x" * 10_001}, "bio"),
    ("personas", {"name": "A", "goals": ["g"] * (MAX_LIST_ITEMS + 1)}, "goals"),
    ("personas", {"name": "A", "goals": ["x" * 1_001]}, "goals.0"),
    ("personas", {"name": "A", "goals": "one"}, "goals"),
    ("personas", {"name": "A", "avatar": "javascript:alert(1)"}, "avatar"),
    ("personas", {"name": "A", "nickname": "Al"}, "nickname"),
    ("personas", {"role": "dev"}, "name"),
    ("empathyMaps", {"personaId": "not an id"}, "personaId"),
    ("ideas", {"text": "t", "color": "chartreuse"}, "color"),
    ("ideas", {"text": "t", "color": "#12345"}, "color"),
    ("ideas", {"text": "t", "x": "12"}, "x"),
    ("ideas", {"text": "t", "x": float("nan")}, "x"),
    ("ideas", {"text": "t", "y": 1e7}, "y"),
    ("ideas", {"text": "t", "id": "mine"}, "id"),
    ("ideas", {"text": "t", "createdAt": NOW_TEXT}, "createdAt"),
    ("prototypes", {"title": "P", "links": ["//evil.example"]}, "links.0"),
    ("prototypes", {"title": "P", "fidelity": "medium-rare"}, "fidelity"),
    ("prototypes", {"title": "P", "fileIds": ["not-a-uuid"]}, "fileIds.0"),
    (
        "prototypes",
        {"title": "P", "fileIds": ["3C2B1A09-8F7E-4D6C-9B5A-493827160514"]},
        "fileIds.0",
    ),
    (
        "prototypes",
        {"title": "P", "fileIds": [str(uuid.UUID(int=1))] * (MAX_LIST_ITEMS + 1)},
        "fileIds",
    ),
    ("personas", {"name": "A", "avatarFileId": "/v1/files/x"}, "avatarFileId"),
    ("personas", {"name": "A", "avatarFileId": 7}, "avatarFileId"),
    ("ideas", {"text": "t", "imageFileId": "persona-1"}, "imageFileId"),
    ("testResults", {"testId": "t", "outcome": "success", "rating": 0}, "rating"),
    ("testResults", {"testId": "t", "outcome": "success", "rating": 6}, "rating"),
    ("testResults", {"testId": "t", "outcome": "success", "rating": 3.5}, "rating"),
    ("testResults", {"testId": "t", "outcome": "success", "rating": "3"}, "rating"),
    ("testResults", {"testId": "t", "outcome": "success", "rating": True}, "rating"),
    ("testResults", {"testId": "t", "outcome": "meh"}, "outcome"),
]


class TestInputValidation:
    @pytest.mark.parametrize(("name", "body", "field"), BAD_BODIES)
    def test_bad_create_bodies(self, name: str, body: dict[str, Any], field: str) -> None:
        """Wrong types, limits, unknown and server-owned fields are refused, naming the field."""
        with pytest.raises(ValidationError) as info:
            KINDS[name].create.model_validate(body)
        assert field in {".".join(map(str, e["loc"])) for e in info.value.errors()}

    @pytest.mark.parametrize(
        ("name", "body"),
        [("personas", {"name": None}), ("ideas", {"color": None}), ("ideas", {"bogus": 1})],
    )
    def test_bad_patches(self, name: str, body: dict[str, Any]) -> None:
        """A patch may not null a non-nullable field or name an unknown one."""
        with pytest.raises(ValidationError):
            KINDS[name].update.model_validate(body)

    @pytest.mark.parametrize("color", ["pink", "grey", "#a0B1c2"])
    def test_good_colours(self, color: str) -> None:
        """Palette names and #rrggbb in either case are colours."""
        KINDS["ideas"].create.model_validate({"text": "t", "color": color})

    def test_integral_coordinates_and_rating(self) -> None:
        """JSON integers are fine for numbers; a rating of 5 is fine."""
        KINDS["ideas"].create.model_validate({"text": "t", "x": 3, "y": -1_000_000})
        body = {"testId": "t", "outcome": "failure", "rating": 5}
        KINDS["testResults"].create.model_validate(body)


class TestReferences:
    @pytest.mark.parametrize(
        ("name", "field", "value"),
        [
            ("empathyMaps", "personaId", "ghost"),
            ("hmwQuestions", "povId", "ghost"),
            ("prototypes", "linkedIdeaIds", ["idea-1", "ghost"]),
            ("tests", "prototypeId", "ghost"),
            ("testResults", "testId", "ghost"),
        ],
    )
    def test_create_refuses_dangling(self, name: str, field: str, value: Any) -> None:
        """A reference to a missing artifact is refused before anything is written."""
        versioned: Doc[Any] = Doc()
        seed(versioned)
        for target in (versioned, doc_without_version()):
            before = target.get_update()
            with pytest.raises(InvalidReference, match=f"{field} 'ghost' does not name") as info:
                create(target, name, FULL[name] | {field: value})
            assert info.value.field == field
            assert info.value.target_id == "ghost"
            assert target.get_update() == before

    def test_patch_refuses_dangling(self, doc: Doc[Any]) -> None:
        """A patch that sets a missing reference is refused; the artifact is unchanged."""
        item = create(doc, "empathyMaps", FULL["empathyMaps"])
        with pytest.raises(InvalidReference) as info:
            patch(doc, "empathyMaps", item["id"], {"personaId": "ghost", "title": "new"})
        assert info.value.target == "personas"
        assert get_item(doc, "empathyMaps", item["id"]) == item

    @pytest.mark.parametrize(
        ("target", "name", "field"),
        [
            ("personas", "empathyMaps", "personaId"),
            ("povStatements", "hmwQuestions", "povId"),
            ("prototypes", "tests", "prototypeId"),
        ],
    )
    def test_delete_sets_optional_references_to_null(
        self, doc: Doc[Any], target: str, name: str, field: str
    ) -> None:
        """Deleting a target nulls the references to it and bumps the referrers' updatedAt."""
        referrer = create(doc, name, FULL[name])
        bystander = create(doc, name, FULL[name] | {field: None})
        delete_item(doc, target, SEED[target], now=LATER)
        after = get_item(doc, name, referrer["id"])
        assert (after[field], after["updatedAt"]) == (None, LATER_TEXT)
        assert get_item(doc, name, bystander["id"]) == bystander
        assert validate_document(doc) == []

    def test_delete_idea_unlinks_it(self, doc: Doc[Any]) -> None:
        """Deleting an idea removes every occurrence of its id from linkedIdeaIds."""
        create(doc, "ideas", FULL["ideas"], item_id="idea-2")
        ids = ["idea-1", "idea-2", "idea-1"]
        linked = create(doc, "prototypes", FULL["prototypes"] | {"linkedIdeaIds": ids})
        other = create(doc, "prototypes", FULL["prototypes"] | {"linkedIdeaIds": ["idea-2"]})
        delete_item(doc, "ideas", "idea-1", now=LATER)
        after = get_item(doc, "prototypes", linked["id"])
        assert (after["linkedIdeaIds"], after["updatedAt"]) == (["idea-2"], LATER_TEXT)
        assert get_item(doc, "prototypes", other["id"]) == other

    def test_delete_test_deletes_its_results(self, doc: Doc[Any]) -> None:
        """A result cannot outlive its test; results of other tests stay."""
        create(doc, "tests", MINIMAL["tests"], item_id="test-2")
        create(doc, "testResults", FULL["testResults"], item_id="r1")
        create(doc, "testResults", FULL["testResults"] | {"testId": "test-2"}, item_id="r2")
        delete_item(doc, "tests", "test-1", now=LATER)
        assert [r["id"] for r in list_items(doc, "testResults")] == ["r2"]

    def test_delete_skips_broken_referrers(self, doc: Doc[Any]) -> None:
        """Junk entries and plain-list references are left for validate_document to report."""
        root(doc, "empathyMaps")["junk"] = "not a map"
        prototype = create(doc, "prototypes", FULL["prototypes"])
        stored(doc, "prototypes", prototype["id"])["linkedIdeaIds"] = ["idea-1"]
        delete_item(doc, "personas", SEED["personas"], now=LATER)
        delete_item(doc, "ideas", "idea-1", now=LATER)
        assert root(doc, "empathyMaps")["junk"] == "not a map"
        assert stored(doc, "prototypes", prototype["id"])["linkedIdeaIds"] == ["idea-1"]

    def test_delete_removes_junk(self, doc: Doc[Any]) -> None:
        """Whatever a client stored under an id can be deleted, even if it cannot be read."""
        root(doc, "ideas")["junk"] = 42
        with pytest.raises(NotFound):
            get_item(doc, "ideas", "junk")
        delete_item(doc, "ideas", "junk", now=LATER)
        assert "junk" not in root(doc, "ideas")


def doc_without_version() -> Doc[Any]:
    """A seeded document whose meta has been cleared, as a browser-made document would be."""
    fresh: Doc[Any] = Doc()
    seed(fresh)
    del fresh.get(META, type=Map)["schemaVersion"]
    return fresh


def broken_idea(field: str, value: Callable[[], object]) -> Doc[Any]:
    fresh: Doc[Any] = Doc()
    create(fresh, "ideas", FULL["ideas"], item_id="i1")
    stored(fresh, "ideas", "i1")[field] = value()
    return fresh


# (field, stored value, value read, message fragment or None for "no violation")
TOLERANT_IDEAS: list[tuple[str, Callable[[], object], object, str | None]] = [
    ("color", lambda: 5, "yellow", "input should be a valid string (got number 5)"),
    ("color", lambda: "mauve", "yellow", "should match pattern"),
    ("x", lambda: "far", 0.0, "valid number (got string 'far')"),
    ("x", lambda: 7.0, 7.0, None),
    ("x", lambda: True, 0.0, "(got boolean True)"),
    ("text", lambda: None, None, "(got null)"),
    ("text", lambda: Text("typed"), "typed", None),
    ("text", lambda: "typed", "typed", "expected a Y.Text, got string"),
    ("text", lambda: Text("é" * 5_001), "é" * 5_000, "5001 characters exceed the limit of 5000"),
    ("text", lambda: Text(""), None, "at least 1 character"),
    ("text", lambda: Map({"a": 1}), None, "(got Y.Map)"),
    ("clusterId", lambda: ["a"], None, "(got array)"),
    ("imageFileId", lambda: "idea-1", None, "should match pattern"),
    ("imageFileId", lambda: str(uuid.UUID(int=7)), str(uuid.UUID(int=7)), None),
    ("authorId", lambda: {"u": 1}, None, "(got object)"),
    ("authorId", lambda: b"\x00", None, "(got binary)"),
    ("createdAt", lambda: "yesterday", None, "'yesterday' is not an ISO-8601 timestamp"),
    ("createdAt", lambda: "2024-05-01T12:00:00", None, "has no timezone"),
    ("id", lambda: "i2", "i1", "id is 'i2', expected its key"),
    ("unknownField", lambda: "from a newer client", None, None),
]


class TestTolerantReading:
    @pytest.mark.parametrize(("field", "value", "read", "message"), TOLERANT_IDEAS)
    def test_bad_scalar(
        self, field: str, value: Callable[[], object], read: object, message: str | None
    ) -> None:
        """A wrong value reads as the fallback (or as its text) and is reported with its path."""
        broken = broken_idea(field, value)
        item = get_item(broken, "ideas", "i1")
        assert item.get(field) == read
        violations = validate_document(broken)
        if message is None:
            assert violations == []
        else:
            assert [v.path for v in violations] == [f"/ideas/i1/{field}"]
            assert message in violations[0].message
        KINDS["ideas"].item.model_validate(item)

    def test_missing_fields(self) -> None:
        """Missing optional fields read as defaults silently; missing required ones are reported."""
        fresh: Doc[Any] = Doc()
        root(fresh, "ideas")["i1"] = Map({"id": "i1", "createdAt": NOW_TEXT})
        item = get_item(fresh, "ideas", "i1")
        assert (item["text"], item["color"], item["updatedAt"]) == (None, "yellow", None)
        assert {str(v) for v in validate_document(fresh)} == {
            "/ideas/i1/text: required field is missing",
            "/ideas/i1/updatedAt: required field is missing",
        }
        assert [i["id"] for i in list_items(fresh, "ideas")] == ["i1"]

    def test_missing_id_and_bad_key(self) -> None:
        """The key is the id; a missing id field and a key that is no id are reported."""
        fresh: Doc[Any] = Doc()
        create(fresh, "ideas", FULL["ideas"], item_id="i1")
        entry = stored(fresh, "ideas", "i1")
        del entry["id"]
        timestamps = {"createdAt": NOW_TEXT, "updatedAt": NOW_TEXT}
        fields = FULL["ideas"] | timestamps | {"id": "a/b c"}
        root(fresh, "ideas")["a/b c"] = Map(
            {k: KINDS["ideas"].stored(k, v) for k, v in fields.items()}
        )
        assert get_item(fresh, "ideas", "i1")["id"] == "i1"
        assert {str(v) for v in validate_document(fresh)} == {
            "/ideas/i1/id: id is missing, expected its key",
            "/ideas/a~1b c: key 'a/b c' is not a valid id",
        }

    def test_entry_that_is_not_a_map(self) -> None:
        """A root entry that is not a Y.Map is skipped by reads, not found by get, reported."""
        fresh: Doc[Any] = Doc()
        root(fresh, "personas")["p1"] = "Ada"
        assert list_items(fresh, "personas") == []
        with pytest.raises(NotFound):
            get_item(fresh, "personas", "p1")
        message = "expected a Y.Map, got string 'Ada'; not read as an artifact"
        assert validate_document(fresh) == [SchemaViolation("/personas/p1", message)]
        assert count_by_phase(fresh)["empathize"] == 0

    def test_list_entries_are_salvaged(self) -> None:
        """Bad list entries are dropped one by one; Y.Text entries read as their text."""
        fresh: Doc[Any] = Doc()
        create(fresh, "personas", FULL["personas"], item_id="p1")
        goals = stored(fresh, "personas", "p1")["goals"]
        goals.extend([3, Text("typed"), "x" * 1_001, "ok"])
        item = get_item(fresh, "personas", "p1")
        assert item["goals"] == [*FULL["personas"]["goals"], "typed", "ok"]
        assert [v.path for v in validate_document(fresh)] == [
            "/personas/p1/goals/2",
            "/personas/p1/goals/3",
            "/personas/p1/goals/4",
        ]

    def test_list_over_the_limit_is_cut(self) -> None:
        """Entries past the limit are not read, and the list is reported."""
        fresh: Doc[Any] = Doc()
        create(fresh, "personas", FULL["personas"], item_id="p1")
        stored(fresh, "personas", "p1")["pains"] = Array([str(i) for i in range(250)])
        assert get_item(fresh, "personas", "p1")["pains"] == [str(i) for i in range(200)]
        assert [str(v) for v in validate_document(fresh)] == [
            "/personas/p1/pains: 250 entries exceed the limit of 200"
        ]

    @pytest.mark.parametrize(
        ("value", "read", "message"),
        [
            (lambda: ["a", 1], ["a"], "expected a Y.Array, got array"),
            (lambda: "a", [], "expected a Y.Array, got string 'a'"),
            (lambda: Map({"0": "a"}), [], "expected a Y.Array, got Y.Map"),
        ],
    )
    def test_list_not_stored_as_y_array(
        self, value: Callable[[], object], read: list[str], message: str
    ) -> None:
        """A plain array is still read; anything else reads as empty; both are reported."""
        fresh: Doc[Any] = Doc()
        create(fresh, "personas", FULL["personas"], item_id="p1")
        stored(fresh, "personas", "p1")["gains"] = value()
        assert get_item(fresh, "personas", "p1")["gains"] == read
        assert message in validate_document(fresh)[0].message

    def test_js_numbers_are_normalised(self) -> None:
        """Whole doubles read as integers for integer fields; 3.5 is not a rating."""
        fresh: Doc[Any] = Doc()
        seed(fresh)
        create(fresh, "testResults", FULL["testResults"], item_id="r1")
        stored(fresh, "testResults", "r1")["rating"] = 4.0
        assert get_item(fresh, "testResults", "r1")["rating"] == 4
        stored(fresh, "testResults", "r1")["rating"] = 3.5
        assert get_item(fresh, "testResults", "r1")["rating"] is None
        assert [v.path for v in validate_document(fresh)] == ["/testResults/r1/rating"]

    def test_dangling_references_are_reported(self, doc: Doc[Any]) -> None:
        """A browser delete that leaves references behind is readable and reported."""
        emap = create(doc, "empathyMaps", FULL["empathyMaps"])
        proto = create(doc, "prototypes", FULL["prototypes"])
        del root(doc, "personas")[SEED["personas"]]
        del root(doc, "ideas")[SEED["ideas"]]
        assert get_item(doc, "empathyMaps", emap["id"])["personaId"] == SEED["personas"]
        assert {str(v) for v in validate_document(doc)} == {
            f"/empathyMaps/{emap['id']}/personaId: 'persona-1' does not name an existing persona",
            f"/prototypes/{proto['id']}/linkedIdeaIds: 'idea-1' does not name an existing idea",
        }

    def test_document_written_by_npm_yjs(self) -> None:
        """An update made by npm yjs as the doc describes reads cleanly; 4 and 2 stay integers."""
        fresh: Doc[Any] = Doc()
        fresh.apply_update(bytes.fromhex(YJS_VECTOR))
        assert validate_document(fresh) == []
        before = fresh.get_update()
        assert ensure_schema(fresh) == SCHEMA_VERSION
        assert not upgrade_document(fresh)
        assert fresh.get_update() == before  # nothing to upgrade, nothing written
        assert get_item(fresh, "ideas", "i1")["text"] == "Kiosk"
        export = export_document(fresh)
        assert export["ideas"][0]["color"] == "#FFAA00"
        assert export["ideas"][0]["y"] == 80.5
        assert export["testResults"][0]["rating"] == 4
        assert type(export["testResults"][0]["rating"]) is int

    @settings(max_examples=200, deadline=None)
    @given(
        name=st.sampled_from(list(KINDS)),
        value=st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers(-(2**53), 2**53) | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=3), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        data=st.data(),
    )
    def test_reading_never_fails(self, name: str, value: object, data: st.DataObject) -> None:
        """Any JSON value in any field reads without error into a valid item model."""
        kind = KINDS[name]
        field = data.draw(st.sampled_from([spec.name for spec in kind.fields] + ["id"]))
        fresh: Doc[Any] = Doc()
        create(fresh, "personas", MINIMAL["personas"], item_id="p")
        root(fresh, name)["k"] = Map({"id": "k", field: value})
        for item in list_items(fresh, kind):
            kind.item.model_validate(item)
        assert all(isinstance(v, SchemaViolation) for v in validate_document(fresh))


class TestSchemaVersion:
    def test_first_write_stamps_the_version(self) -> None:
        """A new document gets schemaVersion 2 with its first server write, as a JS number."""
        fresh: Doc[Any] = Doc()
        assert version(fresh) is None
        assert list_items(fresh, "ideas") == []
        assert version(fresh) is None
        create(fresh, "ideas", FULL["ideas"], item_id=NEW_ID)
        assert version(fresh) == 2
        assert isinstance(stored(fresh, "ideas", NEW_ID)["text"], Text)

    def test_ensure_schema_is_idempotent_and_accepts_js_numbers(self) -> None:
        """2 and 2.0 (what JS writes) are both version 2; nothing is rewritten."""
        fresh: Doc[Any] = Doc()
        assert ensure_schema(fresh) == 2
        fresh.get(META, type=Map)["schemaVersion"] = 2.0
        before = fresh.get_update()
        assert ensure_schema(fresh) == 2
        assert not upgrade_document(fresh)
        assert fresh.get_update() == before

    def test_a_version_1_document_is_upgraded_once_as_one_update(self) -> None:
        """npm yjs's version 1 document: every text field turns into a Y.Text with the same
        characters in one transaction, the version becomes 2, and a second look does nothing."""
        fresh: Doc[Any] = Doc()
        fresh.apply_update(bytes.fromhex(YJS_VECTOR_V1))
        before = export_document(fresh)
        assert version(fresh) == 1
        updates: list[bytes] = []
        subscription = fresh.observe(lambda event: updates.append(event.update))
        assert upgrade_document(fresh)
        assert not upgrade_document(fresh)
        fresh.unobserve(subscription)
        assert len(updates) == 1
        assert version(fresh) == 2
        assert validate_document(fresh) == []
        assert export_document(fresh) == before
        for collection, item_id, name in (
            ("ideas", "i1", "text"), ("tests", "t1", "script"), ("testResults", "r1", "notes")
        ):  # fmt: skip
            assert isinstance(stored(fresh, collection, item_id)[name], Text)
        # a peer that still had the version 1 state receives the upgrade as an ordinary update
        peer: Doc[Any] = Doc()
        peer.apply_update(bytes.fromhex(YJS_VECTOR_V1))
        peer.apply_update(updates[0])
        assert export_document(peer) == before
        assert validate_document(peer) == []

    def test_a_version_1_document_is_upgraded_by_the_first_write(self) -> None:
        """A REST write to a version 1 document upgrades it first, in the same transaction."""
        fresh: Doc[Any] = Doc()
        fresh.apply_update(bytes.fromhex(YJS_VECTOR_V1))
        patch = KINDS["testResults"].update.model_validate({"notes": "Got lost"})
        update_item(fresh, "testResults", "r1", patch, now=LATER)
        assert version(fresh) == 2
        assert validate_document(fresh) == []
        assert str(stored(fresh, "ideas", "i1")["text"]) == "Kiosk"

    def test_an_unversioned_document_with_artifacts_is_versioned_once(self) -> None:
        """A browser-only document (no version): plain strings are upgraded; one already in
        Y.Text is versioned all the same, so the next open does not look again; an empty one
        is left as it is (opening it writes nothing)."""
        empty: Doc[Any] = Doc()
        assert not upgrade_document(empty)
        assert version(empty) is None
        plain: Doc[Any] = Doc()
        root(plain, "hmwQuestions")["h1"] = Map({"id": "h1", "question": "How might we?"})
        assert upgrade_document(plain)
        assert version(plain) == 2
        assert isinstance(stored(plain, "hmwQuestions", "h1")["question"], Text)
        typed: Doc[Any] = Doc()
        root(typed, "hmwQuestions")["h1"] = Map({"id": "h1", "question": Text("How?")})
        assert upgrade_document(typed)
        assert version(typed) == 2
        assert not upgrade_document(typed)

    @pytest.mark.parametrize("declared", [3, 3.0, 0, "1", True, None])
    def test_other_versions_are_refused(self, doc: Doc[Any], declared: object) -> None:
        """A document of another version is readable but no write touches it."""
        doc.get(META, type=Map)["schemaVersion"] = declared
        before = doc.get_update()
        model = KINDS["ideas"].create.model_validate(FULL["ideas"])
        with pytest.raises(UnsupportedSchemaVersion, match="is not supported") as info:
            ensure_schema(doc)
        assert isinstance(info.value, Conflict)
        with pytest.raises(UnsupportedSchemaVersion):
            create_item(doc, "ideas", model, author_id=None, now=NOW, item_id=NEW_ID)
        with pytest.raises(UnsupportedSchemaVersion):
            patch(doc, "ideas", SEED["ideas"], {"text": "new"})
        with pytest.raises(UnsupportedSchemaVersion):
            delete_item(doc, "ideas", SEED["ideas"], now=NOW)
        assert doc.get_update() == before
        assert len(list_items(doc, "ideas")) == 1
        assert [v.path for v in validate_document(doc)] == ["/meta/schemaVersion"]


class TestConcurrency:
    @staticmethod
    def exchange(a: Doc[Any], b: Doc[Any]) -> None:
        a_state, b_state = a.get_state(), b.get_state()
        a_update, b_update = a.get_update(b_state), b.get_update(a_state)
        a.apply_update(b_update)
        b.apply_update(a_update)

    def test_concurrent_appends_both_survive(self) -> None:
        """Two browsers appending a goal at once both keep their goal after syncing."""
        one: Doc[Any] = Doc()
        create(one, "personas", FULL["personas"], item_id="p1")
        two: Doc[Any] = Doc()
        two.apply_update(one.get_update())
        stored(one, "personas", "p1")["goals"].append("from one")
        stored(two, "personas", "p1")["goals"].append("from two")
        self.exchange(one, two)
        goals = get_item(one, "personas", "p1")["goals"]
        assert goals == get_item(two, "personas", "p1")["goals"]
        assert {"from one", "from two"} <= set(goals)

    def test_rest_replace_keeps_a_concurrent_append(self) -> None:
        """A REST patch of a list edits it in place, so a browser's concurrent append survives."""
        server: Doc[Any] = Doc()
        create(server, "personas", FULL["personas"], item_id="p1")
        browser: Doc[Any] = Doc()
        browser.apply_update(server.get_update())
        patch(server, "personas", "p1", {"goals": ["rewritten"]})
        stored(browser, "personas", "p1")["goals"].append("typed live")
        self.exchange(server, browser)
        assert sorted(get_item(server, "personas", "p1")["goals"]) == ["rewritten", "typed live"]

    def test_concurrent_field_edits_merge(self) -> None:
        """Edits to different fields of one card both win."""
        one: Doc[Any] = Doc()
        create(one, "ideas", FULL["ideas"], item_id="i1")
        two: Doc[Any] = Doc()
        two.apply_update(one.get_update())
        patch(one, "ideas", "i1", {"x": 400.0})
        patch(two, "ideas", "i1", {"text": "renamed"})
        self.exchange(one, two)
        assert get_item(one, "ideas", "i1") == get_item(two, "ideas", "i1")
        assert (get_item(one, "ideas", "i1")["x"], get_item(one, "ideas", "i1")["text"]) == (
            400.0,
            "renamed",
        )

    def test_caller_transaction(self) -> None:
        """Writes work inside a transaction the caller holds and produce one update."""
        fresh: Doc[Any] = Doc()
        updates: list[bytes] = []
        fresh.observe(lambda event: updates.append(event.update))
        with fresh.transaction():
            create(fresh, "ideas", FULL["ideas"], item_id="i1")
            patch(fresh, "ideas", "i1", {"color": "blue"})
        assert len(updates) == 1
        assert get_item(fresh, "ideas", "i1")["color"] == "blue"


class TestExportAndCounts:
    def test_export_has_every_collection(self, doc: Doc[Any]) -> None:
        """The export is the version plus one list per collection, in registry order."""
        export = export_document(doc)
        assert list(export) == ["schemaVersion", *KINDS]
        assert export["schemaVersion"] == SCHEMA_VERSION
        assert export["personas"] == list_items(doc, "personas")

    def test_count_by_phase(self, doc: Doc[Any]) -> None:
        """Counts add up the collections of each phase; every phase is present."""
        create(doc, "empathyMaps", FULL["empathyMaps"])
        create(doc, "testResults", FULL["testResults"])
        assert count_by_phase(doc) == {
            "empathize": 2,
            "define": 1,
            "ideate": 1,
            "prototype": 1,
            "test": 2,
        }
        assert list(count_by_phase(Doc())) == [phase.value for phase in Phase]


class TestDocs:
    @staticmethod
    def tables() -> dict[str, dict[str, str]]:
        """Field name -> type cell, per section of docs/document-schema.md."""
        sections: dict[str, dict[str, str]] = {}
        current: dict[str, str] = {}
        for line in DOC_PATH.read_text(encoding="utf-8").splitlines():
            if heading := re.match(r"^###+ (.+)$", line):
                current = sections.setdefault(heading.group(1).strip("`"), {})
            elif row := re.match(r"^\| `(\w+)` \| ((?:\\\||[^|])+?) \|", line):
                current[row.group(1)] = row.group(2)
        return sections

    @ALL_KINDS
    def test_every_field_is_documented(self, name: str) -> None:
        """Each kind's table lists exactly its fields, and says Y.Array for list fields and
        Y.Text for text fields."""
        kind: ArtifactKind = KINDS[name]
        tables = self.tables()
        documented = tables[name] | tables["Common fields"]
        assert set(documented) == {spec.name for spec in kind.fields} | {"id"}
        for spec in kind.fields:
            assert ("Y.Array" in documented[spec.name]) is spec.is_list, spec.name
            assert ("Y.Text" in documented[spec.name]) is spec.text, spec.name
            assert ("null" in documented[spec.name]) is (spec.default is None), spec.name

    def test_segments_and_references_are_documented(self) -> None:
        """The roots table names every segment; the references table every reference."""
        text = DOC_PATH.read_text(encoding="utf-8")
        for kind in KINDS.values():
            assert f"| `{kind.collection}` | `{kind.segment}` |" in text
            for ref in kind.references:
                assert f"| `{kind.collection}.{ref.field}` | `{ref.target}` |" in text


# npm yjs 13 (tests/node_modules), written as docs/document-schema.md said for version 1: an idea
# with a hex colour, a user test and a result rated 4, and meta.schemaVersion = 1, all as JS
# numbers, every text a plain string.
YJS_VECTOR_V1 = (
    "011e07002801046d6574610d736368656d6156657273696f6e017d0127010569646561730269310128000701"
    "02696401770269312800070104746578740177054b696f736b2800070105636f6c6f72017707234646414130"
    "30280007010178017db801280007010179017c42a100002800070109636c75737465724964017e2800070108"
    "617574686f724964017702753128000701096372656174656442790177027531280007010963726561746564"
    "4174017718323032342d30352d30315431323a30303a30302e3030305a280007010975706461746564417401"
    "7718323032342d30352d30315431323a30303a30302e3030305a2701057465737473027431012800070c0269"
    "6401770274312800070c057469746c6501770b57616c6b7468726f7567682800070c06736372697074017700"
    "2800070c0b70726f746f747970654964017e2800070c09637265617465644279017e2800070c096372656174"
    "65644174017718323032342d30352d30315431323a30303a30302e3030305a2800070c097570646174656441"
    "74017718323032342d30352d30315431323a30303a30302e3030305a27010b74657374526573756c74730272"
    "310128000714026964017702723128000714067465737449640177027431280007140b706172746963697061"
    "6e74017702503128000714076f7574636f6d650177077061727469616c28000714056e6f7465730177002800"
    "071406726174696e67017d042800071409637265617465644279017e28000714096372656174656441740177"
    "18323032342d30352d30315431323a30303a30302e3030305a28000714097570646174656441740177183230"
    "32342d30352d30315431323a30303a30302e3030305a00"
)


# The same, written by npm yjs 13 as docs/document-schema.md says for version 2: the idea's
# text, the test's script and the result's notes are Y.Text; meta.schemaVersion = 2.
YJS_VECTOR = (
    "011f07002801046d6574610d736368656d6156657273696f6e017d0227010569646561730269310128000701"
    "02696401770269312700070104746578740204000703054b696f736b2800070105636f6c6f72017707234646"
    "41413030280007010178017db801280007010179017c42a100002800070109636c75737465724964017e2800"
    "070108617574686f724964017702753128000701096372656174656442790177027531280007010963726561"
    "7465644174017718323032342d30352d30315431323a30303a30302e3030305a280007010975706461746564"
    "4174017718323032342d30352d30315431323a30303a30302e3030305a270105746573747302743101280007"
    "11026964017702743128000711057469746c6501770b57616c6b7468726f7567682700071106736372697074"
    "02280007110b70726f746f747970654964017e2800071109637265617465644279017e280007110963726561"
    "7465644174017718323032342d30352d30315431323a30303a30302e3030305a280007110975706461746564"
    "4174017718323032342d30352d30315431323a30303a30302e3030305a27010b74657374526573756c747302"
    "72310128000719026964017702723128000719067465737449640177027431280007190b7061727469636970"
    "616e74017702503128000719076f7574636f6d650177077061727469616c27000719056e6f74657302280007"
    "1906726174696e67017d042800071909637265617465644279017e2800071909637265617465644174017718"
    "323032342d30352d30315431323a30303a30302e3030305a2800071909757064617465644174017718323032"
    "342d30352d30315431323a30303a30302e3030305a00"
)


def test_artifact_ids_lists_every_artifact_with_its_collection() -> None:
    """What compaction hands to the artifact index: (collection, id) of each artifact."""
    doc: Doc[Any] = Doc()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    persona = create_item(
        doc, "personas", KINDS["personas"].create(name="Ana"), author_id=None, now=now, item_id="p1"
    )
    idea = create_item(
        doc, "ideas", KINDS["ideas"].create(text="Kiosk"), author_id=None, now=now, item_id="i1"
    )
    assert sorted(artifact_ids(doc)) == sorted([("personas", persona["id"]), ("ideas", idea["id"])])
    assert artifact_ids(Doc()) == []
