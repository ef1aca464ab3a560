"""Cases that must come through untouched, asserted directly (not only through
their goldens, which `--update-goldens` could rewrite in a hurry):

- fixtures/clean-*: articles with no boilerplate at all. Nothing is removed, no
  metadata is taken, and the text equals the input but for whitespace.
- fixtures/trap-*: prose that looks like boilerplate to a careless rule ("click
  here" in a sentence, a poem's repeated lines, a recipe's short lines...).
  Nothing but metadata (a dateline, a headline) may be taken from them.
"""
from __future__ import annotations

import pytest

from golden_support import FIXTURES, run_case

CLEAN = sorted(FIXTURES.glob("clean-*"))
TRAPS = sorted(FIXTURES.glob("trap-*"))


def _words(text: str) -> list[str]:
    return text.split()


def test_there_are_enough_of_each():
    assert len(CLEAN) >= 4
    assert len(TRAPS) >= 10


@pytest.mark.parametrize("case", CLEAN, ids=lambda p: p.name)
def test_clean_input_comes_out_unchanged_but_for_whitespace(case):
    doc = run_case(case)
    assert doc.removed == [], [(r.cleaner, r.text) for r in doc.removed]
    raw = (case / "input.txt").read_text(encoding="utf-8")
    assert _words(doc.text) == _words(raw)
    assert doc.title is None and doc.published is None and doc.authors == []


@pytest.mark.parametrize("case", TRAPS, ids=lambda p: p.name)
def test_trap_prose_is_never_removed(case):
    doc = run_case(case)
    lost = [(r.cleaner, r.kind, r.text) for r in doc.removed if r.kind != "metadata"]
    assert lost == []


MINE = sorted(p for prefix in ("en-", "trap-", "clean-", "enc-", "date-") for p in FIXTURES.glob(prefix + "*"))
@pytest.mark.parametrize("case", MINE, ids=lambda p: p.name)
def test_cleaning_the_clean_text_again_changes_nothing(case):
    from cleaners import clean_text

    text = run_case(case).text
    assert clean_text(text).text == text
