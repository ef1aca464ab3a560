"""Small tables of cases, one file per cleaner module (tests/cleaner_cases/<module>.json), in
the manner of ftfy's JSON test cases: one block, where it stands, the decision expected
for it, and why. The negatives (``"expect": "kept"``) are the traps: text that looks like
boilerplate to a careless rule.

A case is ``{"label", "block", "expect", "why"}`` plus where the block stands: ``"at"``
(``start``, ``middle`` between paragraphs of prose (the default), ``end``), or explicit
``"before"`` / ``"after"`` lists of blocks in which ``"PROSE"`` stands for a stock paragraph.
``expect`` is the rule id (cleaners/rules.py) that must remove the block, or ``kept``.
The whole chain runs (``clean_text``), so a case says what a document gets, not what one
function returns in isolation.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaners import clean_text
from cleaners.rules import RULES

TABLES = Path(__file__).resolve().parent / "cleaner_cases"
PROSE = ("A report on the harbour, with enough words in it to be a real paragraph of prose about the town and its "
         "fishing boats.",
         "The second paragraph of the report goes on for a good while longer, telling readers more about the "
         "harbour and the people who work there.",
         "A third paragraph closes the report, with a quote from the harbour master about the winter storms and "
         "the repairs they made necessary.")
FIELDS = {"label", "block", "expect", "why", "at", "before", "after"}


def _cases():
    for table in sorted(TABLES.glob("*.json")):
        for case in json.loads(table.read_text(encoding="utf-8")):
            yield pytest.param(case, id=f"{table.stem}: {case['label']}")


def document(case: dict) -> str:
    if "before" in case or "after" in case:
        stock = iter(PROSE * 3)
        parts = [next(stock) if b == "PROSE" else b for b in (case.get("before", []) + [case["block"]]
                                                               + case.get("after", []))]
    else:
        a, b, c = PROSE
        parts = {"start": [case["block"], a, b, c], "middle": [a, b, case["block"], c],
                 "end": [a, b, c, case["block"]]}[case.get("at", "middle")]
    return "\n\n".join(parts) + "\n"


def test_every_cleaner_module_has_a_table_with_negatives():
    tables = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in TABLES.glob("*.json")}
    assert {"captions", "comments", "promos", "furniture", "pagetrim", "dedupe", "metadata"} <= set(tables)
    for name, cases in tables.items():
        assert any(c["expect"] == "kept" for c in cases), f"{name}: no negative case"
        assert any(c["expect"] != "kept" for c in cases), f"{name}: no positive case"


@pytest.mark.parametrize("case", _cases())
def test_case(case):
    assert set(case) <= FIELDS and {"label", "block", "expect", "why"} <= set(case), sorted(case)
    assert case["expect"] == "kept" or case["expect"] in RULES, f"unknown rule id {case['expect']!r}"
    doc = clean_text(document(case))
    got = [r for r in doc.removed if r.text == case["block"]]
    decision = got[0].rule if got else "kept"
    detail = f"{got[0].cleaner}: {got[0].reason}" if got else "no cleaner removed it"
    assert decision == case["expect"], f"{case['label']}: expected {case['expect']} ({case['why']}), got {detail}"
    if decision == "kept":
        assert case["block"] in doc.text.split("\n\n")
