"""Charsets: what a declared label means, and choosing among code pages that fit equally well.

``codec_for_label``: a charset label as a page or an HTTP header declares it, to the
Python codec a browser would use (WHATWG: "iso-8859-1" and "ascii" mean windows-1252,
"gb2312" GB18030, "euc-kr" windows-949 ...), by w3lib's ``resolve_encoding`` (Scrapy's:
Python's aliases, then its WHATWG superset table; UTF-7 refused).

``choose_encoding``: among single-byte code pages that fit the same bytes equally well.

charset-normalizer ranks candidate encodings by how chaotic the decoded text
looks, but for Latin-script text several Windows code pages often tie (a
cp1252 English article with one "Siobhán" in it decodes without chaos as
cp1257 "Siobhįn" too), and its pick among the tied ones is close to arbitrary.
We break the tie with the text itself: the language its stopwords say it is in
(jusText's stoplists, read only on this slow path) tells which family of code
pages it was written in. Western European languages were written in cp1252
(a superset of latin-1); Central European, Baltic and Turkish text keeps
charset-normalizer's pick.
"""
from __future__ import annotations

from functools import lru_cache

from w3lib.encoding import resolve_encoding

from .textutil import WORD

# WHATWG labels Python has no alias for, beyond what w3lib translates
_WHATWG_EXTRA = {"x-gbk": "gb18030"}


def codec_for_label(label: str) -> str | None:
    """The Python codec name (``codecs.lookup(...).name``) for a declared charset label, or
    None when it names no encoding we can decode."""
    label = label.strip().lower()
    return resolve_encoding(_WHATWG_EXTRA.get(label, label))

TIE_CHAOS = 0.01   # candidates this close to the best are equally good fits
SAMPLE_BYTES = 20000

WESTERN = ("English", "German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Swedish", "Danish",
           "Norwegian_Bokmal", "Finnish", "Catalan", "Icelandic", "Irish", "Afrikaans", "Galician", "Basque")
OTHER_LATIN = ("Czech", "Polish", "Slovak", "Slovenian", "Croatian", "Hungarian", "Romanian", "Lithuanian",
               "Latvian", "Estonian", "Turkish")


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext

    out = {}
    for name in WESTERN + OTHER_LATIN:
        try:
            out[name] = frozenset(w.casefold() for w in justext.get_stoplist(name))
        except (ValueError, KeyError, OSError):
            continue
    return out


def _language(text: str) -> str | None:
    toks = [t.casefold() for t in WORD.findall(text)]
    if len(toks) < 10:
        return None
    best, best_hits = None, 0
    for name, sw in _stoplists().items():
        hits = sum(1 for t in toks if t in sw)
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def choose_encoding(data: bytes, matches) -> str:
    """The encoding to decode ``data`` with, from charset-normalizer's ``CharsetMatches``."""
    best = matches.best()
    tied = [m for m in matches if m.chaos <= best.chaos + TIE_CHAOS]
    western_fit = any(m.encoding == "cp1252" or "cp1252" in m.could_be_from_charset for m in tied)
    if best.encoding == "cp1252" or not western_fit:
        return best.encoding
    sample = data[:SAMPLE_BYTES].decode(best.encoding, errors="replace")
    return "cp1252" if _language(sample) in WESTERN else best.encoding
