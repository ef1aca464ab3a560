"""Whole-page text: when the scraper took the entire page, trim the navigation
runs (menus, "Skip to content", link lists, footers) before and after the body.

A text-only main-content detector in the spirit of jusText: each block is
classed by length, stopword density (the document language's stoplist),
sentence punctuation and link-list shape; the body runs from the first to the
last *good* block. A run before or after it is trimmed only when it looks like
navigation as a whole (mostly short lines without sentence punctuation), and
prose-like blocks touching the body (a dek, a short first paragraph) are kept.
Text that is all article has no such runs and is left alone.

The end of an article is also told by the furniture the earlier cleaners removed:
two end-of-article blocks (share row, tag line, "Related" list, comment opener,
newsletter box, copyright) close together in the last 40% of the text, with no
run of prose paragraphs after them, end the article; the rest of the page after
them (teasers with summaries, reader comments, footer) goes too. One end marker
alone does it when it never stands inside an article (the site's copyright line, the
comment section) and no two paragraphs of prose in a row follow it.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from .document import Block, Draft, Params, Share, Words
from .language import stopwords
from .measures import measure
from .textutil import memo_text, words


class PageTrimParams(Params):
    """Thresholds of ``trim_page_chrome`` (config: ``[params.page_trim]``). Block classes
    follow jusText's good/near/bad; the defaults were tuned on the devset's text-page track."""

    good_min_words: Words = 12       # a paragraph of prose has at least this many words...
    good_min_stop: Share = 0.22      # ...and this share of stopwords (near: half of it)
    good_long_words: Words = 25      # ...and ends a sentence, unless it is at least this long
    no_stoplist_ratio: Share = 0.3   # the stopword share assumed for a language without a stoplist
    near_min_words: Words = 6        # a short paragraph next to the body
    cjk_good_chars: Words = 40       # CJK prose: this many characters with full-width punctuation...
    cjk_near_sentence_chars: Words = 15  # ...near: a sentence this long,
    cjk_near_chars: Words = 20       # ...or a line of this many CJK characters (not a menu item)
    nav_min_run: Words = 3           # fewer blocks than this are not a navigation run
    nav_max_sentence_share: Share = 0.35  # a navigation run: few of its blocks end a sentence...
    nav_min_bad_share: Share = 0.6   # ...and most are navigation-like
    anchor_words: Words = 20         # a prose block this long anchors the body on its own
    subhead_max_words: Words = 8     # a subheading between the body and a short closing line
    max_loose_prose: Words = 2       # more unanchored prose blocks than this outside: they are content
    grid_min_rows: Words = 3         # HTML: a kept table of this many rows with one cell count is data
    # the end of the article told by the furniture removed before (_cut_after_end_markers)
    continues_window: Words = 3      # two paragraphs of prose in a row among the next three blocks
    end_marker_gap: Words = 12       # blocks between the two markers, at most
    end_marker_from: Share = 0.6     # the first marker stands after this share of the live words
    prose_run: Words = 3             # ...and no run of this many prose paragraphs follows it
    entry_buttons: Words = 3         # the same share button closing this many prose paragraphs: entries


ARTICLE_MARKUP = frozenset({"code", "quote"})  # HTML hints never trimmed as navigation
HTML_EXTRACTED = frozenset({"trafilatura", "trafilatura-recall"})  # extractions whose main-content choice stands
_CJK_CHAR = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


def _stop_ratio(folded: str, sw: frozenset[str]) -> float:
    """Share of the (case-folded) text's words that are stopwords."""
    toks = words(folded)
    return sum(map(sw.__contains__, toks)) / len(toks) if toks else 0.0


@lru_cache(maxsize=8)
def _classifier(p: PageTrimParams):
    """``_classify_text`` under ``p`` as ``classify(text, stoplist)``, memoised by (text,
    stoplist): the params are looked up once per call of the cleaner, not hashed again
    for every block."""
    @memo_text(16384)
    def classify_text(text: str, sw: frozenset[str]) -> str:
        return _classify_text(text, sw, p)
    return classify_text


