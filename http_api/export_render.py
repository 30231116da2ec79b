"""Turning a snapshot into a file: the part of an export that runs in a worker process.

PDF and PPTX rendering takes seconds of pure CPU for a big board (WeasyPrint lays out every
page in Python). Run on the event loop, or in a thread holding the GIL, that would stall
every live room of the node, so :class:`http_api.exports_service.ExportService` runs
:func:`render_to` in a process pool instead; everything it takes is picklable (dataclasses
of :mod:`collab.export_report`) and it writes its file into a folder the caller gave.

CSV and JSON are cheap and use the same function from a thread. Archives are not made here:
they stream the project's files from the blob store (http_api/exports_service.py).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

from collab.artifacts import KINDS, Phase
from collab.export_csv import RESULTS_FILE, csv_files, results_csv
from collab.export_report import ExportSource, Scope, build_report
from http_api.i18n import translate

__all__ = ["FORMATS", "MEDIA_TYPES", "Rendered", "render_to", "file_name", "json_export"]

#: Every export format, as the API names them.
FORMATS: Final = ("pdf", "pptx", "csv", "json", "archive")
#: The media type of each format's file.
MEDIA_TYPES: Final = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "csv": "application/zip",
    "json": "application/json",
    "archive": "application/zip",
}
_EXTENSIONS: Final = {
    "pdf": "pdf",
    "pptx": "pptx",
    "csv": "csv.zip",
    "json": "json",
    "archive": "dttools.zip",
}
_MAX_STEM_BYTES: Final = 200
# Characters no file system or browser download takes well in a name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True, slots=True)
class Rendered:
    """The file an export made."""

    path: Path
    media_type: str


def file_name(source: ExportSource, format: str) -> str:
    """The name the file downloads as: the project's name and the state's time."""
    stem = _UNSAFE.sub("-", source.project.name).strip(" .-")[:80]
    # file systems count bytes (255 at most): 80 four-byte characters would not fit
    stem = stem.encode()[:_MAX_STEM_BYTES].decode(errors="ignore").strip(" .-") or "project"
    stamp = source.taken_at.strftime("%Y%m%d-%H%M")
    return f"{stem} {stamp}.{_EXTENSIONS[format]}"


def json_export(source: ExportSource, scope: Scope) -> dict[str, Any]:
    """The JSON export: the v1 typed document (of the phases asked for) and what it shows."""
    # a session's export is its idea board, as in the report (collab/export_report.py)
    phases = {Phase.IDEATE} if scope.session_id is not None else scope.phases
    wanted = {kind.collection for kind in KINDS.values() if kind.phase in phases}
    return {
        "project": {
            "id": source.project.id,
            "name": source.project.name,
            "description": source.project.description,
            "language": source.project.language,
        },
        "taken_at": source.taken_at.isoformat(),
        "state_hash": source.state_hash,
        "document": {
            key: value
            for key, value in source.document.items()
            if key == "schemaVersion" or key in wanted
        },
        "clusters": dict(source.clusters),
        "brainstorms": [
            {
                "id": session.id,
                "prompt": session.prompt,
                "taken_at": session.taken_at.isoformat(),
                "voters": session.voters,
                "votes": session.votes,
                "ideas": [
                    {
                        "rank": result.rank,
                        "idea_id": result.idea_id,
                        "text": result.text,
                        "votes": result.votes,
                        "cluster_id": result.cluster_id,
                    }
                    for result in session.ideas
                ],
            }
            for session in source.sessions
            if scope.session_id is None or session.id == scope.session_id
        ],
    }


def _csv_zip(source: ExportSource, scope: Scope) -> bytes:
    kinds = [kind for kind in KINDS.values() if kind.phase in scope.phases]
    sessions = [s for s in source.sessions if scope.session_id in (None, s.id)]
    files = {} if scope.session_id else csv_files(source.document, kinds)
    files[RESULTS_FILE] = results_csv(sessions, source.clusters)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def render_to(format: str, source: ExportSource, scope: Scope, folder: Path) -> Rendered:
    """Render ``source`` as ``format`` (pdf, pptx, csv or json) into a file in ``folder``."""
    tr = partial(translate, locale=source.project.language)
    data: bytes
    match format:
        case "pdf":
            from collab.export_pdf import render_pdf  # imported in the worker only: heavy

            data = render_pdf(build_report(source, scope), tr)
        case "pptx":
            from collab.export_pptx import render_pptx

            data = render_pptx(build_report(source, scope), tr)
        case "csv":
            data = _csv_zip(source, scope)
        case "json":
            data = json.dumps(json_export(source, scope), ensure_ascii=False, indent=1).encode()
        case _:
            raise ValueError(f"not a rendered format: {format!r}")
    path = folder / f"export.{_EXTENSIONS[format]}"
    path.write_bytes(data)
    return Rendered(path, MEDIA_TYPES[format])
