"""The source element of each block (tag, link share, class/id words, landmarks) as
``Block.evidence``: read only for the block model's features (``cleaners/features.py``)."""
from __future__ import annotations

from dataclasses import replace

import regex

from ..document import Block
from .hints import _norm

# block-level elements, in the order preferred as a block's source when several hold its text
_SOURCE_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "figcaption", "blockquote", "pre",
                "dd", "dt", "caption", "summary", "address", "div", "section", "span", "a", "strong", "em", "b",
                "small", "time", "label", "button", "header", "footer", "aside", "nav", "figure")
_SOURCE_RANK = {t: i for i, t in enumerate(_SOURCE_TAGS)}
_LANDMARKS = {"figure": "figure", "figcaption": "figure", "ul": "list", "ol": "list", "dl": "list",
              "table": "table", "aside": "aside", "nav": "nav", "footer": "footer", "header": "header",
              "form": "form", "a": "link", "article": "article", "main": "article"}
EVIDENCE_LEVELS = 5      # ancestors whose class/id words count as evidence about a block
_WORD = regex.compile(r"[a-z]+")


def add_evidence(blocks: list[Block], tree) -> list[Block]:
    """Each block whose whole text is one element's text gets that element's ``Evidence``
    (its tag, share of linked characters, class/id words of it and its close ancestors,
    the landmarks around it). Blocks matching no element (a paragraph split at <br>)
    keep ``evidence=None``."""
    from ..document import Evidence

    wanted = {_norm(b.text) for b in blocks}
    best: dict[str, tuple[int, object, str]] = {}
    body = tree.find(".//body")
    for el in (body if body is not None else tree).iter(*_SOURCE_TAGS):
        t = _norm(el.text_content())
        if t not in wanted:
            continue
        rank = _SOURCE_RANK[el.tag]
        if t not in best or rank < best[t][0]:
            best[t] = (rank, el, t)
    if not best:
        return blocks
    found: dict[str, Evidence] = {}
    for t, (_, el, _) in best.items():
        linked = 1.0 if el.tag == "a" else min(1.0, sum(len(_norm(a.text_content())) for a in el.iter("a"))
                                                / max(1, len(t)))
        words: set[str] = set()
        inside: set[str] = set()
        depth = 0
        node, level = el, 0
        while node is not None and isinstance(node.tag, str) and node.tag not in ("body", "html"):
            if level <= EVIDENCE_LEVELS:
                attrs = " ".join(filter(None, (node.get("class"), node.get("id")))).lower()
                words.update(_WORD.findall(attrs))
            land = _LANDMARKS.get(node.tag)
            if land and node is not el or node.tag in ("figcaption",):
                inside.add(land)
            if land == "link":
                linked = 1.0
            node, level, depth = node.getparent(), level + 1, depth + 1
        found[t] = Evidence(tag=el.tag, link_share=round(linked, 4), words=frozenset(words),
                            inside=frozenset(inside), depth=depth)
    out = []
    for b in blocks:
        e = found.get(_norm(b.text))
        out.append(replace(b, evidence=e) if e is not None else b)
    return out
