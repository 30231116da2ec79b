"""The artifact kinds of the workshop document (schema version 2): fields, limits and models.

This module is the single declaration of docs/document-schema.md. Every kind is a table of
:class:`FieldSpec` rows, and everything else is derived from that table: the pydantic models the
REST API validates with (``create``, ``update``, ``item``), which fields are Y.Arrays, which
fields point at other artifacts, and the readers in :mod:`collab.schema`. Adding a kind or a
field is one row here and one row in the doc, and ``tests/collab/test_schema.py`` checks the two
agree.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

from pycrdt import Array, Map, Text, XmlElement, XmlFragment, XmlText
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    create_model,
)
from pydantic.config import JsonDict

from collab import i18n
from collab.i18n import msg

__all__ = [
    "SCHEMA_VERSION",
    "READABLE_SCHEMA_VERSIONS",
    "MAX_LIST_ITEMS",
    "PALETTE",
    "ID_PATTERN",
    "FILE_ID_PATTERN",
    "FILE_FIELDS",
    "TEXT_FIELDS",
    "Phase",
    "OnDelete",
    "FieldSpec",
    "Reference",
    "ArtifactKind",
    "KINDS",
    "KINDS_BY_SEGMENT",
    "NOUNS",
    "noun",
    "format_timestamp",
    "MISSING",
    "plain_value",
    "describe_value",
]

#: The version this code writes; stored as ``meta.schemaVersion``. Version 2 stores the
#: free-text fields as Y.Text (:attr:`FieldSpec.text`); version 1 documents are upgraded
#: (collab/text_fields.py).
SCHEMA_VERSION: Final = 2
#: The versions of the JSON form (exports, archives, templates) an import reads: the typed
#: JSON of version 2 is that of version 1 (text fields are strings in JSON either way).
READABLE_SCHEMA_VERSIONS: Final = (1, 2)
#: Upper bound on entries in any list field, so one card cannot grow without limit.
MAX_LIST_ITEMS: Final = 200
#: Named sticky-note colours; any ``#rrggbb`` is accepted as well.
PALETTE: Final = ("yellow", "orange", "red", "pink", "purple", "blue", "green", "grey")
#: What an artifact id looks like: a UUID fits, and so do nanoid-style ids from other clients.
ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: What a file id looks like (``avatarFileId``, ``fileIds``, ``imageFileId``): the server's
#: canonical UUID text, lower case, as ``str(uuid)`` and the files API write it.
FILE_ID_PATTERN: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: The fields that hold file ids, by collection: what the file sweeper reads to keep a file.
FILE_FIELDS: Final = MappingProxyType(
    {"personas": ("avatarFileId",), "ideas": ("imageFileId",), "prototypes": ("fileIds",)}
)
#: Stands for a key that is absent from a Y.Map (``None`` is a stored null).
MISSING: Final = object()

_SHARED: Final = (Map, Array, Text, XmlElement, XmlFragment, XmlText)
_JSON_NAMES: Final[dict[type, str]] = {
    type(None): "null", bool: "boolean", int: "number", float: "number", str: "string",
    list: "array", dict: "object", bytes: "binary", bytearray: "binary",  # pycrdt: Uint8Array
}  # fmt: skip
_Problems = list[tuple[str, str]]  # (JSON Pointer suffix, message)


def _check_timestamp(value: str) -> str:
    # ISO-8601 as JS `Date.prototype.toISOString()` writes it; an offset is required so that
    # every client agrees on the instant.
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone")
    return value


def _text(max_length: int, *, min_length: int = 0) -> Any:
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length)]


Name = _text(200, min_length=1)
Label = _text(200)
Statement = _text(1_000, min_length=1)
Sentence = _text(1_000)
LongText = _text(10_000)
Entry = _text(1_000)
UserRef = _text(200, min_length=1)
ItemId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERN.pattern}$")]
# A file of the project (/v1/files/{id}), not an artifact: no target, the files API checks it.
FileId = Annotated[str, StringConstraints(pattern=f"^{FILE_ID_PATTERN.pattern}$")]
Color = Annotated[str, StringConstraints(pattern=f"^(?:{'|'.join(PALETTE)}|#[0-9a-fA-F]{{6}})$")]
# Absolute http(s) URLs or server paths such as /v1/files/...; never javascript: or //host.
Link = Annotated[str, StringConstraints(max_length=2_000, pattern=r"^(?:https?://\S+|/[^/\s]\S*)$")]
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]
Rating = Annotated[int, Field(ge=1, le=5)]
Outcome = Literal["success", "partial", "failure"]
Fidelity = Literal["low", "medium", "high"]
Timestamp = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(_check_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def plain_value(value: object) -> object:
    """Turn a stored value into what pydantic validates: JS numbers are doubles, so 3.0 is 3."""
    if isinstance(value, _SHARED):
        value = value.to_py()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def describe_value(value: object) -> str:
    """Name a stored value the way a JS developer would, with the value when it is short."""
    if isinstance(value, _SHARED):
        return f"Y.{type(value).__name__}"
    name = _JSON_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, int | float | str):
        return f"{name} {reprlib.repr(plain_value(value))}"
    return name


def format_timestamp(now: datetime) -> str:
    """Render ``now`` the way JS ``toISOString()`` does, so server and browser dates sort alike.

    Raises:
        ValueError: ``now`` is naive; the core never guesses a timezone.
    """
    if now.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Phase(StrEnum):
    """The five design-thinking phases; every kind belongs to exactly one."""

    EMPATHIZE = "empathize"
    DEFINE = "define"
    IDEATE = "ideate"
    PROTOTYPE = "prototype"
    TEST = "test"


class OnDelete(StrEnum):
    """What deleting an artifact does to the artifacts that point at it."""

    SET_NULL = "setNull"  # an optional reference becomes null
    REMOVE = "remove"  # the id is removed from a list of references
    CASCADE = "cascade"  # a required reference cannot dangle: the referrer is deleted too


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of one kind: its type (with limits), its default and what it points at.

    ``default`` is ``...`` for fields a REST create must supply. ``item_type`` is set for list
    fields, which are stored as a Y.Array of that type so concurrent appends merge. ``text``
    marks the free text a team writes together, stored as a Y.Text so that two people typing
    in it at once merge character by character (REST still reads and writes a string).
    """

    name: str
    type: Any
    default: Any = ...
    target: str | None = None
    server: bool = False
    item_type: Any = None
    text: bool = False
    adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)
    item_adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Built once: validating a stored value is on the path of every REST read.
        adapter = TypeAdapter(self.type)
        item = adapter if self.item_type is None else TypeAdapter(self.item_type)
        object.__setattr__(self, "adapter", adapter)
        object.__setattr__(self, "item_adapter", item)

    @property
    def required(self) -> bool:
        """Whether a create must supply it (and a stored artifact must hold it)."""
        return self.default is ...

    @property
    def is_list(self) -> bool:
        """Whether it is stored as a Y.Array."""
        return self.item_type is not None

    def fallback(self) -> Any:
        """The value read when the stored one is missing or invalid: the default, else null."""
        if self.is_list:
            return []
        return None if self.required else self.default

    def read(self, raw: object) -> tuple[Any, _Problems]:
        """Read a stored value (or :data:`MISSING`) tolerantly: never raise, report instead.

        Returns:
            The value to show (the stored one when valid, else :meth:`fallback`), and one
            ``(pointer suffix, message)`` per contract violation found.
        """
        if raw is MISSING:
            return self.fallback(), [("", "required field is missing")] if self.required else []
        if self.is_list:
            return self._read_list(raw)
        if self.text:
            return self._read_text(raw)
        value, problem = self._read_value(self.adapter, raw)
        problems = [] if problem is None else [("", problem)]
        return (self.fallback() if value is MISSING else value), problems

    def _read_list(self, raw: object) -> tuple[list[Any], _Problems]:
        # Salvage entry by entry: one bad goal must not hide the other nineteen.
        problems: _Problems = []
        if isinstance(raw, list):
            problems.append(("", "expected a Y.Array, got array (concurrent edits will not merge)"))
        elif not isinstance(raw, Array):
            return [], [("", f"expected a Y.Array, got {describe_value(raw)}")]
        kept = []
        for index, entry in enumerate(raw):
            value, problem = self._read_value(self.item_adapter, entry)
            if problem is not None:
                problems.append((f"/{index}", problem))
            if value is not MISSING:
                kept.append(value)
        if len(kept) > MAX_LIST_ITEMS:
            problems.append(("", f"{len(kept)} entries exceed the limit of {MAX_LIST_ITEMS}"))
            kept = kept[:MAX_LIST_ITEMS]
        return kept, problems

    def _read_text(self, raw: object) -> tuple[Any, _Problems]:
        # Concurrent typing can merge two edits that each kept to the limit into one text
        # over it: read the text cut at the limit (and report it) rather than lose it all.
        problems: _Problems = []
        if isinstance(raw, Text):
            raw = str(raw)
            limit = self.max_length
            if limit is not None and len(raw) > limit:
                problems.append(("", f"{len(raw)} characters exceed the limit of {limit}"))
                raw = raw[:limit]
        elif isinstance(raw, str):
            problems.append(
                ("", "expected a Y.Text, got string (concurrent typing will not merge)")
            )
        value, problem = self._read_value(self.adapter, raw)
        if problem is not None:
            problems.append(("", problem))
        return (self.fallback() if value is MISSING else value), problems

    @property
    def max_length(self) -> int | None:
        """The longest string the field takes (its StringConstraints), if it is a string."""
        for meta in getattr(self.type, "__metadata__", ()):
            if isinstance(meta, StringConstraints):
                return meta.max_length
        return None

    @staticmethod
    def _read_value(adapter: TypeAdapter[Any], raw: object) -> tuple[Any, str | None]:
        try:
            value = adapter.validate_python(plain_value(raw), strict=True)
        except ValidationError as exc:
            message = exc.errors(include_url=False)[0]["msg"]
            return MISSING, f"{message[0].lower()}{message[1:]} (got {describe_value(raw)})"
        if isinstance(raw, _SHARED):
            # Readable, but a shared type where the contract wants a plain value merges
            # differently, so it is still a violation.
            return value, f"expected a plain value, got {describe_value(raw)}"
        return value, None


