"""Write an imported project's typed content into its new, empty document.

An archive comes from anywhere, so its content is held to what a REST create accepts: every
artifact is validated by its kind's ``create`` model (types, lengths, list sizes, colours,
enums), references must name artifacts written before them (kinds are written in phase
order, which is also the order of every reference), and clusters need a name of 1 to 200
characters. Dates (``createdAt``, ``updatedAt``) are kept when they are timestamps;
authorship is whatever :func:`collab.import_remap.remap` left (none).

Everything is checked before anything is written: a refused archive leaves the document
empty. Pure: the caller runs it in a room transaction (``RoomManager.transact``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pycrdt import Doc, Map
from pydantic import ValidationError

from collab.artifacts import ID_PATTERN, KINDS, format_timestamp
from collab.export_archive import InvalidArchive
from collab.i18n import msg
from collab.import_remap import remap
from collab.schema import ensure_schema

__all__ = ["CheckedImport", "check_import", "fresh_copy", "write_checked", "write_import"]

_CLUSTERS: Final = "clusters"
_MAX_CLUSTER_NAME: Final = 200
_SERVER_FIELDS: Final = ("id", "createdBy", "createdAt", "updatedAt")


def _stamp(value: object, fallback: str) -> str:
    if isinstance(value, str):
        try:
            return format_timestamp(datetime.fromisoformat(value))
        except (ValueError, OverflowError):  # not a date, or its UTC instant does not exist
            pass
    return fallback


def _checked_items(document: Mapping[str, Any], now: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every artifact as (collection, id, fields to store), validated; InvalidArchive if not."""
    written: dict[str, set[str]] = {}
    items: list[tuple[str, str, dict[str, Any]]] = []
    for kind in KINDS.values():
        ids = written.setdefault(kind.collection, set())
        for item in document.get(kind.collection, []):
            item_id = item.get("id")
            if not isinstance(item_id, str) or not ID_PATTERN.fullmatch(item_id) or item_id in ids:
                raise InvalidArchive(msg("{kind}: an item has a missing, bad or repeated id",
                                         kind=kind.collection))  # fmt: skip
            # what the server sets (authorship, dates, an idea's brainstorm session: the new
            # project has none of the old one's sessions) is never taken from the archive
            server_set = {spec.name for spec in kind.fields if spec.server}
            values = {
                k: v for k, v in item.items() if k not in _SERVER_FIELDS and k not in server_set
            }
            try:
                model = kind.create.model_validate(values)
            except ValidationError as exc:
                raise InvalidArchive(
                    msg(
                        "{kind} {id}: {error}",
                        kind=kind.collection,
                        id=item_id,
                        error=str(exc.errors()[0].get("msg", "invalid")),
                    )
                ) from None
            fields = model.model_dump()
            for ref in kind.references:
                targets = written.get(ref.target, set())
                value = fields.get(ref.field)
                named = value if isinstance(value, list) else [value]
                if any(target is not None and target not in targets for target in named):
                    raise InvalidArchive(
                        msg(
                            "{kind} {id}: {field} names an item that is not in the archive",
                            kind=kind.collection,
                            id=item_id,
                            field=ref.field,
                        )
                    )
            created = _stamp(item.get("createdAt"), now)
            server: dict[str, Any] = {
                "createdBy": None,
                "createdAt": created,
                "updatedAt": _stamp(item.get("updatedAt"), created),
            }
            for name in server_set - server.keys():
                server[name] = None  # the author, an idea's session: none in the new project
            stored = {"id": item_id, **fields, **server}
            items.append((kind.collection, item_id, stored))
            ids.add(item_id)
    return items


def _is_text(value: str) -> bool:
    """Whether ``value`` is Unicode text the CRDT can store (no lone surrogates: JSON may
    carry them, and pycrdt panics on them mid-transaction)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _checked_clusters(clusters: Mapping[str, Any], now: str) -> dict[str, dict[str, Any]]:
    checked: dict[str, dict[str, Any]] = {}
    for key, entry in clusters.items():
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if (
            not ID_PATTERN.fullmatch(key)
            or not isinstance(name, str)
            or not 1 <= len(name) <= _MAX_CLUSTER_NAME
            or not _is_text(name)
        ):
            raise InvalidArchive(msg("cluster {id}: needs an id and a name of 1 to 200 characters",
                                     id=key[:40]))  # fmt: skip
        assert isinstance(entry, Mapping)  # narrowed by the name check above
        created = _stamp(entry.get("createdAt"), now)
        checked[key] = {
            "id": key,
            "name": name,
            "createdBy": None,
            "createdAt": created,
            "updatedAt": _stamp(entry.get("updatedAt"), created),
        }
    return checked


@dataclass(frozen=True, slots=True)
class CheckedImport:
    """An import's content, validated and ready to write (see :func:`check_import`)."""

    items: list[tuple[str, str, dict[str, Any]]]
    clusters: dict[str, dict[str, Any]]


def check_import(
    document: Mapping[str, Any], clusters: Mapping[str, Any], *, now: datetime
) -> CheckedImport:
    """Validate the artifacts and clusters as REST creates would.

    Seconds of Python for a big document: the server runs it in a thread, before the room's
    transaction, which then only writes (:func:`write_checked`).

    Raises:
        InvalidArchive: something would not pass a REST create.
    """
    stamp = format_timestamp(now)
    return CheckedImport(_checked_items(document, stamp), _checked_clusters(clusters, stamp))


def fresh_copy(
    document: Mapping[str, Any],
    clusters: Mapping[str, Any],
    file_ids: Mapping[str, str],
    *,
    new_id: Callable[[], str],
    now: datetime,
) -> CheckedImport:
    """Content from elsewhere (an archive, a template) with fresh ids, checked as REST creates
    would (:func:`collab.import_remap.remap`, then :func:`check_import`): ready for
    :func:`write_checked` into a new, empty document.

    Raises:
        InvalidArchive: something would not pass a REST create.
    """
    new_document, new_clusters = remap(document, clusters, file_ids, new_id)
    return check_import(new_document, new_clusters, now=now)


def write_checked(doc: Doc[Any], checked: CheckedImport) -> int:
    """Write checked content into ``doc`` (empty), in one transaction; how many artifacts."""
    with doc.transaction():
        ensure_schema(doc)
        for collection, item_id, fields in checked.items:
            kind = KINDS[collection]
            doc.get(collection, type=Map)[item_id] = Map(
                {name: kind.stored(name, value) for name, value in fields.items()}
            )
        root = doc.get(_CLUSTERS, type=Map)
        for key, entry in checked.clusters.items():
            root[key] = Map(entry)
    return len(checked.items)


def write_import(
    doc: Doc[Any], document: Mapping[str, Any], clusters: Mapping[str, Any], *, now: datetime
) -> int:
    """Check, then write the artifacts and clusters into ``doc`` (empty); how many artifacts.

    Raises:
        InvalidArchive: something would not pass a REST create (nothing is written then).
    """
    return write_checked(doc, check_import(document, clusters, now=now))
