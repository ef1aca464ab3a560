"""cleaners/captions.py: its table of cases, and the figure-group rules on hand-made drafts."""
from __future__ import annotations

import pytest

from cleaner_table import PARAGRAPH as PROSE, cases, check, draft_of, removed
from cleaners.captions import drop_captions_and_credits as drop


@pytest.mark.parametrize("case", cases("captions"))
def test_case(case):
    check(case)


def test_caption_printed_directly_above_its_credit():
    d = drop(draft_of(PROSE, "Fishing boats wait out the storm in the harbour.", "Jane Doe/Reuters", PROSE,
                      groups=[0, 1, 1, 2]))
    assert removed(d) == {1: "captions.caption.above-credit", 2: "captions.credit.slash"}


def test_a_paragraph_above_a_credit_is_not_its_caption():
    para = ("Fishing boats wait out the storm in the harbour. The skippers say it is the worst winter in years. "
            "Most of them have not been out for a fortnight.")  # three sentences: article text
    d = drop(draft_of(PROSE, para, "Jane Doe/Reuters", PROSE, groups=[0, 1, 1, 2]))
    assert removed(d) == {2: "captions.credit.slash"}


def test_figure_group_size_is_a_parameter():
    texts = (PROSE, "Harbour Life", "Fishing boats wait out the storm.", "Jane Doe/Reuters", PROSE)
    groups = [0, 1, 1, 1, 2]
    assert set(removed(drop(draft_of(*texts, groups=groups)))) == {1, 2, 3}
    # a group of three lines is no figure when figures are at most two lines
    d = drop(draft_of(*texts, groups=groups, params={"captions": {"max_figure_group": 2}}))
    assert removed(d) == {3: "captions.credit.slash"}


def test_page_markup_alone_marks_a_caption_but_not_a_long_one():
    d = drop(draft_of(PROSE, "Boats in the harbour.", PROSE * 3, hints={1: {"caption"}, 2: {"caption"}}))
    assert removed(d) == {1: "captions.caption.page-markup"}  # 90+ words: over max_caption_words


def test_prose_naming_an_agency_is_kept():
    d = drop(draft_of(PROSE, "Reuters reported on Monday that the talks had broken down.", PROSE))
    assert removed(d) == {}
