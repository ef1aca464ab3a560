"""The run streams: discovery, planning and batching hold a bounded window, never every document
(issue 5, figure 5). Plain functions, no Prefect."""
from __future__ import annotations

import os

from flows import runlog
from flows.discover import Discovery, discover, iter_sources
from flows.batches import batches, iter_batches
from flows.plan import Item, Planner
from flows.manifest import Entry, Manifest

ARTICLE = "A paragraph of plain prose that is long enough to count as text for the cleaners.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_lazy_walk_gives_the_order_of_sorting_every_path(tmp_path):
    # names chosen so that walking folder by folder in plain name order ("a" before "a-1.txt")
    # differs from sorting the relative paths ("a-1.txt" < "a.txt" < "a/b.txt" < "a0/y.txt")
    names = ["a/x.txt", "a.txt", "a-1.txt", "a0/y.txt", "a/b/z.txt", "a/b.txt", "ab.txt", "b/a/c.txt",
             "b/a.txt", "b-/d.txt", "é.txt", "Z.txt"]
    for n in names:
        write(tmp_path / "in" / n, ARTICLE)
    rels = [s.rel for s in iter_sources([str(tmp_path / "in")])]
    assert rels == sorted(names)
    assert rels == [s.rel for s in discover([str(tmp_path / "in")]).sources]


def test_lazy_walk_reads_one_listing_at_a_time(tmp_path, monkeypatch):
    for d in range(5):
        for f in range(3):
            write(tmp_path / "in" / f"d{d}" / f"{f}.txt", ARTICLE)
    opened = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: (opened.append(p), real(p))[1])
    found = Discovery()
    it = iter_sources([str(tmp_path / "in")], found=found)
    first = next(it)
    assert first.rel == "d0/0.txt"
    assert len(opened) == 2  # the root and d0, not the whole tree
    assert len(list(it)) == 14 and len(opened) == 6 and not found.sources


def test_overlapping_inputs_give_each_file_once(tmp_path):
    write(tmp_path / "in" / "x" / "a.txt", ARTICLE)
    write(tmp_path / "in" / "b.txt", ARTICLE)
    root = str(tmp_path / "in")
    rels = [s.rel for s in iter_sources([root, root, os.path.join(root, "*.txt")])]
    assert rels == ["b.txt", "x/a.txt"]


def test_planner_reads_sources_only_as_items_are_taken(tmp_path):
    for i in range(10):
        write(tmp_path / "in" / f"{i}.txt", ARTICLE)
    pulled = []

    def sources():
        for s in iter_sources([str(tmp_path / "in")]):
            pulled.append(s.rel)
            yield s

    p = Planner({}.get, out_root=str(tmp_path / "out"), pipeline_version="t", config_fp="c")
    it = p.items(sources())
    assert next(it).source == "0.txt" and pulled == ["0.txt"]
    assert len(list(it)) == 9 and p.files == 10 and p.todo == 10 and p.documents == 10


def test_planner_skips_through_point_lookups_and_names_a_colliding_owner(tmp_path):
    out = tmp_path / "out"
    write(tmp_path / "in" / "a.md", ARTICLE)
    write(tmp_path / "in" / "a.txt", ARTICLE)
    write(tmp_path / "in" / "b.txt", ARTICLE)
    import hashlib

    sha = hashlib.sha256((tmp_path / "in" / "b.txt").read_bytes()).hexdigest()
    write(out / "b.json", "{}")
    with Manifest(str(out)) as man:
        man.record([Entry("b.json", "b.txt", sha, "t", "c")])
        assert man.get("b.json") == Entry("b.json", "b.txt", sha, "t", "c") and man.get("nope.json") is None
        errors, skipped = [], []
        p = Planner(man.get, out_root=str(out), pipeline_version="t", config_fp="c",
                    on_error=errors.append, on_skip=skipped.append)
        todo = [i.source for i in p.items(iter_sources([str(tmp_path / "in")]))]
    assert todo == ["a.md"] and skipped == ["b.json"]
    assert "a.json already comes from a.md" in errors[0]["reason"]
    assert (p.todo, p.skipped, p.errors, p.documents) == (1, 1, 1, 3)


