"""The page's visible text, for when trafilatura finds nothing (or times out): the text path
cleans it instead. Beautiful Soup builds the tree with the standard library's parser (a
tree of Python objects, so no depth limit: libxml2 stops building below depth 2048, even
with huge_tree), and an explicit stack walks it, one line per block-level element (any
depth, no recursion). html.parser repairs markup as it comes: with the fallback forced on
every devset page it kept the article where libxml2's tree had lost it (swallowed by an
unclosed <button>, or after a stray </body>).

Measured (every devset page as if trafilatura found nothing, then the text chain;
``bench/fallback.py``, bench/RESULTS.md issue 16): F1 .908, against .904 for the walk of
``soup.body`` only with every ``hidden`` element skipped, and .897 for the lxml walk it
replaced; ~42 against 6 ms/page, paid only on the pages that fall back."""
from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from bs4.element import PreformattedString

# a page whose text looks like a URL or a file name, or an XHTML page read as HTML, is what
# the fallback is given on purpose: bs4's warnings about them (its own advice) are filtered
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

PARSER = "html.parser"  # bs4's tree builder; the choice is measured (module docstring)

# elements whose content a reader never sees as text. <head> is not skipped as a whole:
# html.parser does not move misplaced body content out of it, as a browser would
_INVISIBLE = {"script", "style", "noscript", "template", "title", "meta", "link", "svg", "iframe",
              "object", "embed", "button", "select", "option", "input", "textarea"}
# block-level elements: a line break before and after each, as a browser lays them out
_BREAKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "figure", "figcaption",
           "dd", "dt", "dl", "form", "hr", "address", "details", "summary", "td", "th"}


def visible_text(markup: str) -> str:
    """The page's visible text, one line per block-level element, at any depth.

    Elements marked ``hidden`` are skipped, unless that leaves nothing: a page whose whole
    content waits in a hidden element for its script still has that content as its text."""
    soup = BeautifulSoup(markup, PARSER)
    text = _walk(soup, skip_hidden=True)
    if not text.strip():
        text = _walk(soup, skip_hidden=False)
    return text


def _walk(root, skip_hidden: bool) -> str:
    """Text of ``root``'s visible strings in document order; an explicit stack, so any depth."""
    out: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            out.append("\n")
        elif isinstance(node, Tag):
            if node is not root and (node.name in _INVISIBLE or skip_hidden and node.has_attr("hidden")):
                continue
            if node.name in _BREAKS:
                out.append("\n")
                stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.contents))
        elif not isinstance(node, PreformattedString):  # comments, CDATA, doctype, <?…?> are not text
            out.append(str(node))
    return "".join(out)
