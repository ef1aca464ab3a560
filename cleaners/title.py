"""The headline a text starts with becomes ``title``; a declared title printed again is removed."""
from __future__ import annotations

from dataclasses import replace

import regex

from .document import Draft, Params, Removal, Words
from .textutil import key, word_count


class TitleParams(Params):
    """Thresholds of ``extract_title`` (config: ``[params.title]``)."""

    min_words: Words = 2           # a one-word first line is a site name or a label, not a headline
    max_words: Words = 25          # headlines are short; a longer first line is prose
    repeat_blocks: Words = 3       # a declared title printed again stands among the first blocks
    alone_max_blocks: Words = 3    # a text that is only a headline: at most this many blocks...
    alone_label_words: Words = 5   # ...the others labels, dates or buttons of a teaser card
    teaser_max_blocks: Words = 4   # a teaser card: a headline, its labels (a date, a byline line)...
    teaser_max_words: Words = 90   # ...and one excerpt, all short
    teaser_label_words: Words = 8  # a card's byline-and-date line ("Ann Lee January 23, 2025 10:01 am")
    teaser_min_excerpt: Words = 8  # the excerpt is a sentence or more, cut short...
    teaser_cut_words: Words = 12   # ...and one cut without an ellipsis is longer still


def _headline_shaped(t: str, p: TitleParams) -> bool:
    n = word_count(t)
    if not (p.min_words <= n <= p.max_words) or t.endswith((".", ",", ";", ":")) and not t.endswith("..."):
        return False
    # a headline starts with a capital (sentence case, as many publishers print
    # them, is enough), or is in a caseless script (or opens with a number: "5 tricks ...")
    first = next((ch for ch in t if ch.isalnum()), "")
    return not first.islower()


def extract_title(draft: Draft) -> Draft:
    """A headline the text clearly starts with: a short first line with no full stop,
    followed by prose. A verbatim repeat of it right after goes too.

    When the page trimmer already took the text's very first line with the
    header run under it (headline, standfirst, byline), that line is still the
    headline: its removal is re-recorded as the title."""
    p: TitleParams = draft.context.params.title
    if draft.meta.title:
        return _drop_declared_title(draft, p)
    live = draft.live()
    if 0 < len(live) <= p.teaser_max_blocks:
        card = _teaser_card(draft, live, p)
        if card is not draft:
            return card
    if 0 < len(live) <= p.alone_max_blocks:
        alone = _headline_alone(draft, live, p)
        if alone is not draft:
            return alone
    if len(live) < 2:
        return draft
    first = live[0]
    t = first.text.strip()
    if not _headline_shaped(t, p):
        return _title_from_trimmed_head(draft, p)
    n = first.m.words
    rest_words = sum(b.m.words for b in live[1:6])
    if rest_words < 3 * n or rest_words < 30:
        return draft  # no body to head: maybe a list or a stub
    drop = [first]
    for b in live[1:3]:
        if b.m.key == first.m.key:
            drop.append(b)
    draft = draft.with_meta(title=t)
    return draft.remove(drop, "extract_title", "metadata", "headline moved to title", "title.headline")


def _headline_alone(draft: Draft, live: list, p: TitleParams) -> Draft:
    """A text that is nothing but a headline, perhaps with a section label, a date or a
    button of its teaser card ("Feature" / "The Big List Of Upcoming Remakes", "Read more"):
    the scraper caught another story's card, or a page's header without its body. The
    headline is the document's title; the card's labels go with it. A line that reads as a
    sentence (ends with a full stop, or is longer than a label) keeps everything."""
    if len(live) > p.alone_max_blocks:
        return draft
    heads = [b for b in live if _headline_shaped(b.text.strip(), p)
             and b.m.words > p.alone_label_words]
    if len(heads) != 1 and len(live) > 1:
        return draft
    head = heads[0] if heads else live[0]
    t = head.text.strip()
    if not _headline_shaped(t, p) or t.endswith(("...", "…")) or not (t[0].isalnum() or t[0] in "\"“‘'«"):
        return draft  # a list item ("+ Added …") or a cut teaser is not a headline
    labels = [b for b in live if b is not head]
    if any(b.m.words > p.alone_label_words or b.text.strip().endswith(".") for b in labels):
        return draft
    draft = draft.with_meta(title=head.text.strip())
    draft = draft.remove([head], "extract_title", "metadata", "a headline with no body moved to title",
                         "title.alone")
    return draft.remove(labels, "extract_title", "boilerplate",
                        "a label of a headline with no body (a teaser card)", "title.alone-label")


