"""Browser benchmark: how long the idea board takes to show a 500-note board.

Starts `dttools serve` on a fresh database (127.0.0.1, free port), creates a user (in the
database: sign-up needs an e-mailed link) and signs it in, seeds one
project with N notes through a real Yjs client, then opens the board in Debian's chromium
(Playwright) with a fresh profile each run (nothing cached: every module is fetched and
compiled) and measures, in the page, `performance.now()` when the last note is in the DOM,
i.e. the time from navigation start to a complete board. Bounded: --runs (default 10) runs of
at most 30 s each.

    .venv/bin/python load_tests/board_load.py [--notes 500] [--runs 10] [--update-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright
from pycrdt import Map

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_tests.bench_accounts import OWNER_PASSWORD, project_owner  # noqa: E402
from load_tests.run_bench import (  # noqa: E402  (after the path set-up)
    RESULTS,
    Launcher,
    bench_database,
    machine,
    update_section,
)
from tests.support.yclient import YClient  # noqa: E402

_RUN_TIMEOUT_MS = 30_000


def _seed(notes: int, author: str) -> Any:
    stamp = "2026-01-01T00:00:00.000Z"

    def seed(doc: Any) -> None:
        ideas = doc.get("ideas", type=Map)
        for i in range(notes):
            idea_id = str(uuid.uuid4())
            ideas[idea_id] = Map({
                "id": idea_id, "text": f"Idea number {i}: a sentence of ordinary length",
                "color": ["yellow", "blue", "green", "pink"][i % 4],
                "x": float((i % 25) * 190), "y": float((i // 25) * 150), "clusterId": None,
                "authorId": author, "createdBy": author, "createdAt": stamp, "updatedAt": stamp,
            })  # fmt: skip

    return seed


async def _prepare(dsn: str, http_base: str, ws_base: str, notes: int) -> tuple[str, str]:
    """A user and a project holding ``notes`` ideas; returns (e-mail, project id)."""
    owner = await project_owner(dsn, http_base, "Big board")
    async with await YClient.connect(ws_base, owner.project_id, token=owner.access_token) as seeder:
        await seeder.wait_synced()
        await seeder.edit(_seed(notes, owner.user_id))
        await seeder.wait_durable()
    return owner.email, owner.project_id


async def _measure(
    http_base: str, email: str, project: str, notes: int, runs: int, chromium: str
) -> list[float]:
    timings: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium)
        try:
            for _ in range(runs):
                context = await browser.new_context(viewport={"width": 1280, "height": 800})
                try:
                    login = {"email": email, "password": OWNER_PASSWORD, "client": "browser"}
                    response = await context.request.post(f"{http_base}/v1/auth/login", data=login)
                    assert response.ok, await response.text()
                    page = await context.new_page()
                    await page.goto(f"{http_base}/#/projects/{project}/ideate")
                    done = await page.wait_for_function(
                        f"() => document.querySelectorAll('.sticky').length >= {notes} "
                        "&& performance.now()",
                        polling="raf",
                        timeout=_RUN_TIMEOUT_MS,
                    )
                    timings.append(float(await done.json_value()))
                finally:
                    await context.close()
        finally:
            await browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DTTOOLS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--chromium", default=os.environ.get("DTTOOLS_CHROMIUM", "/usr/bin/chromium")
    )
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args()
    with bench_database(args.database_url) as dsn:
        server = Launcher(dsn).ours()
        try:
            http_base = f"http://127.0.0.1:{server.port}"
            email, project = asyncio.run(_prepare(dsn, http_base, server.base, args.notes))
            timings = asyncio.run(
                _measure(http_base, email, project, args.notes, args.runs, args.chromium)
            )
        finally:
            server.stop()
    ordered = sorted(timings)
    summary = {
        "median_ms": statistics.median(ordered),
        "p90_ms": ordered[max(0, round(0.9 * len(ordered)) - 1)],
        "max_ms": ordered[-1],
        "min_ms": ordered[0],
    }
    now = datetime.now(UTC)
    command = "python load_tests/board_load.py " + " ".join(sys.argv[1:])
    record = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "command": command.strip(),
        "machine": machine(),
        "notes": args.notes,
        "runs_ms": timings,
        **summary,
    }
    out = RESULTS / f"{now.strftime('%Y-%m-%dT%H%M%SZ')}.board.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    table = (
        "| board | runs | median (ms) | p90 (ms) | max (ms) | target |\n"
        "|---|---|---|---|---|---|\n"
        f"| {args.notes} notes, fresh profile | {len(timings)} | {summary['median_ms']:.0f} | "
        f"{summary['p90_ms']:.0f} | {summary['max_ms']:.0f} | < 1,000 ms |\n"
    )
    print(table)
    print(f"raw data: {out}")
    if args.update_docs:
        m = record["machine"]
        update_section(
            "results-browser",
            f"Measured {record['date']} with `{record['command']}` on {m['cpus']} cores "
            f"({m['cpu_model']}), Debian chromium (headless), server, PostgreSQL and browser on "
            f"the same machine. Raw data: `load_tests/results/{out.name}`.\n\n{table}",
        )


if __name__ == "__main__":
    main()
