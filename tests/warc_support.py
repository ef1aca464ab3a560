"""A small WARC made for this project from its own fixture pages (fixtures/html-*/input.html).

``write_fixture_warc(path)`` writes, with FastWARC's writer, one gzip member per record:

- a ``warcinfo`` record;
- for each page of ``PAGES``: a ``request`` and its ``response`` (HTTP 200, the page as
  payload, ``Content-Type`` with the page's charset: the Latin-1 page is declared Latin-1
  only in the HTTP header, its ``<meta>`` left out, so only the header can decode it);
- a ``response`` with an HTML page and no Content-Type (sniffed as HTML);
- a ``response`` that is an image (skipped: not HTML), a ``301`` redirect (skipped), a
  ``metadata`` record (skipped);
- a ``resource`` record of HTML (accepted, WARC Content-Type text/html);
- a record whose gzip member is corrupt (an error; the records after it are read);
- last, a ``response`` cut short (a truncated download: an error).

Record ids and dates are fixed, so the same bytes come out every time. ``EXPECTED_SKIPS``
is what the run summary counts, ``DOC_RECORDS`` the records that become documents.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from fastwarc import GzipWriter, WarcRecord, WarcRecordType

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
DATE = "2024-05-01T10:00:00Z"

# fixture page -> (URL it is served from, HTTP charset; None: no Content-Type at all)
PAGES = {
    "html-extraction-drops-newsletter-share": ("https://www.example-news.com/2024/05/harbour-plan", "utf-8"),
    "html-extraction-drops-wire-figcaptions": ("https://wire.example.org/story/flood-defences", "utf-8"),
    "html-fr-latin1-meta": ("https://journal.example.fr/article/quai", "iso-8859-1"),
    "html-extraction-drops-related-box": ("https://www.example-news.com/2024/05/council-vote", None),
}
RESOURCE_PAGE = ("html-extraction-drops-cookie-banner", "https://blog.example.net/post/cookies")
EXPECTED_SKIPS = {"metadata": 1, "request": 4, "response:not-html": 1, "response:status-3xx": 1,
                  "warcinfo": 1}


def uuid_for(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def record_id(n: int) -> str:
    return f"<urn:uuid:{uuid_for(n)}>"


@dataclass(frozen=True)
class Rec:
    n: int  # names the record id
    type: WarcRecordType
    uri: str | None
    block: bytes
    content_type: str | None  # the WARC Content-Type


def page_bytes(case: str) -> bytes:
    data = (FIXTURES / case / "input.html").read_bytes()
    if case == "html-fr-latin1-meta":  # only the HTTP header says Latin-1
        data = re.sub(rb"<meta[^>]*charset[^>]*>", b"", data, flags=re.I)
    return data


def http_response(body: bytes, content_type: str | None, status: str = "200 OK", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + (f"Content-Type: {content_type}\r\n" if content_type else "") + extra
    return head.encode("latin-1") + f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body


def fixture_records() -> list[Rec]:
    recs = [Rec(1, WarcRecordType.warcinfo, None, b"software: declutter tests\r\nformat: WARC File Format 1.1\r\n",
                "application/warc-fields")]
    n = 10
    for case, (url, charset) in PAGES.items():
        path = url.split("/", 3)[3]
        recs.append(Rec(n, WarcRecordType.request, url,
                        f"GET /{path} HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n".encode("ascii"),
                        "application/http; msgtype=request"))
        ctype = None if charset is None else f"text/html; charset={charset}"
        recs.append(Rec(n + 1, WarcRecordType.response, url, http_response(page_bytes(case), ctype),
                        "application/http; msgtype=response"))
        n += 10
    recs.append(Rec(60, WarcRecordType.response, "https://www.example-news.com/logo.png",
                    http_response(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"), "application/http; msgtype=response"))
    recs.append(Rec(61, WarcRecordType.response, "https://www.example-news.com/old",
                    http_response(b"<html><body>Moved</body></html>", "text/html", "301 Moved Permanently",
                                  "Location: https://www.example-news.com/new\r\n"),
                    "application/http; msgtype=response"))
    recs.append(Rec(62, WarcRecordType.metadata, "https://www.example-news.com/2024/05/harbour-plan",
                    b"outlinks: https://www.example-news.com/\r\n", "application/warc-fields"))
    case, url = RESOURCE_PAGE
    recs.append(Rec(70, WarcRecordType.resource, url, page_bytes(case), "text/html"))
    return recs


# records written after the corrupt one, and the truncated last one
CORRUPT_N, AFTER_CORRUPT_N, TRUNCATED_N = 80, 81, 90


def _member(rec: Rec) -> bytes:
    r = WarcRecord()
    r.init_headers(rec.type, f"uuid:{uuid_for(rec.n)}".encode("ascii"))
    r.headers.set("WARC-Date", DATE)
    if rec.uri:
        r.headers.append("WARC-Target-URI", rec.uri)
    if rec.content_type:
        r.headers.append("Content-Type", rec.content_type)
    r.set_bytes_content(rec.block)
    buf = io.BytesIO()
    w = GzipWriter(buf)
    r.write(w)
    w.finish()
    return buf.getvalue()


def _corrupt(member: bytes) -> bytes:
    """The same gzip member with bytes in its middle overwritten: it no longer inflates."""
    mid = len(member) // 2
    return member[:mid] + b"\xff" * 24 + member[mid + 24:]


def write_fixture_warc(path: Path) -> dict[int, int]:
    """Write the fixture WARC (gzip, one member per record); returns record number -> offset."""
    offsets: dict[int, int] = {}
    out = bytearray()
    for rec in fixture_records():
        offsets[rec.n] = len(out)
        out += _member(rec)
    # a record whose member is damaged, then a good one (it must still be read)
    url, _ = PAGES["html-extraction-drops-wire-figcaptions"]
    damaged = Rec(CORRUPT_N, WarcRecordType.response, url + "?copy=2",
                  http_response(page_bytes("html-extraction-drops-wire-figcaptions"), "text/html; charset=utf-8"),
                  "application/http; msgtype=response")
    offsets[CORRUPT_N] = len(out)
    out += _corrupt(_member(damaged))
    good = Rec(AFTER_CORRUPT_N, WarcRecordType.response, "https://www.example-news.com/after-damage",
               http_response(page_bytes("html-extraction-drops-newsletter-share"), "text/html; charset=utf-8"),
               "application/http; msgtype=response")
    offsets[AFTER_CORRUPT_N] = len(out)
    out += _member(good)
    # last, a download cut short: the member ends halfway through its payload
    cut = Rec(TRUNCATED_N, WarcRecordType.response, "https://www.example-news.com/cut-short",
              http_response(page_bytes("html-extraction-drops-newsletter-share"), "text/html; charset=utf-8"),
              "application/http; msgtype=response")
    offsets[TRUNCATED_N] = len(out)
    member = _member(cut)
    out += member[: len(member) * 2 // 3]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return offsets


def doc_records() -> dict[str, tuple[str, str | None]]:
    """uuid -> (fixture page, HTTP Content-Type) of every record that becomes a document."""
    docs = {}
    n = 11
    for case, (_, charset) in PAGES.items():
        docs[uuid_for(n)] = (case, None if charset is None else f"text/html; charset={charset}")
        n += 10
    docs[uuid_for(70)] = (RESOURCE_PAGE[0], "text/html")
    docs[uuid_for(AFTER_CORRUPT_N)] = ("html-extraction-drops-newsletter-share", "text/html; charset=utf-8")
    return docs


def doc_urls() -> dict[str, str]:
    urls = {uuid_for(n): url for n, (url, _) in zip(range(11, 60, 10), PAGES.values())}
    urls[uuid_for(70)] = RESOURCE_PAGE[1]
    urls[uuid_for(AFTER_CORRUPT_N)] = "https://www.example-news.com/after-damage"
    return urls
