"""Reading the date of a dateline block: "Published: Tuesday, March 5, 2024, 10:30 EST" → 2024-03-05.

A block counts only when, once its label ("Published", "Updated:"), weekday, time and
zone are set aside, nothing but the date is left. Two readers: the shapes most
datelines take (ISO, "March 5, 2024", "5 March 2024", English names) are read
directly, and dateparser (month names in every supported language) reads the rest,
only when every word is a month, a weekday or a filler of its locale data.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import regex

from .textutil import memo_text, word_count

DATE_LANGUAGES = ["en", "de", "fr", "es", "pt", "it", "nl"]

_TIME = regex.compile(
    r"(?:\b(?:at|um|à|a las|às|alle|om)\s+)?(?<![\d.])\b\d{1,2}[:.h]\d{2}(?![.\d])(?::\d{2})?\s*(?:[ap]\.?\s?m\.?|uhr|h)?"
    r"(?:\s+(?:[A-Z]{2,5}|GMT[+-]?\d*|UTC[+-]?\d*))?", regex.V1 | regex.I)
_TIME_ALONE = regex.compile(r"\b\d{1,2}\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4})?", regex.V1 | regex.I)
_HAS_YEAR = regex.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_DOTTED = regex.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


@memo_text(4096)
def parse_dateline(text: str, prefixes: tuple[str, ...] = (), max_words: int = 14) -> date | None:
    """The date of a block of at most ``max_words`` words that is nothing but a
    (labelled) date, else None."""
    if word_count(text) > max_words or not _HAS_YEAR.search(text):
        return None
    t = text.strip()
    k = t.casefold()
    for p in sorted(prefixes, key=len, reverse=True):
        if k.startswith(p.casefold()):
            t = t[len(p):]
            break
    # 05.03.2024 is day.month.year wherever dots are used; look before the time
    # stripper below, which would read "05.03" as a time of day
    m = _DOTTED.match(regex.sub(r"^[\s:,\-–—]+", "", t))
    if m is None:
        t = _TIME.sub(" ", t)
        t = _TIME_ALONE.sub(" ", t)
        t = regex.sub(r"^[\s:,.\-–—]+|[\s:,\-–—|]+$", "", t)
        if not t or word_count(t) > 7:
            return None
        m = _DOTTED.match(t)
    if m:
        d, mo, y = map(int, m.groups())
        try:
            return date(y, mo, d)
        except ValueError:
            return None
    return _dateparser(t)


_DATE_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
              "sunday", "skip", "pertain")
_LETTERS = regex.compile(r"\p{L}+")


@lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    """Month and weekday names and the filler words ("de", "of", "the", "th") of the
    date languages, from dateparser's own locale data."""
    from dateparser.languages.loader import default_loader

    out: set[str] = set()
    for code in DATE_LANGUAGES:
        info = default_loader.get_locale(code).info
        for k in _DATE_KEYS:
            for v in info.get(k, ()):
                out.update(w.casefold() for w in _LETTERS.findall(v))
    return frozenset(out)


def _dateparser(t: str) -> date | None:
    # every word must be a month, a weekday or a filler: dateparser takes a tenth of
    # a second to fail on "Issue 2024 special", and page headers are full of those
    # (a time zone in capitals, "GMT", "EST", may stand too)
    if not all(w.casefold() in _date_words() or (w.isupper() and len(w) <= 5) for w in _LETTERS.findall(t)):
        return None
    fixed = _fixed_shape_date(t)
    if fixed is not None:
        return fixed
    try:
        dt = _date_parser().get_date_data(t)["date_obj"]
    except Exception:  # dateparser raises assorted errors on odd strings
        return None
    return dt.date() if dt else None


# The shapes most datelines take, read without dateparser (which spends ~6 ms on each):
# "2024-03-05", "March 5, 2024", "Tue, Mar. 5th 2024", "5 March, 2024", English month
# and weekday names from dateparser's own locale data. Anything else, or a date that
# does not exist, goes to dateparser as before. tests/test_metadata.py checks that
# both readers agree on every shape, name and case this one accepts.
_ISO_DATE = regex.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH_FIRST = regex.compile(rf"(?:(\p{{L}}+),?\s+)?(\p{{L}}+)\.?\s+{_DAY},?\s+(\d{{4}})", regex.I)
_DAY_FIRST = regex.compile(rf"(?:(\p{{L}}+),?\s+)?{_DAY}\s+(\p{{L}}+)\.?,?\s+(\d{{4}})", regex.I)


@lru_cache(maxsize=1)
def _english_names() -> tuple[dict[str, int], frozenset[str]]:
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale("en").info
    months = {name.casefold(): i for i, k in enumerate(_DATE_KEYS[:12], 1) for name in info.get(k, ())}
    days = frozenset(name.casefold() for k in _DATE_KEYS[12:19] for name in info.get(k, ()))
    return months, days


def _fixed_shape_date(t: str) -> date | None:
    months, days = _english_names()
    m = _ISO_DATE.fullmatch(t)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = _MONTH_FIRST.fullmatch(t)
        if m:
            wd, mon, d, y = m.groups()
        else:
            m = _DAY_FIRST.fullmatch(t)
            if m is None:
                return None
            wd, d, mon, y = m.groups()
        mo = months.get(mon.casefold())
        if mo is None or wd is not None and wd.casefold() not in days:
            return None
        d, y = int(d), int(y)
    try:
        return date(y, mo, d)
    except ValueError:
        return None  # dateparser has the last word on impossible dates


@lru_cache(maxsize=1)
def _date_parser():
    """One parser for the process: what ``dateparser.parse(t, languages=..., settings=...)``
    builds on every call (a third of its cost); it keeps no state between calls
    (``try_previous_locales`` is off)."""
    import dateparser  # heavy import, paid only when a candidate dateline exists

    return dateparser.DateDataParser(
        languages=DATE_LANGUAGES,
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                  "PREFER_LOCALE_DATE_ORDER": True, "RETURN_AS_TIMEZONE_AWARE": False})
