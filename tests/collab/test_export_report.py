"""collab.export_report: one snapshot arranged by phase, votes from the latest ranking."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.artifacts import KINDS, Phase
from collab.export_report import (
    HASH_LENGTH,
    Cluster,
    ExportFile,
    ExportSource,
    ProjectInfo,
    RankedResult,
    Report,
    Scope,
    SessionResults,
    TeamMember,
    build_report,
    state_hash,
)
from tests.support.exports import LONG_BIO, TAKEN_AT, realistic_source

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PHOTO = ExportFile("f-photo", "ada.png", "image/png", 10, b"png", "image/png")
SPEC = ExportFile("f-spec", "spec.pdf", "application/pdf", 20)


def _source(
    document: Mapping[str, Any] | None = None,
    *,
    clusters: Mapping[str, str] | None = None,
    sessions: Sequence[SessionResults] = (),
    files: Mapping[str, ExportFile] | None = None,
    authors: Mapping[str, str] | None = None,
) -> ExportSource:
    """A hand-made source: the document given, with sensible everything else."""
    doc = {"schemaVersion": 1, **(document or {})}
    names = clusters or {}
    return ExportSource(
        project=ProjectInfo("p-1", "Handover", "A ward project.", "en", T0),
        document=doc,
        clusters=names,
        team=[TeamMember("Ada", "owner")],
        authors=authors or {},
        sessions=list(sessions),
        files=files or {},
        taken_at=T0 + timedelta(days=1),
        state_hash=state_hash(doc, names),
    )


def _session(session_id: str, taken_at: datetime, *votes: tuple[str, int]) -> SessionResults:
    """A session whose results rank ``votes`` (idea id, count) in the order given."""
    ranked = tuple(
        RankedResult(rank, idea_id, f"text of {idea_id}", count, None)
        for rank, (idea_id, count) in enumerate(votes, start=1)
    )
    return SessionResults(
        session_id, f"prompt {session_id}", taken_at, 3, sum(c for _, c in votes), ranked
    )


def _idea(idea_id: str, cluster: object = None, **fields: Any) -> dict[str, Any]:
    return {"id": idea_id, "text": f"idea {idea_id}", "color": "yellow", "clusterId": cluster,
            **fields}  # fmt: skip


def _votes(report: Report) -> dict[str, int]:
    return {idea.id: idea.votes for cluster in report.clusters for idea in cluster.ideas}


def _cluster(report: Report, cluster_id: str | None) -> Cluster:
    (found,) = [cluster for cluster in report.clusters if cluster.id == cluster_id]
    return found


class TestPhases:
    def test_every_phase_in_design_thinking_order_by_default(self) -> None:
        """With no scope the report shows the five phases, in their order."""
        assert build_report(_source()).phases == (
            Phase.EMPATHIZE, Phase.DEFINE, Phase.IDEATE, Phase.PROTOTYPE, Phase.TEST,
        )  # fmt: skip

    def test_a_phase_scope_keeps_those_phases_in_order(self) -> None:
        """Phases asked for come out in design-thinking order, whatever order the set has."""
        scope = Scope(phases=frozenset({Phase.TEST, Phase.EMPATHIZE, Phase.IDEATE}))
        assert build_report(_source(), scope).phases == (Phase.EMPATHIZE, Phase.IDEATE, Phase.TEST)

    def test_no_phases_asked_for_shows_none(self) -> None:
        """An empty phase set renders no phase (the cover only)."""
        assert build_report(_source(), Scope(phases=frozenset())).phases == ()

    def test_a_session_scope_is_ideate_only_whatever_the_phases(self) -> None:
        """A session scope shows the Ideate phase only, even if other phases were asked for."""
        source = _source(sessions=[_session("s-1", T0)])
        scope = Scope(phases=frozenset({Phase.DEFINE, Phase.TEST}), session_id="s-1")
        assert build_report(source, scope).phases == (Phase.IDEATE,)

    def test_the_report_carries_the_sources_state(self) -> None:
        """Project, team, time and hash are the source's, unchanged."""
        source = _source()
        report = build_report(source)
        assert report.project is source.project
        assert report.team == (TeamMember("Ada", "owner"),)
        assert (report.taken_at, report.state_hash) == (source.taken_at, source.state_hash)


