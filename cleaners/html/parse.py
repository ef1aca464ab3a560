"""Step 2 of the HTML path: text to an lxml tree (``huge_tree``: big and deeply nested
pages parse instead of failing; comments and processing instructions dropped)."""
from __future__ import annotations

import re

import regex
from lxml import etree, html as lxml_html

_PARSER = lxml_html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                               remove_comments=True, remove_pis=True, huge_tree=True)
_XML_DECL = regex.compile(r"^\s*<\?xml[^>]*\?>")
# the standard re: a plain class over a whole page, about 3x faster than regex here
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_html(text: str):
    """An lxml tree of the page, or None when there is nothing to parse."""
    text = _INVALID_XML_CHARS.sub("", _XML_DECL.sub("", text))
    if not text.strip():
        return None
    try:
        tree = lxml_html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return tree
