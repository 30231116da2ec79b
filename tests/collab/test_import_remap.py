"""collab.import_remap: fresh ids everywhere, references follow, dangling ones are settled."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collab.artifacts import FILE_FIELDS, KINDS, SCHEMA_VERSION
from collab.import_remap import remap
from tests.support.exports import realistic_source

FILE_A, FILE_B, FILE_C = (f"{n}0000000-0000-4000-8000-00000000000{n}" for n in "abc")
STAMP = "2026-11-24T14:30:00.000Z"


def _counter(prefix: str = "new-") -> Callable[[], str]:
    numbers = itertools.count()
    return lambda: f"{prefix}{next(numbers)}"


def _realistic() -> tuple[dict[str, Any], dict[str, Any]]:
    source = realistic_source(ideas=60)
    clusters = {
        key: {"id": key, "name": name, "createdBy": "u-ana", "createdAt": STAMP, "updatedAt": STAMP}
        for key, name in source.clusters.items()
    }
    return dict(source.document), clusters


def _shape(document: Mapping[str, Any], clusters: Mapping[str, Any]) -> dict[str, Any]:
    """The content with every id replaced by its position, and no authors: what must survive."""
    labels = {("clusters", key): f"clusters#{n}" for n, key in enumerate(clusters)}
    for collection in KINDS:
        for n, item in enumerate(document.get(collection, [])):
            labels[(collection, item["id"])] = f"{collection}#{n}"
    targets = {
        (kind.collection, ref.field): ref.target
        for kind in KINDS.values()
        for ref in kind.references
    }
    targets[("ideas", "clusterId")] = "clusters"

    def label(target: str, value: Any) -> Any:
        if isinstance(value, list):
            return [labels.get((target, entry), "dangling") for entry in value]
        return None if value is None else labels.get((target, value), "dangling")

    shaped: dict[str, Any] = {"schemaVersion": document["schemaVersion"]}
    for collection in KINDS:
        shaped[collection] = [
            {
                name: label(targets[(collection, name)], value)
                if (collection, name) in targets
                else None
                if name in ("createdBy", "authorId")
                else labels[(collection, value)]
                if name == "id"
                else value
                for name, value in item.items()
            }
            for item in document.get(collection, [])
        ]
    shaped["clusters"] = [
        {**cluster, "id": labels[("clusters", key)], "createdBy": None}
        for key, cluster in clusters.items()
    ]
    return shaped


def _all_ids(document: Mapping[str, Any], clusters: Mapping[str, Any]) -> list[str]:
    ids = [item["id"] for collection in KINDS for item in document.get(collection, [])]
    return [*clusters, *ids]


def _same_files(document: Mapping[str, Any]) -> dict[str, str]:
    found: set[str] = set()
    for collection, fields in FILE_FIELDS.items():
        for item in document.get(collection, []):
            for name in fields:
                value = item.get(name)
                found.update(value if isinstance(value, list) else [value] if value else [])
    return {file_id: file_id for file_id in found}


class TestRealisticProject:
    def test_every_id_is_new_and_unique_and_nothing_is_lost(self) -> None:
        document, clusters = _realistic()
        new_document, new_clusters = remap(document, clusters, {}, _counter())
        old, new = set(_all_ids(document, clusters)), _all_ids(new_document, new_clusters)
        assert len(new) == len(set(new)) == len(old)
        assert not old & set(new)
        for cluster_id, cluster in new_clusters.items():
            assert cluster["id"] == cluster_id
        for collection in KINDS:
            assert len(new_document[collection]) == len(document[collection])

    def test_the_content_keeps_its_shape_with_ids_and_authors_aside(self) -> None:
        """Every reference points at the same artifact as before, by position."""
        document, clusters = _realistic()
        files = _same_files(document)
        new_document, new_clusters = remap(document, clusters, files, _counter())
        assert _shape(new_document, new_clusters) == _shape(document, clusters)
        assert "dangling" not in repr(_shape(new_document, new_clusters))

    def test_remapping_twice_gives_the_same_shape_again(self) -> None:
        document, clusters = _realistic()
        files = _same_files(document)
        once = remap(document, clusters, files, _counter("a-"))
        twice = remap(*once, files, _counter("b-"))
        assert _shape(*twice) == _shape(*once) == _shape(document, clusters)
        assert not set(_all_ids(*once)) & set(_all_ids(*twice))

    def test_authors_are_cleared_and_dates_kept(self) -> None:
        """createdBy and authorId name users of the old server: they become null."""
        document, clusters = _realistic()
        new_document, new_clusters = remap(document, clusters, {}, _counter())
        for collection in KINDS:
            for old, new in zip(document[collection], new_document[collection], strict=True):
                assert new["createdBy"] is None
                assert (new["createdAt"], new["updatedAt"]) == (old["createdAt"], old["updatedAt"])
        assert all(idea["authorId"] is None for idea in new_document["ideas"])
        assert all(cluster["createdBy"] is None for cluster in new_clusters.values())
        assert [c["createdAt"] for c in new_clusters.values()] == [STAMP] * len(clusters)

    def test_file_ids_follow_the_mapping_and_files_not_copied_are_dropped(self) -> None:
        document, clusters = _realistic()
        files = {"f-ana": FILE_A, "f-sketch": FILE_B}  # f-spec was not copied
        new_document, _ = remap(document, clusters, files, _counter())
        assert new_document["personas"][0]["avatarFileId"] == FILE_A
        assert new_document["personas"][1]["avatarFileId"] is None
        assert new_document["ideas"][3]["imageFileId"] == FILE_B
        assert new_document["prototypes"][0]["fileIds"] == [FILE_B]

    def test_it_is_deterministic_and_leaves_its_input_alone(self) -> None:
        document, clusters = _realistic()
        before = repr((document, clusters))
        first = remap(document, clusters, {}, _counter())
        assert remap(document, clusters, {}, _counter()) == first
        assert repr((document, clusters)) == before


def _item(item_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": item_id, **fields, "createdBy": "u1", "createdAt": STAMP, "updatedAt": STAMP}


class TestDanglingReferences:
    def test_they_become_null_or_are_dropped_as_a_deletion_would(self) -> None:
        document = {
            "schemaVersion": 1,
            "personas": [_item("p1", name="Ana")],
            "empathyMaps": [_item("m1", personaId="gone"), _item("m2", personaId="p1")],
            "hmwQuestions": [_item("h1", question="Como?", povId="gone")],
            "ideas": [_item("i1", text="A", clusterId="gone", authorId="u1")],
            "prototypes": [_item("t1", title="T", linkedIdeaIds=["gone", "i1", "i1", 3])],
            "tests": [_item("s1", title="S", prototypeId="gone")],
            "testResults": [
                _item("r1", testId="gone", outcome="success"),
                _item("r2", testId="s1", outcome="failure"),
                _item("r3", testId=None, outcome="partial"),
            ],
        }
        new, _ = remap(document, {}, {}, _counter())
        assert [m["personaId"] for m in new["empathyMaps"]] == [None, new["personas"][0]["id"]]
        assert new["hmwQuestions"][0]["povId"] is None
        assert new["ideas"][0]["clusterId"] is None
        idea = new["ideas"][0]["id"]
        assert new["prototypes"][0]["linkedIdeaIds"] == [idea, idea]
        assert new["tests"][0]["prototypeId"] is None
        # A result without its test goes, as a cascade would; one already null stays as read.
        assert [(r["outcome"], r["testId"]) for r in new["testResults"]] == [
            ("failure", new["tests"][0]["id"]),
            ("partial", None),
        ]

    def test_a_required_reference_that_is_not_an_id_is_dangling(self) -> None:
        """A list or an object where an id belongs names nothing: the result goes."""
        document = {
            "schemaVersion": 1,
            "tests": [_item("s1", title="S")],
            "testResults": [_item("r1", testId=["s1"]), _item("r2", testId={"id": "s1"})],
        }
        new, _ = remap(document, {}, {}, _counter())
        assert new["testResults"] == []

    def test_a_dropped_item_takes_no_new_id(self) -> None:
        document = {"schemaVersion": 1, "testResults": [_item("r1", testId="gone")]}
        calls = _counter()
        assert remap(document, {}, {}, calls) == ({"schemaVersion": 1, **_empty()}, {})
        assert calls() == "new-0"

    def test_bad_file_values_are_dropped(self) -> None:
        document = {
            "schemaVersion": 1,
            "personas": [_item("p1", avatarFileId=12), _item("p2", avatarFileId=None)],
            "prototypes": [_item("t1", fileIds="not a list"), _item("t2", fileIds=[FILE_A, 3])],
        }
        new, _ = remap(document, {}, {FILE_A: FILE_B}, _counter())
        assert [p["avatarFileId"] for p in new["personas"]] == [None, None]
        assert [t["fileIds"] for t in new["prototypes"]] == [[], [FILE_B]]


def _empty() -> dict[str, list[Any]]:
    return {collection: [] for collection in KINDS}


class TestTolerance:
    def test_odd_input_is_read_around(self) -> None:
        """What read_archive already refuses still never breaks remap: it is left out."""
        document = {
            "ideas": "not a list",
            "personas": ["not an object", {"name": "no id"}, _item("p1", name="A", extra=[1])],
            "hmwQuestions": [_item("h1", question="1"), _item("h1", question="2")],
            "somethingNewer": [{"id": "x"}],
        }
        clusters = {"c1": {"id": "c1", "name": "N"}, "c2": "not an object"}
        new, new_clusters = remap(document, clusters, {}, _counter())
        assert set(new) == {"schemaVersion", *KINDS}
        assert new["schemaVersion"] == SCHEMA_VERSION  # absent: the version this server writes
        assert new["ideas"] == []
        assert [p["name"] for p in new["personas"]] == ["A"]
        assert new["personas"][0]["extra"] == [1]  # unknown fields travel as they are
        assert [h["question"] for h in new["hmwQuestions"]] == ["1"]
        assert list(new_clusters.values()) == [{"id": "new-0", "name": "N", "createdBy": None}]

    @pytest.mark.parametrize("ids", [["a", "a"], ["a", "not valid!"], ["a", ""]])
    def test_new_id_must_give_fresh_artifact_ids(self, ids: list[str]) -> None:
        document = {"schemaVersion": 1, "personas": [_item("p1"), _item("p2")]}
        with pytest.raises(ValueError, match="not a fresh artifact id"):
            remap(document, {}, {}, iter(ids).__next__)


# --- random reference graphs -------------------------------------------------------------------

_FILE_POOL = [None, FILE_A, FILE_B, FILE_C]  # FILE_C is never copied
_COPIED = {FILE_A: "d0000000-0000-4000-8000-00000000000d", FILE_B: FILE_B}


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A document whose references point at random items, some of them missing ("ghost")."""
    ids = {c: [f"{c}-{n}" for n in range(draw(st.integers(0, 4)))] for c in KINDS}
    cluster_ids = [f"cluster-{n}" for n in range(draw(st.integers(0, 3)))]
    document: dict[str, Any] = {"schemaVersion": 1}
    for kind in KINDS.values():
        items = []
        for item_id in ids[kind.collection]:
            fields: dict[str, Any] = {}
            for ref in kind.references:
                pool = ["ghost", *ids[ref.target]]
                if ref.field in kind.list_fields:
                    fields[ref.field] = draw(st.lists(st.sampled_from(pool), max_size=4))
                else:
                    fields[ref.field] = draw(st.sampled_from([None, *pool]))
            for name in FILE_FIELDS.get(kind.collection, ()):
                if name in kind.list_fields:
                    fields[name] = draw(st.lists(st.sampled_from(_FILE_POOL[1:]), max_size=3))
                else:
                    fields[name] = draw(st.sampled_from(_FILE_POOL))
            if kind.collection == "ideas":
                fields["clusterId"] = draw(st.sampled_from([None, "ghost", *cluster_ids]))
                fields["authorId"] = "u1"
            items.append(_item(item_id, **fields))
        document[kind.collection] = items
    clusters = {key: {"id": key, "name": key, "createdBy": "u1"} for key in cluster_ids}
    return document, clusters


