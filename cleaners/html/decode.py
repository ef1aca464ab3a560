"""Step 1 of the HTML path: bytes to text. A BOM wins; then the charset an HTTP
``Content-Type`` or the page's ``<meta>`` declares; then ``segment.decode_bytes`` (UTF-8,
then detection), the one decoder the text path uses too."""
from __future__ import annotations

import regex

from ..charsets import codec_for_label
from ..segment import BOMS as _BOMS
from ..segment import UndecodableInput, decode_bytes

MAX_BAD_SHARE = 0.005  # replacement characters tolerated when decoding with a declared charset
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
