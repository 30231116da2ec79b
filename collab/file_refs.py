"""Which uploaded files a workshop document refers to.

Files are referred to by id from three places of the document (docs/document-schema.md): a
persona's ``avatarFileId``, a prototype's ``fileIds`` and an image note's ``imageFileId``. The
sweeper (http_api/files_service.py) deletes a linked file once nothing here names it for a
grace period, so this read must never miss a reference that is there: it reads the raw
document tolerantly, without the schema's validation (a value written live with the wrong
shape around it still counts), and never raises.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map

from collab.artifacts import FILE_FIELDS

__all__ = ["file_references"]


def _strings(value: Any) -> list[str]:
    # A list field written as one string, or the other way round, still names its files.
    if isinstance(value, str):
        return [value]
    if isinstance(value, Array | list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def file_references(doc: Doc[Any]) -> set[str]:
    """Every file id the document refers to (as stored: not checked to be a valid id)."""
    found: set[str] = set()
    for collection, fields in FILE_FIELDS.items():
        root: Map[Any] = doc.get(collection, type=Map)
        for entry in root.values():
            if isinstance(entry, Map):
                for field in fields:
                    found.update(_strings(entry.get(field)))
    return found