class TestRandomGraphs:
    @settings(max_examples=200, deadline=None)
    @given(_graphs())
    def test_references_follow_their_targets_and_only_those(
        self, graph: tuple[dict[str, Any], dict[str, Any]]
    ) -> None:
        document, clusters = graph
        new_document, new_clusters = remap(document, clusters, _COPIED, _counter())
        tests = {item["id"] for item in document["tests"]}
        kept = {collection: list(document[collection]) for collection in KINDS}
        kept["testResults"] = [r for r in kept["testResults"] if r["testId"] in {None, *tests}]
        new_ids = {
            collection: {
                old["id"]: new["id"]
                for old, new in zip(kept[collection], new_document[collection], strict=True)
            }
            for collection in KINDS
        }
        new_ids["clusters"] = dict(zip(clusters, new_clusters, strict=True))
        everything = [i for ids in new_ids.values() for i in ids.values()]
        assert sorted(everything) == sorted(f"new-{n}" for n in range(len(everything)))

        for kind in KINDS.values():
            targets = {ref.field: ref.target for ref in kind.references}
            if kind.collection == "ideas":
                targets["clusterId"] = "clusters"
            for old, new in zip(kept[kind.collection], new_document[kind.collection], strict=True):
                assert new["createdBy"] is None
                for name, target in targets.items():
                    mapping = new_ids[target]
                    if name in kind.list_fields:
                        expected: Any = [mapping[v] for v in old[name] if v in mapping]
                    else:
                        expected = mapping.get(old[name])
                    assert new[name] == expected, (kind.collection, name)
                for name in FILE_FIELDS.get(kind.collection, ()):
                    if name in kind.list_fields:
                        expected = [_COPIED[v] for v in old[name] if v in _COPIED]
                    else:
                        expected = _COPIED.get(old[name])
                    assert new[name] == expected
