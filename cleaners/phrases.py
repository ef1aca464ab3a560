"""Phrase lists are data: ``cleaners/phrases/<lang>.toml``, one file per language.

Each file names its language and, per cleaner family (a TOML table), lists of
phrases by how they match a block's key (``textutil.key``: case-folded,
leading bullets and trailing separators stripped):

- ``exact``    the whole block is the phrase (``Leave a Reply``);
- ``prefix``   the block starts with the phrase, then a non-letter (``READ MORE: ...``);
- ``contains`` the phrase appears anywhere, on word boundaries;
- ``pattern``  a `regex` pattern searched in the key (for shapes like ``^\\d+ comments$``).

Families may add lists of their own (e.g. ``captions.agencies``); those are read
by the cleaner that owns the family. Adding a language is adding a file.
All languages are applied to every document: a German page carries English
share buttons often enough, and every phrase is anchored tightly enough to be
safe in any language.
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import regex

PHRASE_DIR = Path(__file__).with_name("phrases")
MATCH_KINDS = ("exact", "prefix", "contains", "pattern")


class PhraseError(ValueError):
    pass


@dataclass(frozen=True)
class Matcher:
    """Compiled phrases of one family; every method takes a ``textutil.key``."""

    exact_re: regex.Pattern | None
    prefix_re: regex.Pattern | None
    contains_re: regex.Pattern | None
    pattern_re: regex.Pattern | None
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Speed (same answers): a phrase's words are literal, so a prefix phrase needs
    # the key to start with its first word and a contained one needs its longest
    # word in the key; patterns run one by one (regex loses its literal scans on
    # one big alternation: ~30x slower), the leftmost-first match kept as before.
    prefix_heads: tuple[str, ...] | None = None
    contains_words: tuple[str, ...] | None = None
    contains_any: re.Pattern | None = None  # finds any of contains_words (compiled once, not per call)
    pattern_parts: tuple[regex.Pattern, ...] | None = None
    # exact phrases as a set: a key's whitespace is already one space per run (the
    # exact pattern's \s+ between words matches just that), so fullmatch is a lookup
    exact_set: frozenset[str] | None = None
    # literals one of which every match of a pattern holds (``_needs``), per part of
    # pattern_parts, or of pattern_re when it runs whole; None: no such literals known.
    # ``pattern_any`` finds any of them all (one compiled alternation for the family): a
    # key holding none cannot match, and a part whose literals are absent is not run
    pattern_needs: tuple[tuple[str, ...] | None, ...] | None = None
    pattern_any: re.Pattern | None = None
    pattern_free: tuple[regex.Pattern, ...] = ()  # the parts without such literals, in order
    # when every pattern is anchored at the key's start (``_first_chars``): the patterns,
    # each compiled alone, that can match a key opening with a character, by that
    # character (in the alternation's order); ``pattern_any_start`` those that may match
    # a key opening with any other character (or none). Then the first of them that
    # matches is what pattern_re's search finds: it tries position 0 only, alternatives
    # in order, and one that cannot start with the key's first character fails there.
    pattern_by_first: Mapping[str, tuple[regex.Pattern, ...]] | None = None
    pattern_any_start: tuple[regex.Pattern, ...] = ()
    pattern_any_first: bool = False  # pattern_any is scanned before the dispatch (``_worth_scanning``)

    def exact(self, k: str) -> str | None:
        if self.exact_set is not None:
            return k if k in self.exact_set else None
        m = self.exact_re.fullmatch(k) if self.exact_re else None
        return m.group(0) if m else None

    def prefix(self, k: str) -> str | None:
        if self.prefix_heads is not None and not k.startswith(self.prefix_heads):
            return None
        m = self.prefix_re.match(k) if self.prefix_re else None
        return m.group(0) if m else None

    def contains(self, k: str) -> str | None:
        if self.contains_any is not None and not self.contains_any.search(k):
            return None
        m = self.contains_re.search(k) if self.contains_re else None
        return m.group(0) if m else None

    def pattern(self, k: str) -> str | None:
        if self.pattern_by_first is not None:
            # the literal pre-filter first, unless a literal is so short ("at", "en") that
            # most keys hold one: then the scan for it costs more than the dispatch
            if self.pattern_any is not None and self.pattern_any_first and self.pattern_any.search(k) is None:
                return None  # the whole pattern needs one of the literals (it runs whole here)
            for p in self.pattern_by_first.get(k[:1], self.pattern_any_start):
                m = p.match(k)
                if m is not None:
                    return m.group(0)
            return None
        parts = self.pattern_parts
        if self.pattern_any is not None:
            if self.pattern_any.search(k) is None:
                # no literal that a filtered part needs is in the key: only the others can match
                if not self.pattern_free:
                    return None
                parts = self.pattern_free
            else:
                needs = self.pattern_needs
                parts = [p for p, need in zip(self.pattern_parts or (self.pattern_re,), needs)
                         if need is None or _holds_any(k, need)]
            if self.pattern_parts is None:  # the whole pattern, which needs one of the literals
                m = self.pattern_re.search(k) if parts else None
                return m.group(0) if m else None
        if parts is not None:
            # = pattern_re.search(k), the leftmost match: when one part alone holds it,
            # it is that part's; when several start there, the whole decides (first wins).
            # A part left out above cannot match, and a part that does not match changes nothing.
            best, tie = None, False
            for p in parts:
                m = p.search(k)
                if m is not None:
                    if best is None or m.start() < best.start():
                        best, tie = m, False
                    elif m.start() == best.start():
                        tie = True
            if best is None:
                return None
            if not tie:
                return best.group(0)
        m = self.pattern_re.search(k) if self.pattern_re else None
        return m.group(0) if m else None

    def any(self, k: str) -> tuple[str, str] | None:
        """(match kind, matched text) for the first kind that matches."""
        for kind in MATCH_KINDS:
            hit = getattr(self, kind)(k)
            if hit:
                return kind, hit
        return None

    def get(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())


def _alternation(phrases: list[str]) -> str:
    # longest first so "read more" does not shadow "read more from"
    uniq = sorted({p.casefold().strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    return "|".join(regex.escape(p).replace("\\ ", r"\s+") for p in uniq)


def _compile(section: Mapping[str, list[str]], where: str) -> Matcher:
    def build(kind: str, template: str) -> regex.Pattern | None:
        items = section.get(kind) or []
        if not items:
            return None
        return regex.compile(template.format(_alternation(items)), regex.V1)

    patterns = section.get("pattern") or []
    pattern_re = pattern_parts = pattern_needs = None
    if patterns:
        try:
            pattern_re = regex.compile("|".join(f"(?:{p})" for p in sorted(set(patterns))), regex.V1)
            # patterns anchored with ^ stay together (one cheap test at the start);
            # the others run one by one, each with regex's fast literal scan
            anchored = [p for p in sorted(set(patterns)) if p.startswith("^")]
            parts = [f"(?:{p})" for p in sorted(set(patterns)) if not p.startswith("^")]
            if anchored:
                parts.append("|".join(f"(?:{p})" for p in anchored))
            pattern_parts = tuple(regex.compile(p, regex.V1) for p in parts) if len(parts) > 1 else None
            pattern_needs = (tuple(_needs(p.pattern) for p in pattern_parts) if pattern_parts is not None
                             else (_needs(pattern_re.pattern),))
        except regex.error as exc:
            raise PhraseError(f"{where}: bad pattern: {exc}") from exc
    by_first, any_start = _by_first_char(sorted(set(patterns))) if patterns and pattern_parts is None else (None, ())
    # every list stays readable by name too (a family may read its own `prefix` list raw)
    lists = {k: tuple(v) for k, v in section.items()}
    contains_words = _words_of(section.get("contains"), first=False)
    filtered = bool(pattern_needs) and any(n is not None for n in pattern_needs)
    return Matcher(
        exact_re=build("exact", r"(?:{})"),
        prefix_re=build("prefix", r"(?:{})(?![\p{{L}}\p{{N}}])"),
        contains_re=build("contains", r"(?<![\p{{L}}\p{{N}}])(?:{})(?![\p{{L}}\p{{N}}])"),
        pattern_re=pattern_re,
        lists=lists,
        prefix_heads=_words_of(section.get("prefix"), first=True),
        contains_words=contains_words,
        contains_any=_any_word(contains_words) if contains_words is not None else None,
        pattern_parts=pattern_parts,
        exact_set=_exact_set(section.get("exact")),
        pattern_needs=pattern_needs if filtered else None,
        pattern_any=_any_word(tuple(sorted({n for need in pattern_needs if need for n in need})))
        if filtered else None,
        pattern_free=tuple(p for p, need in zip(pattern_parts or (pattern_re,), pattern_needs) if need is None)
        if filtered else (),
        pattern_by_first=by_first,
        pattern_any_start=any_start,
        pattern_any_first=filtered and _worth_scanning(pattern_needs),
    )


def _worth_scanning(needs) -> bool:
    """Speed only: whether the literal pre-filter is worth scanning before the first-character
    dispatch: no literal is a short ASCII string ("at", "en", "@"), which most keys hold;
    a long word or a sign ("©", "all rights reserved") is rarely in a key."""
    return not any(len(w) < 3 and w.isascii() for need in needs if need for w in need)


# inline flags ("(?i)", "(?m:"): a pattern holding any is never dispatched by its first character
_FLAGS = re.compile(r"\(\?[a-zA-Z-]+[:)]")


def _by_first_char(patterns: list[str]) -> tuple[dict[str, tuple[regex.Pattern, ...]] | None,
                                                  tuple[regex.Pattern, ...]]:
    """``Matcher.pattern_by_first`` and ``pattern_any_start`` for these patterns (in the
    order pattern_re joins them), or (None, ()) unless every one opens with ``^``."""
    firsts = []
    for p in patterns:
        if _FLAGS.search(p):
            return None, ()
        got = _first_chars(p)
        if got is False:
            return None, ()
        firsts.append(got)
    def join(chosen: list[str]) -> tuple[regex.Pattern, ...]:
        # the chosen patterns as pattern_re joins them all (one C-level alternation, in order)
        return (regex.compile("|".join(f"(?:{p})" for p in chosen), regex.V1),) if chosen else ()

    chars = sorted({c for f in firsts if f for c in f})
    by_first = {c: join([p for p, f in zip(patterns, firsts) if f is None or c in f]) for c in chars}
    return by_first, join([p for p, f in zip(patterns, firsts) if f is None])


def _first_chars(pattern: str) -> frozenset[str] | None | bool:
    """The characters a match of a pattern anchored with ``^`` can start with; None when
    that is not known (a class such as \\d or \\p{L}, an empty match); False when the
    pattern is not anchored at the start (or cannot be read: syntax only `regex` has,
    MULTILINE, where ``^`` also matches after a newline). Read like ``_needs``."""
    C = re._constants if hasattr(re, "_constants") else __import__("sre_constants")
    parsed = _parse_std(pattern)
    if parsed is None:
        return False
    if parsed.state.flags & (re.MULTILINE | re.IGNORECASE | re.VERBOSE) or not parsed.data or \
            parsed.data[0] not in ((C.AT, C.AT_BEGINNING), (C.AT, C.AT_BEGINNING_STRING)):
        return False
    chars, empty = _seq_first(parsed.data[1:], C)
    return None if chars is None or empty else chars


def _seq_first(items, C) -> tuple[frozenset[str] | None, bool]:
    """(first characters, may match empty) of a parsed sequence; None: not known."""
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            return frozenset(out | {chr(av)}), False
        if op is C.IN:
            got = set()
            for o, a in av:
                if o is C.LITERAL:
                    got.add(chr(a))
                elif o is C.RANGE and a[1] - a[0] < 128:
                    got.update(map(chr, range(a[0], a[1] + 1)))
                else:  # a negated class, a category (\\d, \\w, \\s), a wide range
                    return None, False
            return frozenset(out | got), False
        if op in (C.ASSERT, C.ASSERT_NOT):
            continue  # a lookaround takes no character: the next item's is the first
        if op is C.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                return None, False
            got, empty = _seq_first(av[3].data, C)
        elif op is C.BRANCH:
            got, empty = set(), False
            for b in av[1]:
                f, e = _seq_first(b.data, C)
                if f is None:
                    return None, False
                got |= f
                empty = empty or e
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            got, empty = _seq_first(av[2].data, C)
            empty = empty or av[0] == 0
        elif op is getattr(C, "ATOMIC_GROUP", None):
            got, empty = _seq_first(av.data, C)
        else:  # any character, an anchor or boundary inside, a back reference ...
            return None, False
        if got is None:
            return None, False
        out |= got
        if not empty:
            return frozenset(out), False
    return frozenset(out), True


def _holds_any(k: str, literals: tuple[str, ...]) -> bool:
    for n in literals:
        if n in k:
            return True
    return False


# what the standard library's parser may read differently from `regex` V1: Unicode
# properties, named lists, word-start/end, fuzzy and branch-reset groups, V0/V1
# switches, nested sets and set operations. A pattern holding any is never filtered.
_UNREAD = re.compile(r"\\[pPLmMXGKN]|\{e|\(\?[|(V]|\(\?[a-zA-Z]*[VwfbersxE]|\[\[|--|&&|\|\||~~")


# A Unicode property (\p{L}, \pN, \P{Lu} ...) is one character of a class, never part of a
# literal, so for the literals a pattern needs it reads as any class: \w, which the
# standard parser knows. Only a real escape is replaced (an even run of backslashes
# before it); a \p left over, e.g. after an escaped backslash, still makes _UNREAD refuse.
_PROPERTY = re.compile(r"(?<!\\)((?:\\\\)*)\\[pP](?:\{[^{}]*\}|[A-Za-z])")


def _parse_std(pattern: str):
    """A `regex` pattern read with the standard library's parser (its Unicode properties
    read as ``\\w``), or None when it holds syntax only `regex` has or cannot be parsed:
    what ``_needs`` and ``_first_chars`` read their answers from."""
    pattern = _PROPERTY.sub(r"\1\\w", pattern)
    if _UNREAD.search(pattern):
        return None
    try:
        import re._parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse
    try:
        return sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return None


def _needs(pattern: str) -> tuple[str, ...] | None:
    """Literals of which every match of the `regex` pattern holds at least one, read
    with the standard library's parser (the same syntax for what is read: literals,
    groups, alternations, repeats, anchors); None when that cannot be said safely
    (case-insensitive, or syntax only `regex` has)."""
    parsed = _parse_std(pattern)
    if parsed is None:
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    got = _seq_needs(parsed.data)
    return tuple(sorted(got)) if got else None


def _seq_needs(items) -> frozenset[str] | None:
    """Required literals of a sequence: the best of what its mandatory items need
    (a run of literal characters needs itself), preferring the longest shortest literal."""
    C = re._constants if hasattr(re, "_constants") else __import__("sre_constants")
    options: list[frozenset[str]] = []
    run: list[str] = []

    def flush():
        if run:
            options.append(frozenset(("".join(run),)))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if op is C.AT:
            continue  # zero-width: the characters either side are still adjacent
        flush()
        got = None
        if op is C.SUBPATTERN:
            _, add, _, sub = av
            if not add & re.IGNORECASE:
                got = _seq_needs(sub.data)
        elif op is C.BRANCH:
            branches = [_seq_needs(b.data) for b in av[1]]
            if branches and all(branches):
                got = frozenset().union(*branches)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            got = _seq_needs(av[2].data)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            got = _seq_needs(av.data)
        if got:
            options.append(got)
    flush()
    if not options:
        return None
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))


def _exact_set(phrases: list[str] | None) -> frozenset[str] | None:
    """The exact phrases as ``_alternation`` reads them (case-folded, stripped), when
    a set lookup of a key gives the same answer as the pattern: every phrase spells
    its word breaks with single spaces and holds no other whitespace."""
    if not phrases:
        return None
    out = {p.casefold().strip() for p in phrases if p.strip()}
    if any(regex.search(r"\s", p.replace(" ", "")) or "  " in p for p in out):
        return None  # keep the pattern: it reads other whitespace as any run of it
    return frozenset(out)


@lru_cache(maxsize=256)
def _any_word(words: tuple[str, ...]) -> re.Pattern:
    """Finds any of these literal strings (the standard re: a plain literal scan)."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def _words_of(phrases: list[str] | None, *, first: bool) -> tuple[str, ...] | None:
    """Each phrase's first (or longest) word as ``_alternation`` spells it: a literal
    every match of the phrase holds (its spaces become ``\\s+``, nothing else changes)."""
    if not phrases:
        return None
    out = set()
    for p in phrases:
        parts = [w for w in p.casefold().strip().split(" ") if w]
        if not parts:
            return None  # an empty phrase: no literal to require
        out.add(parts[0] if first else max(parts, key=len))
    if not first:  # a word holding another is found whenever that one is: keep the shorter
        out = {w for w in out if not any(v != w and v in w for v in out)}
    return tuple(sorted(out))


