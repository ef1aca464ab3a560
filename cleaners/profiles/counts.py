"""Per-site counters: how many documents a site has, and for every block fingerprint in
how many of them it occurs, where, and beside how many different articles.

Counting is pure and mergeable: a batch task builds a ``SiteCounts`` for its
documents, the flow merges them (in any order, with the same result) into the
persisted profile. A document body is counted once: documents are keyed by
their whole-text fingerprint, so a page stored twice, or a page counted by an
earlier run, adds nothing. Until ``compacted()``, counters remember each
document's contribution, which is what makes a merge of two counters that
both saw the same body exact.

"Beside how many different articles" (``contexts``): each document has a
context id, the digest of the longest blocks in its middle half. Near-copies of one article
(syndicated, re-published with a new date line) share it; a site's footer
appears beside as many context ids as the site has articles. Only the
``CONTEXTS_KEPT`` smallest ids are kept per block (a bottom-k sketch: exact
below that, order-independent under merge).

The persisted form is readable JSON (``to_json``/``from_json``), versioned by
``FORMAT``/``VERSION``; blocks are listed most common first, with a sample text.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..textutil import word_count
from .fingerprint import block_fingerprint, digest, document_fingerprint, normalise

FORMAT = "declutter-site-profile"
VERSION = 1
POSITIONS = ("top", "middle", "bottom")
CONTEXTS_KEPT = 32
SAMPLE_CHARS = 160


class ProfileFormatError(ValueError):
    """A persisted profile that is not ours, or of a version this code cannot read."""


def position_bucket(i: int, n: int) -> int:
    """0 top, 1 middle, 2 bottom: by relative position among the document's n blocks."""
    if n <= 1:
        return 0
    r = i / (n - 1)
    return 0 if r < 0.25 else 2 if r > 0.75 else 1


def context_id(texts: Sequence[str]) -> str:
    """Which article this is, blind to its site's furniture: the digest of the three longest
    blocks (digits folded) of the middle half of the document (all of it when that holds fewer
    than two), where a site's long disclaimers and promos rarely sit. Near-copies of one article
    share it; pages with one-sentence paragraphs and long boilerplate at their ends do not."""
    n = len(texts)
    middle = [t for i, t in enumerate(texts) if position_bucket(i, n) == 1]
    keys = sorted({normalise(t) for t in (middle if len(middle) >= 2 else texts)},
                  key=lambda k: (-len(k), k))[:3]
    return digest("\n".join(sorted(keys)), 4)


@dataclass
class BlockCount:
    docs: int = 0
    where: list[int] = field(default_factory=lambda: [0, 0, 0])
    contexts: list[str] = field(default_factory=list)
    text: str = ""
    words: int = 0

    def add_context(self, cid: str) -> None:
        c = self.contexts
        i = bisect.bisect_left(c, cid)
        if i < len(c) and c[i] == cid:
            return
        if len(c) >= CONTEXTS_KEPT and i >= CONTEXTS_KEPT:
            return
        c.insert(i, cid)
        del c[CONTEXTS_KEPT:]

    def add_sample(self, text: str) -> None:
        sample = text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS - 1] + "…"
        if not self.text or sample < self.text:   # the smallest: the same whatever the merge order
            self.text, self.words = sample, word_count(text)


