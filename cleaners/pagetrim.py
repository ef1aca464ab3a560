"""Whole-page text: when the scraper took the entire page, trim the navigation
runs (menus, "Skip to content", link lists, footers) before and after the body.

A text-only main-content detector in the spirit of jusText: each block is
classed by length, stopword density (the document language's stoplist),
sentence punctuation and link-list shape; the body runs from the first to the
last *good* block. A run before or after it is trimmed only when it looks like
navigation as a whole (mostly short lines without sentence punctuation), and
prose-like blocks touching the body (a dek, a short first paragraph) are kept.
Text that is all article has no such runs and is left alone.
"""
from __future__ import annotations

from .document import Block, Draft
from .language import stopwords
from .textutil import WORD, ends_sentence, has_cjk, word_count

GOOD_MIN_WORDS = 12         # a paragraph of prose has at least this many words...
GOOD_MIN_STOP = 0.22        # ...and this share of stopwords
NEAR_MIN_WORDS = 6          # a short paragraph next to the body
NAV_MIN_RUN = 3             # fewer blocks than this are not a navigation run
NAV_MAX_SENTENCE_SHARE = 0.35
CJK_GOOD_CHARS = 40


def _stop_ratio(text: str, sw: frozenset[str]) -> float:
    toks = WORD.findall(text.casefold())
    return sum(1 for t in toks if t in sw) / len(toks) if toks else 0.0


def _classify(b: Block, sw: frozenset[str]) -> str:
    """good (prose), near (could be prose), bad (navigation-like)."""
    t = b.text.strip()
    if has_cjk(t):
        if len(t) >= CJK_GOOD_CHARS and any(p in t for p in "，。、；！？"):
            return "good"
        return "near" if len(t) >= 15 and ends_sentence(t) else "bad"
    n = word_count(t)
    ratio = _stop_ratio(t, sw) if sw else 0.3
    if n >= GOOD_MIN_WORDS and ratio >= GOOD_MIN_STOP and (ends_sentence(t) or n >= 25):
        return "good"
    if n >= NEAR_MIN_WORDS and ends_sentence(t) and ratio >= GOOD_MIN_STOP / 2:
        return "near"
    return "bad"


def _nav_like(run: list[Block], classes: dict[int, str]) -> bool:
    if len(run) < NAV_MIN_RUN:
        return False
    sentences = sum(1 for b in run if ends_sentence(b.text))
    bad = sum(1 for b in run if classes[b.index] == "bad")
    return sentences <= NAV_MAX_SENTENCE_SHARE * len(run) and bad >= 0.6 * len(run)


def trim_page_chrome(draft: Draft) -> Draft:
    """Navigation runs before the first and after the last paragraph of prose."""
    live = draft.live()
    if len(live) < NAV_MIN_RUN + 1:
        return draft
    sw = frozenset()
    lang = draft.meta.language
    for l in getattr(draft.context.phrases, "languages", ()):
        if l.code == lang and l.stoplist:
            sw = stopwords(l.stoplist)
    classes = {b.index: _classify(b, sw) for b in live}
    good = [i for i, b in enumerate(live) if classes[b.index] == "good"]
    if not good:
        return draft
    first, last = good[0], good[-1]
    decisions = []

    head = live[:first]
    if _nav_like(head, classes):
        keep_from = len(head)
        while keep_from > 0 and classes[head[keep_from - 1].index] == "near":
            keep_from -= 1
        decisions += [(b, "navigation", "navigation before the article body (menu, links, page header)")
                      for b in head[:keep_from]]
    tail = live[last + 1:]
    if _nav_like(tail, classes):
        keep_to = 0
        while keep_to < len(tail) and classes[tail[keep_to].index] == "near":
            keep_to += 1
        decisions += [(b, "navigation", "navigation after the article body (links, footer, sidebar)")
                      for b in tail[keep_to:]]
    return draft.remove_each(decisions, "trim_page_chrome")