@dataclass(frozen=True)
class Language:
    code: str
    stoplist: str | None


@dataclass(frozen=True)
class PhraseBook:
    families: Mapping[str, Matcher]
    languages: tuple[Language, ...]
    fingerprint: str

    def __getitem__(self, family: str) -> Matcher:
        m = self.families.get(family)
        if m is None:
            return _EMPTY
        return m


_EMPTY = Matcher(None, None, None, None, {})


@lru_cache(maxsize=64)
def pattern_matcher(patterns: tuple[str, ...], where: str) -> Matcher:
    """A family's own list of patterns (``comments.frame_name``) compiled as a ``pattern``
    list is, with its literal pre-scan: ``.pattern(key)`` finds what the patterns find."""
    return _compile({"pattern": list(patterns)}, where)


@lru_cache(maxsize=1)
def _load_files() -> tuple[tuple[str, dict], ...]:
    out = []
    for path in sorted(PHRASE_DIR.glob("*.toml")):
        with path.open("rb") as f:
            try:
                out.append((path.name, tomllib.load(f)))
            except tomllib.TOMLDecodeError as exc:
                raise PhraseError(f"{path.name}: {exc}") from exc
    return tuple(out)


def shipped_lists(families) -> list[tuple[str, dict]]:
    """The shipped phrase files' lists of ``families`` only, file by file (name, {family:
    lists}): what a reader of those families depends on (``features.phrases_digest``)."""
    return [(name, {f: data[f] for f in families if f in data}) for name, data in _load_files()]