def _prose(name: str, type_: Any, default: Any = ...) -> FieldSpec:
    """A free-text field the team writes together: a Y.Text in the document."""
    return FieldSpec(name, type_, default, text=True)


def _list(name: str, item_type: Any, *, target: str | None = None) -> FieldSpec:
    list_type = Annotated[list[item_type], Field(max_length=MAX_LIST_ITEMS)]
    return FieldSpec(name, list_type, [], target=target, item_type=item_type)


@dataclass(frozen=True, slots=True)
class Reference:
    """A field of one kind that holds the id (or ids) of artifacts of ``target``."""

    field: str
    target: str
    on_delete: OnDelete


@dataclass(frozen=True, slots=True, eq=False)
class ArtifactKind:
    """One collection of the document: its root name, URL segment, fields and models.

    ``create`` validates a REST POST body, ``update`` a PATCH body (every field optional; use
    ``model_dump(exclude_unset=True)``), and ``item`` describes what reads return (for OpenAPI).
    """

    collection: str
    segment: str
    singular: str
    phase: Phase
    fields: tuple[FieldSpec, ...]
    author_field: str | None
    create: type[BaseModel]
    update: type[BaseModel]
    item: type[BaseModel]
    list_fields: frozenset[str]
    text_fields: frozenset[str]
    references: tuple[Reference, ...]

    def stored(self, name: str, value: Any) -> Any:
        """How field ``name`` stores ``value`` in the document: a list field as a Y.Array, a
        text field's string as a Y.Text, anything else as the plain value. Every writer of
        artifacts (REST, imports, reveals, restores) goes through here."""
        if name in self.list_fields and isinstance(value, list):
            return Array(value)
        if name in self.text_fields and isinstance(value, str):
            return Text(value)
        return value

    @property
    def content_fields(self) -> tuple[FieldSpec, ...]:
        """The fields a client may set through REST (not ids, dates or authorship)."""
        return tuple(spec for spec in self.fields if not spec.server)


