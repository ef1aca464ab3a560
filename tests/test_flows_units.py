"""The flow's plain functions, tested without Prefect: discovery, sniffing, paths, planning, work, run log."""
from __future__ import annotations

import gzip
import json
import os
import sys

import pytest

from flows import output, records, runlog
from flows.discover import UsageError, check_inputs, discover
from flows.batches import batches
from flows.plan import plan
from flows.manifest import Entry, Manifest, config_fingerprint
from flows.worker import Options, clean_batch

ARTICLE = (
    "The harbour council voted on Tuesday to rebuild the old sea wall before the winter storms.\n\n"
    "Engineers said the work would take four months and close the northern quay to fishing boats.\n\n"
    "CLICK HERE FOR MORE FROM THE HARBOUR GAZETTE\n\n"
    "Residents asked the council to publish the full cost of the project before the next meeting.\n"
)


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def opts(out):
    return Options(out_root=str(out), pipeline_version="test", config_fp="default")


def plan_of(root, out, manifest=None, force=False):
    found = discover([str(root)], exclude=[str(out)])
    return found, plan(found.sources, manifest or {}, out_root=str(out), pipeline_version="test",
                       config_fp="default", force=force)


# -- discovery -------------------------------------------------------------

def test_discover_walks_sorted_skips_hidden_and_out(tmp_path):
    root = tmp_path / "in"
    write(root / "b.txt", ARTICLE)
    write(root / "a" / "c.md", ARTICLE)
    write(root / ".git" / "objects" / "x", b"\x00\x01")
    write(root / ".hidden.txt", ARTICLE)
    write(root / "out" / "old.json", "{}")
    found = discover([str(root)], exclude=[str(root / "out")])
    assert [s.rel for s in found.sources] == ["a/c.md", "b.txt"]
    assert not found.errors


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlinks_out_of_the_root_are_not_followed(tmp_path):
    root = tmp_path / "in"
    secret = write(tmp_path / "secret.txt", "outside")
    write(root / "inside.txt", ARTICLE)
    os.symlink(secret, root / "leak.txt")
    os.symlink(root / "inside.txt", root / "alias.txt")
    os.symlink(tmp_path, root / "loop")
    found = discover([str(root)])
    assert [s.rel for s in found.sources] == ["alias.txt", "inside.txt"]
    reasons = {os.path.basename(i["path"]): i["reason"] for i in found.ignored}
    assert "outside" in reasons["leak.txt"]
    assert "directory symlink" in reasons["loop"]


def test_globs_files_and_missing_inputs(tmp_path):
    root = tmp_path / "in"
    write(root / "x" / "a.html", "<p>hi</p>")
    write(root / "x" / "b.txt", ARTICLE)
    write(root / "y" / "c.txt", ARTICLE)
    found = discover([str(root / "*" / "*.txt"), str(root / "x" / "a.html")])
    assert [s.rel for s in found.sources] == ["x/b.txt", "y/c.txt", "a.html"]
    with pytest.raises(UsageError, match="no files match"):
        check_inputs([str(root / "*.nothing")])
    with pytest.raises(UsageError, match="input not found"):
        check_inputs([str(tmp_path / "missing")])


# -- formats ---------------------------------------------------------------

