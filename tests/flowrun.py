"""Running ``python -m flows.clean`` as a user does, killing it, and checking OUT.

Shared by tests/test_reliability.py and bench/killtest.py: a Prefect API server
for a batch of runs, a generated corpus, the CLI in its own process group (so
a SIGKILL takes its workers too, as a dying machine or cgroup would), and the
checks every OUT must pass at any moment.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schema" / "clean_document.schema.json").read_text())
RESERVED = ("_runs", "_state", "_profiles")

try:
    from hostile import ARTICLE, BOILER, SECOND
except ImportError:  # pragma: no cover
    from tests.hostile import ARTICLE, BOILER, SECOND

from flows.server.kept import free_port


def base_env(home: Path) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(home), "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
           # a served deployment's scheduled runs show up within seconds
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2", "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    env.pop("PREFECT_API_URL", None)
    return env


@contextmanager
def prefect_server(home: Path):
    """One `prefect server start` for many CLI runs (each run would otherwise start its own)."""
    import httpx

    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = base_env(home)
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 150
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("prefect server did not start:\n" + (home / "server.log").read_text()[-3000:])
            time.sleep(0.5)
        yield {**env, "PREFECT_API_URL": url}
    finally:
        kill_group(proc, signal.SIGTERM)
        log.close()


def kill_group(proc: subprocess.Popen, sig=signal.SIGKILL, timeout: float = 30) -> None:
    """Signal a process started with start_new_session=True and everything it started."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:  # anything of the group still alive (a worker that outlived its parent)?
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def cli_args(inputs, out, *extra) -> list[str]:
    return [sys.executable, "-m", "flows.clean", *map(str, inputs), "--out", str(out), "--quiet", *extra]


def run_cli(inputs, out, env, *extra, timeout: float = 600, prefix: list[str] | None = None):
    return subprocess.run((prefix or []) + cli_args(inputs, out, *extra), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, start_new_session=True)


# -- a corpus ----------------------------------------------------------------------------

WORDS = ("harbour council budget flood wall engineers residents mayor spring winter quay boats "
         "ferry tide pier storm drains repairs").split()


def make_corpus(root: Path, n_files: int = 900, n_records: int = 200, n_html: int = 12,
                folders: int = 3, seed: int = 6) -> list[Path]:
    """Plain-text files, a JSONL feed and some HTML pages under ``folders`` top folders
    (returned, so runs can name them in different orders). Every document is good."""
    rng = random.Random(seed)
    tops = [root / f"part{k}" for k in range(folders)]

    def body(i: int) -> str:
        w = [rng.choice(WORDS) for _ in range(6)]
        return (f"{ARTICLE} Item {i} concerns the {w[0]} and the {w[1]}.\n\n{BOILER}\n\n{SECOND}\n\n"
                f"Paragraph {i} adds that the {w[2]} near the {w[3]} matters to people who use the {w[4]} "
                f"every day, and that the {w[5]} will be checked again next year.\n")

    for i in range(n_files):
        top = tops[i % folders]
        d = top / f"p{i % folders}-d{i % 7}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"doc{i:05d}.txt").write_text(body(i), encoding="utf-8")
    lines = [json.dumps({"id": f"rec-{i}", "text": body(10_000 + i), "url": f"https://example.com/{i}"})
             for i in range(n_records)]
    (tops[0] / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(n_html):
        html = (f"<html><head><title>Sea wall {i}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article><h1>Sea wall {i}</h1>" + "".join(f"<p>{p}</p>" for p in body(20_000 + i).split("\n\n"))
                + "</article><footer>© Harbour Gazette</footer></body></html>")
        (tops[1 % folders] / f"page{i:03d}.html").write_text(html, encoding="utf-8")
    return tops


# -- checking OUT -----------------------------------------------------------------------

def outputs(out: Path) -> dict[str, bytes]:
    """Every document output under OUT (declutter's own folders excluded): rel path -> bytes."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(out):
        rel_dir = os.path.relpath(dirpath, out)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in RESERVED]
        for name in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
            found[rel] = (Path(dirpath) / name).read_bytes()
    return found


def temp_files(out: Path) -> list[str]:
    return [os.path.join(d, n) for d, _, names in os.walk(out) for n in names if n.endswith(".tmp")]


def check_outputs(out: Path) -> dict[str, bytes]:
    """Every output parses and validates against the schema, and is named .json; returns them."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    docs = outputs(out)
    for rel, data in docs.items():
        assert rel.endswith(".json") and not os.path.basename(rel).startswith("."), f"stray file in OUT: {rel}"
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise AssertionError(f"{rel} is not valid JSON ({exc}): a partial write?") from None
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, f"{rel} does not match the schema: {errors[0].message}"
    return docs


def kill_during_run(inputs, out: Path, env: dict, rng: random.Random, *extra, max_wait: float = 300) -> str:
    """Start a run and SIGKILL its whole process group at a random moment: at a random time
    in its first seconds (start-up, discovery, profiling), or once a random number of new
    outputs has appeared. Returns how it was killed, for the record."""
    start = time.time()
    proc = subprocess.Popen(cli_args(inputs, out, *extra), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if rng.random() < 0.3:
            delay = rng.uniform(0.5, 8.0)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            how = f"after {delay:.1f}s"
        else:
            target = rng.randint(1, 400)
            deadline = time.monotonic() + max_wait
            how = f"after {target} new outputs"
            while proc.poll() is None and time.monotonic() < deadline:
                if _new_outputs(out, start) >= target:
                    break
                time.sleep(0.1)
        if proc.poll() is not None:
            return how + f" (it had already finished, rc={proc.returncode})"
        return how
    finally:
        kill_group(proc)


def _new_outputs(out: Path, since: float) -> int:
    n = 0
    for dirpath, dirnames, filenames in os.walk(out):
        if os.path.samefile(dirpath, out):
            dirnames[:] = [d for d in dirnames if d not in RESERVED]
        for name in filenames:
            try:
                if os.stat(os.path.join(dirpath, name)).st_mtime >= since:
                    n += 1
            except FileNotFoundError:
                pass
    return n
