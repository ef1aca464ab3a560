"""Step 3, continued: trafilatura's XML structure to ``Block``s (paragraphs, headings, list
items, quotes, table rows and code; one group per element), split as the text path splits."""
from __future__ import annotations

from typing import Iterable, Iterator

import regex
from lxml import etree

from ..document import Block
from ..segment import normalise, split_blocks
from .fallback import _BREAKS

# elements whose text is set off from its neighbours' by a space inside one unit: trafilatura's
# own blocks, and the HTML block elements it sometimes leaves unconverted (<th>/<td> of a table
# inside a list item, a <div> or <figure> it kept as is). Without it "Battery life</th><td>Up
# to 120" read "Battery lifeUp to 120": measured on the html tracks, 5 pages of 865
# (bench/RESULTS.md "html track: unconverted cells")
_SPACED = frozenset({"p", "head", "cell"}) | frozenset(_BREAKS)

_STRUCT_HINT = {"head": "heading", "item": "list", "quote": "quote", "row": "table", "code": "code"}
_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "table", "row", "cell", "code", "div", "section",
               "article", "graphic"}


_WS = regex.compile(r"\s+")


def _inline_text(el, stop: frozenset[str] = frozenset()) -> str:
    """Text of an element as a browser lays it out: runs of whitespace (a source line
    break included) are one space, <lb/> is a line break, and only <code>/<pre> keep
    their own line breaks. Nested blocks named in ``stop`` are skipped. Iterative."""
    keep = el.tag == "code"
    fold = (lambda t: t or "") if keep else (lambda t: _WS.sub(" ", t) if t else "")
    out: list[str] = []
    skip = 0
    for action, node in etree.iterwalk(el, events=("start", "end")):
        if node is el:
            if action == "start":
                out.append(fold(el.text))
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if action == "start":
            if skip or tag in stop:
                skip += 1
                continue
            if tag == "lb":
                out.append("\n")
            elif tag in _SPACED:
                out.append(" ")
            out.append(fold(node.text))
        else:
            if skip:
                skip -= 1
                if skip == 0:
                    out.append(fold(node.tail))
                continue
            if tag in _SPACED:
                out.append(" ")
            out.append(fold(node.tail))
    return "".join(out)


def _units(body) -> Iterator[tuple[str, frozenset[str]]]:
    """(text, structural hints) for each block-level unit of trafilatura's XML, in order.

    A table row is one unit, its cells joined by " | "; a row holding a nested table (a
    layout table around the article) is read as a container instead, so each of its
    blocks is one unit and no text is read twice (joining the cells of every depth
    printed the nested table's text once per level). Iterative (an explicit stack), so
    nesting depth never meets Python's recursion limit."""
    stack: list[tuple[object, frozenset[str]]] = [(body, frozenset())]
    while stack:
        el, inherited = stack.pop()
        if isinstance(el, str):  # loose text between block elements
            yield el, inherited
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        hints = inherited | ({_STRUCT_HINT[tag]} if tag in _STRUCT_HINT else frozenset())
        if tag == "graphic":
            continue
        if tag == "row" and not any(True for _ in el.iter("table")):
            cells = [" ".join(_inline_text(c).split()) for c in el.iter("cell")]
            text = " | ".join(c for c in cells if c)  # tabs would be folded by normalise
            if text:
                yield text, hints
            continue
        if tag == "item":
            nested = [c for c in el if c.tag == "list"]
            yield _inline_text(el, frozenset({"list"})), hints
            stack.extend((c, hints) for c in reversed(nested))
            continue
        if tag == "table":
            stack.extend((r, hints) for r in reversed(list(el.iter("row"))))
            continue
        if el is body or (tag not in ("p", "head", "code") and
                          any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in el)):
            if el.text and el.text.strip():
                yield _WS.sub(" ", el.text), hints
            for c in reversed(el):
                if c.tail and c.tail.strip():
                    stack.append((_WS.sub(" ", c.tail), hints))
                stack.append((c, hints))
            continue
        yield _inline_text(el), hints


def blocks_from_units(units: Iterable[tuple[str, frozenset[str]]]) -> list[Block]:
    """Normalise each unit's text and split it as the text path does: its lines (a
    paragraph split by <br>, a <pre>) become blocks of one group, and hard-wrapped
    prose (an RFC in <pre>, a poem-width column) is rejoined into paragraphs."""
    blocks: list[Block] = []
    group = 0
    for text, hints in units:
        if "code" in hints:
            # a listing (<pre>, <code>) is one block per stretch between blank lines, its
            # lines kept: code lines are not paragraphs, and legitimately repeat
            for chunk in regex.split(r"\n\s*\n", normalise(text)):
                if chunk.strip():
                    blocks.append(Block(len(blocks), chunk.strip("\n"), group, hints))
            group += 1
            continue
        parts = split_blocks(normalise(text))
        if not parts:
            continue
        last = parts[0].group
        for p in parts:
            if p.group != last:  # a blank line inside the unit (<pre>) starts a new group
                group, last = group + 1, p.group
            blocks.append(Block(len(blocks), p.text, group, hints))
        group += 1
    return blocks
