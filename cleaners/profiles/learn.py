"""The learned decision: which of a site's blocks are its boilerplate.

A block fingerprint is boilerplate of a site when all of these hold:

* the site has at least ``min_documents`` distinct documents (never learn from
  a handful of pages);
* the block occurs in at least ``min_block_documents`` of them, and in at least
  a share of them that grows with the block's length: ``line_share`` for short
  lines (kickers, labels, footer lines: under ``line_words`` words),
  ``sentence_share`` for sentence-sized blocks (promos, newsletter lines), and
  ``prose_share`` *and* ``prose_min_documents`` documents for paragraphs of
  ``prose_words`` words or more (a per-site disclaimer: a background paragraph a
  newsroom pastes into a series of articles stays);
* it occurs beside many different articles: its distinct context ids (see
  ``counts``) are at least ``context_ratio`` of the documents it occurs in (up to
  the number kept). Twenty near-copies of one syndicated article share a context
  id, so their paragraphs never pass for the site's boilerplate, however many
  copies there are.

Defaults are deliberately conservative; all are configurable.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Mapping

from .counts import CONTEXTS_KEPT, POSITIONS, SiteCounts
from .fingerprint import block_fingerprint


@dataclass(frozen=True)
class Thresholds:
    min_documents: int = 20
    min_block_documents: int = 5
    line_words: int = 8
    line_share: float = 0.10
    sentence_share: float = 0.30
    prose_words: int = 25
    prose_share: float = 0.50
    prose_min_documents: int = 50
    context_ratio: float = 0.5

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            ok = 0 < v <= 1 if f.name.endswith(("_share", "_ratio")) else v >= 1
            if not ok:
                raise ValueError(f"profile threshold {f.name} = {v!r} is out of range "
                                 + ("(0 < share <= 1)" if f.name.endswith(("_share", "_ratio")) else "(>= 1)"))

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> "Thresholds":
        """From a config table (``[profiles]``); unknown keys or bad values are errors naming them."""
        data = dict(data or {})
        kinds = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(data) - set(kinds))
        if unknown:
            raise ValueError(f"unknown profile threshold(s) {unknown}; known: {sorted(kinds)}")
        try:
            return cls(**{k: (int(v) if kinds[k] in ("int", int) else float(v)) for k, v in data.items()})
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None

    def share_needed(self, words: int) -> tuple[float, int]:
        """(share of the site's documents, absolute documents) a block of ``words`` words needs."""
        if words >= self.prose_words:
            return self.prose_share, max(self.min_block_documents, self.prose_min_documents)
        if words >= self.line_words:
            return self.sentence_share, self.min_block_documents
        return self.line_share, self.min_block_documents


@dataclass(frozen=True)
class Boilerplate:
    """One learned boilerplate block: in ``docs`` of the site's documents, mostly ``where``."""

    docs: int
    where: str
    text: str


@dataclass(frozen=True)
class SiteProfile:
    """What the ``drop_site_boilerplate`` cleaner reads (via ``Draft.context.profile``)."""

    site: str
    documents: int
    boilerplate: Mapping[str, Boilerplate]  # fingerprint -> what was learned about it (do not mutate)

    def match(self, text: str) -> Boilerplate | None:
        fp = block_fingerprint(text)
        return self.boilerplate.get(fp) if fp is not None else None

    def reason(self, hit: Boilerplate) -> str:
        return f"in {hit.docs} of {self.documents} pages of {self.site}, {hit.where}"


def _where(counts: list[int]) -> str:
    total = sum(counts) or 1
    top, middle, bottom = counts
    for n, name in ((top, "near the top"), (bottom, "near the end"), (middle, "mid-page")):
        if n / total >= 0.75:
            return f"mostly {name}"
    return "at varying places"


def is_boilerplate(bc, documents: int, t: Thresholds) -> bool:
    share, at_least = t.share_needed(bc.words)
    if bc.docs < at_least or bc.docs < share * documents:
        return False
    contexts_needed = math.ceil(t.context_ratio * min(bc.docs, CONTEXTS_KEPT))
    return len(bc.contexts) >= contexts_needed


def learn(counts: SiteCounts, thresholds: Thresholds | None = None) -> SiteProfile:
    """The site's profile: its boilerplate fingerprints under ``thresholds`` (defaults if None)."""
    t = thresholds or Thresholds()
    n = counts.documents
    found: dict[str, Boilerplate] = {}
    if n >= t.min_documents:
        for fp in sorted(counts.blocks):
            bc = counts.blocks[fp]
            if is_boilerplate(bc, n, t):
                found[fp] = Boilerplate(bc.docs, _where(bc.where), bc.text)
    return SiteProfile(counts.site, n, found)


__all__ = ["Thresholds", "Boilerplate", "SiteProfile", "learn", "is_boilerplate", "POSITIONS"]
