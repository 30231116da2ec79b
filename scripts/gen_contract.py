"""Generate static/app/contract.js: the constants the browser must agree on with the server.

The browser app has no build step, so it cannot import the Python declarations. Instead of a
hand-kept copy that drifts, the values are written out from :mod:`collab` into one committed ES
module: the document schema (roots, list fields, field limits, palette, references), the design
and brainstorm phases, the y-websocket message ids (ours included) and the close codes.

Run `.venv/bin/python scripts/gen_contract.py` after changing any of them; tests/test_contract.py
fails while the file is stale. The output is deterministic: the order of the Python declarations
where it means something (phases, palette, kinds, fields), numbers ascending for the ids and codes.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collab.artifacts import (  # noqa: E402
    KINDS,
    MAX_LIST_ITEMS,
    PALETTE,
    SCHEMA_VERSION,
    FieldSpec,
    Phase,
)
from collab.brainstorm import PHASES, TimeUp, brainstorm_room  # noqa: E402
from collab.brainstorm_doc import SNAPSHOTS  # noqa: E402
from collab.close import CloseCode  # noqa: E402
from collab.codec import encode  # noqa: E402
from collab.messages import AuthPermissionDenied, MessageType, NoticeCode, SyncType  # noqa: E402
from http_api.v1.brainstorm_models import SessionStart  # noqa: E402

#: Where the module goes, and the command that writes it (named in its header and in test failures).
TARGET: Final = ROOT / "static" / "app" / "contract.js"
COMMAND: Final = ".venv/bin/python scripts/gen_contract.py"

#: The JSON Schema keywords of a field that the browser enforces or offers (a pattern is not
#: among them: Python and JS regexes differ, so the browser checks links and colours itself).
_LIMIT_KEYS: Final = ("minLength", "maxLength", "minimum", "maximum", "enum")
#: The printWidth of .prettierrc.json: the module is laid out as Prettier would lay it out.
_WIDTH: Final = 100
_IDENTIFIER: Final = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

_HEADER: Final = f"""\
// GENERATED FILE: do not edit by hand. scripts/gen_contract.py writes it from collab/artifacts.py,
// collab/brainstorm.py, collab/brainstorm_doc.py, collab/messages.py, collab/codec.py and
// collab/close.py. After a change there, run `{COMMAND}`
// (tests/test_contract.py fails while this file is stale). Every value is frozen.
"""


# --- the values ----------------------------------------------------------------------------------


def _number(value: Any) -> Any:
    """Pydantic writes JSON Schema bounds as floats (1e6 as 1000000.0); JS says 1000000."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field_limits(spec: FieldSpec) -> dict[str, Any]:
    """The limits of one field (of each entry, for a list field), from its JSON Schema.

    An optional field's schema is ``anyOf`` its type and null; the limits are the type's.
    """
    schema = spec.item_adapter.json_schema()
    branches = schema.get("anyOf", [schema])
    limits: dict[str, Any] = {}
    for branch in branches:
        for key in _LIMIT_KEYS:
            if key in branch:
                limits[key] = _number(branch[key])
    return limits


def field_limits() -> dict[str, dict[str, dict[str, Any]]]:
    """Per collection, per field a client may set: the bounds it must respect (if any)."""
    return {
        kind.collection: {
            spec.name: limits for spec in kind.content_fields if (limits := _field_limits(spec))
        }
        for kind in KINDS.values()
    }


def list_fields() -> dict[str, list[str]]:
    """Per collection, its Y.Array fields in declaration order (``list_fields`` is a set)."""
    return {
        kind.collection: [spec.name for spec in kind.fields if spec.name in kind.list_fields]
        for kind in KINDS.values()
    }


def text_fields() -> dict[str, list[str]]:
    """Per collection, its Y.Text fields in declaration order (every collection listed)."""
    return {
        kind.collection: [spec.name for spec in kind.fields if spec.text] for kind in KINDS.values()
    }


def references() -> list[dict[str, str]]:
    """Every field that points at another collection, and what a delete of the target does."""
    return [
        {
            "collection": kind.collection,
            "field": ref.field,
            "target": ref.target,
            "onDelete": ref.on_delete.value,
        }
        for kind in KINDS.values()
        for ref in kind.references
    ]


def brainstorm_room_suffix() -> str:
    """What :func:`brainstorm_room` appends to a project id (derived, so it cannot drift)."""
    project = uuid.UUID(int=0)
    room = brainstorm_room(project)
    prefix = str(project)
    if not room.startswith(prefix):
        raise ValueError(f"brainstorm_room() no longer starts with the project id: {room!r}")
    return room[len(prefix) :]


