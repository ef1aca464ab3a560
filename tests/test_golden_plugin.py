"""The pytest plugin (``pytest --declutter-goldens DIR``) a user's own test suite runs, and its entry point."""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from flows.golden.__main__ import main as golden_main
from flows.golden.store import Goldens

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "flows.golden.pytest_plugin"
STORY = ("The harbour ferry made its first crossing of the year on Saturday, after four months in dry dock "
         "while engineers replaced its engines.\n\nPhoto: Jane Doe/Reuters\n\n"
         "About two hundred passengers waited on the quay for the first sailing.\n")
OTHER = "A second sample, with nothing in it that any cleaner would remove, written as one plain sentence.\n"


@pytest.fixture
def goldens(tmp_path) -> Path:
    s = tmp_path / "samples"
    s.mkdir()
    (s / "ferry.txt").write_text(STORY, encoding="utf-8")
    (s / "plain.txt").write_text(OTHER, encoding="utf-8")
    g = tmp_path / "goldens"
    assert golden_main(["record", str(s), "--goldens", str(g), "-q"]) == 0
    return g


@pytest.fixture
def run(pytester, monkeypatch):
    """pytest in-process on the plugin alone: installed entry points are not loaded, so the
    test does not depend on how (or whether) this checkout is installed."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")

    def go(*args):
        return pytester.runpytest("-p", PLUGIN, "-p", "no:cacheprovider", *map(str, args))
    return go


def _keep_the_caption(g: Path) -> None:
    case = Goldens(g).case("ferry")
    golden = case.read_expected()
    golden["removed"] = []
    golden["text"] = STORY.strip()
    case.expected_file.write_text(json.dumps(golden), encoding="utf-8")


def test_one_test_per_case(goldens, run):
    result = run("--declutter-goldens", goldens, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*goldens::ferry PASSED*", "*goldens::plain PASSED*"])


def test_a_failure_is_the_golden_diff_and_update_accepts(goldens, run):
    _keep_the_caption(goldens)
    result = run("--declutter-goldens", goldens)
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert ("golden ferry differs:\ntext:\n  - 'Photo: Jane Doe/Reuters'\n      now removed by "
            "drop_captions_and_credits [captions.credit.label] (credit: photo credit") in out
    assert "Traceback" not in out
    run("--declutter-goldens", goldens, "--declutter-update").assert_outcomes(passed=2)
    run("--declutter-goldens", goldens).assert_outcomes(passed=2)


def test_select_with_k_and_known_failures_are_strict(goldens, run):
    run("--declutter-goldens", goldens, "-k", "plain").assert_outcomes(passed=1, deselected=1)
    (goldens / "ferry" / "case.toml").write_text('xfail = "we want the caption kept"\n', encoding="utf-8")
    run("--declutter-goldens", goldens).assert_outcomes(passed=1, failed=1)  # XPASS(strict)
    _keep_the_caption(goldens)
    run("--declutter-goldens", goldens).assert_outcomes(passed=1, xfailed=1)


def test_a_config_to_check_with(goldens, run, tmp_path):
    cfg = tmp_path / "cfg.toml"
    cfg.write_text('[cleaners]\ndisable = ["drop_captions_and_credits"]\n', encoding="utf-8")
    result = run("--declutter-goldens", goldens, "--declutter-config", cfg)
    result.assert_outcomes(passed=1, failed=1)
    assert ("now kept: no cleaner removes it; the golden has it removed by drop_captions_and_credits "
            "[captions.credit.label]") in result.stdout.str()
    result = run("--declutter-goldens", goldens, "--declutter-config", cfg, "--declutter-update")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_folder_that_is_not_goldens_is_a_usage_error(run, tmp_path):
    result = run("--declutter-goldens", tmp_path / "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--declutter-goldens*no goldens folder*"])


def test_without_the_option_the_plugin_adds_nothing(goldens, run, pytester):
    pytester.makepyfile(test_own="def test_own():\n    assert True\n")
    run().assert_outcomes(passed=1)


def test_the_plugin_imports_nothing_heavy_until_asked():
    """pytest imports every installed plugin at start-up: this one must cost nothing
    (no cleaners, pydantic, trafilatura or Prefect) in a run that does not ask for goldens."""
    code = ("import sys\n"
            f"import {PLUGIN}\n"
            "heavy = ('cleaners', 'pydantic', 'trafilatura', 'prefect', 'flows.golden.store', 'flows.golden.expect')\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_pyproject_registers_the_plugin_and_the_console_command():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    module = project["entry-points"]["pytest11"]["declutter"]
    assert module == PLUGIN
    plugin = __import__(module, fromlist=["pytest_addoption"])
    assert callable(plugin.pytest_addoption) and callable(plugin.pytest_collection_modifyitems)
    assert project["scripts"]["declutter"] == "flows.cli:main"


def _installed_from_here():
    from importlib import metadata

    try:
        dist = metadata.distribution("declutter")
    except metadata.PackageNotFoundError:
        return None
    url = json.loads(dist.read_text("direct_url.json") or "{}").get("url", "")
    return dist if url.removeprefix("file://").rstrip("/") == str(ROOT) else None


def test_the_installed_package_has_the_entry_points():
    """Read from the installed metadata: fails when this checkout's install is older than its
    pyproject.toml (run `pip install -e .` again); skipped when declutter is installed from elsewhere."""
    dist = _installed_from_here()
    if dist is None:
        pytest.skip("declutter is not installed (editable) from this checkout")
    eps = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert eps.get(("pytest11", "declutter")) == PLUGIN, "reinstall: pip install -e ."
    assert eps.get(("console_scripts", "declutter")) == "flows.cli:main", "reinstall: pip install -e ."
