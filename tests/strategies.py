"""Hypothesis strategies for scraped-article-like input (shared by the property
tests and ``bench/fuzz.py``).

Random unicode alone rarely reaches the cleaners' interesting paths, so
``articles()`` builds text the way scrapers emit it: prose paragraphs (some
hard-wrapped) with boilerplate lines mixed in — datelines, bylines, captions,
credits, promos, ALL-CAPS headlines, share and newsletter prompts, comment
sections — joined by every kind of line ending, with unicode noise sprinkled in.
All text here is invented for the project.
"""
from __future__ import annotations

import textwrap

from hypothesis import strategies as st

WORDS = (
    "the council voted on tuesday to extend the harbour budget after residents complained about "
    "flooding near old mill road while engineers warned that repairs would take years and cost more "
    "than anyone had planned she said we are not going to abandon this neighbourhood a spokesman "
    "for the port declined to comment but officials expect a decision next month über café naïve "
    "Straße año économie città"
).split()

BOILERPLATE = (
    "Leave a Reply", "Leave a Reply Cancel reply", "3 Comments", "Your email address will not be published",
    "Name *", "Email *", "Post Comment", "Reply",
    "CLICK HERE FOR MORE FROM THE HARBOUR GAZETTE", "READ MORE: Council weighs flood plan",
    "RELATED: Mill Road residents meet", "Download our app", "Sign up for our newsletter",
    "Subscribe to our daily briefing", "Share this:", "Share on Facebook", "Tweet", "Follow us on Twitter",
    "ADVERTISEMENT", "Story continues below advertisement", "We use cookies to improve your experience.",
    "© 2024 Harbour Gazette. All rights reserved.", "Tags: flooding, council, budget", "Filed under: Local",
    "Most Read", "HARBOUR BUDGET SOARS AS REPAIRS STALL", "Photo: Jane Doe/AP", "Yuri Kadobnov/AP",
    "(AP Photo/Mark Lenn)", "Getty Images", "Credit: Harbour Gazette", "Image source, Reuters",
    "In this Thursday, April 25, 2019, photo, workers inspect the sea wall.",
    "FILE - The harbour at dusk, March 2, 2020.", "Pictured: the flooded road",
    "December 28, 2024", "Published 3:45 PM EST, Tue March 5, 2024", "05.03.2024",
    "Updated: Jan. 7, 2025 at 6:02 a.m.", "By Jane Doe and John Roe, Reuters", "By Ana Lima",
    "Skip to content", "Home", "News", "Sport", "Contact us", "Privacy Policy",
    "Kommentar schreiben", "Laisser un commentaire", "Deja un comentario", "LEIA MAIS", "Lees ook", "Foto: dpa",
    "This article originally appeared on Harbour Gazette.", "Backsliding Democracy",
    "Jane Doe is a reporter covering local government.", "Cancel reply", "Home | News | Sport",
)

NOISE = ("\u00a0", "\u200b", "\t", "  ", "\ufeff", "\u2028", "\u2029", "\x85", "\x00", "\x0c", "\u00ad",
         "â€™", "Ã©", "“", "”", "\U0001f600", "\u0301", "e\u0301", "ﬁ", "\r", "\v", "—")

SEPARATORS = ("\n", "\n\n", "\r\n", "\r\n\r\n", "\r", "\n\n\n", "\n \n", "\u2029")


@st.composite
def sentences(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=18))
    s = " ".join(words)
    s = s[:1].upper() + s[1:]
    return s + draw(st.sampled_from((".", ".", "!", "?", "", ",", "…", ":")))


@st.composite
def paragraphs(draw) -> str:
    para = " ".join(draw(st.lists(sentences(), min_size=1, max_size=6)))
    if draw(st.integers(0, 4)) == 0:  # hard-wrapped at a column, as some scrapers emit
        para = "\n".join(textwrap.wrap(para, draw(st.integers(50, 90))))
    return para


