"""ftfy's ``fix_text``, without paying for the lines it would leave alone.

``ftfy.fix_text`` works line by line and runs every fixer on every line, about
100 µs a line: on a clean article it was the single largest cost of cleaning.
Most lines cannot change: a fixer only acts on text that contains what it
looks for. ``fix_text`` here returns exactly what ``ftfy.fix_text(text, config)``
returns, but asks ftfy only about the lines that hold one of those triggers:

- ``&``                      (HTML entities: ``unescape_html``)
- C0/C1 controls, ESC, BOM, U+206A-F, U+FFF9-C   (``remove_control_chars``,
  ``fix_c1_controls``, ``remove_terminal_escapes``)
- CR, U+2028, U+2029, U+0085 (``fix_line_breaks``)
- lone surrogates             (``fix_surrogates``)
- text that is not NFC        (``normalization``)
- mojibake by ftfy's own test (``ftfy.badness.is_bad``: ``fix_encoding`` leaves
  text that is ASCII or not "bad" untouched). That test is a large regex, about
  a microsecond per character; but every one of its alternatives needs one of a
  few hundred characters (accented Latin letters, currency signs, box drawing,
  C1 controls, ...), so it only runs on lines holding one of them.

The shortcut is tied to the ftfy release it was checked against (6.3); with
any other release ``fix_text`` simply calls ftfy. The config must keep
``fix_latin_ligatures``, ``fix_character_width`` and ``uncurl_quotes`` off (they
act on ordinary characters). ``tests/test_textfix.py`` holds the two
implementations to the same output.

The character scans use the standard ``re`` module on purpose: for a plain
character class it is ten to thirty times faster than ``regex`` here.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from importlib.metadata import version
from itertools import accumulate

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES

CHECKED_FTFY = ("6.3.",)
_ENABLED = version("ftfy").startswith(CHECKED_FTFY)

# every character an enabled fixer other than fix_encoding / NFC acts on
_TRIGGERS = "&\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\r\u2028\u2029\u206a-\u206f\ufeff\ufff9-\ufffc\ud800-\udfff"
# every alternative of BADNESS_RE needs one of these (checked by brute force over
# all strings of up to three other characters, tests/test_textfix.py)
_MOJIBAKE = "".join(MOJIBAKE_CATEGORIES[c] for c in (
    "c1", "bad", "lower_accented", "upper_accented", "currency", "numeric", "box", "law")) \
    + "ŒœØÙàóÃÂ√≈вГВРСβΒΓΞΟā×"
_SUSPECT = re.compile(f"[{_TRIGGERS}{_MOJIBAKE}]")
_TRIGGER = re.compile(f"[{_TRIGGERS}]")


def _check_config(config: ftfy.TextFixerConfig) -> None:
    if config.fix_latin_ligatures or config.fix_character_width or config.uncurl_quotes:
        raise ValueError("textfix.fix_text needs fix_latin_ligatures, fix_character_width and "
                         "uncurl_quotes off (they change ordinary characters)")


def _bad(seg: str, at: list[int]) -> bool:
    """``BADNESS_RE.search(seg)``, tried only where a match can start: a match
    holds one of the ``_MOJIBAKE`` characters within its first three characters."""
    tried = -1
    for p in at:
        for q in range(max(p - 2, tried + 1), p + 1):
            if BADNESS_RE.match(seg, q):
                return True
        tried = p
    return False


def _untouched(seg: str, at: list[int], nfc: bool) -> bool:
    """No enabled fixer changes this segment (a line with its "\\n"); ``at`` holds
    the offsets of its suspect characters, ``nfc`` whether it is known to be NFC."""
    if _TRIGGER.search(seg):
        return False
    if not nfc and not unicodedata.is_normalized("NFC", seg):
        return False
    return not _bad(seg, at)


def fix_text(text: str, config: ftfy.TextFixerConfig) -> str:
    """Same result as ``ftfy.fix_text(text, config)``, skipping lines ftfy would not change."""
    _check_config(config)
    if not _ENABLED or len(text) > config.max_decode_length:  # ftfy cuts long lines itself: let it
        return ftfy.fix_text(text, config)
    ascii_only = text.isascii()
    if ascii_only and not _TRIGGER.search(text):
        return text
    hits = [m.start() for m in _SUSPECT.finditer(text)]
    nfc = ascii_only or unicodedata.is_normalized("NFC", text)  # NFC text has NFC lines
    if not hits and nfc:
        return text
    # ftfy's segments: each line with its "\n" (a last line without one, if not empty)
    parts = text.split("\n")
    segs = [p + "\n" for p in parts]
    segs[-1] = parts[-1]
    starts = list(accumulate((len(s) for s in segs), initial=0))
    at: dict[int, list[int]] = {}
    for pos in hits:
        i = bisect_right(starts, pos) - 1
        at.setdefault(i, []).append(pos - starts[i])
    suspects = sorted(at) if nfc else range(len(segs))
    # ftfy's one piece of state: from the first line holding "<" on, entities stay escaped
    lt = text.find("<")
    first_lt = len(segs) if lt < 0 else text.count("\n", 0, lt)
    escaped = config._replace(unescape_html=False) if config.unescape_html == "auto" else config
    for i in suspects:
        seg = segs[i]
        if seg and not _untouched(seg, at.get(i, []), nfc):
            segs[i] = ftfy.fix_and_explain(seg, escaped if i >= first_lt else config)[0]
    return "".join(segs)
