"""Small text measures shared by the cleaners (Unicode-aware, computed cheaply)."""
from __future__ import annotations

from functools import lru_cache

import regex

WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*")
_LEAD_JUNK = regex.compile(r"^[\p{P}\p{S}\s]+")
_TRAIL_JUNK = regex.compile(r"[\s\p{Pd}|•·>»›:]+$")
_SPACES = regex.compile(r"\s+")
SENTENCE_END = regex.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def word_count(text: str) -> int:
    """Words, counting each CJK character as a word (those scripts have no spaces)."""
    cjk = len(_CJK.findall(text))
    if cjk:
        return cjk + len(WORD.findall(_CJK.sub(" ", text)))
    return len(WORD.findall(text))


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """Matching key: case-folded, leading bullets/punctuation and trailing separators
    stripped, whitespace collapsed. 'READ MORE: » x' -> 'read more: » x'."""
    k = _SPACES.sub(" ", text.casefold()).strip()
    k = _LEAD_JUNK.sub("", k)
    k = _TRAIL_JUNK.sub("", k)
    return k


def ends_sentence(text: str) -> bool:
    return bool(SENTENCE_END.search(text.rstrip()))


def upper_ratio(text: str) -> float:
    """Share of cased letters that are upper case (0.0 when there are none)."""
    up = low = 0
    for ch in text:
        if ch.isupper():
            up += 1
        elif ch.islower():
            low += 1
    return up / (up + low) if up + low else 0.0


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
