#!/usr/bin/env python3
"""Add messages to every catalogue at once, keeping them sorted.

The browser's catalogues (static/locales/*.json, key -> text in each language):

    scripts/i18n_add.py projects.empty --en "No projects yet." --pt-BR "Nenhum projeto ainda."
    scripts/i18n_add.py --from messages.json   # {"key": {"en": "...", "pt-BR": "..."}, ...}

The server's (http_api/locales/*.json, English template -> translation; English has none):

    scripts/i18n_add.py --server "no such file: {file_id}" --pt-BR "arquivo inexistente: {file_id}"
    scripts/i18n_add.py --server --from texts.json   # {"English template": {"pt-BR": "..."}}

Every language needs its text: a catalogue never lacks a key another has (tests/test_i18n.py
checks). A key that exists keeps its text unless --replace is given. Several people (or
scripts) may run this at once: the catalogues are rewritten under a lock.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "static" / "locales"
SERVER_LOCALES = ROOT / "http_api" / "locales"


def catalogues(folder: Path = LOCALES) -> dict[str, Path]:
    """Each language's catalogue file in ``folder``, by BCP 47 tag."""
    return {path.stem: path for path in sorted(folder.glob("*.json"))}


def add(
    entries: dict[str, dict[str, str]], *, replace: bool = False, folder: Path = LOCALES
) -> list[str]:
    """Write ``entries`` (key -> language -> text) into the catalogues; the keys changed."""
    files = catalogues(folder)
    for key, texts in entries.items():
        missing = set(files) - set(texts)
        if missing:
            raise SystemExit(f"{key}: no text for {', '.join(sorted(missing))}")
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        loaded = {tag: json.loads(path.read_text(encoding="utf-8")) for tag, path in files.items()}
        changed = []
        for key, texts in entries.items():
            for tag, catalogue in loaded.items():
                old = catalogue.get(key)
                if old is not None and old != texts[tag] and not replace:
                    raise SystemExit(f"{key} exists in {tag} as {old!r} (use --replace)")
                catalogue[key] = texts[tag]
            changed.append(key)
        for tag, path in files.items():
            text = json.dumps(dict(sorted(loaded[tag].items())), ensure_ascii=False, indent=2)
            path.write_text(text + "\n", encoding="utf-8")
    return changed


def main() -> None:
    server = "--server" in sys.argv[1:]
    folder = SERVER_LOCALES if server else LOCALES
    tags = list(catalogues(folder))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "key", nargs="?", help="a browser key, or with --server an English template"
    )
    parser.add_argument("--server", action="store_true", help="the server's catalogues")
    parser.add_argument("--from", dest="source", type=Path, help="a JSON file of messages")
    parser.add_argument("--replace", action="store_true", help="change existing texts")
    for tag in tags:
        parser.add_argument(f"--{tag}", dest=tag.replace("-", "_"))
    args = parser.parse_args()
    if args.source:
        entries = json.loads(args.source.read_text(encoding="utf-8"))
    elif args.key:
        entries = {args.key: {tag: getattr(args, tag.replace("-", "_")) for tag in tags}}
        entries = {
            k: {t: v for t, v in texts.items() if v is not None} for k, texts in entries.items()
        }
    else:
        parser.error("give a key and its texts, or --from FILE")
    for key in add(entries, replace=args.replace, folder=folder):
        print(key, file=sys.stderr)


if __name__ == "__main__":
    main()
