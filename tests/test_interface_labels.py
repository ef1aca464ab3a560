"""cleaners/interface_labels.py: its table of cases, and the word bound."""
from __future__ import annotations

import pytest

from cleaner_table import cases, check, draft_of, removed
from cleaners.interface_labels import drop_interface_labels as drop


@pytest.mark.parametrize("case", cases("interface_labels"))
def test_case(case):
    check(case)


def test_only_whole_short_blocks():
    d = drop(draft_of("Table of Contents", "Loading...", "The table of contents was loading slowly today."))
    assert set(removed(d)) == {0, 1}


def test_word_bound_is_a_parameter():
    assert set(removed(drop(draft_of("Page 1 of 2")))) == {0}
    assert removed(drop(draft_of("Page 1 of 2", params={"interface": {"max_words": 3}}))) == {}
