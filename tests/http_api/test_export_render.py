"""http_api.export_render: file names, the JSON export, and CSV/JSON files (no PDF/PPTX here)."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collab.artifacts import KINDS, SCHEMA_VERSION, Phase
from collab.export_csv import RESULTS_COLUMNS, RESULTS_FILE
from collab.export_csv import file_name as csv_file_name
from collab.export_report import ExportSource, RankedResult, Scope, SessionResults
from http_api.export_render import (
    FORMATS,
    MEDIA_TYPES,
    Rendered,
    file_name,
    json_export,
    render_to,
)
from tests.support.exports import TAKEN_AT, realistic_source

EXTENSIONS = {
    "pdf": "pdf",
    "pptx": "pptx",
    "csv": "csv.zip",
    "json": "json",
    "archive": "dttools.zip",
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@functools.cache
def _realistic() -> ExportSource:
    """The shared realistic project (20 ideas: enough for ten ranked, quick to render)."""
    return realistic_source(ideas=20)


def _named(name: str, taken_at: datetime = TAKEN_AT) -> ExportSource:
    source = _realistic()
    return replace(source, project=replace(source.project, name=name), taken_at=taken_at)


def _with_second_session() -> ExportSource:
    source = _realistic()
    later = SessionResults(
        id="s-2",
        prompt="Round two",
        taken_at=source.taken_at - timedelta(minutes=30),
        voters=2,
        votes=3,
        ideas=(RankedResult(1, "idea-0004", "x", 3, None),),
    )
    return replace(source, sessions=[*source.sessions, later])


def _stem(name: str) -> str:
    return file_name(_named(name), "pdf").removesuffix(" 20261206-1430.pdf")


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _zip(path: Path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        return {name: _read_csv(archive.read(name)) for name in archive.namelist()}


def _rows(table: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = table
    return [dict(zip(header, row, strict=True)) for row in rows]


class TestFileName:
    @pytest.mark.parametrize("format", FORMATS)
    def test_name_and_time_with_the_formats_extension(self, format: str) -> None:
        """The project's name, the state's time (taken_at) and the format's extension."""
        name = file_name(_realistic(), format)
        assert name == f"Escola & Famílias- comunicação 20261206-1430.{EXTENSIONS[format]}"

    def test_the_stamp_is_taken_at(self) -> None:
        """The time is the snapshot's, to the minute."""
        source = _named("Plan", datetime(2025, 3, 4, 5, 6, 59, tzinfo=UTC))
        assert file_name(source, "json") == "Plan 20250304-0506.json"

    @pytest.mark.parametrize(
        ("name", "stem"),
        [
            ("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"),
            ("tab\there\nnew\x00nul\x7fdel", "tab-here-new-nul-del"),
            ("../../etc/passwd", "etc-passwd"),
            ("C:\\Windows\\system32", "C-Windows-system32"),
            ("many///slashes", "many-slashes"),
            ("  .-Trimmed-.  ", "Trimmed"),
            ("Ação & Coração", "Ação & Coração"),
        ],
    )  # fmt: skip
    def test_unsafe_characters_are_replaced(self, name: str, stem: str) -> None:
        """Path separators, reserved and control characters become one dash per run."""
        assert _stem(name) == stem

    @pytest.mark.parametrize("name", ["", "   ", "...", "///", "\x00\x01", " - . - "])
    def test_a_name_with_nothing_left_falls_back(self, name: str) -> None:
        """A name that is empty once cleaned is "project"."""
        assert _stem(name) == "project"

    @pytest.mark.parametrize("name", ["x" * 500, "ç" * 81, "é/" * 300])
    def test_the_name_is_bounded(self, name: str) -> None:
        """However long the project's name, the stem has at most 80 characters and no unsafe one."""
        stem = _stem(name)
        assert 1 <= len(stem) <= 80
        assert not _UNSAFE.search(file_name(_named(name), "csv"))


