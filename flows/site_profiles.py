"""The profiling stage: count each site's blocks before cleaning, persist what was learned.

Plain functions, no Prefect import (they run in worker processes too):

- ``Profiles.note_batch`` gives each document of a batch its site (a tuple that travels
  with the batch; the book keeps per-site counts, nothing per document) and ``decide``
  picks the documents counted before cleaning: those of sites that can reach
  ``min_documents`` with this run's pages. The others cannot learn anything this run; they
  are counted after cleaning, from their CleanDocument (``texts_of``), so their pages are
  never extracted twice;
- ``profile_batch`` reads a batch's documents, segments them exactly as the
  cleaners will (the same entry points, with every cleaner switched off) and
  returns small per-site counters (``cleaners.profiles.SiteCounts``);
- ``Profiles`` loads ``OUT/_profiles/<site>.json``, merges counters into it
  (a body already counted, by this run or an earlier one, counts once),
  learns each site's boilerplate and writes the files back atomically, only
  when they changed.

A document's site is its URL's registered domain (the feed record's URL, or
the page's canonical URL read from its head), else its input sub-folder (the
first folder of its path under the input root, or the folder the file sits in).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import regex

import cleaners
from cleaners.profiles import ProfileFormatError, SiteCounts, SiteProfile, Thresholds, learn
from cleaners.profiles import profile_filename, site_for

from . import records, warc
from .output import atomic_write, tmp_dir
from .batches import Batch
from .plan import Item

PROFILES_DIR = "_profiles"
_SEGMENT_ONLY = None


def segment_only_config():
    """A config with every cleaner off: the cleaners' own segmentation, nothing judged."""
    global _SEGMENT_ONLY
    if _SEGMENT_ONLY is None:
        _SEGMENT_ONLY = cleaners.load_config({"cleaners": {"disable": list(cleaners.CLEANER_NAMES)}})
    return _SEGMENT_ONLY


def folder_of(item: Item) -> str | None:
    """The input sub-folder that names a document's site when it has no URL."""
    rel = item.source.split("#", 1)[0]
    if "/" in rel:
        return rel.split("/", 1)[0]
    if item.path:
        return os.path.basename(os.path.dirname(item.path)) or None
    return None


_CANONICAL = regex.compile(
    r"""<link\b[^>]*\brel\s*=\s*["']?canonical\b[^>]*>|<meta\b[^>]*\bproperty\s*=\s*["']?og:url\b[^>]*>""",
    regex.IGNORECASE)
_HREF = regex.compile(r"""\b(?:href|content)\s*=\s*["']?([^"'\s>]+)""", regex.IGNORECASE)
HEAD_BYTES = 256 * 1024


def page_url(html: bytes | str) -> str | None:
    """The page's canonical URL (<link rel=canonical>, else og:url) from its head, cheaply:
    the site must be known before the page is extracted."""
    head = html[:HEAD_BYTES]
    if isinstance(head, bytes):
        head = head.decode("latin-1")
    for m in _CANONICAL.finditer(head):
        h = _HREF.search(m.group(0))
        if h and h.group(1).lower().startswith(("http://", "https://", "//")):
            return h.group(1) if not h.group(1).startswith("//") else "https:" + h.group(1)
    return None


def planned_site(item: Item) -> str | None:
    """A document's site, known before extraction: the record's URL, else the page's canonical
    URL, else its input sub-folder."""
    url = item.url
    if url is None and item.kind == "html":
        try:
            if item.html is not None:
                url = page_url(item.html)
            elif item.path is not None and item.warc is None:  # a WARC record without a URI: its folder
                with open(item.path, "rb") as f:
                    url = page_url(records.payload(f.read()))
        except (OSError, records.InputError):
            url = None  # the cleaning stage reports an unreadable input
    return site_for(url, folder_of(item))


