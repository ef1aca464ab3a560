"""cleaners/furniture.py: its table of cases, and the length bounds that keep prose safe."""
from __future__ import annotations

import pytest

from cleaner_table import PARAGRAPH as PROSE, cases, check, draft_of, removed
from cleaners.furniture import (drop_author_bios, drop_cookie_notices, drop_headline_lists, drop_share_buttons,
                                drop_tag_lines)


@pytest.mark.parametrize("case", cases("furniture"))
def test_case(case):
    check(case)


def test_share_row_but_not_a_sentence_of_the_same_words():
    d = drop_share_buttons(draft_of(PROSE, "Facebook Twitter Email", "She shared it on Facebook and Twitter."))
    assert removed(d) == {1: "share.button-row"}


def test_tag_line_is_a_label_and_short_items():
    d = drop_tag_lines(draft_of(PROSE, "Tags: harbour, council, roads",
                                "Tags: he wore them on every bag he ever owned, and nobody asked why."))
    assert removed(d) == {1: "tags.prefix"}


def test_tag_item_length_is_a_parameter():
    texts = (PROSE, "Tags: harbour road closure, council")
    assert removed(drop_tag_lines(draft_of(*texts))) == {1: "tags.prefix"}
    assert removed(drop_tag_lines(draft_of(*texts, params={"furniture": {"tag_item_max_words": 2}}))) == {}


def test_weak_cookie_phrase_needs_a_word_of_the_web():
    d = drop_cookie_notices(draft_of(PROSE, "We use cookies to improve your experience on our site.",
                                     "We use cookies from the bakery on the corner for every meeting."))
    assert removed(d) == {1: "cookies.weak-in-context"}


def test_headline_list_stops_at_prose():
    d = drop_headline_lists(draft_of(PROSE, "Most Read", "Harbour road to close", "Council votes on budget",
                                     PROSE))
    assert removed(d) == {1: "headline-list.heading", 2: "headline-list.item", 3: "headline-list.item"}


def test_author_box_needs_a_name_under_its_heading():
    box = (PROSE, PROSE, PROSE, "About the author", "Maya Lindqvist is a reporter covering the coast.")
    assert set(removed(drop_author_bios(draft_of(*box)))) == {3, 4}
    review = (PROSE, PROSE, PROSE, "About the author", "The novelist grew up on the coast and never left it.")
    assert 4 not in removed(drop_author_bios(draft_of(*review)))  # the review's own section stays
