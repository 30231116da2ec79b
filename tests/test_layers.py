"""The dependency direction collab <- persistence <- rooms <- http_api, checked on the AST."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["collab", "persistence", "rooms", "http_api"]
# collab is pure: only the stdlib and pycrdt, never asyncio or a network library.
COLLAB_FORBIDDEN = {"asyncio", "aiohttp", "asyncpg", "redis", "websockets", "structlog", "time"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_no_upward_imports(layer: str) -> None:
    """A package imports only itself and the layers below it."""
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    for path in (ROOT / layer).rglob("*.py"):
        wrong = _imports(path) & above
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)} (upwards)"


def test_collab_is_pure() -> None:
    """collab has no I/O, no clock and no event loop."""
    for path in (ROOT / "collab").rglob("*.py"):
        wrong = _imports(path) & COLLAB_FORBIDDEN
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_only_http_api_imports_aiohttp() -> None:
    """aiohttp stays at the edge."""
    for layer in LAYERS[:-1]:
        for path in (ROOT / layer).rglob("*.py"):
            assert "aiohttp" not in _imports(path), path


# --- the database belongs to persistence/ ------------------------------------------------------

#: asyncpg's query methods (on a pool, a connection or a transaction's connection); its
#: ``prepare`` and ``cursor`` share names with aiohttp's, and are caught by their SQL instead.
_QUERY_METHODS = {
    "fetch",
    "fetchrow",
    "fetchval",
    "fetchmany",
    "execute",
    "executemany",
    "copy_records_to_table",
    "copy_to_table",
    "copy_from_query",
}
# Statements as this code base writes them: keywords in capitals.
_SQL_START = re.compile(
    r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|LOCK|CREATE|ALTER|DROP|TRUNCATE|COPY|LISTEN|NOTIFY)\b"
)


def database_calls(source: str) -> list[str]:
    """Query calls (an asyncpg method given a statement) and SQL string literals in ``source``.

    A query method called with no statement (Redis's ``pipeline.execute()``) is not one.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _QUERY_METHODS
            and node.args
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SQL_START.match(node.value)
            and re.search(r"\b(FROM|INTO|SET|TABLE|VALUES)\b", node.value)
        ):
            found.append(f"line {node.lineno}: SQL {node.value.strip()[:40]!r}")
    return found


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer != "persistence"])
def test_no_database_calls_outside_persistence(layer: str) -> None:
    """Every statement lives in persistence/, next to the table it reads or writes; the layers
    above may only open transactions and hand their connection to persistence functions."""
    for path in (ROOT / layer).rglob("*.py"):
        found = database_calls(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(ROOT)}: {found}"


def test_the_database_check_sees_queries_and_sql() -> None:
    """The check above would catch a query (and not Redis's pipeline.execute())."""
    assert database_calls('async def f(db):\n    await db.fetchval("SELECT 1 FROM t")\n')
    assert database_calls('Q = "DELETE FROM room_updates WHERE room = $1"\n')
    assert database_calls("async def f(c, q):\n    await c.execute(q, 1)\n")
    assert not database_calls("async def f(pipe):\n    await pipe.execute()\n")
    assert not database_calls('MESSAGE = "select a project from the list"\n')
    assert not database_calls('"""Delete the notes from a private room."""\n')


# --- collab/ is deterministic --------------------------------------------------------------------

#: Modules whose functions read a clock, chance or the machine.
_NONDETERMINISTIC_MODULES = {"random", "secrets", "time", "uuid", "os"}
#: Calls that read a clock or chance whatever the import: datetime.now(), uuid4()...
_NONDETERMINISTIC_CALLS = {"now", "utcnow", "today", "uuid1", "uuid4", "urandom", "getrandbits"}
#: Names collab may import from those modules: types, no calls.
_ALLOWED_FROM = {("uuid", "UUID")}


def nondeterminism(source: str) -> list[str]:
    """Imports of clock, chance or machine modules, and calls that read them, in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] in _NONDETERMINISTIC_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = node.module.split(".")[0]
            if module in _NONDETERMINISTIC_MODULES:
                found += [
                    f"line {node.lineno}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if (module, alias.name) not in _ALLOWED_FROM
                ]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in _NONDETERMINISTIC_CALLS:
                found.append(f"line {node.lineno}: {name}()")
    return found


def test_collab_makes_no_random_or_timed_choices() -> None:
    """The same inputs give the same document and the same replies on every node and in every
    test: times, ids and random draws come in as arguments."""
    for path in (ROOT / "collab").rglob("*.py"):
        found = nondeterminism(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(ROOT)}: {found}"


def test_the_determinism_check_sees_clocks_and_chance() -> None:
    assert nondeterminism("import random\n")
    assert nondeterminism("from secrets import token_hex\n")
    assert nondeterminism("def f():\n    return datetime.now(UTC)\n")
    assert nondeterminism("def f():\n    return uuid4()\n")
    assert not nondeterminism("from uuid import UUID\n")
    assert not nondeterminism("def f(now):\n    return datetime.fromisoformat(now)\n")
