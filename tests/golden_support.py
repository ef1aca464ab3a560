"""This project's golden cases, fixtures/, through the package's golden machinery (flows.golden).

fixtures/ is a goldens folder like any user's (see flows/golden/store.py for the layout;
case.toml holds `about`, and may hold `url`, `config` and `xfail = "reason"`, a known
failure run as a strict xfail, never deleted). These helpers give the other test modules
the cases as folders and their documents.
"""
from __future__ import annotations

from pathlib import Path

from cleaners.document import CleanDocument
from flows.golden.expect import clean_case, config_for
from flows.golden.store import Goldens

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
GOLDENS = Goldens(FIXTURES)


def cases() -> list[Path]:
    return [c.dir for c in GOLDENS.cases()]


def case_options(case: Path) -> dict:
    return GOLDENS.case(case.name).options


def run_case(case: Path) -> CleanDocument:
    c = GOLDENS.case(case.name)
    return clean_case(GOLDENS, c, config_for(GOLDENS, c))
