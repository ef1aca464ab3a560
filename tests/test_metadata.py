"""Datelines, bylines and titles (cleaners/dates.py, byline.py, dateline.py, title.py): unit tests of the parsers
and of what the extractor takes from the head of a text and what it leaves."""
from __future__ import annotations

from datetime import date

import pytest

from cleaners import clean_text
from cleaners.byline import parse_byline
from cleaners.dates import parse_dateline
from cleaners.phrases import build_book

BOOK = build_book()
DATE_PREFIXES = tuple(BOOK["dateline"].get("prefix"))
BY_PREFIXES = tuple(BOOK["byline"].get("prefix"))
AGENCIES = tuple(BOOK["captions"].get("agencies"))
BODY = ("\n\nThe council voted on Tuesday to rebuild the harbour wall, which was damaged in January's storms, "
        "and work is due to start in May.\n\nIt should be finished by the end of September, weather permitting, "
        "the council's engineers said in a statement.")


@pytest.mark.parametrize("line, expected", [
    ("December 28, 2024", date(2024, 12, 28)),
    ("Published 3:45 PM EST, Tue March 5, 2024", date(2024, 3, 5)),
    ("05.03.2024", date(2024, 3, 5)),
    ("5.3.2024", date(2024, 3, 5)),
    ("05.03.2024 14:30", date(2024, 3, 5)),
    ("Updated: Jan. 7, 2025 at 6:02 a.m.", date(2025, 1, 7)),
    ("Posted on December 28, 2024", date(2024, 12, 28)),
    ("Published on 28 December 2024", date(2024, 12, 28)),
    ("Sun 10 Mar 2024 06.00 GMT", date(2024, 3, 10)),
    ("March 5, 2024 7:12 AM GMT", date(2024, 3, 5)),
    ("2024-03-05", date(2024, 3, 5)),
    ("Last updated: 12 February 2024", date(2024, 2, 12)),
    ("Wednesday, 6 March 2024", date(2024, 3, 6)),
])
def test_datelines_parse(line, expected):
    assert parse_dateline(line, DATE_PREFIXES) == expected


@pytest.mark.parametrize("line", [
    "The council met on December 28, 2024 to discuss the budget.",   # a sentence with a date in it
    "In 2024 the harbour wall was rebuilt",
    "Published",                                                      # a label without a date
    "31.02.2024",                                                     # no such day
    "Issue 112",
    "Chapter 3: 1999 and after",
    "",
])
def test_non_datelines_do_not_parse(line):
    assert parse_dateline(line, DATE_PREFIXES) is None


@pytest.mark.parametrize("line, names", [
    ("By Jane Doe", ["Jane Doe"]),
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("By Jane Doe, Reuters", ["Jane Doe"]),
    ("By MARISOL TREVINO and DANIEL OKAFOR Associated Press", ["Marisol Trevino", "Daniel Okafor"]),
    ("Written by Ana de la Cruz", ["Ana de la Cruz"]),
    ("By: Tomás Ó Briain", ["Tomás Ó Briain"]),
])
def test_bylines_parse(line, names):
    assert parse_byline(line, BY_PREFIXES, AGENCIES) == names


@pytest.mark.parametrize("line", [
    "By the time the line crossed the lake, it was already bowing out.",
    "Bystanders said the car had been parked there for days",
    "By 2030 the city wants every bus to be electric",
    "Jane Doe",
])
def test_non_bylines_do_not_parse(line):
    assert parse_byline(line, BY_PREFIXES, AGENCIES) is None


def test_head_dateline_and_byline_become_metadata():
    doc = clean_text("Harbour wall to be rebuilt\nBy Jane Doe\nUpdated: Jan. 7, 2025 at 6:02 a.m." + BODY)
    assert doc.title == "Harbour wall to be rebuilt"
    assert doc.published == date(2025, 1, 7)
    assert doc.authors == ["Jane Doe"]
    assert doc.text.startswith("The council voted")
    assert {r.kind for r in doc.removed} == {"metadata"}


