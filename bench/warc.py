"""WARC input: which library reads fastest, and how fast a whole run over a WARC goes (issue 15).

    python bench/warc.py generate 5000 bench/_work/warc/devset-5000.warc.gz   # the WARC (once)
    python bench/warc.py readers bench/_work/warc/devset-5000.warc.gz --rounds 3
    python bench/warc.py run bench/_work/warc/devset-5000.warc.gz --workers 2

``generate``: N ``response`` records (HTTP 200, ``text/html``) cycling through the devset's
356 pages (read from ../shared at run time, never copied here), each after its ``request``
record, and every 20th page followed by an image ``response``; one gzip member per record,
written by FastWARC; record ids and dates fixed, so the same N gives the same bytes. URLs
are the pages' own (devset index) or ``https://<subset>.example/<id>``, with ``?copy=k``
from the second copy of a page on.

``readers``: records/s and payload MB/s reading every record and every response's payload
and headers, FastWARC against warcio (``pip install warcio`` for the comparison), in
interleaved rounds, and ``flows.warc.scan`` (FastWARC plus what the planner adds: the HTML
decision, truncation checks, the sha256 of each document's payload).

``run``: ``python -m flows.clean WARC --out TMP`` as a user runs it (a temporary Prefect
server, site profiles on), then again unchanged; prints records/s of the planning (from the
run's summary: the time at which the last record was read) and documents/s of the whole run.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "devset"
DATE = "2024-05-01T10:00:00Z"
sys.path.insert(0, str(ROOT))


def devset_pages(data: Path) -> list[tuple[str, bytes]]:
    from bench.generate import devset_index

    pages = []
    for meta in devset_index(data):
        url = meta.get("url") or f"https://{meta['source']}.example/{meta['id']}"
        pages.append((url, gzip.decompress((data / "pages" / f"{meta['id']}.html.gz").read_bytes())))
    return pages


def generate(n: int, path: Path, data: Path) -> tuple[int, int]:
    """Write the WARC; (records, bytes)."""
    from fastwarc import GzipWriter, WarcRecord, WarcRecordType

    pages = devset_pages(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        def put(rtype, uri, block, ctype):
            nonlocal count
            r = WarcRecord()
            r.init_headers(rtype, f"uuid:00000000-0000-4000-8000-{count:012d}".encode())
            r.headers.set("WARC-Date", DATE)
            r.headers.append("WARC-Target-URI", uri)
            r.headers.append("Content-Type", ctype)
            r.set_bytes_content(block)
            w = GzipWriter(f)
            r.write(w)
            w.finish()
            count += 1

        for i in range(n):
            url, body = pages[i % len(pages)]
            copy = i // len(pages)
            if copy:
                url += ("&" if "?" in url else "?") + f"copy={copy}"
            host = url.split("/")[2]
            put(WarcRecordType.request, url, f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(),
                "application/http; msgtype=request")
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
            put(WarcRecordType.response, url, head.encode() + body, "application/http; msgtype=response")
            if i % 20 == 19:
                img = b"\x89PNG\r\n\x1a\n" + bytes(2048)
                put(WarcRecordType.response, f"https://{host}/img/{i}.png",
                    f"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n".encode() + img,
                    "application/http; msgtype=response")
    os.replace(tmp, path)
    return count, path.stat().st_size


def read_fastwarc(path: str) -> tuple[int, int]:
    from fastwarc import ArchiveIterator, WarcRecordType

    n = size = 0
    with open(path, "rb") as f:
        for r in ArchiveIterator(f, auto_decode="all"):
            n += 1
            if r.record_type == WarcRecordType.response:
                r.http_headers.get("Content-Type"), r.headers.get("WARC-Target-URI"), r.record_id
                size += len(r.reader.read())
    return n, size


def read_warcio(path: str) -> tuple[int, int]:
    from warcio.archiveiterator import ArchiveIterator

    n = size = 0
    with open(path, "rb") as f:
        for r in ArchiveIterator(f):
            n += 1
            if r.rec_type == "response":
                r.http_headers.get_header("Content-Type"), r.rec_headers.get_header("WARC-Target-URI")
                r.rec_headers.get_header("WARC-Record-ID")
                size += len(r.content_stream().read())
    return n, size


def read_scan(path: str) -> tuple[int, int]:
    from flows import warc

    n = size = 0
    for e in warc.scan(path, max_bytes=16 * 1024 * 1024):
        n += 1
        if isinstance(e, warc.WarcDoc):
            e.sha256  # the planner hashes every document's payload
            size += len(e.payload)
    return n, size


def readers(path: Path, rounds: int) -> None:
    fns = {"fastwarc": read_fastwarc, "flows.warc.scan": read_scan}
    try:
        import warcio  # noqa: F401
        fns["warcio"] = read_warcio
    except ImportError:
        print("warcio is not installed: `pip install warcio` to compare")
    times: dict[str, list[float]] = {k: [] for k in fns}
    counts = {}
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            counts[name] = fn(str(path))
            times[name].append(time.perf_counter() - t)
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB compressed, {rounds} rounds (median)")
    print(f"| reader | records | payload MB | seconds | records/s | payload MB/s |")
    print(f"|---|---:|---:|---:|---:|---:|")
    for name in fns:
        n, size = counts[name]
        t = statistics.median(times[name])
        print(f"| {name} | {n:,} | {size / 1e6:.0f} | {t:.2f} | {n / t:,.0f} | {size / 1e6 / t:,.0f} |")


def run(path: Path, workers: int, extra: list[str]) -> None:
    out = Path(tempfile.mkdtemp(prefix="warc-run-", dir=ROOT / "bench" / "_work"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)
    try:
        for label in ("first run", "unchanged re-run"):
            t = time.perf_counter()
            p = subprocess.run([sys.executable, "-m", "flows.clean", str(path), "--out", str(out), "--quiet",
                                "--workers", str(workers), *extra], cwd=ROOT, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t
            runs = sorted((out / "_runs").glob("*Z.json"))
            if not runs:
                raise SystemExit(p.stderr)
            s = json.loads(runs[-1].read_text())
            tm = s["timings"]
            records = s["documents"] + sum(s.get("warc_records_skipped", {}).values())
            print(f"{label}: exit {p.returncode}, wall {wall:.1f} s (flow {tm['total']:.1f} s), "
                  f"{s['cleaned']:,} cleaned, {s['skipped']:,} unchanged, {s['failed']} failed; "
                  f"records skipped by type {s.get('warc_records_skipped')}")
            print(f"  reading: {records:,} records planned by {tm['planned']:.1f} s "
                  f"({records / max(tm['planned'], 1e-9):,.0f} records/s, alongside the cleaning)")
            if s["cleaned"]:
                print(f"  documents: {s['cleaned'] / tm['total']:,.1f} docs/s over the flow, "
                      f"{s['cleaned'] / wall:,.1f} docs/s over the command's wall time; "
                      f"profile stage {tm['profile']:.1f} s, clean phase {tm['clean']:.1f} s, "
                      f"workers' time in clean_batch {s['work_seconds']:.1f} s")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("n", type=int)
    g.add_argument("out", type=Path)
    g.add_argument("--data", type=Path, default=DEFAULT_DATA)
    r = sub.add_parser("readers")
    r.add_argument("warc", type=Path)
    r.add_argument("--rounds", type=int, default=3)
    f = sub.add_parser("run")
    f.add_argument("warc", type=Path)
    f.add_argument("--workers", type=int, default=2)
    f.add_argument("extra", nargs="*", help="more flows.clean options (after --)")
    a = ap.parse_args(argv)
    if a.cmd == "generate":
        t = time.perf_counter()
        n, size = generate(a.n, a.out, a.data)
        print(f"{n:,} records, {size / 1e6:.0f} MB in {a.out} ({time.perf_counter() - t:.1f} s)")
    elif a.cmd == "readers":
        readers(a.warc, a.rounds)
    else:
        run(a.warc, a.workers, a.extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
