"""Properties every input must satisfy (hypothesis), whatever the rules decide.

- never raises: any ``str`` through ``clean_text``; any ``bytes`` through
  ``clean_bytes`` / ``clean_html`` raises nothing but the documented
  ``UndecodableInput``;
- never adds or reorders text: the kept paragraphs are exactly the segmented
  input blocks that were not removed, in order, and each removal quotes its
  block verbatim;
- every block accounted for: ``blocks_in == kept + removed``, removal positions
  unique and in range, per-cleaner counts add up;
- idempotent, stated where it can hold (see ``test_idempotent_*``).

Example counts are modest so the suite stays fast; ``bench/fuzz.py`` runs the
same properties with many more examples by hand.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from cleaners import UndecodableInput, clean_bytes, clean_html, clean_text
from cleaners.document import Block
from cleaners.pipeline import clean_blocks
from cleaners.segment import segment

from strategies import any_bytes, any_text, articles, html_pages  # tests/ is on sys.path (rootdir import)

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # decoding, HTML


def paragraphs(doc) -> list[str]:
    return doc.text.split("\n\n") if doc.text else []


def check_accounting(doc, blocks: list[Block] | None = None) -> None:
    """kept + removed == blocks in; positions unique; counts per cleaner add up."""
    s = doc.stats
    positions = [r.position for r in doc.removed]
    assert len(set(positions)) == len(positions), "a block was removed twice"
    assert positions == sorted(positions), "removals are listed in input order"
    assert all(0 <= p < s.blocks_in for p in positions)
    assert s.blocks_removed == len(doc.removed)
    assert s.blocks_kept + s.blocks_removed == s.blocks_in
    assert s.blocks_kept == len(paragraphs(doc))
    assert sum(s.removed_by_cleaner.values()) == len(doc.removed)
    assert all(r.reason.strip() and r.cleaner and r.kind for r in doc.removed)
    if blocks is not None:
        assert s.blocks_in == len(blocks)


def check_no_additions(doc, blocks: list[Block]) -> None:
    """The kept paragraphs are the input blocks minus the removed ones, in order."""
    by_index = {b.index: b for b in blocks}
    for r in doc.removed:
        assert by_index[r.position].text == r.text, "a removal must quote its block verbatim"
    dead = {r.position for r in doc.removed}
    assert paragraphs(doc) == [b.text for b in blocks if b.index not in dead]


# -- clean_text -----------------------------------------------------------------------------

@FAST
@given(any_text())
@example("")
@example("\n\n\r\n")
@example("\x00\x00")
@example("Leave a Reply")
def test_clean_text_never_raises_and_accounts_for_every_block(text):
    doc = clean_text(text)
    blocks = segment(text)
    check_accounting(doc, blocks)
    check_no_additions(doc, blocks)
    assert doc.id and doc.model_dump_json()


@FAST
@given(articles())
def test_kept_text_is_a_subsequence_of_the_input_lines(text):
    """Independent of the segmenter's internals: every kept paragraph is made of
    normalised input lines, in input order (wrapped lines rejoined by a space)."""
    doc = clean_text(text)
    flat = " ".join(b.text for b in segment(text))
    at = 0
    for p in paragraphs(doc):
        found = flat.find(p, at)
        assert found >= 0, f"kept paragraph not in the input (or out of order): {p!r}"
        at = found + len(p)


# -- clean_bytes ----------------------------------------------------------------------------

@SLOW
@given(any_bytes())
@example(b"")
@example(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
@example(b"\xff\xfe")
@example("caf\u00e9 na\u00efve".encode("utf-16-le"))
def test_clean_bytes_never_raises_except_undecodable(data):
    try:
        doc = clean_bytes(data)
    except UndecodableInput as e:
        assert str(e), "the reason must be stated"
        return
    check_accounting(doc)


@SLOW
@given(articles(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
def test_clean_bytes_of_unicode_encodings_matches_clean_text(text, encoding):
    """Lossless encodings decode to the same document as the text itself."""
    data = text.encode(encoding)
    try:
        from_bytes = clean_bytes(data)
    except UndecodableInput:
        # only text that is mostly control characters is refused
        return
    assert from_bytes.text == clean_text(text).text


# -- clean_html -----------------------------------------------------------------------------

@SLOW
@given(html_pages())
@example("")
@example("<html>")
@example("<" * 50)
@example("<div>" * 400 + "deep" + "</div>" * 400)
@example('<p title="' + "x" * 100_000 + '">attribute</p>')
@example("<?xml version='1.0' encoding='utf-8'?><p>declared</p>")
def test_clean_html_never_raises_and_accounts_for_every_block(page):
    doc = clean_html(page)
    check_accounting(doc)


@SLOW
@given(st.one_of(html_pages().map(lambda s: s.encode("utf-8")), any_bytes()))
def test_clean_html_bytes_never_raises_except_undecodable(data):
    try:
        doc = clean_html(data)
    except UndecodableInput as e:
        assert str(e)
        return
    check_accounting(doc)


# -- idempotence ----------------------------------------------------------------------------
#
# What can be idempotent? The canonical text is the kept blocks joined by blank
# lines, with the headline moved to ``title``. Two things are lost on the way:
# the headline (so it must be handed back, or the next paragraph would be taken
# for a headline), and the line grouping (a verse of short lines printed
# together becomes separate paragraphs). So:
#
# 1. the canonical text is a fixed point of segmentation: it segments back into
#    exactly its paragraphs (normalisation and wrap-joining do nothing twice);
# 2. re-cleaning the canonical text (title handed back) gives the same text.
#
# (2) does not hold yet, for two reasons found by these tests:
# - window effects: some cleaners judge a block by its neighbours among the
#   live blocks (trim_page_chrome anchors on the first/last prose paragraph,
#   the dateline search looks at the head), and a later cleaner's removal
#   (drop_repeated_paragraphs dropping the anchor, a promo leaving the head)
#   moves the window, so a second pass removes more. Running the chain to a
#   fixed point (repeat while something is removed) fixes every such case seen
#   in 1,000 examples and changes no golden;
# - line groups are lost: a verse group's short lines may repeat (dedupe
#   leaves them), but in the canonical text they are separate paragraphs, so a
#   second pass drops the repeats.
# Both are listed as xfails (the minimal cases strict) until the chain's owner
# decides; when they are fixed, remove the markers.

@FAST
@given(any_text())
def test_canonical_text_segments_into_its_own_paragraphs(text):
    doc = clean_text(text)
    assert [b.text for b in segment(doc.text)] == paragraphs(doc)


def reclean(doc):
    return clean_text(doc.text, title=doc.title, language=doc.language)


@settings(max_examples=50, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_idempotent_on_canonical_text(text):
    doc = clean_text(text)
    assert reclean(doc).text == doc.text


def test_idempotent_simple_article():
    """What must hold today: an article with ordinary boilerplate is a fixed point after one pass."""
    raw = ("Harbour budget soars as repairs stall\nBy Jane Doe\nDecember 28, 2024\n"
           f"{_P}\nPhoto: Jane Doe/AP\n{_Q}\nCLICK HERE FOR MORE FROM THE HARBOUR GAZETTE\n{_P}\n"
           "Leave a Reply\nGreat story!\n")
    doc = clean_text(raw)
    assert paragraphs(doc) == [_P, _Q]
    assert reclean(doc).text == doc.text


_P = ("The council voted on Tuesday to extend the harbour budget after residents of Mill Road complained "
      "for a third winter about flooding in their streets.")
_Q = "The mayor said the plan would be published in the spring, after the engineers report on the wall."


def test_idempotent_when_a_repeat_anchored_the_body():
    doc = clean_text(f"{_P}\nContact us\n{_P}\nPrivacy Policy\nHome\n")
    assert reclean(doc).text == doc.text


def test_idempotent_on_a_verse_group_with_repeated_lines():
    doc = clean_text("\xa0The. The. The the the. The the the the the the\nthe.\n"
                     "\xa0The. The. The the the. The the the the the the\nthe.\n")
    assert reclean(doc).text == doc.text