def test_date_and_author_on_one_line():
    doc = clean_text("Posted on March 5, 2024 by Rosalind Achebe" + BODY)
    assert doc.published == date(2024, 3, 5) and doc.authors == ["Rosalind Achebe"]
    doc = clean_text("By Adaeze Nwosu | December 28, 2024" + BODY)
    assert doc.published == date(2024, 12, 28) and doc.authors == ["Adaeze Nwosu"]


def test_label_on_its_own_line_goes_with_its_date():
    doc = clean_text("Published\n12 February 2024" + BODY)
    assert doc.published == date(2024, 2, 12)
    assert not doc.text.startswith("Published")


def test_a_date_in_prose_is_not_the_dateline():
    doc = clean_text("The council met on December 28, 2024, and voted to rebuild the harbour wall after the storms."
                     + BODY)
    assert doc.published is None
    assert doc.text.startswith("The council met on December 28, 2024")


def test_trailing_published_line_is_used_when_the_head_has_none():
    doc = clean_text(BODY.strip() + "\n\nPublished on 28 December 2024")
    assert doc.published == date(2024, 12, 28)
    assert "Published on" not in doc.text


def test_head_date_wins_over_a_bare_date_at_the_end():
    doc = clean_text("5 March 2024" + BODY + "\n\nMore on this story\nCouncil confirms repair list\n3 November 2023")
    assert doc.published == date(2024, 3, 5)


def test_sentence_case_headline_becomes_the_title():
    doc = clean_text("Central bank holds rates steady, signals patience on cuts" + BODY)
    assert doc.title == "Central bank holds rates steady, signals patience on cuts"


@pytest.mark.parametrize("first", [
    "The council voted on Tuesday.",            # a sentence, not a headline
    "and then the harbour wall fell down",       # starts in lower case
])
def test_no_title_from_prose(first):
    doc = clean_text(first + BODY)
    assert doc.title is None
    assert doc.text.startswith(first)


def test_issue_number_beside_a_date_is_part_of_the_masthead_line():
    doc = clean_text("Issue 112 | March 5, 2024" + BODY)
    assert doc.published == date(2024, 3, 5)
    assert not doc.text.startswith("Issue 112")


def test_issue_number_alone_is_not_metadata():
    doc = clean_text("Issue 112 | Spring" + BODY)
    assert doc.published is None


def _fixed_shape_samples():
    from cleaners.dates import _english_names

    months, days = _english_names()
    for name, mo in sorted(months.items()):
        for spelled in {name, name.title(), name.upper()} | ({name.title() + "."} if len(name) <= 4 else set()):
            for d, suffix in ((1, ""), (1, "st"), (2, "nd"), (9, ""), (23, "rd"), (30, "th"), (31, "")):
                for y in (1999, 2024):
                    yield f"{spelled} {d}{suffix}, {y}"
                    yield f"{spelled} {d:02d} {y}"
                    yield f"{d}{suffix} {spelled} {y}"
                    yield f"{d} {spelled}, {y}"
    for wd in sorted(days):
        yield f"{wd.title()}, March 5, 2024"
        yield f"{wd} 5 march 2024"
    yield from ("2024-03-05", "1999-12-31", "2024-02-30", "2023-02-29", "2024-13-01", "March 5, 2024 2024",
                "Mayday 5, 2024", "Foo, March 5, 2024")


def test_fixed_shape_dates_agree_with_dateparser():
    """The fast reader of common English datelines says what dateparser says, or passes."""
    from cleaners.dates import _date_parser, _fixed_shape_date

    disagree, read = [], 0
    for t in _fixed_shape_samples():
        fast = _fixed_shape_date(t)
        if fast is None:
            continue
        read += 1
        slow = _date_parser().get_date_data(t)["date_obj"]
        if slow is None or slow.date() != fast:
            disagree.append((t, fast, slow))
    assert read > 1000 and not disagree, disagree[:10]
