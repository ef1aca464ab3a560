"""Metadata printed as body text at the head of a document: the dateline becomes
``published``, the byline ``authors``.

Only the head is searched (the first blocks; on a whole-page text everything before
the first paragraph of prose), and the last two blocks for a trailing "Published ..."
line, so a date mentioned in prose is never taken. A block may hold several parts
("March 5, 2024 | By Jane Doe"): each part must be a date (``dates.parse_dateline``),
a byline (``byline.parse_byline``), the organisation after a byline or an issue label,
or the block stays.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from .byline import is_organisation, parse_byline
from .dates import parse_dateline
from .document import Block, Draft, Params, Words
from .textutil import word_count


class DatelineParams(Params):
    """Where ``extract_dateline_and_byline`` looks, and how long a dateline may be
    (config: ``[params.dateline]``)."""

    head_blocks: Words = 8         # metadata lives near the top: the first blocks are always searched...
    head_max_blocks: Words = 30    # ...and on a whole-page text everything before the first paragraph, up to this
    head_prose_words: Words = 20   # a page header (menus, title, labels) ends at the first paragraph this long
    date_max_paragraphs: Words = 2  # a date after more paragraphs of prose than this is not the article's
    timeline_min: Words = 3        # this many dates of one shape, each over its own text, are a timeline
    timeline_words: Words = 6      # ...that text: a sentence of at least this many words...
    timeline_gap: Words = 8        # ...and the next date at most this many blocks on (an entry is short)
    max_dateline_words: Words = 14  # "Published: Tuesday, March 5, 2024, 10:30 a.m. EST | Updated ..." fits


_SEP = regex.compile(r"\s*[|•·]\s*")


@lru_cache(maxsize=16)
def _issue_re(patterns: tuple[str, ...]) -> regex.Pattern | None:
    return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.V1) if patterns else None


_DATE_THEN_BY = regex.compile(r"(?<=\d)\s+(?=(?i:by)\s+\p{Lu})", regex.V1)  # "Posted on May 5, 2024 by Jo Roe"


def _head(live: list[Block], p: DatelineParams) -> list[Block]:
    """The blocks metadata may be printed in: the first few, and on a whole-page
    text everything before the first paragraph of prose (up to a bound)."""
    for i, b in enumerate(live[:p.head_max_blocks]):
        if b.m.words >= p.head_prose_words and b.m.ends:
            return live[:max(i, p.head_blocks)]
    return live[:p.head_blocks]


_SHAPE_PARTS = regex.compile(r"(\d+)|(\p{L}+)", regex.V1)


def _date_shape(text: str) -> str:
    """A date line's shape: digits and words folded ("March 14, 2024 at 7:05 am" and
    "June 2, 2024 at 10:40 pm" print the same), its punctuation kept."""
    return _SHAPE_PARTS.sub(lambda m: "0" if m.group(1) else "a", text.strip())


def _line_shapes(live: list[Block], max_words: int) -> dict[str, list[int]]:
    """Position in ``live`` of every short line holding a digit, by its shape (``_date_shape``)."""
    shapes: dict[str, list[int]] = {}
    for i, c in enumerate(live):
        if c.m.words <= max_words and any(ch.isdigit() for ch in c.text):
            shapes.setdefault(_date_shape(c.text), []).append(i)
    return shapes


def _in_timeline(b: Block, live: list[Block], p: DatelineParams, max_words: int,
                 shapes: dict[str, list[int]]) -> bool:
    """A bare date of a timeline: ``timeline_min`` or more date lines of one shape in a
    row, a sentence of text between each two and at most ``timeline_gap`` blocks apart (a
    live blog's entry times, a changelog's release dates; an article's dateline and the
    dates of the story cards after its body stand further apart). Counted over the whole
    text, so that cleaning the clean text again finds the same row. ``shapes``: the
    document's ``_line_shapes``."""
    at = [i for i in shapes.get(_date_shape(b.text), []) if parse_dateline(live[i].text, (), max_words)]
    if len(at) < p.timeline_min:
        return False
    runs = [[at[0]]]
    for x, y in zip(at, at[1:]):
        if y - x <= p.timeline_gap and any(c.m.ends and c.m.words >= p.timeline_words for c in live[x + 1:y]):
            runs[-1].append(y)
        else:
            runs.append([y])
    return any(len(r) >= p.timeline_min and any(live[i] is b for i in r) for r in runs)