def _classify_text(text: str, sw: frozenset[str], p: PageTrimParams) -> str:
    """good (prose), near (could be prose), bad (navigation-like)."""
    m = measure(text)  # the stripped text measures the same
    if m.cjk:
        t = text.strip()
        if len(t) >= p.cjk_good_chars and any(c in t for c in "，。、；！？"):
            return "good"
        if len(t) >= p.cjk_near_sentence_chars and m.ends or len(_CJK_CHAR.findall(t)) >= p.cjk_near_chars:
            return "near"  # a line of 20+ characters of running CJK text is not a menu item
        return "bad"
    n = m.words
    ratio = _stop_ratio(m.folded, sw) if sw else p.no_stoplist_ratio
    if n >= p.good_min_words and ratio >= p.good_min_stop and (m.ends or n >= p.good_long_words):
        return "good"
    if n >= p.near_min_words and m.ends and ratio >= p.good_min_stop / 2:
        return "near"
    return "bad"


def _body_bounds(cls: list[str], live: list[Block], p: PageTrimParams) -> tuple[int, int] | None:
    """First and last block of the body: the outermost *anchored* prose blocks.

    A prose-like block anchors the body when it is long (a real paragraph) or touches
    another prose-like block; an isolated short one (a mega-menu item's one-line
    description, a teaser's summary) does not. A lede or closing paragraph set off by
    one subheading is pulled in. Where more than two unanchored prose blocks lie
    outside the anchors, the page is made of such blocks (a feature list, references)
    and the plain first/last prose block bounds the body instead."""
    good = [i for i, c in enumerate(cls) if c == "good"]
    if not good:
        return None

    def anchored(i: int) -> bool:
        return live[i].m.words >= p.anchor_words or \
            (i > 0 and cls[i - 1] != "bad") or (i + 1 < len(cls) and cls[i + 1] != "bad")

    anchors = [i for i in good if anchored(i)] or good
    first, last = anchors[0], anchors[-1]
    if sum(1 for i in good if i < first) > p.max_loose_prose:
        first = good[0]
    elif first >= 2 and cls[first - 1] == "bad" and cls[first - 2] == "good":
        first -= 2
    if sum(1 for i in good if i > last) > p.max_loose_prose:
        last = good[-1]
    elif last + 2 < len(cls) and cls[last + 1] == "bad" and cls[last + 2] == "good":
        last += 2
    return first, last


def _touching_prose(run: list[Block], classes: dict[int, str], p: PageTrimParams) -> int:
    """How many blocks of ``run`` (ordered from the body outwards) still belong to the
    body: short prose next to it (a dek, a closing line), also across one subheading."""
    k = 0
    while k < len(run):
        if classes[run[k].index] == "near":
            k += 1
        elif k + 1 < len(run) and classes[run[k + 1].index] == "near" and _subheading(run[k], p):
            k += 2
        else:
            break
    return k


def _subheading(b: Block, p: PageTrimParams) -> bool:
    return 0 < b.m.words <= p.subhead_max_words and not b.m.ends


def _nav_like(run: list[Block], classes: dict[int, str], p: PageTrimParams) -> bool:
    if len(run) < p.nav_min_run:
        return False
    sentences = sum(1 for b in run if b.m.ends)
    bad = sum(1 for b in run if classes[b.index] == "bad")
    return sentences <= p.nav_max_sentence_share * len(run) and bad >= p.nav_min_bad_share * len(run)


