"""collab.export_csv: one CSV per kind, UTF-8 with BOM, safe from formula injection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from collab.artifacts import KINDS
from collab.export_csv import (
    RESULTS_COLUMNS,
    SEPARATOR,
    csv_files,
    file_name,
    protect,
    results_csv,
    unprotect,
)
from collab.export_report import RankedResult, SessionResults


def _read(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=SEPARATOR))


def _export(**collections: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemaVersion": 1, **collections}


class TestFiles:
    def test_every_kind_has_a_file_with_its_header_even_when_empty(self) -> None:
        files = csv_files(_export())
        assert set(files) == {file_name(kind) for kind in KINDS.values()}
        for kind in KINDS.values():
            rows = _read(files[file_name(kind)])
            assert rows == [["id", *(spec.name for spec in kind.fields)]]

    def test_items_come_out_as_written_accents_lists_and_all(self) -> None:
        """A persona with accents, commas, quotes and a list of goals reads back the same."""
        persona = {
            "id": "p1", "name": "Conceição \"Ção\" Araújo", "role": "Garçonete, turno da noite",
            "goals": ["Atender rápido", "Ganhar gorjetas"], "pains": [], "gains": ["Folga"],
            "bio": "Linha 1\nLinha 2", "avatar": None, "avatarFileId": None,
            "createdBy": "u1", "createdAt": "2026-12-06T10:00:00.000Z",
        }  # fmt: skip
        rows = _read(csv_files(_export(personas=[persona]))["personas.csv"])
        header, row = rows
        cells = dict(zip(header, row, strict=True))
        assert cells["name"] == 'Conceição "Ção" Araújo'
        assert cells["role"] == "Garçonete, turno da noite"
        assert cells["goals"].split("\n") == ["Atender rápido", "Ganhar gorjetas"]
        assert cells["pains"] == ""
        assert cells["bio"] == "Linha 1\nLinha 2"
        assert cells["avatar"] == ""
        assert cells["createdAt"] == "2026-12-06T10:00:00.000Z"

    def test_numbers_keep_their_json_form(self) -> None:
        idea = {"id": "i1", "text": "Totem", "x": 12.5, "y": 0.0, "color": "yellow"}
        header, row = _read(csv_files(_export(ideas=[idea]))["ideas.csv"])
        cells = dict(zip(header, row, strict=True))
        assert (cells["x"], cells["y"]) == ("12.5", "0.0")

    def test_a_formula_written_as_an_idea_is_text_in_a_spreadsheet(self) -> None:
        ideas = [
            {"id": f"i{n}", "text": text}
            for n, text in enumerate(['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)",
                                      "\tx", "\rx", "ok"])
        ]  # fmt: skip
        rows = _read(csv_files(_export(ideas=ideas))["ideas.csv"])
        texts = [dict(zip(rows[0], row, strict=True))["text"] for row in rows[1:]]
        assert all(t.startswith("'") for t in texts[:-1])
        assert texts[-1] == "ok"
        assert [unprotect(t) for t in texts] == [i["text"] for i in ideas]


class TestProtect:
    def test_apostrophes_people_wrote_survive(self) -> None:
        for text in ["'", "'abc", "'=1", "''=1", "it's"]:
            assert unprotect(protect(text)) == text
        assert protect("'abc") == "'abc"  # not before a formula: left as written
        assert protect("'=1") == "''=1"

    def test_thousands_of_apostrophes_are_no_problem(self) -> None:
        text = "'" * 100_000 + "=1"
        assert unprotect(protect(text)) == text

    @given(st.text())
    def test_any_text_round_trips_and_never_starts_a_formula(self, text: str) -> None:
        cell = protect(text)
        assert unprotect(cell) == text
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_brainstorm_results_are_one_protected_table() -> None:
    """Every ranked idea of every session, with the cluster's name, formulas defused."""
    session = SessionResults(
        id="s1", prompt="Como?", taken_at=datetime(2026, 12, 6, tzinfo=UTC), voters=3, votes=4,
        ideas=(RankedResult(1, "i1", "=HYPERLINK(1)", 3, "c1"),
               RankedResult(2, "i2", "ação", 1, None)),
    )  # fmt: skip
    data = results_csv([session], {"c1": "Acesso"})
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(RESULTS_COLUMNS)
    assert rows[1][4:] == ["1", "i1", "'=HYPERLINK(1)", "3", "c1", "Acesso"]
    assert rows[2][4:] == ["2", "i2", "ação", "1", "", ""]
