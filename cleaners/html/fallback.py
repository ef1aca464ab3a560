"""The page's visible text, for when trafilatura finds nothing (or times out): the text path
cleans it instead. Beautiful Soup builds the tree with the standard library's parser (a
tree of Python objects, so no depth limit: libxml2 stops building below depth 2048), and
an explicit stack walks it, one line per block-level element (any depth, no recursion).

Measured against the lxml walk it replaced (every devset page as if trafilatura found
nothing, then the text chain; bench/RESULTS.md, issue 16): F1 .899 against .898, 344 of 356
pages the same blocks; 52 against 10 ms/page, paid only on the pages that fall back."""
from __future__ import annotations

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

# elements whose content a reader never sees as text
_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe",
              "object", "embed", "button", "select", "option", "input", "textarea"}
# block-level elements: a line break before and after each, as a browser lays them out
_BREAKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "figure", "figcaption",
           "dd", "dt", "dl", "form", "hr", "address", "details", "summary", "td", "th"}
# strings of the markup that are not text: <!-- -->, <!DOCTYPE>, <?...?>, <!...>
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def visible_text(markup: str) -> str:
    """The page's visible text, one line per block-level element."""
    soup = BeautifulSoup(markup, "html.parser")
    root = soup.body or soup
    out: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                out.append(str(node))
            continue
        if node.name in _INVISIBLE or node.get("hidden") is not None:
            continue
        if node.name in _BREAKS:
            out.append("\n")
        if not closing:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return "".join(out)
