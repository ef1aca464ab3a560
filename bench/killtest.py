"""Kill test, for the record: SIGKILL ``python -m flows.clean`` at random moments, N times.

    python bench/killtest.py                  # 20 kills over ~3,000 documents
    python bench/killtest.py --kills 5 --docs 1000 --seed 3
    python bench/killtest.py --parent-only    # kill only the parent (as the OOM killer might)

One corpus (text files, a JSON-lines feed, HTML pages) in a temporary folder; a
reference run into REF first (uninterrupted, --workers 1, inputs in reverse
order). Then, into OUT, N times: start a run (--workers 2), SIGKILL it at a
random moment (a random time in its first seconds, or once a random number of
new outputs exist), and check OUT at once: every file parses and validates
against schema/clean_document.schema.json. Every kill is followed by another
run, and a last run finishes. Then: no temp files, OUT's set of outputs equals
REF's, every output byte-identical. Prints one line per kill and the record
(runs, kills, outputs checked, lost, differing); exits 1 if anything was lost,
invalid or different.

By default the whole process group is killed (parent, worker processes), as a
dying machine or a stopped container/cgroup would. ``--parent-only`` kills just
the parent and reports worker processes that outlive it.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from flowrun import (check_outputs, cli_args, kill_during_run, make_corpus, prefect_server,  # noqa: E402
                     run_cli, temp_files)


def kill_parent_only(inputs, out, env, rng, *extra) -> str:
    """Kill just the CLI process once a random number of new outputs exist (as the OOM killer
    might); report how many of its process group outlive it, 3 s and 15 s later."""
    from flowrun import _new_outputs

    start = time.time()
    proc = subprocess.Popen(cli_args(inputs, out, *extra), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    target = rng.randint(1, 300)
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline and _new_outputs(out, start) < target:
        time.sleep(0.1)
    if proc.poll() is not None:
        return f"parent after {target} new outputs (already finished)"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(3)
    early = len(_group_members(proc.pid))
    time.sleep(12)
    late = _group_members(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return f"parent after {target} new outputs; {early} of its group alive 3 s later, {len(late)} after 15 s"


def _group_members(pgid: int) -> list[int]:
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.getpgid(int(pid)) == pgid:
                    out.append(int(pid))
            except (ProcessLookupError, PermissionError):
                pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--docs", type=int, default=3000, help="documents in the corpus (about)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--parent-only", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="declutter-killtest-"))
    n_records = args.docs // 5
    n_html = max(3, args.docs // 100)
    n_files = args.docs - n_records - n_html
    tops = make_corpus(work / "in", n_files=n_files, n_records=n_records, n_html=n_html)
    out, ref_out = work / "out", work / "ref"
    print(f"killtest: seed {seed}, {n_files + n_records + n_html} documents, {args.kills} kills, in {work}",
          flush=True)
    t0 = time.time()
    with prefect_server(work / "prefect-home") as env:
        ref = run_cli(list(reversed(tops)), ref_out, env, "--workers", "1", timeout=3600)
        if ref.returncode != 0:
            print(ref.stderr[-3000:])
            return 2
        want = check_outputs(ref_out)
        print(f"reference: {len(want)} outputs in {time.time() - t0:.0f}s", flush=True)
        runs, checked, invalid = 1, len(want), []
        for k in range(args.kills):
            if args.parent_only:
                how = kill_parent_only(tops, out, env, rng, "--workers", "2", "--batch-docs", "50")
            else:
                how = kill_during_run(tops, out, env, rng, "--workers", "2", "--batch-docs", "50")
            runs += 1
            try:
                n = len(check_outputs(out))
                checked += n
            except AssertionError as exc:
                invalid.append(str(exc))
                n = -1
            print(f"kill {k + 1:2d}: {how}; {n} outputs on disk, all valid" if n >= 0
                  else f"kill {k + 1:2d}: {how}; INVALID: {invalid[-1]}", flush=True)
        final = run_cli(tops, out, env, "--workers", "2", "--batch-docs", "50", timeout=3600)
        runs += 1
    got = check_outputs(out)
    checked += len(got)
    lost = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    differ = [rel for rel in want if rel in got and got[rel] != want[rel]]
    temps = temp_files(out)
    print(f"final run: exit {final.returncode}" + (f"\n{final.stderr[-2000:]}" if final.returncode else ""))
    print(f"record: {runs} runs ({args.kills} killed{' parent-only' if args.parent_only else ''}), "
          f"{checked} output files checked against the schema, {len(want)} expected, lost {len(lost)}, "
          f"extra {len(extra)}, differing {len(differ)}, invalid {len(invalid)}, temp files left {len(temps)}; "
          f"{time.time() - t0:.0f}s")
    for name, items in (("lost", lost), ("extra", extra), ("differing", differ), ("temp", temps)):
        if items:
            print(f"  {name}: {items[:10]}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 1 if (lost or extra or differ or invalid or temps or final.returncode) else 0


if __name__ == "__main__":
    sys.exit(main())
