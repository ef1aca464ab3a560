"""Discovered files -> documents to clean (or skip) -> batches.

Planning reads each input once to hash it (sha256 of the file's bytes, or of
one feed record) and to sniff its format; a document whose manifest row
matches (same source, hash, pipeline version and config fingerprint) and
whose output exists is skipped, unless ``force``. Feeds are split into their
records here, so one changed record in a growing feed costs one document.

Batches are what a Prefect task runs: hundreds of documents or a byte
budget, whichever comes first, and at least a few per worker so the workers
finish together.
"""
from __future__ import annotations

import hashlib
import math
import os
import zlib
from dataclasses import dataclass, field

from . import output, records
from .discover import Source, printable
from .state import Entry


DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # one article is kilobytes; 16 MiB of text takes ~400 MB and a minute to clean


def too_large(size: int, limit: int, feed: bool = False) -> str:
    mib = 1024 * 1024
    what = "feed file" if feed else "document"
    hint = "split the feed" if feed else "raise --max-size to clean it anyway"
    return f"too large: {what} of {size / mib:.1f} MiB, the limit is {limit / mib:g} MiB ({hint})"


@dataclass(frozen=True, slots=True)
class Item:
    """One document to clean: a file to read, or a feed record carried inline."""

    source: str  # becomes CleanDocument.source: the relative path, or 'feed.jsonl#<id>' / '#L<line>'
    out: str  # output path relative to OUT
    sha256: str
    kind: str  # 'text' or 'html'
    size: int
    path: str | None = None
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    index: int
    items: tuple[Item, ...]

    @property
    def size(self) -> int:
        return sum(i.size for i in self.items)


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


def plan(sources: list[Source], manifest: dict[str, Entry], *, out_root: str, pipeline_version: str,
         config_fp: str, force: bool = False, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Plan:
    """``max_bytes``: a document (a file, or one feed record) larger than this is refused with
    a "too large" error before it is read whole; a feed file may be up to ``records.MAX_DECOMPRESSED``.
    None: no limit."""
    p = Plan()
    owner: dict[str, str] = {}  # output path -> the source that claimed it first

    def consider(item: Item) -> None:
        first = owner.get(item.out)
        if first is not None:
            p.errors.append(error(item.source, "plan", f"output {item.out} already comes from {first}; "
                                  "rename one of them", path=item.path, out=item.out))
            return
        owner[item.out] = item.source
        p.outputs.append(item.out)
        e = manifest.get(item.out)
        if (not force and e is not None and e.sha256 == item.sha256 and e.source == item.source
                and e.pipeline_version == pipeline_version and e.config == config_fp
                and os.path.isfile(os.path.join(out_root, *item.out.split("/")))):
            p.skipped.append(item.out)
        else:
            p.todo.append(item)

    for src in sources:
        rel = printable(src.rel)  # names that are not UTF-8 get \xNN escapes: source and output stay text
        _, ext = records.base_name(rel)
        feed = ext in records.JSON_EXT | records.JSONL_EXT
        limit = records.MAX_DECOMPRESSED if feed else max_bytes
        if limit is not None and src.size > limit:
            p.errors.append(error(rel, "read", too_large(src.size, limit, feed), path=src.path,
                                  kind="TooLarge"))
            continue
        try:
            with open(src.path, "rb") as f:
                raw = f.read(limit + 1 if limit is not None else -1)
        except OSError as exc:
            p.errors.append(error(rel, "read", f"cannot read: {exc.strerror}", path=src.path,
                                  kind="OSError"))
            continue
        if limit is not None and len(raw) > limit:  # it grew since discovery
            p.errors.append(error(rel, "read", too_large(len(raw), limit, feed), path=src.path,
                                  kind="TooLarge"))
            continue
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
            p.errors.append(error(rel, "read", str(exc), path=src.path))
            continue
        if kind in ("text", "html"):
            try:
                out = output.doc_path(rel)
            except output.OutputPathError as exc:
                p.errors.append(error(rel, "plan", str(exc), path=src.path))
                continue
            consider(Item(source=rel, out=out, sha256=digest, kind=kind, size=len(raw), path=src.path))
            continue
        try:
            for rec in records.parse_feed(content, kind):
                if isinstance(rec, records.InputError):
                    p.errors.append(error(rel, "parse", str(rec), path=src.path))
                    continue
                source = f"{rel}#{rec.key}" if rec.key is not None else f"{rel}#L{rec.line}"
                try:
                    out = output.record_path(rel, rec.key, rec.line)
                except output.OutputPathError as exc:
                    p.errors.append(error(source, "plan", str(exc), path=src.path))
                    continue
                body = rec.html if rec.html is not None else rec.text
                if max_bytes is not None and len(body) > max_bytes:
                    where = f"line {rec.line}" if kind == "jsonl" else f"record {rec.line}"
                    p.errors.append(error(source, "parse", f"{where}: " + too_large(len(body), max_bytes),
                                          path=src.path, kind="TooLarge"))
                    continue
                consider(Item(source=source, out=out, sha256=rec.sha256,
                              kind="html" if rec.html is not None else "text", size=len(body),
                              text=rec.text if rec.html is None else None, html=rec.html,
                              url=rec.url, title=rec.title))
        except records.InputError as exc:
            p.errors.append(error(rel, "parse", str(exc), path=src.path))
    return p


def batches(items: list[Item], *, workers: int = 1, max_docs: int = 250, min_docs: int = 25,
            max_bytes: int = 16 * 1024 * 1024) -> list[Batch]:
    """Cut items into batches, in input order: at most max_docs documents or max_bytes, about 4 per
    worker. With several workers the batches shrink towards the end (each at most 1/(2 x workers)
    of the documents not yet batched, down to a quarter of a full batch or min_docs), so the
    workers run out of work together instead of one finishing a full last batch while the others
    wait; not further down, since every task costs the parent and the API server (~0.1 s of CPU
    measured, on the cores the workers use)."""
    if not items:
        return []
    w = max(1, workers)
    per = min(max_docs, max(min_docs, math.ceil(len(items) / (w * 4))))
    tail = max(min_docs, per // 4)
    out: list[Batch] = []
    cur: list[Item] = []
    size = 0
    limit = per
    left = len(items)  # documents not yet in a finished batch
    for item in items:
        if cur and (len(cur) >= limit or size + item.size > max_bytes):
            out.append(Batch(len(out), tuple(cur)))
            left -= len(cur)
            cur, size = [], 0
        if not cur and w > 1:
            limit = min(per, max(tail, math.ceil(left / (2 * w))))
        cur.append(item)
        size += item.size
    if cur:
        out.append(Batch(len(out), tuple(cur)))
    return out
