"""Regenerate the generated blocks of the docs (configuration table, `dttools serve --help`).

Run `python scripts/gen_docs.py` after changing an option; tests/test_docs.py fails while a
generated block is stale.
"""

from __future__ import annotations

import io
import os
import re
import sys
from contextlib import redirect_stdout, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from http_api.cli import build_parser  # noqa: E402
from http_api.settings import OPTIONS  # noqa: E402

_BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(.*?)(<!-- /generated -->)", re.S)


def config_table() -> str:
    """The settings as a markdown table."""
    lines = ["| flag | environment variable | default | meaning |", "|---|---|---|---|"]
    for option in OPTIONS:
        default = "(unset)" if option.default is None else f"`{option.default}`"
        lines.append(f"| `{option.flag}` | `{option.env}` | {default} | {option.help} |")
    return "\n".join(lines) + "\n"


def serve_help() -> str:
    """`dttools serve --help`, as a fenced block, at a fixed width."""
    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    out = io.StringIO()
    with redirect_stdout(out), suppress(SystemExit):
        parser.parse_args(["serve", "--help"])
    return "```text\n" + out.getvalue() + "```\n"


GENERATORS = {"config-table": config_table, "serve-help": serve_help}


def render(text: str) -> str:
    """Return ``text`` with every generated block brought up to date."""
    return _BLOCK.sub(lambda m: m[1] + GENERATORS[m["name"]]() + m[4], text)


def main() -> None:
    """Rewrite the docs in place."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
