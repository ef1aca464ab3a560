"""Fingerprints of blocks and documents: stable across runs, machines and Python versions.

A block's fingerprint is a BLAKE2b digest (never Python's salted ``hash()``)
of its *normalised* text: case-folded, every run of digits folded to ``0``,
and punctuation, symbols and whitespace stripped, so "© 2024 The Ledger." and
"(c) 2025 THE LEDGER" ... differ only where the words differ. A block with no
letter at all (a page number, a rule of dashes) has no fingerprint: it is never
evidence of anything.

A document's fingerprint is the digest of its blocks' normalised texts in
order, digits kept: two pages with the same body (a syndicated copy stored
twice, a page fetched again) have the same fingerprint and are counted once.
"""
from __future__ import annotations

import hashlib
from typing import Sequence

import regex

_STRIP = regex.compile(r"[\p{P}\p{S}\p{Z}\p{C}\s]+")
_DIGITS = regex.compile(r"\p{N}+")
_LETTER = regex.compile(r"\p{L}")


def normalise(text: str, *, fold_digits: bool = True) -> str:
    """Case-folded, digit runs -> '0' (unless fold_digits=False), punctuation/symbols/spaces removed."""
    k = text.casefold()
    if fold_digits:
        k = _DIGITS.sub("0", k)
    return _STRIP.sub("", k)


def digest(text: str, size: int = 8) -> str:
    """Hex BLAKE2b digest of ``size`` bytes: the same on every machine and run."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


def block_fingerprint(text: str) -> str | None:
    """The block's fingerprint, or None when it has no letters (nothing to learn from)."""
    k = normalise(text)
    return digest(k) if _LETTER.search(k) else None


def document_fingerprint(texts: Sequence[str]) -> str:
    """Whole-body fingerprint: equal for copies of one document, digits and order included."""
    return digest("\n".join(normalise(t, fold_digits=False) for t in texts))