def auth_types() -> dict[str, int]:
    """The y-protocols auth sub-types the server sends, read off a frame it encodes.

    collab/codec.py keeps the number private; encoding a message is how it is used, so that is
    where the contract takes it from.
    """
    frame = encode(AuthPermissionDenied(""))
    if frame[0] != MessageType.AUTH:
        raise ValueError(f"a permission-denied frame no longer starts with AUTH: {frame!r}")
    return {"PERMISSION_DENIED": frame[1]}


def _by_number(members: Iterable[MessageType | SyncType | CloseCode]) -> dict[str, int]:
    return {member.name: int(member) for member in sorted(members, key=int)}


def brainstorm_start() -> dict[str, dict[str, Any]]:
    """The bounds of the fields that start a brainstorm session, as the REST API checks them."""
    properties = SessionStart.model_json_schema()["properties"]
    return {
        name: {
            key: _number(properties[name][key]) for key in _LIMIT_KEYS if key in properties[name]
        }
        for name in ("prompt", "duration_s", "votes_per_person")
    }


#: (export name, what it is, its value), in the order the module declares them.
Export = tuple[str, str, Callable[[], Any]]

EXPORTS: Final[tuple[Export, ...]] = (
    (
        "SCHEMA_VERSION",
        "The workshop document's schema version (`meta.schemaVersion`).",
        lambda: SCHEMA_VERSION,
    ),
    (
        "COLLECTIONS",
        "The root Y.Maps of the artifact kinds, in phase order.",
        lambda: list(KINDS),
    ),
    (
        "LIST_FIELDS",
        "Per collection, the fields stored as a Y.Array of strings (so concurrent appends merge).",
        list_fields,
    ),
    (
        "TEXT_FIELDS",
        "Per collection, the free-text fields stored as a Y.Text (schema 2: concurrent typing\n"
        "merges); REST reads and writes them as strings.",
        text_fields,
    ),
    (
        "MAX_LIST_ITEMS",
        "The most entries any list field may hold.",
        lambda: MAX_LIST_ITEMS,
    ),
    (
        "FIELD_LIMITS",
        "Per collection and field, its JSON Schema bounds (of each entry, for a list field);\n"
        "lengths count code points.",
        field_limits,
    ),
    (
        "PALETTE",
        "The named sticky-note colours (any `#rrggbb` is accepted too); the first is the default.",
        lambda: list(PALETTE),
    ),
    (
        "REFERENCES",
        "Fields that hold ids of another collection; `onDelete` says what deleting the target\n"
        "does to the referrer: `setNull`, `remove` (from the list) or `cascade` (delete it too).",
        references,
    ),
    (
        "DESIGN_PHASES",
        "The five design-thinking phases, in order.",
        lambda: [phase.value for phase in Phase],
    ),
    (
        "BRAINSTORM_PHASES",
        "The phases of a brainstorm session, in the order a facilitator moves through them.",
        lambda: [phase.value for phase in PHASES],
    ),
    (
        "BRAINSTORM_TIME_UP",
        "What may happen when a session's timer reaches zero (`on_time_up`); the first is the\n"
        "default.",
        lambda: [rule.value for rule in TimeUp],
    ),
    (
        "BRAINSTORM_ROOM_SUFFIX",
        "Appended to a project id, names the server-owned room of its brainstorm session.",
        brainstorm_room_suffix,
    ),
    (
        "BRAINSTORM_SNAPSHOTS",
        "The root Y.Map of that room: snapshot number (decimal string) -> session state.",
        lambda: SNAPSHOTS,
    ),
    (
        "BRAINSTORM_START",
        "The bounds of the fields that start a session (POST .../brainstorm), as the server\n"
        "checks them; `duration_s` is in seconds.",
        brainstorm_start,
    ),
    (
        "MESSAGE_TYPES",
        "The first varuint of every y-websocket frame; 100 and up are our extensions (`?ext=1`).",
        lambda: _by_number(MessageType),
    ),
    (
        "SYNC_TYPES",
        "The y-protocols sync sub-types (second varuint of a SYNC frame).",
        lambda: _by_number(SyncType),
    ),
    (
        "AUTH_TYPES",
        "The y-protocols auth sub-types (second varuint of an AUTH frame; then the reason).",
        auth_types,
    ),
    (
        "NOTICE_CODES",
        "The codes of the server's NOTICE messages (`?ext=1`): what a client decides on.",
        lambda: {code.name: code.value for code in NoticeCode},
    ),
    (
        "CLOSE_CODES",
        "The WebSocket close codes the server sends (docs/protocol.md, Close codes).",
        lambda: _by_number(CloseCode),
    ),
)


