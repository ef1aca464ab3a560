"""The profiling stage of the flow, through its plain functions (no Prefect engine):
learned before cleaning, persisted in OUT/_profiles, reused and updated by later runs,
switchable, byte-identical on re-runs. Invented sites only."""
from __future__ import annotations

import dataclasses
import json
import random

import cleaners
from cleaners.profiles import SiteCounts
from flows import site_profiles
from flows.discover import discover
from flows.batches import batches
from flows.plan import plan
from flows.manifest import Manifest
from flows.worker import Options, clean_batch
from test_profiles import DISCLAIMER, FOOTER, article, page

SITE = "gullstreet.co.uk"
# These tests watch what the site profiles remove (the footer of a site that has not
# learned one stays): the block model, which finds such footers on its own, is off.
NO_MODEL = cleaners.load_config({"cleaners": {"disable": ["drop_learned_boilerplate"]}})


def write_site(root, start: int, n: int, folder="gull"):
    rng = random.Random(start)
    for i in range(start, start + n):
        f = root / folder / f"p{i:03d}.txt"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("\n\n".join(page(rng, article(rng), i)) + "\n", encoding="utf-8")


def write_feed(root, n: int):
    rng = random.Random(99)
    lines = [json.dumps({"id": f"r{i}", "url": f"https://www.{SITE}/story/{i}",
                         "text": "\n\n".join(page(rng, article(rng), i))}) for i in range(n)]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(root, out, *, profiles=True, rebuild=False, force=False, batch_docs=9, thresholds=None):
    """What flows.clean.run does, minus Prefect: plan, profile, clean, record."""
    force = force or rebuild
    cfp = "default" if profiles else "default+no-profiles"
    with Manifest(str(out)) as man:
        p = plan(discover([str(root)], exclude=[str(out)]).sources, man.load(), out_root=str(out),
                 pipeline_version=cleaners.__version__, config_fp=cfp, force=force)
        todo = batches(p.todo, max_docs=batch_docs, min_docs=1)
        book = entry = None
        sited = [(b, ()) for b in todo]
        if profiles and todo:
            book = site_profiles.Profiles(str(out), rebuild=rebuild, thresholds=thresholds)
            sited = [(b, book.note_batch(b)) for b in todo]
            entry = site_profiles.stage(book, sited)
        opts = Options(out_root=str(out), pipeline_version=cleaners.__version__, config_fp=cfp, config=NO_MODEL)
        for b, sites in sited:
            mine = book.profiles_for(b, sites) if book else {}
            later = book.count_later(b, sites) if book else {}
            st = clean_batch(b, dataclasses.replace(opts, profiles=mine, count_sites=later))
            assert not st.errors, st.errors
            man.record(st.done)
            if book:
                book.add(st.profile_counts)
        if book:
            book.save()
    return entry


def doc(out, rel):
    return json.loads((out / rel).read_text(encoding="utf-8"))


def stored(out, site):
    return SiteCounts.from_json((out / "_profiles" / f"{site}.json").read_bytes())


