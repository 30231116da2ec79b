"""Exports: time and memory per format for a big project, and live rooms while exporting.

Starts `dttools serve` on a fresh database (127.0.0.1, free port, local file storage in a
temporary folder), creates a user and a project through the REST API and fills it: 20
personas (10 with a photo), 300 ideas (a few long ones), and a few of every other kind.

* **formats**: each of pdf, pptx, csv, json and archive is exported ``--repeat`` times (the
  first PDF/PPTX also starts the worker process): wall time from the request to ``done``
  (polled every 50 ms), the file's size, and peak memory of the server process and of the
  render worker (VmHWM, reset before each export).
* **live rooms while exporting**: the fan-out scenario of run_bench.py (100 rooms x 10
  clients x 1 update/s, y-websocket clients from load_tests/loadgen.mjs) once alone and once
  while PDFs of the project are exported back to back; its latency p99 both ways.

Bounded: every request with a 120 s timeout, each fan-out run ``--duration`` seconds.

    .venv/bin/python load_tests/export_bench.py [--repeat 3] [--duration 20] [--update-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_tests.bench_accounts import project_owner  # noqa: E402
from load_tests.run_bench import (  # noqa: E402  (after the path set-up)
    Server,
    loadgen,
    reset_peak_rss,
    side_bench,
    status_mb,
)

_TIMEOUT = aiohttp.ClientTimeout(total=120)
FORMATS = ("pdf", "pptx", "csv", "json", "archive")


def _photo(seed: int) -> bytes:
    """A 600 x 600 JPEG of coloured noise (compresses like a photo)."""
    image = Image.effect_noise((600, 600), 60 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def _fill(
    http: aiohttp.ClientSession, base: str, headers: dict[str, str], project: str
) -> None:
    """20 personas (10 with a photo), 300 ideas, and some of every other kind."""
    api = f"{base}/v1/projects/{project}"

    async def post(segment: str, body: dict[str, Any]) -> str:
        async with http.post(f"{api}/{segment}", json=body, headers=headers) as r:
            answer = await r.json()
            if r.status != 201:
                raise RuntimeError(f"{segment}: {r.status} {answer}")
            return str(answer["id"])

    personas = []
    for n in range(20):
        personas.append(await post("personas", {
            "name": f"Persona nº {n} — Conceição", "role": "Coordenadora pedagógica",
            "bio": "Ação, coração e atenção à comunicação com as famílias. " * 20,
            "goals": [f"Objetivo {i}" for i in range(6)], "pains": ["Falta de tempo"],
        }))  # fmt: skip
    for n, persona in enumerate(personas[:10]):
        form = aiohttp.FormData()
        form.add_field("file", _photo(n), filename=f"p{n}.jpg", content_type="image/jpeg")
        async with http.post(f"{base}/v1/personas/{persona}/avatar", data=form,
                             headers=headers) as r:  # fmt: skip
            if r.status != 201:
                raise RuntimeError(f"avatar: {r.status} {await r.text()}")
    for n in range(4):
        await post("empathy-maps", {"personaId": personas[n], "says": ["Não sei"] * 5,
                                    "feels": ["Ansiedade"] * 5})  # fmt: skip
        pov = await post("pov-statements", {"user": "Mães", "need": f"acompanhar a escola {n}"})
        await post("hmw-questions", {"question": f"Como poderíamos avisar? {n}", "povId": pov})
    ideas = []
    for n in range(300):
        text = f"Ideia nº {n}: aplicativo de comunicação" + (" longa" * 400 if n % 50 == 7 else "")
        ideas.append(await post("ideas", {"text": text[:5000]}))
    prototype = await post("prototypes", {"title": "Painel", "linkedIdeaIds": ideas[:5]})
    test = await post("tests", {"title": "Teste", "prototypeId": prototype})
    for n in range(10):
        await post("test-results", {"testId": test, "outcome": "success", "rating": 1 + n % 5})


def _worker_pids(pid: int) -> list[int]:
    """The server's child processes (the render workers)."""
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


async def _export(
    http: aiohttp.ClientSession, base: str, headers: dict[str, str], project: str, fmt: str
) -> dict[str, Any]:
    started = time.perf_counter()
    async with http.post(f"{base}/v1/projects/{project}/export", json={"format": fmt},
                         headers=headers) as r:  # fmt: skip
        job = await r.json()
        location = r.headers.get("Location")
        if r.status not in (201, 202):
            raise RuntimeError(f"export {fmt}: {r.status} {job}")
    while job["status"] not in ("done", "failed"):
        await asyncio.sleep(0.05)  # a client polls: the API offers nothing to wait on
        async with http.get(f"{base}{location}", headers=headers) as r:
            job = await r.json()
    if job["status"] != "done":
        raise RuntimeError(f"export {fmt} failed: {job}")
    return {"wall_s": time.perf_counter() - started, "size": job["size"]}


