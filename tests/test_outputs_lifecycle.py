"""Outputs made durable before they count (flows.output Writer(durable=True)), and stale outputs
found and pruned (flows.stale). Plain Python, no Prefect."""
from __future__ import annotations

import json
import os

from flows import output, stale, worker
from flows.discover import iter_sources
from flows.batches import Batch
from flows.plan import Planner
from flows.manifest import Manifest

TEXT = "The harbour council approved the repairs to the sea wall on Tuesday after a long debate.\n"


def test_durable_writes_are_flushed_before_they_are_put_in_place(tmp_path, monkeypatch):
    calls = []
    real_replace, real_fsync_dir = os.replace, output.fsync_dir
    monkeypatch.setattr(output, "_SYNCFS", lambda fd: calls.append(("sync",)) or 0)
    monkeypatch.setattr(output.os, "replace", lambda a, b: (calls.append(("replace", os.path.basename(b))),
                                                            real_replace(a, b))[1])
    monkeypatch.setattr(output, "fsync_dir", lambda d: (calls.append(("dir", os.path.basename(d))),
                                                        real_fsync_dir(d))[1])
    w = output.Writer(str(tmp_path), durable=True)
    for i in range(3):
        w.write(f"sub/d{i}.json", b"{}", key=i)
    assert not (tmp_path / "sub" / "d0.json").exists()  # not an output until committed
    assert w.commit() == []
    # one flush for the batch, then the renames, then each folder once
    assert calls == [("sync",), ("replace", "d0.json"), ("replace", "d1.json"), ("replace", "d2.json"),
                     ("dir", "sub")]
    assert (tmp_path / "sub" / "d2.json").read_bytes() == b"{}"
    assert not os.listdir(output.tmp_dir(str(tmp_path)))


def test_without_syncfs_each_file_is_fsynced(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(output, "_SYNCFS", None)
    monkeypatch.setattr(output.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    w = output.Writer(str(tmp_path), durable=True)
    w.write("a.json", b"1")
    w.write("b.json", b"2")
    w.commit()
    assert len(synced) == 3  # two files, one folder
    assert (tmp_path / "a.json").read_bytes() == b"1"


def _run(src, out, man):
    planner = Planner(man.get, out_root=str(out), pipeline_version="t", config_fp="d")
    items = tuple(planner.items(iter_sources([str(src)])))
    if items:
        man.record(worker.clean_batch(Batch(0, items), worker.Options(out_root=str(out), pipeline_version="t",
                                                                  config_fp="d")).done)
    return planner


def test_outputs_of_gone_inputs_are_stale_and_pruned(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    for name in ("a.txt", "sub/b.txt", "c.txt"):
        (src / name).write_text(TEXT.replace("Tuesday", name))
    (src / "feed.jsonl").write_text("".join(json.dumps({"id": f"r{i}", "text": TEXT + str(i)}) + "\n"
                                            for i in range(3)))
    other = tmp_path / "other"  # another input cleaned into the same OUT: never stale while it exists
    other.mkdir()
    (other / "x.txt").write_text(TEXT)
    with Manifest(str(out)) as man:
        _run(src, out, man)
        _run(other, out, man)
        assert (out / "feed" / "r2.json").exists() and (out / "x.json").exists()

        (src / "sub" / "b.txt").unlink()
        (src / "feed.jsonl").write_text("".join(json.dumps({"id": f"r{i}", "text": TEXT + str(i)}) + "\n"
                                                for i in range(2)))
        planner = _run(src, out, man)
        gone = stale.find(man.inputs(), planner.claimed, planner.feeds_read)
        assert sorted(gone) == ["feed/r2.json", "sub/b.json"]

        man.forget(stale.prune(str(out), gone))
        assert not (out / "sub").exists() and not (out / "feed" / "r2.json").exists()
        assert (out / "a.json").exists() and (out / "x.json").exists() and (out / "feed" / "r1.json").exists()
        assert man.get("sub/b.json") is None and man.get("x.json") is not None
        planner = _run(src, out, man)
        assert stale.find(man.inputs(), planner.claimed, planner.feeds_read) == []


def test_an_input_named_in_bytes_that_are_not_utf8_is_recorded_and_found_stale(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes: a lone surrogate in Python
    (src / name).write_text(TEXT)
    (src / "b.txt").write_text(TEXT)
    with Manifest(str(out)) as man:
        _run(src, out, man)
        assert dict(man.inputs())["caf\\xe9.json"] == str(src / name)
        (src / name).unlink()
        planner = _run(src, out, man)
        assert stale.find(man.inputs(), planner.claimed, planner.feeds_read) == ["caf\\xe9.json"]
