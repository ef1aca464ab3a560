"""The small tables of cases (tests/cleaner_cases/<module>.json, run by tests/cleaner_table.py):
every cleaner module has one, with negatives; the tables of modules without a test module of
their own run here, the others in test_<module>.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner_table import cases, check, tables

OWN_MODULE = {"captions", "comments", "furniture", "page_trim", "interface_labels"}  # test_<name>.py


def test_every_cleaner_module_has_a_table_with_negatives():
    found = tables()
    assert {"captions", "comments", "promos", "furniture", "page_trim", "interface_labels", "dedupe",
            "metadata"} <= set(found)
    for name, table in found.items():
        assert any(c["expect"] == "kept" for c in table), f"{name}: no negative case"
        assert any(c["expect"] != "kept" for c in table), f"{name}: no positive case"


def test_tables_with_a_module_of_their_own_are_run_there():
    here = Path(__file__).parent
    for name in OWN_MODULE:
        assert f'cases("{name}")' in (here / f"test_{name}.py").read_text(encoding="utf-8"), name


@pytest.mark.parametrize("case", cases(*(set(tables()) - OWN_MODULE)))
def test_case(case):
    check(case)
