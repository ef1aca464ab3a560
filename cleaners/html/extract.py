"""Step 3 of the HTML path: trafilatura's article (body XML and page metadata) from the tree,
comments off and its process-global ``deduplicate`` off (our dedupe is per document).

A second opinion where the first looks short: trafilatura's balanced extraction sometimes
stops at the first part of a page made of several (an overview with a grid of teaser cards,
sections in sibling containers) and keeps a fraction of the article. When what it kept is
less than ``RECALL_GATE`` of the page's visible text, the page is extracted again with
``favor_recall`` and the longer article is taken if it is at least ``RECALL_GAIN`` times
longer (``page.html_blocks``); our chain cleans what the wider extraction brings along.
Measured on the html tracks (bench/RESULTS.md "html track: a second extraction"): the second
run is made on about a quarter of the pages and taken on 3-5% of them, where it was right
on 20 of 24.
"""
from __future__ import annotations

from lxml import etree

from .fallback import _BREAKS, _INVISIBLE

DEFAULT_TIME_LIMIT = 20.0  # seconds per document for trafilatura; a normal page takes 0.01-0.5 s

RECALL_GATE = 0.6   # the first extraction kept less than this share of the visible text: ask again
RECALL_GAIN = 1.1   # the recall-minded extraction is taken when it is this much longer


def extract(tree, url: str | None, *, recall: bool = False):
    """trafilatura's document (body tree + metadata), or None when it finds no article.
    ``recall``: the second opinion (trafilatura's ``favor_recall``), body only: the page's
    metadata comes from the first extraction."""
    import trafilatura

    return trafilatura.bare_extraction(
        tree, url=url, include_comments=False, deduplicate=False, with_metadata=not recall,
        include_tables=True, include_images=False, include_formatting=False, include_links=False,
        favor_recall=recall, output_format="python", date_extraction_params=DATE_PARAMS)


def tree_text(tree) -> str:
    """The page's visible text read off the parsed tree (one line per block-level element):
    what the first extraction's share is measured against. A walk over the tree already
    parsed (~5 ms a page), not the fallback's bs4 tree (~45 ms): it runs on every page.
    Empty below libxml2's depth limit, where the gate then never asks again."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    out: list[str] = []
    skip = 0
    for action, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if action == "start":
            if skip or tag in _INVISIBLE or el.get("hidden") is not None:
                skip += 1
                continue
            if tag in _BREAKS:
                out.append("\n")
            out.append(el.text or "")
        else:
            if skip:
                skip -= 1
                if skip == 0 and el is not root:
                    out.append(el.tail or "")
                continue
            if tag in _BREAKS:
                out.append("\n")
            if el is not root:
                out.append(el.tail or "")
    return "".join(out)


def chars(texts) -> int:
    """Characters of some texts with their whitespace folded: the measure both
    extractions and the page's visible text are compared by."""
    return len(" ".join(" ".join(texts).split()))


# htmldate reads dates from the page's markup (meta tags, <time>, JSON-LD, URL). Its
# "extensive" search through free text runs dateparser over every locale (seconds per
# process to load them all) and may take a date from prose; the dateline cleaner already
# reads printed datelines, so that search stays off.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-01-01"}
