"""static/app/contract.js is what scripts/gen_contract.py makes of the Python declarations.

The browser takes the document schema, the phases, the message ids and the close codes from
that one generated module. These tests fail when it is stale, when the generator misreads a
declaration, and when a browser module goes back to a copy of its own or to deciding protocol
behaviour from a close reason (words for people, which the server may reword at any time).
"""

from __future__ import annotations

import importlib.util
import json
import re
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from collab.artifacts import KINDS, MAX_LIST_ITEMS, PALETTE, SCHEMA_VERSION, FieldSpec, Phase
from collab.brainstorm import PHASES, RoomKind, brainstorm_room, parse_room
from collab.brainstorm_doc import SNAPSHOTS
from collab.close import CloseCode
from collab.codec import decode
from collab.lib0 import write_var_string, write_var_uint
from collab.messages import EXTENSION_RANGE, AuthPermissionDenied, MessageType, SyncType
from http_api.v1.brainstorm_models import SessionStart
from tests.support.node import run_module_script

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "static" / "app"
CONTRACT = APP / "contract.js"


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_contract.py"
    spec = importlib.util.spec_from_file_location("gen_contract", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """scripts/gen_contract.py, imported from its file (scripts/ is no package)."""
    return _load_generator()


@pytest.fixture(scope="module")
def contract(gen: ModuleType) -> dict[str, Any]:
    """The values the generator writes out, by export name."""
    values: dict[str, Any] = gen.contract()
    return values


def _spec(collection: str, name: str) -> FieldSpec:
    return next(spec for spec in KINDS[collection].fields if spec.name == name)


def _accepts(spec: FieldSpec, value: object) -> bool:
    try:
        spec.item_adapter.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


class TestGeneratedFile:
    def test_contract_js_is_current(self, gen: ModuleType) -> None:
        """The committed module is exactly what the generator writes from today's Python."""
        assert CONTRACT.read_text(encoding="utf-8") == gen.render(), (
            f"static/app/contract.js is stale: run {gen.COMMAND}"
        )

    def test_header_says_it_is_generated_and_how(self, gen: ModuleType) -> None:
        """Whoever opens the file learns not to edit it, and which command rewrites it."""
        header = CONTRACT.read_text(encoding="utf-8").split("\n\n", 1)[0]
        assert header.startswith("// GENERATED FILE: do not edit by hand.")
        assert f"run `{gen.COMMAND}`" in header

    def test_rendering_is_deterministic(self, gen: ModuleType) -> None:
        """Two runs write the same bytes (no set or dict order leaks into the file)."""
        assert gen.render() == _load_generator().render()


class TestValues:
    """What the generator reads off the Python declarations, checked against them directly."""

    def test_close_codes(self, contract: dict[str, Any]) -> None:
        """Every close code, by name, with its documented number."""
        assert contract["CLOSE_CODES"] == {code.name: int(code) for code in CloseCode}
        assert contract["CLOSE_CODES"]["FORBIDDEN"] == 4403
        assert contract["CLOSE_CODES"]["RATE_LIMITED"] == 4429

    def test_message_ids(self, contract: dict[str, Any]) -> None:
        """The y-websocket message types (our extensions included) and sync sub-types."""
        types = contract["MESSAGE_TYPES"]
        assert types == {kind.name: int(kind) for kind in MessageType}
        assert {name for name, value in types.items() if value in EXTENSION_RANGE} == {
            "SAVED",
            "NOTICE",
        }
        assert contract["SYNC_TYPES"] == {kind.name: int(kind) for kind in SyncType}

    def test_auth_permission_denied_decodes_as_one(self, contract: dict[str, Any]) -> None:
        """A frame built with the exported sub-type is the server's permission denied."""
        sub_type = contract["AUTH_TYPES"]["PERMISSION_DENIED"]
        frame = write_var_uint(MessageType.AUTH) + write_var_uint(sub_type) + write_var_string("x")
        assert decode(frame) == AuthPermissionDenied("x")

    def test_phases(self, contract: dict[str, Any]) -> None:
        """Design-thinking and brainstorm phases, in their order."""
        assert contract["DESIGN_PHASES"] == [phase.value for phase in Phase]
        assert contract["BRAINSTORM_PHASES"] == [phase.value for phase in PHASES]
        assert contract["BRAINSTORM_PHASES"][0] == "silent"

    def test_brainstorm_room(self, contract: dict[str, Any]) -> None:
        """A project id plus the suffix names the project's brainstorm room; its root map too."""
        project = uuid.uuid4()
        name = f"{project}{contract['BRAINSTORM_ROOM_SUFFIX']}"
        assert name == brainstorm_room(project)
        ref = parse_room(name)
        assert ref is not None
        assert ref.kind is RoomKind.BRAINSTORM
        assert contract["BRAINSTORM_SNAPSHOTS"] == SNAPSHOTS

    def test_brainstorm_start_bounds_are_what_the_server_validates(
        self, contract: dict[str, Any]
    ) -> None:
        """At each bound the start request is valid, one past it the server refuses it."""
        bounds = contract["BRAINSTORM_START"]
        valid = {"prompt": "p", "duration_s": 300, "votes_per_person": 3}
        edges = {
            "prompt": (
                "x" * bounds["prompt"]["maxLength"],
                "x" * (bounds["prompt"]["maxLength"] + 1),
            ),
            "duration_s": (bounds["duration_s"]["maximum"], bounds["duration_s"]["maximum"] + 1),
            "votes_per_person": (
                bounds["votes_per_person"]["minimum"],
                bounds["votes_per_person"]["minimum"] - 1,
            ),
        }
        for name, (inside, outside) in edges.items():
            SessionStart.model_validate({**valid, name: inside})
            with pytest.raises(ValidationError):
                SessionStart.model_validate({**valid, name: outside})

    def test_schema_constants(self, contract: dict[str, Any]) -> None:
        """Version, collections, list fields, palette, list bound."""
        assert contract["SCHEMA_VERSION"] == SCHEMA_VERSION
        assert contract["COLLECTIONS"] == list(KINDS)
        for collection, kind in KINDS.items():
            assert set(contract["LIST_FIELDS"][collection]) == kind.list_fields
        assert contract["LIST_FIELDS"]["personas"] == ["goals", "pains", "gains"]
        assert contract["PALETTE"] == list(PALETTE)
        assert contract["MAX_LIST_ITEMS"] == MAX_LIST_ITEMS

    def test_references(self, contract: dict[str, Any]) -> None:
        """Each reference and its delete rule, as collab.schema applies them."""
        expected = {
            (kind.collection, ref.field, ref.target, ref.on_delete.value)
            for kind in KINDS.values()
            for ref in kind.references
        }
        got = {
            (ref["collection"], ref["field"], ref["target"], ref["onDelete"])
            for ref in contract["REFERENCES"]
        }
        assert got == expected
        assert ("testResults", "testId", "tests", "cascade") in got

    def test_max_lengths_are_what_the_server_validates(self, contract: dict[str, Any]) -> None:
        """A value of maxLength code points passes the server's check, one more fails.

        The astral character is two UTF-16 units in JS and one code point here: the browser
        must count code points too (schema.js codePoints).
        """
        checked = 0
        for collection, fields in contract["FIELD_LIMITS"].items():
            for name, limits in fields.items():
                if "maxLength" not in limits:
                    continue
                spec = _spec(collection, name)
                longest = limits["maxLength"]
                if name in {"avatar", "links"}:  # links: http(s) URLs
                    prefix = "https://e.example/"
                    assert _accepts(spec, prefix + "a" * (longest - len(prefix)))
                    assert not _accepts(spec, prefix + "a" * (longest + 1 - len(prefix)))
                else:
                    assert _accepts(spec, "\U0001d11e" * longest), (collection, name)
                    assert not _accepts(spec, "a" * (longest + 1)), (collection, name)
                checked += 1
        assert checked >= 20

    def test_enums_and_ranges_are_what_the_server_validates(self, contract: dict[str, Any]) -> None:
        """Every listed value is accepted and nothing else; bounds are inclusive."""
        for collection, fields in contract["FIELD_LIMITS"].items():
            for name, limits in fields.items():
                spec = _spec(collection, name)
                for value in limits.get("enum", []):
                    assert _accepts(spec, value)
                if "enum" in limits:
                    assert not _accepts(spec, "something else")
                if "minimum" in limits:
                    assert _accepts(spec, limits["minimum"])
                    assert not _accepts(spec, limits["minimum"] - 1)
                if "maximum" in limits:
                    assert _accepts(spec, limits["maximum"])
                    assert not _accepts(spec, limits["maximum"] + 1)
        assert contract["FIELD_LIMITS"]["testResults"]["rating"] == {"minimum": 1, "maximum": 5}

    def test_a_field_name_has_one_max_length(self, contract: dict[str, Any]) -> None:
        """schema.js looks limits up by field name alone (LIMITS): no two kinds may disagree."""
        seen: dict[str, int] = {}
        for fields in contract["FIELD_LIMITS"].values():
            for name, limits in fields.items():
                if "maxLength" in limits:
                    assert seen.setdefault(name, limits["maxLength"]) == limits["maxLength"], name


_DUMP = """
import * as contract from %(url)s

const deeplyFrozen = (value) => typeof value !== 'object' || value === null ||
  (Object.isFrozen(value) && Object.values(value).every(deeplyFrozen))
const frozen = Object.entries(contract).filter(([, v]) => !deeplyFrozen(v)).map(([k]) => k)
console.log(JSON.stringify({ values: contract, notFrozen: frozen }))
"""


class TestModuleInNode:
    def test_the_module_exports_the_contract_deeply_frozen(self, contract: dict[str, Any]) -> None:
        """Loaded as an ES module, contract.js holds the generator's values, all frozen."""
        script = _DUMP % {"url": json.dumps(CONTRACT.as_uri())}
        loaded = json.loads(run_module_script(script))
        assert loaded["notFrozen"] == []
        assert loaded["values"] == contract


def _modules() -> list[Path]:
    return sorted(path for path in APP.rglob("*.js") if path != CONTRACT)


def _exports() -> set[str]:
    return set(re.findall(r"^export const (\w+) =", CONTRACT.read_text(encoding="utf-8"), re.M))


_IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*'(?:\.\.?/)+contract\.js'")
# `reason` tested, matched or compared: protocol behaviour decided from words for people.
_REASON_DECIDES = re.compile(
    r"\.(?:test|match|includes|startsWith|endsWith|search)\([^)\n]*\breason\b"
    r"|\breason\b\s*(?:\)\s*)?\.(?:test|match|includes|startsWith|endsWith|search)\("
    r"|\breason\b\s*[!=]=|[!=]=\s*\breason\b|switch\s*\(\s*reason\b"
)


class TestBrowserModules:
    def test_imports_from_the_contract_exist(self) -> None:
        """Every name a module imports from contract.js is exported (a typo fails here)."""
        exported = _exports()
        importers = 0
        for path in _modules():
            for names in _IMPORT.findall(path.read_text(encoding="utf-8")):
                importers += 1
                wanted = {name.split(" as ")[0].strip() for name in names.split(",")}
                missing = {name for name in wanted if name} - exported
                assert not missing, f"{path.relative_to(ROOT)} imports {sorted(missing)}"
        assert importers >= 5

    def test_no_module_writes_a_close_code_of_its_own(self) -> None:
        """Our close codes (4000-4999) come from CLOSE_CODES, never as bare numbers."""
        ours = "|".join(str(int(code)) for code in CloseCode if code >= 4000)
        codes = re.compile(rf"\b(?:{ours})\b")
        for path in _modules():
            found = codes.findall(path.read_text(encoding="utf-8"))
            assert not found, f"{path.relative_to(ROOT)} writes close codes {found}"

    def test_no_module_registers_a_message_id_of_its_own(self) -> None:
        """Message handlers are keyed by MESSAGE_TYPES, never by a bare number."""
        for path in _modules():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"messageHandlers\[\s*\d", text), path.relative_to(ROOT)

    def test_no_module_decides_from_a_close_reason(self) -> None:
        """A close reason is shown to people; what to do is decided by the code (closes.js)."""
        for path in _modules():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                assert not _REASON_DECIDES.search(line), (
                    f"{path.relative_to(ROOT)}:{number}: {line}"
                )

    def test_the_reason_check_catches_what_it_is_for(self) -> None:
        """The pattern above flags the shapes it exists to forbid, and not showing a reason."""
        for line in [
            "} else if (code === 4403 && /reconnect/i.test(reason || '')) {",
            "if (reason.includes('reconnect')) retry()",
            "if (close.reason === 'role changed') retry()",
        ]:
            assert _REASON_DECIDES.search(line), line
        assert not _REASON_DECIDES.search("this.roomError = reason || `closed (${code})`")