class TestVotes:
    def _two_rounds(self) -> ExportSource:
        # Given newest first: the report must order by taken_at, not by list position.
        newer = _session("s-new", T0 + timedelta(hours=3), ("i1", 2), ("i2", 9))
        older = _session("s-old", T0, ("i1", 7), ("i3", 4))
        ideas = [_idea("i1"), _idea("i2"), _idea("i3"), _idea("i4")]
        return _source({"ideas": ideas}, sessions=[newer, older])

    def test_an_idea_shows_the_votes_of_the_latest_session_that_ranked_it(self) -> None:
        """Sessions are rounds, not tallies: the most recent count replaces an older one."""
        votes = _votes(build_report(self._two_rounds()))
        assert votes == {"i1": 2, "i2": 9, "i3": 4, "i4": 0}

    def test_sessions_are_listed_oldest_first(self) -> None:
        """The report's sessions are in the order they were taken."""
        report = build_report(self._two_rounds())
        assert [session.id for session in report.sessions] == ["s-old", "s-new"]

    def test_a_session_scope_shows_that_sessions_votes_and_results_only(self) -> None:
        """Scoped to the older session, its counts show, though a newer session ranked i1."""
        report = build_report(self._two_rounds(), Scope(session_id="s-old"))
        assert [session.id for session in report.sessions] == ["s-old"]
        assert _votes(report) == {"i1": 7, "i2": 0, "i3": 4, "i4": 0}

    def test_a_session_scope_naming_no_session_shows_no_votes(self) -> None:
        """An unknown session id gives no results and no votes, rather than all of them."""
        report = build_report(self._two_rounds(), Scope(session_id="s-gone"))
        assert report.sessions == ()
        assert set(_votes(report).values()) == {0}

    def test_votes_for_an_idea_no_longer_on_the_board_are_not_shown(self) -> None:
        """A ranked idea that was deleted since adds nothing to any cluster."""
        source = _source({"ideas": [_idea("i1")]}, sessions=[_session("s", T0, ("gone", 50))])
        report = build_report(source)
        assert _votes(report) == {"i1": 0}
        assert [cluster.votes for cluster in report.clusters] == [0]


