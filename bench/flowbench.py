"""Flow overhead and worker speed-up, measured side by side in one run (by hand, not a test).

    python bench/flowbench.py [--n 10000] [--work bench/_work/flowbench]

Generates N documents with bench/generate.py (devset truth paragraphs +
invented boilerplate), then times, each as a fresh process:
  loop        the same cleaning in a plain loop: read, clean_bytes, write JSON
  flow/server `python -m flows.clean IN --out OUT --quiet --workers W` against
              a running `prefect server start` (started here, own PREFECT_HOME)
  flow/temp   the same without PREFECT_API_URL: the CLI starts a temporary server
and the fixed start-up of each flow mode (the same command on one document).
Prints wall times, the flow's overhead over the loop beyond its fixed
start-up, the --workers 2 / --workers 1 speed-up (wall, beyond the start-up,
clean phase), and CPU seconds per run: the flow's process tree (parent and its
workers, from RUSAGE_CHILDREN), the parent alone (the summary's
``timings.process_cpu``) and the running server's process group (/proc): on a
shared machine CPU seconds say where time goes when wall times swing. The machine's load
average is printed too: on a shared machine, compare ratios from one run.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.server.kept import free_port  # noqa: E402

LOOP = r"""
import os, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from cleaners import clean_bytes
from cleaners.document import to_json
t1 = time.perf_counter()
src, out = {src!r}, {out!r}
n = 0
for dirpath, dirs, files in os.walk(src):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, src)
        with open(path, "rb") as f:
            doc = clean_bytes(f.read(), source=rel.replace(os.sep, "/"))
        target = os.path.join(out, os.path.splitext(rel)[0] + ".json")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = target + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(to_json(doc))
        os.replace(tmp, target)
        n += 1
print(n, t1 - t0, time.perf_counter() - t1)
"""


CODE = ROOT  # replaced by a snapshot in main(): every run times the same code


def snapshot(work: Path) -> Path:
    """Copy cleaners/ and flows/ once: other engineers edit the checkout while this runs for an hour."""
    dst = work / "code"
    shutil.rmtree(dst, ignore_errors=True)
    for name in ("cleaners", "flows"):
        shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    # byte-compiled once, as an install is (with PYTHONDONTWRITEBYTECODE every process, each
    # worker included, would otherwise compile the sources again)
    compileall.compile_dir(str(dst), quiet=1)
    return dst


def base_env(home: Path) -> dict:
    # DECLUTTER_KEEP_SERVER_MINUTES=0: a run without PREFECT_API_URL starts a temporary server,
    # as when these figures were first measured (bench/startup.py times the kept server)
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(CODE),
           "DECLUTTER_KEEP_SERVER_MINUTES": "0"}
    env.pop("PREFECT_API_URL", None)
    return env


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**base_env(home), "PREFECT_UI_ENABLED": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=open(home / "server.log", "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise SystemExit("prefect server did not start; see " + str(home / "server.log"))


CPU: dict[str, float] = {}  # the last timed() command's CPU seconds: "tree" (it + its reaped workers), "server"
SERVER_PGID: int | None = None  # the running server's process group, whose CPU is counted per command


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def group_cpu(pgid: int | None) -> float:
    """CPU seconds of the live processes of a process group (Linux /proc; 0 elsewhere)."""
    if pgid is None or not os.path.isdir("/proc"):
        return 0.0
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp; utime, stime, cutime, cstime follow at 11..14
            total += sum(int(x) for x in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    c0, s0 = _children_cpu(), group_cpu(SERVER_PGID)
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=CODE, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    CPU.update(tree=_children_cpu() - c0, server=group_cpu(SERVER_PGID) - s0)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return wall, r.stdout


EXTRA: list[str] = []  # flags that make the flow do exactly the loop's cleaning (see main)


def flow(src: Path, out: Path, env: dict, workers: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    wall, _ = timed([sys.executable, "-m", "flows.clean", str(src), "--out", str(out), "--quiet",
                     "--workers", str(workers), *EXTRA], env)
    return wall


def cpu_note(label: str, parent: float | None = None) -> str:
    """CPU seconds of the last command: the flow's process tree (parent + workers) and the server."""
    tree = CPU.get("tree", 0.0)
    parts = [f"CPU {tree:.1f} s"]
    if parent is not None:
        parts.append(f"parent {parent:.1f} s until its summary, the rest {max(0.0, tree - parent):.1f} s "
                     "(workers, the parent's exit)")
    if label == "server":
        parts.append(f"server {CPU.get('server', 0.0):.1f} s")
    return ", ".join(parts)


