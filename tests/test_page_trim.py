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


def test_html_data_grids_the_extractor_kept_are_not_trimmed():
    grid = ("Line | Departs | Every", "1 | 6:30 | 15 min", "2 | 7:00 | 30 min", "3 | 7:15 | 60 min")
    texts = (PROSE, PROSE, PROSE, "The timetable from Monday:", *grid)
    hints = {i: {"table"} for i in range(4, 8)}
    assert set(removed(trim(draft_of(*texts, hints=hints)))) == {3, 4, 5, 6, 7}  # text input: a menu
    assert removed(trim(draft_of(*texts, hints=hints, extraction="trafilatura"))) == {}


def test_html_layout_tables_are_still_trimmed():
    """Ragged rows (a calendar) or one cell a row (a portal's link column) are no grid of data."""
    calendar = ("« Nov | Dec | Jan »", "Mo | Tu | We | Th | Fr", "1 | 2 | 3 | 4 | 5 | 6 | 7", "8 | 9 | 10")
    links = ("Archives", "Blogroll", "Contact", "Imprint")
    for rows in (calendar, links):
        hints = {i: {"table"} for i in range(3, 7)}
        d = trim(draft_of(PROSE, PROSE, PROSE, *rows, hints=hints, extraction="trafilatura"))
        assert set(removed(d)) == {3, 4, 5, 6}, rows
