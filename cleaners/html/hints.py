"""Step 4 of the HTML path: what the page's markup says a block is (``<figcaption>``, a class
or id naming caption, credit, related, newsletter, share or comment, or a box of other content:
a disclaimer, a call to action, a promotion, a teaser's excerpt, a pop-up), carried in ``Block.hints``.
Cleaners may use hints as extra evidence; no text rule depends on them."""
from __future__ import annotations

import re

import regex
from lxml import etree

from ..document import Block

# class/id words that say what an element is; matched as whole tokens of the
# attribute ("wp-caption-text" -> caption, "social-share" -> share).
HINT_WORDS = {
    "caption": "caption", "captions": "caption", "figcaption": "caption", "wp-caption-text": "caption",
    "credit": "credit", "credits": "credit", "byline-credit": "credit",
    "related": "related", "relatedposts": "related", "related-posts": "related", "more-stories": "related",
    "newsletter": "newsletter", "subscribe": "newsletter",
    "share": "share", "sharing": "share", "sharedaddy": "share", "addtoany": "share",
    "comment": "comment", "comments": "comment", "respond": "comment", "disqus": "comment",
    # boxes of other content than the article, removed as such by cleaners/marked_boxes.py
    "disclaimer": "disclaimer", "disclaimers": "disclaimer", "disclosure": "disclaimer",
    "disclosures": "disclaimer",
    "cta": "cta", "promo": "promo", "excerpt": "excerpt", "modal": "popup", "popup": "popup",
}
_TOKEN = regex.compile(r"[a-z0-9]+")
MAX_HINT_CHARS = 2000   # a hinted element bigger than this is a page section, not evidence about a block
MIN_HINT_CHARS = 2


def _hint_of(el) -> str | None:
    if el.tag == "figcaption":
        return "caption"
    attrs = " ".join(filter(None, (el.get("class"), el.get("id")))).lower()
    if not attrs or not _ANY_HINT_WORD.search(attrs):
        return None
    toks = _TOKEN.findall(attrs)
    ident = _TOKEN.findall((el.get("id") or "").lower())
    if ident and set(ident) <= set(_TOKEN.findall(el.text_content().lower())):
        # an anchor id made of the element's own words ("what-share-of-adolescents" on
        # that heading) says what the text is about, not what the element is
        toks = _TOKEN.findall((el.get("class") or "").lower())
    for tok in toks:
        h = HINT_WORDS.get(tok)
        if h:
            return h
    return None


# Only elements with a class or id (or a <figcaption>) can carry a hint: libxml2 finds
# them, instead of a Python walk over every element of the page.
_HINT_CANDIDATES = etree.XPath("//*[@class or @id or self::figcaption]")
# a hint word is a whole token of the lower-cased attributes, so a substring of them:
# this one scan rules out most elements before they are tokenised
_ANY_HINT_WORD = re.compile("|".join(sorted(map(re.escape, HINT_WORDS), key=len, reverse=True)))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


_PIECES = ("p", "li", "a", "span", "div", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "dt", "dd")


def collect_hints(tree, extracted_chars: int = MAX_HINT_CHARS * 2) -> dict[str, frozenset[str]]:
    """hint -> the exact (whitespace-folded, case-folded) texts that carry it.

    A caption or credit is the whole text of its element; a box (related,
    newsletter, share, comment) lends its hint to its own text and to the text of
    each element inside it (one link, one line of the box). Only small elements
    count: one holding half the article or more (a body class "comments-open", a
    wrapper "post-with-share-tools") says nothing about a block."""
    limit = min(MAX_HINT_CHARS, extracted_chars // 2)
    found: dict[str, set[str]] = {}
    for el in _HINT_CANDIDATES(tree):
        if el.tag in ("script", "style", "html", "body", "head"):
            continue
        h = _hint_of(el)
        if not h:
            continue
        t = _norm(el.text_content())
        if not MIN_HINT_CHARS <= len(t) <= limit:
            continue
        if h in ("caption", "credit"):
            if el.tag != "figcaption" and not _beside_image(el, len(t)):
                continue  # "caption-contest-intro" on a paragraph of prose is not a figure
            found.setdefault(h, set()).add(t)
            continue
        texts = found.setdefault(h, set())
        texts.add(t)
        for inner in el.iter(*_PIECES):
            it = _norm(inner.text_content())
            if len(it) >= MIN_HINT_CHARS:
                texts.add(it)
    return {h: frozenset(ts) for h, ts in found.items()}


_MEDIA = ("img", "picture", "video", "svg", "figure")
FIGURE_SLACK = 200  # a figure wrapper holds the caption and little else


def _beside_image(el, chars: int) -> bool:
    """A caption or credit element belongs to a picture: it sits in a <figure>, or in a
    small wrapper (not the article itself) that also holds an image."""
    node = el
    for _ in range(3):
        node = node.getparent()
        if node is None or node.tag in ("body", "article", "main"):
            return False
        if node.tag == "figure":
            return True
        if len(_norm(node.text_content())) > chars + FIGURE_SLACK:
            return False
        if any(True for _ in node.iter(*_MEDIA)):
            return True
    return False


def add_hints(blocks: list[Block], hinted: dict[str, frozenset[str]]) -> list[Block]:
    """A block whose text is exactly a hinted element's text (or a piece of a hinted
    box) gets that hint. A heading never takes a caption or credit hint: a short
    label such as "Motor Size" also appears inside captions."""
    if not hinted:
        return blocks
    out = []
    for b in blocks:
        k = _norm(b.text)
        extra = {h for h, texts in hinted.items() if k in texts
                 and not (h in ("caption", "credit") and "heading" in b.hints)}
        out.append(Block(b.index, b.text, b.group, b.hints | extra) if extra else b)
    return out
