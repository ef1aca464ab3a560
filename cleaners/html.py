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
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Iterable, Iterator

import regex
from lxml import etree, html as lxml_html

from .charsets import codec_for_label
from .config import load_config
from .deadline import DeadlineExceeded, time_limit
from .document import Block, CleanDocument
from .pipeline import clean_blocks
from .profiles.site import registered_domain
from .segment import UndecodableInput, decode_bytes, normalise, split_blocks

DEFAULT_TIME_LIMIT = 20.0  # seconds per document for trafilatura; a normal page takes 0.01-0.5 s

# -- 1. decoding ----------------------------------------------------------------

MAX_BAD_SHARE = 0.005  # replacement characters tolerated when decoding with a declared charset
from .segment import BOMS as _BOMS  # noqa: E402
_CHARSET_PARAM = regex.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", regex.I)
_META_CHARSET = regex.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", regex.I)


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset an HTTP Content-Type header or the page's <meta> declares (known to Python), else None."""
    candidates = []
    if content_type:
        m = _CHARSET_PARAM.search(content_type.encode("latin-1", "replace"))
        if m:
            candidates.append(m.group(1))
    m = _META_CHARSET.search(data[:8192])
    if m:
        candidates.append(m.group(1))
    for raw in candidates:
        name = codec_for_label(raw.decode("ascii", "replace"))  # WHATWG supersets: latin-1 -> cp1252 ...
        if name is None:
            continue
        if name.startswith(("utf-16", "utf-32")):
            continue  # a page that reached us as ASCII-compatible bytes cannot be UTF-16 (WHATWG)
        return name
    return None


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes | str, content_type: str | None = None) -> tuple[str, str | None]:
    """(text, encoding): BOM, then HTTP/meta charset, then ``segment.decode_bytes``'s detection."""
    if isinstance(data, str):
        return data, None
    data = bytes(data)
    if not data.startswith(_BOMS):
        enc = declared_charset(data, content_type)
        if enc and enc != "utf-8" and not data.isascii() and _valid_utf8(data):
            # bytes with multi-byte sequences that are valid UTF-8 are UTF-8 whatever a
            # template's stale <meta charset=gb2312> says: legacy text is never valid UTF-8 by chance
            return data.decode("utf-8"), "utf-8"
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
            # a few stray bytes (pages pasted together from two encodings) do not void the
            # declaration; many mean it lies (a UTF-8 page labelled latin-1): detect instead
            text = data.decode(enc, errors="replace")
            if text.count("\ufffd") <= MAX_BAD_SHARE * len(text):
                return text, enc
            try:
                return decode_bytes(data)
            except UndecodableInput:
                return text, enc
    return decode_bytes(data)


# -- 2. parsing -------------------------------------------------------------------

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


# -- 3. structure -> blocks ---------------------------------------------------------

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
            elif tag in ("p", "head", "cell"):
                out.append(" ")
            out.append(fold(node.text))
        else:
            if skip:
                skip -= 1
                if skip == 0:
                    out.append(fold(node.tail))
                continue
            if tag in ("p", "head", "cell"):
                out.append(" ")
            out.append(fold(node.tail))
    return "".join(out)


def _units(body) -> Iterator[tuple[str, frozenset[str]]]:
    """(text, structural hints) for each block-level unit of trafilatura's XML, in order.

    Iterative (an explicit stack), so nesting depth never meets Python's recursion limit."""
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
        if tag == "row":
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


# -- 4. hints from the page's own markup -----------------------------------------

