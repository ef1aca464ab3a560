"""HTML in: decode, parse, extract the article with trafilatura, then the same chain as text.

Steps, each small and replaceable:

1. **Decode** (``decode_html``): a BOM wins; then a charset declared by the
   HTTP ``Content-Type`` (``content_type=``/``charset=``) or by the page's own
   ``<meta>``; then ``segment.decode_bytes`` (UTF-8, then detection), the one
   decoder the text path uses too. ``stats.encoding`` records the choice.
2. **Parse** with lxml (``huge_tree``: big and deeply nested pages parse instead
   of failing), comments and processing instructions dropped.
3. **Extract** with trafilatura's ``bare_extraction`` (comments off, its own
   process-global ``deduplicate`` off: our dedupe is per document), keeping
   its XML structure: paragraphs, headings, list items, quotes, table rows and
   code become ``Block``s, one group per element. Page metadata (title, date,
   authors, site name, canonical URL, language) comes from trafilatura/htmldate
   and ``<html lang>``.
4. **Hints**: where the page's markup says what a block is (``<figcaption>``,
   a class or id naming caption, credit, related, newsletter, share or
   comment), the block carries that word in ``Block.hints``. Cleaners may use
   hints as extra evidence; no text rule depends on them.
5. **Clean** with ``pipeline.clean_blocks``: the text chain, unchanged.

Robustness: extraction runs under a per-document time limit (see
``deadline.py``); when it times out, or trafilatura finds nothing on a page
that has visible text, the page's visible text goes through the text path
instead and ``stats.extraction`` says so (``fallback-text``,
``fallback-text-timeout``).

Modules, one step each: ``decode``, ``parse``, ``extract`` (trafilatura), ``blocks`` (its XML to
Blocks), ``hints``, ``evidence``, ``fallback`` (visible text), ``metadata``, and ``page``, which
runs them in order. The names below are the package's public face.
"""
from __future__ import annotations

from ..profiles.site import registered_domain
from .blocks import blocks_from_units
from .decode import MAX_BAD_SHARE, declared_charset, decode_html
from .evidence import EVIDENCE_LEVELS, add_evidence
from .extract import DATE_PARAMS, DEFAULT_TIME_LIMIT, extract
from .fallback import stream_text, visible_text
from .hints import HINT_WORDS, add_hints, collect_hints
from .metadata import page_language, page_metadata
from .page import clean_blocks, clean_html, html_blocks
from .parse import parse_html

__all__ = ["DATE_PARAMS", "DEFAULT_TIME_LIMIT", "EVIDENCE_LEVELS", "HINT_WORDS", "MAX_BAD_SHARE",
           "add_evidence", "add_hints", "blocks_from_units", "clean_blocks", "clean_html", "collect_hints",
           "declared_charset", "decode_html", "extract", "html_blocks", "page_language", "page_metadata",
           "parse_html", "registered_domain", "stream_text", "visible_text"]
