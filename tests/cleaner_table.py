"""Support for the small tables of cases, one file per cleaner module (tests/cleaner_cases/<module>.json), in
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

from cleaners import clean_text, load_config
from cleaners.document import Block, Context, Draft, Meta
from cleaners.phrases import build_book
from cleaners.rules import RULES

TABLES = Path(__file__).resolve().parent / "cleaner_cases"
PROSE = ("A report on the harbour, with enough words in it to be a real paragraph of prose about the town and its "
         "fishing boats.",
         "The second paragraph of the report goes on for a good while longer, telling readers more about the "
         "harbour and the people who work there.",
         "A third paragraph closes the report, with a quote from the harbour master about the winter storms and "
         "the repairs they made necessary.")
FIELDS = {"label", "block", "expect", "why", "at", "before", "after"}


def tables() -> dict[str, list[dict]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(TABLES.glob("*.json"))}


def cases(*names: str) -> list:
    """pytest params for the cases of the named tables (file stems)."""
    return [pytest.param(case, id=f"{name}: {case['label']}") for name, table in tables().items()
            if name in names for case in table]


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


def check(case: dict) -> None:
    """Clean the case's document; the block must get the expected decision."""
    assert set(case) <= FIELDS and {"label", "block", "expect", "why"} <= set(case), sorted(case)
    assert case["expect"] == "kept" or case["expect"] in RULES, f"unknown rule id {case['expect']!r}"
    doc = clean_text(document(case))
    got = [r for r in doc.removed if r.text == case["block"]]
    decision = got[0].rule if got else "kept"
    detail = f"{got[0].cleaner}: {got[0].reason}" if got else "no cleaner removed it"
    assert decision == case["expect"], f"{case['label']}: expected {case['expect']} ({case['why']}), got {detail}"
    if decision == "kept":
        assert case["block"] in doc.text.split("\n\n")


# -- direct unit tests: one cleaner over a hand-made draft ---------------------------------

PARAGRAPH = ("The council met on Tuesday evening and voted to close the old harbour road to lorries from the "
             "spring, after a year of complaints from the people who live along it.")  # one stock paragraph


def draft_of(*texts: str, groups=None, hints=None, language="en", params=None, extraction=None) -> Draft:
    """A draft of one block per text (each its own group unless ``groups`` says otherwise),
    with the shipped phrase book and the thresholds of ``params`` (a ``[params]`` table)."""
    blocks = tuple(Block(i, t, group=groups[i] if groups else i, hints=frozenset((hints or {}).get(i, ())))
                   for i, t in enumerate(texts))
    cfg = load_config({"params": params} if params else None)
    return Draft(blocks=blocks, meta=Meta(language=language),
                 context=Context(phrases=build_book(), params=cfg.params_for(None), extraction=extraction))


def removed(draft: Draft) -> dict[int, str]:
    """position -> rule id of everything removed so far."""
    return {r.position: r.rule for r in draft.removed}
