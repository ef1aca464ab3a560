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

Defaults are deliberately conservative; all are configurable (``[profiles]`` in the
config, validated by pydantic like the rest of it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Mapping

from pydantic import BaseModel, ConfigDict, Field

from .counts import CONTEXTS_KEPT, POSITIONS, SiteCounts
from .fingerprint import block_fingerprint


_Count = Annotated[int, Field(ge=1)]
_Share = Annotated[float, Field(gt=0, le=1)]


class Thresholds(BaseModel):
    """What a site's block needs to be learned as its boilerplate (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_documents: _Count = 20          # never learn from a handful of pages
    min_block_documents: _Count = 5     # a block seen on fewer pages is not the site's own
    line_words: _Count = 8              # shorter blocks are lines (kickers, labels, footer lines)...
    line_share: _Share = 0.10           # ...and need this share of the site's pages
    sentence_share: _Share = 0.30       # sentence-sized blocks (promos, newsletter lines) need more
    prose_words: _Count = 25            # paragraphs of this many words or more...
    prose_share: _Share = 0.50          # ...need half the pages...
    prose_min_documents: _Count = 50    # ...and this many: a pasted background paragraph stays
    context_ratio: _Share = 0.5         # distinct contexts per page: copies of one article never qualify

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> "Thresholds":
        """From a config table (``[profiles]``); unknown keys or bad values are
        ``pydantic.ValidationError`` (a ``ValueError``) naming them."""
        return cls.model_validate(dict(data or {}))

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
