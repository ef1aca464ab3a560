"""Legacy CJK mojibake: GBK / Big5 / Shift-JIS / EUC-KR bytes that a scraper
decoded as Windows-1252 (or Latin-1), so "搜狐首页" arrives as "ËÑºüÊ×Ò³".

ftfy repairs UTF-8 read as a Western code page, but not a double-byte CJK
code page read that way, and such text is a common scraper failure for
Chinese pages whose charset was missed. The repair is all-or-nothing and only
tried when the evidence is overwhelming: the text uses no character outside
what Windows-1252 / Latin-1 can produce, and at least a third of its letters
are Latin-1 "accented" letters (real French or German prose has a few per
cent). The characters are turned back into the bytes they came from and
decoded with each candidate code page; the repair is taken only when one
candidate decodes nearly cleanly into text that is mostly CJK. Otherwise the
text is returned unchanged.
"""
from __future__ import annotations

import codecs
import re

import regex

CANDIDATES = ("gb18030", "big5", "shift_jis", "euc_kr")
MIN_HIGH_SHARE = 0.33      # share of letters in U+00C0-U+00FF (and the cp1252 extras)
MAX_BAD_SHARE = 0.02       # replacement characters per CJK character in the repaired text
MIN_CJK_SHARE = 0.6        # share of CJK among the repaired text's non-ASCII characters
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303f\uff00-\uffef]")


def _latin1_else_lost(err: UnicodeEncodeError) -> tuple[bytes, int]:
    """What cp1252 cannot encode: Latin-1 decoding, or cp1252's five undefined bytes,
    gave code points up to U+00FF; anything else (U+FFFD) lost its byte: "?"."""
    chunk = err.object[err.start:err.end]
    return bytes(ord(c) if ord(c) <= 0xFF else 0x3F for c in chunk), err.end


codecs.register_error("declutter-latin1-else-lost", _latin1_else_lost)


def _to_bytes(text: str) -> bytes:
    """The bytes a cp1252 (else Latin-1) decoder turned into ``text`` (one C-level
    encode; it was a Python loop over every character)."""
    return text.encode("cp1252", errors="declutter-latin1-else-lost")


_CP1252_EXTRAS = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
# a character no Western code page produces (private use and U+FFFD aside): not this mojibake
# plain character classes, run over every input: the standard re module scans them
# many times faster than regex
_FOREIGN = re.compile("[^\\x00-\\xff" + _CP1252_EXTRAS + "\\ufffd\\ue000-\\uf8ff]")
_HIGH = re.compile("[\\x80-\\xff" + _CP1252_EXTRAS + "]")
_ASCII_LETTERS = re.compile("[A-Za-z]+")  # counted by runs: one string per word, not per letter


def _looks_mis_decoded(text: str) -> bool:
    if text.isascii():
        return False
    high = len(_HIGH.findall(text))
    if high < 20 or _FOREIGN.search(text):
        return False
    return high / (high + sum(map(len, _ASCII_LETTERS.findall(text)))) >= MIN_HIGH_SHARE


def repair_cjk_mojibake(text: str) -> str:
    """``text`` with double-byte CJK mojibake undone, or ``text`` unchanged."""
    if not _looks_mis_decoded(text):
        return text
    raw = _to_bytes(text)
    best, best_bad = None, None
    for enc in CANDIDATES:
        fixed = raw.decode(enc, errors="replace")
        bad = fixed.count("\ufffd")
        if best_bad is None or bad < best_bad:
            best, best_bad = fixed, bad
    assert best is not None
    non_ascii = sum(1 for ch in best if ord(ch) >= 0x80)
    cjk = len(_CJK.findall(best))
    if not cjk or cjk < MIN_CJK_SHARE * non_ascii or best_bad > MAX_BAD_SHARE * cjk:
        return text
    return best
