"""The docs stay complete: settings, metrics, close codes, extension messages, problem types."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from prometheus_client import REGISTRY

import persistence.metrics
import rooms.metrics
from collab.close import CloseCode
from collab.messages import EXTENSION_RANGE, MessageType
from http_api.problems import PROBLEM_TYPES
from http_api.settings import OPTIONS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_blocks_are_current() -> None:
    """The configuration table and `serve --help` in the docs match the code."""
    gen = _gen_docs()
    for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert gen.render(text) == text, f"{path.name} is stale: run python scripts/gen_docs.py"


def test_every_setting_is_documented() -> None:
    """Each flag and environment variable appears in docs/configuration.md."""
    text = _read("configuration.md")
    for option in OPTIONS:
        assert f"`{option.env}`" in text
        assert f"`{option.flag}`" in text


def test_every_metric_is_documented() -> None:
    """Each dttools_* metric registered by the code appears in docs/operations.md."""
    assert rooms.metrics.ROOMS_OPEN is not None
    assert persistence.metrics.COMPACTIONS is not None
    text = _read("operations.md")
    names = {metric.name for metric in REGISTRY.collect() if metric.name.startswith("dttools_")}
    assert names
    for name in names:
        assert f"`{name}" in text, name  # counters are documented with their _total suffix


def test_every_close_code_is_documented() -> None:
    """Each close code the server can send appears in docs/protocol.md."""
    text = _read("protocol.md")
    for code in CloseCode:
        assert re.search(rf"^\| {int(code)} \|", text, re.M), code


def test_every_extension_message_is_documented() -> None:
    """Each extension message type appears in docs/protocol.md."""
    text = _read("protocol.md")
    for kind in MessageType:
        if kind in EXTENSION_RANGE:
            assert re.search(rf"^\| {int(kind)} \| `{kind.name}` \|", text, re.M), kind


def test_every_problem_type_is_documented() -> None:
    """Each problem+json type slug appears in the REST API's error table (docs/api.md)."""
    text = _read("api.md")
    for _status, slug, _title in PROBLEM_TYPES.values():
        assert f"`{slug}`" in text, slug


def test_the_operations_page_names_every_table() -> None:
    """Operators back up, restore and answer data requests from that list: a table a
    migration creates and the list misses would be one they do not know they hold."""
    created = set()
    for migration in (ROOT / "persistence" / "migrations").glob("*.sql"):
        created |= set(re.findall(r"CREATE TABLE (\w+)", migration.read_text()))
    page = (ROOT / "docs" / "operations.md").read_text()
    assert {table for table in created if f"`{table}`" not in page} == set()
