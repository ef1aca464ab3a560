"""WARC input (issue 15, section 1): the fixture WARC of tests/warc_support.py through the
reader, the planner and the workers (no Prefect here; the CLI end to end is the engine test
at the end), and its documents against fixtures/warc-records/expected.json."""
from __future__ import annotations

import gzip
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from fastwarc import GzipWriter, WarcRecord, WarcRecordType

import cleaners
from cleaners.document import to_json
from flows import records, warc
from flows.discover import discover
from flows.batches import batches
from flows.plan import Planner, plan
from flows.worker import Options, clean_batch
from warc_support import (AFTER_CORRUPT_N, CORRUPT_N, DATE, EXPECTED_SKIPS, TRUNCATED_N, doc_records, doc_urls,
                          page_bytes, record_id, uuid_for, write_fixture_warc)

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "fixtures" / "warc-records" / "expected.json"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    path = tmp_path_factory.mktemp("warc") / "in" / "crawl.warc.gz"
    offsets = write_fixture_warc(path)
    return path, offsets


def opts(out):
    return Options(out_root=str(out), pipeline_version="test", config_fp="default")


def plan_of(root, out, manifest=None, force=False, max_bytes=16 * 1024 * 1024):
    found = discover([str(root)], exclude=[str(out)])
    return plan(found.sources, manifest or {}, out_root=str(out), pipeline_version="test",
                config_fp="default", force=force, max_bytes=max_bytes)


def run_records(root, out, **kw):
    """Plan and clean every batch in this process; (plan, [BatchStats])."""
    p = plan_of(root, out, **kw)
    return p, [clean_batch(b, opts(out)) for b in batches(p.todo)]


# -- the reader ------------------------------------------------------------------

def test_scan_reads_documents_counts_the_rest_and_goes_on_after_damage(crawl):
    path, offsets = crawl
    got = list(warc.scan(str(path)))
    docs = [e for e in got if isinstance(e, warc.WarcDoc)]
    assert {warc.record_key(d.record_id) for d in docs} == set(doc_records())
    skips: dict[str, int] = {}
    for e in got:
        if isinstance(e, warc.WarcSkip):
            skips[e.key] = skips.get(e.key, 0) + 1
    assert skips == EXPECTED_SKIPS
    errors = [e for e in got if isinstance(e, warc.WarcError)]
    assert [e.offset for e in errors] == [offsets[CORRUPT_N], offsets[TRUNCATED_N]]
    assert "corrupt" in errors[0].reason and "truncated" in errors[1].reason
    # the record after the damaged one is read, at its own offset, and can be read again there
    after = next(d for d in docs if d.record_id == record_id(AFTER_CORRUPT_N))
    assert after.offset == offsets[AFTER_CORRUPT_N] and after.seekable
    again = warc.read_at(str(path), after.offset, record_id=after.record_id)
    assert again.payload == after.payload == page_bytes("html-extraction-drops-newsletter-share")
    assert again.sha256 == after.sha256
    resource = next(d for d in docs if d.type == "resource")
    assert resource.content_type == "text/html"
    sniffed = next(d for d in docs if d.uri.endswith("council-vote"))
    assert sniffed.content_type is None  # no Content-Type: sniffed as HTML


def test_scan_is_lazy_a_record_at_a_time(tmp_path, monkeypatch):
    """The first record comes out with the reader near the start of a 5 MB WARC: the file is
    never read whole (records are pulled as the planner asks for them)."""
    body = PAGE * 400  # ~80 KB a page, little compressible variety: 60+ records
    (tmp_path / "big.warc").write_bytes(_plain([(f"https://e.x/{i}", "text/html", body + b"%d" % i)
                                                for i in range(64)]))
    reads = []
    real_open = open

    class Tracked:
        def __init__(self, f):
            self.f = f

        def read(self, n=-1):
            data = self.f.read(n)
            reads.append(self.f.tell())
            return data

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(warc, "open", lambda *a, **k: Tracked(real_open(*a, **k)), raising=False)
    it = warc.scan(str(tmp_path / "big.warc"))
    first = next(it)
    assert first.uri == "https://e.x/0"
    size = (tmp_path / "big.warc").stat().st_size
    assert size > 5_000_000 and max(reads) < size // 10
    assert sum(1 for _ in it) == 63


