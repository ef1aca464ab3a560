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

from .document import Block, Draft
from .textutil import ends_sentence, key, word_count

MAX_ENTRY_WORDS = 14     # a contents entry is a heading: short
MIN_ENTRIES = 3          # fewer matched entries than this are a coincidence, not a contents box
MIN_SHARE = 0.6          # ...and they make up at least this share of the run
MAX_LABEL_WORDS = 4      # "Table of contents", "In this article", "Jump to section"
PROSE_WORDS = 12         # what follows a real subheading is a paragraph at least this long
_NUMBERING = regex.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivxlc]+\.|[a-z]\))\s+", regex.V1)


def _entry_key(text: str) -> str:
    """The entry's words, case and punctuation aside, without its numbering ("2.1 ")."""
    return _NUMBERING.sub("", key(text))


def _entry_shaped(b: Block) -> bool:
    t = b.text.strip()
    n = word_count(t)
    return 0 < n <= MAX_ENTRY_WORDS and (not ends_sentence(t) or t.endswith("?"))


def _prose(b: Block) -> bool:
    return word_count(b.text) >= PROSE_WORDS and ends_sentence(b.text)


def _runs(live: list[Block]) -> list[tuple[int, int]]:
    """[start, end) of each run of at least MIN_ENTRIES entry-shaped blocks."""
    out, i = [], 0
    while i < len(live):
        if not _entry_shaped(live[i]):
            i += 1
            continue
        j = i
        while j < len(live) and _entry_shaped(live[j]):
            j += 1
        if j - i >= MIN_ENTRIES:
            out.append((i, j))
        i = j
    return out


def drop_table_of_contents(draft: Draft) -> Draft:
    """A run of entries above the body that repeats, in order, the body's own subheadings."""
    live = draft.live()
    runs = _runs(live)
    if not runs:
        return draft
    # where each heading-shaped block followed by prose stands: the body's subheadings
    headings: dict[str, list[int]] = {}
    for i in range(len(live) - 1):
        if _entry_shaped(live[i]) and _prose(live[i + 1]):
            headings.setdefault(_entry_key(live[i].text), []).append(i)
    if len(headings) < MIN_ENTRIES:
        return draft
    decisions = []
    for start, end in runs:
        matched, last = [], end - 1
        for i in range(start, end):
            later = [p for p in headings.get(_entry_key(live[i].text), ()) if p > last]
            if later:
                matched.append(i)
                last = later[0]  # the next entry's heading must come after this one's
        if len(matched) < MIN_ENTRIES:
            continue
        # the contents run from the first to the last matched entry (a headline or a
        # kicker above them in the same run of short lines is not an entry)
        first, stop = matched[0], matched[-1] + 1
        if len(matched) < MIN_SHARE * (stop - first):
            continue
        why = (f"a table of contents: {len(matched)} of its {stop - first} entries are the article's "
               f"subheadings below")
        label = live[first - 1] if first > 0 else None
        if label is not None and 0 < word_count(label.text) <= MAX_LABEL_WORDS and not ends_sentence(label.text):
            decisions.append((label, "contents", "the heading of " + why, "contents.heading"))
        decisions += [(b, "contents", why, "contents.entry") for b in live[first:stop]]
    return draft.remove_each(decisions, "drop_table_of_contents")
