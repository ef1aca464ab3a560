"""The console command ``declutter`` (flows/cli.py): a dispatcher to the ``python -m flows.*`` mains."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows import cli

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "fixtures" / "en-caption-styles" / "input.txt"


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("clean", "serve", "review", "golden", "explain"):
        assert f"\n  {name} " in out
    assert cli.main([]) == 2  # no command: the usage, on stderr
    assert "usage: declutter COMMAND" in capsys.readouterr().err


def test_an_unknown_command_is_a_usage_error(capsys):
    assert cli.main(["scrub", "x"]) == 2
    assert "unknown command 'scrub'" in capsys.readouterr().err


@pytest.mark.parametrize("command, usage", [
    ("clean", "usage: python -m flows.clean"),
    ("serve", "usage: python -m flows.serve"),
    ("golden", "usage: declutter golden"),
    ("explain", "usage: declutter explain"),
])
def test_each_command_has_its_help(command, usage, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith(usage)


def test_review_has_its_help_or_says_it_is_missing(capsys):
    """flows.review is written beside this command; until it is part of the package,
    `declutter review` says so in one line instead of a traceback."""
    try:
        code = cli.main(["review", "--help"])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    if code == 0:
        assert "usage:" in captured.out
    else:
        assert code == 2 and "has no flows.review" in captured.err


def test_a_missing_command_module_is_named(monkeypatch, capsys):
    monkeypatch.setitem(cli.COMMANDS, "review", ("flows.no_such_module.__main__", "gone"))
    assert cli.main(["review", "out/"]) == 2
    assert "has no flows.no_such_module (module flows.no_such_module not found)" in capsys.readouterr().err


def test_a_missing_dependency_of_a_command_is_not_hidden(monkeypatch, tmp_path):
    (tmp_path / "needs_missing.py").write_text("import no_such_dependency_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.COMMANDS, "review", ("needs_missing", "broken"))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        cli.main(["review"])


def test_explain_is_clean_explain(capsys):
    assert cli.main(["explain", str(CASE)]) == 0
    out = capsys.readouterr().out
    assert "drop_captions_and_credits (4)" in out and "Photo by Lukas Brenner/Getty Images" in out
    cfg = ROOT / "fixtures" / "nocaptions.toml"
    assert cli.main(["explain", str(CASE), "--config", str(cfg)]) == 2  # a missing config: clean's usage error
    assert "cannot read config" in capsys.readouterr().err


def test_golden_runs_through_the_command(capsys):
    assert cli.main(["golden", "check", "--goldens", str(ROOT / "fixtures"), "-q", "en-caption-styles"]) == 0
    assert "1 goldens: 1 pass" in capsys.readouterr().out


def test_help_and_explain_import_no_prefect():
    """`declutter --help`, each command's `--help`, `declutter explain` and `golden check` must not pay for
    importing Prefect (seconds): the dispatcher imports a command's module only when it runs."""
    code = ("import sys, contextlib, io\n"
            "from flows import cli\n"
            "def run(argv):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "        try:\n"
            "            cli.main(argv)\n"
            "        except SystemExit:\n"
            "            pass\n"
            "for argv in (['--help'], ['clean', '--help'], ['serve', '--help'], ['golden', '--help'],\n"
            "             ['review', '--help'], ['explain', '--help'], ['explain', sys.argv[1]],\n"
            "             ['golden', 'check', '--goldens', 'fixtures', 'en-caption-styles']):\n"
            "    run(argv)\n"
            "    bad = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'prefect_dask'))\n"
            "    print(' '.join(argv[:1]), len(bad))\n")
    out = subprocess.run([sys.executable, "-c", code, str(CASE)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 8 and all(line.endswith(" 0") for line in lines), out.stdout


def test_python_m_flows_cli_runs_it():
    out = subprocess.run([sys.executable, "-m", "flows.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("usage: declutter COMMAND")
