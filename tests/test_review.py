"""The review page without a browser: blocks in reading order, escaping, pages, the CLI entry points.

(tests/test_review_browser.py loads the pages in headless Chromium.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cleaners.pipeline import clean_blocks
from cleaners.segment import decode_bytes, segment
from flows import output, runlog
from flows.site_profiles import texts_of
from flows.review import build, document_page
from flows.review.build import plan_pages
from flows.review.documents import blocks, iter_documents, rule_of
from golden_support import cases

ROOT = Path(__file__).resolve().parents[1]

# what a hostile page could put in every field the review shows
EVIL_SCRIPT = "<script>window.pwned = 1; document.title = 'pwned';</script>"
EVIL_ATTR = "\"><img src=x onerror=\"window.pwned=2\">"
EVIL_JSON = "</script><script>window.pwned=3</script><!-- "


def removal(cleaner, position, text, reason="because", kind="promo", rule=None):
    r = {"cleaner": cleaner, "kind": kind, "reason": reason, "position": position, "text": text}
    if rule:
        r["rule"] = rule
    return r


def document(kept: list[str], removed: list[dict], **meta) -> dict:
    n = len(kept) + len(removed)
    return {"id": "0" * 64, "source": meta.pop("source", None), "url": meta.pop("url", None),
            "title": meta.pop("title", None), "published": None, "authors": [], "language": meta.pop("language", "en"),
            "site": meta.pop("site", "example.com"), "text": "\n\n".join(kept), "removed": removed,
            "stats": {"blocks_in": n, "blocks_kept": len(kept), "blocks_removed": len(removed)},
            "pipeline_version": "0", "schema_version": "1", **meta}


def write_docs(out: Path, docs: dict[str, dict]) -> Path:
    for rel, doc in docs.items():
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(doc), encoding="utf-8")
    return out


# -- blocks in reading order ---------------------------------------------------------------

@pytest.mark.parametrize("case", [c for c in cases() if (c / "input.txt").exists()], ids=lambda p: p.name)
def test_blocks_are_the_segmented_input_in_order(case):
    """Kept and removed blocks interleaved by position give back exactly the segmented input."""
    text, _ = decode_bytes((case / "input.txt").read_bytes())
    segmented = segment(text)
    doc = json.loads(clean_blocks(segmented).model_dump_json())
    shown = blocks(doc)
    assert [b.text for b in shown] == [b.text for b in segmented]
    assert [i for i, b in enumerate(shown) if b.removed] == sorted(r["position"] for r in doc["removed"])
    assert [b.text for b in shown] == texts_of(clean_blocks(segmented))


def test_blocks_interleave_by_position_and_keep_everything():
    doc = document(["kept one", "kept two"], [removal("drop_b", 3, "r3"), removal("drop_a", 0, "r0")])
    shown = blocks(doc)
    assert [(b.text, b.removed) for b in shown] == [("r0", True), ("kept one", False), ("kept two", False),
                                                     ("r3", True)]
    # a kept block holding a blank line (a code listing) splits, but nothing is lost or reordered
    doc = document(["a\n\nb", "c"], [removal("x", 1, "gone")])
    assert [b.text for b in blocks(doc)] == ["a", "gone", "b", "c"]
    assert blocks(document([], [])) == []


def test_rule_id_when_present_else_the_cleaner():
    assert rule_of({"cleaner": "drop_promos", "rule": "promos.cta.click"}) == "promos.cta.click"
    assert rule_of({"cleaner": "drop_promos"}) == "drop_promos"
    assert rule_of({"cleaner": "drop_promos", "rule": None}) == "drop_promos"
    doc = document(["k"], [removal("drop_promos", 0, "x", rule="promos.cta.click")])
    assert blocks(doc)[0].rule == "promos.cta.click" and blocks(doc)[0].cleaner == "drop_promos"


def test_documents_in_path_order_without_declutters_own_folders(tmp_path):
    d = document(["k"], [])
    write_docs(tmp_path, {"b.json": d, "a/z.json": d, "a.json": d, "a-b.json": d, "_runs/x.json": d,
                          "_state/y.json": d, "_profiles/s.json": d, "_review/q.json": d, ".hidden.json": d,
                          "sub/_runs/kept.json": d})
    (tmp_path / "notes.txt").write_text("not json")
    # a folder sorts as "name/", as flows.discover orders inputs
    assert [rel for rel, _ in iter_documents(tmp_path)] == ["a-b.json", "a.json", "a/z.json", "b.json",
                                                              "sub/_runs/kept.json"]


def test_review_is_a_reserved_output_folder():
    with pytest.raises(output.OutputPathError):
        output.check_rel("_review/index.json")


# -- escaping -------------------------------------------------------------------------------

class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside script elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(path: Path) -> _Elements:
    p = _Elements()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def hostile_out(tmp_path: Path) -> Path:
    evil = document([EVIL_SCRIPT, "A real paragraph " + EVIL_ATTR],
                    [removal("drop_" + EVIL_ATTR, 2, EVIL_JSON, reason=EVIL_ATTR + EVIL_SCRIPT, kind=EVIL_ATTR,
                             rule=EVIL_JSON + EVIL_ATTR)],
                    title=EVIL_JSON, url="javascript:window.pwned=4//" + EVIL_ATTR, site=EVIL_ATTR,
                    language=EVIL_JSON, source=EVIL_SCRIPT, authors=[EVIL_SCRIPT])
    return write_docs(tmp_path / "out", {"evil.json": evil, "<img src=x onerror=alert(1)>.json": evil})


def test_hostile_text_is_escaped_everywhere(tmp_path):
    out = hostile_out(tmp_path)
    review = build(out)
    for page in (Path(review.index), out / "_review" / "pages" / "000001.html"):
        p = parse(page)
        # no element the input made: the only scripts are the page's own file and the index's data
        assert "img" not in {t for t, _ in p.tags}
        assert all(a.get("class") == "chart" for t, a in p.tags if t == "svg")
        assert not any(k.startswith("on") for _, attrs in p.tags for k in attrs), page
        scripts = [a for t, a in p.tags if t == "script"]
        assert scripts[-1] == {"src": "../assets/review.js" if "pages" in str(page) else "assets/review.js"}
        assert all(a.get("type") == "application/json" for a in scripts[:-1])
        raw = page.read_text(encoding="utf-8")
        for evil in (EVIL_SCRIPT, EVIL_ATTR, EVIL_JSON, "<img", "</script><script>", "<!--"):
            assert evil not in raw, (page.name, evil)
    # the index's data survives the trip through the page whole
    p = parse(Path(review.index))
    assert len(p.scripts) == 2  # the data block, then the page's script
    data = json.loads(p.scripts[0])
    assert [row[0] for row in data["docs"]] == ["<img src=x onerror=alert(1)>.json", "evil.json"]
    assert data["docs"][1][1] == EVIL_JSON.strip() or data["docs"][1][1] == EVIL_JSON
    assert data["rules"][0][0] == EVIL_JSON + EVIL_ATTR
    # and the removed text, the reason and the rule are all on the page, as text
    page = (out / "_review" / "pages" / "000001.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.pwned = 1;" in page and "onerror=&#34;window.pwned=2&#34;" in page


def test_explain_page_is_escaped_too(tmp_path):
    doc = json.loads((hostile_out(tmp_path) / "evil.json").read_text())
    path = Path(document_page(doc, "in/<evil>.html", str(tmp_path / "out")))
    assert path.parent == tmp_path / "out" / "_review" / "explain" and path.name.startswith("_evil_.html-")
    p = parse(path)
    assert not any(k.startswith("on") for _, attrs in p.tags for k in attrs)
    assert [t for t, _ in p.tags].count("script") == 1 and p.tags[-1] == ("script", {"src": "../assets/review.js"})
    raw = path.read_text(encoding="utf-8")
    for evil in (EVIL_SCRIPT, EVIL_ATTR, EVIL_JSON, "<img"):
        assert evil not in raw, evil
    assert raw.count("&lt;script&gt;window.pwned = 1;") >= 3  # text, source, author: shown, as text
    assert (tmp_path / "out" / "_review" / "assets" / "review.js").is_file()


# -- pages ----------------------------------------------------------------------------------

def test_pages_are_bounded_by_documents_and_bytes():
    assert plan_pages([10] * 250, per_page=100) == [0, 100, 200]
    assert plan_pages([10] * 5, per_page=100, page_bytes=25) == [0, 2, 4]
    assert plan_pages([100, 1, 1], per_page=100, page_bytes=25) == [0, 1]  # a big one gets its own page
    assert plan_pages([]) == []


def test_a_large_run_is_paginated_and_the_index_stays_small(tmp_path):
    big = "A long paragraph of article text that goes on. " * 2000  # ~100 kB a document
    docs = {f"d/{i:04d}.json": document([big, f"doc {i}"], [removal("drop_promos", 1, "CLICK HERE")],
                                        title=f"Story {i}")
            for i in range(250)}
    out = write_docs(tmp_path / "out", docs)
    review = build(out, per_page=100)
    pages = sorted((out / "_review" / "pages").iterdir())
    assert review.documents == 250 and review.blocks_removed == 250
    # 4 MiB of documents a page at most: ~43 documents of ~96 kB each
    size = (out / "d" / "0000.json").stat().st_size
    per = 4 * 1024 * 1024 // size
    assert 30 < per < 100
    assert review.pages == len(pages) == -(-250 // per)
    assert max(p.stat().st_size for p in pages) < 6 * 1024 * 1024
    # the index holds a row per document, none of their text
    index = Path(review.index).stat().st_size
    assert index < 250 * 200 + 40_000, index
    assert big[:40] not in Path(review.index).read_text(encoding="utf-8")
    # every document is on the page the index says
    data = json.loads(parse(Path(review.index)).scripts[0])
    starts = [s for s, _ in data["pages"]]
    assert starts == list(range(0, 250, per))
    assert 'id="d249"' in (out / "_review" / data["pages"][-1][1]).read_text(encoding="utf-8")
    assert 'id="d249"' not in (out / "_review" / data["pages"][-2][1]).read_text(encoding="utf-8")


def test_rebuild_replaces_the_old_review_and_is_byte_identical(tmp_path):
    d = document(["kept"], [removal("drop_promos", 1, "CLICK HERE")])
    out = write_docs(tmp_path / "out", {f"{i:03d}.json": d for i in range(150)})
    build(out, per_page=50)
    assert len(list((out / "_review" / "pages").iterdir())) == 3
    for i in range(60, 150):
        (out / f"{i:03d}.json").unlink()
    first = build(out, per_page=50)
    snapshot = {p: p.read_bytes() for p in (out / "_review").rglob("*") if p.is_file()}
    assert sorted(p.name for p in (out / "_review" / "pages").iterdir()) == ["000001.html", "000002.html"]
    again = build(out, per_page=50)
    assert {p: p.read_bytes() for p in (out / "_review").rglob("*") if p.is_file()} == snapshot
    assert first == again
    assert not [p for p in out.iterdir() if p.name.startswith(".review")]  # no temporary tree left
    (out / ".review-killed" / "pages").mkdir(parents=True)  # what a killed build leaves
    (out / ".review-old-x").mkdir()
    build(out, per_page=50)
    assert not [p for p in out.iterdir() if p.name.startswith(".review")]


def test_unreadable_files_are_listed_and_the_rest_reviewed(tmp_path):
    out = write_docs(tmp_path / "out", {"good.json": document(["kept"], [removal("drop_promos", 1, "X")])})
    (out / "broken.json").write_text("{not json")
    (out / "list.json").write_text("[1, 2]")
    review = build(out)
    assert review.documents == 3 and review.unreadable == 2 and review.blocks_removed == 1
    index = Path(review.index).read_text(encoding="utf-8")
    assert "broken.json" in index and "JSONDecodeError" in index
    assert "could not read this file" in (out / "_review" / "pages" / "000001.html").read_text(encoding="utf-8")


def test_counts_per_cleaner_and_rule(tmp_path):
    out = write_docs(tmp_path / "out", {
        "a.json": document(["k"], [removal("drop_promos", 1, "x", rule="promos.a"),
                                   removal("drop_promos", 2, "y", rule="promos.b")]),
        "b.json": document(["k"], [removal("drop_captions_and_credits", 0, "z")], site="other.org", language="de"),
    })
    review = build(out)
    assert review.removed_by_cleaner == {"drop_promos": 2, "drop_captions_and_credits": 1}
    data = json.loads(parse(Path(review.index)).scripts[0])
    assert data["rules"] == [["promos.a", 0], ["promos.b", 0], ["drop_captions_and_credits", 1]]
    assert data["sites"] == [["example.com", 1], ["other.org", 1]] and data["langs"] == [["en", 1], ["de", 1]]
    index = Path(review.index).read_text(encoding="utf-8")
    # the bar chart: one bar per cleaner, most first, the longest full width
    bars = [a for t, a in parse(Path(review.index)).tags if t == "g" and a.get("class") == "bar"]
    assert [b["data-cleaner"] for b in bars] == ["drop_promos", "drop_captions_and_credits"]
    assert 'width="300"' in index and 'width="150"' in index


# -- entry points ---------------------------------------------------------------------------

def test_review_cli(tmp_path, capsys):
    from flows.review.__main__ import main

    assert main([str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    out = write_docs(tmp_path / "out", {"a.json": document(["k"], [removal("drop_promos", 1, "x")])})
    assert main([str(out), "--per-page", "0"]) == 2
    assert main([str(out)]) == 0
    assert f"file://{out}/_review/index.html" in capsys.readouterr().out
    from flows.lock import OutLock

    with OutLock.acquire(str(out)):  # a run is writing OUT: refuse rather than show half of it
        r = subprocess.run([sys.executable, "-m", "flows.review", str(out)], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert r.returncode == 3 and "in use" in r.stderr


def test_explain_with_review_writes_one_page(tmp_path, capsys):
    from flows.clean.__main__ import main

    src = tmp_path / "story.txt"
    src.write_text("The council met on Tuesday to approve the budget for the coming year after a long debate.\n\n"
                   "CLICK HERE FOR MORE FROM THE GAZETTE\n\n"
                   "Members said the plan would keep the libraries open on Sundays.\n", encoding="utf-8")
    assert main(["--explain", str(src), "--review", "--out", str(tmp_path / "out")]) == 0
    uri = capsys.readouterr().out.strip().splitlines()[-1]
    assert uri.startswith(f"file://{tmp_path}/out/_review/explain/story.txt-") and uri.endswith(".html")
    page = Path(uri[len("file://"):]).read_text(encoding="utf-8")
    assert 'data-cleaner="drop_promos"' in page and "CLICK HERE FOR MORE FROM THE GAZETTE</del>" in page
    assert "libraries open on Sundays" in page
    # the rule id of each removal, with what the rule catalogue says of it
    from cleaners.rules import RULES

    rules = [a for t, a in parse(Path(uri[len("file://"):])).tags if t == "code" and a.get("class") == "rule"]
    assert rules and all(a["title"] in RULES.values() for a in rules)


def test_run_summary_markdown_links_the_review():
    summary = {"documents": 1, "cleaned": 1, "skipped": 0, "failed": 0, "blocks_removed": 0,
               "removed_by_cleaner": {}, "review": "/tmp/out dir/_review/index.html"}
    assert "[`/tmp/out dir/_review/index.html`](file:///tmp/out%20dir/_review/index.html)" in runlog.markdown(summary)
    del summary["review"]
    assert "Review" not in runlog.markdown(summary)


@pytest.mark.engine
def test_clean_with_review_writes_the_page_and_the_run_log_names_it(prefect_server_env, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("The harbour board approved the new sea wall on Monday after three winters of "
                               "flooding.\n\nCLICK HERE FOR MORE FROM THE HARBOUR GAZETTE\n", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "flows.clean", str(src), "--out", str(out), "--review", "--workers", "1"],
                       cwd=ROOT, env=dict(prefect_server_env), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"review page: file://{out}/_review/index.html" in r.stdout
    summary = json.loads(sorted((out / "_runs").glob("*Z.json"))[-1].read_text())
    assert summary["review"] == str(out / "_review" / "index.html")
    assert summary["timings"]["review"] > 0
    # the run's artifact on the server links the review page
    import httpx

    found = httpx.post(prefect_server_env["PREFECT_API_URL"] + "/artifacts/filter", timeout=30, json={
        "artifacts": {"flow_run_id": {"any_": [summary["flow_run"]["id"]]}}}).json()
    assert [a["key"] for a in found] == ["declutter-run-summary"]
    assert f"]({(out / '_review' / 'index.html').as_uri()})" in found[0]["data"]
    assert "drop_promos" in (out / "_review" / "pages" / "000001.html").read_text(encoding="utf-8")


def test_each_cleaner_of_the_chain_has_its_own_colour():
    from cleaners import CLEANER_NAMES
    from flows.review.render import colour

    assert len({colour(c) for c in CLEANER_NAMES}) == len(CLEANER_NAMES)
    assert colour("someone_elses_cleaner") == colour("someone_elses_cleaner")