class SiteCounts:
    """Counters for one site. ``add`` a document's block texts, ``merge`` other counters."""

    def __init__(self, site: str):
        self.site = site
        # document fingerprint -> its contribution ((block fp, bucket), ...) + context id,
        # or None once compacted / loaded from disk
        self.docs: dict[str, tuple | None] = {}
        self.blocks: dict[str, BlockCount] = {}

    @property
    def documents(self) -> int:
        return len(self.docs)

    def __contains__(self, doc_fp: str) -> bool:
        return doc_fp in self.docs

    # -- counting -----------------------------------------------------------
    def add(self, texts: Sequence[str]) -> bool:
        """Count one document given its blocks' texts, in order. False if this body was counted."""
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            return False
        dfp = document_fingerprint(texts)
        if dfp in self.docs:
            return False
        cid = context_id(texts)
        n = len(texts)
        first: dict[str, int] = {}
        samples: dict[str, str] = {}
        for i, t in enumerate(texts):
            fp = block_fingerprint(t)
            if fp is not None and fp not in first:
                first[fp] = position_bucket(i, n)
                samples[fp] = t
        contribution = tuple(sorted(first.items()))
        for fp, bucket in contribution:
            bc = self.blocks.get(fp)
            if bc is None:
                bc = self.blocks[fp] = BlockCount()
            bc.docs += 1
            bc.where[bucket] += 1
            bc.add_context(cid)
            bc.add_sample(samples[fp])
        self.docs[dfp] = (contribution, cid)
        return True

    def merge(self, other: "SiteCounts") -> "SiteCounts":
        """Add ``other``'s counts into this one (returns self). A body both have seen counts once
        (exactly, as long as one side still remembers that document's contribution)."""
        if other.site != self.site:
            raise ValueError(f"cannot merge counts of {other.site!r} into {self.site!r}")
        for fp, oc in other.blocks.items():
            bc = self.blocks.get(fp)
            if bc is None:
                bc = self.blocks[fp] = BlockCount()
            bc.docs += oc.docs
            bc.where = [a + b for a, b in zip(bc.where, oc.where)]
            for cid in oc.contexts:
                bc.add_context(cid)
            if oc.text:
                if not bc.text or oc.text < bc.text:
                    bc.text, bc.words = oc.text, oc.words
        for dfp, contrib in other.docs.items():
            if dfp not in self.docs:
                self.docs[dfp] = contrib
                continue
            twice = contrib if contrib is not None else self.docs[dfp]
            if twice is None:
                continue  # neither side remembers it: counted twice (both were compacted)
            if self.docs[dfp] is None:
                self.docs[dfp] = twice
            for fp, bucket in twice[0]:
                bc = self.blocks.get(fp)
                if bc is None:  # pruned on the compacted side: nothing to take back
                    continue
                bc.docs -= 1
                bc.where[bucket] -= 1
                if bc.docs <= 0:
                    del self.blocks[fp]
        return self

    @classmethod
    def merged(cls, site: str, parts: Iterable["SiteCounts"]) -> "SiteCounts":
        out = cls(site)
        for p in parts:
            out.merge(p)
        return out

    def compacted(self, min_docs: int = 2) -> "SiteCounts":
        """A copy fit to persist: per-document contributions forgotten (the document
        fingerprints are kept, so those bodies are never counted again), and blocks seen in
        fewer than ``min_docs`` documents dropped (a body paragraph seen once is no evidence;
        dropping it keeps the file small, at the cost of undercounting it by one if it recurs)."""
        out = SiteCounts(self.site)
        out.docs = dict.fromkeys(self.docs)
        for fp, bc in self.blocks.items():
            if bc.docs >= min_docs:
                out.blocks[fp] = BlockCount(bc.docs, list(bc.where), list(bc.contexts), bc.text, bc.words)
        return out

    # -- persisted form -----------------------------------------------------
    def to_dict(self) -> dict:
        order = sorted(self.blocks.items(), key=lambda kv: (-kv[1].docs, kv[0]))
        return {
            "format": FORMAT,
            "version": VERSION,
            "site": self.site,
            "documents": self.documents,
            "fingerprint": "blake2b-64 of the case-folded text, digit runs as 0, "
                           "punctuation/symbols/whitespace removed",
            "blocks": {
                fp: {"docs": bc.docs, "where": dict(zip(POSITIONS, bc.where)), "words": bc.words,
                     "text": bc.text, "contexts": bc.contexts}
                for fp, bc in order
            },
            "seen": sorted(self.docs),
        }

    def to_json(self) -> str:
        """Readable, deterministic JSON (same counts, same bytes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> "SiteCounts":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ProfileFormatError("not a declutter site profile (no format: declutter-site-profile)")
        if data.get("version") != VERSION:
            raise ProfileFormatError(f"site profile version {data.get('version')!r} is not supported "
                                     f"(this code reads version {VERSION}); rebuild it")
        try:
            out = cls(str(data["site"]))
            out.docs = dict.fromkeys(str(d) for d in data["seen"])
            for fp, b in data["blocks"].items():
                where = b["where"]
                out.blocks[fp] = BlockCount(int(b["docs"]), [int(where[p]) for p in POSITIONS],
                                            sorted(str(c) for c in b["contexts"])[:CONTEXTS_KEPT],
                                            str(b["text"]), int(b["words"]))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ProfileFormatError(f"malformed site profile: {exc!r}") from None
        if data.get("documents") != out.documents:
            raise ProfileFormatError(f"malformed site profile: documents={data.get('documents')!r} "
                                     f"but {out.documents} seen")
        return out

    @classmethod
    def from_json(cls, text: str | bytes) -> "SiteCounts":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileFormatError(f"site profile is not valid JSON: {exc}") from None
        return cls.from_dict(data)