_INPUT = ConfigDict(strict=True, extra="forbid")


def _no_default(schema: JsonDict) -> None:
    # A PATCH field that is absent is "unchanged", not null: hide pydantic's None default.
    schema.pop("default", None)


def _model_field(spec: FieldSpec) -> tuple[Any, Any]:
    if spec.is_list:
        return spec.type, Field(default_factory=list)
    return spec.type, spec.default


def _item_field(spec: FieldSpec) -> tuple[Any, Any]:
    # A live client can leave a required field out or break it; reads then report null.
    if spec.required:
        return spec.type | None, None
    return _model_field(spec)


def _server_fields(author_field: str | None) -> tuple[FieldSpec, ...]:
    # Written by the server on REST writes (and by browsers when they create), never by a body.
    author = () if author_field is None else (author_field,)
    return (
        *(FieldSpec(name, UserRef | None, None, server=True) for name in (*author, "createdBy")),
        FieldSpec("createdAt", Timestamp, server=True),
        FieldSpec("updatedAt", Timestamp, server=True),
    )


def _kind(
    collection: str,
    segment: str,
    model: str,
    phase: Phase,
    doc: str,
    *content: FieldSpec,
    author_field: str | None = None,
) -> ArtifactKind:
    fields = (*content, *_server_fields(author_field))
    # Server-set fields among ``content`` (an idea's sessionId) are read, never written by a body.
    writable = [s for s in content if not s.server]
    # dict[str, Any]: create_model's **fields would otherwise be checked against its __dunder__s
    create_fields: dict[str, Any] = {s.name: _model_field(s) for s in writable}
    patch_fields: dict[str, Any] = {
        s.name: (s.type, Field(None, json_schema_extra=_no_default)) for s in writable
    }
    item_fields: dict[str, Any] = {"id": (ItemId, ...)} | {s.name: _item_field(s) for s in fields}
    create = create_model(
        f"{model}Create", __config__=_INPUT, __doc__=f"Body of a create: {doc}", **create_fields
    )
    update = create_model(
        f"{model}Update",
        __config__=_INPUT,
        __doc__=f"Body of a patch (only the fields given change): {doc}",
        **patch_fields,
    )
    item = create_model(model, __doc__=doc, **item_fields)
    references = tuple(
        Reference(s.name, s.target, _on_delete(s)) for s in content if s.target is not None
    )
    return ArtifactKind(
        collection=collection,
        segment=segment,
        singular=model[0].lower() + model[1:],
        phase=phase,
        fields=fields,
        author_field=author_field,
        create=create,
        update=update,
        item=item,
        list_fields=frozenset(s.name for s in fields if s.is_list),
        text_fields=frozenset(s.name for s in fields if s.text),
        references=references,
    )


