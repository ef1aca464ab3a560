"""Faults benchmark (issue 14, by hand): worker processes SIGKILLed at random during runs.

    python bench/faults.py                      # 4 disturbed runs x 5 kills over 2,000 documents
    python bench/faults.py --docs 2000 --kills 20 --runs 4 --rounds 2

Generates DOCS documents (bench/generate.py) and one poison document that kills its worker
every time (worker.py's test-only fault hook, DECLUTTER_TEST_FAULTS=1). One running Prefect
server serves every run (tests/flowrun.py). Then, interleaved over ROUNDS rounds, each a
fresh OUT, `--workers 2 --force`:

  main        /work/main's code (or --main PATH), undisturbed, no poison: the baseline
  quiet       this checkout, undisturbed, no poison: what supervision + fsync cost a normal run
  no-fsync    the same with --no-fsync: what durability costs
  disturbed   this checkout, the poison document added, and KILLS / RUNS random SIGKILLs of a
              random worker process during the run (after its first output, 0.5-3 s apart)

``--fsync-only``: just the cost of durability per batch, without Prefect: 250 documents of
6 KB written by ``flows.output.Writer`` with and without ``durable`` (one syncfs, renames,
folder fsyncs), interleaved rounds, median ms per batch and per document.

Prints, per run: wall seconds, documents written, lost (expected but not written, the poison
aside), retries, workers replaced; and the medians. Exits 1 if a disturbed run lost anything
but the poison document or did not finish.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from flowrun import cli_args, kill_group, prefect_server  # noqa: E402

import generate  # noqa: E402  (bench/generate.py)


def workers_of(pid: int) -> list[int]:
    """The CLI's worker processes: its children started by multiprocessing's spawn."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            with open(f"/proc/{d}/cmdline", "rb") as f:
                if b"spawn_main" in f.read():  # not the resource tracker
                    found.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return found


def outputs(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*.json")
            if p.relative_to(out).parts[0] not in ("_runs", "_state", "_profiles")}


def one_run(inputs, out: Path, env: dict, cwd: Path, *extra, kills: int = 0, rng=None) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cli_args(inputs, out, "--workers", "2", "--force", *extra), cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    killed = []

    def killer():
        while proc.poll() is None and not (out.exists() and any(out.glob("*/*.json"))):
            time.sleep(0.05)
        while len(killed) < kills and proc.poll() is None:
            time.sleep(rng.uniform(0.5, 3.0))
            pids = workers_of(proc.pid)
            if pids and proc.poll() is None:
                victim = rng.choice(pids)
                try:
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)
                except ProcessLookupError:
                    pass

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    try:
        _, err = proc.communicate(timeout=1800)
    finally:
        kill_group(proc)
    t.join(5)
    wall = time.perf_counter() - t0
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    return {"wall": wall, "rc": proc.returncode, "kills": len(killed), "written": len(outputs(out)),
            "retries": summary.get("retries", 0), "replaced": summary.get("workers_replaced", 0),
            "failed": summary["failed"], "clean": summary["timings"].get("clean"),
            "stderr_lines": len([x for x in err.splitlines() if x.strip()])}