def contract() -> dict[str, Any]:
    """Every export's value, as plain JSON-ready data (what the tests compare)."""
    return {name: value() for name, _, value in EXPORTS}


# --- writing JavaScript --------------------------------------------------------------------------


def _key(name: str) -> str:
    return name if _IDENTIFIER.fullmatch(name) else _literal(name)


def _literal(value: str | float | bool | None) -> str:
    if isinstance(value, str):
        # Single quotes, as the rest of static/app writes strings.
        inner = json.dumps(value, ensure_ascii=False)[1:-1].replace('\\"', '"')
        return "'" + inner.replace("'", "\\'") + "'"
    return json.dumps(value)


def _property(key: str, item: Any, indent: int, trail: int) -> str:
    """``key: item`` on a line indented ``indent``, followed by ``trail`` characters.

    A string too long for the line goes on the next one, further indented, unless the key is
    shorter than Prettier's minimum for that (its tab width, 2, plus 3).
    """
    name = _key(key)
    column = indent + len(name) + 2
    text = _js(item, indent, column, trail)
    if isinstance(item, str) and len(name) >= 5 and column + len(text) + trail > _WIDTH:
        return f"{name}:\n{' ' * (indent + 2)}{text}"
    return f"{name}: {text}"


def _entries(value: Mapping[str, Any] | list[Any] | tuple[Any, ...], indent: int) -> list[str]:
    """The entries of ``value``, each on a line of its own indented ``indent``.

    Every entry but the last is followed by its comma, which counts towards the width.
    """
    last = len(value) - 1
    if isinstance(value, Mapping):
        return [
            _property(key, item, indent, int(i < last))
            for i, (key, item) in enumerate(value.items())
        ]
    return [_js(item, indent, indent, int(i < last)) for i, item in enumerate(value)]


def _js(value: Any, indent: int, column: int, trail: int = 0) -> str:
    """``value`` as a frozen JS expression starting at ``column`` of a line indented ``indent``.

    On one line when that fits in the width with the ``trail`` characters that follow it on the
    line (a comma), else one entry a line: the layout Prettier gives it with the repository's
    .prettierrc.json (no semicolons, single quotes, no trailing commas, 100 columns), so the
    generated module passes `prettier --check` unchanged.
    """
    if isinstance(value, Mapping):
        opener, closer = "Object.freeze({", "})"
    elif isinstance(value, list | tuple):
        opener, closer = "Object.freeze([", "])"
    else:
        return _literal(value)
    if not value:
        return opener + closer
    space = " " if isinstance(value, Mapping) else ""
    flat = opener + space + ", ".join(_entries(value, indent + 2)) + space + closer
    if "\n" not in flat and column + len(flat) + trail <= _WIDTH:
        return flat
    pad = " " * (indent + 2)
    if _numbers(value):
        return f"{opener}\n{_fill(value, pad)}\n{' ' * indent}{closer}"
    lines = ",\n".join(pad + entry for entry in _entries(value, indent + 2))
    return f"{opener}\n{lines}\n{' ' * indent}{closer}"


def _numbers(value: Mapping[str, Any] | list[Any] | tuple[Any, ...]) -> bool:
    """Is ``value`` a list of two or more numbers (which Prettier fills, many to a line)?"""
    return (
        not isinstance(value, Mapping)
        and len(value) > 1
        and all(isinstance(item, int | float) and not isinstance(item, bool) for item in value)
    )


def _fill(value: list[Any] | tuple[Any, ...], pad: str) -> str:
    """Numbers as many to a line as fit, each but the last followed by its comma."""
    lines: list[str] = []
    line = ""
    for i, item in enumerate(value):
        piece = _literal(item) + ("," if i < len(value) - 1 else "")
        if line and len(pad) + len(line) + 1 + len(piece) <= _WIDTH:
            line += " " + piece
        else:
            if line:
                lines.append(pad + line)
            line = piece
    lines.append(pad + line)
    return "\n".join(lines)


def _comment(text: str) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return f"/** {text} */"
    return "/**\n" + "".join(f" * {line}\n" for line in lines) + " */"


def render() -> str:
    """The whole module, as it must be on disk."""
    blocks = []
    for name, doc, value in EXPORTS:
        lead = f"export const {name} = "
        blocks.append(f"{_comment(doc)}\n{lead}{_js(value(), 0, len(lead))}\n")
    return _HEADER + "\n" + "\n".join(blocks)


def main() -> None:
    """Rewrite static/app/contract.js if it changed."""
    text = render()
    if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
        TARGET.write_text(text, encoding="utf-8")
        print(f"updated {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
