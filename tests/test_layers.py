"""The dependency direction collab <- persistence <- rooms <- http_api, checked on the AST."""

from __future__ import annotations

import ast
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
