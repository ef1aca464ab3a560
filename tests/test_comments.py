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


# --- reader-comment threads known by their repeating frame (find_threads) ---

def _frame(name: str, when: str, comment: str, button: str = "Reply") -> tuple[str, ...]:
    return (f"{name} says", when, comment, button)


THREAD = (_frame("Margaret Ellis", "April 12, 2024 at 8:14 am", "Pinching out the tips worked for me.")
          + _frame("Tom H", "April 12, 2024 at 9:02 am", "Do you eat the tips?")
          + _frame("Priya N", "April 13, 2024 at 6:45 pm", "The ants kept bringing them back."))


def _rules(d) -> set[str]:
    return set(removed(d).values())


def test_a_thread_with_no_marker_goes_from_its_first_name_line_to_its_last_button():
    d = drop_comment_section(draft_of(PROSE, PROSE, *THREAD, "Happy growing, see you next week."))
    assert removed(d) == {i: "comments.thread.frame" for i in range(2, 2 + len(THREAD))}
    why = d.removed[0].reason
    assert why.startswith("3 comment frames: a name line, a time stamp and a “Reply” button repeated")


def test_two_frames_are_not_a_thread_unless_the_params_say_so():
    two = THREAD[:8]
    assert removed(drop_comment_section(draft_of(PROSE, PROSE, *two))) == {}
    d = drop_comment_section(draft_of(PROSE, PROSE, *two, params={"comments": {"thread_frames": 2}}))
    assert set(removed(d)) == set(range(2, 10))


def test_a_thread_at_the_top_before_the_article_is_left():
    assert removed(drop_comment_section(draft_of(*THREAD, PROSE, PROSE))) == {}
    # one paragraph is not yet the article's prose (thread_prose_words)
    assert removed(drop_comment_section(draft_of(PROSE, *THREAD))) == {}


def test_a_live_blog_with_time_stamps_and_share_buttons_is_no_thread():
    entries = []
    for t in ("7:05 am", "7:40 am", "8:15 am", "9:00 am"):
        entries += [f"March 14, 2024 at {t}", PROSE, "Share"]
    assert removed(drop_comment_section(draft_of(PROSE, PROSE, *entries))) == {}


def test_quotes_with_says_lines_and_dates_but_no_buttons_are_no_thread():
    qa = []
    for n in ("Dr Amina Patel", "Dr Owen Price", "Dr Amina Patel", "Dr Owen Price"):
        qa += ["March 2, 2024", "Is a nap after lunch bad for sleep?", f"{n} says:", PROSE]
    assert removed(drop_comment_section(draft_of(PROSE, PROSE, *qa))) == {}


def test_a_says_line_over_a_clock_time_is_a_frame_without_a_button():
    signed = []
    for n, t in (("Hans", "11:22 am"), ("Mukesh Saini", "12:48 pm"), ("Smita Bose", "3:05 pm")):
        signed += [f"{n} says:", f"October 17, 2008 at {t}", "Is this nothing more than a rant?"]
    d = drop_comment_section(draft_of(PROSE, PROSE, *signed))
    # from the first name line to the last frame's time stamp: the last comment's text is not known to end
    assert removed(d) == {i: "comments.thread.frame" for i in range(2, 2 + len(signed) - 1)}
    assert "a name line and a time stamp repeated" in d.removed[0].reason
    # a date with no clock time under the name is how an article dates a quote: no frame
    undated = [s.replace(" at ", " ").rsplit(" ", 2)[0] if "2008" in s else s for s in signed]
    assert removed(drop_comment_section(draft_of(PROSE, PROSE, *undated))) == {}


def test_frames_further_apart_than_the_gap_are_separate_runs():
    spread = []
    for f in (THREAD[0:4], THREAD[4:8], THREAD[8:12]):
        spread += [*f[:3], PROSE, PROSE, f[3]]  # two more paragraphs in every comment
    assert _rules(drop_comment_section(draft_of(PROSE, PROSE, *spread))) == {"comments.thread.frame"}
    d = drop_comment_section(draft_of(PROSE, PROSE, *spread, params={"comments": {"thread_gap": 1}}))
    assert removed(d) == {}


def test_a_bare_name_line_above_each_frame_goes_with_the_thread():
    framed = []
    for n in ("Helen Marsh", "J. Okafor", "Sam Whitfield"):
        framed += [n, "3 days ago", "About time, the junction is dangerous.", "Reply · Report"]
    d = drop_comment_section(draft_of(PROSE, PROSE, *framed))
    assert set(removed(d)) == set(range(2, 2 + len(framed)))
    # when the line above the first frame is not a name line, it stays
    d = drop_comment_section(draft_of(PROSE, PROSE, *framed[1:]))
    assert set(removed(d)) == set(range(2, 1 + len(framed)))


def test_a_weak_heading_in_the_first_half_counts_when_a_thread_follows():
    texts = (PROSE, "12 Comments", *THREAD, PROSE, PROSE, PROSE, PROSE, PROSE, PROSE)
    d = drop_comment_section(draft_of(*texts))
    # the heading and the thread go, the text after the thread's last button stays
    assert removed(d) == {i: "comments.section.thread" for i in range(1, 2 + len(THREAD))}
    assert d.removed[0].reason.startswith("“12 Comments” opens a comment thread (3 comment frames")
    # the same heading with only a single mark after it is still refused in the first half
    d = drop_comment_section(draft_of(PROSE, "12 Comments", "Jo says", "Great piece!", PROSE, PROSE, PROSE, PROSE))
    assert removed(d) == {}


@pytest.mark.parametrize("lang,frame", [
    ("de", ("Anna", "vor 2 Tagen", "Mit Roggenmehl ging es schneller.", "Antworten")),
    ("fr", ("Claire", "il y a 2 jours", "Merci pour la recette.", "Répondre")),
    ("es", ("Lucía", "hace 3 horas", "Muy útil, gracias.", "Responder")),
    ("zh", ("王先生", "3小时前", "终于等到了。", "回复")),
])
def test_buttons_and_time_stamps_of_other_languages(lang, frame):
    d = drop_comment_section(draft_of(PROSE, PROSE, *(frame * 3), language=lang))
    assert _rules(d) == {"comments.thread.frame"}
    # without its button the same run is no thread
    bare = frame[:3] * 3
    assert removed(drop_comment_section(draft_of(PROSE, PROSE, *bare, language=lang))) == {}
