"""cleaners/comments.py: its table of cases, and where a comment section may start."""
from __future__ import annotations

import pytest

from cleaner_table import PARAGRAPH as PROSE, cases, check, draft_of, removed
from cleaners.comments import drop_comment_form, drop_comment_section


@pytest.mark.parametrize("case", cases("comments"))
def test_case(case):
    check(case)


def test_strong_marker_takes_everything_after_it():
    d = drop_comment_section(draft_of(PROSE, PROSE, "Leave a Reply", "Great article!", "Jo says:"))
    assert removed(d) == {2: "comments.section.strong", 3: "comments.section.strong", 4: "comments.section.strong"}


def test_strong_marker_before_any_prose_is_a_menu_link():
    assert removed(drop_comment_section(draft_of("Leave a Reply", PROSE, PROSE))) == {}


def test_weak_heading_in_the_first_half_is_kept():
    d = drop_comment_section(draft_of(PROSE, "Comments", "Reply", PROSE, PROSE, PROSE))
    assert removed(d) == {}


def test_weak_heading_followed_by_prose_is_the_article_going_on():
    d = drop_comment_section(draft_of(PROSE, PROSE, PROSE, "Comments", PROSE, PROSE))
    assert removed(d) == {}


def test_weak_heading_needs_a_comment_mark_within_the_window():
    texts = (PROSE, PROSE, PROSE, "Comments", "Jo", "Harbour fan", "Reply")
    assert set(removed(drop_comment_section(draft_of(*texts)))) == {3, 4, 5, 6}
    # the reply button stands beyond a window of two blocks
    d = drop_comment_section(draft_of(*texts, params={"comments": {"evidence_window": 2}}))
    assert removed(d) == {}


def test_comment_form_lines_anywhere_but_not_in_a_sentence():
    d = drop_comment_form(draft_of(PROSE, "Your email address will not be published",
                                   "We were told your email address will not be published, but it was."))
    assert removed(d) == {1: "comments.form.exact"}