class TestJsonExport:
    def test_the_whole_project(self) -> None:
        """Unscoped: project, state, the whole document, clusters and every session."""
        source = _realistic()
        exported = json_export(source, Scope())
        assert exported["project"] == {
            "id": source.project.id, "name": source.project.name,
            "description": source.project.description, "language": "pt-BR",
        }  # fmt: skip
        assert exported["taken_at"] == "2026-12-06T14:30:00+00:00"
        assert exported["state_hash"] == source.state_hash
        assert exported["document"] == source.document
        assert exported["clusters"] == source.clusters
        (session,) = exported["brainstorms"]
        assert session["id"] == "s-1"
        assert [r["rank"] for r in session["ideas"]] == list(range(1, 11))
        assert session["ideas"][0] == {
            "rank": 1, "idea_id": "idea-0000", "text": source.document["ideas"][0]["text"],
            "votes": 11, "cluster_id": "c-acesso",
        }  # fmt: skip

    @pytest.mark.parametrize(
        "phases",
        [
            frozenset({Phase.IDEATE}),
            frozenset({Phase.EMPATHIZE, Phase.TEST}),
            frozenset(),
        ],
    )
    def test_a_phase_scope_keeps_those_kinds_and_the_schema_version(
        self, phases: frozenset[Phase]
    ) -> None:
        """Only the collections of the phases asked for, and always schemaVersion."""
        document = json_export(_realistic(), Scope(phases=phases))["document"]
        wanted = {k.collection for k in KINDS.values() if k.phase in phases}
        assert set(document) == {"schemaVersion", *wanted}
        assert document["schemaVersion"] == SCHEMA_VERSION

    def test_a_session_scope_keeps_only_that_sessions_results(self) -> None:
        """Scoped to one session: its results alone, whatever other sessions exist."""
        exported = json_export(_with_second_session(), Scope(session_id="s-2"))
        assert [s["id"] for s in exported["brainstorms"]] == ["s-2"]
        unscoped = json_export(_with_second_session(), Scope())
        assert [s["id"] for s in unscoped["brainstorms"]] == ["s-1", "s-2"]

    def test_a_session_scope_keeps_the_ideate_phase_only(self) -> None:
        """A session export shows the idea board, not the other phases' artifacts."""
        document = json_export(_realistic(), Scope(session_id="s-1"))["document"]
        assert set(document) == {"schemaVersion", "ideas"}

    def test_it_is_plain_json(self) -> None:
        """The export survives a JSON round trip unchanged (no datetimes, tuples or enums)."""
        exported = json_export(_with_second_session(), Scope())
        assert json.loads(json.dumps(exported, ensure_ascii=False)) == exported


