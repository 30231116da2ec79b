"""Give an imported project fresh ids, keeping every reference pointed where it pointed.

An archive (:mod:`collab.export_archive`) carries the ids of the server it came from. Importing
it twice, or into the server it came from, must not collide with what is there, so every
artifact and every cluster gets a new id and every reference follows: the fields of
:data:`collab.artifacts.KINDS`' references (``prototypes.linkedIdeaIds`` among them),
``ideas.clusterId`` (to the ``clusters`` root) and the file fields of
:data:`collab.artifacts.FILE_FIELDS`, through the ids the importer gave the copied files.

A reference to something absent from the archive is settled the way
docs/document-schema.md settles a deletion, so the import never creates a dangling id: an
optional reference becomes ``null``, a list drops the id, and an artifact whose required
reference dangles (a test result without its test) is left out, with whatever depended on it.
A file id the importer did not copy is dropped the same way.

Authorship (``createdBy``, ``authorId``) names users of the old server, who mean nothing (or
someone else) here, so it becomes ``null``: the project shows no author rather than a wrong
one. Dates are kept: they are when the work was done. Roots this server does not know are left
out, since their ids could not be rewritten.

Pure and deterministic: ``new_id`` is the only source of new ids, called once per artifact and
cluster kept, clusters first, then the collections in :data:`KINDS` order, items in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from collab.artifacts import FILE_FIELDS, ID_PATTERN, KINDS, SCHEMA_VERSION, OnDelete

__all__ = ["remap"]

#: ``ideas.clusterId`` names a cluster of the ``clusters`` root, which KINDS does not describe.
_CLUSTERS: Final = "clusters"
_CLUSTER_FIELD: Final = ("ideas", "clusterId")
_USER_FIELDS: Final = ("createdBy",)

_Ids = dict[str, dict[str, str]]  # collection -> old id -> new id


def remap(
    document: Mapping[str, Any],
    clusters: Mapping[str, Any],
    file_ids: Mapping[str, str],
    new_id: Callable[[], str],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return copies of the typed JSON and the clusters with fresh ids (see the module's doc).

    Args:
        document: the v1 typed JSON (``collab.schema.export_document``'s shape).
        clusters: cluster id -> cluster object, as in ``clusters.json``.
        file_ids: old file id -> the id of its copy on this server.
        new_id: a fresh artifact id each call (a UUID4 from the caller).

    Raises:
        ValueError: ``new_id`` gave an id twice, or one that is not an artifact id.
    """
    kept = _surviving(document)
    groups = {key: value for key, value in clusters.items() if isinstance(value, Mapping)}
    ids = _assign(groups, kept, new_id)
    new_clusters = {
        ids[_CLUSTERS][key]: {**cluster, "id": ids[_CLUSTERS][key], "createdBy": None}
        for key, cluster in groups.items()
    }
    new_document: dict[str, Any] = {"schemaVersion": document.get("schemaVersion", SCHEMA_VERSION)}
    for collection, items in kept.items():
        new_document[collection] = [
            _rewrite(collection, item, ids[collection][item_id], ids, file_ids)
            for item_id, item in items
        ]
    return new_document, new_clusters


def _items(document: Mapping[str, Any], collection: str) -> list[tuple[str, dict[str, Any]]]:
    items = document.get(collection)
    if not isinstance(items, list):
        return []
    # An item is known by its id: one without a string id, or repeating one, cannot be told
    # apart or referred to, so it is left out (read_archive refuses both before this).
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(key := item.get("id"), str):
            found.setdefault(key, item)
    return list(found.items())


def _surviving(document: Mapping[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The items kept, by collection: those whose required references all resolve."""
    kept = {collection: _items(document, collection) for collection in KINDS}
    cascades = [
        (kind.collection, ref)
        for kind in KINDS.values()
        for ref in kind.references
        if ref.on_delete is OnDelete.CASCADE
    ]
    changed = True
    while changed:  # a dropped target can drop its dependants in turn
        changed = False
        for collection, ref in cascades:
            present = {key for key, _ in kept[ref.target]}
            survivors = [
                (key, item)
                for key, item in kept[collection]
                if item.get(ref.field) is None
                or (isinstance(item.get(ref.field), str) and item.get(ref.field) in present)
            ]
            changed = changed or len(survivors) != len(kept[collection])
            kept[collection] = survivors
    return kept


def _assign(
    clusters: Mapping[str, Any],
    kept: Mapping[str, list[tuple[str, dict[str, Any]]]],
    new_id: Callable[[], str],
) -> _Ids:
    given: set[str] = set()

    def fresh(olds: Iterable[str]) -> dict[str, str]:
        mapping = {}
        for old in olds:
            new = new_id()
            if not ID_PATTERN.fullmatch(new) or new in given:
                raise ValueError(f"new_id() gave {new!r}: not a fresh artifact id")
            given.add(new)
            mapping[old] = new
        return mapping

    ids = {_CLUSTERS: fresh(clusters)}
    ids.update((collection, fresh(key for key, _ in items)) for collection, items in kept.items())
    return ids


def _one(value: Any, mapping: Mapping[str, str]) -> str | None:
    return mapping.get(value) if isinstance(value, str) else None


def _many(value: Any, mapping: Mapping[str, str]) -> list[str]:
    if not isinstance(value, list):
        return []
    return [mapping[entry] for entry in value if isinstance(entry, str) and entry in mapping]


def _rewrite(
    collection: str, item: dict[str, Any], new: str, ids: _Ids, file_ids: Mapping[str, str]
) -> dict[str, Any]:
    kind = KINDS[collection]
    out = {**item, "id": new}
    targets: dict[str, Mapping[str, str]] = {ref.field: ids[ref.target] for ref in kind.references}
    if collection == _CLUSTER_FIELD[0]:
        targets[_CLUSTER_FIELD[1]] = ids[_CLUSTERS]
    targets.update(dict.fromkeys(FILE_FIELDS.get(collection, ()), file_ids))
    for field, mapping in targets.items():
        if field in kind.list_fields:
            out[field] = _many(item.get(field), mapping)
        else:
            out[field] = _one(item.get(field), mapping)
    authors = _USER_FIELDS if kind.author_field is None else (*_USER_FIELDS, kind.author_field)
    out.update(dict.fromkeys(authors))
    return out