def lines() -> st.SearchStrategy[str]:
    return st.one_of(
        paragraphs(), paragraphs(), paragraphs(),
        st.sampled_from(BOILERPLATE),
        st.sampled_from(BOILERPLATE).map(str.upper),
        st.sampled_from(BOILERPLATE).map(lambda s: "• " + s),
        st.text(max_size=40),
        st.sampled_from(WORDS).map(str.upper),
    )


@st.composite
def articles(draw) -> str:
    """Article-like text: prose, boilerplate, repeats, noise and mixed line endings."""
    parts = draw(st.lists(lines(), min_size=0, max_size=25))
    if parts and draw(st.booleans()):  # the lede printed twice, or another paragraph repeated
        i = draw(st.integers(0, len(parts) - 1))
        parts.insert(draw(st.integers(0, len(parts))), parts[i])
    out = []
    for p in parts:
        if draw(st.integers(0, 6)) == 0:
            cut = draw(st.integers(0, len(p)))
            p = p[:cut] + draw(st.sampled_from(NOISE)) + p[cut:]
        out.append(p)
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


def any_text() -> st.SearchStrategy[str]:
    """Articles, plus arbitrary unicode (surrogates excluded: not valid text)."""
    return st.one_of(articles(), articles(), st.text(), st.text(st.characters(codec="utf-8"), max_size=400))


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "gbk",
             "shift_jis", "koi8-r", "utf-32")


@st.composite
def encoded_articles(draw) -> bytes:
    text = draw(articles())
    enc = draw(st.sampled_from(ENCODINGS))
    return text.encode(enc, errors="replace")


def any_bytes() -> st.SearchStrategy[bytes]:
    """Encoded articles, random bytes, and text with binary headers or NULs spliced in."""
    magic = st.sampled_from((b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\xff\xd8\xff", b"%PDF-1.4", b"\x1f\x8b",
                             b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b""))
    return st.one_of(
        encoded_articles(), encoded_articles(),
        st.binary(max_size=2000),
        st.tuples(magic, encoded_articles()).map(lambda t: t[0] + t[1]),
        st.tuples(encoded_articles(), st.binary(max_size=50)).map(lambda t: t[0] + t[1]),
    )


_TAGS = ("p", "div", "span", "h1", "h2", "figcaption", "li", "blockquote", "aside", "nav", "footer", "section",
         "article", "em", "b", "a", "table", "td", "script", "style", "noscript", "pre")
_ATTRS = ('', ' class="caption"', ' class="related-links"', ' id="comments"', ' class="share"',
          ' href="https://example.com/x"', ' lang="de"', ' style="display:none"', ' class="newsletter"',
          ' data-x="&amp;&lt;&#0;&#xD800;"')


@st.composite
def html_nodes(draw, depth: int = 0) -> str:
    if depth > 4 or draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(paragraphs(), st.sampled_from(BOILERPLATE), st.text(max_size=30)))
    tag = draw(st.sampled_from(_TAGS))
    kids = draw(st.lists(html_nodes(depth + 1), min_size=0, max_size=4))
    close = "" if draw(st.integers(0, 8)) == 0 else f"</{tag}>"  # unclosed tags, as scraped pages have
    return f"<{tag}{draw(st.sampled_from(_ATTRS))}>" + "".join(kids) + close


@st.composite
def html_pages(draw) -> str:
    """Article-like HTML pages, well-formed or not, plus tag soup."""
    body = "".join(draw(st.lists(html_nodes(), min_size=0, max_size=8)))
    head = draw(st.sampled_from(("", "<title>Harbour budget</title>", '<meta charset="utf-8">',
                                 '<meta charset="gbk">', '<meta charset="no-such-charset">',
                                 '<meta property="article:published_time" content="2024-12-28">')))
    page = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    return draw(st.one_of(st.just(page), st.just(body), st.text(alphabet="<>/=\"' abp&;#\n", max_size=200)))