def trim_page_chrome(draft: Draft) -> Draft:
    """Navigation runs before the first and after the last paragraph of prose.

    On blocks an HTML extractor chose as the main content (``extraction ==
    "trafilatura"``) the page's markup outranks this text-shape guess where it says
    what a block is: a list the extractor kept inside the article (a materials list,
    pros and cons, a checklist) and the heading right above it are article text, not
    a menu, so they are never trimmed there (measured on the devset's html track:
    trimming them lost lists in 4 of 356 pages; not trimming at all let the site chrome
    that trafilatura keeps on Chinese portal pages through, P -.009). A data table it kept
    (a grid: three or more rows with the same number of cells, at least two) is article
    text too; layout tables of portals (one cell a row, a calendar's ragged rows) are not
    grids and stay trimmable (measured: the trimmer took two data tables whole on the
    trainset's html track, no grid on the devset's)."""
    p: PageTrimParams = draft.context.params.page_trim
    live = draft.live()
    if len(live) < p.nav_min_run + 1:
        return draft
    sw = frozenset()
    lang = draft.meta.language
    for l in getattr(draft.context.phrases, "languages", ()):
        if l.code == lang and l.stoplist:
            sw = stopwords(l.stoplist)
    classify = _classifier(p)
    classes = {b.index: classify(b.text, sw) for b in live}
    bounds = _body_bounds([classes[b.index] for b in live], live, p)
    if bounds is None:
        return draft
    first, last = bounds
    decisions = []

    head = live[:first]
    if _nav_like(head, classes, p):
        keep = _touching_prose(head[::-1], classes, p)
        decisions += [(b, "navigation", "navigation before the article body (menu, links, page header)",
                       "pagetrim.nav-head")
                      for b in head[:len(head) - keep]]
    tail = live[last + 1:]
    if _nav_like(tail, classes, p):
        keep = _touching_prose(tail, classes, p)
        decisions += [(b, "navigation", "navigation after the article body (links, footer, sidebar)",
                       "pagetrim.nav-tail")
                      for b in tail[keep:]]
    # An HTML page's own markup outranks the text-shape guess: a code listing or a
    # quotation the extractor kept is part of the article, not a menu (lists and
    # tables are not exempt: old table layouts and "more stories" lists are
    # navigation as often as not). Text input has no hints.
    decisions = [d for d in decisions if not d[0].hints & ARTICLE_MARKUP]
    if draft.context.extraction in HTML_EXTRACTED:
        keep = _with_intros(live, _extracted_lists(live) | _data_grids(live, p))
        decisions = [d for d in decisions if d[0].index not in keep]
    draft = draft.remove_each(decisions, "trim_page_chrome")
    return _cut_after_end_markers(draft, sw, p, classify)


def _extracted_lists(live: list[Block]) -> set[int]:
    """Blocks of lists an HTML extractor kept."""
    return {b.index for b in live if "list" in b.hints}


def _with_intros(live: list[Block], keep: set[int]) -> set[int]:
    """``keep`` and the line printed right above each of its runs when it introduces
    the run: a heading, or a line ending in a colon ("The timetable from Monday:")."""
    out = set(keep)
    for prev, b in zip(live, live[1:]):
        if b.index in keep and prev.index not in keep and (
                "heading" in prev.hints or prev.text.rstrip().endswith((":", "："))):
            out.add(prev.index)
    return out


def _data_grids(live: list[Block], p: PageTrimParams) -> set[int]:
    """Rows of the tables an HTML extractor kept that are grids of data: a run of at
    least ``grid_min_rows`` table rows that all have the same number of cells, two or
    more (cells are joined by " | " when the rows are made, cleaners.html)."""
    keep: set[int] = set()
    run: list[Block] = []
    for b in live + [None]:
        if b is not None and "table" in b.hints:
            run.append(b)
            continue
        if len(run) >= p.grid_min_rows:
            cells = {r.text.count(" | ") + 1 for r in run}
            if len(cells) == 1 and cells.pop() >= 2:
                keep.update(r.index for r in run)
        run = []
    return keep


# Furniture that only stands where an article has ended. Two of these removed by
# the earlier cleaners close together in the last part of the text mark the end of
# the article; what follows them is the page's tail (teasers, comments, footer).
END_MARKER_KINDS = frozenset({"share", "tags", "headline-list", "newsletter", "copyright", "comments"})
# ...but a newsletter box and share buttons also stand in the middle of an article (a
# sign-up box between paragraphs, a share row under the lede): after a pair made only
# of these, a paragraph of prose straight away means the article goes on (measured on
# the devset's text-page track: ignoring such pairs altogether let whole page tails
# through on 10 pages, where teasers alternate a headline and a one-line summary).
MIDWAY_KINDS = frozenset({"share", "newsletter"})
# ...while the site's copyright line and the comment section never stand inside an article:
# one of them in the last part ends it (measured on the text-page tracks: 945 lines of page
# tail removed after them, none of them article text)
LONE_END_KINDS = frozenset({"copyright", "comments"})


