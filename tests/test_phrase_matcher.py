"""Matcher's pre-filters and split patterns give the same answers as its plain regexes."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

import regex

from cleaners.phrases import _needs, build_book

EXTRA = {"promos": {"prefix": ["More from the Example Times", "x"], "contains": ["weird  phrase", "é"],
                    "pattern": [r"^\d+ comments$", r"foo|bar", r"(?i)Zed", r"o"]}}
BOOKS = (build_book(), build_book(EXTRA))


def _pieces() -> list[str]:
    out = set()
    for book in BOOKS:
        for m in book.families.values():
            for kind in ("exact", "prefix", "contains"):
                for p in m.get(kind):
                    out.add(p.casefold())
                    out.update(p.casefold().split())
            # the words patterns spell out (the literals their pre-filter looks for)
            for p in m.get("pattern"):
                out.update(w for w in regex.split(r"[^\p{L}\p{N}'’-]+", p.replace("\\b", " ")) if len(w) > 1)
    return sorted(out)


TEXTS = st.lists(st.one_of(st.sampled_from(_pieces()), st.sampled_from([" ", "  ", ".", ",", "x", "2024", "©", "é"])),
                 max_size=8).map("".join)


def _plain(rx, how, k):
    if rx is None:
        return None
    m = getattr(rx, how)(k)
    return m.group(0) if m else None


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_matcher_same_as_its_regexes(k):
    for book in BOOKS:
        for m in book.families.values():
            assert m.exact(k) == _plain(m.exact_re, "fullmatch", k)
            assert m.prefix(k) == _plain(m.prefix_re, "match", k)
            assert m.contains(k) == _plain(m.contains_re, "search", k)
            assert m.pattern(k) == _plain(m.pattern_re, "search", k)


def test_exact_lookup_agrees_with_the_exact_pattern():
    """The set lookup of exact phrases answers as the pattern does, on every phrase
    and on every block key of the golden inputs."""
    from pathlib import Path

    from cleaners.phrases import build_book
    from cleaners.segment import segment
    from cleaners.textutil import key

    book = build_book()
    keys = set()
    for f in sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("*/input.txt")):
        keys.update(key(b.text) for b in segment(f.read_bytes().decode("utf-8", "replace")))
    checked = 0
    for fam, m in book.families.items():
        if m.exact_set is None:
            continue
        for k in sorted(keys | m.exact_set):
            slow = m.exact_re.fullmatch(k)
            assert m.exact(k) == (slow.group(0) if slow else None), (fam, k)
            checked += 1
    assert checked > 1000


def test_needs_names_a_literal_every_match_holds():
    """The pattern pre-filter's literals: one of them is in every match, or None when
    the standard parser cannot say so for `regex` (case-insensitive, Unicode
    properties, set operations)."""
    assert _needs(r"\bwe (?:may )?(?:earn|receive) (?:a )?commission\b") == ("commission",)
    assert _needs(r"^(?:affiliate )?disclosure\s*:") == ("disclosure",)
    assert _needs(r"(?:sponsored|paid for) by\b") == ("paid for", "sponsored")
    assert _needs(r"(?:ab|c)x{0,3}") == ("ab", "c")  # a one-letter branch is still a literal...
    assert _needs(r"(?:ab|\d)") is None  # ...but a branch without any is not
    assert _needs(r"\d+ comments?$") == (" comment",)
    assert _needs(r"(?i)Zed") is None and _needs(r"(?i:zed)") is None
    # a Unicode property is a class, never part of a literal (regex's syntax, read as \w)
    assert _needs(r"^\p{Lu}\w+ wrote$") == (" wrote",)
    assert _needs(r"^(?:[\p{L}\p{N} .,&©()-]{0,60}[.,|]\s*)?all rights reserved\b") == ("all rights reserved",)
    assert _needs(r"a\pLb\P{^Lu}c") == ("a",)  # the letters around a property are not one literal
    assert _needs(r"\\p{L}x") is None  # an escaped backslash, then "p{L}": left to regex
    assert _needs(r"[[a-z]--[q]]x") is None
    assert _needs(r"o") == ("o",)
    book = build_book()
    assert book["copyright"].pattern_any is not None  # its patterns spell names with \p{L}
    m = book["disclosure"]
    assert m.pattern_any is not None
    text = "this post may contain affiliate links."
    assert m.pattern(text) == regex.search(m.pattern_re.pattern, text, regex.V1).group(0)


def test_first_character_dispatch_reads_anchoring_safely():
    """A pattern is dispatched by its first character only when it is anchored with ``^``
    and what it can start with is known; anything else runs for every key or keeps the
    plain alternation."""
    from cleaners.phrases import _first_chars

    assert _first_chars(r"^page\s+\d+ of \d+$") == frozenset("p")
    assert _first_chars(r"^(?:jetzt )?angebot") == frozenset("ja")  # an optional word, then the next
    assert _first_chars(r"^(?:[$£€]\s?\d|\d+ eur)") is None  # \d: any digit, not listed
    assert _first_chars(r"^(?!the\b)[a-c]x") == frozenset("abc")  # a lookahead takes no character
    assert _first_chars(r"^x?") is None  # may match empty: every key
    assert _first_chars(r"^a|b") is False  # "b" anywhere
    assert _first_chars(r"(?m)^a") is False and _first_chars(r"page") is False
    assert _first_chars(r"^[^a]x") is None and _first_chars(r"^.x") is None


def test_dispatched_patterns_agree_with_the_alternation_on_golden_keys():
    from pathlib import Path

    from cleaners.segment import segment

    texts = set()
    for f in sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("*/input.txt")):
        for b in segment(f.read_bytes().decode("utf-8", "replace")):
            texts.update((b.m.key, b.text.strip(), b.text.strip().casefold()))
    dispatched = 0
    for book in BOOKS:
        for m in book.families.values():
            if m.pattern_by_first is None:
                continue
            dispatched += 1
            for k in sorted(texts):
                assert m.pattern(k) == _plain(m.pattern_re, "search", k), k
    assert dispatched >= 4  # interface, newsletter, promos, copyright