def test_profiles_are_learned_persisted_and_used(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    write_site(root, 0, 60)
    write_site(root, 0, 4, folder="tiny")      # too few pages: nothing learned
    write_feed(root, 25)
    entry = run(root, out)
    assert entry["sites"] == 3 and entry["sites_with_boilerplate"] == 2
    assert stored(out, "gull").documents == 60 and stored(out, SITE).documents == 25
    a = doc(out, "gull/p007.json")
    assert DISCLAIMER not in a["text"] and FOOTER[1] not in a["text"]
    reasons = [r["reason"] for r in a["removed"] if r["cleaner"] == "drop_site_boilerplate"]
    assert "in 60 of 60 pages of gull, mostly near the end" in reasons
    feed = doc(out, "feed/r3.json")
    assert FOOTER[1] not in feed["text"]
    assert any(f"pages of {SITE}" in r["reason"] for r in feed["removed"])
    tiny = doc(out, "tiny/p001.json")
    assert FOOTER[1] in tiny["text"]


def test_reused_and_updated_incrementally_and_byte_identical(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    write_site(root, 0, 15)
    entry = run(root, out)
    assert entry["documents_counted_first"] == 0   # 15 < 20: counted from the outputs, one extraction
    assert stored(out, "gull").documents == 15
    assert FOOTER[1] in doc(out, "gull/p003.json")["text"]   # 15 pages: not yet learned
    write_site(root, 15, 10)
    entry = run(root, out)                                    # only the 10 new pages are cleaned...
    assert entry["documents_counted_first"] == 10
    assert stored(out, "gull").documents == 25                # ...and counted on top of the stored 15
    assert FOOTER[1] not in doc(out, "gull/p020.json")["text"]
    assert FOOTER[1] in doc(out, "gull/p003.json")["text"]   # unchanged pages are left as they were
    profile_before = (out / "_profiles" / "gull.json").read_bytes()
    outputs_before = doc(out, "gull/p020.json")
    run(root, out, force=True, batch_docs=4)                  # everything again, other batching
    assert (out / "_profiles" / "gull.json").read_bytes() == profile_before   # no body counted twice
    assert doc(out, "gull/p020.json") == outputs_before
    assert FOOTER[1] not in doc(out, "gull/p003.json")["text"]


def test_no_profiles_and_rebuild(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    write_site(root, 0, 30)
    assert run(root, out, profiles=False) is None
    assert not (out / "_profiles").exists()
    assert FOOTER[1] in doc(out, "gull/p002.json")["text"]
    run(root, out)                                            # switching on re-cleans (config differs)
    assert FOOTER[1] not in doc(out, "gull/p002.json")["text"]
    f = out / "_profiles" / "gull.json"
    f.write_text("{not json", encoding="utf-8")               # a damaged profile: warned, rebuilt
    (root / "gull" / "p000.txt").write_text("A new page about the ferry.\n", encoding="utf-8")
    entry = run(root, out)
    assert entry["warnings"] and "rebuilt" in entry["warnings"][0]
    assert stored(out, "gull").documents == 1
    entry = run(root, out, rebuild=True)
    assert entry["rebuilt"] and stored(out, "gull").documents == 30


def test_thresholds_reach_the_stage(tmp_path):
    from cleaners.profiles import Thresholds

    root, out = tmp_path / "in", tmp_path / "out"
    write_site(root, 0, 12)
    assert run(root, out)["sites_with_boilerplate"] == 0
    entry = run(root, out, force=True, thresholds=Thresholds(min_documents=10))
    assert entry["sites_with_boilerplate"] == 1
    assert FOOTER[1] not in doc(out, "gull/p002.json")["text"]



def test_counting_a_cleaned_document_equals_counting_its_segmentation(tmp_path):
    root = tmp_path / "in"
    write_site(root, 0, 3)
    (root / "gull" / "page.html").write_text(
        "<html><head><link rel='canonical' href='https://www.gullstreet.co.uk/a'></head><body><article>"
        "<p>HARBOUR WATCH</p><p>The ferry board met on Monday and voted to keep the winter timetable.</p>"
        "<p>Tips? Write to the desk at gullstreet dot example</p></article></body></html>", encoding="utf-8")
    p = plan(discover([str(root)]).sources, {}, out_root=str(tmp_path / "out"),
             pipeline_version=cleaners.__version__, config_fp="default")
    from flows.worker import clean_item
    for item in p.todo:
        doc, _ = clean_item(item)
        assert site_profiles.texts_of(doc) == site_profiles.blocks_of(item), item.source
    sites = {i.source: site_profiles.planned_site(i) for i in p.todo}
    assert sites["gull/page.html"] == "gullstreet.co.uk" and sites["gull/p001.txt"] == "gull"


def test_page_url_from_the_head():
    assert site_profiles.page_url(b'<link href="https://a.example.com/x" rel="canonical">') == "https://a.example.com/x"
    assert site_profiles.page_url('<meta property="og:url" content="//b.co.uk/y">') == "https://b.co.uk/y"
    assert site_profiles.page_url("<link rel=canonical href=/relative>") is None


def test_cli_refuses_contradicting_profile_flags():
    from flows.clean.__main__ import main

    assert main(["--no-profiles", "--rebuild-profiles"]) == 2