class TestClusters:
    def test_most_voted_cluster_first_and_the_unclustered_group_last(self) -> None:
        """Named clusters by total votes; the ideas in no cluster come last, even the best."""
        ideas = [
            _idea("a1", "c-a"), _idea("b1", "c-b"), _idea("b2", "c-b"), _idea("n1"),
            _idea("a2", "c-a"),
        ]  # fmt: skip
        session = _session("s", T0, ("a1", 1), ("b1", 3), ("b2", 2), ("n1", 40), ("a2", 1))
        source = _source({"ideas": ideas}, clusters={"c-a": "Alpha", "c-b": "Beta"},
                         sessions=[session])  # fmt: skip
        report = build_report(source)
        assert [(c.id, c.name, c.votes) for c in report.clusters] == [
            ("c-b", "Beta", 5), ("c-a", "Alpha", 2), (None, None, 40),
        ]  # fmt: skip

    def test_clusters_with_equal_votes_are_in_name_order(self) -> None:
        """A tie between clusters does not depend on the order ideas were added."""
        ideas = [_idea("1", "c-z"), _idea("2", "c-m"), _idea("3", "c-a")]
        source = _source({"ideas": ideas}, clusters={"c-z": "Zeta", "c-m": "Mu", "c-a": "Alpha"})
        assert [c.name for c in build_report(source).clusters] == ["Alpha", "Mu", "Zeta"]

    def test_ideas_most_voted_first_ties_in_board_order(self) -> None:
        """Within a cluster, more votes first; equal votes keep the document's order."""
        ideas = [_idea(i, "c") for i in ("t1", "top", "t2", "low", "t3")]
        session = _session("s", T0, ("top", 9), ("t1", 3), ("t2", 3), ("t3", 3), ("low", 1))
        report = build_report(_source({"ideas": ideas}, clusters={"c": "C"}, sessions=[session]))
        assert [idea.id for idea in _cluster(report, "c").ideas] == ["top", "t1", "t2", "t3", "low"]

    @pytest.mark.parametrize(
        "cluster_id",
        [
            pytest.param("c-deleted", id="unknown"),
            pytest.param(None, id="none"),
            pytest.param(7, id="not-a-string"),
            pytest.param(["c"], id="list"),
        ],
    )
    def test_an_idea_naming_no_existing_cluster_is_unclustered(self, cluster_id: object) -> None:
        """An idea whose clusterId names no cluster lands in the unclustered group."""
        source = _source({"ideas": [_idea("i", "c"), _idea("x", cluster_id)]}, clusters={"c": "C"})
        report = build_report(source)
        assert [c.id for c in report.clusters] == ["c", None]
        assert [idea.id for idea in _cluster(report, None).ideas] == ["x"]

    def test_a_cluster_without_ideas_is_not_shown(self) -> None:
        """Only groups with ideas appear, so the board has no empty headings."""
        source = _source({"ideas": [_idea("i", "c")]}, clusters={"c": "C", "empty": "Empty"})
        assert [c.id for c in build_report(source).clusters] == ["c"]

    def test_an_ideas_author_and_image_are_resolved(self) -> None:
        """authorId (else createdBy) names a person; imageFileId names a file; unknown: None."""
        ideas = [
            _idea("by-author", authorId="u-1", createdBy="u-2", imageFileId="f-photo"),
            _idea("by-creator", authorId=None, createdBy="u-2", imageFileId="f-gone"),
            _idea("by-stranger", authorId="u-9"),
            _idea("by-nobody", authorId=5),
        ]
        source = _source({"ideas": ideas}, files={"f-photo": PHOTO},
                         authors={"u-1": "Ada", "u-2": "Bo"})  # fmt: skip
        found = {
            idea.id: (idea.author, idea.image) for idea in build_report(source).clusters[0].ideas
        }
        assert found == {
            "by-author": ("Ada", PHOTO), "by-creator": ("Bo", None),
            "by-stranger": (None, None), "by-nobody": (None, None),
        }  # fmt: skip

    def test_idea_count_is_every_idea_on_the_board(self) -> None:
        """idea_count counts the ideas in every group, clustered or not."""
        ideas = [_idea("1", "c"), _idea("2"), _idea("3", "c"), _idea("4", "nope")]
        assert build_report(_source({"ideas": ideas}, clusters={"c": "C"})).idea_count == 4


