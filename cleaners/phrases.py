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
        if self.pattern_parts is not None:
            # = pattern_re.search(k), the leftmost match: when one part alone holds it,
            # it is that part's; when several start there, the whole decides (first wins)
            best, tie = None, False
            for p in self.pattern_parts:
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
    pattern_re = pattern_parts = None
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
        except regex.error as exc:
            raise PhraseError(f"{where}: bad pattern: {exc}") from exc
    # every list stays readable by name too (a family may read its own `prefix` list raw)
    lists = {k: tuple(v) for k, v in section.items()}
    contains_words = _words_of(section.get("contains"), first=False)
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
    )


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