def blocks_of(item: Item) -> list[str]:
    """The document's block texts as the cleaners segment them (every cleaner off)."""
    cfg = segment_only_config()
    if item.warc is not None:
        data, _ = warc.payload_of(item.path, item.warc, item.html, item.sha256)
        doc = cleaners.clean_html(data, url=item.url, source=item.source, config=cfg,
                                  content_type=item.warc.content_type)
    elif item.path is not None:
        with open(item.path, "rb") as f:
            data = records.payload(f.read())
        if item.kind == "html":
            doc = cleaners.clean_html(data, source=item.source, config=cfg)
        else:
            doc = cleaners.clean_bytes(data, source=item.source, config=cfg)
    elif item.kind == "html":
        doc = cleaners.clean_html(item.html, url=item.url, source=item.source, config=cfg)
    else:
        doc = cleaners.clean_text(item.text, source=item.source, url=item.url, config=cfg)
    return doc.text.split("\n\n") if doc.text else []


def texts_of(doc) -> list[str]:
    """A cleaned document's blocks as segmented, in order (removed ones from ``removed[]``, the
    rest from its text): counting them equals counting ``blocks_of`` (no cleaner rewrites a block)."""
    slots: list[str | None] = [None] * doc.stats.blocks_in
    for r in doc.removed:
        if 0 <= r.position < len(slots):
            slots[r.position] = r.text
    kept = iter(doc.text.split("\n\n") if doc.text else [])
    return [t if t is not None else next(kept, "") for t in slots]


@dataclass
class ProfileBatch:
    """What a profiling task returns: counters per site."""

    index: int
    counts: dict[str, SiteCounts] = field(default_factory=dict)
    failed: int = 0  # unreadable here; the cleaning stage records the error
    seconds: float = 0.0


def count_into(counts: dict[str, SiteCounts], site: str, texts: list[str]) -> None:
    c = counts.get(site)
    if c is None:
        c = counts[site] = SiteCounts(site)
    c.add(texts)


def profile_batch(batch: Batch, sites: dict[str, str]) -> ProfileBatch:
    """Count the blocks of the batch's documents named in ``sites`` (output path -> site)."""
    t0 = time.perf_counter()
    out = ProfileBatch(index=batch.index)
    from .worker import mark

    for pos, item in enumerate(batch.items):
        site = sites.get(item.out)
        if site is None:
            continue
        mark(pos)  # a worker stuck here in C is killed by the pool (flows.supervise.profile)
        try:
            texts = blocks_of(item)
        except Exception:  # noqa: BLE001 - the cleaning stage reports this document's failure
            out.failed += 1
            continue
        count_into(out.counts, site, texts)
    mark(-1)
    out.seconds = time.perf_counter() - t0
    return out


