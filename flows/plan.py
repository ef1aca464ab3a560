"""Discovered files -> the documents to clean (or skip): ``Item``s (``flows.batches`` cuts them).

Planning reads each input once to hash it (sha256 of the file's bytes, or of
one feed record) and to sniff its format; a document whose manifest row
matches (same source, hash, pipeline version and config fingerprint) and
whose output exists is skipped, unless ``force``. Feeds are split into their
records here, so one changed record in a growing feed costs one document.
"""
from __future__ import annotations

import hashlib
import os
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from . import output, records, warc
from .discover import Source, printable
from .manifest import Entry


DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # one article is kilobytes; 16 MiB of text takes ~400 MB and a minute to clean


def too_large(size: int, limit: int, feed: bool = False) -> str:
    mib = 1024 * 1024
    what = "feed file" if feed else "document"
    hint = "split the feed" if feed else "raise --max-size to clean it anyway"
    return f"too large: {what} of {size / mib:.1f} MiB, the limit is {limit / mib:g} MiB ({hint})"


@dataclass(frozen=True, slots=True)
class Item:
    """One document to clean: a file to read, or a feed record carried inline."""

    source: str  # becomes CleanDocument.source: the relative path, 'feed.jsonl#<id>' / '#L<line>', 'a.warc.gz#<id>'
    out: str  # output path relative to OUT
    sha256: str
    kind: str  # 'text' or 'html'
    size: int
    path: str | None = None
    text: str | None = None
    html: str | bytes | None = None  # bytes: a WARC record's payload carried inline
    url: str | None = None
    title: str | None = None
    stat: tuple[int, int, int] | None = None  # a file's (size, mtime_ns, ctime_ns) at discovery
    warc: warc.WarcRef | None = None  # a WARC record (``path`` is the WARC): its offset and headers
    origin: str | None = None  # the file it came from (a feed record's feed), for the manifest


@dataclass
class Plan:
    todo: list[Item] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # output paths left as they are
    outputs: list[str] = field(default_factory=list)  # every planned output, in input order
    errors: list[dict] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return len(self.todo) + len(self.skipped) + len(self.errors)


def error(source: str, stage: str, reason: str, *, path: str | None = None, out: str | None = None,
          kind: str = "InputError") -> dict:
    """The one shape of a recorded failure (a line of OUT/_runs/<ts>.errors.jsonl)."""
    return {"source": source, "input": path, "output": out, "stage": stage, "error": kind, "reason": reason}


def _head(raw: bytes, n: int = 4096) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, n)
    except zlib.error:
        return b""


