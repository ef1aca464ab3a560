"""The flow on a real Prefect engine: the CLI against a real server, Dask, and a served schedule.

One ``prefect server start`` for the whole session (tests/conftest.py: its own
PREFECT_HOME in tmp, a free port on 127.0.0.1) serves every test here and is
stopped at the end. Bounded in time:
each wait has a deadline.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    "The river authority opened the new flood gates on Monday after three years of building work.\n\n"
    "CLICK HERE FOR MORE FROM THE VALLEY COURIER\n\n"
    "Farmers downstream said the gates had already kept two fields dry during the autumn rain.\n"
)

from flowrun import kill_group  # noqa: E402

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def server(prefect_server_env):
    """The session's real `prefect server start` (tests/conftest.py): its env and API URL."""
    return {"url": prefect_server_env["PREFECT_API_URL"], "env": dict(prefect_server_env)}


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(ARTICLE)
    (src / "sub" / "b.txt").write_text(ARTICLE.replace("river", "canal"))
    (src / "feed.jsonl").write_text(json.dumps({"id": "n1", "text": ARTICLE.replace("river", "lake")}) + "\n")
    (src / "junk.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    return src


def test_cli_against_a_server_is_incremental_and_reports_failures(server, tmp_path):
    src, out = _tree(tmp_path), tmp_path / "out"

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "flows.clean", str(src), "--out", str(out), "--quiet",
                               "--workers", "2", "--batch-docs", "1", *extra], cwd=ROOT, env=server["env"],
                              capture_output=True, text=True, timeout=300)

    first = run("--jsonl", str(tmp_path / "all.jsonl"))
    assert first.returncode == 1, first.stderr  # junk.bin failed, the rest were written
    assert "1 of 4 documents failed" in first.stderr
    assert "Traceback" not in first.stderr
    assert all((out / rel).is_file() for rel in ("a.json", "sub/b.json", "feed/n1.json"))
    assert "CLICK HERE" not in json.loads((out / "a.json").read_text())["text"]
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == 3
    logs = sorted((out / "_runs").glob("*Z.json"))
    summary = json.loads(logs[-1].read_text())
    assert summary["cleaned"] == 3 and summary["failed"] == 1 and summary["engine"] == "processes"
    assert summary["removed_by_cleaner"]["drop_promos"] == 3
    errors = [json.loads(x) for x in (out / summary["errors_file"]).read_text().splitlines()]
    assert errors[0]["source"] == "junk.bin" and "PNG" in errors[0]["reason"]

    before = (out / "a.json").read_bytes()
    second = run()
    assert second.returncode == 1
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    assert summary["skipped"] == 3 and summary["cleaned"] == 0
    assert (out / "a.json").read_bytes() == before

    (src / "junk.bin").unlink()
    third = run("--force")
    assert third.returncode == 0, third.stderr
    assert (out / "a.json").read_bytes() == before  # re-runs are byte-identical


def test_usage_errors_exit_2_in_one_line(tmp_path):
    from flows.clean.__main__ import main

    assert main([str(tmp_path / "missing")]) == 2
    assert main(["--workers", "0"]) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[cleaners]\ndisable = ['no_such_cleaner']\n")
    assert main(["--config", str(bad)]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["--no-such-flag"])
    assert exc.value.code == 2


def test_explain_prints_removals_by_cleaner(tmp_path, capsys):
    from flows.clean.__main__ import main

    f = tmp_path / "a.txt"
    f.write_text(ARTICLE)
    assert main(["--explain", str(f)]) == 0
    shown = capsys.readouterr().out
    assert "drop_promos" in shown and "CLICK HERE FOR MORE FROM THE VALLEY COURIER" in shown


def test_dask_task_runner_on_a_local_cluster(server, tmp_path):
    pytest.importorskip("prefect_dask")
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_dask import DaskTaskRunner

    from flows.clean import clean_folder

    src, out = _tree(tmp_path), tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with temporary_settings(updates={PREFECT_API_URL: server["url"]}):
            summary = clean_folder.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))(
                inputs=[str(src)], out=str(out), batch_docs=1)
    assert summary["engine"] == "dask" and summary["batches"] == 4
    assert summary["cleaned"] == 3 and summary["failed"] == 1
    assert (out / "sub" / "b.json").exists()


def test_serve_runs_on_a_schedule(server, tmp_path):
    import httpx

    src, out = _tree(tmp_path), tmp_path / "out"
    (src / "junk.bin").unlink()
    proc = subprocess.Popen([sys.executable, "-m", "flows.serve", str(src), "--out", str(out),
                             "--interval", "3", "--name", "test-serve", "--workers", "1"],
                            cwd=ROOT, env=server["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        completed = []
        while time.monotonic() < deadline and proc.poll() is None:
            r = httpx.post(server["url"] + "/flow_runs/filter", timeout=10, json={
                "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
                "deployments": {"name": {"any_": ["test-serve"]}}})
            completed = r.json() if r.status_code == 200 else []
            if completed and list((out / "_runs").glob("*Z.json")):
                break
            time.sleep(2)
        assert completed, "no scheduled run completed in time"
        assert (out / "a.json").exists() and (out / "feed" / "n1.json").exists()
    finally:
        kill_group(proc, signal.SIGINT)
    assert proc.returncode is not None


def test_cli_learns_site_profiles_and_switches_them_off(server, tmp_path):
    """Site profiles in the real flow (issue 7; plain-function tests in test_profiles_flow.py)."""
    from test_profiles import FOOTER
    from test_profiles_flow import doc, write_site

    root, out = tmp_path / "in", tmp_path / "out"
    write_site(root, 0, 30)
    # the block model finds the invented footer on its own: off, so the footer shows the profile's effect
    cfg = tmp_path / "no-model.toml"
    cfg.write_text('[cleaners]\ndisable = ["drop_learned_boilerplate"]\n', encoding="utf-8")

    def cli(*extra):
        return subprocess.run([sys.executable, "-m", "flows.clean", str(root), "--out", str(out), "--quiet",
                               "--workers", "2", "--batch-docs", "8", "--config", str(cfg), *extra],
                              cwd=ROOT, env=server["env"],
                              capture_output=True, text=True, timeout=300)

    first = cli()
    assert first.returncode == 0, first.stderr
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    assert summary["profiles"]["sites_with_boilerplate"] == 1 and summary["cleaned"] == 30
    assert summary["removed_by_cleaner"]["drop_site_boilerplate"] > 30
    assert FOOTER[1] not in doc(out, "gull/p004.json")["text"]
    assert (out / "_profiles" / "gull.json").is_file()
    second = cli("--no-profiles")   # another configuration: every document cleaned again
    assert second.returncode == 0, second.stderr
    assert FOOTER[1] in doc(out, "gull/p004.json")["text"]
