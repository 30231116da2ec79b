"""collab.import_document: an imported project's content written whole, or not at all."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pycrdt import Array, Doc, Map

from collab.artifacts import KINDS, MAX_LIST_ITEMS, SCHEMA_VERSION
from collab.export_archive import InvalidArchive
from collab.import_document import write_import
from collab.schema import META, export_document

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
NOW_TEXT = "2026-12-06T15:00:00.000Z"
CREATED = "2026-11-20T09:30:00.000Z"
UPDATED = "2026-11-21T10:00:00.000Z"
CLUSTER_CREATED = "2026-11-19T08:00:00.000Z"


def _dated(item_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": item_id, **fields, "createdBy": None, "createdAt": CREATED, "updatedAt": UPDATED}


def _document() -> dict[str, Any]:
    """One artifact of every kind, every content field set, references all resolving."""
    return {
        "schemaVersion": 1,
        "personas": [
            _dated(
                "persona-1", name="Ada", role="Night nurse", demographics="34, Leeds",
                bio="Runs a ward of twelve.", goals=["Fewer night shifts", "Time with kids"],
                pains=["Paper forms"], gains=["Recognition"], quote="I just want to go home.",
                avatar="https://example.com/ada.png",
                avatarFileId="0b6a3c1e-5f2d-4b7a-9c1e-2d3f4a5b6c7d",
            )
        ],
        "empathyMaps": [
            _dated(
                "map-1", personaId="persona-1", title="Ada on a Monday", says=["It's fine"],
                thinks=["It is not fine"], does=["Double-checks doses"], feels=["Tired"],
                pains=["Handover"], gains=["Quiet hour"],
            )
        ],
        "povStatements": [
            _dated("pov-1", user="Ada", need="a faster handover", insight="she loses an hour")
        ],
        "hmwQuestions": [
            _dated("hmw-1", question="How might we halve handover time?", povId="pov-1")
        ],
        "ideas": [
            _dated(
                "idea-1", text="Voice notes", color="#A0b1C2", x=12.5, y=-3.25,
                clusterId="c-1", imageFileId="7e0c9a4b-1d2e-4f3a-8b5c-6d7e8f9a0b1c",
                sessionId=None, authorId=None,
            ),
            _dated(
                "idea-2", text="Shift buddy", color="green", x=0.5, y=0.5, clusterId=None,
                imageFileId=None, sessionId=None, authorId=None,
            ),
        ],
        "prototypes": [
            _dated(
                "proto-1", title="Voice handover app", description="A paper mock-up.",
                linkedIdeaIds=["idea-1", "idea-2"],
                links=["https://figma.com/file/x", "/v1/files/abc"], fidelity="low",
                fileIds=["3c2b1a09-8f7e-4d6c-9b5a-493827160514"],
            )
        ],
        "tests": [
            _dated("test-1", title="Handover walkthrough", script="1. Record.",
                   prototypeId="proto-1")
        ],
        "testResults": [
            _dated("result-1", testId="test-1", participant="P3", outcome="partial",
                   notes="Gave up at step 2.", rating=4)
        ],
    }  # fmt: skip


def _clusters() -> dict[str, Any]:
    return {
        "c-1": {
            "id": "c-1",
            "name": "Speed",
            "createdBy": None,
            "createdAt": CLUSTER_CREATED,
            "updatedAt": CLUSTER_CREATED,
        }
    }


def _content(doc: Doc[Any]) -> dict[str, Any]:
    """What export_document shows, without schemaVersion (always there)."""
    exported = export_document(doc)
    del exported["schemaVersion"]
    return exported


def _write(document: dict[str, Any], clusters: dict[str, Any] | None = None) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    write_import(doc, document, _clusters() if clusters is None else clusters, now=NOW)
    return doc


def _root(doc: Doc[Any], name: str) -> Map[Any]:
    result: Map[Any] = doc.get(name, type=Map)
    return result


def _stored(doc: Doc[Any], collection: str, item_id: str) -> Map[Any]:
    entry = _root(doc, collection)[item_id]
    assert isinstance(entry, Map)
    return entry


def _assert_refused(document: dict[str, Any], clusters: dict[str, Any] | None = None) -> None:
    """write_import refuses with InvalidArchive and the Doc is exactly as it was: empty."""
    doc: Doc[Any] = Doc()
    before = doc.get_update()
    with pytest.raises(InvalidArchive):
        write_import(doc, document, _clusters() if clusters is None else clusters, now=NOW)
    assert doc.get_update() == before
    assert all(items == [] for items in _content(doc).values())
    assert _root(doc, META).to_py() == {}
    assert _root(doc, "clusters").to_py() == {}


class TestWrite:
    def test_content_reads_back_as_written(self) -> None:
        """Every artifact reads back with its id, fields and dates; the count is returned."""
        document = _document()
        doc: Doc[Any] = Doc()
        count = write_import(doc, document, _clusters(), now=NOW)
        assert count == sum(len(document[collection]) for collection in KINDS)
        expected = {collection: document[collection] for collection in KINDS}
        assert _content(doc) == expected

    def test_schema_version_is_stamped(self) -> None:
        """The imported document declares schema version 1, like any server-written one."""
        doc = _write(_document())
        assert _root(doc, META)["schemaVersion"] == SCHEMA_VERSION

    def test_an_empty_document_writes_nothing_but_the_version(self) -> None:
        """An archive with no artifacts and no clusters gives zero and an empty document."""
        doc: Doc[Any] = Doc()
        assert write_import(doc, {"schemaVersion": 1}, {}, now=NOW) == 0
        assert all(items == [] for items in _content(doc).values())
        assert _root(doc, META)["schemaVersion"] == SCHEMA_VERSION

    def test_items_are_maps_and_list_fields_are_arrays(self) -> None:
        """Each artifact is a Y.Map and each list field a Y.Array, so concurrent edits merge."""
        document = _document()
        doc = _write(document)
        checked = 0
        for collection, kind in KINDS.items():
            for item in document[collection]:
                entry = _stored(doc, collection, item["id"])
                for name in kind.list_fields:
                    value = entry[name]
                    assert isinstance(value, Array)
                    assert value.to_py() == item[name]
                    checked += 1
                for name in set(item) - kind.list_fields:
                    assert not isinstance(entry[name], Array | Map)
        assert checked == 3 + 6 + 3  # personas, empathyMaps and prototypes have list fields

    def test_clusters_root_is_written(self) -> None:
        """Each cluster is a Y.Map under the clusters root, with its id, name and dates."""
        doc = _write(_document())
        entry = _root(doc, "clusters")["c-1"]
        assert isinstance(entry, Map)
        assert entry.to_py() == _clusters()["c-1"]

    def test_defaults_fill_fields_the_archive_leaves_out(self) -> None:
        """A minimal idea gets the create defaults, as a REST create would store it."""
        doc = _write({"ideas": [{"id": "i1", "text": "Minimal"}]}, {})
        (idea,) = _content(doc)["ideas"]
        assert idea == {
            "id": "i1", "text": "Minimal", "color": "yellow", "x": 0.0, "y": 0.0,
            "clusterId": None, "imageFileId": None, "sessionId": None, "authorId": None,
            "createdBy": None, "createdAt": NOW_TEXT, "updatedAt": NOW_TEXT,
        }  # fmt: skip

    def test_collections_are_written_in_phase_order_whatever_the_input_order(self) -> None:
        """Results listed before their test still find it: kinds are written in phase order."""
        document = _document()
        reordered = {key: document[key] for key in reversed(list(document))}
        assert _content(_write(reordered)) == _content(_write(document))


class TestServerFields:
    def test_authorship_never_survives(self) -> None:
        """createdBy and authorId name users of another server: they are stored as None."""
        document = _document()
        for collection in KINDS:
            for item in document[collection]:
                item["createdBy"] = "u-from-elsewhere"
        for idea in document["ideas"]:
            idea["authorId"] = "u-from-elsewhere"
        clusters = _clusters()
        clusters["c-1"]["createdBy"] = "u-from-elsewhere"
        doc = _write(document, clusters)
        for items in _content(doc).values():
            for item in items:
                assert item["createdBy"] is None
                assert item.get("authorId") is None
        assert _root(doc, "clusters")["c-1"]["createdBy"] is None

    def test_the_id_is_the_items_own_id(self) -> None:
        """The stored id and the key it is stored under are the archive's id."""
        doc = _write(_document())
        assert _stored(doc, "ideas", "idea-1")["id"] == "idea-1"
        assert set(_root(doc, "ideas").keys()) == {"idea-1", "idea-2"}