# class/id words that say what an element is; matched as whole tokens of the
# attribute ("wp-caption-text" -> caption, "social-share" -> share).
HINT_WORDS = {
    "caption": "caption", "captions": "caption", "figcaption": "caption", "wp-caption-text": "caption",
    "credit": "credit", "credits": "credit", "byline-credit": "credit",
    "related": "related", "relatedposts": "related", "related-posts": "related", "more-stories": "related",
    "newsletter": "newsletter", "subscribe": "newsletter",
    "share": "share", "sharing": "share", "sharedaddy": "share", "addtoany": "share",
    "comment": "comment", "comments": "comment", "respond": "comment", "disqus": "comment",
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
    for tok in _TOKEN.findall(attrs):
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


# -- evidence: the source element of each block, for the feature pass ---------------

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
    from .document import Evidence

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


# -- visible text, for the fallback ------------------------------------------------

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


# -- metadata ------------------------------------------------------------------------

_LANG = regex.compile(r"^([a-z]{2})(?:[-_][a-z0-9]+)*$", regex.I)


def page_language(tree) -> str | None:
    """ISO 639-1 code declared by <html lang>, content-language or og:locale."""
    candidates = [tree.get("lang"), tree.get("xml:lang")]
    for meta in tree.iterfind(".//meta"):
        name = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if name in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for c in candidates:
        m = _LANG.match((c or "").strip())
        if m:
            return m.group(1).lower()
    return None


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


# -- 3'. extraction ---------------------------------------------------------------------

def extract(tree, url: str | None):
    """trafilatura's document (body tree + metadata), or None when it finds no article."""
    import trafilatura

    return trafilatura.bare_extraction(
        tree, url=url, include_comments=False, deduplicate=False, with_metadata=True,
        include_tables=True, include_images=False, include_formatting=False, include_links=False,
        output_format="python", date_extraction_params=DATE_PARAMS)


# htmldate reads dates from the page's markup (meta tags, <time>, JSON-LD, URL). Its
# "extensive" search through free text runs dateparser over every locale (seconds per
# process to load them all) and may take a date from prose; the dateline cleaner already
# reads printed datelines, so that search stays off.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-01-01"}


# -- entry point ----------------------------------------------------------------------------

def clean_html(html: bytes | str, *, url: str | None = None, source: str | None = None, config=None,
               content_type: str | None = None, time_limit_s: float | None = DEFAULT_TIME_LIMIT,
               profile=None, model=None, **kw) -> CleanDocument:
    """Clean one HTML page into a CleanDocument (see the module docstring for the steps).

    ``content_type`` is the HTTP header, if the caller kept it (its charset wins
    over the page's <meta>); ``time_limit_s`` bounds trafilatura (None: no limit);
    ``model`` overrides the shipped block model (``pipeline.clean_blocks``).
    Raises ``segment.UndecodableInput`` for binary input."""
    if kw:
        raise TypeError(f"clean_html() got unexpected keyword argument(s): {', '.join(sorted(kw))}")
    # the page markup's evidence per block feeds only the block model's features: read it only
    # when the model is on (measured: ~25% of clean_html's own time otherwise spent for nothing)
    cfg = load_config(config)  # once: clean_blocks takes the Config as it is
    evidence = model is not None or cfg.learned.enabled
    blocks, meta, stats = html_blocks(html, url=url, content_type=content_type, time_limit_s=time_limit_s,
                                      evidence=evidence)
    return clean_blocks(blocks, source=source, config=cfg, profile=profile, model=model, stats=stats,
                        **meta)


def html_blocks(html: bytes | str, *, url: str | None = None, content_type: str | None = None,
                time_limit_s: float | None = DEFAULT_TIME_LIMIT, evidence: bool = True
                ) -> tuple[list[Block], dict, dict]:
    """(blocks, page metadata, stats): exactly what ``clean_html`` hands the chain
    (also read by the model's training script, train/, and the profiling stage's peers);
    ``evidence``: give each block its page markup's ``Block.evidence`` (the model's features)."""
    text, encoding = decode_html(html, content_type)
    tree = parse_html(text)
    stats: dict = {"encoding": encoding}
    if tree is None:
        return [], {"url": url}, {**stats, "extraction": "empty"}
    doc = None
    how = "trafilatura"
    try:
        with time_limit(time_limit_s):
            doc = extract(tree, url)
    except DeadlineExceeded:
        how = "fallback-text-timeout"
    except RecursionError:
        how = "fallback-text-error"
    meta = _metadata(tree, doc, url)
    blocks: list[Block] = []
    if doc is not None and doc.body is not None:
        blocks = blocks_from_units(_units(doc.body))
    if blocks:
        blocks = add_hints(blocks, collect_hints(tree, sum(len(b.text) for b in blocks)))
        if evidence:
            blocks = add_evidence(blocks, tree)
    else:
        blocks = split_blocks(normalise(visible_text(tree)))
        if not blocks:
            blocks = split_blocks(normalise(stream_text(text)))
        if how == "trafilatura":
            how = "fallback-text" if blocks else "empty"
    stats["extraction"] = how
    return blocks, meta, stats


def _metadata(tree, doc, url: str | None) -> dict:
    title = published = sitename = canonical = None
    authors: tuple[str, ...] = ()
    if doc is not None:
        title = (doc.title or "").strip() or None
        published = _iso_date(doc.date)
        authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
        sitename = (doc.sitename or "").strip() or None
        canonical = doc.url or None
    page_url = url or canonical
    return {"title": title, "published": published, "authors": authors, "language": page_language(tree),
            "url": page_url, "site": registered_domain(page_url) or sitename or None}