def _on_delete(spec: FieldSpec) -> OnDelete:
    if spec.is_list:
        return OnDelete.REMOVE
    return OnDelete.CASCADE if spec.required else OnDelete.SET_NULL


_KINDS = (
    _kind(
        "personas", "personas", "Persona", Phase.EMPATHIZE,
        "a user archetype the team designs for.",
        FieldSpec("name", Name),
        FieldSpec("role", Label, ""),
        _prose("demographics", Sentence, ""),
        _prose("bio", LongText, ""),
        _list("goals", Entry),
        _list("pains", Entry),
        _list("gains", Entry),
        _prose("quote", Sentence, ""),
        FieldSpec("avatar", Link | None, None),
        FieldSpec("avatarFileId", FileId | None, None),
    ),
    _kind(
        "empathyMaps", "empathy-maps", "EmpathyMap", Phase.EMPATHIZE,
        "what a persona says, thinks, does and feels.",
        FieldSpec("personaId", ItemId | None, None, target="personas"),
        FieldSpec("title", Label, ""),
        _list("says", Entry),
        _list("thinks", Entry),
        _list("does", Entry),
        _list("feels", Entry),
        _list("pains", Entry),
        _list("gains", Entry),
    ),
    _kind(
        "povStatements", "pov-statements", "PovStatement", Phase.DEFINE,
        "a point of view: [user] needs [need] because [insight].",
        FieldSpec("user", Name),
        _prose("need", Statement),
        _prose("insight", Sentence, ""),
    ),
    _kind(
        "hmwQuestions", "hmw-questions", "HmwQuestion", Phase.DEFINE,
        "a how-might-we question, optionally framed by a point of view.",
        _prose("question", Statement),
        FieldSpec("povId", ItemId | None, None, target="povStatements"),
    ),
    _kind(
        "ideas", "ideas", "Idea", Phase.IDEATE,
        "a sticky note on the idea board.",
        _prose("text", _text(5_000, min_length=1)),
        FieldSpec("color", Color, PALETTE[0]),
        FieldSpec("x", Coordinate, 0.0),
        FieldSpec("y", Coordinate, 0.0),
        FieldSpec("clusterId", ItemId | None, None),
        FieldSpec("imageFileId", FileId | None, None),
        # the brainstorm session a note was written in (docs/brainstorm.md, "Results")
        FieldSpec("sessionId", ItemId | None, None, server=True),
        author_field="authorId",
    ),
    _kind(
        "prototypes", "prototypes", "Prototype", Phase.PROTOTYPE,
        "something built to test ideas.",
        FieldSpec("title", Name),
        _prose("description", LongText, ""),
        _list("linkedIdeaIds", ItemId, target="ideas"),
        _list("links", Link),
        FieldSpec("fidelity", Fidelity | None, None),
        _list("fileIds", FileId),
    ),
    _kind(
        "tests", "tests", "UserTest", Phase.TEST,
        "a user test: the script a facilitator runs with a prototype.",
        FieldSpec("title", Name),
        _prose("script", LongText, ""),
        FieldSpec("prototypeId", ItemId | None, None, target="prototypes"),
    ),
    _kind(
        "testResults", "test-results", "UserTestResult", Phase.TEST,
        "what one participant did in one user test.",
        FieldSpec("testId", ItemId, target="tests"),
        FieldSpec("participant", Label, ""),
        FieldSpec("outcome", Outcome),
        _prose("notes", LongText, ""),
        FieldSpec("rating", Rating | None, None),
    ),
)  # fmt: skip

#: Every kind by collection (the root Y.Map's name), in phase order.
KINDS: Final[Mapping[str, ArtifactKind]] = MappingProxyType({k.collection: k for k in _KINDS})
#: Every kind by its REST path segment (``/v1/projects/{id}/{segment}``).
KINDS_BY_SEGMENT: Final[Mapping[str, ArtifactKind]] = MappingProxyType(
    {k.segment: k for k in _KINDS}
)
#: The collaborative-text fields (Y.Text) of each collection that has some.
TEXT_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {k.collection: k.text_fields for k in _KINDS if k.text_fields}
)
#: Each kind named in a sentence, in the reader's language (in English, its ``singular``).
NOUNS: Final[Mapping[str, i18n.Text]] = MappingProxyType(
    {
        "personas": msg("persona"),
        "empathyMaps": msg("empathyMap"),
        "povStatements": msg("povStatement"),
        "hmwQuestions": msg("hmwQuestion"),
        "ideas": msg("idea"),
        "prototypes": msg("prototype"),
        "tests": msg("userTest"),
        "testResults": msg("userTestResult"),
    }
)


def noun(kind: ArtifactKind) -> i18n.Text:
    """``kind`` named in a message (a Text: said in the reader's language)."""
    return NOUNS[kind.collection]
