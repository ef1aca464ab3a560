"""Faults (issue 14): a worker that dies, hangs in C or allocates without bound costs the
document that did it, never its batch. Real worker processes (flows.pool), no Prefect.

The poison documents use worker.py's test-only fault hook: DECLUTTER_TEST_FAULTS=1 in the
environment (set here, inherited by the spawned workers) and a marker in the document.
"""
from __future__ import annotations

import json
import os

import pytest

from flows import pool as worker_pool, supervise, worker
from flows.discover import discover
from flows.batches import Batch
from flows.plan import plan

GOOD = ("The harbour council approved the repairs to the sea wall on Tuesday after a long debate.\n\n"
        "Engineers said the work would take two winters and close the quay for a month.\n")


def _corpus(root, poison: dict[str, str], n_good: int = 6):
    root.mkdir()
    for i in range(n_good):
        (root / f"good{i}.txt").write_text(GOOD.replace("Tuesday", f"day {i}"))
    for name, what in poison.items():
        (root / name).write_text(GOOD + "\n" + worker.FAULT_MARK.decode() + what + "\n")
    return root


def _batch(root, out) -> Batch:
    p = plan(discover([str(root)]).sources, {}, out_root=str(out), pipeline_version="t", config_fp="d")
    return Batch(0, tuple(p.todo))


@pytest.fixture
def faults(monkeypatch):
    monkeypatch.setenv(worker.FAULTS_ENV, "1")


def _run(batch, opts, n=2):
    workers = worker_pool.start(n, memory_limit=opts.memory_limit, hard_limit=worker.hard_limit(opts.time_limit))
    try:
        return supervise.clean(lambda b: workers.run(worker.clean_batch, b, opts), batch, opts), workers.replaced
    finally:
        workers.shutdown()


def test_poison_documents_are_recorded_and_the_rest_of_the_batch_is_written(tmp_path, faults):
    root = _corpus(tmp_path / "in", {"k-kill.txt": "kill", "h-hang.txt": "hang"})
    out = tmp_path / "out"
    opts = worker.Options(out_root=str(out), pipeline_version="t", config_fp="d", time_limit=1.0)
    st, replaced = _run(_batch(root, out), opts)

    by = {e["source"]: e for e in st.errors}
    assert set(by) == {"k-kill.txt", "h-hang.txt"}
    assert by["k-kill.txt"]["error"] == "WorkerDied"
    assert by["k-kill.txt"]["reason"] == "worker died (SIGKILL) while cleaning this document; retried 2x"
    assert by["h-hang.txt"]["error"] == "TimeLimit" and "killed and replaced" in by["h-hang.txt"]["reason"]
    assert all(e["output"] is None for e in st.errors)  # nothing was written for them
    assert st.cleaned == 6 and st.failed == 2 and st.documents == 8
    assert sorted(st.failed_outputs) == ["h-hang.json", "k-kill.json"]
    assert sorted(e.out for e in st.done) == [f"good{i}.json" for i in range(6)]
    for i in range(6):
        assert "sea wall" in json.loads((out / f"good{i}.json").read_text())["text"]
    assert not any((out / n).exists() for n in ("k-kill.json", "h-hang.json"))
    assert replaced == 4  # three deaths of the killer, one hang
    assert st.retries >= 2


def test_a_document_allocating_without_bound_fails_alone(tmp_path, faults):
    root = _corpus(tmp_path / "in", {"m-alloc.txt": "alloc"}, n_good=3)
    out = tmp_path / "out"
    opts = worker.Options(out_root=str(out), pipeline_version="t", config_fp="d", time_limit=None,
                        memory_limit=512 * 2**20)
    st, replaced = _run(_batch(root, out), opts, n=1)
    assert [(e["source"], e["error"]) for e in st.errors] == [("m-alloc.txt", "MemoryLimit")]
    assert "512 MiB" in st.errors[0]["reason"] and "--max-memory" in st.errors[0]["reason"]
    assert st.cleaned == 3 and replaced == 0  # caught in the worker, which goes on