class TestRenderCsv:
    def test_every_kind_has_its_file_with_a_header(self, tmp_path: Path) -> None:
        """The zip holds one CSV per kind, each with its header row, and the results file."""
        rendered = render_to("csv", _realistic(), Scope(), tmp_path)
        assert rendered == Rendered(tmp_path / "export.csv.zip", "application/zip")
        files = _zip(rendered.path)
        assert set(files) == {csv_file_name(k) for k in KINDS.values()} | {RESULTS_FILE}
        for kind in KINDS.values():
            assert files[csv_file_name(kind)][0] == ["id", *(spec.name for spec in kind.fields)]
        assert len(_rows(files["ideas.csv"])) == 20
        assert _rows(files["personas.csv"])[0]["name"] == "Ana Júlia Conceição"

    def test_brainstorm_results_rows_have_ranks(self, tmp_path: Path) -> None:
        """brainstorm-results.csv has one row per ranked idea, in rank order, named clusters."""
        files = _zip(render_to("csv", _realistic(), Scope(), tmp_path).path)
        table = files[RESULTS_FILE]
        assert tuple(table[0]) == RESULTS_COLUMNS
        rows = _rows(table)
        assert [row["rank"] for row in rows] == [str(n) for n in range(1, 11)]
        assert {row["session_id"] for row in rows} == {"s-1"}
        assert (rows[0]["idea_id"], rows[0]["votes"], rows[0]["cluster"]) == (
            "idea-0000", "11", "Acesso e inclusão",
        )  # fmt: skip
        assert rows[4]["cluster"] == ""  # idea-0004 is in no cluster

    def test_formula_cells_are_protected(self, tmp_path: Path) -> None:
        """A text a spreadsheet would run (=, +, -, @) gets a leading apostrophe, in every file."""
        source = _realistic()
        ideas = [dict(item) for item in source.document["ideas"]]
        ideas[0]["text"] = '=HYPERLINK("http://evil.example","click")'
        session = replace(
            source.sessions[0],
            prompt="@SUM(1+1)",
            ideas=(RankedResult(1, "idea-0000", "+cmd|' /C calc'!A0", 3, None),),
        )
        hostile = replace(source, document={**source.document, "ideas": ideas}, sessions=[session])
        files = _zip(render_to("csv", hostile, Scope(), tmp_path).path)
        idea = _rows(files["ideas.csv"])[0]
        assert idea["text"] == '\'=HYPERLINK("http://evil.example","click")'
        (result,) = _rows(files[RESULTS_FILE])
        assert (result["prompt"], result["idea"]) == ("'@SUM(1+1)", "'+cmd|' /C calc'!A0")

    def test_a_phase_scope_keeps_those_kinds_files(self, tmp_path: Path) -> None:
        """Only the files of the phases asked for, plus the results file."""
        scope = Scope(phases=frozenset({Phase.DEFINE}))
        files = _zip(render_to("csv", _realistic(), scope, tmp_path).path)
        assert set(files) == {"pov-statements.csv", "hmw-questions.csv", RESULTS_FILE}

    def test_a_session_scope_is_that_sessions_results_only(self, tmp_path: Path) -> None:
        """Scoped to one session: the results file, with that session's rows alone."""
        scope = Scope(session_id="s-2")
        files = _zip(render_to("csv", _with_second_session(), scope, tmp_path).path)
        assert set(files) == {RESULTS_FILE}
        assert [(r["session_id"], r["idea_id"]) for r in _rows(files[RESULTS_FILE])] == [
            ("s-2", "idea-0004"),
        ]  # fmt: skip


class TestRenderJson:
    @pytest.mark.parametrize(
        "scope",
        [Scope(), Scope(phases=frozenset({Phase.PROTOTYPE})), Scope(session_id="s-2")],
        ids=["all", "prototype", "session"],
    )
    def test_the_file_parses_back_as_the_json_export(self, tmp_path: Path, scope: Scope) -> None:
        """The JSON file is json_export's value, UTF-8 with non-ASCII text as written."""
        source = _with_second_session()
        rendered = render_to("json", source, scope, tmp_path)
        assert rendered == Rendered(tmp_path / "export.json", MEDIA_TYPES["json"])
        data = rendered.path.read_bytes()
        assert json.loads(data.decode("utf-8")) == json_export(source, scope)
        assert "Famílias".encode() in data


class TestRenderRefusals:
    @pytest.mark.parametrize("format", ["archive", "docx", "", "CSV", "../json"])
    def test_an_unknown_format_is_refused_and_nothing_written(
        self, tmp_path: Path, format: str
    ) -> None:
        """Only pdf, pptx, csv and json are rendered here (archives stream elsewhere)."""
        with pytest.raises(ValueError, match="not a rendered format"):
            render_to(format, _realistic(), Scope(), tmp_path)
        assert list(tmp_path.iterdir()) == []

    def test_media_types_cover_every_format(self) -> None:
        """Every format the API names has a media type (csv is a zip of files)."""
        assert set(MEDIA_TYPES) == set(FORMATS)
        assert (MEDIA_TYPES["csv"], MEDIA_TYPES["json"]) == ("application/zip", "application/json")