def test_scan_survives_any_damage(crawl, tmp_path):
    """Cut anywhere or with bytes overwritten anywhere, the WARC still reads to its end: the
    scan never raises, every good record before the damage is a document, and every
    record after it that is intact is found again."""
    import random

    path, offsets = crawl
    data = path.read_bytes()
    good = {d.offset for d in warc.scan(str(path)) if isinstance(d, warc.WarcDoc)}
    rng = random.Random(15)
    target = tmp_path / "d.warc.gz"
    for trial in range(60):
        if trial % 2:
            cut = rng.randrange(len(data))
            damaged, at = data[:cut], cut
        else:
            at = rng.randrange(len(data) - 16)
            damaged = data[:at] + bytes(rng.randrange(256) for _ in range(16)) + data[at + 16:]
        target.write_bytes(damaged)
        got = list(warc.scan(str(target)))
        docs = {d.offset for d in got if isinstance(d, warc.WarcDoc)}
        starts = sorted(set(offsets.values()))
        hit = max(o for o in starts if o <= at)  # the record the damage is in
        nxt = [o for o in starts if o > at + 16]
        before = {o for o in good if o < hit}
        after = {o for o in good if nxt and o >= nxt[0]} if trial % 2 == 0 else set()
        assert before | after <= docs, (trial, at)


def test_read_at_refuses_a_record_that_is_not_the_one_planned(crawl):
    path, offsets = crawl
    with pytest.raises(records.InputError, match="not the one planned"):
        warc.read_at(str(path), offsets[11], record_id=record_id(21))
    with pytest.raises(records.InputError):
        warc.read_at(str(path), offsets[11] + 3, record_id=record_id(11))


def _plain(recs: list[tuple[str, str, bytes]]) -> bytes:
    """An uncompressed WARC of (uri, content type, body) responses, by FastWARC's writer."""
    out = io.BytesIO()
    for n, (uri, ctype, body) in enumerate(recs):
        r = WarcRecord()
        r.init_headers(WarcRecordType.response, f"uuid:{uuid_for(500 + n)}".encode())
        r.headers.set("WARC-Date", DATE)
        r.headers.append("WARC-Target-URI", uri)
        r.headers.append("Content-Type", "application/http; msgtype=response")
        r.set_bytes_content(f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n\r\n".encode() + body)
        r.write(out)
    return out.getvalue()


PAGE = b"<html><body><p>" + b"A paragraph of the page, long enough to be kept as prose here. " * 3 + b"</p></body></html>"


def test_uncompressed_warc_with_a_wrong_length_loses_only_that_record(tmp_path):
    data = _plain([(f"https://e.x/{i}", "text/html", PAGE) for i in range(4)])
    second = data.index(b"WARC/1.", 1)
    third = data.index(b"WARC/1.", second + 1)
    # the second record loses 30 bytes of its payload: its Content-Length now runs into the third
    damaged = data[:third - 40] + data[third - 10:]
    (tmp_path / "a.warc").write_bytes(damaged)
    got = list(warc.scan(str(tmp_path / "a.warc")))
    assert [type(e).__name__ for e in got] == ["WarcDoc", "WarcError", "WarcDoc", "WarcDoc"]
    assert got[1].offset == second and "length" in got[1].reason
    assert [d.uri for d in got if isinstance(d, warc.WarcDoc)] == ["https://e.x/0", "https://e.x/2", "https://e.x/3"]


def test_a_warc_gzipped_as_one_stream_is_read_with_its_payloads_carried(tmp_path):
    data = _plain([(f"https://e.x/{i}", "text/html; charset=utf-8", PAGE.replace(b"page", b"page %d" % i))
                   for i in range(3)])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "one.warc.gz").write_bytes(gzip.compress(data))
    p, stats = run_records(tmp_path / "in", tmp_path / "out")
    assert len(p.todo) == 3 and not p.errors
    assert any(i.warc.offset is None and isinstance(i.html, bytes) for i in p.todo)  # not seekable: inline
    assert sum(s.cleaned for s in stats) == 3
    docs = [json.loads(f.read_text()) for f in (tmp_path / "out" / "one").glob("*.json")]
    # each document is its own record's page (not the first record's, which a seek to 0 would give)
    assert sorted((d["url"], f"page {d['url'][-1]}," in d["text"]) for d in docs) == [
        ("https://e.x/0", True), ("https://e.x/1", True), ("https://e.x/2", True)]


def test_a_record_over_the_size_limit_is_refused_and_the_rest_read(tmp_path):
    big = b"<html><body><p>" + b"x " * 40_000 + b"</p></body></html>"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.warc").write_bytes(_plain([("https://e.x/big", "text/html", big),
                                                     ("https://e.x/small", "text/html", PAGE)]))
    p = plan_of(tmp_path / "in", tmp_path / "out", max_bytes=10_000)
    assert [i.url for i in p.todo] == ["https://e.x/small"]
    assert [e["error"] for e in p.errors] == ["TooLarge"] and "too large" in p.errors[0]["reason"]


