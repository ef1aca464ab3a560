"""What a new user hit (issue 14), each pinned: glob symlinks, tldextract's cache, a text
record's site, chars kept <= chars in, whole error reasons, empty inputs, the errors file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cleaners
from flows import console, records, runlog, worker
from flows.discover import discover
from flows.batches import Batch
from flows.plan import plan

ROOT = Path(__file__).resolve().parents[1]
TEXT = "The harbour council approved the repairs to the sea wall on Tuesday after a long debate.\n\n" \
       "Engineers said the work would take two winters and close the quay for a month.\n"


def test_a_glob_does_not_follow_a_symlink_out_of_its_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    messy = tmp_path / "messy"
    messy.mkdir()
    (messy / "a.txt").write_text(TEXT)
    (messy / "b.txt").write_text(TEXT)
    (messy / "passwd.txt").symlink_to(secret)
    (messy / "inside.txt").symlink_to(messy / "b.txt")  # stays in the folder: followed
    found = discover([str(messy / "*.txt")])
    assert sorted(s.rel for s in found.sources) == ["a.txt", "b.txt", "inside.txt"]
    assert [(Path(i["path"]).name, i["reason"]) for i in found.ignored] == [
        ("passwd.txt", "symlink leads outside the glob's folder")]
    named = discover([str(messy / "passwd.txt")])  # a file the user names itself is followed
    assert [s.path for s in named.sources] == [str(secret)]


def test_no_tldextract_cache_is_written_outside_out(tmp_path):
    """Both places that build a tldextract extractor: the HTML cleaner and the site profiles."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "TLDEXTRACT_CACHE")}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    code = ("from cleaners import html; from cleaners.profiles import site\n"
            "assert html.registered_domain('https://news.bbc.co.uk/a') == 'bbc.co.uk'\n"
            "assert site.registered_domain('https://www.example.co.uk/x') == 'example.co.uk'\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    assert not (tmp_path / ".cache").exists(), list((tmp_path / ".cache").rglob("*"))


def _clean(root, out):
    p = plan(discover([str(root)]).sources, {}, out_root=str(out), pipeline_version="t", config_fp="d")
    return worker.clean_batch(Batch(0, tuple(p.todo)), worker.Options(out_root=str(out), pipeline_version="t",
                                                                   config_fp="d"))


def test_a_text_record_with_a_url_gets_its_site(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "feed.jsonl").write_text(json.dumps({"id": "n1", "text": TEXT,
                                                 "url": "https://www.harbour-gazette.co.uk/news/1"}) + "\n"
                                     + json.dumps({"id": "n2", "text": TEXT.replace("sea", "river")}) + "\n")
    _clean(root, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "feed" / "n1.json").read_text())["site"] == "harbour-gazette.co.uk"
    assert json.loads((tmp_path / "out" / "feed" / "n2.json").read_text())["site"] is None


def test_chars_kept_never_exceed_chars_in():
    doc = cleaners.clean_text(TEXT + "\nA third paragraph, with caf\u00e9 and \u201cquotes\u201d, ends here.\n")
    assert doc.stats.blocks_removed == 0
    assert doc.stats.chars_kept == doc.stats.chars_in == len(doc.text)
    promo = cleaners.clean_text(TEXT + "\nCLICK HERE FOR MORE FROM THE HARBOUR GAZETTE\n")
    assert promo.stats.blocks_removed and promo.stats.chars_kept < promo.stats.chars_in


def test_json_error_reasons_are_whole_sentences():
    errs = [r for r in records.parse_feed(b'{"id": "a", "text": "fine"}\n{"id": "b", "text": "no end}\n', "jsonl")
            if isinstance(r, records.InputError)]
    assert [str(e) for e in errs] == ["line 2: not valid JSON: Unterminated string starting at column 21"]
    long = "The parser gave up. " + " ".join(f"word{i}" for i in range(300))
    reason = worker.whole_reason(long)
    assert reason.startswith("The parser gave up.") and len(reason) < 560
    kept = reason.split(" [... ")[0]
    assert long.startswith(kept) and long[len(kept)] == " "  # cut between words, never inside one
    assert reason.endswith("more characters]")
    assert worker.whole_reason("short: whole") == "short: whole"


def test_an_empty_input_is_counted_as_empty(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "a.txt").write_text(TEXT)
    st = _clean(root, tmp_path / "out")
    assert st.cleaned == 2 and st.empty == 1
    summary = runlog.new_summary()
    runlog.add_batch(summary, st)
    assert summary["empty"] == 1
    rows = [str(c) for c in console.summary_table({**summary, "out": "o"}).columns[0]._cells]
    assert "  of them empty" in rows


def test_a_run_without_errors_writes_no_errors_file(tmp_path):
    """README: the errors file exists only when something failed."""
    quiet = runlog.RunLog(str(tmp_path / "a"))
    assert quiet.finish(runlog.new_summary()) and not os.path.exists(quiet.errors_path)
    assert json.loads(Path(quiet.summary_path).read_text())["errors_file"] is None
    noisy = runlog.RunLog(str(tmp_path / "b"))
    noisy.add_errors([{"source": "x", "reason": "r"}])
    summary = runlog.new_summary()
    noisy.finish(summary)
    assert summary["errors_file"] and os.path.exists(noisy.errors_path)
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "only when a document failed" in readme


def test_prefect_console_messages_go_to_the_run_s_engine_log(tmp_path, capsys):
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    root = logging.getLogger()
    console_handler = PrefectConsoleHandler()
    root.addHandler(console_handler)
    try:
        with runlog.EngineLog(str(tmp_path / "_runs" / "x.engine.log")) as engine:
            logging.getLogger("prefect.task_runs").error("Task run failed: Traceback (most recent call last)")
        assert console_handler in root.handlers and engine._file not in root.handlers
        assert "Task run failed" in (tmp_path / "_runs" / "x.engine.log").read_text()
        assert "Task run failed" not in capsys.readouterr().err
    finally:
        root.removeHandler(console_handler)
