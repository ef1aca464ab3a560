"""Metadata printed as body text: the dateline becomes ``published``, the byline
``authors``, and a headline the text clearly starts with becomes ``title``.

Dates are parsed by dateparser (month names in every supported language);
a block counts as a dateline only when, once its label ("Published",
"Updated:"), weekday, time and zone are set aside, nothing but the date is
left. Only the head of the document is searched (and its last blocks for a
trailing "Published ..." line), so a date mentioned in prose is never taken.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache

import regex

from .document import Block, Draft, Removal
from .textutil import ends_sentence, key, memo_text, word_count

HEAD_BLOCKS = 8          # metadata lives near the top
MAX_DATELINE_WORDS = 14
MAX_BYLINE_WORDS = 14
DATE_LANGUAGES = ["en", "de", "fr", "es", "pt", "it", "nl"]

_TIME = regex.compile(
    r"(?:\b(?:at|um|à|a las|às|alle|om)\s+)?(?<![\d.])\b\d{1,2}[:.h]\d{2}(?![.\d])(?::\d{2})?\s*(?:[ap]\.?\s?m\.?|uhr|h)?"
    r"(?:\s+(?:[A-Z]{2,5}|GMT[+-]?\d*|UTC[+-]?\d*))?", regex.V1 | regex.I)
_TIME_ALONE = regex.compile(r"\b\d{1,2}\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4})?", regex.V1 | regex.I)
_SEP = regex.compile(r"\s*[|•·]\s*")
_HAS_YEAR = regex.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_DOTTED = regex.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_NAME = r"[\p{Lu}][\p{L}\p{M}'’.-]*"
_BYLINE_NAMES = regex.compile(
    rf"^(?P<names>{_NAME}(?:\s+(?:{_NAME}|van|von|de|da|der|den|del|la|le|di|du|dos|das|bin|al-\p{{L}}+))*"
    rf"(?:\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*{_NAME}(?:\s+(?:{_NAME}|van|von|de|da|der|del|di))*)*)"
    r"(?:\s*(?:,|\||-|–|—)\s*(?P<org>[\p{L}\p{M}\s.&'’-]{2,60}))?$",
    regex.V1)


@memo_text(4096)
def parse_dateline(text: str, prefixes: tuple[str, ...] = ()) -> date | None:
    """The date of a block that is nothing but a (labelled) date, else None."""
    if word_count(text) > MAX_DATELINE_WORDS or not _HAS_YEAR.search(text):
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


def parse_byline(text: str, prefixes: tuple[str, ...], agencies: tuple[str, ...] = ()) -> list[str] | None:
    """Author names of a byline block ("By Jane Doe and John Roe, Reuters"), else None.

    An agency printed after the last name without a comma ("By JANE DOE Associated
    Press") is set aside; names printed in capitals (wire style) are title-cased."""
    if word_count(text) > MAX_BYLINE_WORDS:
        return None
    t = text.strip()
    for p in sorted(prefixes, key=len, reverse=True):
        if t.casefold().startswith(p.casefold()) and len(t) > len(p) and not t[len(p)].isalnum():
            rest = t[len(p):].strip(" :")
            break
    else:
        return None
    m = _BYLINE_NAMES.match(rest)
    if not m:
        return None
    names = regex.split(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*", m.group("names"))
    names = [n.strip() for n in names if n.strip()]
    if names and agencies:
        last = names[-1]
        for ag in sorted(agencies, key=len, reverse=True):
            if last.casefold().endswith(" " + ag.casefold()) and len(last) > len(ag) + 1:
                names[-1] = last[:-len(ag)].strip()
                break
    # "By Jane Doe, Reuters" / "By Jane Doe, The Guardian": the organisation is not an author
    orgs = {a.casefold() for a in agencies}
    names = [n for n in names if n.casefold() not in orgs and not regex.match(r"(?i:the)\s", n)]
    return [n.title() if n.isupper() and len(n) > 3 else n for n in names] or None


_ORG = regex.compile(r"^(?:{n})(?:[\s-]+(?:{n}|of|for|and|&))*$".format(n=r"[\p{Lu}\p{N}][\p{L}\p{N}.'’&-]*"), regex.V1)
HEAD_MAX_BLOCKS = 30


@lru_cache(maxsize=16)
def _issue_re(patterns: tuple[str, ...]) -> regex.Pattern | None:
    return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.V1) if patterns else None


_PROSE_WORDS = 20  # a page header (menus, title, labels) ends at the first paragraph this long
_DATE_THEN_BY = regex.compile(r"(?<=\d)\s+(?=(?i:by)\s+\p{Lu})", regex.V1)  # "Posted on May 5, 2024 by Jo Roe"


def _head(live: list[Block]) -> list[Block]:
    """The blocks metadata may be printed in: the first few, and on a whole-page
    text everything before the first paragraph of prose (up to a bound)."""
    for i, b in enumerate(live[:HEAD_MAX_BLOCKS]):
        if word_count(b.text) >= _PROSE_WORDS and ends_sentence(b.text):
            return live[:max(i, HEAD_BLOCKS)]
    return live[:HEAD_BLOCKS]


def extract_dateline_and_byline(draft: Draft) -> Draft:
    """Date and byline lines at the head (or a date at the very end) become metadata."""
    ph = draft.context.phrases
    date_prefixes = tuple(ph["dateline"].get("prefix"))
    by_prefixes = tuple(ph["byline"].get("prefix"))
    agencies = tuple(ph["captions"].get("agencies"))
    issue_re = _issue_re(tuple(ph["dateline"].get("issue_pattern")))
    labels = {p.casefold().rstrip(":") for p in date_prefixes}
    live = draft.live()
    head = _head(live)
    tail = [b for b in live[-2:] if b not in head]
    published = draft.meta.published
    authors = list(draft.meta.authors)
    decisions: list[tuple[Block, str, str, str]] = []
    for b in head + tail:
        if b in tail and published is not None and not any(
                key(b.text).startswith(lab) for lab in labels):
            continue  # a bare date at the end after a dateline: a related story's, not ours
        parts = [q for p in _SEP.split(b.text) for q in _DATE_THEN_BY.split(p) if q.strip()]
        found_dates, found_names, ok = [], [], bool(parts)
        issue_parts = 0
        for part in parts:
            d = parse_dateline(part, date_prefixes)
            if d:
                found_dates.append(d)
                continue
            names = parse_byline(part, by_prefixes, agencies)
            if names:
                found_names += names
                continue
            if found_names and word_count(part) <= 6 and _ORG.match(part.strip()):
                continue  # "By Jane Doe | Example Network": the organisation after the byline
            if issue_re and issue_re.match(part.strip().casefold()):
                issue_parts += 1  # "Issue 112 | March 5, 2024": fine beside a date
                continue
            ok = False
            break
        if not ok or issue_parts and not found_dates:
            continue
        if found_dates:
            published = published or found_dates[0]
            # a label printed on its own line above the date ("Published" / "12 February 2024")
            i = live.index(b)
            if i > 0 and key(live[i - 1].text) in labels:
                decisions.append((live[i - 1], "metadata", "dateline label moved to metadata",
                                  "metadata.dateline-label"))
        authors += [n for n in found_names if n not in authors]
        what = " and ".join(w for w, f in (("dateline", found_dates), ("byline", found_names)) if f)
        decisions.append((b, "metadata", f"{what} moved to metadata",
                          "metadata.dateline" if not found_names else
                          "metadata.byline" if not found_dates else "metadata.dateline-byline"))
    draft = draft.with_meta(published=published, authors=tuple(authors))
    return draft.remove_each(sorted(decisions, key=lambda d: d[0].index), "extract_dateline_and_byline")


MIN_TITLE_WORDS = 2
MAX_TITLE_WORDS = 25


def _headline_shaped(t: str) -> bool:
    n = word_count(t)
    if not (MIN_TITLE_WORDS <= n <= MAX_TITLE_WORDS) or t.endswith((".", ",", ";", ":")) and not t.endswith("..."):
        return False
    # a headline starts with a capital (sentence case, as many publishers print
    # them, is enough), or is in a caseless script
    first_letter = next((ch for ch in t if ch.isalpha()), "")
    return not first_letter.islower()


def extract_title(draft: Draft) -> Draft:
    """A headline the text clearly starts with: a short first line with no full stop,
    followed by prose. A verbatim repeat of it right after goes too.

    When the page trimmer already took the text's very first line with the
    header run under it (headline, standfirst, byline), that line is still the
    headline: its removal is re-recorded as the title."""
    if draft.meta.title:
        return _drop_declared_title(draft)
    live = draft.live()
    if len(live) < 2:
        return draft
    first = live[0]
    t = first.text.strip()
    if not _headline_shaped(t):
        return _title_from_trimmed_head(draft)
    n = word_count(t)
    rest_words = sum(word_count(b.text) for b in live[1:6])
    if rest_words < 3 * n or rest_words < 30:
        return draft  # no body to head: maybe a list or a stub
    drop = [first]
    for b in live[1:3]:
        if key(b.text) == key(t):
            drop.append(b)
    draft = draft.with_meta(title=t)
    return draft.remove(drop, "extract_title", "metadata", "headline moved to title", "title.headline")


TITLE_REPEAT_BLOCKS = 3


def _drop_declared_title(draft: Draft) -> Draft:
    """A title declared with the input (an HTML page's <title>/og:title) that the text
    prints again as its headline: that block, among the first few, is the title."""
    tk = key(draft.meta.title)
    drop = [b for b in draft.live()[:TITLE_REPEAT_BLOCKS] if key(b.text) == tk]
    return draft.remove(drop, "extract_title", "metadata", "headline repeats the declared title",
                        "title.declared") if drop else draft


def _title_from_trimmed_head(draft: Draft) -> Draft:
    blocks = draft.blocks
    if len(blocks) < 3 or draft.is_live(0):
        return draft
    rec = next((r for r in draft.removed if r.position == 0), None)
    t = blocks[0].text.strip()
    # a site name over a menu ("The Valley Courier" / "Menu") is not a headline:
    # the line under a headline is a standfirst, a byline or a date, not one word
    if rec is None or rec.cleaner != "trim_page_chrome" or not _headline_shaped(t) or word_count(blocks[1].text) < 3:
        return draft
    moved = Removal(cleaner="extract_title", kind="metadata", rule="title.trimmed-head",
                    reason="headline moved to title", position=0, text=rec.text)
    removed = tuple(moved if r is rec else r for r in draft.removed)
    return replace(draft.with_meta(title=t), removed=removed)