# -- through the planner and the workers -----------------------------------------

@pytest.fixture(scope="module")
def cleaned(crawl, tmp_path_factory):
    path, offsets = crawl
    out = tmp_path_factory.mktemp("warc-out")
    p, stats = run_records(path.parent, out)
    return p, stats, out


def test_records_become_documents_named_by_record_id(cleaned, crawl):
    p, stats, out = cleaned
    path, _ = crawl
    names = sorted(f.stem for f in (out / "crawl").glob("*.json"))
    assert names == sorted(doc_records())
    assert sum(s.cleaned for s in stats) == len(doc_records()) and not any(s.errors for s in stats)
    urls = doc_urls()
    for uid in doc_records():
        doc = json.loads((out / "crawl" / f"{uid}.json").read_text())
        assert doc["source"] == f"crawl.warc.gz#<urn:uuid:{uid}>"
        assert doc["url"] == urls[uid] and doc["warc_record_id"] == f"<urn:uuid:{uid}>"
        assert doc["warc_date"] == DATE
        assert doc["site"] and doc["site"] in urls[uid]  # the site comes from WARC-Target-URI


def test_damaged_records_are_recorded_errors_naming_their_offset(cleaned, crawl):
    p, _, _ = cleaned
    _, offsets = crawl
    assert len(p.errors) == 2
    assert all(e["stage"] == "parse" and e["input"].endswith("crawl.warc.gz") for e in p.errors)
    assert f"offset {offsets[CORRUPT_N]}" in p.errors[0]["reason"]
    assert f"offset {offsets[TRUNCATED_N]}" in p.errors[1]["reason"] and "truncated" in p.errors[1]["reason"]


def test_http_charset_reaches_clean_html(cleaned):
    _, _, out = cleaned
    fr = json.loads((out / "crawl" / f"{uuid_for(31)}.json").read_text())  # Latin-1, declared only in HTTP
    assert fr["stats"]["encoding"] == "cp1252" and "marché" in fr["text"]


def test_the_content_type_header_is_what_the_worker_passes(crawl, tmp_path, monkeypatch):
    seen = {}

    def fake(html, *, url=None, source=None, config=None, content_type=None, **kw):
        seen[url] = content_type
        return cleaners.clean_text("A paragraph from the page body, long enough to keep.", source=source)

    monkeypatch.setattr(cleaners, "clean_html", fake)
    path, _ = crawl
    run_records(path.parent, tmp_path / "out")
    assert seen["https://journal.example.fr/article/quai"] == "text/html; charset=iso-8859-1"
    assert seen["https://blog.example.net/post/cookies"] == "text/html"  # a resource: its WARC Content-Type
    assert seen["https://www.example-news.com/2024/05/council-vote"] is None


def test_workers_get_offsets_not_the_warc(cleaned):
    p, _, _ = cleaned
    assert all(i.warc.offset is not None and i.html is None and i.text is None for i in p.todo)
    for b in batches(p.todo):
        # a batch pickles to a few hundred bytes a record: the pages stay in the WARC
        assert len(pickle.dumps(b)) < 600 * len(b.items)


def test_each_record_is_cleaned_as_its_page_would_be(cleaned):
    """The WARC path adds nothing and loses nothing: a record's document is clean_html of its
    payload with its URL and Content-Type (the same text, removals and metadata)."""
    _, _, out = cleaned
    urls = doc_urls()
    for uid, (case, ctype) in doc_records().items():
        doc = json.loads((out / "crawl" / f"{uid}.json").read_text())
        direct = json.loads(to_json(cleaners.clean_html(page_bytes(case), url=urls[uid], content_type=ctype,
                                                        source=doc["source"])))
        for k in ("warc_record_id", "warc_date"):
            doc.pop(k)
        direct["pipeline_version"] = doc["pipeline_version"] = None
        assert doc == direct, uid


def _golden_view(doc: dict) -> dict:
    return {"source": doc["source"], "url": doc["url"], "warc_record_id": doc["warc_record_id"],
            "warc_date": doc["warc_date"], "text": doc["text"],
            "removed": [f"{r['cleaner']}: {r['rule']}" for r in doc["removed"]]}