BAD_DATES = [
    pytest.param("yesterday", id="words"),
    pytest.param("2026-11-20T09:30:00", id="no-timezone"),
    pytest.param("2026-11-20", id="date-only"),
    pytest.param("", id="empty"),
    pytest.param(1_700_000_000, id="number"),
    pytest.param(None, id="null"),
    pytest.param(["2026-11-20T09:30:00Z"], id="list"),
]


class TestDates:
    def test_timestamps_are_kept(self) -> None:
        """createdAt and updatedAt in toISOString form are stored as they are."""
        (idea, _) = _content(_write(_document()))["ideas"]
        assert (idea["createdAt"], idea["updatedAt"]) == (CREATED, UPDATED)

    def test_an_offset_is_normalised_to_the_same_instant_in_utc(self) -> None:
        """A timestamp with an offset is the same instant, written the way browsers write it."""
        document = {"ideas": [_dated("i1", text="x")]}
        document["ideas"][0]["createdAt"] = "2026-11-20T11:30:00+02:00"
        (idea,) = _content(_write(document, {}))["ideas"]
        assert idea["createdAt"] == CREATED

    @pytest.mark.parametrize("bad", BAD_DATES)
    def test_a_bad_created_at_is_replaced_by_now(self, bad: object) -> None:
        """createdAt that is not a timezone-aware timestamp becomes now; updatedAt is kept."""
        document = {"ideas": [_dated("i1", text="x")]}
        document["ideas"][0]["createdAt"] = bad
        (idea,) = _content(_write(document, {}))["ideas"]
        assert (idea["createdAt"], idea["updatedAt"]) == (NOW_TEXT, UPDATED)

    @pytest.mark.parametrize("bad", BAD_DATES)
    def test_a_bad_updated_at_becomes_the_creation_date(self, bad: object) -> None:
        """updatedAt that is not a timestamp falls back to createdAt, not to now."""
        document = {"ideas": [_dated("i1", text="x")]}
        document["ideas"][0]["updatedAt"] = bad
        (idea,) = _content(_write(document, {}))["ideas"]
        assert (idea["createdAt"], idea["updatedAt"]) == (CREATED, CREATED)

    def test_missing_dates_are_now(self) -> None:
        """An item without dates is stamped now, like a REST create."""
        (idea,) = _content(_write({"ideas": [{"id": "i1", "text": "x"}]}, {}))["ideas"]
        assert (idea["createdAt"], idea["updatedAt"]) == (NOW_TEXT, NOW_TEXT)

    @pytest.mark.parametrize("bad", BAD_DATES)
    def test_a_clusters_bad_dates_are_replaced(self, bad: object) -> None:
        """A cluster's dates follow the same rule as an artifact's."""
        clusters = {"c-1": {"name": "Speed", "createdAt": bad, "updatedAt": bad}}
        doc = _write({}, clusters)
        entry = _root(doc, "clusters")["c-1"]
        assert (entry["createdAt"], entry["updatedAt"]) == (NOW_TEXT, NOW_TEXT)

    @pytest.mark.parametrize("edge", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"])
    def test_a_timestamp_out_of_range_in_utc_is_replaced_by_now(self, edge: str) -> None:
        """A parseable date whose UTC instant does not exist is a bad date: it becomes now."""
        document = {"ideas": [_dated("i1", text="x")]}
        document["ideas"][0]["createdAt"] = edge
        (idea,) = _content(_write(document, {}))["ideas"]
        assert idea["createdAt"] == NOW_TEXT


Mutation = Callable[[dict[str, Any]], None]


def _set(collection: str, index: int, field: str, value: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document[collection][index][field] = value

    return mutate


def _drop(collection: str, index: int, field: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        del document[collection][index][field]

    return mutate


def _duplicate(collection: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document[collection].append(copy.deepcopy(document[collection][0]))

    return mutate


REFUSALS = [
    pytest.param(_duplicate("ideas"), id="duplicate-id"),
    pytest.param(_duplicate("testResults"), id="duplicate-id-in-the-last-kind"),
    pytest.param(_drop("ideas", 0, "id"), id="missing-id"),
    pytest.param(_set("ideas", 0, "id", 42), id="id-not-a-string"),
    pytest.param(_set("ideas", 0, "id", "has space"), id="id-with-a-space"),
    pytest.param(_set("ideas", 0, "id", ""), id="id-empty"),
    pytest.param(_set("ideas", 0, "id", "x" * 65), id="id-too-long"),
    pytest.param(_set("ideas", 0, "id", "idée"), id="id-not-ascii"),
    pytest.param(_set("personas", 0, "id", "persona-1\n"), id="id-trailing-newline"),
    pytest.param(_set("ideas", 0, "text", "x" * 5_001), id="text-over-limit"),
    pytest.param(_set("ideas", 0, "text", ""), id="required-text-empty"),
    pytest.param(_drop("ideas", 0, "text"), id="required-text-missing"),
    pytest.param(_set("personas", 0, "name", "n" * 201), id="name-over-limit"),
    pytest.param(_set("personas", 0, "bio", "b" * 10_001), id="bio-over-limit"),
    pytest.param(_set("personas", 0, "goals", ["g"] * (MAX_LIST_ITEMS + 1)), id="list-too-long"),
    pytest.param(_set("personas", 0, "goals", ["g" * 1_001]), id="entry-over-limit"),
    pytest.param(_set("personas", 0, "goals", "not a list"), id="list-is-a-string"),
    pytest.param(_set("ideas", 0, "text", 7), id="text-not-a-string"),
    pytest.param(_set("ideas", 0, "text", "lone \ud800 surrogate"), id="text-lone-surrogate"),
    pytest.param(_set("ideas", 0, "color", "chartreuse"), id="bad-colour"),
    pytest.param(_set("ideas", 0, "x", float("nan")), id="coordinate-nan"),
    pytest.param(_set("ideas", 0, "x", 1e7), id="coordinate-out-of-range"),
    pytest.param(_set("ideas", 0, "imageFileId", "not-a-uuid"), id="bad-file-id"),
    pytest.param(_set("personas", 0, "avatar", "javascript:alert(1)"), id="bad-link"),
    pytest.param(_set("testResults", 0, "outcome", "win"), id="bad-outcome"),
    pytest.param(_set("testResults", 0, "rating", 6), id="rating-out-of-range"),
    pytest.param(_set("prototypes", 0, "fidelity", "ultra"), id="bad-fidelity"),
    pytest.param(_set("ideas", 0, "votes", 3), id="unknown-field"),
    pytest.param(_set("hmwQuestions", 0, "povId", "pov-missing"), id="dangling-pov"),
    pytest.param(_set("hmwQuestions", 0, "povId", "persona-1"), id="reference-to-other-kind"),
    pytest.param(_set("empathyMaps", 0, "personaId", "map-1"), id="reference-to-own-kind"),
    pytest.param(_set("prototypes", 0, "linkedIdeaIds", ["idea-1", "gone"]), id="dangling-in-list"),
    pytest.param(_set("tests", 0, "prototypeId", "proto-2"), id="dangling-prototype"),
    pytest.param(_set("testResults", 0, "testId", "test-2"), id="dangling-required-reference"),
]  # fmt: skip


class TestRefusals:
    @pytest.mark.parametrize("mutate", REFUSALS)
    def test_a_bad_artifact_refuses_the_whole_archive(self, mutate: Mutation) -> None:
        """Anything a REST create would refuse refuses the import, and nothing is written."""
        document = _document()
        mutate(document)
        _assert_refused(document)

    def test_a_reference_to_an_item_listed_later_in_its_target_is_fine(self) -> None:
        """Order within a collection does not matter: targets are whole earlier kinds."""
        document = _document()
        document["ideas"].reverse()
        assert _content(_write(document))["prototypes"][0]["linkedIdeaIds"] == ["idea-1", "idea-2"]

    def test_a_reference_to_a_refused_item_is_never_written(self) -> None:
        """A result whose test was refused does not slip in: the whole archive is refused."""
        document = _document()
        document["tests"][0]["title"] = ""
        _assert_refused(document)

    @pytest.mark.parametrize(
        "clusters",
        [
            pytest.param({"c-1": {"name": ""}}, id="empty-name"),
            pytest.param({"c-1": {"name": "n" * 201}}, id="name-over-limit"),
            pytest.param({"c-1": {"name": 5}}, id="name-not-a-string"),
            pytest.param({"c-1": {}}, id="no-name"),
            pytest.param({"c-1": "Speed"}, id="not-an-object"),
            pytest.param({"c-1": None}, id="null"),
            pytest.param({"bad id": {"name": "Speed"}}, id="bad-id"),
            pytest.param({"": {"name": "Speed"}}, id="empty-id"),
            pytest.param({"c" * 65: {"name": "Speed"}}, id="id-too-long"),
            pytest.param({"c-1": {"name": "Speed"}, "c/2": {"name": "Time"}}, id="second-bad"),
        ],
    )
    def test_a_bad_cluster_refuses_the_whole_archive(self, clusters: dict[str, Any]) -> None:
        """A cluster needs an artifact id and a name of 1 to 200 characters; else nothing."""
        _assert_refused(_document(), clusters)

    def test_a_cluster_name_at_its_limits_is_accepted(self) -> None:
        """Names of 1 and 200 characters are both fine."""
        doc = _write({}, {"a": {"name": "x"}, "b": {"name": "y" * 200}})
        assert _root(doc, "clusters")["b"]["name"] == "y" * 200

    def test_a_cluster_name_pycrdt_cannot_store_is_refused_before_writing(self) -> None:
        """A name that is not valid Unicode text is refused up front; the document stays empty."""
        _assert_refused(_document(), {"c-1": {"name": "lone \udfff surrogate"}})
