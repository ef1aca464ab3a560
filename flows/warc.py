"""WARC archives -> their HTML records, one at a time (FastWARC, from the resiliparse project).

Why FastWARC and not warcio (bench/RESULTS.md, "WARC"): on the same 5,000-page WARC it reads
2.1-2.2x as many records a second (the planner reads in the run's parent process, on the
cores the workers clean on), and a record cut short in its headers still comes out, with
them incomplete, so it is reported; warcio drops such a record without a word (at one cut
point tried it raised AttributeError instead).

A WARC (``.warc``, ``.warc.gz``) is never read whole: ``scan`` walks it record by record
(FastWARC's ``ArchiveIterator``), reading the payload only of records that can be
documents, and ``read_at`` reads one record again at its offset (what a worker does, so a
batch carries offsets, not pages). Which records are documents (``_classify``):

- ``response`` records with an HTTP status 2xx whose payload is HTML by its HTTP
  ``Content-Type`` (``text/html``, ``application/xhtml+xml``), or sniffed like any input
  when the header is absent;
- ``resource`` records whose WARC ``Content-Type`` is HTML (or absent and sniffed HTML);
- everything else is skipped and counted under a key: its type (``request``,
  ``warcinfo``, ``metadata``, ``revisit``...), ``response:not-html``,
  ``response:status-3xx`` and so on.

HTTP ``Content-Encoding``/chunked transfer are undone by FastWARC (``auto_decode="all"``);
the ``Content-Type`` header travels with the record so its charset reaches
``cleaners.clean_html``.

Damage is per record: a record whose headers or payload are cut short (a truncated
download) or whose bytes are corrupt (a gzip member that does not inflate) is reported as a
``WarcError`` with its offset, and reading resumes at the next record start found after it
(the next gzip member, or the next ``WARC/1.`` line of an uncompressed file).

Offsets are those of the record in the file: for a ``.warc.gz`` the start of its gzip member
(the WARC standard compresses each record as its own member). A record that cannot be
reached by seeking (a WARC gzipped as one stream) is ``seekable=False`` and is carried
with its payload instead.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import regex
from fastwarc import ArchiveIterator, WarcRecordType

from . import records

WARC_EXT = ".warc"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 20
# the record types whose payload may be a document
_DOC_TYPES = WarcRecordType.response | WarcRecordType.resource
_ENCODED = ("content-encoding", "transfer-encoding")


def is_warc_name(name: str) -> bool:
    """'crawl.warc', 'crawl.warc.gz' (any case)."""
    _, ext = records.base_name(name)
    return ext == WARC_EXT


@dataclass(frozen=True, slots=True)
class WarcDoc:
    """A record that is a document: where it is, what it says about itself, its payload."""

    offset: int
    type: str  # 'response' or 'resource'
    record_id: str | None
    uri: str | None
    date: str | None  # WARC-Date as written (ISO 8601)
    content_type: str | None  # the payload's: HTTP Content-Type of a response, WARC Content-Type of a resource
    payload: bytes
    seekable: bool = True

    @property
    def sha256(self) -> str:
        """Of everything the document is made from: an edited header re-cleans the record too."""
        h = hashlib.sha256()
        for part in (self.record_id, self.uri, self.date, self.content_type):
            h.update((part or "").encode("utf-8", "surrogateescape") + b"\0")
        h.update(self.payload)
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class WarcSkip:
    """A record that is not a document, counted under ``key``."""

    offset: int
    key: str


@dataclass(frozen=True, slots=True)
class WarcError:
    """A damaged (or too large) record: reported, and the reading goes on after it."""

    offset: int
    reason: str
    record_id: str | None = None
    kind: str = "InputError"


@dataclass(frozen=True, slots=True)
class WarcRef:
    """What an Item of a WARC record carries besides its URL: where to read it again and what
    its headers said. ``offset`` None: not reachable by seeking, its payload travels inline."""

    offset: int | None
    record_id: str | None
    date: str | None
    content_type: str | None


def ref(doc: WarcDoc) -> WarcRef:
    return WarcRef(doc.offset if doc.seekable else None, doc.record_id, doc.date, doc.content_type)


_UUID_ID = regex.compile(r"<urn:uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})>")


def record_key(record_id: str | None) -> str | None:
    """The id that names a record's output: the UUID of the usual ``<urn:uuid:...>`` form as
    it is (a safe file name), any other id as written (``output.record_name`` sanitises it)."""
    if record_id is None:
        return None
    m = _UUID_ID.fullmatch(record_id.strip())
    return m.group(1).lower() if m else record_id


def record_source(rel: str, record_id: str | None, offset: int) -> str:
    """CleanDocument.source of a record: 'crawl.warc.gz#<urn:uuid:...>', or '#offset=1234' without an id."""
    return f"{rel}#{record_id}" if record_id else f"{rel}#offset={offset}"


def payload_of(path: str, r: WarcRef, inline: bytes | None, planned_sha: str) -> tuple[bytes, str]:
    """A record's payload and the sha256 of what was read, as a worker gets them: read again at
    its offset (a record that changed since planning shows in its sha256), or carried inline."""
    if r.offset is None:
        if inline is None:
            raise records.InputError("a WARC record without an offset must carry its payload")
        return inline, planned_sha
    doc = read_at(path, r.offset, record_id=r.record_id)
    return doc.payload, doc.sha256


def _type_name(rtype) -> str:
    return (str(rtype) or "unknown").lower()


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _classify(rec) -> tuple[str | None, str | None]:
    """(skip key or None when the record may be a document, the payload's content type)."""
    rtype = rec.record_type
    if not rtype & _DOC_TYPES:
        return _type_name(rtype), None
    if rtype == WarcRecordType.response:
        if not rec.is_http or rec.http_headers is None:
            return "response:not-http", None
        status = rec.http_headers.status_code
        if status is None or not 200 <= status < 300:
            return f"response:status-{status // 100 if status else 0}xx", None
        ctype = rec.http_headers.get("Content-Type")
    else:
        ctype = rec.headers.get("Content-Type")
    media = _media_type(ctype)
    if media and media not in HTML_TYPES:
        return f"{_type_name(rtype)}:not-html", ctype
    return None, ctype


def _read_payload(rec, max_bytes: int | None, head: bytes = b"") -> bytes | WarcError:
    """The record's payload (``head``: its first bytes, already read), checked for truncation;
    too large or cut short -> WarcError."""
    offset = rec.stream_pos
    declared = rec.content_length
    mib = 1024 * 1024
    if max_bytes is not None and declared > max_bytes:
        return WarcError(offset, f"too large: record payload of {declared / mib:.1f} MiB, the limit is "
                         f"{max_bytes / mib:g} MiB (raise --max-size to clean it anyway)", rec.record_id, "TooLarge")
    data = head + rec.reader.read(-1 if max_bytes is None else max_bytes + 1 - len(head))
    if max_bytes is not None and len(data) > max_bytes:  # decoded (a gzip body) beyond the limit
        return WarcError(offset, f"too large: record payload expands beyond {max_bytes / mib:g} MiB",
                         rec.record_id, "TooLarge")
    encoded = rec.is_http and rec.http_headers is not None and any(rec.http_headers.get(h) for h in _ENCODED)
    if not encoded and len(data) < declared:
        return WarcError(offset, f"truncated record: {len(data)} of {declared} payload bytes", rec.record_id)
    return data


def _entry(rec, max_bytes: int | None, seekable: bool) -> WarcDoc | WarcSkip | WarcError:
    offset = rec.stream_pos
    if rec.headers.get("Content-Length") is None or rec.headers.get("WARC-Type") is None:
        return WarcError(offset, "truncated or corrupt record: its WARC headers are incomplete", rec.record_id)
    skip, ctype = _classify(rec)
    if skip is not None:
        return WarcSkip(offset, skip)
    head = b""
    if not ctype:  # no Content-Type: is the payload HTML?
        head = rec.reader.read(4096)
        if records.sniff("", head) != "html":
            return WarcSkip(offset, f"{_type_name(rec.record_type)}:not-html")
    data = _read_payload(rec, max_bytes, head)
    if isinstance(data, WarcError):
        return data
    return WarcDoc(offset=offset, type=_type_name(rec.record_type), record_id=rec.record_id,
                   uri=_uri(rec.headers.get("WARC-Target-URI")), date=rec.headers.get("WARC-Date"),
                   content_type=ctype, payload=data, seekable=seekable)


def _uri(value: str | None) -> str | None:
    """WARC-Target-URI; WARC 1.0 writers following the standard's own examples put it in <...>."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value or None


def _iterator(f):
    return iter(ArchiveIterator(f, parse_http=True, auto_decode="all"))


def scan(path: str, *, max_bytes: int | None = None) -> Iterator[WarcDoc | WarcSkip | WarcError]:
    """Every record of the WARC at ``path``, in order, lazily (one record's payload in memory).

    A payload over ``max_bytes`` is a ``WarcError`` (kind TooLarge) and is not read. A record
    FastWARC cannot parse or inflate is a ``WarcError``; reading resumes at the next record
    start after it. ``OSError`` opening the file propagates."""
    with open(path, "rb") as f, open(path, "rb") as probe:
        gz = f.read(2) == _GZIP_MAGIC[:2]
        magic = _GZIP_MAGIC if gz else _WARC_MAGIC
        start: int | None = 0
        while start is not None:
            start = yield from _scan_from(f, probe, start, magic, gz, max_bytes)


def _scan_from(f, probe, start: int, magic: bytes, gz: bool, max_bytes: int | None):
    """Read records from ``start`` until the end (returns None) or damage (returns where to go on).

    A record is yielded once the next one has been parsed (or the file ends): when the
    parse after it fails and the next record start reads fine, the fault was this record's
    (its length does not match its bytes), and it becomes the error instead."""
    f.seek(start)
    it = _iterator(f)
    last = start - 1  # offset of the last record read
    held = None  # that record's entry, not yet yielded
    while True:
        try:
            rec = next(it)
        except StopIteration:
            if held is not None:
                yield held
            return None
        except Exception as exc:  # noqa: BLE001 - FastWARC: "Gzip decompression error", "Invalid WARC header"
            why = str(exc) or type(exc).__name__
            bad = _next_start(probe, last + 1, magic)  # where the record that failed begins
            nxt = None if bad is None else _resync(probe, bad, magic)
            if nxt is not None and nxt == start and last < start:  # never loop on one offset
                nxt = _resync(probe, bad + 1, magic)
            if nxt is not None and nxt == bad:
                # the next record reads fine from its start: the damage was in the one before
                if held is not None and not isinstance(held, WarcError):
                    held = WarcError(held.offset, f"corrupt record: its length does not match its bytes ({why})",
                                     getattr(held, "record_id", None))
                yield held if held is not None else WarcError(start, f"corrupt data: {why}")
                return nxt
            if held is not None:
                yield held
            where = bad if bad is not None else max(last, 0)
            yield WarcError(where, f"corrupt record: {why}" + ("" if nxt is not None else
                                                                 " (nothing readable after it)"))
            return nxt
        if held is not None:
            yield held
            held = None
        offset = rec.stream_pos
        seekable = offset > last and (not gz or _at(probe, offset, magic))
        try:
            entry = _entry(rec, max_bytes, seekable)
        except Exception as exc:  # noqa: BLE001 - the payload did not inflate (OSError), or worse
            yield WarcError(offset, f"corrupt record: {str(exc) or type(exc).__name__}", rec.record_id)
            return _resync(probe, offset + 1, magic)
        last, held = offset, entry


def _at(f, offset: int, magic: bytes) -> bool:
    """Does a record start (``magic``) at this offset of the file?"""
    pos = f.tell()
    try:
        f.seek(offset)
        return f.read(len(magic)) == magic
    finally:
        f.seek(pos)


def _next_start(f, pos: int, magic: bytes) -> int | None:
    """The first offset >= pos where ``magic`` occurs (a candidate record start), else None."""
    f.seek(pos)
    keep = b""
    base = pos
    while True:
        chunk = f.read(_SCAN_CHUNK)
        if not chunk:
            return None
        buf = keep + chunk
        i = buf.find(magic)
        if i >= 0:
            return base + i
        keep = buf[-(len(magic) - 1):]
        base += len(buf) - len(keep)


def _resync(f, pos: int, magic: bytes) -> int | None:
    """The first candidate start >= pos from which FastWARC reads a whole record."""
    while True:
        cand = _next_start(f, pos, magic)
        if cand is None:
            return None
        f.seek(cand)
        try:
            rec = next(_iterator(f))
            if rec.stream_pos == cand and rec.headers.get("WARC-Type") is not None:
                rec.reader.read()
                return cand
        except Exception:  # noqa: BLE001 - not a record start after all
            pass
        pos = cand + 1


def read_at(path: str, offset: int, *, record_id: str | None = None,
            max_bytes: int | None = None) -> WarcDoc:
    """The document record at ``offset`` (a worker's read). Raises ``records.InputError`` when
    no such record is there any more (the WARC changed since it was planned) or it is damaged."""
    with open(path, "rb") as f:
        f.seek(offset)
        try:
            rec = next(_iterator(f))
            entry = _entry(rec, max_bytes, True)
        except StopIteration:
            raise records.InputError(f"no WARC record at offset {offset}") from None
        except Exception as exc:  # noqa: BLE001
            raise records.InputError(f"corrupt record at offset {offset}: {exc}") from None
    if isinstance(entry, WarcError):
        raise records.InputError(entry.reason)
    if isinstance(entry, WarcSkip) or entry.offset != offset or entry.record_id != record_id:
        raise records.InputError(f"the record at offset {offset} is not the one planned (the WARC changed?)")
    return entry