async def _formats(
    base: str, pid: int, headers: dict[str, str], project: str, repeat: int
) -> list[dict[str, Any]]:
    rows = []
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        for fmt in FORMATS:
            walls, server_peaks, worker_peaks, size = [], [], [], 0
            for _ in range(repeat):
                before = status_mb(pid)
                reset_peak_rss(pid)
                for worker in _worker_pids(pid):
                    reset_peak_rss(worker)
                done = await _export(http, base, headers, project, fmt)
                walls.append(done["wall_s"])
                size = done["size"]
                server_peaks.append(status_mb(pid, "VmHWM") - before)
                workers = [status_mb(w, "VmHWM") for w in _worker_pids(pid)]
                worker_peaks.append(max(workers, default=0.0))
            row = {
                "format": fmt,
                "runs": repeat,
                "first_s": round(walls[0], 2),
                "median_s": round(statistics.median(walls), 2),
                "size_kib": round(size / 1024),
                "server_peak_growth_mib": round(max(server_peaks), 1),
                "worker_peak_rss_mib": round(max(worker_peaks), 1),
            }
            print(json.dumps(row))
            rows.append(row)
    return rows


async def _export_loop(
    base: str, headers: dict[str, str], project: str, stop: asyncio.Event
) -> int:
    count = 0
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        while not stop.is_set():
            await _export(http, base, headers, project, "pdf")
            count += 1
    return count


def _fanout(server: Server, duration: int) -> dict[str, Any]:
    return loadgen(
        server, "fanout", "--rooms", "100", "--clients", "10", "--rate", "1",
        "--writers", "0", "--duration", str(duration), "--warmup", "3",
        "--prefix", f"exp-{time.time_ns() % 10**6}",
    )  # fmt: skip


async def _alongside(
    server: Server, headers: dict[str, str], project: str, duration: int
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{server.port}"
    alone = await asyncio.to_thread(_fanout, server, duration)
    stop = asyncio.Event()
    exporting = asyncio.create_task(_export_loop(base, headers, project, stop))
    busy = await asyncio.to_thread(_fanout, server, duration)
    stop.set()
    exports = await exporting
    return {
        "alone_p99_ms": round(alone["latency_ms"]["p99"], 2),
        "alone_p50_ms": round(alone["latency_ms"]["p50"], 2),
        "exporting_p99_ms": round(busy["latency_ms"]["p99"], 2),
        "exporting_p50_ms": round(busy["latency_ms"]["p50"], 2),
        "pdf_exports_during": exports,
        "server_cpu_pct_exporting": round(busy["server_cpu_pct"], 1),
    }


async def _run(server: Server, dsn: str, args: argparse.Namespace) -> dict[str, Any]:
    base = f"http://127.0.0.1:{server.port}"
    owner = await project_owner(dsn, base, "Exports")
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        started = time.perf_counter()
        await _fill(http, base, owner.headers, owner.project_id)
        print(json.dumps({"filled_s": round(time.perf_counter() - started, 1)}))
    formats = await _formats(base, server.pid, owner.headers, owner.project_id, args.repeat)
    live = await _alongside(server, owner.headers, owner.project_id, args.duration)
    print(json.dumps(live))
    return {"formats": formats, "live": live}


def _table(record: dict[str, Any]) -> str:
    lines = [
        "| format | first export (s) | median of the rest (s) | file (KiB) | server peak growth "
        "(MiB) | render worker peak RSS (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for r in record["formats"]:
        worker = f"{r['worker_peak_rss_mib']:.0f}" if r["worker_peak_rss_mib"] else "-"
        lines.append(
            f"| {r['format']} | {r['first_s']:.2f} | {r['median_s']:.2f} | {r['size_kib']} | "
            f"{r['server_peak_growth_mib']:.1f} | {worker} |"
        )
    live = record["live"]
    lines += [
        "",
        "| fan-out 100 rooms x 10 clients x 1 update/s | p50 (ms) | p99 (ms) |",
        "|---|---|---|",
        f"| alone | {live['alone_p50_ms']:.2f} | {live['alone_p99_ms']:.2f} |",
        f"| while {live['pdf_exports_during']} PDFs were exported back to back | "
        f"{live['exporting_p50_ms']:.2f} | {live['exporting_p99_ms']:.2f} |",
    ]
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20)


def main() -> None:
    side_bench(
        __doc__.split("\n\n")[0], _arguments, _run, kind="exports", script="export_bench.py",
        table=_table,
        setting="one node, local file storage, server, PostgreSQL and clients on the same "
        "machine (render workers at SCHED_IDLE)",
    )  # fmt: skip


if __name__ == "__main__":
    main()
