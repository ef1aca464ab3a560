"""A table of contents printed above the article: its entries repeat the body's subheadings.

A page's "Contents" box lists the article's own section headings; once the page is
text, the same short lines stand twice, first as a run of entries near the top and
again, one by one, as the subheadings that open each section. The contents are the
copy to drop: the subheadings carry the article's structure, the run above it is
navigation. A run counts as a table of contents only when at least three of its
entries, in the same order, come back later as a heading-shaped block followed by
prose, and they make up most of the run: a "Key points" list whose items are not the
article's headings, or a menu repeated in the footer (followed by more menu, not
prose), is left alone. A short label directly above the run ("Contents", "In this
article", "Inhalt") goes with it.
"""
from __future__ import annotations

import regex

from .document import Block, Draft, Params, Share, Words


class ContentsParams(Params):
    """Thresholds of ``drop_table_of_contents`` (config: ``[params.contents]``)."""

    max_entry_words: Words = 14  # a contents entry is a heading: short
    min_entries: Words = 3       # fewer matched entries than this are a coincidence, not a contents box
    min_share: Share = 0.6       # ...and they make up at least this share of the run
    max_label_words: Words = 4   # "Table of contents", "In this article", "Jump to section"
    prose_words: Words = 12      # what follows a real subheading is a paragraph at least this long
_NUMBERING = regex.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivxlc]+\.|[a-z]\))\s+", regex.V1)


def _entry_key(b: Block) -> str:
    """The entry's words, case and punctuation aside, without its numbering ("2.1 ")."""
    return _NUMBERING.sub("", b.m.key)


def _entry_shaped(b: Block, p: ContentsParams) -> bool:
    n = b.m.words
    return 0 < n <= p.max_entry_words and (not b.m.ends or b.text.rstrip().endswith("?"))


def _prose(b: Block, p: ContentsParams) -> bool:
    return b.m.words >= p.prose_words and b.m.ends


def _runs(live: list[Block], p: ContentsParams) -> list[tuple[int, int]]:
    """[start, end) of each run of at least ``min_entries`` entry-shaped blocks."""
    out, i = [], 0
    while i < len(live):
        if not _entry_shaped(live[i], p):
            i += 1
            continue
        j = i
        while j < len(live) and _entry_shaped(live[j], p):
            j += 1
        if j - i >= p.min_entries:
            out.append((i, j))
        i = j
    return out


def drop_table_of_contents(draft: Draft) -> Draft:
    """A run of entries above the body that repeats, in order, the body's own subheadings."""
    p: ContentsParams = draft.context.params.contents
    live = draft.live()
    runs = _runs(live, p)
    if not runs:
        return draft
    # where each heading-shaped block followed by prose stands: the body's subheadings
    headings: dict[str, list[int]] = {}
    for i in range(len(live) - 1):
        if _entry_shaped(live[i], p) and _prose(live[i + 1], p):
            headings.setdefault(_entry_key(live[i]), []).append(i)
    if len(headings) < p.min_entries:
        return draft
    decisions = []
    for start, end in runs:
        matched, last = [], end - 1
        for i in range(start, end):
            later = [p for p in headings.get(_entry_key(live[i]), ()) if p > last]
            if later:
                matched.append(i)
                last = later[0]  # the next entry's heading must come after this one's
        if len(matched) < p.min_entries:
            continue
        # the contents run from the first to the last matched entry (a headline or a
        # kicker above them in the same run of short lines is not an entry)
        first, stop = matched[0], matched[-1] + 1
        if len(matched) < p.min_share * (stop - first):
            continue
        why = (f"a table of contents: {len(matched)} of its {stop - first} entries are the article's "
               f"subheadings below")
        label = live[first - 1] if first > 0 else None
        if label is not None and 0 < label.m.words <= p.max_label_words and not label.m.ends:
            decisions.append((label, "contents", "the heading of " + why, "contents.heading"))
        decisions += [(b, "contents", why, "contents.entry") for b in live[first:stop]]
    return draft.remove_each(decisions, "drop_table_of_contents")