def _cut_after_end_markers(draft: Draft, sw: frozenset[str], p: PageTrimParams, classify) -> Draft:
    live = draft.live()
    if not live:
        return draft
    total = sum(b.m.words for b in live)
    seen, from_index = 0, live[-1].index
    for b in live:
        seen += b.m.words
        if seen >= p.end_marker_from * total:
            from_index = b.index
            break
    marks = sorted(r.position for r in draft.removed if r.kind in END_MARKER_KINDS and r.position > from_index)
    kinds = {r.position: r.kind for r in draft.removed}
    texts = {r.position: r.text.strip() for r in draft.removed}
    buttons: dict[str, list[int]] = {}
    for r in sorted(draft.removed, key=lambda r: r.position):
        if r.kind == "share":
            buttons.setdefault(texts[r.position], []).append(r.position)
    for first, second in zip(marks, marks[1:]):
        if second - first > p.end_marker_gap:
            continue
        if _entry_buttons(draft, first, buttons, kinds, texts, live, sw, classify, p):
            continue  # the same button closing entry after entry (a live blog's): not the page's end
        after = [b for b in live if b.index > first]
        if len(after) < 2:
            continue  # a lone block is left to the cleaner of its own family (a bio, a credit)
        if kinds[first] in MIDWAY_KINDS and kinds[second] in MIDWAY_KINDS:
            nxt = [classify(b.text, sw) == "good" for b in after if b.index > second][:p.continues_window]
            if any(a and b for a, b in zip(nxt, nxt[1:])):
                continue  # the article goes on after a box in its middle
        run = 0
        for b in after:
            run = run + 1 if classify(b.text, sw) == "good" else 0
            if run >= p.prose_run:
                break
        else:
            why = (f"after the end of the article (a {kinds[first]} block and a {kinds[second]} block "
                   f"close together, no prose after them)")
            return draft.remove(after, "trim_page_chrome", "navigation", why, "pagetrim.end-markers")
    return _cut_after_lone_marker(draft, live, marks, kinds, sw, classify)


def _entry_buttons(draft: Draft, first: int, buttons: dict[str, list[int]], kinds: dict[int, str],
                   texts: dict[int, str], live: list[Block], sw: frozenset[str], classify, p: PageTrimParams) -> bool:
    """The share button at ``first`` is one of a row of the same button (``buttons``: every
    share removal by its text), each closing its own paragraph of prose, as a live blog
    closes its entries: ``entry_buttons`` copies of it or more in a row, a prose paragraph
    between each two, at most ``end_marker_gap`` blocks apart (an article's own share rows,
    above, amid and below it, stand further apart), and no reply button between them (a
    reader comment's frame, which the comment rules judge, before or after this cleaner).
    A page's end box prints its buttons together; a sign-up box printed again and again is
    no entry (newsletter markers never count)."""
    if kinds[first] != "share":
        return False
    same = buttons.get(texts[first], [])
    if len(same) < p.entry_buttons:
        return False  # most pages: no row to look for, no scan of the page
    good = [b.index for b in live if classify(b.text, sw) == "good"]
    form = draft.context.phrases["comment_form"]
    replies = [b.index for b in draft.blocks if form.exact(b.m.key)]  # removed or not yet
    runs = [[same[0]]]
    for a, b in zip(same, same[1:]):
        if b - a <= p.end_marker_gap and any(a < g < b for g in good) and not any(a < r < b for r in replies):
            runs[-1].append(b)
        else:
            runs.append([b])
    return any(first in run and len(run) >= p.entry_buttons for run in runs)


def _cut_after_lone_marker(draft: Draft, live: list[Block], marks: list[int], kinds: dict[int, str],
                           sw: frozenset[str], classify) -> Draft:
    """One end marker that only stands where a page's article is over (the site's copyright
    line, the comment section or its form), in the last part of the text, with no two
    paragraphs of prose in a row after it: the rest is the page's tail (footer menus,
    teasers with a one-line summary). Stricter than a pair: a single paragraph of prose
    after it is allowed, two in a row mean the article goes on."""
    for m in marks:
        if kinds[m] not in LONE_END_KINDS:
            continue
        after = [b for b in live if b.index > m]
        if len(after) < 2:
            continue  # a lone block is left to the cleaner of its own family
        good = [classify(b.text, sw) == "good" for b in after]
        if any(a and b for a, b in zip(good, good[1:])):
            continue  # two paragraphs of prose in a row: the article goes on
        why = f"after the end of the article (a {kinds[m]} block in the last part, no prose after it)"
        return draft.remove(after, "trim_page_chrome", "navigation", why, "pagetrim.end-marker.lone")
    return draft
