"""Start-up of a one-off run without PREFECT_API_URL (issue 17, target 3): run by hand.

    python bench/startup.py [--rounds 3] [--launchers]

One small document (the first seed), ``python -m flows.clean DOC --out ... --force
--quiet``, no PREFECT_API_URL, as a user types it (default workers; ``--workers N`` to set). Each round, side by side:

- ``first``:  no local server running: the run starts the kept one and waits for it;
- ``second``: straight after, the same run again: it reuses the server (no boot);
- ``temporary``: ``--no-keep-server``, today's one-server-per-run behaviour.

Wall time of each command (what the user waits for), its CPU (the run and its workers,
not the detached server) and the load average. The PREFECT_HOME is one folder kept for
the whole benchmark (its database exists after the first round, as for any user after
their first run); the kept server is stopped before each round's first run and at the end.

``--launchers`` also times the boot of the two ways to start a server in the background,
fresh PREFECT_HOME each: ``prefect server start --background`` (Prefect's CLI) against
the launcher the runs use (``flows/server/kept_process.py``), launch to a healthy ``/api/health``.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CODE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CODE))

from flows.server import kept  # noqa: E402


def env_for(home: Path) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PYTHONPATH": str(CODE),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    for key in ("PREFECT_API_URL", kept.ENV_MINUTES):
        env.pop(key, None)
    return env


def timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """(wall s, CPU s of the command and its children, stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=CODE, env=env, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stderr


def health_after(url: str, t0: float, timeout: float = 600) -> float:
    while time.perf_counter() - t0 < timeout:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} never answered")


def launchers(rounds: int) -> list[str]:
    lines = ["| round | `prefect server start --background`: CLI returns | healthy | "
             "`flows/server/kept_process.py` (the runs' launcher): healthy |", "|---:|---:|---:|---:|"]
    for k in range(rounds):
        row = []
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            env = {**env_for(home), "PREFECT_UI_ENABLED": "0"}
            port = kept.free_port()
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "prefect", "server", "start", "--background", "--host",
                            "127.0.0.1", "--port", str(port)], env=env, capture_output=True, timeout=600)
            returned = time.perf_counter() - t0
            row += [returned, health_after(f"http://127.0.0.1:{port}/api", t0)]
            subprocess.run([sys.executable, "-m", "prefect", "server", "stop"], env=env, capture_output=True,
                           timeout=600)
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            os.environ.update(env_for(home))
            t0 = time.perf_counter()
            srv = kept.acquire(1, home=home, quiet=True)
            srv.wait(600)
            row.append(time.perf_counter() - t0)
            srv.release()
            kept.stop(home, force=True)
            srv._said_goodbye = True
        lines.append(f"| {k + 1} | {row[0]:.1f} s | {row[1]:.1f} s | {row[2]:.1f} s |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--launchers", action="store_true", help="also time the two background launchers")
    ap.add_argument("--workers", type=int, help="pass --workers N to the runs (default: the CLI's default)")
    ap.add_argument("--work", type=Path, default=CODE / "bench" / "_work" / "startup")
    args = ap.parse_args()

    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    (work / "in").mkdir(parents=True)
    seed = sorted((CODE / "seeds").iterdir())[0]
    shutil.copy(seed, work / "in" / seed.name)
    home = work / "prefect-home"
    home.mkdir()
    env = env_for(home)

    def cli(*extra: str) -> list[str]:
        workers = ["--workers", str(args.workers)] if args.workers else []
        return [sys.executable, "-m", "flows.clean", str(work / "in"), "--out", str(work / "out"), "--force",
                "--quiet", *workers, *extra]

    def stop() -> None:
        subprocess.run([sys.executable, "-m", "flows.server", "stop", "--force"], cwd=CODE, env=env,
                       capture_output=True, timeout=120)

    results: dict[str, list[tuple[float, float]]] = {"first": [], "second": [], "temporary": []}
    rows = []
    try:
        stop()
        timed(cli("--no-keep-server"), env)  # warm the file cache and create the database once
        for k in range(args.rounds):
            load = os.getloadavg()[0]
            stop()
            first = timed(cli(), env)
            assert "Starting a local Prefect server" not in first[2]  # --quiet: only the goodbye
            assert "keeps running in the background" in first[2], first[2]
            second = timed(cli(), env)
            stop()
            temp = timed(cli("--no-keep-server"), env)
            for name, r in (("first", first), ("second", second), ("temporary", temp)):
                results[name].append(r[:2])
            rows.append(f"| {k + 1} | {first[0]:.1f} s ({first[1]:.1f}) | **{second[0]:.1f} s** ({second[1]:.1f}) "
                        f"| {temp[0]:.1f} s ({temp[1]:.1f}) | {load:.1f} → {os.getloadavg()[0]:.1f} |")
            print(rows[-1], flush=True)
    finally:
        stop()
    med = {n: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for n, v in results.items()}
    print("\n| round | first run: starts the kept server | second run: reuses it | `--no-keep-server` "
          "(temporary server) | load (1 min) |\n|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"| median | {med['first'][0]:.1f} s ({med['first'][1]:.1f}) | **{med['second'][0]:.1f} s** "
          f"({med['second'][1]:.1f}) | {med['temporary'][0]:.1f} s ({med['temporary'][1]:.1f}) | |")
    print("\nwall (CPU of the run and its workers, s); target: second run <= 6 s wall")
    if args.launchers:
        print()
        print("\n".join(launchers(args.rounds)))


if __name__ == "__main__":
    main()
