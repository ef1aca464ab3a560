"""Small text measures shared by the cleaners (Unicode-aware, computed cheaply).

Every cleaner asks for the same measures of the same blocks (a block's word
count is read a dozen times down the chain), so the costly ones are memoised
by text; ASCII text, the common case, takes shortcuts that give the same answer.
A block's own measures are read from its record (``measures.Measures``, ``Block.m``),
built from these functions once per text; the functions serve every other string.
"""
from __future__ import annotations

import re
from functools import lru_cache

import regex

WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*")
_LEAD_JUNK = regex.compile(r"^[\p{P}\p{S}\s]+")
_TRAIL_JUNK = regex.compile(r"[\s\p{Pd}|•·>»›:]+$")
_SPACES = regex.compile(r"\s+")
SENTENCE_END = regex.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
# Every Han, Hiragana, Katakana and Hangul character lies in U+1100-U+11FF or from
# U+2E80 on (tests/test_textutil.py enumerates them). re finds such candidates about
# a hundred times faster than regex scans the four scripts, and Latin text (curly
# quotes and dashes are U+20xx) has none.
_CJK_CANDIDATE = re.compile("[\u1100-\u11ff\u2e80-\U0010ffff]")
# WORD on ASCII text, where \p{L} and \p{N} are [A-Za-z0-9] and \p{M} is empty; re is faster here
_ASCII_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
# Latin-script prose is ASCII plus a few characters that are neither letters, digits nor
# marks (curly quotes, dashes, NBSP...; tests/test_textutil.py checks): in such "plain"
# text WORD is this re pattern (’ continues a word, as in WORD)
PLAIN_EXTRA = "\u00a0\u2009\u202f’‘“”—–…«»•·€£©®°§¶†‡″′‹›„‚×"
_NOT_PLAIN = re.compile(f"[^\\x00-\\x7f{PLAIN_EXTRA}]")
_PLAIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
# regex's \s (re's \s also takes \x1c-\x1f); re is faster on a plain class
_RE_SPACES = re.compile(r"[^\S\x1c-\x1f]+")
_INFO_SEPARATORS = re.compile("[\x1c-\x1f]")  # spaces to str.isspace, not to _RE_SPACES
_TRAIL_CHAR = regex.compile(r"[\s\p{Pd}|•·>»›:]")
_SENTENCE_CLOSERS = "\"'”’»)]"
_SENTENCE_ENDERS = (".", "!", "?", "…", "。", "！", "？")


_MEMOS: list = []


def memo_text(maxsize: int):
    """``functools.lru_cache`` for a pure function of a block's text, registered so
    ``clear_memos`` can empty them all. A block is measured by several cleaners and
    again in the chain's second pass; boilerplate lines recur across a site's pages.
    Bounded, so a long run's memory does not grow with the corpus."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)
        _MEMOS.append(cached)
        return cached
    return wrap


def per_object(fn):
    """Memoise ``fn(obj)`` by the argument's identity: for compiled forms of a phrase
    list (a tuple the phrase book hands out, the same object on every call), where
    ``lru_cache`` would hash the whole tuple on every call (microseconds per block, for
    lists of a hundred phrases). The argument is kept alive with its answer, so its id
    is never reused while cached; a few books per process, bounded all the same."""
    cache: dict[int, tuple[object, object]] = {}

    def cached(obj):
        hit = cache.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(cache) >= 64:
            cache.clear()
        out = fn(obj)
        cache[id(obj)] = (obj, out)
        return out

    cached.__wrapped__ = fn
    cached.__doc__ = fn.__doc__
    return cached


def clear_memos() -> None:
    """Forget every memoised measure (benchmarks: each round costs what a first pass would)."""
    for cached in _MEMOS:
        cached.cache_clear()


def is_plain(text: str) -> bool:
    """ASCII, or ASCII plus only PLAIN_EXTRA: its letters and digits are [A-Za-z0-9]."""
    return text.isascii() or not _NOT_PLAIN.search(text)


def words(text: str) -> list[str]:
    if text.isascii():
        return _ASCII_WORD.findall(text)
    return _PLAIN_WORD.findall(text) if is_plain(text) else WORD.findall(text)


@memo_text(65536)
def word_count(text: str) -> int:
    """Words, counting each CJK character as a word (those scripts have no spaces)."""
    if text.isascii():
        return len(_ASCII_WORD.findall(text))
    if is_plain(text):
        return len(_PLAIN_WORD.findall(text))
    if has_cjk(text):
        return len(_CJK.findall(text)) + len(WORD.findall(_CJK.sub(" ", text)))
    return len(WORD.findall(text))


@memo_text(65536)
def key(text: str) -> str:
    """Matching key: case-folded, leading bullets/punctuation and trailing separators
    stripped, whitespace collapsed. 'READ MORE: » x' -> 'read more: » x'."""
    folded = text.casefold()
    if _INFO_SEPARATORS.search(folded) is None:
        # = _RE_SPACES.sub(" ", folded).strip(): without \x1c-\x1f, which str.split and
        # str.strip take for spaces and _RE_SPACES does not, both see the same spaces
        # (re's \s is str.isspace); ~2.5x faster than the substitution
        k = " ".join(folded.split())
    else:
        k = _RE_SPACES.sub(" ", folded).strip()
    if not _ascii_alnum(k[:1]):  # an ASCII letter or digit is never leading junk
        k = _LEAD_JUNK.sub("", k)
    # = _TRAIL_JUNK.sub("", k), walking back from the end instead of trying every position
    end = len(k)
    while end and _TRAIL_CHAR.match(k, end - 1):
        end -= 1
    return k[:end]


def _ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()  # "" is ASCII but not alnum


def ends_sentence(text: str) -> bool:
    # = SENTENCE_END.search(text.rstrip()): an ender, then only closing quotes/brackets
    return text.rstrip().rstrip(_SENTENCE_CLOSERS).endswith(_SENTENCE_ENDERS)


def upper_ratio(text: str) -> float:
    """Share of cased letters that are upper case (0.0 when there are none)."""
    # a single character is never both upper and lower case
    up = sum(map(str.isupper, text))
    low = sum(map(str.islower, text))
    return up / (up + low) if up + low else 0.0


def has_cjk(text: str) -> bool:
    if text.isascii():
        return False
    match = _CJK.match
    return any(match(text, m.start()) for m in _CJK_CANDIDATE.finditer(text))