_CUT_WORD = regex.compile(r"\p{Ll}[\p{L}\p{M}'’-]*$", regex.V1)


def _cut_short(t: str, p: TitleParams) -> bool:
    """An excerpt cut off by a card: it ends with an ellipsis, or stops in the middle of a
    sentence (on a lower-case word, no punctuation) after a longer run of words."""
    if t.endswith(("...", "…")):
        return True
    return word_count(t) >= p.teaser_cut_words and bool(_CUT_WORD.search(t))


def _teaser_card(draft: Draft, live: list, p: TitleParams) -> Draft:
    """A text that is only another story's teaser card: a headline, perhaps a label or a
    byline-and-date line, and one excerpt cut short ("… the nexus...", "Learn essential"):
    the scraper caught a card, not an article (an article's paragraph ends its sentence).
    The headline becomes the title; the excerpt and the labels go. The card must show its
    headline above the excerpt (a lone excerpt that trails off stays), every other block
    must be a short label, and a second paragraph of prose keeps everything."""
    if sum(b.m.words for b in live) > p.teaser_max_words:
        return draft
    cut = [b for b in live if b.m.words >= p.teaser_min_excerpt and _cut_short(b.text.strip(), p)]
    if len(cut) != 1:
        return draft
    excerpt = cut[0]
    head = next((b for b in live if b.index < excerpt.index and _headline_shaped(b.text.strip(), p)
                 and b.m.words > p.alone_label_words), None)
    if head is None:
        return draft
    others = [b for b in live if b is not excerpt and b is not head]
    if any(b.m.words > p.teaser_label_words or b.m.ends for b in others):
        return draft  # a sentence beside the excerpt: body text, not a card's labels
    draft = draft.with_meta(title=head.text.strip())
    draft = draft.remove([head], "extract_title", "metadata", "the headline of a teaser card moved to title",
                         "title.alone")
    return draft.remove(others + [excerpt], "extract_title", "boilerplate",
                        "a teaser card's excerpt, cut short, and its labels: no article body", "title.teaser-card")


def _drop_declared_title(draft: Draft, p: TitleParams) -> Draft:
    """A title declared with the input (an HTML page's <title>/og:title) that the text
    prints again as its headline: that block, among the first few, is the title."""
    tk = key(draft.meta.title)
    drop = [b for b in draft.live()[:p.repeat_blocks] if b.m.key == tk]
    return draft.remove(drop, "extract_title", "metadata", "headline repeats the declared title",
                        "title.declared") if drop else draft


def _title_from_trimmed_head(draft: Draft, p: TitleParams) -> Draft:
    blocks = draft.blocks
    if len(blocks) < 3 or draft.is_live(0):
        return draft
    rec = next((r for r in draft.removed if r.position == 0), None)
    t = blocks[0].text.strip()
    # a site name over a menu ("The Valley Courier" / "Menu") is not a headline:
    # the line under a headline is a standfirst, a byline or a date, not one word
    if rec is None or rec.cleaner != "trim_page_chrome" or not _headline_shaped(t, p) or word_count(blocks[1].text) < 3:
        return draft
    moved = Removal(cleaner="extract_title", kind="metadata", rule="title.trimmed-head",
                    reason="headline moved to title", position=0, text=rec.text)
    removed = tuple(moved if r is rec else r for r in draft.removed)
    return replace(draft.with_meta(title=t), removed=removed)
