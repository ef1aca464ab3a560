"""Faults on a real engine: the CLI survives a poison document (exit 1, one calm line), and a
Dask worker of a LocalCluster killed during a run costs a retry, not documents."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from flows import worker

pytestmark = pytest.mark.engine

GOOD = ("The harbour council approved the repairs to the sea wall on Tuesday after a long debate.\n\n"
        "Engineers said the work would take two winters and close the quay for a month.\n")


def _corpus(root: Path, n: int, poison: dict[int, str]) -> Path:
    root.mkdir()
    for i in range(n):
        extra = "\n" + worker.FAULT_MARK.decode() + poison[i] + "\n" if i in poison else ""
        (root / f"d{i:03d}.txt").write_text(GOOD.replace("Tuesday", f"day {i}") + extra)
    return root


def test_dask_worker_killed_during_a_run_costs_no_document(prefect_server_env, tmp_path, monkeypatch):
    pytest.importorskip("prefect_dask")
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_dask import DaskTaskRunner

    from flows.clean import clean_folder

    monkeypatch.setenv(worker.FAULTS_ENV, "1")  # inherited by the cluster's worker processes
    monkeypatch.setenv(worker.FAULTS_ENV + "_DIR", str(tmp_path))
    src, out = _corpus(tmp_path / "in", 24, {9: "killonce"}), tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with temporary_settings(updates={PREFECT_API_URL: prefect_server_env["PREFECT_API_URL"]}):
            summary = clean_folder.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))(
                inputs=[str(src)], out=str(out), batch_docs=3, profiles=False)
    assert list(tmp_path.glob("killed-*")), "no worker was killed: the test tested nothing"
    assert summary["engine"] == "dask"
    assert summary["failed"] == 0 and summary["cleaned"] == 24, summary.get("errors")
    assert sorted(p.name for p in out.glob("*.json")) == [f"d{i:03d}.json" for i in range(24)]


def test_cli_survives_a_poison_document_calmly(prefect_server_env, tmp_path):
    """A document that kills its worker every time, and one that hangs in C: exit 1, each named in
    one line, every other document written, no traceback on the terminal, the real engine and
    the whole wall time (start-up included) in the run log."""
    from flowrun import run_cli

    env = {**prefect_server_env, worker.FAULTS_ENV: "1"}
    src, out = _corpus(tmp_path / "in", 30, {7: "kill", 20: "hang"}), tmp_path / "out"
    r = run_cli([src], out, env, "--workers", "2", "--batch-docs", "5", "--time-limit", "2")
    assert r.returncode == 1, r.stderr[-3000:]
    assert "Traceback" not in r.stderr + r.stdout
    assert "2 of 30 documents failed" in r.stderr
    written = sorted(p.name for p in out.glob("*.json"))
    assert written == [f"d{i:03d}.json" for i in range(30) if i not in (7, 20)]
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    assert summary["engine"] == "processes" and summary["workers"] == 2
    assert summary["timings"]["total"] > summary["timings"]["flow"]
    errors = {e["source"]: e for e in map(json.loads, (out / summary["errors_file"]).read_text().splitlines())}
    assert errors["d007.txt"]["reason"] == "worker died (SIGKILL) while cleaning this document; retried 2x"
    assert errors["d020.txt"]["error"] == "TimeLimit"
    assert all(e["output"] is None for e in errors.values())

    # an input deleted: its output is stale (counted), and with --prune removed and listed
    for i in (0, 7, 20):
        (src / f"d{i:03d}.txt").unlink()
    r = run_cli([src], out, env, "--workers", "2")
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    assert summary["stale"] == 1 and summary["skipped"] == 27 and (out / "d000.json").exists()
    r = run_cli([src], out, env, "--workers", "2", "--prune")
    assert r.returncode == 0, r.stderr[-3000:]
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    assert summary["pruned_outputs"] == ["d000.json"] and not (out / "d000.json").exists()


def test_dask_batch_that_keeps_killing_workers_is_split_to_its_poison(prefect_server_env, tmp_path, monkeypatch):
    """Dask gives up on a task after distributed.scheduler.allowed-failures lost workers
    (KilledWorker): the flow retries the batch, then bisects it. Slow (~1-2 min: every death
    restarts a Dask worker)."""
    pytest.importorskip("prefect_dask")
    import dask
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_dask import DaskTaskRunner

    from flows.clean import clean_folder

    monkeypatch.setenv(worker.FAULTS_ENV, "1")
    src, out = _corpus(tmp_path / "in", 6, {4: "kill"}), tmp_path / "out"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with temporary_settings(updates={PREFECT_API_URL: prefect_server_env["PREFECT_API_URL"]}):
                summary = clean_folder.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))(
                    inputs=[str(src)], out=str(out), batch_docs=3, profiles=False)
    assert summary["cleaned"] == 5 and summary["failed"] == 1
    (err,) = summary["errors"]
    assert err["source"] == "d004.txt" and err["error"] == "WorkerDied"
    assert err["reason"] == "worker lost (KilledWorker) while cleaning this document; retried 2x"
    assert sorted(p.name for p in out.glob("*.json")) == [f"d{i:03d}.json" for i in range(6) if i != 4]