class TestEmpathizeAndDefine:
    def test_persona_fields_photo_and_link(self) -> None:
        """A persona shows its texts, its lists without blank entries, its photo and link."""
        persona = {
            "id": "p1", "name": "Ada", "role": "Nurse", "demographics": "34", "bio": "Bio",
            "quote": "Hi", "goals": ["Sleep", "  ", ""], "pains": ["Forms"], "gains": [],
            "avatar": "https://example.com/a.png", "avatarFileId": "f-photo",
        }  # fmt: skip
        (shown,) = build_report(_source({"personas": [persona]}, files={"f-photo": PHOTO})).personas
        assert (shown.name, shown.role, shown.demographics, shown.bio, shown.quote) == (
            "Ada", "Nurse", "34", "Bio", "Hi",
        )  # fmt: skip
        assert (shown.goals, shown.pains, shown.gains) == (("Sleep",), ("Forms",), ())
        assert (shown.photo, shown.link) == (PHOTO, "https://example.com/a.png")

    def test_a_persona_with_an_unknown_photo_and_no_link(self) -> None:
        """A file id that is not in the source's files, and a null avatar, show nothing."""
        persona = {"id": "p1", "name": "Ada", "avatar": None, "avatarFileId": "f-gone"}
        (shown,) = build_report(_source({"personas": [persona]})).personas
        assert (shown.photo, shown.link) == (None, None)

    def test_empathy_maps_name_their_persona(self) -> None:
        """personaId is shown as the persona's name; none or a dangling one shows None."""
        maps = [
            {"id": "m1", "personaId": "p1", "says": ["Hi"], "feels": "not a list"},
            {"id": "m2", "personaId": None},
            {"id": "m3", "personaId": "p-deleted"},
        ]
        persona = {"id": "p1", "name": "Ada"}
        report = build_report(_source({"personas": [persona], "empathyMaps": maps}))
        assert [m.persona for m in report.empathy_maps] == ["Ada", None, None]
        assert (report.empathy_maps[0].says, report.empathy_maps[0].feels) == (("Hi",), ())

    def test_hmw_questions_show_the_need_of_their_pov(self) -> None:
        """povId is shown as that point of view's need; none or a dangling one shows None."""
        povs = [{"id": "v1", "user": "Ada", "need": "a faster handover", "insight": "time"}]
        hmws = [
            {"id": "h1", "question": "How might we?", "povId": "v1"},
            {"id": "h2", "question": "And?", "povId": None},
            {"id": "h3", "question": "Or?", "povId": "v-deleted"},
        ]
        report = build_report(_source({"povStatements": povs, "hmwQuestions": hmws}))
        assert [(h.question, h.pov) for h in report.hmws] == [
            ("How might we?", "a faster handover"), ("And?", None), ("Or?", None),
        ]  # fmt: skip
        (pov,) = report.povs
        assert (pov.user, pov.need, pov.insight) == ("Ada", "a faster handover", "time")


class TestPrototypesAndTests:
    def test_prototype_ideas_and_files_are_resolved_unknown_ones_skipped(self) -> None:
        """Linked ideas show as their texts and file ids as files, in order; unknown ids go."""
        prototype = {
            "id": "pr1", "title": "App", "description": "Paper", "fidelity": "low",
            "links": ["https://example.com"], "linkedIdeaIds": ["i2", "gone", "i1"],
            "fileIds": ["f-spec", "f-gone", "f-photo"],
        }  # fmt: skip
        source = _source(
            {"ideas": [_idea("i1"), _idea("i2")], "prototypes": [prototype]},
            files={"f-photo": PHOTO, "f-spec": SPEC},
        )
        (shown,) = build_report(source).prototypes
        assert shown.ideas == ("idea i2", "idea i1")
        assert shown.files == (SPEC, PHOTO)
        assert (shown.title, shown.description, shown.fidelity, shown.links) == (
            "App", "Paper", "low", ("https://example.com",),
        )  # fmt: skip

    def test_a_fidelity_that_is_not_a_string_is_none(self) -> None:
        """A broken fidelity shows as unknown rather than as a number."""
        (shown,) = build_report(_source({"prototypes": [{"id": "p", "fidelity": 3}]})).prototypes
        assert shown.fidelity is None

    def test_outcomes_are_counted_and_ratings_averaged(self) -> None:
        """A test's results are summarised: outcome counts and the mean of the ratings given."""
        results = [
            {"id": "r1", "testId": "t1", "outcome": "success", "rating": 5, "participant": "P1"},
            {"id": "r2", "testId": "t1", "outcome": "failure", "rating": 2},
            {"id": "r3", "testId": "t1", "outcome": "success", "rating": None},
            {"id": "r4", "testId": "t2", "outcome": "partial", "rating": 1},
            {"id": "r5", "testId": "t-gone", "outcome": "partial", "rating": 1},
        ]
        document = {
            "prototypes": [{"id": "pr1", "title": "App"}],
            "tests": [
                {"id": "t1", "title": "Walkthrough", "script": "Go", "prototypeId": "pr1"},
                {"id": "t2", "title": "Second", "prototypeId": "pr-deleted"},
                {"id": "t3", "title": "Not run yet"},
            ],
            "testResults": results,
        }
        first, second, third = build_report(_source(document)).tests
        assert (first.title, first.script, first.prototype) == ("Walkthrough", "Go", "App")
        assert [r.participant for r in first.results] == ["P1", "", ""]
        assert first.outcomes == {"success": 2, "failure": 1}
        assert first.average_rating == pytest.approx(3.5)
        assert (second.prototype, second.outcomes, second.average_rating) == (
            None, {"partial": 1}, 1.0,
        )  # fmt: skip
        assert (third.results, third.outcomes, third.average_rating) == ((), {}, None)

    def test_no_ratings_means_no_average(self) -> None:
        """Results without a usable rating give no average, not zero."""
        document = {
            "tests": [{"id": "t1", "title": "T"}],
            "testResults": [
                {"id": "r1", "testId": "t1", "outcome": "success"},
                {"id": "r2", "testId": "t1", "outcome": "success", "rating": "5"},
                {"id": "r3", "testId": "t1", "outcome": "success", "rating": 4.5},
            ],
        }
        (test,) = build_report(_source(document)).tests
        assert [r.rating for r in test.results] == [None, None, None]
        assert test.average_rating is None
        assert test.outcomes == {"success": 3}


