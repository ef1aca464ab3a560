"""The page's visible text, for when trafilatura finds nothing (or times out): the text path
cleans it instead. ``visible_text`` walks the lxml tree; ``stream_text`` tokenizes the raw page
(no tree, so no depth limit) when libxml2 built no text (below depth 2048)."""
from __future__ import annotations

from lxml import etree

_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe",
              "object", "embed", "button", "select", "option", "input", "textarea"}
_BREAKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
           "article", "header", "footer", "nav", "aside", "main", "blockquote", "pre", "figure", "figcaption",
           "dd", "dt", "dl", "form", "hr", "address", "details", "summary", "td", "th"}


def visible_text(tree) -> str:
    """The page's visible text, one line per block-level element (iterative, any depth)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    out: list[str] = []
    skip_depth = 0
    for action, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if action == "start":
            if skip_depth or tag in _INVISIBLE or el.get("hidden") is not None:
                skip_depth += 1
                continue
            if tag in _BREAKS:
                out.append("\n")
            if el.text:
                out.append(el.text)
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth == 0 and el.tail and el is not root:
                    out.append(el.tail)
                continue
            if tag in _BREAKS:
                out.append("\n")
            if el.tail and el is not root:
                out.append(el.tail)
    return "".join(out)


def stream_text(text: str) -> str:
    """Visible text by the standard library's streaming tokenizer: no tree, so no depth
    limit. The last resort when the parsed tree holds no text (libxml2 stops building
    below depth 2048, even with huge_tree)."""
    from html.parser import HTMLParser

    out: list[str] = []
    skipping: list[str] = []

    class _Text(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in _INVISIBLE and tag not in _VOID:
                skipping.append(tag)
            elif tag in _BREAKS:
                out.append("\n")

        def handle_endtag(self, tag):
            if skipping and tag == skipping[-1]:
                skipping.pop()
            elif tag in _BREAKS:
                out.append("\n")

        def handle_data(self, data):
            if not skipping:
                out.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    return "".join(out)


_VOID = {"meta", "link", "input", "embed"}
