"""Repeated paragraphs: the lede printed twice, a dek that nearly repeats it,
the same paragraph with different punctuation.

Exact repeats are found by a punctuation- and case-blind key; near repeats by
word-trigram containment through an inverted index, so a document with
thousands of paragraphs costs about linear time, not quadratic.
Only paragraph-sized blocks are compared: short lines legitimately repeat (a
song's chorus, a recipe's "1 tsp salt"), and lines of a verse or list group are
left alone whatever their length, as is a short refrain printed three or more
times between other paragraphs. Blocks an HTML page marks as code or table
rows (``Block.hints``) are never judged: listings and tables repeat lines on
purpose. Text input has no hints, so this only ever keeps more.

A near copy is a repeat only when it says the same thing: two paragraphs of one
template ("IVPN has servers in 41 countries. …" / "Mullvad has servers in 49
countries. …", an event list's "May 5, Denver …" / "June 9, St. Louis …") share
nearly every trigram but each names its own item. Where both blocks have words
the other lacks and those words include a number or a capitalised name on both
sides, the later block is a parallel paragraph, not a repeat (``_other_item``);
a dek repeating the lede with a dateline or a word added, or a pull quote, is
still one (measured: every near repeat of the devset's and trainset's html
tracks that differed so was real text).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

import regex

from .document import Block, Draft, Params, Share, Words
from .textutil import has_cjk, is_plain, memo_text


class DedupeParams(Params):
    """Thresholds of ``drop_repeated_paragraphs`` (config: ``[params.dedupe]``)."""

    min_words: Words = 8            # shorter blocks are never judged repeats (a chorus, "1 tsp salt")
    near: Share = 0.8               # trigram containment that makes two paragraphs "the same"
    max_postings: Words = 64        # a trigram in more blocks than this is too common to be evidence
    refrain_min_copies: Words = 3   # a short paragraph repeated this often, apart, is a refrain (kept)
    refrain_max_words: Words = 20   # ...when it is shorter than this; a lede printed twice is longer
    verse_min_lines: Words = 3      # a group or run of this many short lines is a poem, song or list
    verse_group_words: Words = 12   # a line of a verse group is shorter than this (word_count)
    verse_line_words: Words = 15    # a line of a verse run is shorter than this (tokens: "we’ll" counts two)


STRUCTURED = frozenset({"code", "table"})  # HTML hints dedupe never judges
_TOKEN = regex.compile(r"[\p{L}\p{N}]+")
_CJK_CHAR = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")  # _TOKEN on case-folded ASCII text


@memo_text(8192)
def _tokens(text: str) -> tuple[str, ...]:
    folded = text.casefold()
    if is_plain(folded):  # the same tokens: [\p{L}\p{N}] is [a-z0-9] here, and re is faster
        return tuple(_ASCII_TOKEN.findall(folded))
    toks = _TOKEN.findall(folded)
    if has_cjk(folded) and any(_CJK_CHAR.search(t) for t in toks):  # CJK has no spaces: characters are the units
        toks = [c for t in toks for c in (_CJK_CHAR.findall(t) or [t])]
    return tuple(toks)


@memo_text(2048)
def _shingles(text: str) -> frozenset[str]:
    """Word trigrams of a block's tokens, each as one string (tokens hold no spaces):
    strings, unlike tuples, cache their hash and are not tracked by the garbage
    collector, whose passes over a hundred thousand trigram tuples made long
    documents superlinear. Memoised: the chain's second pass asks again."""
    tokens = _tokens(text)
    if len(tokens) < 3:
        return frozenset((" ".join(tokens),))
    return frozenset(map(" ".join, zip(tokens, tokens[1:], tokens[2:])))


def _verse_groups(by_group: dict[int, list[Block]], p: DedupeParams) -> set[int]:
    """Groups of 3+ short lines: a poem, song or list, whose lines may repeat.
    (Judged once per group: a text without blank lines is one big group.)"""
    return {g for g, lines in by_group.items()
            if len(lines) >= p.verse_min_lines and all(b.m.words < p.verse_group_words for b in lines)}


def _verse_lines(live: list[Block], toks_of: dict[int, list[str]], p: DedupeParams) -> set[int]:
    """Lines in a run of 3+ consecutive short blocks: a stanza or a list, whatever
    the blank lines say. The canonical text puts a blank line between every
    block, so a verse group read back from it has only its neighbours to show
    what it is; this keeps cleaning the clean text a no-op."""
    out: set[int] = set()
    run: list[int] = []
    for b in live + [None]:
        if b is not None and len(toks_of[b.index]) < p.verse_line_words:
            run.append(b.index)
            continue
        if len(run) >= p.verse_min_lines:
            out.update(run)
        run = []
    return out


_CASED_TOKEN = regex.compile(r"[\p{L}\p{N}]+")


def _names_or_numbers(tokens) -> bool:
    return any(t[0].isupper() or any(c.isdigit() for c in t) for t in tokens)


def _other_item(a: str, b: str) -> bool:
    """Two near-identical paragraphs about different items: each has words the other
    lacks, and on both sides those words hold a number or a capitalised name (a
    substitution of the item, not a word added or a punctuation change)."""
    ta, tb = Counter(_CASED_TOKEN.findall(a)), Counter(_CASED_TOKEN.findall(b))
    only_a, only_b = ta - tb, tb - ta
    return bool(only_a) and bool(only_b) and _names_or_numbers(only_a) and _names_or_numbers(only_b)


@lru_cache(maxsize=4096)
def _min_count(size: int, near: float) -> int:
    """The fewest shared trigrams that make ``count / size >= near``."""
    c = max(int(near * size) - 1, 0)
    while c / size < near:
        c += 1
    return c