def shipped_families() -> dict[str, frozenset[str]]:
    """Every family the shipped phrase files define, with the names of its lists
    (configuration may only add to these: a typo must not pass silently)."""
    out: dict[str, set[str]] = {}
    for _, data in _load_files():
        for fam, section in data.items():
            if isinstance(section, Mapping):
                out.setdefault(fam, set()).update(section)
    return {fam: frozenset(kinds) for fam, kinds in out.items()}


def _merge(families: dict[str, dict[str, list]], data: Mapping, where: str) -> None:
    for fam, section in data.items():
        if not isinstance(section, Mapping):
            continue
        dest = families.setdefault(fam, {})
        for kind, items in section.items():
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise PhraseError(f"{where}: [{fam}].{kind} must be a list of strings")
            dest.setdefault(kind, []).extend(items)


def build_book(extra: Mapping[str, Mapping[str, list[str]]] | None = None) -> PhraseBook:
    """All shipped languages, plus phrases added by configuration."""
    return _build_book(json.dumps(extra or {}, sort_keys=True))


@lru_cache(maxsize=64)
def _build_book(extra_json: str) -> PhraseBook:
    families: dict[str, dict[str, list]] = {}
    languages = []
    for name, data in _load_files():
        code = data.get("language")
        if not isinstance(code, str):
            raise PhraseError(f"{name}: missing `language = \"xx\"`")
        languages.append(Language(code, data.get("stoplist")))
        _merge(families, data, name)
    extra = json.loads(extra_json)
    _merge(families, extra, "config")
    compiled = {fam: _compile(sec, fam) for fam, sec in families.items()}
    digest = hashlib.sha256(json.dumps([_load_files(), extra], sort_keys=True, default=str).encode())
    return PhraseBook(compiled, tuple(languages), digest.hexdigest()[:16])
