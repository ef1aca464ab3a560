"""Which language a document is in: CJK scripts by character class, the rest by
stopword hits against the per-language stoplists jusText ships (named in each
phrase file), so adding a language stays a data change."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

import regex

from .textutil import has_cjk, words

_HAN = regex.compile(r"\p{Han}")
_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
_HANGUL = regex.compile(r"\p{Hangul}")
SAMPLE_CHARS = 6000
MIN_STOP_RATIO = 0.12


@lru_cache(maxsize=64)
def stopwords(stoplist: str) -> frozenset[str]:
    import justext

    try:
        return frozenset(w.casefold() for w in justext.get_stoplist(stoplist))
    except (ValueError, KeyError, OSError):
        return frozenset()


def detect_language(text: str, languages) -> str | None:
    """ISO 639-1 code, or None when the evidence is too thin."""
    sample = text[:SAMPLE_CHARS]
    if has_cjk(sample):  # a fast test first: these scans cost more than the rest together
        letters = sum(map(str.isalpha, sample)) or 1
        han, kana, hangul = len(_HAN.findall(sample)), len(_KANA.findall(sample)), len(_HANGUL.findall(sample))
        if hangul > 0.3 * letters:
            return "ko"
        if han + kana > 0.3 * letters:
            return "ja" if kana > 0.05 * (han + kana) else "zh"
    toks = [w.casefold() for w in words(sample)]
    if len(toks) < 5:
        return None
    counts = Counter(toks)
    best, best_ratio = None, 0.0
    for lang in languages:
        if not lang.stoplist:
            continue
        sw = stopwords(lang.stoplist)
        ratio = sum(map(counts.__getitem__, sw.intersection(counts))) / len(toks)
        if ratio > best_ratio:
            best, best_ratio = lang.code, ratio
    return best if best_ratio >= MIN_STOP_RATIO else None