class Planner:
    """Sources -> the Items to clean, one at a time (``items``), with what is skipped or
    refused reported as it passes: memory does not grow with the number of documents.

    ``lookup``: output path -> its manifest Entry or None (``Manifest.get``, or a dict's
    ``get``). A file whose row records the same stat (size, mtime, ctime) is skipped without
    being read; one read and found unchanged under a new stat is skipped too, and its new
    stat given to ``refresh(out, stat)`` (``Manifest.refresh_stat``), so the next run need
    not read it. ``on_skip(out)``, ``on_error(error dict)`` and ``on_output(out)`` (every planned
    output, in input order) are called as documents pass; the counters say how many."""

    RECENT = 4096  # outputs whose source is remembered, to name it when a later input collides

    def __init__(self, lookup: Callable[[str], Entry | None], *, out_root: str, pipeline_version: str,
                 config_fp: str, force: bool = False, max_bytes: int | None = DEFAULT_MAX_BYTES,
                 on_skip: Callable[[str], None] | None = None, on_error: Callable[[dict], None] | None = None,
                 on_output: Callable[[str], None] | None = None,
                 refresh: Callable[[str, tuple[int, int, int]], None] | None = None):
        self.lookup, self.out_root, self.refresh = lookup, out_root, refresh
        self.pipeline_version, self.config_fp, self.force, self.max_bytes = (pipeline_version, config_fp,
                                                                            force, max_bytes)
        self.on_skip, self.on_error, self.on_output = on_skip, on_error, on_output
        self.files = self.todo = self.skipped = self.errors = 0
        self.warc_skipped: dict[str, int] = {}  # WARC records that are not documents, by type
        self.feeds_read: set[str] = set()  # feed files parsed to the end this run (flows.prune)
        # every output claimed so far, as a 16-byte digest (not its path: ~70 bytes a document),
        # and the last RECENT outputs' sources, to name the first owner in a collision's message
        # (colliding names, a.txt and a.html, sit next to each other in the sorted walk)
        self._claimed: set[bytes] = set()
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._last: tuple[str, Entry | None] | None = None  # the last lookup (see _entry)

    @property
    def documents(self) -> int:
        return self.todo + self.skipped + self.errors

    def _error(self, e: dict) -> None:
        self.errors += 1
        if self.on_error is not None:
            self.on_error(e)

    def claimed(self, out: str) -> bool:
        """This run's inputs produce ``out`` (cleaned, skipped or failed after planning)."""
        return hashlib.blake2b(out.encode("utf-8", "surrogateescape"), digest_size=16).digest() in self._claimed

    def _claim(self, out: str, source: str, path: str | None) -> bool:
        """Take an output path for this source; False (an error recorded) when an earlier one has it."""
        key = hashlib.blake2b(out.encode("utf-8", "surrogateescape"), digest_size=16).digest()
        if key in self._claimed:
            first = self._recent.get(out, "an earlier input")
            self._error(error(source, "plan", f"output {out} already comes from {first}; "
                              "rename one of them", path=path, out=out))
            return False
        self._claimed.add(key)
        self._recent[out] = source
        if len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)
        if self.on_output is not None:
            self.on_output(out)
        return True

    def _current(self, e: Entry | None, source: str) -> bool:
        """The row was written for this source by this pipeline and config, and its output exists."""
        return (e is not None and e.source == source and e.pipeline_version == self.pipeline_version
                and e.config == self.config_fp and os.path.isfile(os.path.join(self.out_root, *e.out.split("/"))))

    def _entry(self, out: str) -> Entry | None:
        """The manifest row of ``out``, looked up once per document: a file the fast path
        (``_unread``) did not skip is asked about again when its item is considered."""
        if self._last is None or self._last[0] != out:
            self._last = (out, self.lookup(out))
        return self._last[1]

    def _skip(self, out: str) -> None:
        self.skipped += 1
        if self.on_skip is not None:
            self.on_skip(out)

    def _unread(self, src: Source, rel: str) -> bool:
        """The fast path: a file whose manifest row records its current stat is unchanged, and
        is skipped (or refused, on an output collision) without being read. True when it was."""
        try:
            out = output.doc_path(rel)
        except output.OutputPathError:
            return False  # reported by the reading path
        e = self._entry(out)
        if e is None or e.stat != src.stat or not self._current(e, rel):
            return False
        if self._claim(out, rel, src.path):
            self._skip(out)
        return True

    def _consider(self, item: Item) -> bool:
        """True when the item is to be cleaned."""
        if not self._claim(item.out, item.source, item.path):
            return False
        e = None if self.force else self._entry(item.out)
        if e is not None and e.sha256 == item.sha256 and self._current(e, item.source):
            if item.stat is not None and e.stat != item.stat and self.refresh is not None:
                self.refresh(item.out, item.stat)  # touched or copied, not changed
            self._skip(item.out)
            return False
        self.todo += 1
        return True

    def items(self, sources: Iterable[Source]) -> Iterator[Item]:
        """Read each source once (to hash it and sniff its format) and yield what is to be
        cleaned; a feed yields its records."""
        max_bytes = self.max_bytes
        for src in sources:
            self.files += 1
            for item in self._source_items(src, max_bytes):
                if self._consider(item):
                    yield item

    def _source_items(self, src: Source, max_bytes: int | None) -> Iterator[Item]:
        rel = printable(src.rel)  # names that are not UTF-8 get \xNN escapes: source and output stay text
        if warc.is_warc_name(rel):
            yield from self._warc_items(src, rel, max_bytes)
            return
        _, ext = records.base_name(rel)
        feed = ext in records.JSON_EXT | records.JSONL_EXT
        if not feed and not self.force and self._unread(src, rel):
            return
        limit = records.MAX_DECOMPRESSED if feed else max_bytes
        if limit is not None and src.size > limit:
            self._error(error(rel, "read", too_large(src.size, limit, feed), path=src.path, kind="TooLarge"))
            return
        try:
            with open(src.path, "rb") as f:
                raw = f.read(limit + 1 if limit is not None else -1)
        except OSError as exc:
            self._error(error(rel, "read", f"cannot read: {exc.strerror}", path=src.path, kind="OSError"))
            return
        if limit is not None and len(raw) > limit:  # it grew since discovery
            self._error(error(rel, "read", too_large(len(raw), limit, feed), path=src.path, kind="TooLarge"))
            return
        digest = hashlib.sha256(raw).hexdigest()
        gz = records.is_gzip(raw)
        known = ext in records.TEXT_EXT | records.HTML_EXT | records.JSON_EXT | records.JSONL_EXT
        try:
            if gz and limit is not None and not feed:  # a document's expanded size is held to the limit too
                records.gunzip(raw, limit=limit)
            content = records.payload(raw) if (not gz or not known or ext in records.JSON_EXT
                                               or ext in records.JSONL_EXT) else _head(raw)
            kind = records.sniff(rel, content)
        except records.InputError as exc:
            self._error(error(rel, "read", str(exc), path=src.path))
            return
        size = len(raw)
        del raw  # a feed's records are parsed from ``content``; a document is read again by its worker
        if kind in ("text", "html"):
            try:
                out = output.doc_path(rel)
            except output.OutputPathError as exc:
                self._error(error(rel, "plan", str(exc), path=src.path))
                return
            yield Item(source=rel, out=out, sha256=digest, kind=kind, size=size, path=src.path, stat=src.stat)
            return
        try:
            for rec in records.parse_feed(content, kind):
                if isinstance(rec, records.InputError):
                    self._error(error(rel, "parse", str(rec), path=src.path))
                    continue
                source = f"{rel}#{rec.key}" if rec.key is not None else f"{rel}#L{rec.line}"
                try:
                    out = output.record_path(rel, rec.key, rec.line)
                except output.OutputPathError as exc:
                    self._error(error(source, "plan", str(exc), path=src.path))
                    continue
                body = rec.html if rec.html is not None else rec.text
                if max_bytes is not None and len(body) > max_bytes:
                    where = f"line {rec.line}" if kind == "jsonl" else f"record {rec.line}"
                    self._error(error(source, "parse", f"{where}: " + too_large(len(body), max_bytes),
                                      path=src.path, kind="TooLarge"))
                    continue
                yield Item(source=source, out=out, sha256=rec.sha256,
                           kind="html" if rec.html is not None else "text", size=len(body),
                           text=rec.text if rec.html is None else None, html=rec.html,
                           url=rec.url, title=rec.title, origin=src.path)
            self.feeds_read.add(src.path)  # every record seen: one not seen since is gone
        except records.InputError as exc:
            self._error(error(rel, "parse", str(exc), path=src.path))


    def _warc_items(self, src: Source, rel: str, max_bytes: int | None) -> Iterator[Item]:
        """A WARC's HTML records, read one at a time (never the whole file): each Item carries
        the record's offset, and its worker reads the record again there."""
        skipped = self.warc_skipped
        try:
            for rec in warc.scan(src.path, max_bytes=max_bytes):
                if isinstance(rec, warc.WarcSkip):
                    skipped[rec.key] = skipped.get(rec.key, 0) + 1
                    continue
                source = warc.record_source(rel, rec.record_id, rec.offset)
                try:
                    out = output.record_path(rel, warc.record_key(rec.record_id), rec.offset)
                except output.OutputPathError as exc:
                    self._error(error(source, "plan", str(exc), path=src.path))
                    continue
                if isinstance(rec, warc.WarcError):
                    self._error(error(source, "parse", f"record at offset {rec.offset}: {rec.reason}",
                                      path=src.path, out=out, kind=rec.kind))
                    continue
                ref = warc.ref(rec)
                yield Item(source=source, out=out, sha256=rec.sha256, kind="html", size=len(rec.payload),
                           path=src.path, html=rec.payload if ref.offset is None else None, url=rec.uri, warc=ref)
        except OSError as exc:
            self._error(error(rel, "read", f"cannot read: {exc.strerror or exc}", path=src.path, kind="OSError"))


def plan(sources: Iterable[Source], manifest: dict[str, Entry], *, out_root: str, pipeline_version: str,
         config_fp: str, force: bool = False, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Plan:
    """Everything ``Planner`` yields and reports, collected in one Plan (tests, small runs).

    ``max_bytes``: a document (a file, or one feed record) larger than this is refused with
    a "too large" error before it is read whole; a feed file may be up to ``records.MAX_DECOMPRESSED``.
    None: no limit."""
    p = Plan()
    planner = Planner(manifest.get, out_root=out_root, pipeline_version=pipeline_version, config_fp=config_fp,
                      force=force, max_bytes=max_bytes, on_skip=p.skipped.append, on_error=p.errors.append,
                      on_output=p.outputs.append)
    p.todo.extend(planner.items(sources))
    return p
