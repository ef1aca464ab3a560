"""`python -m flows.golden record|check|accept` on a user's own samples and config."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from flows.golden import diff
from flows.golden.__main__ import main
from flows.golden.expect import METADATA
from flows.golden.store import Goldens

ARTICLE = ("Harbour ferry returns after a winter of repairs\n\n"
           "The harbour ferry made its first crossing of the year on Saturday, after four months in dry dock "
           "while engineers replaced its engines and most of its deck.\n\n"
           "Photo: Jane Doe/Reuters\n\n"
           "About two hundred passengers waited on the quay for the first sailing, many of them commuters who "
           "had spent the winter on a bus that takes three times as long.\n\n"
           "The operator said the timetable would return to every half hour from Monday.\n")
PAGE = ("<!doctype html><html lang='en'><head><title>Lighthouse keepers return</title></head><body><article>"
        "<h1>Lighthouse keepers return</h1>"
        "<p>For the first time in thirty years, the lighthouse on the point has keepers again: two volunteers "
        "who will live in the cottage beside the tower from April to October.</p>"
        "<p>They will guide visitors up the spiral stairs, record the weather every three hours and keep the "
        "old lamp room clean for the school groups that visit on Fridays.</p>"
        "<p>The trust that owns the tower says the keepers will not be paid, but the waiting list for next "
        "season already runs to forty names.</p></article></body></html>")
NO_CAPTIONS = '[cleaners]\ndisable = ["drop_captions_and_credits"]\n'


@pytest.fixture
def samples(tmp_path) -> Path:
    s = tmp_path / "samples"
    (s / "news").mkdir(parents=True)
    (s / "news" / "ferry.txt").write_text(ARTICLE, encoding="utf-8")
    (s / "lighthouse.html").write_text(PAGE, encoding="utf-8")
    (s / "looks-like-text.txt").write_text(PAGE, encoding="utf-8")  # sniffed: HTML
    (s / "zipped.txt.gz").write_bytes(gzip.compress(ARTICLE.encode("utf-8")))
    feed = [{"id": "a1", "url": "https://news.example.com/ferry", "text": ARTICLE},
            {"html": PAGE, "title": "From the feed"}]
    (s / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in feed) + "\n", encoding="utf-8")
    return s


def run(*argv) -> int:
    return main([str(a) for a in argv])


def test_record_stores_each_document_with_its_input_and_golden(samples, tmp_path, capsys):
    g = tmp_path / "goldens"
    assert run("record", samples, "--goldens", g) == 0
    cases = {c.name: c for c in Goldens(g).cases()}
    assert sorted(cases) == ["feed/000002", "feed/a1", "lighthouse", "looks-like-text", "news/ferry", "zipped"]
    assert cases["news/ferry"].input.read_bytes() == ARTICLE.encode("utf-8")
    assert cases["zipped"].input.read_bytes() == ARTICLE.encode("utf-8")  # stored unzipped, reviewable
    assert cases["looks-like-text"].input.name == "input.html"
    record = json.loads(cases["feed/a1"].input.read_text(encoding="utf-8"))
    assert record == {"url": "https://news.example.com/ferry", "text": ARTICLE}
    golden = cases["news/ferry"].read_expected()
    assert list(golden) == [*METADATA, "text", "removed"]  # no id, source, stats or versions
    assert [(r["cleaner"], r["text"]) for r in golden["removed"]] == [
        ("extract_title", "Harbour ferry returns after a winter of repairs"),
        ("drop_captions_and_credits", "Photo: Jane Doe/Reuters")]
    assert cases["feed/a1"].read_expected()["url"] == "https://news.example.com/ferry"
    assert cases["feed/000002"].read_expected()["title"] == "Lighthouse keepers return"
    assert cases["news/ferry"].options["sample"] == "news/ferry.txt"
    assert run("check", "--goldens", g) == 0
    assert "6 goldens: 6 pass" in capsys.readouterr().out


def test_a_config_is_kept_with_the_goldens_and_check_uses_it(samples, tmp_path, capsys):
    g, cfg = tmp_path / "goldens", tmp_path / "declutter.toml"
    cfg.write_text(NO_CAPTIONS, encoding="utf-8")
    assert run("record", samples / "news", "--goldens", g, "--config", cfg) == 0
    assert (g / "config.toml").read_text(encoding="utf-8") == NO_CAPTIONS
    settings = Goldens(g).settings
    assert settings["config_from"] == "../declutter.toml" and len(settings["config_fingerprint"]) == 16
    assert "Photo: Jane Doe/Reuters" in Goldens(g).case("ferry").read_expected()["text"]
    cfg.write_text("", encoding="utf-8")  # the user's config changes; the goldens keep their rules
    capsys.readouterr()
    assert run("check", "--goldens", g) == 0
    out = capsys.readouterr().out
    assert "the config these goldens were recorded from, has changed since" in out
    assert run("check", "--goldens", g, "--config", cfg) == 1  # what the new rules would change
    out = capsys.readouterr().out
    assert "differences may come from the config" in out
    assert "now removed by drop_captions_and_credits [captions.credit.label] (credit:" in out


def test_check_names_the_cleaner_and_accept_rewrites_only_the_named_case(samples, tmp_path, capsys):
    g = tmp_path / "goldens"
    assert run("record", samples, "--goldens", g) == 0
    gs = Goldens(g)
    # the goldens say the caption line stays: the cleaners now disagree
    for name in ("news/ferry", "zipped"):
        case = gs.case(name)
        golden = case.read_expected()
        golden["removed"] = [r for r in golden["removed"] if r["cleaner"] != "drop_captions_and_credits"]
        golden["text"] = golden["text"].replace("deck.\n\n", "deck.\n\nPhoto: Jane Doe/Reuters\n\n")
        case.expected_file.write_text(json.dumps(golden), encoding="utf-8")
    capsys.readouterr()
    assert run("check", "--goldens", g) == 1
    out = capsys.readouterr().out
    assert "DIFFERS news/ferry" in out and "DIFFERS zipped" in out
    assert "- 'Photo: Jane Doe/Reuters'\n" in out
    assert "now removed by drop_captions_and_credits [captions.credit.label] (credit: photo credit" in out
    assert "6 goldens: 2 differs, 4 pass" in out
    assert run("accept", "--goldens", g, "news/ferry") == 0
    assert "accepted news/ferry" in capsys.readouterr().out
    assert run("check", "--goldens", g, "-q") == 1
    out = capsys.readouterr().out
    assert "DIFFERS zipped" in out and "news/ferry" not in out
    assert run("accept", "--goldens", g) == 0
    assert "1 of 6 goldens rewritten" in capsys.readouterr().out
    assert run("check", "--goldens", g) == 0


def test_one_config_per_folder(samples, tmp_path, capsys):
    g, cfg = tmp_path / "goldens", tmp_path / "other.toml"
    cfg.write_text(NO_CAPTIONS, encoding="utf-8")
    assert run("record", samples / "news", "--goldens", g) == 0
    assert run("record", samples / "lighthouse.html", "--goldens", g, "--config", cfg) == 2
    assert "accept --config" in capsys.readouterr().err
    assert run("accept", "--goldens", g, "ferry", "--config", cfg) == 2
    assert "share one config" in capsys.readouterr().err
    assert run("accept", "--goldens", g, "--config", cfg) == 0  # the whole folder moves to it
    assert "Photo: Jane Doe/Reuters" in Goldens(g).case("ferry").read_expected()["text"]
    assert run("check", "--goldens", g) == 0


def test_record_keeps_existing_cases_unless_forced(samples, tmp_path, capsys):
    g = tmp_path / "goldens"
    assert run("record", samples / "news", "--goldens", g) == 0
    (samples / "news" / "ferry.txt").write_text(ARTICLE.replace("Saturday", "Sunday"), encoding="utf-8")
    assert run("record", samples / "news", "--goldens", g) == 0
    assert "kept ferry" in capsys.readouterr().out
    assert b"Saturday" in Goldens(g).case("ferry").input.read_bytes()
    assert run("record", samples / "news", "--goldens", g, "--force") == 0
    assert b"Sunday" in Goldens(g).case("ferry").input.read_bytes()
    assert "Sunday" in Goldens(g).case("ferry").read_expected()["text"]


def test_a_sample_that_cannot_be_cleaned_is_reported_and_the_rest_recorded(samples, tmp_path, capsys):
    (samples / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (samples / "broken.jsonl").write_text('{"text": "fine enough"}\nnot json\n', encoding="utf-8")
    g = tmp_path / "goldens"
    assert run("record", samples, "--goldens", g) == 1
    captured = capsys.readouterr()
    assert "binary.txt: clean:" in captured.err and "broken.jsonl: parse: line 2" in captured.err
    names = [c.name for c in Goldens(g).cases()]
    assert "news/ferry" in names and "broken/000001" in names


def test_known_failures_are_strict(samples, tmp_path, capsys):
    g = tmp_path / "goldens"
    assert run("record", samples / "news", "--goldens", g) == 0
    toml = g / "ferry" / "case.toml"
    toml.write_text('xfail = "the golden wants the caption kept"\n', encoding="utf-8")
    assert run("check", "--goldens", g) == 1  # it matches its golden: the xfail must go
    assert "XPASS ferry" in capsys.readouterr().out
    case = Goldens(g).case("ferry")
    golden = case.read_expected()
    golden["removed"] = golden["removed"][:1]
    case.expected_file.write_text(json.dumps(golden), encoding="utf-8")
    assert run("check", "--goldens", g) == 0
    assert "1 goldens: 1 xfail" in capsys.readouterr().out
    assert run("accept", "--goldens", g) == 0  # a known failure's golden is written by hand: kept
    assert case.read_expected() == golden


@pytest.mark.parametrize("bad, message", [
    ('colour = "red"\n', "unknown key 'colour'"),
    ("xfail = 3\n", "'xfail' must be a string"),
    ("about = \n", "not valid TOML"),
])
def test_a_bad_case_toml_is_a_usage_error_naming_it(samples, tmp_path, capsys, bad, message):
    g = tmp_path / "goldens"
    assert run("record", samples / "news", "--goldens", g) == 0
    (g / "ferry" / "case.toml").write_text(bad, encoding="utf-8")
    assert run("check", "--goldens", g) == 2
    err = capsys.readouterr().err
    assert message in err and "case.toml" in err


def test_usage_errors(tmp_path, capsys):
    assert run("check", "--goldens", tmp_path / "nowhere") == 2
    assert "no goldens folder" in capsys.readouterr().err
    assert run("record", tmp_path / "missing.txt", "--goldens", tmp_path / "g") == 2
    assert "input not found" in capsys.readouterr().err
    (tmp_path / "g").mkdir()
    assert run("check", "--goldens", tmp_path / "g", "nosuchcase") == 2
    assert "no such case" in capsys.readouterr().err


def _golden(text, removed, **meta):
    return {**{k: None for k in METADATA}, "authors": [], **meta, "text": text, "removed": removed}


def _rm(cleaner, text, position, rule=None, kind="promo", reason="a reason"):
    r = {"cleaner": cleaner, "kind": kind, "reason": reason, "position": position, "text": text}
    return {**r, "rule": rule} if rule else r


def test_diff_names_cleaner_and_rule_for_each_changed_paragraph():
    before = _golden("Lede.\n\nREAD MORE: x\n\nBody.", [_rm("extract_title", "Title", 0, kind="metadata")],
                     title="Title")
    after = _golden("Lede.\n\nBody.\n\nPhoto: Jo/AP", [
        _rm("extract_title", "Title", 0, rule="metadata.title.declared", kind="metadata"),
        _rm("drop_promos", "READ MORE: x", 2, rule="promos.read-more")], title="Title", published="2024-03-05")
    report = diff.explain(_golden("Lede.\n\nBody.\n\nPhoto: Jo/AP",
                                  [_rm("drop_captions_and_credits", "Gone block", 4, rule="captions.credit")]),
                          after)
    assert "'Gone block': the golden has it removed by drop_captions_and_credits [captions.credit]" in report
    report = diff.explain(before, after)
    assert "- 'READ MORE: x'\n      now removed by drop_promos [promos.read-more] (promo: a reason)" in report
    assert "+ 'Photo: Jo/AP'\n      new paragraph" in report
    assert ("~ 'Title': now removed by extract_title [metadata.title.declared]" in report
            and "the golden says extract_title (metadata" in report)
    assert "published: None -> '2024-03-05'" in report
    assert diff.explain(after, after) == ""
    back = diff.explain(after, before)
    assert "+ 'READ MORE: x'\n      now kept: no cleaner removes it; the golden has it removed by drop_promos" in back


def test_goldens_inside_the_samples_are_not_samples(samples, capsys):
    g = samples / "goldens"
    assert run("record", samples, "--goldens", g) == 0
    assert run("record", samples, "--goldens", g) == 0  # its own inputs are not read as new samples
    out = capsys.readouterr().out
    assert "0 recorded" in out and "6 already there" in out
    assert not any(c.name.startswith("goldens") for c in Goldens(g).cases())
