"""cleaners/ is pure Python: no module imports Prefect, directly or through another."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted((ROOT / "cleaners").rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_does_not_import_prefect(path):
    assert not _imports(path) & {"prefect", "prefect_dask"}, f"{path.name} imports Prefect"


def test_importing_every_cleaner_module_loads_no_prefect():
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in MODULES]
    names = [n.removesuffix(".__init__") for n in names if not n.endswith("__main__")]
    code = ("import importlib, sys\n"
            f"for n in {names!r}: importlib.import_module(n)\n"
            "import cleaners\n"
            "cleaners.clean_text('A paragraph long enough to go through the whole chain of cleaners.')\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'prefect_dask'))\n"
            "print(' '.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"Prefect loaded by cleaners: {out.stdout.strip()}"


def test_the_cli_launches_the_server_before_it_imports_prefect():
    """``python -m flows.clean`` imports the ``flows.clean`` package before running its
    ``__main__``: were Prefect imported there, the temporary API server (the longest
    step of a run's start-up) would only be launched after Prefect's ~2.5 s import,
    instead of booting beside it. The CLI module and the package load no Prefect; the
    flow's names are still reachable from the package, lazily."""
    code = ("import sys\n"
            "import flows.clean, flows.clean.__main__\n"
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'prefect_dask'))))\n"
            "print(flows.clean.clean_folder.name, callable(flows.clean.run))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].strip() == "", f"Prefect loaded before main(): {lines[0]}"
    assert lines[1] == "clean-folder True"
