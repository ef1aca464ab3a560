"""Input bytes -> what they are (text, HTML, a feed) and, for feeds, their records.

Formats are recognised by content as well as name: a ``.gz`` suffix is not
needed for gzip data, a ``.txt`` that is really an HTML page goes to the
HTML cleaner, and a file without an extension whose content is JSON lines is
a feed. Feeds are JSON lines (``.jsonl``, ``.ndjson``) or a JSON array
(``.json``) of records with ``text`` or ``html`` and optional ``url``,
``title``, ``id``.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Iterator

import regex

# A decompressed input larger than this is refused (a gzip bomb is one small file).
MAX_DECOMPRESSED = 512 * 1024 * 1024

TEXT_EXT = {".txt", ".text", ".md"}
HTML_EXT = {".html", ".htm", ".xhtml"}
JSONL_EXT = {".jsonl", ".ndjson"}
JSON_EXT = {".json"}

_HTML_START = regex.compile(
    r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<!--|<meta[\s>]|<title[\s>])",
    regex.IGNORECASE)
_HTML_ANY = regex.compile(r"<(?:html|body|div|p|article|section|span|a|br)[\s/>]", regex.IGNORECASE)


class InputError(ValueError):
    """This input cannot be read as a document or feed; the reason says why."""


@dataclass(frozen=True, slots=True)
class Record:
    """One feed record, reduced to what the cleaners need."""

    line: int  # 1-based line number (JSON lines) or position (JSON array)
    key: str | None  # the record's id, as a string, if it has one
    sha256: str  # of the record's bytes, for incremental runs
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def gunzip(data: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """Decompress gzip data (all members), refusing corrupt or oversized streams with InputError."""
    chunks, total = [], 0
    rest = data
    try:
        while rest:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            buf = rest
            while True:
                out = d.decompress(buf, 1 << 20)
                total += len(out)
                if total > limit:
                    raise InputError(f"gzip data expands beyond {limit // (1 << 20)} MiB")
                chunks.append(out)
                buf = d.unconsumed_tail
                if d.eof or not buf:
                    break
            if not d.eof:
                tail = d.flush()
                total += len(tail)
                chunks.append(tail)
                if total > limit:
                    raise InputError(f"gzip data expands beyond {limit // (1 << 20)} MiB")
                if not d.eof:
                    raise InputError("gzip data is truncated")
            rest = d.unused_data
            if rest and not is_gzip(rest):
                break  # trailing garbage after the last member, as gzip(1) tolerates
    except zlib.error as exc:
        raise InputError(f"corrupt gzip data: {exc}") from None
    return b"".join(chunks)


def payload(data: bytes) -> bytes:
    """The content of an input file: gzip is undone whatever the file is called."""
    return gunzip(data) if is_gzip(data) else data


def base_name(name: str) -> tuple[str, str]:
    """(name without .gz and without its extension, the extension) - 'a/b.html.gz' -> ('a/b', '.html')."""
    if name.lower().endswith(".gz"):
        name = name[:-3]
    slash = name.rfind("/")
    dot = name.rfind(".")
    if dot > slash + 1:
        return name[:dot], name[dot:].lower()
    return name, ""


def sniff(name: str, content: bytes) -> str:
    """'text', 'html', 'jsonl' or 'json', from the (decompressed) content and the file name."""
    _, ext = base_name(name)
    head = content[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    first = stripped[:1]
    head_text = head.decode("utf-8", errors="ignore")
    if ext in JSONL_EXT:
        return "jsonl"
    if ext in JSON_EXT:
        return "json" if first == b"[" else "jsonl"
    if ext in HTML_EXT:
        return "html"
    if _HTML_START.match(head_text):
        return "html"
    if ext in TEXT_EXT:
        return "text"
    if first in (b"{", b"["):
        kind = _json_kind(content)
        if kind:
            return kind
    if first == b"<" and _HTML_ANY.search(head_text):
        return "html"
    return "text"


def _json_kind(content: bytes) -> str | None:
    """For a file without a telling name: is it a JSON array or JSON lines of objects?"""
    text = content.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("["):
        try:
            return "json" if isinstance(json.loads(text), list) else None
        except ValueError:
            return None
    line = text.split("\n", 1)[0]
    try:
        return "jsonl" if isinstance(json.loads(line), dict) else None
    except ValueError:
        return None


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"feed is not UTF-8 (byte {exc.start}): JSON must be UTF-8") from None


def parse_feed(content: bytes, fmt: str) -> Iterator[Record | InputError]:
    """Yield a Record per feed record, or an InputError (with its line) for a bad one.

    A whole-feed problem (not UTF-8, not a JSON array) raises InputError.
    """
    text = _decode(content)
    if fmt == "json":
        try:
            items = json.loads(text)
        except ValueError as exc:
            raise InputError(f"not valid JSON: {exc}") from None
        if not isinstance(items, list):
            raise InputError("a .json feed must be an array of records")
        for n, obj in enumerate(items, 1):
            raw = json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")
            yield _record(obj, n, raw)
        return
    stripped = text.strip()
    if stripped.startswith("{") and "\n" in stripped:
        # one pretty-printed object is a feed of one record
        try:
            obj = json.loads(stripped)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            yield _record(obj, 1, stripped.encode("utf-8"))
            return
    for n, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            # exc.msg alone can stop mid-sentence ("Unterminated string starting at"): say where
            yield InputError(f"line {n}: not valid JSON: {_json_msg(exc)}")
            continue
        yield _record(obj, n, line.encode("utf-8"), where=f"line {n}")


def _json_msg(exc: ValueError) -> str:
    """A JSONDecodeError's message, whole: 'Unterminated string starting at column 9'."""
    msg, col = getattr(exc, "msg", None), getattr(exc, "colno", None)
    if msg is None or col is None:
        return str(exc)
    return f"{msg.removesuffix(' at')} at column {col}"


def _record(obj, n: int, raw: bytes, where: str | None = None) -> Record | InputError:
    """``where`` names the record in errors: 'line 12' in JSON lines, 'record 3' in an array."""
    where = where or f"record {n}"
    if not isinstance(obj, dict):
        return InputError(f"{where}: a record must be a JSON object, not {type(obj).__name__}")
    fields = {}
    for name in ("text", "html", "url", "title"):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return InputError(f"{where}: {name!r} must be a string, not {type(value).__name__}")
        fields[name] = value
    if fields["text"] is None and fields["html"] is None:
        return InputError(f"{where}: has neither 'text' nor 'html'")
    rid = obj.get("id")
    if rid is not None and (isinstance(rid, bool) or not isinstance(rid, (str, int))):
        return InputError(f"{where}: 'id' must be a string or an integer")
    key = None if rid is None or rid == "" else str(rid)
    return Record(line=n, key=key, sha256=hashlib.sha256(raw).hexdigest(), **fields)
