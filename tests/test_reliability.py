"""Reliability end to end: ``python -m flows.clean`` over a hostile folder, killed at random
moments, run twice at once, and compared byte for byte across runs, worker counts and
input orders. Everything is generated under tmp (nothing committed); one Prefect server
serves every run of this module.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from flowrun import (ROOT, check_outputs, cli_args, kill_during_run, kill_group, make_corpus, outputs,
                     run_cli, temp_files)
from hostile import make_hostile_folder

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def env(prefect_server_env):
    return dict(prefect_server_env)


def _caps_can_be_dropped(probe: Path) -> list[str] | None:
    """As root, chmod 000 does not stop reads. Without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH
    root obeys file modes like anyone: run the CLI under ``setpriv`` dropping both from the
    bounding set, if this machine allows it. Returns the command prefix, or None."""
    setpriv = shutil.which("setpriv")
    if not setpriv or os.geteuid() != 0:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    try:
        r = subprocess.run(prefix + ["cat", str(probe)], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if r.returncode != 0 else None


def _errors(out: Path) -> list[dict]:
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text(encoding="utf-8"))
    if not summary.get("errors_file"):
        return []
    return [json.loads(x) for x in (out / summary["errors_file"]).read_text(encoding="utf-8").splitlines()]


def _summary(out: Path) -> dict:
    return json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text(encoding="utf-8"))


def test_hostile_folder(env, tmp_path):
    h = make_hostile_folder(tmp_path / "in")
    out = tmp_path / "out"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if not p.is_symlink()}
    prefix = _caps_can_be_dropped(h.root / h.unreadable)
    r = run_cli([h.root], out, {**env, "PYTHONWARNINGS": "ignore"}, "--workers", "2", prefix=prefix)

    assert r.returncode == 1, r.stderr[-3000:]
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    docs = {rel: json.loads(data) for rel, data in check_outputs(out).items()}
    assert not temp_files(out)
    # every good document written, with its text
    for rel, phrase in h.good.items():
        if rel.startswith("@"):  # sanitised name: found by content
            assert any(phrase in d["text"] for d in docs.values()), f"no output holds {phrase!r}"
        else:
            assert rel in docs, f"{rel} missing; outputs: {sorted(docs)}"
            assert phrase in docs[rel]["text"], (rel, docs[rel]["text"][:200])
            if docs[rel]["stats"]["extraction"] == "text":  # (an HTML <p> holding it all is one paragraph)
                assert "CLICK HERE" not in docs[rel]["text"]
    assert not any(c in d["text"] for d in docs.values() for c in "\r\x00\ufeff")  # CR, NUL, BOM gone
    for rel in h.empty:  # an empty file, and a page nested beyond the parser's depth limit
        assert rel in docs or any(e["source"] == rel.replace(".json", ".html") for e in _errors(out))
    # every bad one in the errors file, with a reason a person understands
    errors = _errors(out)
    for source, words in h.bad.items():
        reasons = " | ".join(e["reason"] for e in errors if e["source"] == source)
        assert reasons, f"{source} is not in the errors file"
        if source == "feed.jsonl":
            assert all(w in reasons for w in words), reasons  # each bad line, by its number
        else:
            assert any(w.lower() in reasons.lower() for w in words), (source, reasons)
    if prefix:
        unreadable = [e for e in errors if e["source"] == h.unreadable]
        assert unreadable and "Permission denied" in unreadable[0]["reason"]
    summary = _summary(out)
    assert summary["failed"] == len(errors) and summary["cleaned"] == len(docs)
    # symlinks out of the root and loops are ignored with a reason, never read
    ignored = {os.path.basename(i["path"]): i["reason"] for i in summary["ignored"]}
    assert {"escape.txt", "escape-dir", "loop-a.txt", "loop-b"} <= set(ignored), ignored
    assert not any("outsidesecret" in d["text"] for d in docs.values())
    # nothing written outside OUT: every other file under tmp is as it was
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")
             if not p.is_symlink() and out not in p.parents and p != out}
    assert after == {p: t for p, t in before.items() if p in after} and set(after) == set(before)
    # ids cannot climb out of OUT: the feed's records live under OUT/feed/
    assert all(not rel.startswith("..") and "/../" not in rel for rel in docs)


def test_killed_at_random_moments_loses_nothing_and_runs_are_byte_identical(env, tmp_path):
    """SIGKILL the whole run (parent, workers) at random moments, re-run after each kill; every
    output on disk parses and validates at every point; the final set equals the full set and
    is byte-identical to an uninterrupted run with --workers 1 and the inputs in reverse order."""
    tops = make_corpus(tmp_path / "in", n_files=450, n_records=120, n_html=6)
    out = tmp_path / "out"
    rng = random.Random(int(os.environ.get("KILLTEST_SEED", "0")) or None)
    record = []
    for _ in range(3):
        record.append(kill_during_run(tops, out, env, rng, "--workers", "2", "--batch-docs", "40"))
        check_outputs(out)  # whatever is on disk right after the kill is complete and valid
    final = run_cli(tops, out, env, "--workers", "2", "--batch-docs", "40")
    assert final.returncode == 0, (record, final.stderr[-3000:])
    assert not temp_files(out)
    got = check_outputs(out)

    ref_out = tmp_path / "ref"
    ref = run_cli(list(reversed(tops)), ref_out, env, "--workers", "1")
    assert ref.returncode == 0, ref.stderr[-3000:]
    want = check_outputs(ref_out)
    assert len(want) == 450 + 120 + 6
    assert sorted(got) == sorted(want), (record, set(want) ^ set(got))
    differ = [rel for rel in want if got[rel] != want[rel]]
    assert not differ, (record, differ[:5])


def test_two_runs_into_one_out_do_not_interleave(env, tmp_path):
    tops = make_corpus(tmp_path / "in", n_files=300, n_records=0, n_html=0, folders=1)
    out = tmp_path / "out"
    first = subprocess.Popen(cli_args(tops, out, "--workers", "2", "--batch-docs", "25"), cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        lock = out / "_state" / "lock"
        deadline = time.monotonic() + 240
        while not (lock.exists() and lock.stat().st_size) and first.poll() is None:
            assert time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.1)
        second = run_cli(tops, out, env, "--workers", "1")
        _, first_err = first.communicate(timeout=600)
    finally:
        kill_group(first)
    if first.returncode == 0 and second.returncode == 0:
        pytest.skip("the first run finished before the second started (slow start-up): nothing overlapped")
    assert second.returncode == 3, second.stderr
    assert "in use by another declutter run" in second.stderr and "Traceback" not in second.stderr
    assert second.stderr.count("\n") == 1  # one line
    assert first.returncode == 0, first_err[-3000:]
    assert len(check_outputs(out)) == 300 and not temp_files(out)
