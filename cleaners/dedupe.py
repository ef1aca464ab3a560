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
"""
from __future__ import annotations

from collections import defaultdict

import regex

from .document import Block, Draft
from .textutil import word_count

MIN_WORDS = 8            # shorter blocks are never judged repeats
STRUCTURED = frozenset({"code", "table"})  # HTML hints dedupe never judges
NEAR = 0.8               # trigram containment that makes two paragraphs "the same"
MAX_POSTINGS = 64        # a trigram in more blocks than this is too common to be evidence
REFRAIN_MIN_COPIES = 3   # a short paragraph repeated this often, apart, is a refrain (kept)
REFRAIN_MAX_WORDS = 20
_TOKEN = regex.compile(r"[\p{L}\p{N}]+")
_CJK_CHAR = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


def _tokens(text: str) -> list[str]:
    toks = _TOKEN.findall(text.casefold())
    if any(_CJK_CHAR.search(t) for t in toks):  # no spaces in CJK: characters are the units
        toks = [c for t in toks for c in (_CJK_CHAR.findall(t) or [t])]
    return toks


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    if len(tokens) < 3:
        return {tuple(tokens)}
    return {tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)}


def _in_verse_group(block: Block, by_group: dict[int, list[Block]]) -> bool:
    """A group of 3+ short lines is a poem, song or list: its lines may repeat."""
    lines = by_group.get(block.group, ())
    return len(lines) >= 3 and all(word_count(b.text) < 12 for b in lines)


def _refrains(live: list[Block], toks_of: dict[int, list[str]]) -> set[str]:
    """Short paragraphs printed three or more times with other text between the
    copies: a speech's or a poem's refrain, said again on purpose. A duplicated
    lede or dek is printed twice, and usually long."""
    where: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(live):
        toks = toks_of[b.index]
        if MIN_WORDS <= len(toks) < REFRAIN_MAX_WORDS:
            where[" ".join(toks)].append(i)
    return {k for k, pos in where.items()
            if len(pos) >= REFRAIN_MIN_COPIES and all(b - a > 1 for a, b in zip(pos, pos[1:]))}


def drop_repeated_paragraphs(draft: Draft) -> Draft:
    """Keep the first full copy of every paragraph; drop exact and near repeats."""
    live = draft.live()
    by_group: dict[int, list[Block]] = defaultdict(list)
    for b in live:
        by_group[b.group].append(b)

    seen_exact: dict[str, Block] = {}
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    shingles: dict[int, set] = {}
    kept: dict[int, Block] = {}
    decisions: list[tuple[Block, str, str]] = []
    dropped: set[int] = set()

    toks_of = {b.index: _tokens(b.text) for b in live}
    refrains = _refrains(live, toks_of)
    for b in live:
        toks = toks_of[b.index]
        if len(toks) < MIN_WORDS or _in_verse_group(b, by_group) or " ".join(toks) in refrains:
            continue
        if b.hints & STRUCTURED:
            continue  # the page says it is code or a table row: those repeat on purpose
        k = " ".join(toks)
        first = seen_exact.get(k)
        if first is not None:
            decisions.append((b, "duplicate", f"repeats block {first.index} word for word"))
            dropped.add(b.index)
            continue
        seen_exact[k] = b
        sh = _shingles(toks)
        overlap: dict[int, int] = defaultdict(int)
        for s in sh:
            post = postings.get(s)
            if post and len(post) <= MAX_POSTINGS:
                for j in post:
                    overlap[j] += 1
        verdict = None
        for j in sorted(overlap):
            if j in dropped:
                continue
            common = overlap[j]
            mine, theirs = common / len(sh), common / len(shingles[j])
            if mine >= NEAR:
                verdict = (j, "repeats" if theirs >= NEAR else "is contained in")
                break
            if theirs >= NEAR:
                # an earlier, shorter block (a dek) is contained in this fuller copy
                earlier = kept[j]
                decisions.append((earlier, "near-duplicate",
                                  f"nearly repeated by the fuller block {b.index}"))
                dropped.add(j)
        if verdict:
            j, how = verdict
            decisions.append((b, "near-duplicate", f"{how} block {j} (trigram overlap ≥ {NEAR:.0%})"))
            dropped.add(b.index)
            continue
        shingles[b.index] = sh
        kept[b.index] = b
        for s in sh:
            postings[s].append(b.index)
    decisions.sort(key=lambda d: d[0].index)
    return draft.remove_each(decisions, "drop_repeated_paragraphs")
