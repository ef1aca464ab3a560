"""cleaners/page_trim.py: its table of cases, and the page trimmer on hand-made drafts."""
from __future__ import annotations

import pytest

from cleaner_table import PARAGRAPH as PROSE, cases, check, draft_of, removed
from cleaners.page_trim import trim_page_chrome as trim

MENU = ("Home", "News", "Sport", "Weather")


@pytest.mark.parametrize("case", cases("page_trim"))
def test_case(case):
    check(case)


def test_menu_before_the_body_and_footer_after_it():
    d = trim(draft_of(*MENU, PROSE, PROSE, PROSE, "Contact us", "Privacy", "Terms"))
    assert removed(d) == {0: "pagetrim.nav-head", 1: "pagetrim.nav-head", 2: "pagetrim.nav-head",
                          3: "pagetrim.nav-head", 7: "pagetrim.nav-tail", 8: "pagetrim.nav-tail",
                          9: "pagetrim.nav-tail"}


def test_all_article_text_is_left_alone():
    assert removed(trim(draft_of(PROSE, PROSE, "He listened for a long time.", PROSE))) == {}


def test_two_short_lines_are_not_a_navigation_run():
    assert removed(trim(draft_of("Home", "News", PROSE, PROSE, PROSE))) == {}


def test_run_length_is_a_parameter():
    texts = (*MENU, PROSE, PROSE, PROSE)
    assert set(removed(trim(draft_of(*texts)))) == {0, 1, 2, 3}
    assert removed(trim(draft_of(*texts, params={"page_trim": {"nav_min_run": 5}}))) == {}


def test_html_lists_the_extractor_kept_are_not_trimmed():
    texts = ("What you need", "Flour", "Salt", "Water", PROSE, PROSE, PROSE)
    hints = {0: {"heading"}, 1: {"list"}, 2: {"list"}, 3: {"list"}}
    assert set(removed(trim(draft_of(*texts, hints=hints)))) == {0, 1, 2, 3}  # text input: a menu
    assert removed(trim(draft_of(*texts, hints=hints, extraction="trafilatura"))) == {}