def _items(n, size=100):
    return [Item(source=str(i), out=f"{i}.json", sha256="", kind="text", size=size) for i in range(n)]


def test_batches_read_a_bounded_window_ahead():
    items = _items(20_000)
    pulled = 0

    def gen():
        nonlocal pulled
        for i in items:
            pulled += 1
            yield i

    it = iter_batches(gen(), workers=2, max_docs=250)
    first = next(it)
    assert len(first.items) == 250 and pulled <= 4 * 2 * 250 + 1
    rest = list(it)
    assert [len(b.items) for b in [first, *rest]] == [len(b.items) for b in batches(items, workers=2)]
    assert [i for b in [first, *rest] for i in b.items] == items


def _batches_knowing_everything(items, *, workers, max_docs, min_docs=25, max_bytes=16 * 1024 * 1024):
    """The specification: batch sizes computed from the whole list up front (the planner before
    it streamed, commit b87e136)."""
    import math

    w = max(1, workers)
    per = min(max_docs, max(min_docs, math.ceil(len(items) / (w * 4)))) if items else 0
    tail = max(min_docs, per // 4)
    out, cur, size, limit, left = [], [], 0, per, len(items)
    for item in items:
        if cur and (len(cur) >= limit or size + item.size > max_bytes):
            out.append(len(cur))
            left -= len(cur)
            cur, size = [], 0
        if not cur and w > 1:
            limit = min(per, max(tail, math.ceil(left / (2 * w))))
        cur.append(item)
        size += item.size
    return out + ([len(cur)] if cur else [])


def test_batches_of_a_stream_equal_those_of_knowing_every_item():
    # the window is all the sizes need: around its edge (4 x workers x max_docs) too
    import random

    rnd = random.Random(5)
    for n in (0, 1, 24, 26, 399, 400, 401, 1999, 2000, 2001, 2600, 5003):
        for w in (1, 2, 3):
            for max_bytes in (16 * 1024 * 1024, 30_000):
                items = [Item(source=str(i), out=f"{i}.json", sha256="", kind="text",
                              size=rnd.choice([10, 100, 5000])) for i in range(n)]
                spec = _batches_knowing_everything(items, workers=w, max_docs=100, max_bytes=max_bytes)
                streamed = [len(b.items) for b in iter_batches(iter(items), workers=w, max_docs=100,
                                                                max_bytes=max_bytes)]
                assert streamed == spec, (n, w, max_bytes)


def test_run_log_counts_every_error_but_keeps_only_the_first_inline(tmp_path):
    log = runlog.RunLog(str(tmp_path))
    for i in range(runlog.INLINE_ERRORS + 15):
        log.add_errors([{"source": str(i), "reason": "bad"}])
    s = runlog.new_summary()
    log.finish(s)
    assert s["errors_total"] == runlog.INLINE_ERRORS + 15 and len(s["errors"]) == runlog.INLINE_ERRORS
    with open(log.errors_path, encoding="utf-8") as f:
        assert len(f.readlines()) == runlog.INLINE_ERRORS + 15


def test_spools_give_back_what_was_added_on_every_pass(tmp_path):
    from flows.spool import BatchSpool, LineSpool

    bs = batches(_items(1000), workers=2, max_docs=100)
    spool = BatchSpool(str(tmp_path / "not-yet"))  # made when missing
    for b in bs:
        spool.add(b, tuple(f"site{i % 3}" for i in range(len(b.items))))
    assert len(spool) == len(bs)
    first = list(spool)
    assert [b for b, _ in first] == bs and first == list(spool)  # read again from the start
    assert first[0][1][:4] == ("site0", "site1", "site2", "site0")
    spool.close()
    lines = LineSpool(str(tmp_path / "not-yet"))
    for name in ("a.json", "dir/b.json", "caf\udcc3.json"):  # a non-UTF-8 name survives too
        lines.add(name)
    assert list(lines) == ["a.json", "dir/b.json", "caf\udcc3.json"] == list(lines)
    lines.close()
    assert not list((tmp_path / "not-yet").iterdir())  # anonymous files: nothing left behind


def test_unchanged_files_are_skipped_without_being_read(tmp_path, monkeypatch):
    import builtins

    from flows import plan as plan_mod
    from flows.worker import Options, clean_batch

    root, out = tmp_path / "in", tmp_path / "out"
    for i in range(3):
        write(root / f"{i}.txt", ARTICLE + f"Number {i}.\n")
    reads: list[str] = []

    def counting_open(path, *a, **k):
        reads.append(os.path.basename(path))
        return builtins.open(path, *a, **k)

    monkeypatch.setattr(plan_mod, "open", counting_open, raising=False)

    def run_once():
        reads.clear()
        with Manifest(str(out)) as man:
            p = Planner(man.get, out_root=str(out), pipeline_version="t", config_fp="c", refresh=man.refresh_stat)
            todo = list(p.items(iter_sources([str(root)])))
            if todo:
                st = clean_batch(batches(todo)[0], Options(out_root=str(out), pipeline_version="t", config_fp="c"))
                man.record(st.done)
        return [i.source for i in todo], sorted(reads), p.skipped

    assert run_once() == (["0.txt", "1.txt", "2.txt"], ["0.txt", "1.txt", "2.txt"], 0)
    assert run_once() == ([], [], 3)                      # unchanged: not even read
    os.utime(root / "1.txt", ns=(1, 10**18))              # touched: read, same sha256, new stat kept
    assert run_once() == ([], ["1.txt"], 3)
    assert run_once() == ([], [], 3)
    before = os.stat(root / "2.txt")                      # same size, mtime put back: ctime moved
    (root / "2.txt").write_text(ARTICLE + "Number X.\n", encoding="utf-8")
    os.utime(root / "2.txt", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(root / "2.txt").st_size == before.st_size
    assert run_once() == (["2.txt"], ["2.txt"], 2)
    (out / "0.json").unlink()                             # an output gone: made again
    assert run_once() == (["0.txt"], ["0.txt"], 2)


def test_a_manifest_from_before_the_stat_columns_is_migrated(tmp_path):
    import sqlite3

    from flows.manifest import manifest_path

    path = manifest_path(str(tmp_path))
    os.makedirs(os.path.dirname(path))
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE outputs (out TEXT PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL, "
               "pipeline_version TEXT NOT NULL, config TEXT NOT NULL)")
    db.execute("INSERT INTO outputs VALUES ('a.json', 'a.txt', 'ab', 'v', 'c')")
    db.commit()
    db.close()
    with Manifest(str(tmp_path)) as man:
        e = man.get("a.json")
        assert e == Entry("a.json", "a.txt", "ab", "v", "c") and e.stat is None
        man.refresh_stat("a.json", (1, 2, 3))  # buffered, written at close
    with Manifest(str(tmp_path)) as man:
        assert man.get("a.json").stat == (1, 2, 3)


def test_refreshed_stats_are_written_in_few_transactions(tmp_path):
    from flows import manifest

    with Manifest(str(tmp_path)) as man:
        man.record([Entry(f"{i}.json", f"{i}.txt", "ab", "v", "c", 1, 1, 1) for i in range(2500)])
        commits = []
        man._db.set_trace_callback(lambda sql: commits.append(sql) if sql.startswith("COMMIT") else None)
        for i in range(2500):
            man.refresh_stat(f"{i}.json", (2, 2, 2))
    assert len(commits) == -(-2500 // manifest.REFRESH_BATCH)  # 1,000 + 1,000 + the rest at close
    with Manifest(str(tmp_path)) as man:
        assert {man.get(f"{i}.json").stat for i in range(2500)} == {(2, 2, 2)}


def test_each_document_is_looked_up_in_the_manifest_once(tmp_path):
    for i in range(5):
        write(tmp_path / "in" / f"{i}.txt", ARTICLE)
    asked: list[str] = []
    p = Planner(lambda out: asked.append(out), out_root=str(tmp_path / "out"), pipeline_version="t", config_fp="c")
    assert len(list(p.items(iter_sources([str(tmp_path / "in")])))) == 5
    assert asked == [f"{i}.json" for i in range(5)]  # the fast path's lookup is reused
