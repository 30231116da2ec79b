"""Uploads: throughput and server memory while many clients upload at once; thumbnail serving.

Starts `dttools serve` on a fresh database (127.0.0.1, free port, local file storage in a
temporary folder), creates a user (in the database: sign-up needs an e-mailed link), signs it
in and creates a project, then:

* **uploads**: ``--clients`` (default 20) clients each POST one file of ``--mib`` MiB (default
  10) to ``/v1/projects/{id}/files`` at the same moment, once with PDFs (streamed and stored
  as sent: the I/O path) and once with JPEG photos (decoded, re-encoded and thumbnailed: the
  CPU path). Reported: wall time, throughput, and the server's peak RSS over its RSS before
  (VmHWM reset before each round). The same rounds with 1 MiB files show whether memory grows
  with file size (it must not: bodies are streamed to disk and uploads are checked a few at a
  time, ``DTTOOLS_FILES_MAX_CONCURRENT``).
* **thumbnails**: ``--gets`` (default 300) sequential GETs of one image's thumbnail, then the
  same number from 10 concurrent clients: p50/p99 latency.

Bounded: one round of each kind per file size, every request with a 120 s timeout.

    .venv/bin/python load_tests/upload_bench.py [--clients 20] [--mib 10] [--update-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
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
    reset_peak_rss,
    side_bench,
    status_mb,
)

_TIMEOUT = aiohttp.ClientTimeout(total=120)


def _pdf(size: int, seed: int) -> bytes:
    """A file that sniffs as PDF (the header at offset 0) of exactly ``size`` bytes."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + random.Random(seed).randbytes(size - len(head))


def _jpeg(size: int, seed: int) -> bytes:
    """The largest JPEG photo under ``size`` bytes of a series of squares: noise compresses
    badly, like a real photo."""
    rng = random.Random(seed)
    best = b""
    side = 512
    while side <= 6000:
        noise = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=92)
        if out.tell() > size:
            break
        best = out.getvalue()
        side = int(side * 1.1)
    return best


async def _upload(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], name: str, data: bytes
) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    async with http.post(url, data=form, headers=headers) as response:
        body = await response.json()
        if response.status != 201:
            raise RuntimeError(f"upload {name}: {response.status} {body}")
        return dict(body)


async def _round(
    http_base: str, pid: int, headers: dict[str, str], project: str, files: list[bytes], kind: str
) -> dict[str, Any]:
    """Every file uploaded at once by its own client; wall time and peak memory."""
    url = f"{http_base}/v1/projects/{project}/files"
    before = status_mb(pid)
    peak_reset = reset_peak_rss(pid)
    extension = ".pdf" if kind == "pdf" else ".jpg"
    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        started = time.perf_counter()
        stored = await asyncio.gather(*(
            _upload(http, url, headers, f"file-{i}{extension}", data)
            for i, data in enumerate(files)
        ))  # fmt: skip
        wall = time.perf_counter() - started
    peak = status_mb(pid, "VmHWM")
    sent = sum(len(f) for f in files)
    return {
        "kind": kind,
        "clients": len(files),
        "file_mib": round(sum(len(f) for f in files) / len(files) / 2**20, 2),
        "wall_s": round(wall, 3),
        "throughput_mib_s": round(sent / 2**20 / wall, 1),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak, 1) if peak_reset else None,
        "rss_growth_mib": round(peak - before, 1) if peak_reset else None,
        "ids": [f["id"] for f in stored],
        "thumbnails": sum(1 for f in stored if f.get("has_thumbnail")),
    }


async def _thumbnails(
    http_base: str, headers: dict[str, str], file_id: str, gets: int
) -> dict[str, Any]:
    url = f"{http_base}/v1/files/{file_id}/thumbnail"

    async def fetch(http: aiohttp.ClientSession) -> float:
        started = time.perf_counter()
        async with http.get(url, headers=headers, allow_redirects=False) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"thumbnail: {response.status}")
        return (time.perf_counter() - started) * 1000

    def summary(times: list[float]) -> dict[str, float]:
        ordered = sorted(times)
        return {
            "p50_ms": round(statistics.median(ordered), 2),
            "p99_ms": round(ordered[max(0, round(0.99 * len(ordered)) - 1)], 2),
        }

    async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
        await fetch(http)  # warm: the connection and the first read
        sequential = [await fetch(http) for _ in range(gets)]
        concurrent: list[float] = []
        for _ in range(max(1, gets // 10)):
            concurrent += await asyncio.gather(*(fetch(http) for _ in range(10)))
    return {"sequential": summary(sequential), "concurrent_10": summary(concurrent)}


async def _run(http_base: str, pid: int, dsn: str, args: argparse.Namespace) -> dict[str, Any]:
    owner = await project_owner(dsn, http_base, "Uploads")
    headers, project = owner.headers, owner.project_id
    rounds = []
    for mib in sorted({1, args.mib}):
        size = mib * 2**20 - 4096  # under the limit with the multipart framing
        for kind in ("pdf", "jpeg"):
            make = _pdf if kind == "pdf" else _jpeg
            files = [make(size, seed=i + 1000 * mib) for i in range(args.clients)]
            result = await _round(http_base, pid, headers, project, files, kind)
            print(json.dumps({k: v for k, v in result.items() if k != "ids"}))
            rounds.append(result)
    image = next(r for r in rounds if r["kind"] == "jpeg")["ids"][0]
    thumbnails = await _thumbnails(http_base, headers, image, args.gets)
    print(json.dumps({"thumbnails": thumbnails}))
    return {"rounds": rounds, "thumbnails": thumbnails}


def _table(record: dict[str, Any]) -> str:
    lines = [
        "| files | clients at once | file size (MiB) | wall (s) | throughput (MiB/s) | "
        "server RSS before (MiB) | peak growth (MiB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in record["rounds"]:
        kind = "PDF (stored as sent)" if r["kind"] == "pdf" else "JPEG (re-encoded, thumbnail)"
        growth = "-" if r["rss_growth_mib"] is None else f"{r['rss_growth_mib']:.1f}"
        lines.append(
            f"| {kind} | {r['clients']} | {r['file_mib']:.1f} | {r['wall_s']:.2f} | "
            f"{r['throughput_mib_s']:.1f} | {r['rss_before_mib']:.0f} | {growth} |"
        )
    t = record["thumbnails"]
    lines += [
        "",
        "| thumbnail GET | p50 (ms) | p99 (ms) |",
        "|---|---|---|",
        f"| one client, {record['gets']} in a row | {t['sequential']['p50_ms']:.2f} | "
        f"{t['sequential']['p99_ms']:.2f} |",
        f"| 10 clients at once | {t['concurrent_10']['p50_ms']:.2f} | "
        f"{t['concurrent_10']['p99_ms']:.2f} |",
    ]
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mib", type=int, default=10)
    parser.add_argument("--gets", type=int, default=300)


def _lift(_args: argparse.Namespace) -> dict[str, str]:
    # 40 uploads of 10 MiB at once: above the default quota of one project
    return {"DTTOOLS_FILES_QUOTA_BYTES": str(64 * 2**30)}


async def _measure(server: Server, dsn: str, args: argparse.Namespace) -> dict[str, Any]:
    measured = await _run(f"http://127.0.0.1:{server.port}", server.pid, dsn, args)
    return {"gets": args.gets, **measured}


def main() -> None:
    side_bench(
        __doc__.split("\n\n")[0], _arguments, _measure, kind="uploads",
        script="upload_bench.py", table=_table, lift=_lift,
        setting="local file storage, server, PostgreSQL and clients on the same machine",
    )  # fmt: skip


if __name__ == "__main__":
    main()