def _prose(b: Block, p: DatelineParams) -> bool:
    """A paragraph of prose, as the head measures it: long enough, a sentence end."""
    return b.m.words >= p.head_prose_words and b.m.ends


def _dates_end(live: list[Block], p: DatelineParams) -> int:
    """Where the head stops holding the article's bare date: at its paragraph of prose after
    ``date_max_paragraphs`` of them. A bare date printed past that point (on a short article
    whose head runs into its body, or at its very end) is a reader comment's, a live entry's
    or another story's; a labelled one ("Published on ...") is still the article's."""
    seen = 0
    for i, b in enumerate(live[:p.head_max_blocks]):
        if _prose(b, p):
            seen += 1
            if seen > p.date_max_paragraphs:
                return i
    return len(live)


def extract_dateline_and_byline(draft: Draft) -> Draft:
    """Date and byline lines at the head (or a date at the very end) become metadata."""
    ph = draft.context.phrases
    date_prefixes = tuple(ph["dateline"].get("prefix"))
    by_prefixes = tuple(ph["byline"].get("prefix"))
    agencies = tuple(ph["captions"].get("agencies"))
    issue_re = _issue_re(tuple(ph["dateline"].get("issue_pattern")))
    labels = {p.casefold().rstrip(":") for p in date_prefixes}
    p: DatelineParams = draft.context.params.dateline
    max_date_words, max_by_words = p.max_dateline_words, draft.context.params.byline.max_byline_words
    live = draft.live()
    head = _head(live, p)
    dates_end = _dates_end(live, p)
    tail = [b for b in live[-2:] if b not in head]
    published = draft.meta.published
    authors = list(draft.meta.authors)
    decisions: list[tuple[Block, str, str, str]] = []
    shapes: dict[str, list[int]] | None = None   # _line_shapes, built when a date first asks

    def labelled(b: Block) -> bool:
        return any(b.m.key.startswith(lab) for lab in labels)

    for b in head + tail:
        if b in tail and published is not None and not labelled(b):
            continue  # a bare date at the end after a dateline: a related story's, not ours
        parts = [q for p in _SEP.split(b.text) for q in _DATE_THEN_BY.split(p) if q.strip()]
        found_dates, found_names, ok = [], [], bool(parts)
        issue_parts = 0
        for part in parts:
            d = parse_dateline(part, date_prefixes, max_date_words)
            if d:
                found_dates.append(d)
                continue
            names = parse_byline(part, by_prefixes, agencies, max_by_words)
            if names:
                found_names += names
                continue
            if found_names and word_count(part) <= 6 and is_organisation(part):
                continue  # "By Jane Doe | Example Network": the organisation after the byline
            if issue_re and issue_re.match(part.strip().casefold()):
                issue_parts += 1  # "Issue 112 | March 5, 2024": fine beside a date
                continue
            ok = False
            break
        if not ok or issue_parts and not found_dates:
            continue
        if found_dates and live.index(b) > dates_end and not labelled(b):
            # "April 12, 2024 at 8:14 am" under the third paragraph: a comment's, an entry's or a
            # related story's; "Published on 28 December 2024" is the article's wherever it stands
            continue
        if found_dates and not labelled(b):
            shapes = _line_shapes(live, max_date_words) if shapes is None else shapes
            if _in_timeline(b, live, p, max_date_words, shapes):
                # one of a row of dates in one shape, each over its own paragraph: a live blog's
                # entries or a changelog's releases; none of them is the article's
                continue
        if found_dates:
            published = published or found_dates[0]
            # a label printed on its own line above the date ("Published" / "12 February 2024")
            i = live.index(b)
            if i > 0 and live[i - 1].m.key in labels:
                decisions.append((live[i - 1], "metadata", "dateline label moved to metadata",
                                  "metadata.dateline-label"))
        authors += [n for n in found_names if n not in authors]
        what = " and ".join(w for w, f in (("dateline", found_dates), ("byline", found_names)) if f)
        decisions.append((b, "metadata", f"{what} moved to metadata",
                          "metadata.dateline" if not found_names else
                          "metadata.byline" if not found_dates else "metadata.dateline-byline"))
    draft = draft.with_meta(published=published, authors=tuple(authors))
    return draft.remove_each(sorted(decisions, key=lambda d: d[0].index), "extract_dateline_and_byline")