class TestCounts:
    def test_every_phase_counted_even_when_empty(self) -> None:
        """Counts have every phase, zero when there is nothing."""
        assert build_report(_source()).counts == dict.fromkeys(Phase, 0)

    def test_counts_add_up_the_kinds_of_each_phase_whatever_the_scope(self) -> None:
        """The cover's counts are the whole project's, also in a narrower export."""
        document = {
            "personas": [{"id": "p"}], "empathyMaps": [{"id": "m1"}, {"id": "m2"}],
            "hmwQuestions": [{"id": "h"}], "ideas": [_idea("i")], "testResults": [{"id": "r"}],
        }  # fmt: skip
        expected = {Phase.EMPATHIZE: 3, Phase.DEFINE: 1, Phase.IDEATE: 1, Phase.PROTOTYPE: 0,
                    Phase.TEST: 1}  # fmt: skip
        assert build_report(_source(document)).counts == expected
        scoped = build_report(_source(document), Scope(phases=frozenset({Phase.TEST})))
        assert scoped.counts == expected


@functools.cache
def _realistic() -> ExportSource:
    """The shared realistic project, built once (it draws PNGs)."""
    return realistic_source()


class TestRealisticProject:
    def test_everything_is_there(self) -> None:
        """The realistic project's every phase is read, long texts and accents intact."""
        source = _realistic()
        report = build_report(source)
        assert [p.name for p in report.personas] == [
            "Ana Júlia Conceição", "João Pedro Araújo", "Maria Eduarda Gonçalves",
            "Zoë Łukasiewicz-Ñúñez",
        ]  # fmt: skip
        assert report.personas[0].bio == LONG_BIO
        assert report.personas[0].photo is source.files["f-ana"]
        assert len(report.personas[0].goals) == 8
        assert [m.persona for m in report.empathy_maps] == [
            "Ana Júlia Conceição", "João Pedro Araújo",
        ]  # fmt: skip
        assert (len(report.povs), len(report.hmws)) == (3, 4)
        assert {h.pov for h in report.hmws} == {None}
        assert report.counts == {Phase.EMPATHIZE: 6, Phase.DEFINE: 7, Phase.IDEATE: 300,
                                 Phase.PROTOTYPE: 1, Phase.TEST: 6}  # fmt: skip
        assert report.taken_at == TAKEN_AT

    def test_the_board(self) -> None:
        """300 ideas in four named clusters by votes, then the unclustered; top votes first."""
        source = _realistic()
        report = build_report(source)
        assert report.idea_count == 300
        assert [(c.name, c.votes) for c in report.clusters] == [
            ("Acesso e inclusão", 17), ("Comunicação com as famílias", 15),
            ("Tempo e organização", 13), ("Ferramentas digitais", 11), (None, 9),
        ]  # fmt: skip
        first = report.clusters[0]
        assert [(i.id, i.votes) for i in first.ideas[:3]] == [
            ("idea-0000", 11), ("idea-0005", 6), ("idea-0010", 0),
        ]  # fmt: skip
        assert first.ideas[0].author == "João Pedro Araújo"
        sketch = next(i for c in report.clusters for i in c.ideas if i.id == "idea-0003")
        assert sketch.image is source.files["f-sketch"]

    def test_prototypes_and_tests(self) -> None:
        """The prototype's ideas and files, and the test's summary, are resolved."""
        source = _realistic()
        report = build_report(source)
        (prototype,) = report.prototypes
        texts = {item["id"]: item["text"] for item in source.document["ideas"]}
        assert prototype.ideas == (texts["idea-0000"], texts["idea-0001"])
        assert [f.id for f in prototype.files] == ["f-sketch", "f-spec"]
        (test,) = report.tests
        assert test.prototype == "Painel semanal da família"
        assert test.outcomes == {"success": 2, "partial": 2, "failure": 1}
        assert test.average_rating == pytest.approx(3.0)


