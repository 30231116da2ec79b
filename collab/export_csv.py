"""The typed content of a project as CSV: one file per kind, safe to open in a spreadsheet.

Input is the v1 JSON export (:func:`collab.schema.export_document`), so a CSV shows exactly
the state that export shows. Each kind becomes ``<segment>.csv`` (``personas.csv``,
``empathy-maps.csv``...) with a header row of field names: ``id`` first, then the kind's
fields in schema order (the server's authorship and dates last). The files are meant for
people first (a facilitator opening them in Excel or LibreOffice), programs second:

* UTF-8 with a byte-order mark and CRLF line ends: Excel reads "ção" as written only with
  the BOM, and RFC 4180 asks for CRLF.
* The separator is a comma (:data:`SEPARATOR`); cells with commas, quotes or line breaks are
  quoted, so a list field (a persona's goals) is one cell with one entry per line.
* **Formula injection** (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula, and a member could
  write ``=HYPERLINK(...)`` as an idea. Such cells get a leading apostrophe, which
  spreadsheets show as text and which :func:`unprotect` removes for programs.
* Empty values are empty cells; booleans and numbers are written as JSON writes them.

Pure: no files, no clock. Writing the files somewhere is the caller's job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from collab.artifacts import KINDS, ArtifactKind
from collab.export_report import SessionResults

__all__ = [
    "SEPARATOR",
    "RESULTS_COLUMNS",
    "RESULTS_FILE",
    "SESSION_RESULTS_COLUMNS",
    "csv_files",
    "results_csv",
    "session_results_csv",
    "file_name",
    "protect",
    "unprotect",
]

#: The field separator of every file (documented: some locales' spreadsheets guess ";").
SEPARATOR: Final = ","
_BOM: Final = "\ufeff"
# What makes a spreadsheet read a cell as a formula (OWASP's list).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE: Final = "'"


def protect(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it.

    A text that starts with a formula character, after any apostrophes a person wrote, gets
    one more apostrophe in front; :func:`unprotect` takes exactly that one away again.
    """
    return _ESCAPE + text if _formula_after_escapes(text) else text


def unprotect(cell: str) -> str:
    """What was written, from a cell :func:`protect` made."""
    if cell.startswith(_ESCAPE) and _formula_after_escapes(cell):
        return cell[1:]
    return cell


def _formula_after_escapes(text: str) -> bool:
    # lstrip, not recursion: a hostile text may start with thousands of apostrophes
    return text.lstrip(_ESCAPE).startswith(_FORMULA_STARTS)


def file_name(kind: ArtifactKind) -> str:
    """The file a kind is written to: its REST segment (``empathy-maps.csv``)."""
    return f"{kind.segment}.csv"


def _columns(kind: ArtifactKind) -> list[str]:
    return ["id", *(spec.name for spec in kind.fields)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return protect(value)
    if isinstance(value, list):
        return protect("\n".join(_plain(item) for item in value))
    return protect(_plain(value))


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return (_BOM + out.getvalue()).encode("utf-8")


def csv_files(
    export: Mapping[str, Any], kinds: Iterable[ArtifactKind] = KINDS.values()
) -> dict[str, bytes]:
    """Every kind of ``export`` (the v1 JSON export) as CSV bytes, by file name.

    Every kind asked for has its file, with its header row even when it has no items, so a
    program finds the same files in every project's export.
    """
    files: dict[str, bytes] = {}
    for kind in kinds:
        columns = _columns(kind)
        items = export.get(kind.collection, [])
        files[file_name(kind)] = _table(
            columns, ([item.get(column) for column in columns] for item in items)
        )
    return files


#: The columns of :func:`results_csv`, one row per ranked idea per session.
RESULTS_COLUMNS: Final = (
    "session_id", "prompt", "taken_at", "voters", "rank", "idea_id", "idea", "votes",
    "cluster_id", "cluster",
)  # fmt: skip
#: The file :func:`results_csv` is written to.
RESULTS_FILE: Final = "brainstorm-results.csv"


def results_csv(sessions: Iterable[SessionResults], clusters: Mapping[str, str]) -> bytes:
    """Brainstorm results as one CSV: every ranked idea of every session, best first.

    ``clusters`` names the cluster ids (an id without a name leaves the name cell empty).
    """
    return _table(
        RESULTS_COLUMNS,
        (
            (
                session.id,
                session.prompt,
                session.taken_at.isoformat(),
                session.voters,
                result.rank,
                result.idea_id,
                result.text,
                result.votes,
                result.cluster_id,
                clusters.get(result.cluster_id) if result.cluster_id else None,
            )
            for session in sessions
            for result in session.ideas
        ),
    )


#: The columns of :func:`session_results_csv`: one session's ranked ideas.
SESSION_RESULTS_COLUMNS: Final = (
    "rank", "idea_id", "text", "color", "votes", "cluster_id", "cluster_name", "author_name",
)  # fmt: skip


def session_results_csv(results: Mapping[str, Any]) -> bytes:
    """One session's results (as ``GET .../brainstorm/{id}/results`` returns them) as CSV.

    The same cells as every other file here (formula-safe, BOM, CRLF). ``author_name`` is
    empty in an anonymous session: the results name nobody there.
    """
    names = {
        cluster.get("cluster_id"): cluster.get("name") for cluster in results.get("clusters", [])
    }
    anonymous = bool(results.get("anonymous"))
    return _table(
        SESSION_RESULTS_COLUMNS,
        (
            (
                idea.get("rank"),
                idea.get("idea_id"),
                idea.get("text"),
                idea.get("color"),
                idea.get("votes"),
                idea.get("cluster_id"),
                names.get(idea.get("cluster_id")) if idea.get("cluster_id") else None,
                None if anonymous else idea.get("author_name"),
            )
            for idea in results.get("ideas", [])
        ),
    )