@pytest.mark.parametrize("name,content,kind", [
    ("a.txt", b"Plain words.", "text"),
    ("a.md", b"# Title\n\nwords", "text"),
    ("a.txt", b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
    ("a.htm", b"words before <p>tags</p>", "html"),
    ("page", b"<html><body><p>x</p></body></html>", "html"),
    ("a.jsonl", b'{"text": "x"}\n', "jsonl"),
    ("a.json", b'[{"text": "x"}]', "json"),
    ("a.json", b'{"text": "x"}', "jsonl"),
    ("dump", b'{"text": "x"}\n{"text": "y"}\n', "jsonl"),
    ("dump", b'[{"text": "x"}]', "json"),
    ("note", b"[Photo] A caption starts this text", "text"),
])
def test_sniff(name, content, kind):
    assert records.sniff(name, content) == kind


def test_gzip_is_recognised_by_content_and_bombs_refused():
    data = gzip.compress(b"hello " * 1000)
    assert records.payload(data) == b"hello " * 1000
    with pytest.raises(records.InputError, match="expands beyond"):
        records.gunzip(data, limit=100)
    with pytest.raises(records.InputError, match="truncated"):
        records.gunzip(data[:-12])


def test_feed_records_and_bad_lines():
    feed = (b'{"id": "a-1", "text": "one", "url": "https://e.x/1", "title": "T"}\n'
            b'\n'
            b'not json\n'
            b'{"html": "<p>two</p>"}\n'
            b'{"title": "no body"}\n'
            b'[1, 2]\n'
            b'{"text": 5}\n')
    out = list(records.parse_feed(feed, "jsonl"))
    assert out[0].key == "a-1" and out[0].url == "https://e.x/1" and out[0].line == 1
    assert "line 3" in str(out[1])
    assert out[2].html == "<p>two</p>" and out[2].key is None and out[2].line == 4
    assert "neither" in str(out[3]) and "JSON object" in str(out[4]) and "must be a string" in str(out[5])
    with pytest.raises(records.InputError, match="array"):
        list(records.parse_feed(b'{"a": 1}', "json"))


# -- output paths ----------------------------------------------------------

def test_output_paths_never_leave_out():
    assert output.doc_path("news/a.html.gz") == "news/a.json"
    assert output.doc_path("README") == "README.json"
    assert output.record_path("feeds/f.jsonl.gz", None, 7) == "feeds/f/000007.json"
    assert output.record_path("f.jsonl", "story-12", 1) == "f/story-12.json"
    for evil in ("../../etc/passwd", "/abs", "..", ".hidden", "a/b", ""):
        name = output.record_name(evil, 1)
        assert "/" not in name and not name.startswith(".") and name.endswith(".json") and len(name) > 5
    assert output.record_name("a/b", 1) != output.record_name("a_b", 1)
    with pytest.raises(output.OutputPathError):
        output.check_rel("../x.json")
    with pytest.raises(output.OutputPathError, match="reserves"):
        output.doc_path("_runs/x.txt")


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "o" / "a.json"
    output.atomic_write(str(target), b"one")
    output.atomic_write(str(target), b"two", tmp_in=str(tmp_path / "tmp"))
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path / "tmp") == []


def test_atomic_write_steps_around_a_temp_name_left_by_a_killed_run(tmp_path):
    # temp names are unique to a process (pid + counter); a dead run with the same pid may
    # have left the next one behind: the write still succeeds and leaves that file alone
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    n = next(output._SEQ)
    stale = tmp / f".a.json.{os.getpid()}.{n + 1}.tmp"
    stale.write_bytes(b"half")
    target = tmp_path / "a.json"
    output.atomic_write(str(target), b"whole", tmp_in=str(tmp))
    assert target.read_bytes() == b"whole" and stale.read_bytes() == b"half"
    assert os.listdir(tmp) == [stale.name]
    mode = os.stat(target).st_mode & 0o777
    assert mode == output._FILE_MODE


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_writer_refuses_symlinked_folder_out_of_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(tmp_path, out / "esc")
    with pytest.raises(output.OutputPathError, match="outside OUT"):
        output.Writer(str(out)).write("esc/x.json", b"{}")


# -- planning, work, incremental -------------------------------------------