def fsync_cost(work: Path, rounds: int = 15, docs: int = 250, size: int = 6000) -> None:
    from flows import output

    data = (b"x" * (size - 1)) + b"\n"
    times: dict[bool, list[float]] = {True: [], False: []}
    for r in range(rounds):
        for durable in (False, True) if r % 2 else (True, False):
            out = work / f"fsync-{int(durable)}"
            subprocess.run(["rm", "-rf", str(out)], check=True)
            w = output.Writer(str(out), durable=durable)
            t0 = time.perf_counter()
            for i in range(docs):
                w.write(f"d{i // 100}/doc{i}.json", data)
            w.commit()
            times[durable].append(time.perf_counter() - t0)
    plain, durable = statistics.median(times[False]), statistics.median(times[True])
    print(f"{docs} documents of {size} B per batch, {rounds} rounds (syncfs: {output._SYNCFS is not None}):")
    print(f"  atomic writes      {plain * 1000:7.1f} ms per batch  {plain / docs * 1e6:6.0f} us per document")
    print(f"  durable (commit)   {durable * 1000:7.1f} ms per batch  {durable / docs * 1e6:6.0f} us per document")
    print(f"  durability costs   {(durable - plain) * 1000:7.1f} ms per batch  "
          f"{(durable - plain) / docs * 1e6:6.0f} us per document")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsync-only", action="store_true")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--runs", type=int, default=4, help="disturbed runs the kills are spread over")
    ap.add_argument("--rounds", type=int, default=2, help="undisturbed runs of each mode")
    ap.add_argument("--main", default="/work/main", help="the checkout to compare with ('' to skip)")
    ap.add_argument("--work", default=str(ROOT / "bench" / "_work" / "faults"))
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    work = Path(args.work)
    if args.fsync_only:
        work.mkdir(parents=True, exist_ok=True)
        fsync_cost(work)
        return 0
    src, poison = work / "in", work / "poison"
    if not src.exists() or sum(1 for _ in src.rglob("*.txt")) != args.docs:
        subprocess.run(["rm", "-rf", str(src)], check=True)
        generate.write(args.docs, src)
    poison.mkdir(parents=True, exist_ok=True)
    (poison / "poison.txt").write_text("A page that kills its worker.\nDECLUTTER-TEST-FAULT:kill\n")
    expected = len(list(src.rglob("*.txt")))
    rng = random.Random(args.seed)
    rows: list[tuple[str, dict]] = []
    with prefect_server(work / "prefect-home") as env:
        env = {**env, "PYTHONPATH": str(ROOT)}
        plan = []
        for r in range(max(args.rounds, args.runs)):
            if r < args.rounds:
                if args.main:
                    plan.append("main")
                plan += ["quiet", "no-fsync"]
            if r < args.runs:
                plan.append("disturbed")
        per = [args.kills // args.runs + (1 if i < args.kills % args.runs else 0) for i in range(args.runs)]
        d = 0
        for i, mode in enumerate(plan):
            out = work / f"out-{i}-{mode}"
            subprocess.run(["rm", "-rf", str(out)], check=True)
            if mode == "main":
                res = one_run([src], out, {**env, "PYTHONPATH": args.main}, Path(args.main))
            elif mode == "quiet":
                res = one_run([src], out, env, ROOT)
            elif mode == "no-fsync":
                res = one_run([src], out, env, ROOT, "--no-fsync")
            else:
                res = one_run([src, poison], out, {**env, "DECLUTTER_TEST_FAULTS": "1"}, ROOT,
                              kills=per[d], rng=rng)
                d += 1
            res["lost"] = expected - res["written"]
            rows.append((mode, res))
            print(f"{mode:10s} wall {res['wall']:6.1f} s  clean {res['clean']:6.1f} s  rc {res['rc']}  "
                  f"kills {res['kills']:2d}  written {res['written']}  lost {res['lost']}  failed {res['failed']}  "
                  f"retries {res['retries']}  replaced {res['replaced']}  stderr lines {res['stderr_lines']}",
                  flush=True)
            subprocess.run(["rm", "-rf", str(out)], check=True)
    print()
    print("| mode | runs | kills | written | lost | failed | retries | workers replaced | wall (median) | clean phase (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    bad = False
    for mode in ("main", "quiet", "no-fsync", "disturbed"):
        rs = [r for m, r in rows if m == mode]
        if not rs:
            continue
        print(f"| {mode} | {len(rs)} | {sum(r['kills'] for r in rs)} | {sum(r['written'] for r in rs)} "
              f"| {sum(r['lost'] for r in rs)} | {sum(r['failed'] for r in rs)} | {sum(r['retries'] for r in rs)} "
              f"| {sum(r['replaced'] for r in rs)} | {statistics.median(r['wall'] for r in rs):.1f} s "
              f"| {statistics.median(r['clean'] for r in rs):.1f} s |")
        if mode == "disturbed":
            bad = any(r["lost"] or r["failed"] != 1 or r["rc"] != 1 for r in rs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