def test_golden_documents_of_the_fixture_warc(cleaned, request):
    """Each document's text, URL, record id, date and the cleaners of its removals, against
    fixtures/warc-records/expected.json (``pytest --update-goldens`` rewrites it: review the diff)."""
    _, _, out = cleaned
    actual = {f.stem: _golden_view(json.loads(f.read_text())) for f in sorted((out / "crawl").glob("*.json"))}
    if request.config.getoption("--update-goldens"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(actual, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        return
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(actual) == sorted(expected)
    for uid in expected:
        assert actual[uid] == expected[uid], f"record {uid} differs from fixtures/warc-records/expected.json"


# -- incremental -------------------------------------------------------------------

def test_an_unchanged_warc_is_skipped_and_force_redoes_it(cleaned, crawl):
    p, stats, out = cleaned
    path, _ = crawl
    manifest = {e.out: e for s in stats for e in s.done}
    again = plan_of(path.parent, out, manifest=manifest)
    assert not again.todo and len(again.skipped) == len(doc_records()) and len(again.errors) == 2
    forced = plan_of(path.parent, out, manifest=manifest, force=True)
    assert len(forced.todo) == len(doc_records())


def test_a_changed_record_is_cleaned_again_alone(cleaned, crawl, tmp_path):
    p, stats, out = cleaned
    path, _ = crawl
    manifest = {e.out: e for s in stats for e in s.done}
    changed = tmp_path / "in" / "crawl.warc.gz"
    changed.parent.mkdir()
    data = path.read_bytes()
    # rewrite the resource record with other text: only its document is to be cleaned
    recs = list(warc.scan(str(path)))
    res = next(r for r in recs if isinstance(r, warc.WarcDoc) and r.type == "resource")
    nxt = min(r.offset for r in recs if r.offset > res.offset)
    r = WarcRecord()
    r.init_headers(WarcRecordType.resource, f"uuid:{uuid_for(70)}".encode())
    r.headers.set("WARC-Date", DATE)
    r.headers.append("WARC-Target-URI", res.uri)
    r.headers.append("Content-Type", "text/html")
    r.set_bytes_content(PAGE)
    buf = io.BytesIO()
    w = GzipWriter(buf)
    r.write(w)
    w.finish()
    changed.write_bytes(data[:res.offset] + buf.getvalue() + data[nxt:])
    again = plan_of(changed.parent, out, manifest=manifest)
    assert [i.out for i in again.todo] == [f"crawl/{uuid_for(70)}.json"]


def test_planner_counts_skipped_records_by_type(crawl, tmp_path):
    path, _ = crawl
    found = discover([str(path)])
    planner = Planner({}.get, out_root=str(tmp_path), pipeline_version="t", config_fp="d")
    items = list(planner.items(found.sources))
    assert planner.warc_skipped == EXPECTED_SKIPS and len(items) == len(doc_records())


def test_record_names():
    assert warc.record_key("<urn:uuid:0A0B0C0D-0000-4000-8000-000000000001>") == "0a0b0c0d-0000-4000-8000-000000000001"
    assert warc.record_key("<urn:other:x/y>") == "<urn:other:x/y>"  # sanitised by output.record_name
    assert warc.record_source("c.warc", None, 1234) == "c.warc#offset=1234"
    assert warc.is_warc_name("a/B.WARC.GZ") and warc.is_warc_name("x.warc") and not warc.is_warc_name("x.gz")


# -- the CLI, end to end -------------------------------------------------------------

@pytest.mark.engine
def test_cli_cleans_a_warc_reports_skips_and_is_incremental(prefect_server_env, crawl, tmp_path):
    path, _ = crawl
    out = tmp_path / "out"

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "flows.clean", str(path), "--out", str(out), "--quiet",
                               "--no-profiles", *extra], cwd=ROOT, env=dict(prefect_server_env),
                              capture_output=True, text=True, timeout=300)

    def summary():
        return json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())

    first = run()
    assert first.returncode == 1, first.stderr  # two damaged records failed, the rest were written
    s = summary()
    assert s["cleaned"] == len(doc_records()) and s["failed"] == 2
    assert s["warc_records_skipped"] == EXPECTED_SKIPS
    assert sorted(f.stem for f in (out / "crawl").glob("*.json")) == sorted(doc_records())
    second = run()  # unchanged: every record skipped (--force is test_an_unchanged_warc_is_skipped_...)
    assert second.returncode == 1 and summary()["cleaned"] == 0 and summary()["skipped"] == len(doc_records())


def test_the_summary_shows_records_skipped_by_type():
    from rich.console import Console

    from flows import console, runlog

    s = runlog.new_summary()
    s["warc_records_skipped"] = dict(EXPECTED_SKIPS)
    assert "WARC records skipped (not documents): metadata 1, request 4," in runlog.markdown(s)
    c = Console(record=True, width=100)
    c.print(console.summary_table(s))
    text = c.export_text()
    assert "WARC records skipped" in text and "response:status-3xx" in text