BAD_SHAPES: list[object] = ["not a list", {"id": "x"}, 42, None, [1, "x", None, ["nested"]]]


class TestTolerance:
    @pytest.mark.parametrize("collection", list(KINDS))
    @pytest.mark.parametrize("shape", BAD_SHAPES)
    def test_a_collection_of_the_wrong_shape_reads_as_empty(
        self, collection: str, shape: object
    ) -> None:
        """A collection that is not a list of objects never raises; it shows nothing."""
        report = build_report(_source({collection: shape}))
        assert report.counts == dict.fromkeys(Phase, 0)
        assert report.idea_count == 0

    def test_non_object_items_are_skipped_among_good_ones(self) -> None:
        """Stray values in a collection are skipped; the objects around them are kept."""
        report = build_report(_source({"ideas": [1, _idea("i1"), "text", None, _idea("i2")]}))
        assert [i.id for c in report.clusters for i in c.ideas] == ["i1", "i2"]
        assert report.counts[Phase.IDEATE] == 2

    def test_fields_of_the_wrong_type_read_as_empty(self) -> None:
        """Texts that are not strings read as "", lists that are not lists as ()."""
        document = {
            "personas": [{"id": "p", "name": 5, "bio": None, "goals": "Sleep", "pains": {"a": 1},
                          "avatar": 3, "avatarFileId": ["f-photo"]}],
            "empathyMaps": [{"id": "m", "title": [], "says": "Hi", "personaId": "p"}],
            "povStatements": [{"id": "v", "need": 1.5}],
            "hmwQuestions": [{"id": "h", "question": {"q": 1}, "povId": "v"}],
            "ideas": [{"id": "i", "text": 7, "color": None}],
            "prototypes": [{"id": "pr", "title": 1, "linkedIdeaIds": "i", "fileIds": "f-photo",
                            "links": 3}],
            "tests": [{"id": "t", "title": None, "prototypeId": "pr"}],
            "testResults": [{"id": "r", "testId": "t", "outcome": 1, "notes": [], "rating": "x"}],
        }  # fmt: skip
        report = build_report(_source(document, files={"f-photo": PHOTO}))
        (persona,) = report.personas
        assert (persona.name, persona.bio, persona.goals, persona.pains) == ("", "", (), ())
        assert (persona.link, persona.photo) == (None, None)
        assert (report.empathy_maps[0].title, report.empathy_maps[0].says) == ("", ())
        assert report.empathy_maps[0].persona == ""
        assert report.hmws[0].pov == ""
        (idea,) = report.clusters[0].ideas
        assert (idea.text, idea.color) == ("", "")
        (prototype,) = report.prototypes
        assert (prototype.title, prototype.ideas, prototype.files, prototype.links) == (
            "", (), (), (),
        )  # fmt: skip
        (test,) = report.tests
        assert test.prototype == ""
        assert [(r.outcome, r.notes, r.rating) for r in test.results] == [("", "", None)]

    def test_non_text_list_entries_are_shown_as_text(self) -> None:
        """A number among a persona's goals is shown, as text, rather than dropped."""
        (persona,) = build_report(
            _source({"personas": [{"id": "p", "goals": [1, "Two"]}]})
        ).personas
        assert persona.goals == ("1", "Two")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