def test_a_worker_killed_from_outside_costs_a_retry_not_a_document(tmp_path):
    """A worker killed once (the OOM killer choosing it, an operator): the document it was
    cleaning is retried in a fresh worker and written; nothing is recorded as failed."""
    root = _corpus(tmp_path / "in", {})
    out = tmp_path / "out"
    opts = worker.Options(out_root=str(out), pipeline_version="t", config_fp="d")
    batch = _batch(root, out)
    calls = []

    def run(b):
        calls.append(len(b.items))
        if len(calls) == 1:
            raise worker_pool.WorkerLost("worker died (SIGKILL)", 3)
        return worker.clean_batch(b, opts)

    st = supervise.clean(run, batch, opts)
    assert st.failed == 0 and st.cleaned == 6 and len(st.done) == 6
    assert calls == [6, 1, 3, 2]  # the whole batch; the suspect alone; those before it; those after
    assert st.retries == 4  # the suspect once, the three before it again


def test_an_unnamed_loss_is_bisected_to_the_document(tmp_path):
    """Where the lost worker cannot say which document it was on (a Dask KilledWorker), the
    batch is retried once, then split until the killer is alone."""
    root = _corpus(tmp_path / "in", {})
    out = tmp_path / "out"
    opts = worker.Options(out_root=str(out), pipeline_version="t", config_fp="d")
    batch = _batch(root, out)
    poison = batch.items[4].source

    class KilledWorker(Exception):
        pass

    def run(b):
        if any(i.source == poison for i in b.items):
            raise KilledWorker("attempted to run task on 4 workers, all died")
        return worker.clean_batch(b, opts)

    st = supervise.clean(run, batch, opts)
    assert [e["source"] for e in st.errors] == [poison]
    assert st.errors[0]["reason"] == "worker lost (KilledWorker) while cleaning this document; retried 2x"
    assert st.cleaned == 5 and st.failed == 1 and st.documents == 6


def test_an_ordinary_exception_is_not_taken_for_a_lost_worker(tmp_path):
    root = _corpus(tmp_path / "in", {}, n_good=2)
    opts = worker.Options(out_root=str(tmp_path / "out"), pipeline_version="t", config_fp="d")

    def run(b):
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        supervise.clean(run, _batch(root, tmp_path / "out"), opts)


def test_the_fault_hook_needs_its_variable(tmp_path, monkeypatch):
    """Without DECLUTTER_TEST_FAULTS a document holding the marker is just text."""
    monkeypatch.delenv(worker.FAULTS_ENV, raising=False)
    root = _corpus(tmp_path / "in", {"k-kill.txt": "kill"}, n_good=0)
    out = tmp_path / "out"
    st = worker.clean_batch(_batch(root, out), worker.Options(out_root=str(out), pipeline_version="t",
                                                          config_fp="d"))
    assert st.cleaned == 1 and os.path.exists(out / "k-kill.json")


def test_profiling_leaves_out_the_document_that_killed_its_worker(tmp_path):
    root = _corpus(tmp_path / "in", {}, n_good=4)
    batch = _batch(root, tmp_path / "out")
    seen = []

    def run(b):
        seen.append([i.source for i in b.items])
        if "good1.txt" in seen[-1]:
            raise worker_pool.WorkerLost("worker died (SIGSEGV)", seen[-1].index("good1.txt"))
        from flows.site_profiles import ProfileBatch

        return ProfileBatch(index=b.index)

    res = supervise.profile(run, batch)
    assert res.failed == 1 and seen[-1] == ["good0.txt", "good2.txt", "good3.txt"]


def test_a_worker_lost_before_it_started_the_document_is_no_strike(tmp_path):
    """Random kills can hit the fresh worker a retry waits for, while it boots: those losses
    name no document and do not count against the one being retried."""
    root = _corpus(tmp_path / "in", {}, n_good=3)
    out = tmp_path / "out"
    opts = worker.Options(out_root=str(out), pipeline_version="t", config_fp="d")
    calls = []

    def run(b):
        calls.append(len(b.items))
        if len(calls) == 1:
            raise worker_pool.WorkerLost("worker died (SIGKILL)", 1)
        if 2 <= len(calls) <= 4:  # the retry's worker, killed three times while it booted
            raise worker_pool.WorkerLost("worker died (SIGKILL)", None)
        return worker.clean_batch(b, opts)

    st = supervise.clean(run, _batch(root, out), opts)
    assert st.failed == 0 and st.cleaned == 3, st.errors
