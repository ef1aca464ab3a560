"""Raw input -> normalised text -> blocks.

Decoding: BOMs first, then UTF-8, then charset-normalizer's detection; binary
input raises ``UndecodableInput`` with a reason a person understands.
Normalisation: double-byte CJK text mis-decoded as cp1252 repaired
(``mojibake.py``), ftfy (mojibake, but typographic quotes stay as the source has
them), NFC, odd spaces folded, zero-width characters dropped, line endings and
trailing spaces tidied.
Splitting: one block per line, except hard-wrapped prose (a run of lines of
near-equal width), which is rejoined into its paragraph.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy
import regex

from .charsets import choose_encoding
from .document import Block
from .mojibake import repair_cjk_mojibake
from .textfix import fix_text


class UndecodableInput(ValueError):
    """The bytes are not text in any encoding we can recognise (binary, image, archive...)."""


_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BOMS: tuple[bytes, ...] = tuple(bom for bom, _ in _BOMS)  # for bytes.startswith (html.decode_html)

# Magic numbers of common binary formats: refuse them by name rather than
# letting a detector guess an exotic code page for a JPEG.
_MAGIC = {
    b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
    b"PK\x03\x04": "zip archive", b"%PDF": "PDF document", b"\x1f\x8b": "gzip data",
    b"\x7fELF": "ELF executable", b"BZh": "bzip2 data", b"\xfd7zXZ": "xz data",
    b"RIFF": "RIFF media", b"OggS": "Ogg media", b"7z\xbc\xaf": "7z archive",
}


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises UndecodableInput for binary data."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise UndecodableInput(f"binary input ({what}), not text")
    if not data:
        return "", "utf-8"
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _looks_binary(text):
            raise UndecodableInput("binary input (control characters), not text")
        return text, "utf-8"
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:200_000])
    if matches.best() is None:
        raise UndecodableInput("undecodable input: no text encoding fits these bytes")
    enc = choose_encoding(data, matches)  # Latin code pages often tie: see charsets.py
    text = data.decode(enc, errors="replace")
    if _looks_binary(text):
        raise UndecodableInput("binary input (control characters), not text")
    return text, enc


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text leaves every other byte NUL."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


_CONTROL = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) > 0.1 * len(sample)


# -- normalisation ------------------------------------------------------------

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # typographic quotes stay as the source has them
    fix_latin_ligatures=False,
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)
# Plain character classes over the whole text: the standard re module scans these
# many times faster than regex. re's \s also takes \x1c-\x1f, which regex's does not.
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise(text: str) -> str:
    """Fix mojibake, NFC, fold odd spaces, drop zero-width and control characters."""
    text = repair_cjk_mojibake(text)  # first: ftfy and the NEL rule below would half-"fix" it
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    text = _CONTROLS.sub("", text)
    text = fix_text(text, _FTFY)  # = ftfy.fix_text, minus the lines it would not change
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    return fold_spaces(text)


def fold_spaces(text: str) -> str:
    r"""Every run of horizontal whitespace (NBSP, thin space, tabs...) as one space, and
    every line stripped. For text whose only vertical whitespace is "\n" (``normalise``
    has removed \r, \x0b, \x0c, \x1c-\x1f, NEL and U+2028/9 before), this is
    ``re.sub(r"[^\S\n]+", " ", text)`` then each line stripped: str.split() splits on
    exactly re's \s (tests/test_segment.py), at a third of the cost."""
    return "\n".join([" ".join(line.split()) for line in text.split("\n")])


# -- splitting ------------------------------------------------------------------

_WRAP_MIN_WIDTH = 50   # wrapped prose is set to a column of at least this many characters
_WRAP_MAX_WIDTH = 100  # ... and at most this many (longer lines are paragraphs already)
_WRAP_SLACK = 0.25     # a wrapped line is within 25 % of the column width
_SENTENCE_END = regex.compile(r"[.!?:;…。！？»”\"')\]]$")
_LINE_END_PUNCT = regex.compile(r"[\p{P}--\p{Pd}]$", regex.V1)  # a dash at a wrap leaves the line open
_LINK_ROW = regex.compile(r"\s\|\s")


def _is_wrapped(lines: list[str]) -> bool:
    """A run of lines is hard-wrapped prose when all but the last fill the same column."""
    if len(lines) < 2:
        return False
    width = max(len(line) for line in lines)
    if not (_WRAP_MIN_WIDTH <= width <= _WRAP_MAX_WIDTH):
        return False
    body = lines[:-1]
    if any(len(line) < width * (1 - _WRAP_SLACK) for line in body):
        return False
    if any(_LINK_ROW.search(line) for line in lines):
        return False  # "Unsubscribe | Preferences | Forward": a row of links, not prose
    # prose: most wrapped lines end mid-phrase, on a word; verse and lists end
    # their lines on punctuation (commas included)
    open_ends = sum(1 for line in body if not _LINE_END_PUNCT.search(line))
    if open_ends * 2 < len(body):
        return False
    # and the text runs on across the breaks: a line continues in lower case, or
    # the run ends a sentence (a headline over a byline over a date does neither)
    return _SENTENCE_END.search(lines[-1]) is not None or any(line[:1].islower() for line in lines[1:])


def split_blocks(text: str) -> list[Block]:
    """One block per line; a run of hard-wrapped lines becomes one block."""
    blocks: list[Block] = []
    group: list[str] = []
    group_no = 0

    def flush() -> None:
        nonlocal group_no
        if not group:
            return
        if _is_wrapped(group):
            blocks.append(Block(len(blocks), _join_wrapped(group), group_no))
        else:
            for line in group:
                blocks.append(Block(len(blocks), line, group_no))
        group.clear()
        group_no += 1

    for line in text.split("\n"):
        if line:
            group.append(line)
        else:
            flush()
    flush()
    return blocks


def _join_wrapped(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out + line  # a hyphen at the wrap: keep it, no space (never drop text)
        else:
            out = out + " " + line
    return out


def segment(text: str) -> list[Block]:
    return split_blocks(normalise(text))