class Profiles:
    """The persisted profiles of one OUT folder, updated by this run's counters.

    Each batch's documents get their site with ``note_batch`` (a tuple, one site or None
    per document, that travels with the batch: the book keeps per-site counts, nothing per
    document). ``decide`` then splits them: documents of a site that can reach
    ``min_documents`` (stored + this run's) are counted *before* cleaning (``prepass_sites``),
    so the profile is learned first; the others cannot learn anything this run, so they are
    cleaned without a profile and counted *from their cleaned document* (``count_later``),
    without a second extraction."""

    def __init__(self, out_root: str, *, rebuild: bool = False, thresholds: Thresholds | None = None):
        self.out_root = out_root
        self.dir = os.path.join(out_root, PROFILES_DIR)
        self.rebuild = rebuild
        self.thresholds = thresholds or Thresholds()
        self.counts: dict[str, SiteCounts] = {}
        self.warnings: list[str] = []
        self.profiled = 0
        self.new: dict[str, int] = {}  # site -> this run's documents
        self.learnable: set[str] = set()
        self.learned: dict[str, SiteProfile] = {}

    def path(self, site: str) -> str:
        return os.path.join(self.dir, profile_filename(site))

    def _load(self, site: str) -> SiteCounts:
        if site in self.counts:
            return self.counts[site]
        stored = SiteCounts(site)
        if not self.rebuild:
            try:
                with open(self.path(site), "rb") as f:
                    stored = SiteCounts.from_json(f.read())
                if stored.site != site:
                    self.warnings.append(f"{self.path(site)} holds the profile of {stored.site!r}; rebuilt")
                    stored = SiteCounts(site)
            except FileNotFoundError:
                pass
            except (OSError, ProfileFormatError) as exc:
                self.warnings.append(f"{self.path(site)}: {exc}; the profile is rebuilt from this run's pages")
                stored = SiteCounts(site)
        self.counts[site] = stored
        return stored

    def note_batch(self, batch: Batch) -> tuple[str | None, ...]:
        """The batch's documents' sites, in order, counted towards this run's."""
        sites = tuple(planned_site(item) for item in batch.items)
        for site in sites:
            if site is not None:
                self.new[site] = self.new.get(site, 0) + 1
        return sites

    def decide(self) -> None:
        """Which sites learn before cleaning (after every batch was noted)."""
        self.learnable = {s for s, n in self.new.items()
                          if self._load(s).documents + n >= self.thresholds.min_documents}

    @property
    def counted_first(self) -> int:
        return sum(n for s, n in self.new.items() if s in self.learnable)

    def prepass_sites(self, batch: Batch, sites) -> dict[str, str]:
        return {i.out: s for i, s in zip(batch.items, sites) if s in self.learnable}

    def count_later(self, batch: Batch, sites) -> dict[str, str]:
        return {i.out: s for i, s in zip(batch.items, sites) if s is not None and s not in self.learnable}

    def add(self, counts: dict[str, SiteCounts]) -> None:
        for site, c in counts.items():
            self._load(site).merge(c)
            self.profiled += c.documents

    def learn(self) -> dict[str, SiteProfile]:
        self.learned = {site: learn(c, self.thresholds) for site, c in sorted(self.counts.items())}
        return self.learned

    def profiles_for(self, batch: Batch, sites) -> dict[str, SiteProfile]:
        """Output path -> the profile its cleaning reads (only documents whose site learned something)."""
        out = {}
        for item, site in zip(batch.items, sites):
            prof = self.learned.get(site) if site else None
            if prof is not None and prof.boilerplate:
                out[item.out] = prof
        return out

    def save(self) -> int:
        """Write every site's counters (compacted) atomically; unchanged files are left alone."""
        written = 0
        for site, c in sorted(self.counts.items()):
            if not c.documents and not os.path.exists(self.path(site)):
                continue
            data = c.compacted().to_json().encode("utf-8")
            target = self.path(site)
            try:
                with open(target, "rb") as f:
                    if f.read() == data:
                        continue
            except OSError:
                pass
            os.makedirs(self.dir, exist_ok=True)
            atomic_write(target, data, tmp_in=tmp_dir(self.out_root))
            written += 1
        return written

    def summary(self, written: int) -> dict:
        profiles = self.learned
        with_profile = sum(n for s, n in self.new.items() if profiles.get(s) is not None and profiles[s].boilerplate)
        return {"dir": PROFILES_DIR, "sites": len(profiles), "rebuilt": self.rebuild,
                "sites_with_boilerplate": sum(1 for p in profiles.values() if p.boilerplate),
                "boilerplate_blocks": sum(len(p.boilerplate) for p in profiles.values()),
                "documents_profiled": self.profiled, "documents_counted_first": self.counted_first,
                "documents_with_profile": with_profile, "files_written": written, "warnings": self.warnings}


def stage(book: Profiles, sited, *, results=None) -> dict:
    """The profiling stage before cleaning, over ``sited``: (batch, sites from
    ``book.note_batch``) pairs, every batch of the run already noted (a list, or a spool read
    again). ``results``: a function (iterable of (batch, prepass sites)) -> an iterable of
    (batch, ProfileBatch or exception) (the flow submits tasks); default: here, in order.
    Counts, learns (``book.learned``) and saves; returns the summary entry. Then each batch
    is cleaned with ``book.profiles_for`` and ``book.count_later``; fold the clean batches'
    ``profile_counts`` in with ``Profiles.add`` and ``save`` again."""
    book.decide()
    work = ((b, book.prepass_sites(b, sites)) for b, sites in sited)
    work = ((b, s) for b, s in work if s)
    res = ((b, profile_batch(b, s)) for b, s in work) if results is None else results(work)
    for b, r in res:
        if isinstance(r, BaseException):  # its documents are cleaned without what they would add
            book.warnings.append(f"profiling batch {b.index} failed: {type(r).__name__}: {r}")
        else:
            book.add(r.counts)
    book.learn()
    return book.summary(book.save())


__all__ = ["stage", "profile_batch", "ProfileBatch", "Profiles", "PROFILES_DIR", "planned_site", "folder_of",
           "blocks_of", "texts_of", "page_url", "count_into"]