_DOCUMENTS = st.dictionaries(st.text(max_size=6), _JSON, max_size=5)
_CLUSTERS = st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=4)


class TestStateHash:
    def test_twelve_lowercase_hex_digits(self) -> None:
        """The hash printed on an export is HASH_LENGTH (12) hex digits."""
        value = state_hash(realistic_source().document, {"c": "C"})
        assert HASH_LENGTH == 12
        assert re.fullmatch(r"[0-9a-f]{12}", value)

    def test_same_content_same_hash(self) -> None:
        """Two sources built alike hash alike, and the realistic source carries its own."""
        first, second = realistic_source(), realistic_source()
        assert first.state_hash == second.state_hash
        assert first.state_hash == state_hash(first.document, first.clusters)

    def test_key_order_does_not_matter(self) -> None:
        """Two replicas may hold keys in different orders; the content is what is hashed."""
        idea = {"id": "i", "text": "t", "color": "red"}
        reordered = dict(reversed(list(idea.items())))
        document = {"schemaVersion": 1, "ideas": [idea]}
        other = {"ideas": [reordered], "schemaVersion": 1}
        assert state_hash(document, {"a": "A", "b": "B"}) == state_hash(other, {"b": "B", "a": "A"})

    def test_any_text_change_changes_the_hash(self) -> None:
        """One changed character in an idea, or a renamed cluster, gives another hash."""
        source = realistic_source(ideas=20)
        base = state_hash(source.document, source.clusters)
        changed = {**source.document, "ideas": [dict(i) for i in source.document["ideas"]]}
        changed["ideas"][5]["text"] += "!"
        assert state_hash(changed, source.clusters) != base
        renamed = {**source.clusters, "c-tempo": "Tempo"}
        assert state_hash(source.document, renamed) != base

    def test_document_and_clusters_are_not_interchangeable(self) -> None:
        """The same mapping as document or as clusters hashes differently."""
        assert state_hash({"a": "b"}, {}) != state_hash({}, {"a": "b"})

    @given(document=_DOCUMENTS, clusters=_CLUSTERS)
    def test_deterministic_and_order_free(
        self, document: dict[str, Any], clusters: dict[str, str]
    ) -> None:
        """For any JSON content: same hash twice, same hash with keys reversed, 12 hex digits."""
        value = state_hash(document, clusters)
        assert re.fullmatch(r"[0-9a-f]{12}", value)
        assert state_hash(document, clusters) == value
        flipped_doc = dict(reversed(list(document.items())))
        flipped_clusters = dict(reversed(list(clusters.items())))
        assert state_hash(flipped_doc, flipped_clusters) == value

    @given(
        texts=st.lists(st.text(max_size=20), min_size=1, max_size=5),
        index=st.integers(min_value=0, max_value=4),
        extra=st.text(min_size=1, max_size=5),
    )
    def test_changing_a_text_changes_the_hash(
        self, texts: list[str], index: int, extra: str
    ) -> None:
        """Appending to any one idea's text gives a different hash."""
        ideas = [{"id": f"i{n}", "text": text} for n, text in enumerate(texts)]
        before = state_hash({"ideas": ideas}, {})
        position = index % len(ideas)
        after = [dict(idea) for idea in ideas]
        after[position]["text"] += extra
        assert state_hash({"ideas": after}, {}) != before

    def test_the_source_replaced_keeps_its_hash_field(self) -> None:
        """build_report shows the hash the source carries; it does not recompute it."""
        source = replace(_source(), state_hash="0123456789ab")
        assert build_report(source).state_hash == "0123456789ab"