def _refrains(live: list[Block], toks_of: dict[int, list[str]], p: DedupeParams) -> set[str]:
    """Short paragraphs printed three or more times with other text between the
    copies: a speech's or a poem's refrain, said again on purpose. A duplicated
    lede or dek is printed twice, and usually long."""
    where: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(live):
        toks = toks_of[b.index]
        if p.min_words <= len(toks) < p.refrain_max_words:
            where[" ".join(toks)].append(i)
    return {k for k, pos in where.items()
            if len(pos) >= p.refrain_min_copies and all(b - a > 1 for a, b in zip(pos, pos[1:]))}


def _judge(b: Block, sh: frozenset, overlap, need: int, near: float, shingles: dict, kept: dict,
           dropped: set[int], decisions: list) -> tuple[int, str] | None:
    """The earlier kept block ``b`` repeats (index, how), or None; an earlier, shorter
    block contained in ``b`` is dropped on the way. ``overlap``: kept block -> shared trigrams."""
    for j in sorted(j for j, c in overlap.items() if c >= need):
        if j in dropped:
            continue
        common = overlap[j]
        mine, theirs = common / len(sh), common / len(shingles[j])
        # the ratios first: most candidates pass neither, and then whether they name
        # another item (a Counter comparison of their words) cannot change anything
        if (mine < near and theirs < near) or _other_item(b.text, kept[j].text):
            continue
        if mine >= near:
            return j, "repeats" if theirs >= near else "is contained in"
        if theirs >= near:
            # an earlier, shorter block (a dek) is contained in this fuller copy
            decisions.append((kept[j], "near-duplicate",
                              f"nearly repeated by the fuller block {b.index}", "dedupe.near.fuller-copy"))
            dropped.add(j)
    return None


def drop_repeated_paragraphs(draft: Draft) -> Draft:
    """Keep the first full copy of every paragraph; drop exact and near repeats."""
    p: DedupeParams = draft.context.params.dedupe
    min_words, near, max_postings = p.min_words, p.near, p.max_postings
    live = draft.live()
    by_group: dict[int, list[Block]] = defaultdict(list)
    for b in live:
        by_group[b.group].append(b)

    seen_exact: dict[str, Block] = {}
    # trigram -> the kept blocks holding it: one int until a second block shares it.
    # Built lazily: every trigram any kept block holds is also in ``seen`` (a set,
    # updated at C speed), and a block sharing fewer than ``need`` trigrams with all
    # of them together cannot share ``need`` with any one, so most paragraphs (new
    # text) never touch the index. When one does, the kept blocks not yet indexed
    # are indexed first, in order: the counts are what indexing each at once gives.
    postings: dict[str, int | list[int]] = {}
    seen: set[str] = set()
    unindexed: list[int] = []
    shingles: dict[int, frozenset] = {}
    kept: dict[int, Block] = {}
    decisions: list[tuple[Block, str, str]] = []
    dropped: set[int] = set()

    toks_of = {b.index: _tokens(b.text) for b in live}
    refrains = _refrains(live, toks_of, p)
    verse = _verse_groups(by_group, p)
    verse_lines = _verse_lines(live, toks_of, p)
    min_kept = None  # fewest trigrams of a kept block: bounds which candidates can matter
    for b in live:
        toks = toks_of[b.index]
        if len(toks) < min_words or b.group in verse or b.index in verse_lines:
            continue
        k = " ".join(toks)
        if k in refrains:
            continue
        if b.hints & STRUCTURED:
            continue  # the page says it is code or a table row: those repeat on purpose
        first = seen_exact.get(k)
        if first is not None:
            decisions.append((b, "duplicate", f"repeats block {first.index} word for word", "dedupe.exact"))
            dropped.add(b.index)
            continue
        seen_exact[k] = b
        sh = _shingles(b.text)
        # only a candidate sharing enough trigrams can pass either test below
        need = _min_count(len(sh), near) if min_kept is None else min(_min_count(len(sh), near),
                                                                      _min_count(min_kept, near))
        verdict = None
        common_all = sh & seen
        if len(common_all) < need:
            pass  # shares too little with all kept blocks together to repeat any one
        elif len(shingles) <= max_postings:
            # few kept blocks: no trigram can be in more than ``max_postings`` of them, so
            # each one's count is its set intersection with what this block shares with
            # all of them (the index below would give the same counts, built in Python)
            overlap = {}
            for j, theirs_sh in shingles.items():
                c = len(common_all & theirs_sh)
                if c:
                    overlap[j] = c
            verdict = _judge(b, sh, overlap, need, near, shingles, kept, dropped, decisions)
        else:
            for i in unindexed:
                for s in shingles[i]:
                    post = postings.get(s)
                    if post is None:
                        postings[s] = i
                    elif type(post) is int:
                        postings[s] = [post, i]
                    else:
                        post.append(i)
            unindexed.clear()
            overlap: Counter = Counter()
            for s in sh:
                post = postings.get(s)
                if post is None:
                    continue
                if type(post) is int:
                    overlap[post] += 1
                elif len(post) <= max_postings:
                    overlap.update(post)
            verdict = _judge(b, sh, overlap, need, near, shingles, kept, dropped, decisions)
        if verdict:
            j, how = verdict
            decisions.append((b, "near-duplicate", f"{how} block {j} (trigram overlap ≥ {near:.0%})",
                              "dedupe.near.repeat" if how == "repeats" else "dedupe.near.contained"))
            dropped.add(b.index)
            continue
        shingles[b.index] = sh
        min_kept = len(sh) if min_kept is None else min(min_kept, len(sh))
        kept[b.index] = b
        seen |= sh
        unindexed.append(b.index)
    decisions.sort(key=lambda d: d[0].index)
    return draft.remove_each(decisions, "drop_repeated_paragraphs")