def test_plan_work_and_incremental_skip(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    write(root / "a.txt", ARTICLE)
    write(root / "sub" / "b.txt.gz", gzip.compress(ARTICLE.encode()))
    write(root / "feed.jsonl", json.dumps({"id": "s/1", "text": ARTICLE, "title": "Sea wall"}) + "\n"
          + json.dumps({"text": ARTICLE.replace("harbour", "river")}) + "\n")
    write(root / "bin.dat", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    found, p = plan_of(root, out)
    assert p.skipped == [] and not p.errors
    assert [i.out for i in p.todo] == ["a.json", "bin.json", "feed/" + output.record_name("s/1", 1),
                                       "feed/000002.json", "sub/b.json"]
    assert p.todo[2].out.startswith("feed/s_1-")
    st = clean_batch(batches(p.todo)[0], opts(out))
    assert st.cleaned == 4 and st.failed == 1
    assert st.errors[0]["error"] == "UndecodableInput" and st.errors[0]["source"] == "bin.dat"
    doc = json.loads((out / "sub" / "b.json").read_text())
    assert "CLICK HERE" not in doc["text"] and doc["source"] == "sub/b.txt.gz"
    rec = json.loads((out / "feed" / "000002.json").read_text())
    assert rec["source"] == "feed.jsonl#L2" and "river" in rec["text"]
    assert st.removed_by_cleaner.get("drop_promos", 0) >= 3

    with Manifest(str(out)) as m:
        m.record(st.done)
        entries = m.load()
    _, again = plan_of(root, out, entries)
    assert [i.source for i in again.todo] == ["bin.dat"]  # failures are retried, the rest skipped
    assert len(again.skipped) == 4
    write(root / "a.txt", ARTICLE + "\nOne more real paragraph about the sea wall and its cost.\n")
    _, changed = plan_of(root, out, entries)
    assert sorted(i.source for i in changed.todo) == ["a.txt", "bin.dat"]
    (out / "sub" / "b.json").unlink()
    _, deleted = plan_of(root, out, entries)
    assert "sub/b.txt.gz" in [i.source for i in deleted.todo]
    _, forced = plan_of(root, out, entries, force=True)
    assert len(forced.todo) == 5
    other = {k: Entry(e.out, e.source, e.sha256, "other-version", e.config) for k, e in entries.items()}
    _, bumped = plan_of(root, out, other)
    assert len(bumped.todo) == 5


def test_rerun_is_byte_identical(tmp_path):
    root = tmp_path / "in"
    write(root / "a.txt", ARTICLE)
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        _, p = plan_of(root, out)
        clean_batch(batches(p.todo)[0], opts(out))
        outs.append((out / "a.json").read_bytes())
    assert outs[0] == outs[1]


def test_collisions_and_reserved_names_are_errors(tmp_path):
    root, out = tmp_path / "in", tmp_path / "out"
    write(root / "a.txt", ARTICLE)
    write(root / "a.md", ARTICLE)
    write(root / "_state" / "x.txt", ARTICLE)
    write(root / "f.jsonl", json.dumps({"id": "k", "text": "x"}) + "\n" + json.dumps({"id": "k", "text": "y"}))
    _, p = plan_of(root, out)
    reasons = " | ".join(e["reason"] for e in p.errors)
    assert "a.json already comes from a.md" in reasons
    assert "reserves" in reasons
    assert "f/k.json already comes from f.jsonl#k" in reasons
    assert len(p.todo) == 2


def test_html_is_sent_to_clean_html(tmp_path, monkeypatch):
    import cleaners

    seen = []

    def fake(html, *, url=None, source=None, config=None, profile=None):
        seen.append((html, url, source))
        return cleaners.clean_text("A paragraph from the page body, long enough to keep.", source=source)

    monkeypatch.setattr(cleaners, "clean_html", fake)
    root, out = tmp_path / "in", tmp_path / "out"
    write(root / "p.html", "<html><body><p>x</p></body></html>")
    write(root / "f.jsonl", json.dumps({"html": "<p>y</p>", "url": "https://e.x/y", "title": "Y"}))
    _, p = plan_of(root, out)
    st = clean_batch(batches(p.todo)[0], opts(out))
    assert st.cleaned == 2, st.errors
    assert seen[0][1:] == ("https://e.x/y", "f.jsonl#L1") and seen[1][0].startswith(b"<html>")
    assert json.loads((out / "f" / "000001.json").read_text())["title"] == "Y"


def test_a_broken_html_stage_is_a_recorded_error(tmp_path, monkeypatch):
    """An install whose HTML stage cannot import fails its HTML documents, each with the
    import error itself; the batch goes on."""
    import cleaners

    def missing(*a, **k):
        raise ImportError("No module named 'cleaners.html'")

    monkeypatch.setattr(cleaners, "clean_html", missing)
    root, out = tmp_path / "in", tmp_path / "out"
    write(root / "p.html", "<p>x</p>")
    write(root / "a.txt", ARTICLE)
    _, p = plan_of(root, out)
    st = clean_batch(batches(p.todo)[0], opts(out))
    assert st.cleaned == 1 and st.failed == 1
    assert st.errors[0]["error"] == "ImportError" and "cleaners.html" in st.errors[0]["reason"]


def test_batches_by_count_and_bytes():
    from flows.plan import Item

    items = [Item(source=str(i), out=f"{i}.json", sha256="", kind="text", size=1000) for i in range(1000)]
    bs = batches(items, workers=1, max_docs=100)
    assert [len(b.items) for b in bs] == [100] * 10 and [b.index for b in bs] == list(range(10))
    # several workers: full batches, then shrinking ones (each <= 1/(2 x workers) of what is left)
    bs = batches(items, workers=2, max_docs=100)
    sizes = [len(b.items) for b in bs]
    assert sizes[:7] == [100] * 7 and sizes == sorted(sizes, reverse=True) and sum(sizes) == 1000
    assert min(sizes[:-1]) == 25 and [i for b in bs for i in b.items] == items
    left = 1000
    for n in sizes[:-1]:
        assert n <= max(25, -(-left // 4))
        left -= n
    assert len(batches(items[:25], workers=2)) == 1  # small runs: one task, not one per document
    assert max(len(b.items) for b in batches(items, workers=2, max_docs=500, max_bytes=50_000)) == 50
    assert batches([], workers=4) == []


def test_run_log_and_markdown(tmp_path):
    log = runlog.RunLog(str(tmp_path))
    log.add_errors([{"source": "x", "reason": "bad"}])
    s = runlog.new_summary()
    s.update(documents=3, cleaned=2, failed=1, removed_by_cleaner={"drop_promos": 4}, out=str(tmp_path))
    path = log.finish(s)
    body = json.loads(open(path).read())
    assert body["errors_total"] == 1 and body["errors_file"].endswith(".errors.jsonl")
    assert json.loads((tmp_path / body["errors_file"]).read_text())["reason"] == "bad"
    assert "| `drop_promos` | 4 |" in runlog.markdown(s)


def test_config_fingerprint_changes_with_config():
    from cleaners import load_config

    assert config_fingerprint(None) == "default"
    a = config_fingerprint(load_config({"cleaners": {"disable": ["drop_author_bios"]}}))
    assert a != config_fingerprint(load_config({})) and len(a) == 16


def test_prefect_defaults_fill_only_what_is_unset(tmp_path):
    from flows import settings

    env = {"DO_NOT_TRACK": "0"}
    applied = settings.apply_defaults(env)
    assert env["DO_NOT_TRACK"] == "0" and "DO_NOT_TRACK" not in applied
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert env["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] == "WARNING"


def test_api_url_from_environment_or_profile(tmp_path, monkeypatch):
    from flows import settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert settings.api_url() is None
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n')
    assert settings.api_url() == "http://127.0.0.1:4200/api"
    monkeypatch.setenv("PREFECT_API_URL", "http://example:1/api")
    assert settings.api_url() == "http://example:1/api"


def test_a_killed_batch_leaves_only_complete_outputs_and_the_next_run_finishes(tmp_path, monkeypatch):
    import flows.output as out_mod

    root, out = tmp_path / "in", tmp_path / "out"
    for i in range(4):
        write(root / f"d{i}.txt", ARTICLE.replace("Tuesday", f"day {i}"))
    _, p = plan_of(root, out)
    real_replace, calls = os.replace, []

    def dying_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process is killed between writing a temp file and renaming it
        real_replace(src, dst)

    monkeypatch.setattr(out_mod.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        clean_batch(batches(p.todo)[0], opts(out))
    monkeypatch.setattr(out_mod.os, "replace", real_replace)
    written = sorted(x.name for x in out.glob("*.json"))
    assert written == ["d0.json", "d1.json"]
    for f in written:
        json.loads((out / f).read_text())  # complete documents only
    assert os.listdir(out / "_state" / "tmp") == []  # no temp file left behind
    _, again = plan_of(root, out)  # nothing reached the manifest: the batch is redone whole
    st = clean_batch(batches(again.todo)[0], opts(out))
    assert st.cleaned == 4 and sorted(x.name for x in out.glob("*.json")) == [f"d{i}.json" for i in range(4)]


def test_a_temporary_server_run_sends_no_heartbeats_a_running_server_keeps_them(monkeypatch):
    """Heartbeats let a running server mark a dead run as crashed; a temporary server dies
    with the run, and joining the heartbeat thread costs up to 1 s at the end of every run."""
    from flows import settings
    from flows.server import for_run

    settings.apply_defaults()
    monkeypatch.setattr(for_run, "drain", lambda: None)  # nothing was sent to drain

    class FakeTemporary:
        stopped = False

        def wait(self, timeout=None):
            return "http://127.0.0.1:9/api"

        def stop(self):
            self.stopped = True

        release = stop  # the run's end

    from prefect.settings import get_current_settings

    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None
    monkeypatch.setattr(settings, "configured_api_url", lambda: None)
    tmp = FakeTemporary()
    with for_run.api_server(tmp) as url:
        assert url == "http://127.0.0.1:9/api"
        assert get_current_settings().api.url == url
        assert get_current_settings().flows.heartbeat_frequency is None
    assert tmp.stopped
    monkeypatch.setattr(settings, "configured_api_url", lambda: "http://127.0.0.1:8/api")
    with for_run.api_server(None) as url:
        assert url == "http://127.0.0.1:8/api"
        assert get_current_settings().flows.heartbeat_frequency == default
    assert get_current_settings().flows.heartbeat_frequency == default
