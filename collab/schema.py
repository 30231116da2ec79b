"""Read, write and validate the workshop document: one pycrdt Doc per project, schema version 2.

The contract is docs/document-schema.md; the kinds and their fields are :mod:`collab.artifacts`.
Writes here are what the REST API does to the live document, so they validate strictly and
keep references intact. Reads are tolerant: browsers edit the same document through plain Yjs,
and nothing stops a buggy client from storing a number where a string belongs. A read never
raises on such data; the field reads as its fallback and :func:`validate_document` reports it.

Every function takes the document and, where it stamps a date, ``now``: no clock, no I/O. Write
functions open ``doc.transaction()`` themselves (pycrdt nests it in a caller's transaction) and
check everything before they change anything, because a pycrdt transaction cannot roll back.
None of them may be called from inside a Doc observer callback (pycrdt forbids ``doc.get`` there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pycrdt import Array, Doc, Map, Text
from pydantic import BaseModel

from collab.artifacts import (
    ID_PATTERN,
    KINDS,
    MISSING,
    SCHEMA_VERSION,
    ArtifactKind,
    OnDelete,
    Phase,
    Reference,
    describe_value,
    format_timestamp,
    noun,
    plain_value,
)
from collab.errors import Conflict, DTToolsError, NotFound
from collab.i18n import msg
from collab.text_fields import set_text, upgrade
from collab.ydoc import is_blank

__all__ = [
    "META",
    "SchemaViolation",
    "UnsupportedSchemaVersion",
    "InvalidReference",
    "ensure_schema",
    "upgrade_document",
    "list_items",
    "get_item",
    "create_item",
    "update_item",
    "delete_item",
    "export_document",
    "count_by_phase",
    "phase_counts",
    "validate_document",
    "check_document",
    "read_entry",
    "sort_key",
    "stored_version",
    "artifact_ids",
]

#: Root Y.Map holding document-level facts (``schemaVersion``).
META: Final = "meta"
_VERSION_KEY: Final = "schemaVersion"


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One place where the stored document breaks the contract.

    Attributes:
        path: RFC 6901 JSON Pointer into :func:`export_document`'s shape, e.g.
            ``/ideas/<id>/color`` (or ``/meta/schemaVersion``).
        message: what is wrong, and with which stored value.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class UnsupportedSchemaVersion(Conflict):
    """The document declares a schema version this server cannot write safely."""

    def __init__(self, version: object) -> None:
        self.version = version
        super().__init__(
            msg(
                "document schemaVersion {version!r} is not supported (this server knows "
                "{known}); upgrade the server",
                version=version,
                known=SCHEMA_VERSION,
            )
        )


class InvalidReference(DTToolsError, ValueError):
    """A write names an artifact that does not exist (REST maps it to a 422 on ``field``)."""

    def __init__(self, field: str, target: ArtifactKind, target_id: str) -> None:
        self.field = field
        self.target = target.collection
        self.target_id = target_id
        super().__init__(
            msg(
                "{field} {id!r} does not name an existing {kind}",
                field=field,
                id=target_id,
                kind=noun(target),
            )
        )


def _kind(kind: ArtifactKind | str) -> ArtifactKind:
    return kind if isinstance(kind, ArtifactKind) else KINDS[kind]


def _root(doc: Doc[Any], kind: ArtifactKind) -> Map[Any]:
    root: Map[Any] = doc.get(kind.collection, type=Map)  # pycrdt types it as Any
    return root


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


# --- reading -----------------------------------------------------------------------------------


def _read_item(
    kind: ArtifactKind, key: str, entry: Map[Any]
) -> tuple[dict[str, Any], list[SchemaViolation]]:
    path = _pointer(kind.collection, key)
    violations = []
    if not ID_PATTERN.fullmatch(key):
        violations.append(SchemaViolation(path, f"key {key!r} is not a valid id"))
    # Every field in one read of the entry: a Y.Map lookup per field opens and checks a
    # transaction of its own, and REST reads items on the event loop of the live rooms.
    stored = dict(entry.items())
    stored_id = stored.get("id", MISSING)
    if stored_id != key:
        shown = "missing" if stored_id is MISSING else repr(stored_id)
        violations.append(SchemaViolation(path + "/id", f"id is {shown}, expected its key"))
    item: dict[str, Any] = {"id": key}
    for spec in kind.fields:
        item[spec.name], problems = spec.read(stored.get(spec.name, MISSING))
        violations.extend(
            SchemaViolation(f"{path}{_pointer(spec.name)}{suffix}", message)
            for suffix, message in problems
        )
    return item, violations


def read_entry(
    kind: ArtifactKind, key: str, entry: object
) -> tuple[dict[str, Any] | None, list[SchemaViolation]]:
    """One root entry of ``kind``'s collection as REST reads it, and what in it breaks the
    contract: ``(None, [violation])`` for an entry that is not a Y.Map (not an artifact)."""
    if isinstance(entry, Map):
        return _read_item(kind, key, entry)
    message = f"expected a Y.Map, got {describe_value(entry)}; not read as an artifact"
    return None, [SchemaViolation(_pointer(kind.collection, key), message)]


def sort_key(item: dict[str, Any]) -> tuple[str, str]:
    """Where an artifact sits in a listing: (createdAt, id), oldest first."""
    return item["createdAt"] or "", item["id"]


def _read_collection(
    doc: Doc[Any], kind: ArtifactKind
) -> tuple[list[dict[str, Any]], list[SchemaViolation]]:
    items, violations = [], []
    for key, entry in _root(doc, kind).items():
        item, problems = read_entry(kind, key, entry)
        if item is not None:
            items.append(item)
        violations.extend(problems)
    # Y.Map iteration order is an implementation detail; creation order is what people expect.
    items.sort(key=sort_key)
    return items, violations


def list_items(doc: Doc[Any], kind: ArtifactKind | str) -> list[dict[str, Any]]:
    """Return every artifact of ``kind``, JSON-ready, oldest first.

    Entries that are not Y.Maps are skipped and bad fields read as their fallback (see
    :func:`validate_document`), so a misbehaving client cannot break the listing.
    """
    return _read_collection(doc, _kind(kind))[0]


def get_item(doc: Doc[Any], kind: ArtifactKind | str, item_id: str) -> dict[str, Any]:
    """Return one artifact, JSON-ready.

    Raises:
        NotFound: there is no artifact of ``kind`` with this id.
    """
    kind = _kind(kind)
    return _read_item(kind, item_id, _entry(doc, kind, item_id))[0]


def _entry(doc: Doc[Any], kind: ArtifactKind, item_id: str) -> Map[Any]:
    entry = _root(doc, kind).get(item_id)
    if not isinstance(entry, Map):
        raise NotFound(msg("{kind} {id!r} not found", kind=noun(kind), id=item_id))
    return entry


def export_document(doc: Doc[Any]) -> dict[str, Any]:
    """Return the whole document as the JSON export: ``schemaVersion`` plus every collection.

    ``schemaVersion`` is the version of this export's shape, which is always the version this
    code reads, whatever the document declares.
    """
    export: dict[str, Any] = {_VERSION_KEY: SCHEMA_VERSION}
    export.update((kind.collection, list_items(doc, kind)) for kind in KINDS.values())
    return export


def count_by_phase(doc: Doc[Any]) -> dict[str, int]:
    """Count the artifacts of each design-thinking phase (every phase present, zero or more)."""
    return phase_counts(
        {k: sum(isinstance(v, Map) for v in _root(doc, k).values()) for k in KINDS.values()}
    )


def phase_counts(per_kind: Mapping[ArtifactKind, int]) -> dict[str, int]:
    """The artifacts of each phase (every phase present), from the count of each kind."""
    counts = dict.fromkeys(Phase, 0)
    for kind, count in per_kind.items():
        counts[kind.phase] += count
    return {phase.value: count for phase, count in counts.items()}


def _stored_version(doc: Doc[Any]) -> object:
    return plain_value(doc.get(META, type=Map).get(_VERSION_KEY, MISSING))


def _is_supported(version: object) -> bool:
    return type(version) is int and version == SCHEMA_VERSION  # True is an int, but no version


def _is_upgradable(version: object) -> bool:
    return version is MISSING or (type(version) is int and version == 1)


def validate_document(doc: Doc[Any]) -> list[SchemaViolation]:
    """List every place where the document breaks the contract; empty means it conforms.

    Reports wrong types and limits, missing required fields, entries that are not Y.Maps, ids
    that do not match their key, references to artifacts that do not exist, and a declared
    ``schemaVersion`` other than ours. Unknown fields are not violations: a newer client may add
    fields without a version bump (docs/document-schema.md, Evolution).
    """
    return check_document(
        _stored_version(doc), {kind: _read_collection(doc, kind) for kind in KINDS.values()}
    )


def stored_version(doc: Doc[Any]) -> object:
    """The ``schemaVersion`` the document declares (``MISSING`` if none), as a plain value."""
    return _stored_version(doc)


def check_document(
    version: object,
    collections: dict[ArtifactKind, tuple[list[dict[str, Any]], list[SchemaViolation]]],
) -> list[SchemaViolation]:
    """:func:`validate_document` on a document already read: its declared version and, per
    kind, its artifacts and the violations found reading them (:func:`read_entry`)."""
    violations = []
    if version is not MISSING and not _is_supported(version):
        message = f"expected {SCHEMA_VERSION}, got {version!r}"
        violations.append(SchemaViolation(_pointer(META, _VERSION_KEY), message))
    present = {
        kind.collection: {item["id"] for item in items[0]} for kind, items in collections.items()
    }
    for kind, (items, problems) in collections.items():
        violations.extend(problems)
        for ref in kind.references:
            existing = present[ref.target]
            for item in items:
                value = item[ref.field]
                for target_id in value if isinstance(value, list) else [value]:
                    if target_id is not None and target_id not in existing:
                        path = _pointer(kind.collection, item["id"], ref.field)
                        target = KINDS[ref.target].singular
                        message = f"{target_id!r} does not name an existing {target}"
                        violations.append(SchemaViolation(path, message))
    return violations


def _present_ids(doc: Doc[Any], kind: ArtifactKind) -> list[str]:
    return [key for key, entry in _root(doc, kind).items() if isinstance(entry, Map)]


def artifact_ids(doc: Doc[Any]) -> list[tuple[str, str]]:
    """(collection, id) of every artifact in the document: what the artifact index records."""
    if is_blank(doc):
        return []
    return [(kind.collection, item) for kind in KINDS.values() for item in _present_ids(doc, kind)]


# --- writing -----------------------------------------------------------------------------------


def _check_version(doc: Doc[Any]) -> bool:
    """Return whether the document still has to be upgraded (and its version written);
    refuse a version we do not know."""
    version = _stored_version(doc)
    if _is_upgradable(version):
        return True
    if not _is_supported(version):
        raise UnsupportedSchemaVersion(version)
    return False


def ensure_schema(doc: Doc[Any]) -> int:
    """Bring a document without a version, or of version 1, to the current one; return it.

    Every write function calls this, so a document is upgraded (:func:`upgrade_document`) at
    the latest with its first server write.

    Raises:
        UnsupportedSchemaVersion: the document declares another version (a newer server
            wrote it, or a client wrote garbage); writing this version's data into it could
            corrupt it.
    """
    with doc.transaction():
        if _check_version(doc):
            upgrade(doc)
            doc.get(META, type=Map)[_VERSION_KEY] = SCHEMA_VERSION
    return SCHEMA_VERSION


def upgrade_document(doc: Doc[Any]) -> bool:
    """Upgrade a document of version 1, or without a version, to the current version, in one
    transaction; whether it wrote anything.

    What the server does when it opens a project room. A document without a version that
    holds artifacts (edited only by browsers so far) gets the version too, whether or not a
    text field needed turning, so that the next open does not look at every artifact again.
    A document that declares the current version, or an empty one, is not touched (opening a
    room writes nothing in the common case); nor is a version it does not know (writes to it
    are refused: :func:`ensure_schema`).
    """
    if is_blank(doc):
        return False
    version = _stored_version(doc)
    if not _is_upgradable(version):
        return False
    with doc.transaction():
        turned = upgrade(doc)
        if turned or version is not MISSING or artifact_ids(doc):
            doc.get(META, type=Map)[_VERSION_KEY] = SCHEMA_VERSION
            return True
    return False


def _check_model(kind: ArtifactKind, model: BaseModel, expected: type[BaseModel]) -> None:
    if type(model) is not expected:
        raise TypeError(f"{kind.collection} expects {expected.__name__}, got {type(model)!r}")


def _check_references(doc: Doc[Any], kind: ArtifactKind, values: dict[str, Any]) -> None:
    for ref in kind.references:
        value = values.get(ref.field)
        target = KINDS[ref.target]
        for target_id in value if isinstance(value, list) else [value]:
            if target_id is not None and not isinstance(_root(doc, target).get(target_id), Map):
                raise InvalidReference(ref.field, target, target_id)


def create_item(
    doc: Doc[Any],
    kind: ArtifactKind | str,
    data: BaseModel,
    *,
    author_id: str | None,
    now: datetime,
    item_id: str,
) -> dict[str, Any]:
    """Add an artifact from a validated ``kind.create`` model; return it as :func:`get_item` does.

    Args:
        author_id: the user creating it; stored as ``createdBy`` (and ``authorId`` on ideas).
        now: creation time, stored as ``createdAt`` and ``updatedAt``.
        item_id: the new artifact's id: a fresh UUID4 from the caller (collab makes no random
            choices, so the same call always makes the same document), or an id being
            imported again (idempotent imports).

    Raises:
        TypeError: ``data`` is not an instance of ``kind.create``.
        ValueError: ``item_id`` does not match :data:`collab.artifacts.ID_PATTERN`.
        Conflict: an artifact with ``item_id`` already exists.
        InvalidReference: a reference field names an artifact that does not exist.
        UnsupportedSchemaVersion: see :func:`ensure_schema`.
    """
    kind = _kind(kind)
    _check_model(kind, data, kind.create)
    if not ID_PATTERN.fullmatch(item_id):
        raise ValueError(f"id {item_id!r} does not match {ID_PATTERN.pattern}")
    stamp = format_timestamp(now)
    values = data.model_dump()
    with doc.transaction():
        _check_version(doc)
        root = _root(doc, kind)
        if item_id in root:
            raise Conflict(msg("{kind} {id!r} already exists", kind=noun(kind), id=item_id))
        _check_references(doc, kind, values)
        server = {"createdBy": author_id, "createdAt": stamp, "updatedAt": stamp}
        if kind.author_field is not None:
            server[kind.author_field] = author_id
        fields = {"id": item_id, **values, **server}
        ensure_schema(doc)
        root[item_id] = Map({name: kind.stored(name, v) for name, v in fields.items()})
        return get_item(doc, kind, item_id)


def update_item(
    doc: Doc[Any], kind: ArtifactKind | str, item_id: str, patch: BaseModel, *, now: datetime
) -> dict[str, Any]:
    """Change the fields set in a ``kind.update`` model; return the artifact afterwards.

    Only fields present in the patch are written, so concurrent browser edits to other fields
    survive. A list field is replaced by the patch's list, in place: entries a browser appends
    concurrently are kept. A text field gets only the difference to its new value
    (:func:`collab.text_fields.set_text`): characters typed concurrently elsewhere in it are
    kept. An empty patch changes nothing, not even ``updatedAt``.

    Raises:
        TypeError: ``patch`` is not an instance of ``kind.update``.
        NotFound: there is no artifact of ``kind`` with this id.
        InvalidReference: a reference field names an artifact that does not exist.
        UnsupportedSchemaVersion: see :func:`ensure_schema`.
    """
    kind = _kind(kind)
    _check_model(kind, patch, kind.update)
    changes = patch.model_dump(exclude_unset=True)
    stamp = format_timestamp(now)
    with doc.transaction():
        _check_version(doc)
        entry = _entry(doc, kind, item_id)
        _check_references(doc, kind, changes)
        if changes:
            ensure_schema(doc)
            for name, value in changes.items():
                _write_field(kind, entry, name, value)
            entry["updatedAt"] = stamp
        return get_item(doc, kind, item_id)


def _write_field(kind: ArtifactKind, entry: Map[Any], name: str, value: Any) -> None:
    current = entry.get(name)
    if name in kind.list_fields and isinstance(current, Array):
        if current.to_py() != value:
            current.clear()
            current.extend(value)
    elif name in kind.text_fields and isinstance(current, Text) and isinstance(value, str):
        set_text(current, value)  # the difference only: concurrent typing survives
    else:
        entry[name] = kind.stored(name, value)


def delete_item(doc: Doc[Any], kind: ArtifactKind | str, item_id: str, *, now: datetime) -> None:
    """Delete an artifact and keep the references to it intact.

    Whatever is stored under ``item_id`` goes, even a value that is not a Y.Map, so REST can
    clean up after a broken client. Then, for each reference to it (:class:`OnDelete`): an
    optional one (``personaId``, ``povId``, ``prototypeId``) becomes null, a list entry
    (``linkedIdeaIds``) is removed, a required one (``testId``) deletes the referrer too; each
    referrer that changed gets ``updatedAt = now``.

    Raises:
        NotFound: nothing is stored under ``item_id``.
        UnsupportedSchemaVersion: see :func:`ensure_schema`.
    """
    kind = _kind(kind)
    stamp = format_timestamp(now)
    with doc.transaction():
        _check_version(doc)
        if item_id not in _root(doc, kind):
            raise NotFound(msg("{kind} {id!r} not found", kind=noun(kind), id=item_id))
        ensure_schema(doc)
        _delete(doc, kind, item_id, stamp)


def _referrers(kind: ArtifactKind) -> list[tuple[ArtifactKind, Reference]]:
    return [
        (other, ref)
        for other in KINDS.values()
        for ref in other.references
        if ref.target == kind.collection
    ]


def _delete(doc: Doc[Any], kind: ArtifactKind, item_id: str, stamp: str) -> None:
    del _root(doc, kind)[item_id]
    for other, ref in _referrers(kind):
        for key, entry in list(_root(doc, other).items()):
            if not isinstance(entry, Map):
                continue
            value = entry.get(ref.field)
            if ref.on_delete is OnDelete.REMOVE:
                if not isinstance(value, Array):
                    continue  # a plain list is already a reported violation; leave it be
                hits = [index for index, entry_id in enumerate(value) if entry_id == item_id]
                for index in reversed(hits):
                    del value[index]
                if hits:
                    entry["updatedAt"] = stamp
            elif value != item_id:
                continue
            elif ref.on_delete is OnDelete.CASCADE:
                _delete(doc, other, key, stamp)
            else:
                entry[ref.field] = None
                entry["updatedAt"] = stamp