def run_summary(out: Path) -> dict:
    return json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="flow overhead vs a plain loop; --workers 2 vs 1")
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "_work" / "flowbench")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--temp-workers-2", action="store_true",
                    help="also time --workers 2 with a temporary server (one more long run)")
    ap.add_argument("--no-temp", action="store_true", help="skip the temporary-server runs")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the server below is always stopped

    from bench.generate import DEFAULT_DATA, write

    work = a.work.resolve()
    src, tiny = work / f"in-{a.n}", work / "in-1"
    if not (src / ".complete").exists():
        shutil.rmtree(src, ignore_errors=True)
        size = write(a.n, src, data=a.data or DEFAULT_DATA)
        (src / ".complete").write_text(str(size))
    size = int((src / ".complete").read_text())
    if not tiny.exists():
        write(1, tiny, data=a.data or DEFAULT_DATA)
    print(f"{a.n} documents, {size / 1e6:.1f} MB; load average at start {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} cores", flush=True)

    global CODE
    CODE = snapshot(work)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "cleaners", "flows"], cwd=ROOT,
                           capture_output=True, text=True).stdout
    print(f"code: snapshot of {head.strip()}{' + uncommitted changes' if dirty.strip() else ''} in {CODE}")
    helptext = subprocess.run([sys.executable, "-m", "flows.clean", "--help"], cwd=CODE, capture_output=True,
                              text=True).stdout
    if "--no-profiles" in helptext:  # the loop does no site profiling: compare like with like
        EXTRA.append("--no-profiles")
    print(f"flow flags: --quiet {' '.join(EXTRA)}", flush=True)
    rows = []
    loop_out = work / "out-loop"
    shutil.rmtree(loop_out, ignore_errors=True)
    wall, stdout = timed([sys.executable, "-c", LOOP.format(root=str(CODE), src=str(src), out=str(loop_out))],
                         base_env(work / "home-loop"))
    n, t_import, t_loop = stdout.split()
    t_loop = float(t_loop)
    cpu = {"loop": CPU["tree"]}
    rows.append(("plain loop (clean_bytes + write)", wall, f"loop body {t_loop:.1f} s, import {float(t_import):.1f} s",
                 f"CPU {CPU['tree']:.1f} s"))
    print(rows[-1], flush=True)

    home_srv, home_tmp = work / "home-server", work / "home-temp"
    for h in (home_srv, home_tmp):
        h.mkdir(parents=True, exist_ok=True)
    proc, url = start_server(home_srv)
    global SERVER_PGID
    SERVER_PGID = proc.pid  # started in its own session: its group is the server and its children
    srv_env = {**base_env(home_srv), "PREFECT_API_URL": url}
    tmp_env = base_env(home_tmp)
    results = {}
    try:
        for label, env in (("server", srv_env), ("temp", tmp_env))[:1 if a.no_temp else 2]:
            flow(tiny, work / "out-tiny", env, 1)  # warm: database created, files cached
            results[f"fixed-{label}"] = flow(tiny, work / "out-tiny", env, 1)
            cpu[f"fixed-{label}"] = dict(CPU)
            print(f"fixed start-up ({label}): {results[f'fixed-{label}']:.1f} s "
                  f"({cpu_note(label, run_summary(work / 'out-tiny')['timings'].get('process_cpu'))})", flush=True)
        configs = [("server", srv_env, 1), ("server", srv_env, 2)] + ([] if a.no_temp else [("temp", tmp_env, 1)])
        if a.temp_workers_2:
            configs.append(("temp", tmp_env, 2))
        for label, env, w in configs:
            out = work / f"out-{label}-w{w}"
            results[f"{label}-w{w}"] = flow(src, out, env, w)
            cpu[f"{label}-w{w}"] = dict(CPU)
            s = run_summary(out)
            assert s["cleaned"] == a.n and s["failed"] == 0, s
            work_s = s.get("work_seconds")
            results[f"{label}-w{w}-summary"] = s
            inside = (f", inside worker.clean_batch {work_s:.1f} s: orchestration "
                      f"{(s['timings']['clean'] * w - work_s) / work_s * 100:+.1f}% of it" if work_s else "")
            print(f"flow {label} --workers {w}: {results[f'{label}-w{w}']:.1f} s "
                  f"(plan {s['timings']['plan']:.1f} s, clean phase {s['timings']['clean']:.1f} s, "
                  f"{s['batches']} batches{inside}; {cpu_note(label, s['timings'].get('process_cpu'))})",
                  flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)

    checked = sorted(src.rglob("*.txt"))[:200]
    same = sum((loop_out / p.relative_to(src)).with_suffix(".json").read_bytes()
               == (work / "out-server-w1" / p.relative_to(src)).with_suffix(".json").read_bytes()
               for p in checked)
    print(f"\nload average at end {os.getloadavg()[0]:.2f}; outputs identical to the loop's: "
          f"{same}/{len(checked)} checked\n")
    print("| run | wall s | vs loop wall | overhead beyond fixed start-up, % of loop body | CPU s: flow tree "
          "(parent + workers) | CPU s: running server |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| plain loop | {wall:.1f} | 1.00 | - | {cpu['loop']:.1f} | |")
    names = {"server": "running server", "temp": "temporary server"}
    for label in ("server", "temp"):
        if f"fixed-{label}" not in results:
            continue
        fixed = results[f"fixed-{label}"]
        c = cpu[f"fixed-{label}"]
        srv = f"{c['server']:.1f}" if label == "server" else ""
        print(f"| flow, {names[label]}, 1 document (fixed start-up) | {fixed:.1f} | | | {c['tree']:.1f} | {srv} |")
        for w in (1, 2):
            if f"{label}-w{w}" not in results:
                continue
            t = results[f"{label}-w{w}"]
            over = (t - fixed - t_loop) / t_loop * 100
            c = cpu[f"{label}-w{w}"]
            srv = f"{c['server']:.1f}" if label == "server" else ""
            print(f"| flow, {names[label]}, --workers {w} | {t:.1f} | {t / wall:.2f} | "
                  f"{over:+.1f}% | {c['tree']:.1f} | {srv} |")
    for label in ("server", "temp"):
        if f"{label}-w2" not in results:
            continue
        w1, w2 = results[f"{label}-w1"], results[f"{label}-w2"]
        fixed = results[f"fixed-{label}"]
        c1 = results[f"{label}-w1-summary"]["timings"]["clean"]
        c2 = results[f"{label}-w2-summary"]["timings"]["clean"]
        print(f"speed-up --workers 2 over 1 ({names[label]}): {w1 / w2:.2f}x wall, "
              f"{(w1 - fixed) / (w2 - fixed):.2f}x beyond the fixed start-up, {c1 / c2:.2f}x in the clean phase")
    if "server-w2" in results:
        c1, c2 = cpu["server-w1"], cpu["server-w2"]
        t1 = c1["tree"] + c1["server"]
        t2 = c2["tree"] + c2["server"]
        print(f"CPU seconds, flow tree + running server: --workers 1 {t1:.1f}, --workers 2 {t2:.1f} "
              f"({(t2 / t1 - 1) * 100:+.1f}%: the CPU price of two workers; on 2 cores --workers 2 "
              f"needs >= {t2 / 2:.1f} s wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
